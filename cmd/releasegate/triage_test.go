package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
	"github.com/releasegate/releasegate/internal/jira/jiratest"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/sentryconf"
)

var triageT0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

const (
	triageSHA     = "2f6c1a9e0b7d4c3f2f6c1a9e0b7d4c3f2f6c1a9e"
	triageRelease = "web@2f6c1a9e0b7d"
)

// triageEnv is serve's configuration against fake GitHub, Sentry and Jira, with an issue in a
// release whose one merged pull request changed the file the error is raised in.
type triageEnv struct {
	*cliEnv
	gh     *githubapitest.Server
	sentry *sentryapitest.Server
	jira   *jiratest.Server
}

func newTriageEnv(t *testing.T) *triageEnv {
	t.Helper()
	ctx := t.Context()
	gh := githubapitest.Start(t, githubapitest.Options{})
	sentry := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}, Now: triageT0})
	jira := jiratest.Start(t, jiratest.Options{})
	jira.AddProject(jiratest.Project{ID: "10000", Key: "OPS", Name: "Operations", IssueTypes: []string{"Bug"}, Components: []string{"Frontend"}})
	jira.AddUser(jiratest.User{AccountID: "acct-checkout", Name: "checkout-lead", DisplayName: "Checkout Lead"})

	gh.AddInstallation("acme", []string{"web", ".github"}, nil)
	gh.SetFile("acme", "web", triageSHA, "web/sentry.properties", []byte("defaults.org = acme\ndefaults.project = web\nownership.rules = path:src/checkout/* #checkout\n"))
	gh.SetFile("acme", "web", triageSHA, "web/src/checkout/cart.js", []byte("export function render() {}\n"))
	gh.AddPull("acme", "web", githubapitest.Pull{Number: 42, Title: "Checkout: render the cart", Author: "jo", State: "closed", MergeSHA: triageSHA,
		HeadRef: "cart", HeadSHA: triageSHA, BaseRef: "main", Commits: []string{triageSHA},
		Files: []githubapitest.PullFile{{Filename: "web/src/checkout/cart.js", Status: "modified", Additions: 1, Patch: "@@ -0,0 +1 @@\n+export function render() {}"}}})

	sentry.AddTeam("acme", "checkout", "web")
	sentry.AddRepository("acme", "acme/web")
	integration := sentry.AddSentryAppInstallation("acme", "releasegate")
	conn := sentryconf.Connection{URL: sentry.URL(), Org: "acme", Token: sentry.Token(), MaxRetries: -1}
	sc, err := conn.Client(sentryconf.ClientOptions{Transport: sentry.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sc.CreateRelease(ctx, "acme", sentryapi.NewRelease{Version: triageRelease, Projects: []string{"web"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sc.SetReleaseCommits(ctx, "acme", triageRelease, nil, []sentryapi.Commit{{ID: triageSHA, Repository: "acme/web", Message: "Merge pull request #42"}}); err != nil {
		t.Fatal(err)
	}
	frames := []sentryapitest.Frame{{Function: "render", Filename: "src/checkout/cart.js", AbsPath: "app:///src/checkout/cart.js", Lineno: 1, InApp: true}}
	for i := range 3 {
		if _, err := sentry.Ingest("web", sentryapitest.Event{Release: triageRelease, Environment: "production", Timestamp: triageT0.Add(-time.Duration(3-i) * time.Minute),
			Exceptions: []sentryapitest.Exception{{Type: "TypeError", Value: "cart is undefined", Frames: frames}}}); err != nil {
			t.Fatal(err)
		}
	}

	dir := t.TempDir()
	installations := `installations:
  acme:
    sentry:
      url: ` + sentry.URL() + `
      org: acme
      token_env: ACME_SENTRY_TOKEN
      integration_uuid: ` + integration + `
    jira:
      url: ` + jira.URL() + `
      email: ` + jira.Email() + `
      token_env: ACME_JIRA_TOKEN
      project: OPS
      issue_type: Bug
      labels: [sentry]
      component: Frontend
      priority: High
      accounts:
        "#checkout": acct-checkout
`
	if err := os.WriteFile(filepath.Join(dir, "installations.yml"), []byte(installations), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.pem"), gh.PrivateKey(), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newCLIEnv(t, map[string]string{
		"RELEASEGATE_GITHUB_APP_ID": "1", "RELEASEGATE_GITHUB_PRIVATE_KEY_FILE": "app.pem",
		"RELEASEGATE_GITHUB_WEBHOOK_SECRET": "whsec", "RELEASEGATE_GITHUB_API_URL": gh.URL(),
		"RELEASEGATE_CONFIG": "installations.yml", "ACME_SENTRY_TOKEN": sentry.Token(), "ACME_JIRA_TOKEN": jira.Token(),
	})
	e.Dir = dir
	return &triageEnv{cliEnv: e, gh: gh, sentry: sentry, jira: jira}
}

// triage runs the command at the fixed clock and returns its output with the fakes' addresses
// replaced by names, so golden files do not depend on ports.
func (e *triageEnv) triage(t *testing.T, format string, dryRun bool) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	f := e.factory(&IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	err := triageRun(t.Context(), &TriageOptions{Factory: f, Issue: "WEB-1", Format: format, DryRun: dryRun, now: func() time.Time { return triageT0 }})
	s := out.String()
	for _, r := range []struct{ url, name string }{{e.sentry.URL(), "https://sentry.test"}, {e.gh.URL(), "https://github.test"}, {e.jira.URL(), "https://jira.test"}} {
		s = strings.ReplaceAll(s, strings.TrimSuffix(r.url, "/"), r.name)
	}
	return s, err
}

func TestTriageFormats(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		format string
		dryRun bool
	}{
		{"text", "text", false},
		{"json", "json", false},
		{"markdown", "markdown", false},
		{"text dry run", "text", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newTriageEnv(t)
			got, err := e.triage(t, tc.format, tc.dryRun)
			if err != nil {
				t.Fatalf("%v\n%s", err, got)
			}
			assertGolden(t, "triage-"+strings.ReplaceAll(tc.name, " ", "-"), []byte(got))
			tickets, comments := len(e.jira.Issues()), len(e.gh.Comments())
			if tc.dryRun && (tickets != 0 || comments != 0) {
				t.Errorf("a dry run wrote %d tickets and %d comments", tickets, comments)
			}
			if !tc.dryRun && (tickets != 1 || comments != 1) {
				t.Errorf("%d tickets and %d comments, want one of each", tickets, comments)
			}
		})
	}
}

// TestTriageExitCodes: a configuration problem, or an issue Sentry does not know, is 2.
func TestTriageExitCodes(t *testing.T) {
	t.Parallel()
	e := newTriageEnv(t)
	tests := []struct {
		name string
		env  *cliEnv
		args []string
		want int
		msg  string
	}{
		{"no issue", e.cliEnv, []string{"triage"}, exitUsage, "--issue is required"},
		{"bad format", e.cliEnv, []string{"triage", "--issue", "WEB-1", "--format", "xml"}, exitUsage, "unknown --format"},
		{"unknown owner", e.cliEnv, []string{"triage", "--issue", "WEB-1", "--owner", "globex"}, exitUsage, "has no Sentry for it"},
		{"no App", e.with("RELEASEGATE_GITHUB_APP_ID", ""), []string{"triage", "--issue", "WEB-1"}, exitUsage, "RELEASEGATE_GITHUB_APP_ID is not set"},
		{"unknown issue", e.cliEnv, []string{"triage", "--issue", "WEB-404", "--dry-run"}, exitUsage, "WEB-404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := tc.env.run(t, "", tc.args...)
			if code != tc.want || !strings.Contains(stderr, tc.msg) {
				t.Errorf("exit %d (want %d), stderr lacks %q?\n%s", code, tc.want, tc.msg, stderr)
			}
		})
	}
}

func TestTriageJiraDownIsUndecided(t *testing.T) {
	t.Parallel()
	e := newTriageEnv(t)
	e.jira.InjectFault(jiratest.Fault{Status: 503})
	code, stdout, stderr := e.run(t, "", "triage", "--issue", "WEB-1")
	if code != 3 || !strings.Contains(stdout, "pending") {
		t.Errorf("exit %d, want 3 with the ticket pending; stdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	e.jira.ClearFaults()
	code, _, stderr = e.run(t, "", "triage", "--issue", "WEB-1")
	if code != 0 {
		t.Fatalf("exit %d after Jira returned:\n%s", code, stderr)
	}
	if n, c := len(e.jira.Issues()), len(e.gh.Comments()); n != 1 || c != 1 {
		t.Errorf("%d tickets and %d comments after the rerun, want one of each", n, c)
	}
}
