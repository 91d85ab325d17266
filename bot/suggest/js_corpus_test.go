package suggest

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The JavaScript/TypeScript cases of testdata/suggest-corpus, read the simple way: the event's
// top in-app frame, its file found in repo/ by the longest path suffix. The bot's corpus test
// (bot/suggest_corpus_test.go) runs them through the real pipeline; this one runs the rules
// alone, so that bot/suggest's tests show each case's expectation holds.

type jsCorpusCase struct {
	Name  string
	Dir   string
	Input Input
	Found bool // the frame is a file of repo/ and the event has an exception
	Want  struct {
		Want    string   `json:"want"`
		Family  string   `json:"family"`
		Line    int      `json:"line"`
		Start   int      `json:"start"`
		End     int      `json:"end"`
		With    []string `json:"with"`
		Because string   `json:"because"`
		Blame   *struct {
			Number      int    `json:"number"`
			Title       string `json:"title"`
			LineChanged bool   `json:"lineChanged"`
		} `json:"blame"`
	}
}

type jsCorpusFrame struct {
	Filename    string   `json:"filename"`
	AbsPath     string   `json:"absPath"`
	AbsPathSDK  string   `json:"abs_path"`
	Function    string   `json:"function"`
	LineNo      int      `json:"lineNo"`
	LineNoSDK   int      `json:"lineno"`
	ColNo       int      `json:"colNo"`
	ColNoSDK    int      `json:"colno"`
	InApp       bool     `json:"inApp"`
	InAppSDK    bool     `json:"in_app"`
	Context     [][]any  `json:"context"`
	PreContext  []string `json:"pre_context"`
	ContextLine *string  `json:"context_line"`
	PostContext []string `json:"post_context"`
}

type jsCorpusException struct {
	Type       string `json:"type"`
	Value      string `json:"value"`
	Stacktrace *struct {
		Frames []jsCorpusFrame `json:"frames"`
	} `json:"stacktrace"`
}

func jsCorpus(t *testing.T) []jsCorpusCase {
	t.Helper()
	root := filepath.Join("..", "..", "testdata", "suggest-corpus")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []jsCorpusCase
	for _, e := range entries {
		if !e.IsDir() || !(strings.HasPrefix(e.Name(), "js-") || strings.HasPrefix(e.Name(), "ts-")) {
			continue
		}
		out = append(out, readJSCorpusCase(t, filepath.Join(root, e.Name())))
	}
	if len(out) == 0 {
		t.Fatal("no js-/ts- cases in testdata/suggest-corpus")
	}
	return out
}

