package suggest

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/bot/triage"
	"github.com/releasegate/releasegate/internal/testenv"
)

// The Python and Java cases of the fix-suggestion corpus, read here until bot's corpus
// harness (TestSuggestCorpus) runs them through the whole pipeline: the event decoded, its
// frame found in the repository with bot/triage's Locate, the rules run and checked.

type corpusExpectation struct {
	Want    string   `json:"want"`
	Family  string   `json:"family"`
	Line    int      `json:"line"`
	Start   int      `json:"start"`
	End     int      `json:"end"`
	With    []string `json:"with"`
	Because string   `json:"because"`
	Why     string   `json:"why"`
	Blame   *struct {
		Number      int    `json:"number"`
		Title       string `json:"title"`
		LineChanged bool   `json:"lineChanged"`
	} `json:"blame"`
}

// corpusFrame holds a frame in either of Sentry's formats (the Web API's camelCase with
// `context` pairs, the SDK's snake_case with pre/post context).
type corpusFrame struct {
	Filename    string            `json:"filename"`
	AbsPath     string            `json:"absPath"`
	AbsPathSDK  string            `json:"abs_path"`
	Module      string            `json:"module"`
	Function    string            `json:"function"`
	LineNo      int               `json:"lineNo"`
	LineNoSDK   int               `json:"lineno"`
	InApp       bool              `json:"inApp"`
	InAppSDK    bool              `json:"in_app"`
	Context     []json.RawMessage `json:"context"`
	PreContext  []string          `json:"pre_context"`
	ContextLine *string           `json:"context_line"`
	PostContext []string          `json:"post_context"`
}

type corpusException struct {
	Type       string `json:"type"`
	Value      string `json:"value"`
	Stacktrace struct {
		Frames []corpusFrame `json:"frames"`
	} `json:"stacktrace"`
}

type corpusEvent struct {
	Entries []struct {
		Type string `json:"type"`
		Data struct {
			Values []corpusException `json:"values"`
		} `json:"data"`
	} `json:"entries"`
	Exception struct {
		Values []corpusException `json:"values"`
	} `json:"exception"`
}

type pyJavaCase struct {
	name string
	in   Input
	want corpusExpectation
}

// loadPyJavaCorpus reads the py-* and java-* cases. The frame is the one the error was raised
// in: the newest in-app frame, found in the case's repository, of the first exception Sentry
// lists (the root cause of a chain).
func loadPyJavaCorpus(t *testing.T) []pyJavaCase {
	t.Helper()
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "suggest-corpus")
	dirs, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []pyJavaCase
	for _, d := range dirs {
		if !d.IsDir() || !(strings.HasPrefix(d.Name(), "py-") || strings.HasPrefix(d.Name(), "java-")) {
			continue
		}
		dir := filepath.Join(root, d.Name())
		var want corpusExpectation
		var ev corpusEvent
		readJSON(t, filepath.Join(dir, "case.json"), &want)
		readJSON(t, filepath.Join(dir, "event.json"), &ev)
		excs := ev.Exception.Values
		for _, e := range ev.Entries {
			if e.Type == "exception" {
				excs = e.Data.Values
			}
		}
		var paths []string
		repo := filepath.Join(dir, "repo")
		err := filepath.WalkDir(repo, func(p string, de fs.DirEntry, err error) error {
			if err == nil && !de.IsDir() {
				rel, _ := filepath.Rel(repo, p)
				paths = append(paths, filepath.ToSlash(rel))
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		files := triage.NewFiles(paths)
		c := pyJavaCase{name: d.Name(), want: want}
		found := false
		for _, e := range excs {
			frames := e.Stacktrace.Frames
			for j := len(frames) - 1; j >= 0 && !found; j-- {
				f := frames[j]
				fr := triage.Frame{Filename: f.Filename, AbsPath: f.AbsPath + f.AbsPathSDK, Module: f.Module, Function: f.Function,
					LineNo: f.LineNo + f.LineNoSDK, InApp: f.InApp || f.InAppSDK}
				if !fr.InApp {
					continue
				}
				loc, ok := files.Locate(fr, "")
				if !ok {
					continue
				}
				src, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(loc.Path)))
				if err != nil {
					t.Fatal(err)
				}
				c.in = Input{
					Exception: Exception{Type: e.Type, Value: e.Value},
					Frame:     Frame{Path: loc.Path, Line: loc.Line, Function: f.Function, Module: f.Module, Context: corpusContext(t, f, loc.Line)},
					Source:    src,
				}
				if want.Blame != nil {
					c.in.Blame = &Blame{Number: want.Blame.Number, Title: want.Blame.Title, LineChanged: want.Blame.LineChanged}
				}
				found = true
			}
			if found {
				break
			}
		}
		if !found {
			t.Fatalf("%s: no in-app frame of the event is a file of repo/", d.Name())
		}
		out = append(out, c)
	}
	return out
}

