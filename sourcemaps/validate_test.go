package sourcemaps

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	const js = "let a=1;\nlet b=2;\n//# sourceMappingURL=app.js.map\n"
	const okMap = `{"version":3,"file":"app.js","sources":["a.ts"],"sourcesContent":["let a = 1;\nlet b = 2;\n"],"names":[],"mappings":"AAAA;AACA"}`
	type finding struct {
		code         string
		sev          Severity
		line, column int
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []finding
	}{
		{
			name:  "a correct pair",
			files: map[string]string{"app.js": js, "app.js.map": okMap},
		},
		{
			name:  "generated line past the end of the file",
			files: map[string]string{"app.js": js, "app.js.map": strings.Replace(okMap, `AAAA;AACA`, `AAAA;AACA;;;;AACA`, 1)},
			want:  []finding{{CodeGeneratedLineOutOfRange, SeverityError, 6, 1}},
		},
		{
			name: "generated column past the end of the line, counted in UTF-16",
			// "é" is 2 bytes but 1 UTF-16 unit; "😀" is 4 bytes and 2 units: the line is 8 units
			// long (13 bytes).
			files: map[string]string{
				"app.js":     "a='é😀';\n//# sourceMappingURL=app.js.map\n",
				"app.js.map": `{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"names":[],"mappings":"AAAA,QAAA,CAAA"}`,
			},
			// Column 8 (0-based) is the end of the 8-unit line: fine. Column 9 is past it.
			want: []finding{{CodeGeneratedColumnOutOfRange, SeverityError, 1, 10}},
		},
		{
			name: "a mapping at the very end of a line is fine",
			files: map[string]string{
				"app.js":     "a='é😀';\n//# sourceMappingURL=app.js.map\n",
				"app.js.map": `{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"names":[],"mappings":"AAAA,QAAA"}`,
			},
		},
		{
			name:  "original line past the end of the source",
			files: map[string]string{"app.js": js, "app.js.map": strings.Replace(okMap, `AAAA;AACA`, `AAAA;AAIA`, 1)},
			want:  []finding{{CodeOriginalLineOutOfRange, SeverityError, 0, 0}},
		},
		{
			name:  "sources without content",
			files: map[string]string{"app.js": js, "app.js.map": `{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA"}`},
			want:  []finding{{CodeSourcesContentMissing, SeverityWarning, 0, 0}},
		},
		{
			name:  "file field naming another file",
			files: map[string]string{"app.js": js, "app.js.map": strings.Replace(okMap, `"file":"app.js"`, `"file":"main.js"`, 1)},
			want:  []finding{{CodeFileFieldMismatch, SeverityWarning, 0, 0}},
		},
		{
			name: "debug IDs that differ",
			files: map[string]string{
				"app.js":     js + "//# debugId=11111111-1111-5111-8111-111111111111\n",
				"app.js.map": strings.Replace(okMap, `"version":3`, `"version":3,"debugId":"22222222-2222-5222-8222-222222222222"`, 1),
			},
			want: []finding{{CodeDebugIDMismatch, SeverityError, 4, 0}},
		},
		{
			name: "debug ID in the file only",
			files: map[string]string{
				"app.js":     js + "//# debugId=11111111-1111-5111-8111-111111111111\n",
				"app.js.map": okMap,
			},
			want: []finding{{CodeDebugIDMissingInMap, SeverityError, 4, 0}},
		},
		{
			name: "debug ID in the map only",
			files: map[string]string{
				"app.js":     js,
				"app.js.map": strings.Replace(okMap, `"version":3`, `"version":3,"debugId":"22222222-2222-5222-8222-222222222222"`, 1),
			},
			want: []finding{{CodeDebugIDMissingInJS, SeverityWarning, 0, 0}},
		},
		{
			name:  "a truncated map",
			files: map[string]string{"app.js": js, "app.js.map": okMap[:60]},
			want:  []finding{{CodeMapNotJSON, SeverityError, 1, 61}},
		},
		{
			name:  "an HTML page saved as a map",
			files: map[string]string{"app.js": js, "app.js.map": "<!DOCTYPE html>\n<html><body>Not Found</body></html>\n"},
			want:  []finding{{CodeMapNotJSON, SeverityError, 1, 1}},
		},
		{
			name:  "a bad VLQ is located in the generated file",
			files: map[string]string{"app.js": js, "app.js.map": strings.Replace(okMap, `AAAA;AACA`, `AAAA;AA!A`, 1)},
			want:  []finding{{CodeVLQInvalidChar, SeverityError, 2, 1}},
		},
		{
			name: "a good index map",
			files: map[string]string{"app.js": js, "app.js.map": `{"version":3,"sections":[
				{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.ts"],"sourcesContent":["x\n"],"names":[],"mappings":"AAAA"}},
				{"offset":{"line":1,"column":0},"map":{"version":3,"sources":["b.ts"],"sourcesContent":["y\n"],"names":[],"mappings":"AAAA"}}]}`},
		},
		{
			name: "an index map whose first section runs into the second",
			files: map[string]string{"app.js": js, "app.js.map": `{"version":3,"sections":[
				{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.ts"],"sourcesContent":["x\ny\n"],"names":[],"mappings":"AAAA;AACA"}},
				{"offset":{"line":1,"column":0},"map":{"version":3,"sources":["b.ts"],"sourcesContent":["y\n"],"names":[],"mappings":"AAAA"}}]}`},
			want: []finding{{CodeIndexMapSectionsOverl, SeverityError, 2, 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := writeTree(t, tt.files)
			r := Validate(Discover([]string{root}, DiscoverOptions{}), ValidateOptions{})
			var got []finding
			for _, f := range r.Findings {
				got = append(got, finding{f.Code, f.Severity, f.Line, f.Column})
				if f.Message == "" {
					t.Errorf("finding %s has no message", f.Code)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("findings:\n got %v\nwant %v\n%s", got, tt.want, dump(r.Findings))
			}
			errs := 0
			for _, f := range tt.want {
				if f.sev == SeverityError {
					errs++
				}
			}
			if r.Errors != errs {
				t.Errorf("Errors = %d, want %d", r.Errors, errs)
			}
		})
	}
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s %s:%d:%d %s\n", f.Severity, f.Code, f.Path, f.Line, f.Column, f.Message)
	}
	return b.String()
}

