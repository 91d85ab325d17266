package sourcemaps

import (
	"encoding/base64"
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// resolveTestMap maps "let total=a+b;" (line 1) to total.ts, and line 2 to nothing.
const resolveTestMap = `{"version":3,"sources":["total.ts"],"sourceRoot":"https://src.example.com/app",` +
	`"sourcesContent":["export const total = a + b;\n"],"names":["total"],"mappings":"AAAA,IAAaA,SAAS;A"}`

func TestLoadMapFor(t *testing.T) { //nolint:tparallel // the cases write their files into one folder, two of them the same file
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		writeTraceTestFile(t, p, content)
		return p
	}
	js := "let total=a+b;\n"
	inline := "data:application/json;base64," + base64.StdEncoding.EncodeToString([]byte(resolveTestMap))
	write("external.js.map", resolveTestMap)
	write("maps/renamed.map", resolveTestMap)
	write("assets/served.js.map", resolveTestMap)
	write("broken.js.map", `{"version":3,"sources":["a.ts"],"names":[],"mappings":"AAAA;AA!A;AAAAAAA"}`)
	tests := []struct {
		name, file, content string
		wantMap             string // relative to dir; "" for an error
		wantErr             string
	}{
		{name: "map given", file: "external.js.map", wantMap: "external.js.map"},
		{name: "external", file: "external.js", content: js + "//# sourceMappingURL=external.js.map\n", wantMap: "external.js.map"},
		{name: "relative folder", file: "other.js", content: js + "//# sourceMappingURL=maps/renamed.map?v=2\n", wantMap: "maps/renamed.map"},
		{name: "last comment wins", file: "two.js", content: js + "//# sourceMappingURL=nope.map\n//# sourceMappingURL=external.js.map\n", wantMap: "external.js.map"},
		{name: "inline", file: "inline.js", content: js + "//# sourceMappingURL=" + inline + "\n", wantMap: "inline.js"},
		{name: "guessed beside", file: "external.js", content: js, wantMap: "external.js.map"},
		{name: "server path", file: "assets/served.js", content: js + "//# sourceMappingURL=/static/assets/served.js.map\n", wantMap: "assets/served.js.map"},
		{name: "map by content", file: "download.json", content: resolveTestMap, wantMap: "download.json"},
		{name: "no map", file: "plain.js", content: js, wantErr: "has no sourceMappingURL comment and there is no plain.js.map beside it; pass the map itself"},
		{name: "missing map", file: "moved.js", content: js + "//# sourceMappingURL=gone/moved.js.map\n", wantErr: `moved.js:2: its sourceMappingURL names "gone/moved.js.map", but ` + filepath.Join(dir, "gone", "moved.js.map") + " does not exist"},
		{name: "remote map", file: "remote.js", content: js + "//# sourceMappingURL=https://cdn.example.com/remote.js.map\n", wantErr: "referenced by URL (https://cdn.example.com/remote.js.map), which releasegate does not download"},
		{name: "bad inline", file: "badinline.js", content: js + "//# sourceMappingURL=data:application/json;base64,@@@\n", wantErr: "the inline source map cannot be decoded"},
		{name: "invalid map", file: "broken.js.map", wantErr: "broken.js.map is not a valid source map, so positions in it cannot be trusted:\n  vlq-invalid-character: "},
		{name: "missing file", file: "nothing.js", wantErr: "nothing.js does not exist"},
		{name: "folder", file: "maps", wantErr: "is a folder; give a generated file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.file)
			if tt.content != "" {
				p = write(tt.file, tt.content)
			}
			m, mapPath, err := LoadMapFor(p, LoadMapOptions{})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadMapFor(%s) error = %v, want one containing %q", tt.file, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadMapFor(%s): %v", tt.file, err)
			}
			if want := filepath.Join(dir, tt.wantMap); mapPath != want {
				t.Errorf("map path %s, want %s", mapPath, want)
			}
			if len(m.Sources) != 1 || m.Sources[0] != "total.ts" {
				t.Errorf("wrong map loaded: %v", m)
			}
		})
	}
}

