package bot

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/testenv"
)

// update rewrites the golden files of the end-to-end triage: go test ./bot -run TestTriage -update
var update = flag.Bool("update", false, "rewrite testdata/golden with the current output")

// scrub replaces the fakes' addresses, which change with every run, by fixed names.
func (f *triageFixture) scrub(s string) string {
	for _, r := range []struct{ url, name string }{{f.sentry.URL(), "https://sentry.example.com"}, {f.jira.URL(), "https://acme.atlassian.net"}, {f.gh.URL(), "https://api.github.com"}} {
		s = strings.ReplaceAll(s, strings.TrimSuffix(r.url, "/"), r.name)
	}
	return s
}

// TestTriageWrittenGolden: the PR comment and the ticket's description exactly as the end-to-end
// run sends them to GitHub and to Jira (ADF on Cloud, wiki markup on Data Center). README's
// example comment is the Cloud one (TestReadmeTriageComment).
func TestTriageWrittenGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		dataCenter bool
		ticket     string // golden file of the description
	}{
		{"cloud", false, "triage-ticket-cloud.adf.json"},
		{"datacenter", true, "triage-ticket-datacenter.wiki"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newTriageFixture(t, triageOptions{dataCenter: tc.dataCenter})
			// The file at the release's commit, for the suggested fix (a guard: the file does
			// not use optional chaining).
			f.gh.SetFile("acme", "web", testSHA, "web/src/checkout/cart.js", []byte("export function render(cart) { return cart.total; }\n"))
			if err := f.triage("job:1"); err != nil {
				t.Fatal(err)
			}
			cs, tickets := f.comments(), f.jira.Issues()
			if len(cs) != 1 || len(tickets) != 1 {
				t.Fatalf("%d comments and %d tickets, want one of each", len(cs), len(tickets))
			}
			testenv.AssertGolden(t, filepath.Join("testdata", "golden", "triage-comment-"+tc.name+".md"), []byte(f.scrub(cs[0].Body)), *update)
			var desc []byte
			if tc.dataCenter {
				var wiki string
				if err := json.Unmarshal(tickets[0].Description, &wiki); err != nil {
					t.Fatalf("the Data Center description is not a string: %v", err)
				}
				desc = []byte(wiki)
			} else {
				var buf bytes.Buffer
				if err := json.Indent(&buf, tickets[0].Description, "", "  "); err != nil {
					t.Fatalf("the Cloud description is not JSON: %v", err)
				}
				buf.WriteString("\n")
				desc = buf.Bytes()
			}
			testenv.AssertGolden(t, filepath.Join("testdata", "golden", tc.ticket), []byte(f.scrub(string(desc))), *update)
		})
	}
}

// TestTriageDuplicatesAcrossProjects: the same error in two other projects is named as two
// duplicates, in the report, the comment and the ticket.
func TestTriageDuplicatesAcrossProjects(t *testing.T) {
	t.Parallel()
	f := newTriageFixture(t, triageOptions{})
	frames := []sentryapitestFrame{{Function: "render", Filename: "src/checkout/cart.js", AbsPath: "app:///src/checkout/cart.js", Lineno: 1, InApp: true}}
	for _, p := range []string{"mobile", "kiosk"} {
		f.sentry.AddProject("acme", p)
		if _, err := f.sentry.Ingest(p, sentryapitest.Event{Release: p + "@1.0.0", Environment: "production",
			Exceptions: []sentryapitest.Exception{{Type: "TypeError", Value: "cart is undefined", Frames: frames}}}); err != nil {
			t.Fatal(err)
		}
	}
	// Another error in another project is no duplicate.
	if _, err := f.sentry.Ingest("kiosk", sentryapitest.Event{Release: "kiosk@1.0.0", Environment: "production",
		Exceptions: []sentryapitest.Exception{{Type: "RangeError", Value: "too deep", Frames: frames}}}); err != nil {
		t.Fatal(err)
	}
	r, err := f.bot.Triage(t.Context(), "acme", f.issueID, TriageOptions{Worker: "job:1"})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, d := range r.Issue.Duplicates {
		keys = append(keys, d.Key)
	}
	if len(keys) != 2 || contains(strings.Join(keys, " "), "MOBILE-", "KIOSK-") != "" {
		t.Fatalf("duplicates = %v; want one in mobile and one in kiosk", keys)
	}
	desc := string(f.jira.Issues()[0].Description)
	for _, k := range keys {
		if !strings.Contains(r.Comment, k) && !strings.Contains(desc, k) {
			t.Errorf("%s is in neither the comment nor the ticket", k)
		}
		if !strings.Contains(desc, k) {
			t.Errorf("the ticket does not name the duplicate %s", k)
		}
	}
}

