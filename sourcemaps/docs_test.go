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

// TestEveryFindingCodeIsDocumented keeps docs/validate.md in step with the code: every Code*
// constant of the package must have a row in its table, and every row must be a real code.
func TestEveryFindingCodeIsDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "validate.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, line := range strings.Split(string(doc), "\n") {
		if rest, ok := strings.CutPrefix(line, "| `"); ok {
			if code, _, ok := strings.Cut(rest, "`"); ok {
				documented[code] = true
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
			t.Errorf("finding code %q is not documented in docs/validate.md", c)
		}
	}
	for c := range documented {
		if !codes[c] {
			t.Errorf("docs/validate.md documents %q, which the code does not have", c)
		}
	}
}
