package serveconf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
)

const testPEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"

const goodFile = `installations:
  acme:
    sentry:
      org: acme-org
      token_env: ACME_TOKEN
      client_secret_file: /secrets/acme-client
      integration_uuid: 3c1d5e2a-9b8f-4e6d-a7c2-1f0e9d8c7b6a
    jira:
      url: https://acme.atlassian.net
      email: triage-bot@acme.example
      token_env: ACME_JIRA_TOKEN
      project: WEB
      labels: [sentry, triage]
      component: Frontend
      priority: High
      accounts:
        "#checkout": 5b10ac8d82e05b22cc7d4ef5
  Widgets-Inc:
    sentry:
      url: https://sentry.example.com/
      org: widgets
      token_file: /secrets/widgets-token
`

// env is a complete, valid environment; cases change it.
func env() map[string]string {
	return map[string]string{
		"RELEASEGATE_GITHUB_APP_ID":         "12345",
		"RELEASEGATE_GITHUB_PRIVATE_KEY":    testPEM,
		"RELEASEGATE_GITHUB_WEBHOOK_SECRET": "whsec",
		"RELEASEGATE_CONFIG":                "/etc/releasegate.yml",
		"ACME_TOKEN":                        "sntryu_acme",
		"ACME_JIRA_TOKEN":                   "jira-token-acme",
	}
}

func files() map[string]string {
	return map[string]string{
		"/etc/releasegate.yml":   goodFile,
		"/secrets/acme-client":   "client-secret\n",
		"/secrets/widgets-token": "sntryu_widgets\n",
	}
}

func load(t *testing.T, vars, fileSet map[string]string, flags Flags) (*Config, error) {
	t.Helper()
	return Load(Input{
		Flags:  flags,
		Getenv: func(k string) string { return vars[k] },
		ReadFile: func(name string) ([]byte, error) {
			if v, ok := fileSet[name]; ok {
				return []byte(v), nil
			}
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		},
	})
}