func readJSCorpusCase(t *testing.T, dir string) jsCorpusCase {
	t.Helper()
	c := jsCorpusCase{Name: filepath.Base(dir), Dir: dir}
	raw, err := os.ReadFile(filepath.Join(dir, "case.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &c.Want); err != nil {
		t.Fatalf("%s/case.json: %v", c.Name, err)
	}
	raw, err = os.ReadFile(filepath.Join(dir, "event.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Entries []struct {
			Type string `json:"type"`
			Data struct {
				Values []jsCorpusException `json:"values"`
			} `json:"data"`
		} `json:"entries"`
		Exception *struct {
			Values []jsCorpusException `json:"values"`
		} `json:"exception"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("%s/event.json: %v", c.Name, err)
	}
	var exc []jsCorpusException
	for _, en := range ev.Entries {
		if en.Type == "exception" {
			exc = en.Data.Values
		}
	}
	if ev.Exception != nil {
		exc = ev.Exception.Values
	}
	if len(exc) == 0 || exc[len(exc)-1].Stacktrace == nil {
		return c
	}
	last := exc[len(exc)-1]
	var top *jsCorpusFrame
	for i := range last.Stacktrace.Frames {
		if f := &last.Stacktrace.Frames[i]; f.InApp || f.InAppSDK {
			top = f
		}
	}
	if top == nil {
		return c
	}
	var files []string
	repo := filepath.Join(dir, "repo")
	_ = filepath.WalkDir(repo, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(repo, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(files)
	abs := top.AbsPath + top.AbsPathSDK
	var file string
	for _, f := range files {
		if strings.HasSuffix(abs, "/"+f) && len(f) > len(file) {
			file = f
		}
	}
	if file == "" {
		return c
	}
	src, err := os.ReadFile(filepath.Join(repo, file))
	if err != nil {
		t.Fatal(err)
	}
	fr := Frame{Path: file, Line: top.LineNo + top.LineNoSDK, Column: top.ColNo + top.ColNoSDK, Function: top.Function}
	for _, cl := range top.Context {
		n, _ := cl[0].(float64)
		s, _ := cl[1].(string)
		fr.Context = append(fr.Context, ContextLine{Line: int(n), Text: s})
	}
	if top.ContextLine != nil {
		for i, s := range top.PreContext {
			fr.Context = append(fr.Context, ContextLine{Line: fr.Line - len(top.PreContext) + i, Text: s})
		}
		fr.Context = append(fr.Context, ContextLine{Line: fr.Line, Text: *top.ContextLine})
		for i, s := range top.PostContext {
			fr.Context = append(fr.Context, ContextLine{Line: fr.Line + 1 + i, Text: s})
		}
	}
	c.Input = Input{Exception: Exception{Type: last.Type, Value: last.Value}, Frame: fr, Source: src}
	if b := c.Want.Blame; b != nil {
		c.Input.Blame = &Blame{Number: b.Number, Title: b.Title, LineChanged: b.LineChanged}
	}
	c.Found = true
	return c
}

// patched is the file as the case wants it after the fix.
func (c jsCorpusCase) patched() []byte {
	lines := strings.SplitAfter(string(c.Input.Source), "\n")
	var b strings.Builder
	for _, l := range lines[:c.Want.Start-1] {
		b.WriteString(l)
	}
	for _, l := range c.Want.With {
		b.WriteString(l + "\n")
	}
	for _, l := range lines[c.Want.End:] {
		b.WriteString(l)
	}
	return []byte(b.String())
}

// TestJSCorpus runs every js-/ts- case of the corpus through Suggest and holds it to its
// case.json. Cases the bot decides before the rules run (no stack trace, a frame outside the
// repository) are the bot's corpus test's.
func TestJSCorpus(t *testing.T) {
	t.Parallel()
	suggested, abstained := 0, 0
	for _, c := range jsCorpus(t) {
		if !c.Found {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			r := Suggest(c.Input, Options{})
			switch c.Want.Want {
			case "suggest":
				if !r.Suggested {
					t.Fatalf("abstained: %s", r.AbstainReason)
				}
				if r.Family != c.Want.Family || r.Line != c.Want.Line || r.Change.Start != c.Want.Start || r.Change.End != c.Want.End ||
					strings.Join(r.Change.New, "\n") != strings.Join(c.Want.With, "\n") {
					t.Fatalf("got %s at line %d, lines %d..%d → %q; want %s at %d, %d..%d → %q",
						r.Family, r.Line, r.Change.Start, r.Change.End, r.Change.New, c.Want.Family, c.Want.Line, c.Want.Start, c.Want.End, c.Want.With)
				}
				if !strings.Contains(r.Explanation, c.Input.Frame.Path) || !strings.Contains(r.Explanation, "`") {
					t.Errorf("the explanation does not name the file and the expression: %s", r.Explanation)
				}
			case "abstain":
				if r.Suggested {
					t.Fatalf("suggested %q; want an abstention because %q", r.Change.New, c.Want.Because)
				}
				if !strings.Contains(r.AbstainReason, c.Want.Because) {
					t.Fatalf("abstained with %q; want it to say %q", r.AbstainReason, c.Want.Because)
				}
			default:
				t.Fatalf("case.json wants %q", c.Want.Want)
			}
		})
		if c.Want.Want == "suggest" {
			suggested++
		} else {
			abstained++
		}
	}
	if suggested < 12 || abstained < 9 {
		t.Errorf("the corpus has %d suggestions and %d abstentions the rules decide; want at least 12 and 9", suggested, abstained)
	}
}
