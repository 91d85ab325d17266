package sentryconf

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func orgToken(t *testing.T, payload string) string {
	t.Helper()
	return "sntrys_" + base64.StdEncoding.EncodeToString([]byte(payload)) + "_c2VjcmV0c2VjcmV0"
}

func TestLoadPrecedence(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	home := filepath.Join(root, "home")
	repo := filepath.Join(root, "repo")
	svc := filepath.Join(repo, "services", "web")
	write(t, filepath.Join(home, ".sentryclirc"), "[defaults]\nurl=https://home.example.com/\norg=home-org\nproject=home-proj\n[auth]\ntoken=home-token\n")
	write(t, filepath.Join(repo, ".sentryclirc"), "[defaults]\norg=repo-org\n")
	write(t, filepath.Join(svc, "sentry.properties"), "defaults.project=web\ndefaults.org=props-org\nownership.rules.1=path:src/* #frontend\n")
	tests := []struct {
		name    string
		flags   Connection
		env     map[string]string
		dir     string
		want    Connection
		origins map[string]string
	}{
		{
			name:    "files only: sentry.properties over project .sentryclirc over home",
			dir:     filepath.Join(svc, "src"),
			want:    Connection{URL: "https://home.example.com/", Org: "props-org", Projects: []string{"web"}, Token: "home-token"},
			origins: map[string]string{"org": "sentry.properties (" + filepath.Join(svc, "sentry.properties") + ")", "token": ".sentryclirc (" + filepath.Join(home, ".sentryclirc") + ")"},
		},
		{
			name:    "env over files",
			dir:     svc,
			env:     map[string]string{"SENTRY_ORG": "env-org", "SENTRY_PROJECT": "env-proj", "SENTRY_AUTH_TOKEN": "env-token", "SENTRY_URL": "https://env.example.com/", "SENTRY_RELEASE": "web@1.2.3"},
			want:    Connection{URL: "https://env.example.com/", Org: "env-org", Projects: []string{"env-proj"}, Token: "env-token", Release: "web@1.2.3"},
			origins: map[string]string{"org": "env"},
		},
		{
			name:    "flags over env",
			dir:     svc,
			env:     map[string]string{"SENTRY_ORG": "env-org"},
			flags:   Connection{Org: "flag-org", Projects: []string{"a", "b"}},
			want:    Connection{URL: "https://home.example.com/", Org: "flag-org", Projects: []string{"a", "b"}, Token: "home-token"},
			origins: map[string]string{"org": "flag", "projects": "flag"},
		},
		{
			name: "an invalid SENTRY_RELEASE is ignored, as sentry-cli ignores it",
			dir:  repo,
			env:  map[string]string{"SENTRY_RELEASE": "a/b"},
			want: Connection{URL: "https://home.example.com/", Org: "repo-org", Projects: []string{"home-proj"}, Token: "home-token"},
		},
		{
			name: "SENTRY_PROPERTIES names the file",
			dir:  root,
			env:  map[string]string{"SENTRY_PROPERTIES": filepath.Join(svc, "sentry.properties")},
			want: Connection{URL: "https://home.example.com/", Org: "props-org", Projects: []string{"web"}, Token: "home-token"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(Input{Flags: tt.flags, Getenv: func(k string) string { return tt.env[k] }, Dir: tt.dir, Home: home})
			if err != nil {
				t.Fatal(err)
			}
			if c.URL != tt.want.URL || c.Org != tt.want.Org || !slices.Equal(c.Projects, tt.want.Projects) || c.Token != tt.want.Token || c.Release != tt.want.Release {
				t.Fatalf("got %+v\nwant %+v", c, tt.want)
			}
			for k, v := range tt.origins {
				if c.Origins[k] != v {
					t.Errorf("origin of %s = %q, want %q", k, c.Origins[k], v)
				}
			}
		})
	}
}

func TestOrgTokenNamesItsOrgAndServer(t *testing.T) {
	t.Parallel()
	tok := orgToken(t, `{"iat":1,"url":"https://sentry.io","region_url":"https://us.sentry.io","org":"acme"}`)
	c, err := Load(Input{Flags: Connection{Org: "other", Token: tok}, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	if c.Org != "acme" || c.URL != "https://us.sentry.io" {
		t.Fatalf("org %q url %q, want acme and the region URL", c.Org, c.URL)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], `"acme", not "other"`) {
		t.Fatalf("warnings %q", c.Warnings)
	}
	for _, w := range c.Warnings {
		if strings.Contains(w, tok) || strings.Contains(w, "c2VjcmV0") {
			t.Fatalf("a warning shows the token: %s", w)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "bad", ".sentryclirc"), "[defaults\nurl")
	tests := []struct {
		name string
		in   Input
		want string
	}{
		{"bad url", Input{Flags: Connection{URL: "ftp://x"}}, `url: "ftp://x" (from flag) is not an http(s) URL`},
		{"bad release", Input{Flags: Connection{Release: " 1.0"}}, "release (from flag): release \" 1.0\": it has leading or trailing spaces"},
		{"long dist", Input{Flags: Connection{Dist: strings.Repeat("d", 65)}}, "dist (from flag): dist \"" + strings.Repeat("d", 65) + "\": Sentry allows at most 64 characters"},
		{"broken org token", Input{Flags: Connection{Token: "sntrys_%%%_x"}}, "organization auth token's payload cannot be read"},
		{"broken ini", Input{Dir: filepath.Join(dir, "bad")}, filepath.Join(dir, "bad", ".sentryclirc")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "%%%") {
				t.Fatalf("the error repeats the token: %v", err)
			}
		})
	}
}

func TestRequireNamesEveryWayToSetAField(t *testing.T) {
	t.Parallel()
	c := Connection{}
	err := c.Require(true, true, true)
	for _, want := range []string{"--org", "SENTRY_ORG", "--project", "SENTRY_PROJECT", "SENTRY_AUTH_TOKEN", "sentry.properties"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("err = %v, want it to mention %s", err, want)
		}
	}
	c = Connection{Org: "o", Token: "t", Projects: []string{"p"}}
	if err := c.Require(true, true, true); err != nil {
		t.Fatal(err)
	}
}

// FuzzOrgToken: any token is either accepted or refused with an error that does not repeat it.
func FuzzOrgToken(f *testing.F) {
	f.Add("sntrys_eyJvcmciOiJhY21lIn0=_secret")
	f.Add("sntrys_")
	f.Add("sntryu_" + strings.Repeat("a", 64))
	f.Fuzz(func(t *testing.T, tok string) {
		c := Connection{Token: tok, URL: DefaultURL, Origins: map[string]string{"url": "default"}}
		if err := c.applyOrgToken(); err != nil && len(tok) > 12 && strings.Contains(err.Error(), tok) {
			t.Fatalf("error repeats the token: %v", err)
		}
	})
}