func TestLoadMapForErrorsUnwrap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	_, _, err := LoadMapFor(filepath.Join(dir, "missing.js"), LoadMapOptions{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file's error %v does not wrap fs.ErrNotExist", err)
	}
	p := filepath.Join(dir, "bad.js.map")
	writeTraceTestFile(t, p, `{"version":2,"sources":[],"names":[],"mappings":""}`)
	_, _, err = LoadMapFor(p, LoadMapOptions{})
	var me *MapError
	var pe *ParseError
	if !errors.As(err, &me) || !errors.As(err, &pe) || me.Path != p {
		t.Errorf("an invalid map's error %v is not a *MapError wrapping a *ParseError", err)
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	m, _, err := Parse([]byte(resolveTestMap), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line, col int
		want      Resolution
	}{
		{1, 1, Resolution{Mapped: true, SourceIndex: 0, Source: "total.ts", SourceResolved: "https://src.example.com/app/total.ts",
			OriginalLine: 1, OriginalColumn: 1, Context: "export const total = a + b;", HasContext: true, SegmentColumn: 1}},
		{1, 4, Resolution{Mapped: true, SourceIndex: 0, Source: "total.ts", SourceResolved: "https://src.example.com/app/total.ts",
			OriginalLine: 1, OriginalColumn: 1, Context: "export const total = a + b;", HasContext: true, SegmentColumn: 1}},
		{1, 5, Resolution{Mapped: true, SourceIndex: 0, Source: "total.ts", SourceResolved: "https://src.example.com/app/total.ts",
			OriginalLine: 1, OriginalColumn: 14, Name: "total", HasName: true, Context: "export const total = a + b;", HasContext: true, SegmentColumn: 5}},
		{1, 999, Resolution{Mapped: true, SourceIndex: 0, Source: "total.ts", SourceResolved: "https://src.example.com/app/total.ts",
			OriginalLine: 1, OriginalColumn: 23, Context: "export const total = a + b;", HasContext: true, SegmentColumn: 14}},
		{2, 1, Resolution{SourceIndex: -1}},   // a segment without a source
		{3, 1, Resolution{SourceIndex: -1}},   // past the last line
		{0, 1, Resolution{SourceIndex: -1}},   // lines start at 1
		{1, 0, Resolution{SourceIndex: -1}},   // columns start at 1
		{-5, -5, Resolution{SourceIndex: -1}}, // nonsense is unmapped, not a panic
	}
	for _, tt := range tests {
		got := Resolve(m, tt.line, tt.col)
		tt.want.Line, tt.want.Column = tt.line, tt.col
		if got != tt.want {
			t.Errorf("Resolve(%d:%d)\n got %+v\nwant %+v", tt.line, tt.col, got, tt.want)
		}
	}
}

func TestResolveNullSourceAndIndexMap(t *testing.T) {
	t.Parallel()
	// Section 2 starts on line 1 at column 10, after section 1's only segment; it has a null
	// source and a sourceRoot of its own.
	const index = `{"version":3,"sections":[` +
		`{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA"}},` +
		`{"offset":{"line":0,"column":10},"map":{"version":3,"sourceRoot":"lib","sources":[null,"b.js"],"names":["f"],"mappings":"EAAA,ECAAA"}}]}`
	m, _, err := Parse([]byte(index), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if r := Resolve(m, 1, 11); r.Mapped != true || r.Source != "a.js" || r.SegmentColumn != 1 {
		t.Errorf("at the section start, before its first segment: %+v; want section 1's segment (trace-mapping's answer)", r)
	}
	if r := Resolve(m, 1, 13); !r.Mapped || !r.SourceIsNull || r.Source != "" || r.SourceResolved != "" {
		t.Errorf("a null source: %+v", r)
	}
	if r := Resolve(m, 1, 15); !r.Mapped || r.SourceResolved != "lib/b.js" || r.Name != "f" || r.SourceIndex != 2 {
		t.Errorf("the second section's source: %+v", r)
	}
}

func TestLocalSourcePath(t *testing.T) {
	t.Parallel()
	tests := []struct{ mapPath, src, want string }{
		{"dist/esm/main.js.map", "../../src/main.js", "src/main.js"},
		{"dist/main.js.map", "src/a.ts", "dist/src/a.ts"},
		{"dist/main.js.map", "webpack://app/./lib/a.js", "webpack://app/./lib/a.js"},
		{"dist/main.js.map", "/abs/a.ts", "/abs/a.ts"},
		{"dist/main.js.map", "file:///abs/a.ts", "file:///abs/a.ts"},
		{"dist/main.js.map", "", ""},
	}
	for _, tt := range tests {
		if got := LocalSourcePath(tt.mapPath, tt.src); got != tt.want {
			t.Errorf("LocalSourcePath(%q, %q) = %q, want %q", tt.mapPath, tt.src, got, tt.want)
		}
	}
}

// FuzzUnquoteChecked checks Parse's fast unquoting (parse.go) against jsontext's on every
// string literal jsontext accepts: same text, or a fallback, never a different answer.
func FuzzUnquoteChecked(f *testing.F) {
	for _, s := range []string{`"plain"`, `"a\nb\t\"c\"\\d\/"`, `"\u00e9\u2028"`, `"\ud83d\ude80 launch"`, `"\u0000"`, `"\uD834\uDD1E"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		want, err := jsontext.AppendUnquote(nil, lit)
		if err != nil || !strings.HasPrefix(lit, `"`) || !jsontext.Value(lit).IsValid() {
			return // only literals the decoder has checked reach unquoteChecked
		}
		if got, ok := unquoteChecked([]byte(lit)); ok && got != string(want) {
			t.Errorf("unquoteChecked(%s) = %q, jsontext says %q", lit, got, want)
		}
	})
}

