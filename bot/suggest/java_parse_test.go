package suggest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

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

// TestJavaCorpusParses parses every Java file the corpus's suggestions patch (each java-*
// case's golden diff applied to its repo/ file) with a real Java parser (java-parser 3.0.1,
// prettier-java's), beyond the bracket check Suggest runs; bot's TestSuggestCorpus keeps the
// goldens equal to what the rules suggest.
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
	root := filepath.Join(testenv.RepoRoot(t), "testdata", "suggest-corpus")
	golden, err := filepath.Glob(filepath.Join(root, "java-*", "result.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range golden {
		var res Result
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatalf("%s: %v", g, err)
		}
		if !res.Suggested {
			continue
		}
		name := filepath.Base(filepath.Dir(g))
		src, err := os.ReadFile(filepath.Join(filepath.Dir(g), "repo", filepath.FromSlash(res.File)))
		if err != nil {
			t.Fatal(err)
		}
		patched, _, err := ApplyDiff(res.Diff, src)
		if err != nil {
			t.Fatalf("%s: the golden diff does not apply to repo/%s: %v", name, res.File, err)
		}
		p := filepath.Join(dir, name+".java")
		if err := os.WriteFile(p, patched, 0o600); err != nil {
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
