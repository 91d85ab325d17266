package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// TestActionChecksTheTokenFirst: the action's first phase checks the token for what its
// inputs use. A token Sentry would refuse for one of them fails the step with exit 2 naming
// the scope, whatever on_error says, before a release is created or a byte uploaded; the
// summary and the report say which phase stopped it.
func TestActionChecksTheTokenFirst(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		scopes []string
		inputs map[string]string
		// caps are the capabilities the check phase names; want must be in the log.
		caps string
		want []string
	}{
		{
			name: "organization token with the gate on", scopes: []string{"org:ci"},
			inputs: map[string]string{"gate": "true", "on_error": "pass", "environment": "production", "policy": "policy.yml"},
			caps:   "upload, release, gate", want: []string{"missing scope", "event:read", "org:read"},
		},
		{
			name: "token without project:releases", scopes: []string{"project:read", "org:read"},
			caps: "upload, release", want: []string{"missing scope", "project:releases"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
			ws := sampleWorkspace(t)
			writeFile(t, filepath.Join(ws, "policy.yml"), gatePolicyYAML)
			inputs := map[string]string{"sourcemaps": "dist", "set_commits": "skip", "projects": "web"}
			for k, v := range tc.inputs {
				inputs[k] = v
			}
			env, files := actionEnv(t, srv, ws, inputs)
			srv.AddToken("scoped", tc.scopes...)
			env.Vars["SENTRY_AUTH_TOKEN"] = "scoped"
			code, out, errOut := env.run(t, "", "action")
			if code != exitUsage {
				t.Fatalf("exit %d, want 2\n%s\n%s", code, out, errOut)
			}
			for _, w := range append(tc.want, "::group::releasegate: sentry check", "$ releasegate sentry check --format json --for "+strings.ReplaceAll(tc.caps, ", ", ",")) {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("the log does not say %q:\n%s\n%s", w, out, errOut)
				}
			}
			for _, r := range srv.Requests() {
				if r.Method != http.MethodGet {
					t.Errorf("%s %s reached Sentry although the token check failed", r.Method, r.Path)
				}
			}
			outs := readOutputs(t, files["GITHUB_OUTPUT"])
			var rep actionReport
			data, err := os.ReadFile(outs["report"])
			if err != nil || json.Unmarshal(data, &rep) != nil || len(rep.Phases) == 0 {
				t.Fatalf("report %s: %v\n%s", outs["report"], err, data)
			}
			if p := rep.Phases[0]; p.Name != "sentry check" || p.Status != "failed" || p.ExitCode != exitUsage || !strings.Contains(p.Detail, tc.want[1]) {
				t.Errorf("first phase = %+v, want sentry check failed with exit 2 naming %s", p, tc.want[1])
			}
			// The step's error annotation says what to grant.
			if !strings.Contains(out, "::error title=releasegate::the Sentry token or configuration cannot run this step") || !strings.Contains(rep.Error, tc.want[1]) {
				t.Errorf("no error annotation naming %s:\n%s\nreport error: %s", tc.want[1], out, rep.Error)
			}
			summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
			if !strings.Contains(string(summary), "| sentry check | ❌ failed |") || !strings.Contains(string(summary), "| upload | not run |") {
				t.Errorf("summary:\n%s", summary)
			}
		})
	}
}