func TestLoadValid(t *testing.T) {
	t.Parallel()
	c, err := load(t, env(), files(), Flags{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != DefaultListen || c.DatabaseURL.Reveal() != DefaultDatabaseURL || c.Uncovered != "approve" || c.GitHub.APIURL != DefaultGitHubAPI {
		t.Errorf("defaults not applied: %+v", c)
	}
	if c.GitHub.AppID != 12345 || c.GitHub.WebhookSecret.Reveal() != "whsec" {
		t.Errorf("GitHub = %+v", c.GitHub)
	}
	acme, ok := c.Installation("ACME")
	if !ok || acme.SentryOrg != "acme-org" || acme.SentryToken.Reveal() != "sntryu_acme" || acme.SentryClientSecret.Reveal() != "client-secret" || acme.SentryURL != DefaultSentryURL || acme.Line != 2 {
		t.Errorf("acme = %+v (found %v)", acme, ok)
	}
	j := acme.Jira
	if acme.SentryIntegration != "3c1d5e2a-9b8f-4e6d-a7c2-1f0e9d8c7b6a" || j == nil || j.URL != "https://acme.atlassian.net" || j.Flavour != "cloud" ||
		j.Email != "triage-bot@acme.example" || j.Token.Reveal() != "jira-token-acme" || j.Project != "WEB" || j.IssueType != "Bug" ||
		strings.Join(j.Labels, ",") != "sentry,triage" || j.Component != "Frontend" || j.Priority != "High" || j.Accounts["#checkout"] != "5b10ac8d82e05b22cc7d4ef5" {
		t.Errorf("acme's Jira = %+v, integration %q", j, acme.SentryIntegration)
	}
	w, ok := c.Installation("widgets-inc")
	if !ok || w.SentryURL != "https://sentry.example.com/" || w.SentryToken.Reveal() != "sntryu_widgets" || w.SentryClientSecret.IsSet() {
		t.Errorf("widgets = %+v (found %v)", w, ok)
	}
	if w.Jira != nil || w.SentryIntegration != "" {
		t.Errorf("widgets has Jira %+v, integration %q; want none", w.Jira, w.SentryIntegration)
	}
	if got := strings.Join(c.Owners(), ","); got != "Widgets-Inc,acme" {
		t.Errorf("Owners = %s", got)
	}
}

func TestLoadPrecedence(t *testing.T) {
	t.Parallel()
	vars := env()
	vars["RELEASEGATE_LISTEN"] = ":9000"
	vars["RELEASEGATE_DATABASE_URL"] = "postgres://u:p@db/rg"
	vars["RELEASEGATE_UNCOVERED"] = "reject"
	c, err := load(t, vars, files(), Flags{Listen: ":7000"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Listen != ":7000" || c.DatabaseURL.Reveal() != "postgres://u:p@db/rg" || c.Uncovered != "reject" {
		t.Errorf("precedence: listen %s, db %s, uncovered %s", c.Listen, c.DatabaseURL.Reveal(), c.Uncovered)
	}
	vars["RELEASEGATE_GITHUB_WEBHOOK_SECRET"] = ""
	vars["RELEASEGATE_GITHUB_WEBHOOK_SECRET_FILE"] = "/secrets/wh"
	fset := files()
	fset["/secrets/wh"] = "from-file\r\n"
	c, err = load(t, vars, fset, Flags{})
	if err != nil {
		t.Fatal(err)
	}
	if c.GitHub.WebhookSecret.Reveal() != "from-file" {
		t.Errorf("_FILE secret = %q", c.GitHub.WebhookSecret.Reveal())
	}
}

func TestLoadProblems(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		vars  func(map[string]string)
		files func(map[string]string)
		flags Flags
		want  []string // each must appear in the error
	}{
		{name: "nothing set", vars: func(m map[string]string) { clear(m) },
			want: []string{"RELEASEGATE_GITHUB_APP_ID is not set", "RELEASEGATE_GITHUB_PRIVATE_KEY (or", "RELEASEGATE_GITHUB_WEBHOOK_SECRET (or _FILE) is not set", "no installations"}},
		{name: "app id not a number", vars: func(m map[string]string) { m["RELEASEGATE_GITHUB_APP_ID"] = "my-app" },
			want: []string{`RELEASEGATE_GITHUB_APP_ID: "my-app" is not an App ID`}},
		{name: "key not PEM", vars: func(m map[string]string) { m["RELEASEGATE_GITHUB_PRIVATE_KEY"] = "abc" },
			want: []string{"RELEASEGATE_GITHUB_PRIVATE_KEY: not a PEM private key"}},
		{name: "secret and file both", vars: func(m map[string]string) { m["RELEASEGATE_GITHUB_WEBHOOK_SECRET_FILE"] = "/x" },
			want: []string{"RELEASEGATE_GITHUB_WEBHOOK_SECRET and RELEASEGATE_GITHUB_WEBHOOK_SECRET_FILE are both set"}},
		{name: "secret file missing", vars: func(m map[string]string) {
			m["RELEASEGATE_API_TOKEN_FILE"] = "/nope"
		}, want: []string{"RELEASEGATE_API_TOKEN_FILE: reading /nope: file does not exist"}},
		{name: "secret file empty", vars: func(m map[string]string) { m["RELEASEGATE_LINK_KEY_FILE"] = "/empty" },
			files: func(m map[string]string) { m["/empty"] = "\n" }, want: []string{"RELEASEGATE_LINK_KEY_FILE: /empty is empty"}},
		{name: "plain http api", vars: func(m map[string]string) { m["RELEASEGATE_GITHUB_API_URL"] = "http://ghe.example.com/api/v3/" },
			want: []string{"RELEASEGATE_GITHUB_API_URL: \"http://ghe.example.com/api/v3/\": use https://"}},
		{name: "public url with credentials", flags: Flags{PublicURL: "https://u:pw@gate.example.com"},
			want: []string{"credentials do not belong in the URL"}},
		{name: "uncovered value", flags: Flags{Uncovered: "allow"}, want: []string{`--uncovered / RELEASEGATE_UNCOVERED: "allow": use approve or reject`}},
		{name: "config file missing", vars: func(m map[string]string) { m["RELEASEGATE_CONFIG"] = "/nope.yml" },
			want: []string{"/nope.yml: reading the installations file: open /nope.yml: file does not exist"}},
		{name: "unknown key with suggestion", files: func(m map[string]string) {
			m["/etc/releasegate.yml"] = "installations:\n  acme:\n    sentry:\n      org: a\n      tokn_env: ACME_TOKEN\n"
		}, want: []string{"/etc/releasegate.yml:5: installations.acme.sentry.tokn_env: unknown key; did you mean token_env?", "/etc/releasegate.yml:2: installations.acme.sentry: no token"}},
		{name: "unknown top key", files: func(m map[string]string) { m["/etc/releasegate.yml"] = "instalations: {}\n" },
			want: []string{"/etc/releasegate.yml:1: instalations: unknown key; did you mean installations?"}},
		{name: "token variable unset", files: func(m map[string]string) {
			m["/etc/releasegate.yml"] = "installations:\n  acme:\n    sentry:\n      org: a\n      token_env: NOT_SET\n"
		}, want: []string{"/etc/releasegate.yml:5: installations.acme.sentry.token_env: the variable NOT_SET is not set"}},
		{name: "owner twice", files: func(m map[string]string) {
			m["/etc/releasegate.yml"] = "installations:\n  acme: {sentry: {org: a, token_env: ACME_TOKEN}}\n  ACME: {sentry: {org: b, token_env: ACME_TOKEN}}\n"
		}, want: []string{"/etc/releasegate.yml:3: installations.ACME: written twice (also on line 2"}},
		{name: "bad login", files: func(m map[string]string) {
			m["/etc/releasegate.yml"] = "installations:\n  -bad-: {sentry: {org: a, token_env: ACME_TOKEN}}\n"
		}, want: []string{"/etc/releasegate.yml:2: installations.-bad-: not a GitHub login"}},
		{name: "missing org", files: func(m map[string]string) {
			m["/etc/releasegate.yml"] = "installations:\n  acme: {sentry: {token_env: ACME_TOKEN}}\n"
		}, want: []string{"/etc/releasegate.yml:2: installations.acme.sentry.org: required"}},
		{name: "sentry over http", files: func(m map[string]string) {
			m["/etc/releasegate.yml"] = "installations:\n  acme: {sentry: {url: 'http://sentry.internal/', org: a, token_env: ACME_TOKEN}}\n"
		}, want: []string{"installations.acme.sentry.url: \"http://sentry.internal/\": use https://"}},
		{name: "not yaml", files: func(m map[string]string) { m["/etc/releasegate.yml"] = "installations:\n  acme: [\n" },
			want: []string{"/etc/releasegate.yml:2: not YAML: did not find expected node content"}},
		{name: "empty file", files: func(m map[string]string) { m["/etc/releasegate.yml"] = "" },
			want: []string{"/etc/releasegate.yml:1: the file is empty"}},
		{name: "jira unknown key", files: func(m map[string]string) {
			m["/etc/releasegate.yml"] = "installations:\n  acme:\n    sentry: {org: a, token_env: ACME_TOKEN}\n    jira:\n      url: https://j.example\n      email: a@b.c\n      token_env: ACME_JIRA_TOKEN\n      project: WEB\n      isue_type: Bug\n"
		}, want: []string{"/etc/releasegate.yml:9: installations.acme.jira.isue_type: unknown key; did you mean issue_type?"}},
		{name: "jira required keys", files: func(m map[string]string) {
			m["/etc/releasegate.yml"] = "installations:\n  acme:\n    sentry: {org: a, token_env: ACME_TOKEN}\n    jira:\n      flavour: cloud\n"
		}, want: []string{"installations.acme.jira.url: required", "installations.acme.jira.project: required", "installations.acme.jira.email: required on Jira Cloud", "installations.acme.jira: no token"}},
		{name: "jira bad values", files: func(m map[string]string) {
			m["/etc/releasegate.yml"] = "installations:\n  acme:\n    sentry: {org: a, token_env: ACME_TOKEN}\n    jira:\n      url: http://jira.example.com\n      flavour: server\n      token_file: /nope\n      project: web\n      labels: [ok, two words]\n"
		}, want: []string{"installations.acme.jira.url: \"http://jira.example.com\": use https://", `installations.acme.jira.flavour: "server": write cloud`,
			"installations.acme.jira.token_file: reading /nope", `installations.acme.jira.project: "web" is not a Jira project key`, `"two words": a Jira label has no spaces`}},
		{name: "jira datacenter needs no email", files: func(m map[string]string) {
			m["/etc/releasegate.yml"] = "installations:\n  acme:\n    sentry: {org: a, token_env: ACME_TOKEN}\n    jira:\n      url: https://jira.example.com\n      flavour: datacenter\n      project: WEB\n      token_env: ACME_JIRA_TOKEN\n      labels: x\n"
		}, want: []string{"installations.acme.jira.labels: must be a list"}},
		{name: "integration uuid", files: func(m map[string]string) {
			m["/etc/releasegate.yml"] = "installations:\n  acme: {sentry: {org: a, token_env: ACME_TOKEN, integration_uuid: abc}}\n"
		}, want: []string{`installations.acme.sentry.integration_uuid: "abc" is not an installation UUID`}},
		{name: "alias", files: func(m map[string]string) {
			m["/etc/releasegate.yml"] = "installations:\n  acme: &a {sentry: {org: a, token_env: ACME_TOKEN}}\n  other: *a\n"
		}, want: []string{"/etc/releasegate.yml:3: installations.other: anchors, aliases and merges are not supported"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vars, fset := env(), files()
			if tc.vars != nil {
				tc.vars(vars)
			}
			if tc.files != nil {
				tc.files(fset)
			}
			c, err := load(t, vars, fset, tc.flags)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Load = %+v, %v; want an *Error", c, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestSecretsNeverPrinted prints a loaded configuration every way the service might (fmt's
// verbs, JSON, slog in both formats, an error) and looks for each secret's value.
func TestSecretsNeverPrinted(t *testing.T) {
	t.Parallel()
	vars := env()
	vars["RELEASEGATE_API_TOKEN"] = "api-token-value"
	vars["RELEASEGATE_SENTRY_DSN"] = "https://key@o1.ingest.example/1"
	vars["RELEASEGATE_DATABASE_URL"] = "postgres://user:db-password@db/rg"
	c, err := load(t, vars, files(), Flags{})
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{"MIIB", "whsec", "api-token-value", "key@o1", "db-password", "sntryu_acme", "sntryu_widgets", "client-secret"}
	var out bytes.Buffer
	fmt.Fprintf(&out, "%v\n%+v\n%#v\n%v\n", *c, *c, *c, c.Installations)
	j, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	out.Write(j)
	slog.New(slog.NewJSONHandler(&out, nil)).Info("config", "config", c, "token", c.APIToken, "inst", c.Installations["acme"])
	slog.New(slog.NewTextHandler(&out, nil)).Info("config", "config", *c, "token", c.APIToken)
	fmt.Fprint(&out, fmt.Errorf("wrapped: %v", c.GitHub))
	for _, s := range secrets {
		if strings.Contains(out.String(), s) {
			t.Errorf("secret %q printed:\n%s", s, out.String())
		}
	}
	if !strings.Contains(out.String(), "[redacted]") {
		t.Errorf("nothing was redacted, so nothing was printed:\n%s", out.String())
	}
}
