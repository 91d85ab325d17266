package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/testenv"
)

// corpusCase is a case's case.json: the expectation, written by hand before the rules ran.
type corpusCase struct {
	Want   string   `json:"want"` // "suggest" or "abstain"
	Family string   `json:"family"`
	Line   int      `json:"line"`
	Start  int      `json:"start"`
	End    int      `json:"end"`
	With   []string `json:"with"`
	// Because is text the abstention's reason must contain.
	Because string `json:"because"`
	Why     string `json:"why"`
	Blame   *struct {
		Number      int    `json:"number"`
		Title       string `json:"title"`
		LineChanged bool   `json:"lineChanged"`
	} `json:"blame"`
	// Root is the service's folder, as the App finds it from the project's sentry.properties.
	Root string `json:"root"`
}

// corpusTally counts the corpus's outcomes for the coverage figure.
type corpusTally struct {
	mu                                     sync.Mutex
	suggestible, suggested, abstain, wrong int
	byFamily                               map[string][2]int // suggested, suggestible
}

// TestSuggestCorpus runs every case of testdata/suggest-corpus through SuggestFor — the path
// the App and `releasegate suggest` take — and fails on any wrong suggestion: a suggestion
// where the case says abstain, or one whose change differs from the hand-written fix. A
// missed suggestion (an abstention where a fix was expected) is counted against coverage,
// not failed: no suggestion beats a wrong one. -update rewrites result.golden.json.
//
//nolint:tparallel // the "cases" group must end before the tally is read; its cases run in parallel
func TestSuggestCorpus(t *testing.T) {
	t.Parallel()
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "suggest-corpus")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	tally := &corpusTally{byFamily: map[string][2]int{}}
	n := 0
	t.Run("cases", func(t *testing.T) {
		for _, d := range dirs {
			if !d.IsDir() {
				continue
			}
			n++
			dir := filepath.Join(root, d.Name())
			t.Run(d.Name(), func(t *testing.T) {
				t.Parallel()
				runCorpusCase(t, dir, tally)
			})
		}
	})
	if n == 0 {
		t.Fatal("the corpus is empty")
	}
	t.Logf("corpus: %d cases; %d where a fix is right, %d suggested (coverage %.0f%%); %d abstentions expected; %d wrong",
		n, tally.suggestible, tally.suggested, 100*float64(tally.suggested)/float64(max(1, tally.suggestible)), tally.abstain, tally.wrong)
	fams := make([]string, 0, len(tally.byFamily))
	for f := range tally.byFamily {
		fams = append(fams, f)
	}
	sort.Strings(fams)
	for _, f := range fams {
		c := tally.byFamily[f]
		t.Logf("  %-28s %d/%d", f, c[0], c[1])
	}
}

func runCorpusCase(t *testing.T, dir string, tally *corpusTally) {
	t.Helper()
	var want corpusCase
	b, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("case.json: %v", err)
	}
	if want.Why == "" {
		t.Error("case.json: why is empty: say in a sentence why this is the right answer")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "event.json"))
	if err != nil {
		t.Fatal(err)
	}
	ev, err := sentryapi.DecodeEvent(raw)
	if err != nil {
		t.Fatalf("event.json: %v", err)
	}
	repo := filepath.Join(dir, "repo")
	paths := corpusPaths(t, repo)
	read := func(_ context.Context, p string) ([]byte, error) {
		return os.ReadFile(filepath.Join(repo, filepath.FromSlash(p)))
	}
	o := SuggestOptions{Root: want.Root}
	if want.Blame != nil {
		bl := &suggest.Blame{Number: want.Blame.Number, Title: want.Blame.Title, LineChanged: want.Blame.LineChanged}
		o.Blame = func(string, int) *suggest.Blame { return bl }
	}
	got, err := SuggestFor(t.Context(), ev, paths, read, o)
	if err != nil {
		t.Fatal(err)
	}

	tally.mu.Lock()
	defer tally.mu.Unlock()
	switch want.Want {
	case "suggest":
		tally.suggestible++
		fc := tally.byFamily[want.Family]
		fc[1]++
		if got.Suggested {
			if msg := wrongFix(want, got); msg != "" {
				tally.wrong++
				t.Errorf("WRONG SUGGESTION: %s\n%s", msg, got.Diff)
			} else {
				tally.suggested++
				fc[0]++
			}
		} else {
			t.Logf("missed (counted against coverage): %s", got.AbstainReason)
		}
		tally.byFamily[want.Family] = fc
	case "abstain":
		tally.abstain++
		if got.Suggested {
			tally.wrong++
			t.Errorf("WRONG SUGGESTION: the case says abstain (%s), got %s at line %d:\n%s", want.Why, got.Family, got.Line, got.Diff)
		} else if !strings.Contains(got.AbstainReason, want.Because) || want.Because == "" {
			t.Errorf("abstained for another reason:\n got: %s\nwant: …%s…", got.AbstainReason, want.Because)
		}
	default:
		t.Fatalf("case.json: want is %q, not suggest or abstain", want.Want)
	}

	out, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	testenv.AssertGolden(t, filepath.Join(dir, "result.golden.json"), append(out, '\n'), *update)
}

