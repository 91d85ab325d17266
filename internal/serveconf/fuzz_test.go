package serveconf

import (
	"errors"
	"strings"
	"testing"
)

// FuzzInstallationsFile: whatever the file holds, Load returns a configuration or an *Error
// whose every problem names the file and a line, and never panics.
func FuzzInstallationsFile(f *testing.F) {
	f.Add(goodFile)
	f.Add("installations:\n  acme: &a {sentry: {org: a}}\n  b: *a\n")
	f.Add("installations: [1, 2]\n")
	f.Add("{installations: {x: {sentry: {url: 'http://[::1', org: o, token_env: T, token_file: F}}}}")
	f.Add("<<: {installations: {}}\n")
	f.Fuzz(func(t *testing.T, file string) {
		vars := env()
		vars["T"] = "tok"
		fset := files()
		fset["/etc/releasegate.yml"] = file
		c, err := load(t, vars, fset, Flags{})
		if err == nil {
			if len(c.Installations) == 0 {
				t.Fatal("a configuration without installations was accepted")
			}
			for owner, in := range c.Installations {
				if in.SentryOrg == "" || !in.SentryToken.IsSet() || !githubLogin.MatchString(owner) {
					t.Fatalf("installation %q accepted incomplete: %+v", owner, in)
				}
			}
			return
		}
		var ce *Error
		if !errors.As(err, &ce) || len(ce.Problems) == 0 {
			t.Fatalf("error %v is not an *Error with problems", err)
		}
		for _, p := range ce.Problems {
			if strings.HasPrefix(p, "no installations") {
				continue
			}
			if !strings.HasPrefix(p, "/etc/releasegate.yml:") {
				t.Fatalf("problem %q does not name the file and line", p)
			}
		}
	})
}
