// Package sourcemapstest holds the builds the tests of `validate` check, as one table that every
// command's tests share. The sourcemaps package asserts each case's findings; the commands'
// tests run every case that has an error through `inject` and `upload` and assert that nothing
// was written or sent. A case added here is therefore checked by all three at once, and the
// verdict of the three cannot drift apart.
//
// The package imports nothing of sourcemaps (the package's own tests use it, which an import
// would make a cycle), so codes and severities are spelled as the JSON report spells them.
package sourcemapstest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Case is a build on disk and the findings `validate` must report for it, in report order.
type Case struct {
	Name  string
	Files map[string]string
	// Paths are the paths given to the command, relative to the build's folder (nil: the
	// folder itself).
	Paths []string
	Want  []Want
}

// Want is one expected finding. Line and Column are 0 when the finding has none.
type Want struct {
	Code     string
	Severity string // "error" or "warning"
	Line     int
	Column   int
}

// HasError reports whether validate must exit 1 for the case.
func (c Case) HasError() bool {
	for _, w := range c.Want {
		if w.Severity == "error" {
			return true
		}
	}
	return false
}

// Roots are the case's paths under dir, the folder its files were written to.
func (c Case) Roots(dir string) []string {
	if len(c.Paths) == 0 {
		return []string{dir}
	}
	roots := make([]string, len(c.Paths))
	for i, p := range c.Paths {
		roots[i] = filepath.Join(dir, filepath.FromSlash(p))
	}
	return roots
}

