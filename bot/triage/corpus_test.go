package triage

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/testenv"
)

// corpusDir is the event corpus shared with the next issue's tests.
func corpusDir(t *testing.T) string {
	t.Helper()
	return filepath.Join(testenv.RepoRoot(t), "testdata", "sentry-events")
}

func repoFiles(t *testing.T) *Files {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir(t), "repository-files.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return NewFiles(strings.Fields(string(b)))
}

// framesOf is what the bot will do with an API event: its exceptions' frames as triage reads them.
func framesOf(t *testing.T, ev *sentryapi.Event) [][]Frame {
	t.Helper()
	excs, err := ev.Exceptions()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]Frame
	for _, e := range excs {
		var fs []Frame
		if e.Stacktrace != nil {
			for _, f := range e.Stacktrace.Frames {
				fs = append(fs, Frame{Filename: f.Filename, AbsPath: f.AbsPath, Module: f.Module, Function: f.Function,
					Platform: f.Platform, LineNo: f.LineNo, InApp: f.InApp})
			}
		}
		out = append(out, fs)
	}
	return out
}

// TestEventCorpus: every event of the corpus decodes with the client's event types, and the
// top in-app frame is found where a person reading the trace would look in the repository.
func TestEventCorpus(t *testing.T) {
	t.Parallel()
	files := repoFiles(t)
	tests := map[string]struct {
		root      string // the Sentry project's folder
		path      string // "" when no frame is in the repository
		line      int
		from      string
		skipped   int
		tenant    bool
		user      bool
		noRootToo string // where the frame is found without the root ("" when ambiguous)
	}{
		"js-checkout-typeerror":   {root: "web", path: "web/src/checkout/cart.js", line: 42, from: "absPath", tenant: true, user: true},
		"ts-search-webpack":       {root: "web", path: "web/src/search/query.ts", line: 131, from: "absPath", noRootToo: "web/src/search/query.ts"},
		"python-billing-keyerror": {root: "services/billing", path: "services/billing/billing/invoices.py", line: 112, from: "absPath", tenant: true, user: true},
		"java-ledger-npe": {root: "services/ledger", path: "services/ledger/src/main/java/com/acme/ledger/PostingService.java", line: 81, from: "module", tenant: true,
			noRootToo: "services/ledger/src/main/java/com/acme/ledger/PostingService.java"},
		"go-payments-panic": {root: "services/payments", path: "services/payments/refund/refund.go", line: 58, from: "absPath", user: true,
			noRootToo: "services/payments/refund/refund.go"},
		"node-orders-ts": {root: "services/orders", path: "services/orders/src/orders/ship.ts", line: 23, from: "absPath", tenant: true, user: true,
			noRootToo: "services/orders/src/orders/ship.ts"},
		"js-message-no-stack": {root: "web", tenant: true, user: true},
		"js-unmapped-bundle":  {root: "web", skipped: 2, tenant: true},
	}
	entries, err := os.ReadDir(corpusDir(t))
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			seen = append(seen, name)
		}
	}
	for name := range tests {
		if !slices.Contains(seen, name) {
			t.Errorf("%s.json is expected in testdata/sentry-events", name)
		}
	}
	for _, name := range seen {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tt, ok := tests[name]
			if !ok {
				t.Fatalf("%s.json has no expectation in this table: add one", name)
			}
			b, err := os.ReadFile(filepath.Join(corpusDir(t), name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var ev sentryapi.Event
			if err := json.Unmarshal(b, &ev); err != nil {
				t.Fatalf("does not decode as sentryapi.Event: %v", err)
			}
			if ev.EventID == "" || ev.GroupID == "" || ev.ProjectID == "" || ev.DateCreated == nil || ev.Release == nil || ev.Title == "" {
				t.Errorf("identity, title, date or release missing: %+v", ev)
			}
			if v, _ := ev.Tag("release"); v != ev.Release.Version {
				t.Errorf("release tag %q, release %q", v, ev.Release.Version)
			}
			_, hasTenant := ev.Tag("tenant_id")
			_, hasUser := ev.Tag("user")
			if hasTenant != tt.tenant || hasUser != tt.user || (ev.User != nil) != tt.user {
				t.Errorf("tenant_id %v, user tag %v, user %v; want %v, %v", hasTenant, hasUser, ev.User != nil, tt.tenant, tt.user)
			}
			frames := framesOf(t, &ev)
			loc, skipped, found := files.TopFrame(frames, tt.root)
			if got := loc.Path; got != tt.path || loc.Line != tt.line || skipped != tt.skipped || found != (tt.path != "") {
				t.Fatalf("top frame %q line %d (skipped %d, found %v), want %q line %d (skipped %d)", got, loc.Line, skipped, found, tt.path, tt.line, tt.skipped)
			}
			if found && loc.From != tt.from {
				t.Errorf("found from the frame's %s, want %s", loc.From, tt.from)
			}
			if noRoot, _, _ := files.TopFrame(frames, ""); noRoot.Path != tt.noRootToo {
				t.Errorf("without the project's folder: %q, want %q", noRoot.Path, tt.noRootToo)
			}
		})
	}
}