// wrongFix says how a suggestion differs from the case's fix ("" when it is the fix).
func wrongFix(want corpusCase, got suggest.Result) string {
	var diffs []string
	if got.Family != want.Family {
		diffs = append(diffs, fmt.Sprintf("family %s, want %s", got.Family, want.Family))
	}
	if got.Line != want.Line {
		diffs = append(diffs, fmt.Sprintf("line %d, want %d", got.Line, want.Line))
	}
	if got.Change == nil {
		return "a suggestion without its change"
	}
	if got.Change.Start != want.Start || got.Change.End != want.End {
		diffs = append(diffs, fmt.Sprintf("replaces lines %d..%d, want %d..%d", got.Change.Start, got.Change.End, want.Start, want.End))
	}
	if strings.Join(got.Change.New, "\n") != strings.Join(want.With, "\n") {
		diffs = append(diffs, fmt.Sprintf("with %q, want %q", got.Change.New, want.With))
	}
	return strings.Join(diffs, "; ")
}

// corpusPaths lists a case's repository, every file (node_modules and vendor included: the
// rules must refuse them, not the listing).
func corpusPaths(t *testing.T, repo string) []string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(repo, p)
		paths = append(paths, filepath.ToSlash(rel))
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return paths
}

// TestSuggestFamiliesDocumented: docs/bot.md names every family the rules fix, every family in
// the corpus is one of them, and every corpus case the docs cite exists.
func TestSuggestFamiliesDocumented(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "bot.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range suggest.Families {
		if !strings.Contains(string(doc), "| `"+f+"` |") {
			t.Errorf("docs/bot.md's table of families lacks %s", f)
		}
	}
	goldens, err := filepath.Glob(filepath.Join(root, "testdata", "suggest-corpus", "*", "result.golden.json"))
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no corpus results (%v)", err)
	}
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		var r suggest.Result
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatalf("%s: %v", g, err)
		}
		if r.Suggested && !slices.Contains(suggest.Families, r.Family) {
			t.Errorf("%s: family %s is not in suggest.Families", g, r.Family)
		}
	}
	cited := regexp.MustCompile("testdata/suggest-corpus/([a-z0-9-]+)").FindAllStringSubmatch(string(doc), -1)
	if len(cited) < 10 {
		t.Fatalf("docs/bot.md cites %d corpus cases, want the families' examples", len(cited))
	}
	for _, m := range cited {
		if _, err := os.Stat(filepath.Join(root, "testdata", "suggest-corpus", m[1], "case.json")); err != nil {
			t.Errorf("docs/bot.md cites %s, which is not a corpus case", m[1])
		}
	}
}

// BenchmarkSuggestCorpus: SuggestFor over the corpus's cases as the App runs it, grouped by
// the case's prefix (js, ts, py, java, kt, go, ho: held out, sdk); ns/op is one pass over the
// group's cases. Python's parse check starts python3 twice per suggestion (the original and
// the patched file), which dominates its group.
func BenchmarkSuggestCorpus(b *testing.B) {
	root := filepath.Join(testenv.RepoRoot(b), "testdata", "suggest-corpus")
	dirs, err := os.ReadDir(root)
	if err != nil {
		b.Fatal(err)
	}
	type benchCase struct {
		ev    *sentryapi.Event
		paths []string
		read  ReadSource
		root  string
	}
	groups := map[string][]benchCase{}
	var names []string
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		dir := filepath.Join(root, d.Name())
		raw, err := os.ReadFile(filepath.Join(dir, "event.json"))
		if err != nil {
			b.Fatal(err)
		}
		ev, err := sentryapi.DecodeEvent(raw)
		if err != nil {
			b.Fatal(err)
		}
		var c corpusCase
		if data, err := os.ReadFile(filepath.Join(dir, "case.json")); err == nil {
			_ = json.Unmarshal(data, &c)
		}
		repo := filepath.Join(dir, "repo")
		var paths []string
		_ = filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(repo, p)
				paths = append(paths, filepath.ToSlash(rel))
			}
			return nil
		})
		group, _, _ := strings.Cut(d.Name(), "-")
		if _, ok := groups[group]; !ok {
			names = append(names, group)
		}
		groups[group] = append(groups[group], benchCase{ev: ev, paths: paths, root: c.Root, read: func(_ context.Context, p string) ([]byte, error) {
			return os.ReadFile(filepath.Join(repo, filepath.FromSlash(p)))
		}})
	}
	sort.Strings(names)
	for _, g := range names {
		cases := groups[g]
		b.Run(fmt.Sprintf("%s-%dcases", g, len(cases)), func(b *testing.B) {
			for b.Loop() {
				for _, c := range cases {
					if _, err := SuggestFor(b.Context(), c.ev, c.paths, c.read, SuggestOptions{Root: c.root}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
