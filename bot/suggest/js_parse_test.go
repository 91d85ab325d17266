package suggest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

// tsParseScript parses each file of a JSON list with TypeScript's own parser, as the kind its
// extension says, and prints the parse diagnostics of each.
const tsParseScript = `
const ts = require("typescript");
const fs = require("fs");
const files = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const kinds = { ".js": ts.ScriptKind.JS, ".mjs": ts.ScriptKind.JS, ".cjs": ts.ScriptKind.JS, ".jsx": ts.ScriptKind.JSX,
  ".ts": ts.ScriptKind.TS, ".mts": ts.ScriptKind.TS, ".cts": ts.ScriptKind.TS, ".tsx": ts.ScriptKind.TSX };
const out = { version: ts.version, results: [] };
for (const f of files) {
  const ext = f.path.slice(f.path.lastIndexOf("."));
  const sf = ts.createSourceFile(f.path, f.text, ts.ScriptTarget.Latest, true, kinds[ext]);
  out.results.push({
    name: f.name,
    diagnostics: sf.parseDiagnostics.map((d) => {
      const { line, character } = sf.getLineAndCharacterOfPosition(d.start);
      return (line + 1) + ":" + (character + 1) + ": " + ts.flattenDiagnosticMessageText(d.messageText, "\n");
    }),
  });
}
console.log(JSON.stringify(out));
`

type tsParseFile struct {
	Name string `json:"name"`
	Path string `json:"path"`
	Text string `json:"text"`
}

// tsParse parses files with the typescript npm package and returns each one's diagnostics.
func tsParse(t *testing.T, files []tsParseFile) map[string][]string {
	t.Helper()
	node := testenv.Node(t)
	nm := testenv.NodeModules(t, "typescript")
	dir := t.TempDir()
	script := filepath.Join(dir, "parse.js")
	input := filepath.Join(dir, "files.json")
	raw, err := json.Marshal(files)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(tsParseScript), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script, input)
	cmd.Env = append(os.Environ(), "NODE_PATH="+nm)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v", script, err)
	}
	var res struct {
		Version string `json:"version"`
		Results []struct {
			Name        string   `json:"name"`
			Diagnostics []string `json:"diagnostics"`
		} `json:"results"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("the parse script's output: %v: %s", err, out)
	}
	if res.Version != "5.9.3" {
		t.Fatalf("typescript %s is installed; the peers pin 5.9.3 (run bash .ci/install-peers)", res.Version)
	}
	got := map[string][]string{}
	for _, r := range res.Results {
		got[r.Name] = r.Diagnostics
	}
	return got
}

// TestJSCorpusPatchedFilesParse: every file the rules change in the corpus still parses with
// TypeScript 5.9.3's parser (the engine's own check is esbuild's; this is a second parser), as
// does the file each case.json expects. A file with a syntax error is parsed too, so that a
// parser that accepts everything fails the test.
func TestJSCorpusPatchedFilesParse(t *testing.T) {
	t.Parallel()
	var files []tsParseFile
	for _, c := range jsCorpus(t) {
		if !c.Found || c.Want.Want != "suggest" {
			continue
		}
		r := Suggest(c.Input, Options{})
		if !r.Suggested {
			t.Errorf("%s: abstained (%s); TestJSCorpus says why", c.Name, r.AbstainReason)
			continue
		}
		files = append(files,
			tsParseFile{Name: c.Name, Path: c.Input.Frame.Path, Text: string(r.Patched)},
			tsParseFile{Name: c.Name + " (case.json)", Path: c.Input.Frame.Path, Text: string(c.patched())})
	}
	if len(files) < 24 {
		t.Fatalf("only %d patched files to parse; the corpus has fewer suggestions than it should", len(files))
	}
	files = append(files, tsParseFile{Name: "control", Path: "broken.ts", Text: "const a = cart?.(.total;\n"})
	got := tsParse(t, files)
	if len(got["control"]) == 0 {
		t.Fatal("TypeScript found no error in a broken file: the parse check checks nothing")
	}
	for _, f := range files[:len(files)-1] {
		if d, ok := got[f.Name]; !ok {
			t.Errorf("%s: not parsed", f.Name)
		} else if len(d) > 0 {
			t.Errorf("%s: %s does not parse after the change: %s", f.Name, f.Path, strings.Join(d, "; "))
		}
	}
}
