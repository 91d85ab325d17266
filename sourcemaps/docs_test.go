package sourcemaps

import (
	"go/ast"
	goparser "go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestEveryFindingCodeIsDocumented keeps the docs in step with the code: every Code* constant
// of the package must have a row in the code table of docs/validate.md or docs/inject.md (the
// codes only inject reports), and every row must be a real code.
func TestEveryFindingCodeIsDocumented(t *testing.T) {
	t.Parallel()
	documented := map[string]bool{}
	for _, name := range []string{"validate.md", "inject.md"} {
		doc, err := os.ReadFile(filepath.Join("..", "docs", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(doc), "\n") {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "| `"); ok {
				if code, _, ok := strings.Cut(rest, "`"); ok && code != "" && !strings.Contains(code, " ") {
					documented[code] = true
				}
			}
		}
	}
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := goparser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok || len(vs.Names) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Code") || len(vs.Values) != 1 {
				return true
			}
			if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				v, _ := strconv.Unquote(lit.Value)
				codes[v] = true
			}
			return true
		})
	}
	if len(codes) < 40 {
		t.Fatalf("found only %d codes; has the naming changed?", len(codes))
	}
	for c := range codes {
		if !documented[c] {
			t.Errorf("finding code %q is not documented in docs/validate.md or docs/inject.md", c)
		}
	}
	for c := range documented {
		if !codes[c] {
			t.Errorf("the docs document a code %q, which the code does not have", c)
		}
	}
}
