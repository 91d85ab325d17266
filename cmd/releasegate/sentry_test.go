package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// TestSentryCheck runs `releasegate sentry check` against the local Sentry with tokens of
// several scope sets: the report (golden, human and JSON) says per capability what is wrong,
// and the exit status is 0 when all is well, 2 for the configuration, 3 for an outage.
func TestSentryCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		scopes []string // nil: every scope
		token  string
		args   []string
		fault  *sentryapitest.Fault
		code   int
		stderr string
	}{
		{name: "every scope", code: exitOK},
		{name: "gate token without event:read", scopes: []string{"project:releases", "org:read", "member:read", "team:read", "project:read"},
			code: exitUsage, stderr: "cannot do gate (missing scope)"},
		{name: "organization token", scopes: []string{"org:ci"}, args: []string{"--for", "upload,release"}, code: exitOK},
		{name: "organization token for the gate", scopes: []string{"org:ci"}, args: []string{"--for", "gate"}, code: exitUsage, stderr: "docs/sentry-token.md"},
		{name: "unknown project", args: []string{"-p", "wbe"}, code: exitUsage, stderr: "unknown project"},
		{name: "rejected token", token: "sntryu_revoked", args: []string{"--for", "release"}, code: exitUsage, stderr: "token rejected"},
		{name: "Sentry down", fault: &sentryapitest.Fault{Status: http.StatusServiceUnavailable}, args: []string{"--for", "release"}, code: exitUndecided, stderr: "could not be asked"},
	}
	for _, tc := range tests {
		for _, format := range []string{"human", "json"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				t.Parallel()
				srv := sentryapitest.Start(t, sentryapitest.Options{Projects: []string{"web"}})
				token := tc.token
				if token == "" {
					token = "tok"
					srv.AddToken(token, tc.scopes...)
				}
				e := sentryEnv(t, srv).with("SENTRY_HTTP_MAX_RETRIES", "0", "SENTRY_AUTH_TOKEN", token)
				if tc.fault != nil {
					srv.InjectFault(*tc.fault)
				}
				args := append([]string{"sentry", "check", "--org", "acme", "-p", "web", "--format", format}, tc.args...)
				code, out, errOut := e.run(t, "", args...)
				if code != tc.code {
					t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, out, errOut)
				}
				if !strings.Contains(errOut, tc.stderr) || (tc.code == exitOK) != (errOut == "") {
					t.Errorf("stderr %q, want it to say %q", errOut, tc.stderr)
				}
				if format == "json" {
					var v struct {
						Results []struct{ Capability, Status string }
					}
					if err := json.Unmarshal([]byte(out), &v); err != nil || len(v.Results) == 0 {
						t.Fatalf("JSON report: %v\n%s", err, out)
					}
				}
				// The server's address changes with each run.
				out = strings.ReplaceAll(out, srv.URL(), "SENTRY_URL")
				assertGolden(t, "sentry-check-"+strings.NewReplacer(" ", "-", ":", "").Replace(tc.name)+"-"+format, []byte(out))
			})
		}
	}
}