// TestTriageCorpusEvents: events of testdata/sentry-events, as Sentry stores them, triaged end to
// end in a copy of the corpus's repository: the suspect is the pull request that changed the
// top in-app frame's line, or the report says why none is named.
func TestTriageCorpusEvents(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(testenv.RepoRoot(t), "testdata", "sentry-events")
	b, err := os.ReadFile(filepath.Join(dir, "repository-files.txt"))
	if err != nil {
		t.Fatal(err)
	}
	// The corpus repository's code; its configuration (.github, sentry.properties) stays the
	// fixture's, so the settings and owners are the ones the other tests know.
	var files []string
	for _, name := range strings.Fields(string(b)) {
		if !strings.HasPrefix(name, ".github/") && filepath.Base(name) != "sentry.properties" {
			files = append(files, name)
		}
	}
	tests := []struct {
		name string
		// path and line are the top frame's in the repository; "" when no suspect is named.
		path string
		line int
		note string // in the evidence when no suspect is named
	}{
		{name: "node-orders-ts", path: "services/orders/src/orders/ship.ts", line: 23},
		{name: "java-ledger-npe", path: "services/ledger/src/main/java/com/acme/ledger/PostingService.java", line: 81},
		{name: "go-payments-panic", path: "services/payments/refund/refund.go", line: 58},
		// cart.js is in web/ and mobile/: the issue's project (web) names the service folder
		// whose sentry.properties says defaults.project = web, and the frame is found there.
		{name: "js-checkout-typeerror", path: "web/src/checkout/cart.js", line: 42},
		{name: "js-message-no-stack", note: "no stack trace"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := corpusEvent(t, filepath.Join(dir, tc.name+".json"))
			path := tc.path
			if path == "" {
				path = "web/src/checkout/cart.js"
			}
			pull := githubapitest.Pull{Number: 42, Title: "The change", Author: "jo", State: "closed", MergeSHA: testSHA,
				HeadRef: "change", HeadSHA: testSHA, BaseRef: "main", Commits: []string{testSHA},
				Files: []githubapitest.PullFile{{Filename: path, Status: "modified", Additions: 1, Patch: fmt.Sprintf("@@ -%d,0 +%d,1 @@\n+changed", max(tc.line-1, 0), max(tc.line, 1))}}}
			f := newTriageFixture(t, triageOptions{event: &ev, files: files, pull: &pull})
			r, err := f.bot.Triage(t.Context(), "acme", f.issueID, TriageOptions{Worker: "job:1"})
			if err != nil {
				t.Fatal(err)
			}
			s := r.Issue.Suspicion
			if s == nil {
				t.Fatalf("no suspicion; notes: %v", r.Notes)
			}
			if tc.path == "" {
				if s.Suspect != nil || !strings.Contains(strings.Join(s.Evidence, "\n"), tc.note) {
					t.Errorf("suspect %+v, evidence %q; want none, explained by %q", s.Suspect, s.Evidence, tc.note)
				}
				return
			}
			if s.Suspect == nil || s.Suspect.Number != 42 || s.Suspect.Path != tc.path || s.Suspect.Line != tc.line || s.Suspect.Confidence != "line" {
				t.Fatalf("suspect %+v; want #42 at %s:%d with confidence line (evidence %q)", s.Suspect, tc.path, tc.line, s.Evidence)
			}
			if len(f.comments()) != 1 || len(f.jira.Issues()) != 1 {
				t.Errorf("%d comments and %d tickets, want one of each", len(f.comments()), len(f.jira.Issues()))
			}
		})
	}
}

// corpusEvent is a corpus event as the fake Sentry ingests it, in the fixture's release and
// production.
func corpusEvent(t *testing.T, path string) sentryapitest.Event {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ev sentryapi.Event
	if err := json.Unmarshal(b, &ev); err != nil {
		t.Fatal(err)
	}
	out := sentryapitest.Event{Release: testRelease, Environment: "production", Platform: ev.Platform, Message: ev.Message, Tags: map[string]string{}}
	if ev.Message == "" {
		out.Message = ev.Title
	}
	for _, tag := range ev.Tags {
		switch tag.Key {
		case "release", "environment", "level", "user":
		default:
			out.Tags[tag.Key] = tag.Value
		}
	}
	if u := ev.User; u != nil {
		out.User = &sentryapitest.User{ID: u.ID, Email: u.Email, Username: u.Username, Name: u.Name}
	}
	excs, err := ev.Exceptions()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range excs {
		te := sentryapitest.Exception{Type: e.Type, Value: e.Value, Module: e.Module}
		if e.Stacktrace != nil {
			for _, fr := range e.Stacktrace.Frames {
				te.Frames = append(te.Frames, sentryapitest.Frame{Function: fr.Function, Module: fr.Module, Package: fr.Package,
					Filename: fr.Filename, AbsPath: fr.AbsPath, Lineno: fr.LineNo, Colno: fr.ColNo, InApp: fr.InApp})
			}
		}
		out.Exceptions = append(out.Exceptions, te)
	}
	return out
}

// TestReadmeTriageComment: README.md shows the Cloud comment golden, so the README shows what
// the bot really writes.
func TestReadmeTriageComment(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(filepath.Join("testdata", "golden", "triage-comment-cloud.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, append(append([]byte("````markdown\n"), golden...), []byte("````")...)) {
		t.Error("README.md does not show bot/testdata/golden/triage-comment-cloud.md in a ````markdown block; copy it there")
	}
}