func TestParsePosition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		line, col int
		err       string
	}{
		{"1:2345", 1, 2345, ""},
		{"0012:7", 12, 7, ""},
		{"12", 0, 0, "want LINE:COLUMN"},
		{"1:2:3", 0, 0, "want LINE:COLUMN"},
		{"+1:2", 0, 0, "want LINE:COLUMN"},
		{"-1:2", 0, 0, "want LINE:COLUMN"},
		{"a:b", 0, 0, "want LINE:COLUMN"},
		{":", 0, 0, "want LINE:COLUMN"},
		{"1: 2", 0, 0, "want LINE:COLUMN"},
		{"99999999999:1", 0, 0, "want LINE:COLUMN"},
		{"0:5", 0, 0, "lines and columns start at 1"},
		{"5:0", 0, 0, "lines and columns start at 1"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			line, col, err := ParsePosition(tt.in)
			if line != tt.line || col != tt.col || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParsePosition(%q) = %d, %d, %v; want %d, %d, %q", tt.in, line, col, err, tt.line, tt.col, tt.err)
			}
		})
	}
}

// FuzzParsePosition: a position parsed is 1-based and prints back as the digits given (leading
// zeros aside); anything else is an error that quotes the input.
func FuzzParsePosition(f *testing.F) {
	for _, s := range []string{"1:2345", "0:5", "1:2:3", "+1:2", "١:٢", "9999999999:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, col, err := ParsePosition(s)
		if err != nil {
			if line != 0 || col != 0 || !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Errorf("ParsePosition(%q) = %d, %d, %v", s, line, col, err)
			}
			return
		}
		l, c, _ := strings.Cut(s, ":")
		if line < 1 || col < 1 || strings.TrimLeft(l, "0") != strconv.Itoa(line) || strings.TrimLeft(c, "0") != strconv.Itoa(col) {
			t.Errorf("ParsePosition(%q) = %d, %d", s, line, col)
		}
	})
}
