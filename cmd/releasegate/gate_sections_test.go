package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// botSections are the triage bot's keys (docs/bot.md), which share .github/releasegate.yml with
// the gate's policy.
const botSections = `triage:
  environments: [production]
  min_events: 5
playbooks:
  - name: Checkout timeouts
    match: {exception_type: TimeoutError, tags: ["tenant_id:enterprise-*"]}
    runbook: https://wiki.example.com/runbooks/checkout-timeouts
`

// TestGateAcceptsTheBotsSections: releasegate gate reads a file that also holds the triage
// bot's settings, from .github/releasegate.yml or --policy, and decides; a top-level key
// neither knows is still a usage error naming its line and the key meant.
func TestGateAcceptsTheBotsSections(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	e := sentryEnv(t, srv)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "sentry.properties"), "defaults.org = acme\ndefaults.project = web\n")
	policy := "environments:\n  production:\n    projects: [web]\n    soak: 5m\n    regressions: {}\n"
	if err := os.Mkdir(filepath.Join(dir, ".github"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, ".github", "releasegate.yml"), policy+botSections)
	writeFile(t, filepath.Join(dir, "policy.yml"), policy+botSections)
	writeFile(t, filepath.Join(dir, "typo.yml"), policy+"triaje:\n  min_events: 5\n")
	e.Dir = dir

	ctx := context.Background()
	api, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: srv.Token(), HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	deployed := time.Now().UTC().Add(-30 * time.Minute)
	if _, _, err := api.CreateRelease(ctx, "acme", sentryapi.NewRelease{Version: "web@1.0.0", Projects: []string{"web"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateDeploy(ctx, "acme", "web@1.0.0", sentryapi.NewDeploy{Environment: "production", DateStarted: &deployed, DateFinished: &deployed}); err != nil {
		t.Fatal(err)
	}

	tests := map[string]struct {
		args    []string
		code    int
		wantOut string // the verdict; "" when the policy does not load
		wantErr string
	}{
		"the repository's file":        {code: exitOK, wantOut: "pass"},
		"--policy":                     {args: []string{"--policy", "policy.yml"}, code: exitOK, wantOut: "pass"},
		"a top-level key nobody knows": {args: []string{"--policy", "typo.yml"}, code: exitUsage, wantErr: "typo.yml:6: triaje: unknown key; did you mean triage?"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"gate", "--release", "web@1.0.0", "--environment", "production", "--format", "json"}, tt.args...)
			code, out, errOut := e.run(t, "", args...)
			var d struct{ Verdict string }
			if tt.wantOut != "" {
				if err := json.Unmarshal([]byte(out), &d); err != nil {
					t.Fatalf("the output is not the JSON report (%v):\n%s\n%s", err, out, errOut)
				}
			}
			if code != tt.code || d.Verdict != tt.wantOut || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("exit %d, verdict %q; want %d, %q and %q in the errors:\n%s\n%s", code, d.Verdict, tt.code, tt.wantOut, tt.wantErr, out, errOut)
			}
		})
	}
}