func readJSON(t *testing.T, p string, v any) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
}

func corpusContext(t *testing.T, f corpusFrame, line int) []ContextLine {
	t.Helper()
	var out []ContextLine
	for _, raw := range f.Context {
		var pair []any
		if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
			t.Fatalf("a context line is not [line, text]: %s", raw)
		}
		n, _ := pair[0].(float64)
		s, _ := pair[1].(string)
		out = append(out, ContextLine{Line: int(n), Text: s})
	}
	if f.ContextLine != nil {
		for i, s := range f.PreContext {
			out = append(out, ContextLine{Line: line - len(f.PreContext) + i, Text: s})
		}
		out = append(out, ContextLine{Line: line, Text: *f.ContextLine})
		for i, s := range f.PostContext {
			out = append(out, ContextLine{Line: line + 1 + i, Text: s})
		}
	}
	return out
}

// TestPyJavaCorpus: every Python and Java case gets exactly the fix its case.json names, or
// abstains for the reason it names.
func TestPyJavaCorpus(t *testing.T) {
	t.Parallel()
	cases := loadPyJavaCorpus(t)
	o := Options{Checkers: map[Language]Checker{Python: pyCompile(t)}}
	suggested, abstained := 0, 0
	for _, c := range cases {
		res := Suggest(c.in, o)
		switch {
		case c.want.Want == "suggest" && !res.Suggested:
			t.Errorf("%s: abstained (%s), want a fix", c.name, res.AbstainReason)
		case c.want.Want == "suggest":
			suggested++
			got := res.Change
			if res.Family != c.want.Family || res.Line != c.want.Line || got.Start != c.want.Start || got.End != c.want.End ||
				strings.Join(got.New, "\n") != strings.Join(c.want.With, "\n") {
				t.Errorf("%s: got %s at %d, lines %d..%d =\n%s\nwant %s at %d, lines %d..%d =\n%s", c.name, res.Family, res.Line, got.Start, got.End,
					strings.Join(got.New, "\n"), c.want.Family, c.want.Line, c.want.Start, c.want.End, strings.Join(c.want.With, "\n"))
			}
			t.Logf("%s: %s\n%s", c.name, res.Explanation, res.Diff)
		case res.Suggested:
			t.Errorf("%s: suggested, want an abstention (%s):\n%s", c.name, c.want.Because, res.Diff)
		case !strings.Contains(res.AbstainReason, c.want.Because):
			t.Errorf("%s: abstained with %q, want it to contain %q", c.name, res.AbstainReason, c.want.Because)
		default:
			abstained++
			t.Logf("%s: abstains: %s", c.name, res.AbstainReason)
		}
	}
	if len(cases) < 24 || abstained < 9 {
		t.Errorf("the corpus holds %d Python and Java cases (%d suggest, %d abstain); it should hold at least 24, 9 of them abstentions", len(cases), suggested, abstained)
	}
}

// javaParseScript parses each file named after the node_modules folder with java-parser and
// prints the first error of each that does not parse.
const javaParseScript = `import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [nm, ...files] = process.argv.slice(2);
const { parse } = await import(pathToFileURL(nm + "/java-parser/src/index.js").href);
let bad = 0;
for (const f of files) {
  try { parse(readFileSync(f, "utf8")); } catch (e) { bad++; console.log(f + ": " + String(e.message).split("\n")[0]); }
}
process.exit(bad ? 1 : 0);
`

// TestJavaCorpusParses parses every Java file the corpus's suggestions patch with a real Java
// parser (java-parser 3.0.1, prettier-java's), beyond the bracket check Suggest runs.
func TestJavaCorpusParses(t *testing.T) {
	t.Parallel()
	nm := testenv.NodeModules(t, "java-parser")
	node := testenv.Node(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "parse.mjs")
	if err := os.WriteFile(script, []byte(javaParseScript), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{script, nm}
	for _, c := range loadPyJavaCorpus(t) {
		if c.in.Frame.Path == "" || LanguageOf(c.in.Frame.Path) != Java {
			continue
		}
		res := Suggest(c.in, Options{})
		if !res.Suggested {
			continue
		}
		p := filepath.Join(dir, c.name+".java")
		if err := os.WriteFile(p, res.Patched, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	if len(args) < 3 {
		t.Fatal("no Java case of the corpus is suggested; nothing to parse")
	}
	out, err := exec.Command(node, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("java-parser rejects patched files: %v\n%s", err, out)
	}
	t.Logf("java-parser parsed %d patched files", len(args)-2)
}