func TestValidateCapsFindingsPerCode(t *testing.T) {
	// 30 mappings on lines the file does not have... on one line, each past its end.
	var segs []string
	for range 30 {
		segs = append(segs, "AAAA")
	}
	mappings := strings.Repeat(strings.Join(segs[:1], ",")+";", 2) + "oBAAA"
	files := map[string]string{
		"app.js": "x\n//# sourceMappingURL=app.js.map\n",
		"app.js.map": `{"version":3,"sources":["a.ts"],"sourcesContent":["` + strings.Repeat(`x\n`, 40) + `"],"names":[],"mappings":"` +
			mappings + strings.Repeat(";AACA", 30) + `"}`,
	}
	root := writeTree(t, files)
	r := Validate(Discover([]string{root}, DiscoverOptions{}), ValidateOptions{})
	if r.Errors == 0 || len(r.Findings) > maxPerCode+2 {
		t.Fatalf("got %d findings (%d errors), want at most %d\n%s", len(r.Findings), r.Errors, maxPerCode+2, dump(r.Findings))
	}
}

func TestValidateTooManySources(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"version":3,"names":[],"mappings":"AAAA","sources":[`)
	for i := range 100_000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"s%d.js"`, i)
	}
	b.WriteString(`]}`)
	root := writeTree(t, map[string]string{"app.js": "x\n//# sourceMappingURL=app.js.map\n", "app.js.map": b.String()})
	r := Validate(Discover([]string{root}, DiscoverOptions{}), ValidateOptions{})
	if r.Errors != 1 || r.Findings[0].Code != CodeTooManySources || !strings.HasSuffix(r.Findings[0].Path, "app.js.map") {
		t.Fatalf("want one too-many-sources error naming the map, got\n%s", dump(r.Findings))
	}
}
