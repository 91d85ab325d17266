package issueowners

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/ownership"
)

// sentryWithIssue is a local Sentry holding one issue of project web, raised in
// src/api/users.ts, and a client for it.
func sentryWithIssue(t *testing.T) (*sentryapi.Client, gate.Issue) {
	t.Helper()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web", "billing"}})
	res, err := srv.Ingest("web", sentryapitest.Event{Platform: "javascript", Exceptions: []sentryapitest.Exception{{
		Type: "TypeError", Value: "x is undefined",
		Frames: []sentryapitest.Frame{{Function: "handler", Filename: "src/api/users.ts", AbsPath: "webpack://web/./src/api/users.ts", InApp: true}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: srv.Token(), HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return c, gate.Issue{ID: res.IssueID, ShortID: res.ShortID, Project: "web"}
}

func rules(t *testing.T, src string) []ownership.Rule {
	t.Helper()
	r, err := ownership.Parse([]byte(src), "rules")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestLookupOwners: an issue's owners come from the rules of its project; a broken
// sentry.properties that could have named them is noted, one that could not is not.
func TestLookupOwners(t *testing.T) {
	t.Parallel()
	client, issue := sentryWithIssue(t)
	web := rules(t, "path:src/api/* #backend\npath:src/ui/* #frontend\n")
	tests := []struct {
		name   string
		rules  Rules
		owners []string
		notes  []string
	}{
		{name: "the project's rules", rules: Rules{ByProject: map[string][]ownership.Rule{"web": web}}, owners: []string{"#backend"}},
		{name: "no rules anywhere", rules: Rules{}},
		{name: "a broken file naming the project", rules: Rules{Broken: map[string][]string{"web": {"web is broken"}}}, notes: []string{"web is broken"}},
		{name: "a broken file naming no known project", rules: Rules{Broken: map[string][]string{"": {"a file is broken"}}}, notes: []string{"a file is broken"}},
		{
			name:   "another project's broken file",
			rules:  Rules{ByProject: map[string][]ownership.Rule{"web": web}, Broken: map[string][]string{"billing": {"billing is broken"}}},
			owners: []string{"#backend"},
		},
		{
			name:   "rules, and a broken file of unknown project",
			rules:  Rules{ByProject: map[string][]ownership.Rule{"web": web}, Broken: map[string][]string{"": {"a file is broken"}}},
			owners: []string{"#backend"},
		},
		{
			name:   "rules, and a second file naming the project, broken",
			rules:  Rules{ByProject: map[string][]ownership.Rule{"web": web}, Broken: map[string][]string{"web": {"web's other file is broken"}}},
			owners: []string{"#backend"}, notes: []string{"web's other file is broken"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := &Lookup{Client: client, Org: "acme", Load: func(context.Context) Rules { return tt.rules }}
			owners, err := l.Owners(context.Background(), issue)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(owners, tt.owners) {
				t.Errorf("owners %q, want %q", owners, tt.owners)
			}
			if notes := l.TakeNotes(); !slices.Equal(notes, tt.notes) {
				t.Errorf("notes %q, want %q", notes, tt.notes)
			}
			if notes := l.TakeNotes(); notes != nil {
				t.Errorf("notes %q taken twice", notes)
			}
		})
	}
}

// TestLookupLoadsOnce: the gate asks for many issues' owners at once; the repository is read
// once, and each note kept once.
func TestLookupLoadsOnce(t *testing.T) {
	t.Parallel()
	client, issue := sentryWithIssue(t)
	var loads atomic.Int32
	l := &Lookup{Client: client, Org: "acme", Load: func(context.Context) Rules {
		loads.Add(1)
		return Rules{Broken: map[string][]string{"web": {"web is broken"}}}
	}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := l.Owners(context.Background(), issue); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Errorf("the rules were loaded %d times, want 1", n)
	}
	if notes := l.TakeNotes(); !slices.Equal(notes, []string{"web is broken"}) {
		t.Errorf("notes %q, want the one note once", notes)
	}
}

// TestLatestEvent: the event is read as ownership rules see it; an issue Sentry does not know
// is a FetchError carrying Sentry's answer, for the caller to classify.
func TestLatestEvent(t *testing.T) {
	t.Parallel()
	client, issue := sentryWithIssue(t)
	ev, id, err := LatestEvent(context.Background(), client, "acme", issue.ID, issue.ShortID)
	if err != nil {
		t.Fatal(err)
	}
	if id == "" || len(ev.Frames) != 1 || ev.Frames[0].Filename != "src/api/users.ts" {
		t.Errorf("event %q read as %+v", id, ev)
	}
	_, _, err = LatestEvent(context.Background(), client, "acme", "999999", "WEB-ZZ")
	var fe *FetchError
	if !errors.As(err, &fe) || !errors.Is(err, sentryapi.ErrNotFound) || fe.What != "fetching the latest event of issue WEB-ZZ" {
		t.Errorf("unknown issue: %v (%T), want a FetchError wrapping ErrNotFound", err, err)
	}
}

// TestFromTree: a commit's tree, held in memory, gives each project's rules by the
// defaults.project its file names, as the GitHub App reads them; every file that gives none is
// noted under the project it names, or under "" when it names none.
func TestFromTree(t *testing.T) {
	t.Parallel()
	const (
		web     = "defaults.project = web\nownership.rules = path:src/* #frontend\n"
		billing = "defaults.project = billing\nownership.rule.1 = path:src/* #payments\nownership.rule.2 = path:api/* #api\n"
	)
	tests := []struct {
		name  string
		files fstest.MapFS
		rules map[string]int // rules per project
		notes map[string][]string
	}{
		{name: "no sentry.properties", files: fstest.MapFS{"README.md": {Data: []byte("hello\n")}}},
		{
			name:  "several projects",
			files: fstest.MapFS{"web/sentry.properties": {Data: []byte(web)}, "billing/sentry.properties": {Data: []byte(billing)}, "docs/sentry.properties": {Data: []byte("defaults.project = docs\n")}},
			rules: map[string]int{"web": 1, "billing": 2, "docs": 0}, notes: map[string][]string{},
		},
		{
			name:  "a broken file",
			files: fstest.MapFS{"web/sentry.properties": {Data: []byte(web)}, "billing/sentry.properties": {Data: []byte("defaults.project = billing\nownership.rules = path:src/* #payments\nownership.fallthru = true\n")}},
			rules: map[string]int{"web": 1},
			notes: map[string][]string{"billing": {`no owners from billing/sentry.properties, which has 1 problem (billing/sentry.properties:3: unknown key "ownership.fallthru" (did you mean "ownership.fallthrough"?)); ` +
				"`releasegate ownership check` lists them"}},
		},
		{
			name:  "a rules file missing at the commit",
			files: fstest.MapFS{"web/sentry.properties": {Data: []byte("defaults.project = web\nownership.file = OWNERS\n")}},
			rules: map[string]int{},
			notes: map[string][]string{"web": {"no owners from web/sentry.properties, which has 1 problem (web/sentry.properties:2: ownership.file: open web/OWNERS: file does not exist); " +
				"`releasegate ownership check` lists them"}},
		},
		{
			name:  "a file naming no project",
			files: fstest.MapFS{"web/sentry.properties": {Data: []byte(web)}, "tools/sentry.properties": {Data: []byte("ownership.rules = path:* #tools\n")}},
			rules: map[string]int{"web": 1},
			notes: map[string][]string{"": {"no owners from tools/sentry.properties: it names no single Sentry project; set defaults.project"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tree := ownership.Tree{FS: tt.files}
			for name := range tt.files {
				tree.Files = append(tree.Files, name)
			}
			got := FromTree(tree)
			var rules map[string]int
			if got.ByProject != nil {
				rules = map[string]int{}
				for slug, rs := range got.ByProject {
					rules[slug] = len(rs)
				}
			}
			if !maps.Equal(rules, tt.rules) || (rules == nil) != (tt.rules == nil) {
				t.Errorf("rules per project %v, want %v", rules, tt.rules)
			}
			if !maps.EqualFunc(got.Broken, tt.notes, slices.Equal) || (got.Broken == nil) != (tt.notes == nil) {
				t.Errorf("notes %q, want %q", got.Broken, tt.notes)
			}
		})
	}
}

func TestUnreadable(t *testing.T) {
	t.Parallel()
	if u := Unreadable(errors.New("git ls-files failed")); len(u.ByProject) != 0 || !slices.Equal(u.Broken[""], []string{"no owners from the repository's sentry.properties: git ls-files failed"}) {
		t.Errorf("Unreadable: %+v", u)
	}
}

// TestIssueEvent: an issue given by its numeric ID or its short ID gives the same event; an
// unknown short ID is a FetchError saying it was being looked up.
func TestIssueEvent(t *testing.T) {
	t.Parallel()
	client, issue := sentryWithIssue(t)
	tests := []struct {
		name     string
		issue    string
		wantWhat string // of the FetchError; "" when the event is found
	}{
		{name: "numeric ID", issue: issue.ID},
		{name: "short ID", issue: issue.ShortID},
		{name: "unknown short ID", issue: "WEB-ZZZZ", wantWhat: "looking up issue WEB-ZZZZ"},
		{name: "unknown numeric ID", issue: "999999", wantWhat: "fetching the latest event of issue 999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, id, err := IssueEvent(context.Background(), client, "acme", tt.issue)
			if tt.wantWhat != "" {
				fe, ok := errors.AsType[*FetchError](err)
				if !ok || fe.What != tt.wantWhat {
					t.Fatalf("error %v, want a FetchError %q", err, tt.wantWhat)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if id == "" || len(ev.Frames) != 1 || ev.Frames[0].Filename != "src/api/users.ts" {
				t.Errorf("event %q read as %+v", id, ev)
			}
		})
	}
}

func TestIsNumericID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{name: "digits", in: "4711", want: true},
		{name: "a short ID", in: "WEB-3F", want: false},
		{name: "empty", in: "", want: false},
		{name: "longer than an ID", in: "12345678901", want: false},
		{name: "digits and a letter", in: "12a", want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := IsNumericID(tt.in); got != tt.want {
				t.Errorf("IsNumericID(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}