// WriteTree writes files into a new temporary folder and returns it.
func WriteTree(t testing.TB, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const (
	js    = "let a=1;\nlet b=2;\n//# sourceMappingURL=app.js.map\n"
	okMap = `{"version":3,"file":"app.js","sources":["a.ts"],"sourcesContent":["let a = 1;\nlet b = 2;\n"],"names":[],"mappings":"AAAA;AACA"}`
	idA   = "11111111-1111-5111-8111-111111111111"
	idB   = "22222222-2222-5222-8222-222222222222"
)

func err(code string, line, col int) Want  { return Want{code, "error", line, col} }
func warn(code string, line, col int) Want { return Want{code, "warning", line, col} }

// ValidateCases returns the table, freshly built (callers may keep or change it).
func ValidateCases() []Case {
	withMap := func(m string) map[string]string { return map[string]string{"app.js": js, "app.js.map": m} }
	cases := []Case{
		{Name: "a correct pair", Files: withMap(okMap)},
		{
			Name:  "generated line past the end of the file",
			Files: withMap(strings.Replace(okMap, `AAAA;AACA`, `AAAA;AACA;;;;AACA`, 1)),
			Want:  []Want{err("mapping-generated-line-out-of-range", 6, 1)},
		},
		{
			Name: "generated column past the end of the line, counted in UTF-16",
			// "é" is 2 bytes but 1 UTF-16 unit; "😀" is 4 bytes and 2 units: the line is 8 units
			// long (13 bytes). Column 8 (0-based) is the end of the line: fine. Column 9 is past it.
			Files: map[string]string{
				"app.js":     "a='é😀';\n//# sourceMappingURL=app.js.map\n",
				"app.js.map": `{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"names":[],"mappings":"AAAA,QAAA,CAAA"}`,
			},
			Want: []Want{err("mapping-generated-column-out-of-range", 1, 10)},
		},
		{
			Name: "a mapping at the very end of a line is fine",
			Files: map[string]string{
				"app.js":     "a='é😀';\n//# sourceMappingURL=app.js.map\n",
				"app.js.map": `{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"names":[],"mappings":"AAAA,QAAA"}`,
			},
		},
		{
			Name:  "original line past the end of the source",
			Files: withMap(strings.Replace(okMap, `AAAA;AACA`, `AAAA;AAIA`, 1)),
			Want:  []Want{err("mapping-original-line-out-of-range", 0, 0)},
		},
		{
			Name:  "sources without content",
			Files: withMap(`{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}`),
			Want:  []Want{warn("sources-content-missing", 0, 0)},
		},
		{
			Name:  "file field naming another file",
			Files: withMap(strings.Replace(okMap, `"file":"app.js"`, `"file":"main.js"`, 1)),
			Want:  []Want{warn("map-file-mismatch", 0, 0)},
		},
		{
			Name: "debug IDs that differ",
			Files: map[string]string{
				"app.js":     js + "//# debugId=" + idA + "\n",
				"app.js.map": strings.Replace(okMap, `"version":3`, `"version":3,"debugId":"`+idB+`"`, 1),
			},
			Want: []Want{err("debug-id-mismatch", 4, 0)},
		},
		{
			Name:  "debug ID in the file only",
			Files: map[string]string{"app.js": js + "//# debugId=" + idA + "\n", "app.js.map": okMap},
			Want:  []Want{err("debug-id-missing-in-map", 4, 0)},
		},
		{
			Name:  "debug ID in the map only",
			Files: withMap(strings.Replace(okMap, `"version":3`, `"version":3,"debugId":"`+idB+`"`, 1)),
			Want:  []Want{warn("debug-id-missing-in-js", 0, 0)},
		},
		{
			Name:  "a truncated map",
			Files: withMap(okMap[:60]),
			Want:  []Want{err("map-not-json", 1, 61)},
		},
		{
			Name:  "an HTML page saved as a map",
			Files: withMap("<!DOCTYPE html>\n<html><body>Not Found</body></html>\n"),
			Want:  []Want{err("map-not-json", 1, 1)},
		},
		{
			Name:  "text that starts like a JSON literal is not JSON, not a boolean",
			Files: withMap("this is not a source map\n"),
			Want:  []Want{err("map-not-json", 1, 1)},
		},
		{
			Name:  "a field whose value is not JSON is not called a boolean",
			Files: withMap(`{"version": tx, "sources": [], "mappings": ""}`),
			Want:  []Want{err("map-not-json", 1, 14)},
		},
		{
			Name:  "an empty map",
			Files: withMap(""),
			Want:  []Want{err("map-not-json", 1, 1)},
		},
		{
			Name:  "a JSON value that is not an object",
			Files: withMap("[1, 2]\n"),
			Want:  []Want{err("map-not-object", 1, 1)},
		},
		{
			Name:  "a bad VLQ is located in the generated file",
			Files: withMap(strings.Replace(okMap, `AAAA;AACA`, `AAAA;AA!A`, 1)),
			Want:  []Want{err("vlq-invalid-character", 2, 1)},
		},
		{
			Name: "a good index map",
			Files: withMap(`{"version":3,"sections":[
				{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.ts"],"sourcesContent":["x\n"],"names":[],"mappings":"AAAA"}},
				{"offset":{"line":1,"column":0},"map":{"version":3,"sources":["b.ts"],"sourcesContent":["y\n"],"names":[],"mappings":"AAAA"}}]}`),
		},
		{
			Name: "an index map whose first section runs into the second",
			Files: withMap(`{"version":3,"sections":[
				{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.ts"],"sourcesContent":["x\ny\n"],"names":[],"mappings":"AAAA;AACA"}},
				{"offset":{"line":1,"column":0},"map":{"version":3,"sources":["b.ts"],"sourcesContent":["y\n"],"names":[],"mappings":"AAAA"}}]}`),
			Want: []Want{err("index-map-sections-overlap", 2, 1)},
		},
		{
			Name:  "a reference to a map that does not exist",
			Files: map[string]string{"app.js": js},
			Want:  []Want{err("map-reference-missing", 3, 0)},
		},
		{
			Name: "a reference that only a map in a sibling folder matches",
			Files: map[string]string{
				"js/app.js":           "x\n//# sourceMappingURL=maps/app.js.map\n",
				"css/maps/app.js.map": okMap,
			},
			Want: []Want{warn("map-without-js", 0, 0), err("map-reference-sibling-folder", 2, 0)},
		},
		{
			Name:  "an inline map that is not base64",
			Files: map[string]string{"app.js": "x\n//# sourceMappingURL=data:application/json;base64,!!not base64!!\n"},
			Want:  []Want{err("inline-map-invalid", 2, 0)},
		},
		{
			Name:  "a folder with no generated files",
			Files: map[string]string{"index.html": "<!doctype html>", "app.css": "a{}"},
			Want:  []Want{err("no-generated-files", 0, 0)},
		},
		{
			Name:  "a folder with maps only",
			Files: map[string]string{"app.js.map": okMap},
			Want:  []Want{err("no-generated-files", 0, 0), warn("map-without-js", 0, 0)},
		},
		{
			Name:  "one of two folders is empty",
			Files: map[string]string{"dist/app.js": js, "dist/app.js.map": okMap, "build/index.html": "<!doctype html>"},
			Paths: []string{"build", "dist"},
			Want:  []Want{err("no-generated-files", 0, 0)},
		},
		{
			Name:  "a path that does not exist",
			Files: map[string]string{"dist/app.js": js, "dist/app.js.map": okMap},
			Paths: []string{"build"},
			Want:  []Want{err("path-missing", 0, 0)},
		},
		{
			Name:  "a file that is not a generated file",
			Files: map[string]string{"app.ts": "let a = 1;\n", "app.js": js, "app.js.map": okMap},
			Paths: []string{"app.ts"},
			Want:  []Want{err("no-generated-files", 0, 0)},
		},
		{
			Name:  "a map named on its own is checked alone",
			Files: map[string]string{"app.js.map": okMap},
			Paths: []string{"app.js.map"},
			Want:  []Want{warn("map-without-js", 0, 0)},
		},
		tooManySources(),
		capped(),
	}
	return cases
}

// tooManySources is a map naming more sources than the default limit allows.
func tooManySources() Case {
	var b strings.Builder
	b.WriteString(`{"version":3,"names":[],"mappings":"AAAA","sources":[`)
	for i := range 100_000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"s%d.js"`, i)
	}
	b.WriteString(`]}`)
	return Case{
		Name:  "a map naming too many sources",
		Files: map[string]string{"app.js": "x\n//# sourceMappingURL=app.js.map\n", "app.js.map": b.String()},
		Want:  []Want{err("too-many-sources", 1, 1)},
	}
}

// capped is a map that points past its source's content thirty times: a file gets at most ten
// findings of one code, and one more saying how many were left out.
func capped() Case {
	mappings := "AAAA,CAIA" + strings.Repeat(",CAAA", 29)
	want := make([]Want, 0, 11)
	for range 10 {
		want = append(want, err("mapping-original-line-out-of-range", 0, 0))
	}
	want = append(want, err("more-findings", 0, 0))
	return Case{
		Name: "findings of one code are capped per file",
		Files: map[string]string{
			"app.js":     strings.Repeat("x", 40) + "\n//# sourceMappingURL=app.js.map\n",
			"app.js.map": `{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"names":[],"mappings":"` + mappings + `"}`,
		},
		Want: want,
	}
}
