package gateevidence_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/gateevidence"
	"github.com/releasegate/releasegate/internal/issueowners"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/sentryconf"
	"github.com/releasegate/releasegate/ownership"
)

// TestGateFromACommitsTree is the GitHub App's path through the shared core: the policy and the
// ownership rules come from a commit's tree held in memory, the Sentry connection is given as
// values, the clock is injected, and the gate is evaluated and its Markdown report rendered,
// many times at once, with no working directory, environment variable or global touched. Run
// under -race it shows the core can serve concurrent requests in one process.
func TestGateFromACommitsTree(t *testing.T) {
	t.Parallel()
	commit := fstest.MapFS{
		".github/releasegate.yml":  {Data: []byte("environments:\n  production:\n    projects: [web]\n    soak: 10m\n    new_issues:\n      events_per_hour: 30\n")},
		"web/sentry.properties":    {Data: []byte("defaults.org = acme\ndefaults.project = web\nownership.rules = path:src/checkout/* #checkout\n")},
		"web/src/checkout/cart.js": {Data: []byte("export function render() {}\n")},
	}
	tree := ownership.Tree{FS: commit}
	for name := range commit {
		tree.Files = append(tree.Files, name)
	}
	for i := range 8 {
		t.Run(fmt.Sprintf("request %d", i), func(t *testing.T) {
			t.Parallel()
			now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
			srv := sentryapitest.Start(t, sentryapitest.Options{Now: now, Org: "acme", Projects: []string{"web"}})
			srv.AddTeam("acme", "checkout", "web")
			conn := sentryconf.Connection{URL: srv.URL(), Org: "acme", Token: srv.Token(), MaxRetries: -1}
			client, err := conn.Client(sentryconf.ClientOptions{UserAgent: "releasegate-app-test", Transport: srv.Client().Transport})
			if err != nil {
				t.Fatal(err)
			}
			deployed := now.Add(-30 * time.Minute)
			if _, _, err := client.CreateRelease(t.Context(), "acme", sentryapi.NewRelease{Version: "web@2.0.0", Projects: []string{"web"}}); err != nil {
				t.Fatal(err)
			}
			if _, err := client.CreateDeploy(t.Context(), "acme", "web@2.0.0", sentryapi.NewDeploy{Environment: "production", DateStarted: &deployed, DateFinished: &deployed}); err != nil {
				t.Fatal(err)
			}
			for n := range 60 {
				if _, err := srv.Ingest("web", sentryapitest.Event{
					Release: "web@2.0.0", Environment: "production", Timestamp: now.Add(-20*time.Minute + time.Duration(n)*10*time.Second),
					Exceptions: []sentryapitest.Exception{{Type: "TypeError", Value: "cart is undefined",
						Frames: []sentryapitest.Frame{{Function: "render", Filename: "src/checkout/cart.js", AbsPath: "app:///src/checkout/cart.js", Lineno: 1, InApp: true}}}},
				}); err != nil {
					t.Fatal(err)
				}
			}

			policy, err := gate.ReadPolicy(commit, ".github/releasegate.yml", "")
			if err != nil {
				t.Fatal(err)
			}
			env, err := policy.Environment("production")
			if err != nil {
				t.Fatal(err)
			}
			owners := &issueowners.Lookup{Client: client, Org: "acme", Load: func(context.Context) issueowners.Rules {
				return issueowners.FromTree(tree)
			}}
			g := &gateevidence.Gatherer{Client: client, Owners: owners.Owners}
			d, err := g.Poll(t.Context(), gateevidence.Query{Org: "acme", Projects: env.Projects, Release: "web@2.0.0", Environment: "production"},
				env, "production", gateevidence.Poll{Now: func() time.Time { return now }, Sleep: func(context.Context, time.Duration) error { return nil }, Interval: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			if d.Verdict != gate.StatusFail || !strings.Contains(d.Reason, "TypeError") {
				t.Fatalf("verdict %s (%s), want fail naming the TypeError", d.Verdict, d.Reason)
			}
			var md bytes.Buffer
			if err := gate.Render(&md, d, "markdown"); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"TypeError", "#checkout", "web@2.0.0"} {
				if !strings.Contains(md.String(), want) {
					t.Errorf("the Markdown report does not name %s:\n%s", want, md.String())
				}
			}
			if notes := owners.TakeNotes(); len(notes) > 0 {
				t.Errorf("notes %q: the commit's sentry.properties is sound", notes)
			}
		})
	}
}
