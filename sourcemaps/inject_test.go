package sourcemaps

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

// recordInject rewrites testdata/inject/<case>/ with what the installed sentry-cli 3.8.0 writes
// for each hand-made case: go test ./sourcemaps -run TestInjectCases -record-inject
var recordInject = flag.Bool("record-inject", false, "record sentry-cli's inject output for the hand-made cases into testdata/inject")

// mkSeg builds a decoded segment from 1, 4 or 5 fields.
func mkSeg(f ...int32) Segment {
	s := Segment{GenColumn: f[0], Source: -1, OrigLine: -1, OrigColumn: -1, Name: -1}
	if len(f) >= 4 {
		s.Source, s.OrigLine, s.OrigColumn = f[1], f[2], f[3]
	}
	if len(f) == 5 {
		s.Name = f[4]
	}
	return s
}

// vlq encodes lines of segments given as field lists, e.g. encodeLines([][]int32{{0, 0, 0, 0}}, nil).
func encodeLines(lines ...[][]int32) string {
	var m Mappings
	m.lineStart = []int32{0}
	for _, l := range lines {
		for _, f := range l {
			m.Segments = append(m.Segments, mkSeg(f...))
		}
		m.lineStart = append(m.lineStart, int32(len(m.Segments)))
	}
	return encodeMappings(&m)
}

func segmentLines(lines ...[][]int32) [][]Segment {
	out := make([][]Segment, len(lines))
	for i, l := range lines {
		for _, f := range l {
			out[i] = append(out[i], mkSeg(f...))
		}
	}
	for len(out) > 0 && len(out[len(out)-1]) == 0 {
		out = out[:len(out)-1]
	}
	return out
}

// simpleMap is a small regular map with 50 lines of content for a.js, and extra members.
func injMap(mappings string, extra ...string) string {
	var b strings.Builder
	b.WriteString(`{"version":3,"sources":["a.js"],"sourcesContent":["` + strings.Repeat(`x\n`, 50) + `"],"names":["n","m"],"mappings":"` + mappings + `"`)
	for _, e := range extra {
		b.WriteString("," + e)
	}
	b.WriteString("}")
	return b.String()
}

func inlineMapComment(mapJSON string) string {
	return "//# sourceMappingURL=" + inlineMapPrefix + base64.StdEncoding.EncodeToString([]byte(mapJSON))
}

const injRef = "//# sourceMappingURL=a.js.map"

// injectCase is a hand-made build checked against sentry-cli 3.8.0's recorded output.
type injectCase struct {
	name  string
	files fileTree
	// differ lists files where releasegate deliberately writes something else, and why;
	// wantMappings then gives releasegate's expected mappings of those maps.
	differ       map[string]string
	wantMappings map[string][][]Segment
	// skipped lists files inject must leave alone.
	skipped []string
}

var sectionMap = `{"version":3,"x_bar":2,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA"}},{"offset":{"line":1,"column":0},"map":{"version":3,"sources":["b.js"],"names":["q"],"mappings":"AAAAA","x_foo":1}}]}`

var injectCases = append([]injectCase{prefixVariants()}, handMadeCases...)

// prefixVariants makes one file per insertionTable entry, each with a guessed map.
func prefixVariants() injectCase {
	c := injectCase{name: "prefix-variants", files: fileTree{}, differ: map[string]string{}, wantMappings: map[string][][]Segment{}}
	for i, tc := range insertionTable {
		name := fmt.Sprintf("p%02d.js", i)
		c.files[name] = []byte(tc.js)
		c.files[name+".map"] = []byte(injMap("AAAA"))
		if strings.Contains(tc.name, "lone cr, no lf") || strings.Contains(tc.name, "unicode whitespace") {
			// The prefix holds a line terminator sentry-cli does not count (a lone CR,
			// U+2028): it thinks the snippet goes on line 0 and copies the segment there.
			c.differ[name+".map"] = "line terminators sentry-cli does not count before the insertion point"
			c.wantMappings[name+".map"] = segmentLines([][]int32{{0, 0, 0, 0}})
		}
	}
	return c
}

var handMadeCases = []injectCase{
	{name: "plain", files: fileTree{
		"a.js":     []byte("foo();bar();\n" + injRef + "\n"),
		"a.js.map": []byte(injMap(encodeLines([][]int32{{0, 0, 0, 0}, {6, 0, 1, 0}}))),
	}},
	{name: "use-strict-same-line", files: fileTree{
		"a.js":     []byte(`"use strict";foo();` + "\nbar();\n" + injRef + "\n"),
		"a.js.map": []byte(injMap(encodeLines([][]int32{{0, 0, 0, 0}, {12, 0, 0, 1}, {13, 0, 0, 2}, {14, 0, 0, 3}}, [][]int32{{0, 0, 1, 0}}))),
	}},
	{name: "single-quote-crlf", files: fileTree{
		"a.js":     []byte("'use strict';\r\nfoo();\r\nbar();\r\n" + injRef + "\r\n"),
		"a.js.map": []byte(injMap(encodeLines([][]int32{{0, 0, 0, 0}, {13, 0, 0, 1}}, [][]int32{{0, 0, 1, 0}}, [][]int32{{0, 0, 2, 0}}))),
	}},
	{name: "hashbang-comments", files: fileTree{
		"a.js":     []byte("#!/usr/bin/env node\n// c\n/* block\n comment */\nfoo();\n" + injRef + "\n"),
		"a.js.map": []byte(injMap(encodeLines([][]int32{{0, 0, 0, 0}}, [][]int32{{0, 0, 1, 0}}, nil, nil, [][]int32{{0, 0, 2, 0}, {3, 0, 2, 3}}))),
	}},
	{name: "bom", files: fileTree{
		"a.js":     []byte("\ufefffoo();\nbar();\n" + injRef + "\n"),
		"a.js.map": []byte(injMap(encodeLines([][]int32{{0, 0, 0, 0}, {1, 0, 0, 1}}, [][]int32{{0, 0, 1, 0}}))),
	}},
	{name: "cover-copy", files: fileTree{
		"a.js":     []byte("/* c */ foo();\nbar();\n" + injRef + "\n"),
		"a.js.map": []byte(injMap(encodeLines([][]int32{{0, 0, 0, 0}, {3, 0, 0, 3, 1}}, [][]int32{{0, 0, 1, 0}}))),
		"b.js":     []byte("/* c */ foo();\n//# sourceMappingURL=b.js.map\n"),
		"b.js.map": []byte(injMap(encodeLines([][]int32{{0, 0, 0, 0}, {3}}))),
	}},
	{name: "duplicates", files: fileTree{
		"a.js":     []byte("/*a*/foo();\nbar();\n" + injRef + "\n"),
		"a.js.map": []byte(injMap(encodeLines([][]int32{{0, 0, 0, 0}, {0, 0, 0, 1}, {5, 0, 0, 5}, {5, 0, 0, 6}, {7, 0, 0, 7}, {7, 0, 0, 8}}, [][]int32{{0, 0, 1, 0}, {0, 0, 1, 1}}))),
	}},
	{name: "unsorted", files: fileTree{
		"a.js":     []byte("foo();bar();\nbaz();\n" + injRef + "\n"),
		"a.js.map": []byte(injMap(encodeLines([][]int32{{6, 0, 1, 0, 1}, {0, 0, 0, 0}}, [][]int32{{0, 0, 2, 0, 0}}))),
	}},
	{
		name: "non-ascii-prefix",
		files: fileTree{
			"a.js":     []byte("/*😀*/ foo();bar();\n" + injRef + "\n"),
			"a.js.map": []byte(injMap(encodeLines([][]int32{{0, 0, 0, 0}, {5, 0, 0, 1}, {6, 0, 0, 2}, {7, 0, 0, 3}, {8, 0, 0, 4}, {9, 0, 0, 5}, {10, 0, 0, 6}}))),
		},
		differ: map[string]string{"a.js.map": "sentry-cli measures the insertion column in bytes (9), the map in UTF-16 units (7)"},
		wantMappings: map[string][][]Segment{"a.js.map": segmentLines(
			[][]int32{{0, 0, 0, 0}, {5, 0, 0, 1}, {6, 0, 0, 2}}, nil,
			[][]int32{{0, 0, 0, 3}, {1, 0, 0, 4}, {2, 0, 0, 5}, {3, 0, 0, 6}})},
	},
	{
		name: "lone-cr-in-comment",
		files: fileTree{
			"a.js":     []byte("//c\rfoo();\nbar();\n" + injRef + "\n"),
			"a.js.map": []byte(injMap(encodeLines([][]int32{{0, 0, 0, 0}}, [][]int32{{0, 0, 1, 0}}, [][]int32{{0, 0, 2, 0}}))),
		},
		differ: map[string]string{"a.js.map": "a lone CR ends a line for source maps but not for sentry-cli"},
		wantMappings: map[string][][]Segment{"a.js.map": segmentLines(
			[][]int32{{0, 0, 0, 0}}, [][]int32{{0, 0, 1, 0}}, nil, nil, [][]int32{{0, 0, 2, 0}})},
	},
	{name: "extra-keys", files: fileTree{
		"a.js": []byte("foo();\n" + injRef + "\n"),
		"a.js.map": []byte("{\n  \"version\": 3,\n  \"file\": \"a.js\",\n  \"sourceRoot\": \"\",\n  \"sources\": [\"a.js\", \"b.js\"],\n" +
			"  \"names\": [],\n  \"mappings\": \"AAAA;ACAA\",\n  \"ignoreList\": [],\n  \"x_google_ignoreList\": [1],\n" +
			"  \"x_foo\": {\"a\": [1, 2]},\n  \"zzz\": null\n}\n"),
	}},
	{name: "legacy-debug-id", files: fileTree{
		"a.js":     []byte("foo();\n" + injRef + "\n"),
		"a.js.map": []byte(injMap("AAAA", `"debug_id":"A0242606FF7057BD98BD2F04986D755F"`)),
	}},
	{name: "both-ids", files: fileTree{
		"a.js":     []byte("foo();\n" + injRef + "\n"),
		"a.js.map": []byte(injMap("AAAA", `"debug_id":"a0242606-ff70-57bd-98bd-2f04986d755f"`, `"debugId":"B0242606-FF70-57BD-98BD-2F04986D755F"`)),
	}},
	{name: "inline-crlf", files: fileTree{
		"a.js": []byte("\"use strict\";\r\nfoo();\r\n" + inlineMapComment(injMap(encodeLines([][]int32{{0, 0, 0, 0}, {13, 0, 0, 1}}, [][]int32{{0, 0, 1, 0}}), `"x_keep":true`)) + "\r\n"),
	}},
	{name: "inline-charset-no-map", files: fileTree{
		"a.js": []byte("foo();\n//# sourceMappingURL=data:application/json;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(injMap("AAAA"))) + "\n"),
	}},
	{name: "no-map", files: fileTree{
		"cli.js":   []byte("#!/usr/bin/env node\n\"use strict\";\nconsole.log(1)\n"),
		"empty.js": {},
	}},
	{name: "missing-map", files: fileTree{
		"a.js": []byte("a();\r\nb();\r\n//# sourceMappingURL=missing.map\r\nc();"),
		"b.js": []byte("a();\n  //# sourceMappingURL=gone.map\n"),
		"c.js": []byte("//# sourceMappingURL=one.map\na();\n//@ sourceMappingURL=two.map\nb();\n"),
	}},
	{name: "already-injected", skipped: []string{"a.js"}, files: fileTree{
		"a.js":     []byte("foo();\n//# debugId=a0242606-ff70-57bd-98bd-2f04986d755f\n" + injRef + "\n"),
		"a.js.map": []byte(injMap("AAAA")),
	}},
	{name: "bogus-debug-id-comment", files: fileTree{
		"a.js":     []byte("foo();\n//# debugId=zzz\n" + injRef + "\n"),
		"a.js.map": []byte(injMap("AAAA")),
	}},
	{name: "index-map", files: fileTree{
		"a.js":     []byte(`"use strict";foo();` + "\nbar();\n" + injRef + "\n"),
		"a.js.map": []byte(sectionMap),
		"b.js":     []byte("/* c */\nfoo();\nbar();\n//# sourceMappingURL=b.js.map\n"),
		"b.js.map": []byte(sectionMap),
	}},
	{name: "index-map-hashbang", files: fileTree{
		"a.js":     []byte("#!/usr/bin/env node\n'use strict'\nfoo();\n" + injRef + "\n"),
		"a.js.map": []byte(`{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js"],"names":[],"mappings":";AAAA;AACA"}}]}`),
	}},
	{
		name: "index-map-hashbang-mapped",
		files: fileTree{
			"a.js":     []byte("#!/usr/bin/env node\nfoo();\n" + injRef + "\n"),
			"a.js.map": []byte(`{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA;AACA"}}]}`),
		},
		differ: map[string]string{"a.js.map": "sentry-cli also moves the section's mapping of the hashbang line"},
		wantMappings: map[string][][]Segment{"a.js.map": segmentLines(
			[][]int32{{0, 0, 0, 0}}, nil, [][]int32{{0, 0, 1, 0}})},
	},
	{name: "guessed-map", files: fileTree{
		"app.min.js":     []byte("foo();\n"),
		"app.min.js.map": []byte(injMap("AAAA")),
	}},
	{name: "extensions", files: fileTree{
		"a.mjs":     []byte("foo();\n//# sourceMappingURL=a.mjs.map\n"),
		"a.mjs.map": []byte(injMap("AAAA")),
		"b.cjs":     []byte("'use strict';\nfoo();\n//# sourceMappingURL=b.cjs.map\n"),
		"b.cjs.map": []byte(injMap(";AAAA")),
		"c.ts":      []byte("not touched\n"),
	}},
	{name: "unterminated-comment", files: fileTree{
		"a.js":     []byte("/* never closed\nfoo();\n" + injRef + "\n"),
		"a.js.map": []byte(injMap(";AAAA")),
	}},
	{name: "empty-mappings", files: fileTree{
		"a.js":     []byte("export * from './b.js';\n" + injRef + "\n"),
		"a.js.map": []byte(`{"version":3,"file":"a.js","sources":[],"sourcesContent":[],"names":[],"mappings":""}`),
	}},
	{name: "mapped-final-empty-line", files: fileTree{
		"a.js":     []byte("foo();\n\nbar();\n"),
		"a.js.map": []byte(injMap(encodeLines([][]int32{{0, 0, 0, 0}}, [][]int32{{0, 0, 1, 0}}, [][]int32{{0, 0, 2, 0}, {90, 0, 2, 1}}, [][]int32{{0, 0, 3, 0}}))),
	}},
	{name: "xssi-prefix", files: fileTree{
		"a.js":     []byte("foo();\n" + injRef + "\n"),
		"a.js.map": []byte(")]}'\n" + injMap("AAAA")),
	}},
}

// TestInjectCases runs inject on each hand-made build and compares the result with what
// sentry-cli 3.8.0 wrote for it (recorded in testdata/inject/<case>/; rerun live when the peer
// is installed, to prove the recording is still what sentry-cli writes).
func TestInjectCases(t *testing.T) {
	t.Parallel()
	cli := ""
	if *recordInject || os.Getenv("RELEASEGATE_REQUIRE_PEERS") == "1" {
		cli = sentryCLI(t)
	} else if _, err := os.Stat(filepath.Join(testenv.PeersDir(t), "node_modules", ".bin", "sentry-cli")); err == nil {
		cli = sentryCLI(t)
	}
	names := map[string]bool{}
	for _, tc := range injectCases {
		if names[tc.name] {
			t.Fatalf("duplicate case %s", tc.name)
		}
		names[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			recorded := filepath.Join("testdata", "inject", tc.name)
			if cli != "" {
				dir := t.TempDir()
				writeFileTree(t, dir, tc.files)
				runSentryCLIInject(t, cli, dir)
				live := readFileTree(t, dir)
				if *recordInject {
					os.RemoveAll(recorded)
					writeFileTree(t, recorded, live)
				} else if d := diffFileTrees(readFileTree(t, recorded), live); d != "" {
					t.Fatalf("sentry-cli's output no longer matches %s (%s): rerun with -record-inject if sentry-cli changed", recorded, d)
				}
			}
			theirs := readFileTree(t, recorded)
			if len(theirs) == 0 {
				t.Fatalf("%s is missing: run go test ./sourcemaps -run TestInjectCases -record-inject with sentry-cli installed", recorded)
			}

			dir := t.TempDir()
			writeFileTree(t, dir, tc.files)
			plan, _ := runInject(t, dir, InjectOptions{})
			ours := readFileTree(t, dir)
			parity(t, tc.files, theirs, ours, tc.differ)
			for name, want := range tc.wantMappings {
				got := decodeForCompare(t, name, ours[name]).Mappings
				if !slices.EqualFunc(got, want, slices.Equal) {
					t.Errorf("%s: mappings\n got  %v\n want %v", name, got, want)
				}
				if !slices.EqualFunc(decodeForCompare(t, name, theirs[name]).Mappings, want, slices.Equal) {
					t.Logf("%s: differs from sentry-cli as documented: %s", name, tc.differ[name])
				}
			}
			var skipped []string
			for _, s := range plan.Skipped {
				rel, _ := filepath.Rel(dir, s.Path)
				skipped = append(skipped, filepath.ToSlash(rel))
			}
			if !slices.Equal(skipped, tc.skipped) {
				t.Errorf("skipped %v, want %v", skipped, tc.skipped)
			}

			// A second run changes nothing.
			runInject(t, dir, InjectOptions{})
			if d := diffFileTrees(ours, readFileTree(t, dir)); d != "" {
				t.Errorf("a second inject changed files: %s", d)
			}
		})
	}
}

// insertionTable lists prefixes and where sentry-cli inserts the snippet after them. The same
// inputs run through sentry-cli as the "prefix-variants" case (with guessed maps, so that no
// sourceMappingURL comment is appended), which proves the offsets.
var insertionTable = []struct {
	name, js string
	want     int
}{
	{"empty", "", 0},
	{"code", "foo();", 0},
	{"hashbang", "#!/usr/bin/env node\nfoo();", 20},
	{"hashbang crlf", "#!/x\r\nfoo();", 6},
	{"hashbang only", "#!/x", 0},
	{"hashbang lone cr, no lf", "#!/x\rfoo();\rbar()", 12},
	{"line comments", "// a\n// b\nfoo();", 10},
	{"line comment at end without newline", "foo();\n// a", 0},
	{"only a line comment without newline", "// a", 0},
	{"line comment swallows lone cr", "//c\rfoo();\nbar();", 11},
	{"block comment same line", "/* c */ foo();", 8},
	{"unterminated block comment", "/* c\nfoo();", 0},
	{"block then line", "/*a*/\n//b\n\nfoo()", 11},
	{"double-quoted directive keeps newline", "\"use strict\";\nfoo();", 13},
	{"single-quoted directive takes one newline", "'use strict';\nfoo();", 14},
	{"single-quoted directive takes cr of crlf", "'use strict';\r\nfoo();", 14},
	{"directive same line", "\"use strict\";foo();", 13},
	{"any string is a directive", "\"anything at all\";x", 18},
	{"directive without semicolon", "\"use strict\"\nfoo();", 0},
	{"escaped quote ends the match", `"a\"b";x`, 0},
	{"only one directive", "'use strict';'use asm';x", 13},
	{"directive after comments", "/*! license */\n\"use client\";\nx", 28},
	{"bom is not whitespace", "\ufeff// c\nfoo();", 0},
	{"unicode whitespace", "\u00a0\u2028\u3000foo();", 8},
	{"directive spans lines", "\"a\nb\";x", 6},
}

// TestInjectionOffset checks the insertion rule on its own, including the regex's quirks.
func TestInjectionOffset(t *testing.T) {
	t.Parallel()
	for _, tc := range insertionTable {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := injectionOffset([]byte(tc.js)); got != tc.want {
				t.Errorf("injectionOffset(%q) = %d (%q | %q), want %d", tc.js, got, tc.js[:got], tc.js[got:], tc.want)
			}
		})
	}
}

func TestPositionAt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text string
		off  int
		want textPos
	}{
		{"abc", 2, textPos{0, 2}},
		{"a\nb", 2, textPos{1, 0}},
		{"a\r\nb", 3, textPos{1, 0}},
		{"a\r\nb", 2, textPos{0, 2}}, // between CR and LF
		{"a\rb", 2, textPos{1, 0}},
		{"a\u2028b", 4, textPos{1, 0}},
		{"é😀x", 6, textPos{0, 3}},
	} {
		if got := positionAt([]byte(tc.text), tc.off); got != tc.want {
			t.Errorf("positionAt(%q, %d) = %v, want %v", tc.text, tc.off, got, tc.want)
		}
	}
}

// TestShiftForInsert checks the mapping shift rules directly.
func TestShiftForInsert(t *testing.T) {
	t.Parallel()
	m := func(lines ...[][]int32) Mappings {
		mp, probs := decodeMappings(encodeLines(lines...), 10, 10, 0)
		if len(probs) > 0 {
			t.Fatal(probs)
		}
		return mp
	}
	for _, tc := range []struct {
		name   string
		in     Mappings
		at, to textPos
		want   [][]Segment
	}{
		{"start of file", m([][]int32{{0, 0, 0, 0}, {6, 0, 1, 0}}), textPos{0, 0}, textPos{2, 0},
			segmentLines(nil, nil, [][]int32{{0, 0, 0, 0}, {6, 0, 1, 0}})},
		{"mid line with cover copy", m([][]int32{{0, 0, 0, 0}, {3, 0, 0, 3, 1}}, [][]int32{{0, 0, 1, 0}}), textPos{0, 8}, textPos{2, 0},
			segmentLines([][]int32{{0, 0, 0, 0}, {3, 0, 0, 3, 1}}, nil, [][]int32{{0, 0, 0, 3, 1}}, [][]int32{{0, 0, 1, 0}})},
		{"segment exactly at the point: no copy", m([][]int32{{0, 0, 0, 0}, {8, 0, 0, 3}}), textPos{0, 8}, textPos{2, 0},
			segmentLines([][]int32{{0, 0, 0, 0}}, nil, [][]int32{{0, 0, 0, 3}})},
		{"duplicates at column 0 and at the point", m([][]int32{{0, 0, 0, 0}, {0, 0, 0, 1}, {5, 0, 0, 5}, {5, 0, 0, 6}, {7, 0, 0, 7}, {7, 0, 0, 8}}, [][]int32{{0, 0, 1, 0}, {0, 0, 1, 1}}), textPos{0, 5}, textPos{2, 0},
			segmentLines([][]int32{{0, 0, 0, 1}}, nil, [][]int32{{0, 0, 0, 6}, {2, 0, 0, 7}, {2, 0, 0, 8}}, [][]int32{{0, 0, 1, 1}})},
		{"insertion below the mappings", m([][]int32{{0, 0, 0, 0}}), textPos{3, 0}, textPos{5, 0},
			segmentLines([][]int32{{0, 0, 0, 0}})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := shiftForInsert(&tc.in, tc.at, tc.to)
			var lines [][]Segment
			for l := range got.Lines() {
				lines = append(lines, got.Line(l))
			}
			for len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
				lines = lines[:len(lines)-1]
			}
			if !slices.EqualFunc(lines, tc.want, slices.Equal) {
				t.Errorf("got  %v\nwant %v", lines, tc.want)
			}
			raw := encodeMappings(&tc.in)
			if s, ok := spliceMappings(raw, &tc.in, tc.at, tc.to); ok && s != encodeMappings(&got) {
				t.Errorf("splice %q differs from full encode %q", s, encodeMappings(&got))
			}
		})
	}
}

// brokenBuild is a small build in which every file is fine.
func brokenBuildBase() fileTree {
	return fileTree{
		"ok.js":         []byte("foo();\n//# sourceMappingURL=ok.js.map\n"),
		"ok.js.map":     []byte(injMap("AAAA")),
		"sub/b.js":      []byte("bar();\n//# sourceMappingURL=b.js.map\n"),
		"sub/b.js.map":  []byte(injMap("AAAA")),
		"sub/nomap.mjs": []byte("baz();\n"),
	}
}

// TestInjectBrokenMapWritesNothing: a map that cannot be parsed stops the whole run before any
// file is written (sentry-cli writes the files it processed before the broken one, in an order
// that changes from run to run), and the finding names the file.
func TestInjectBrokenMapWritesNothing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, mapText, code, say string
	}{
		{"truncated", injMap("AAAA")[:40], CodeMapNotJSON, "truncated"},
		{"html", "<!DOCTYPE html>\n<html><body>404 Not Found</body></html>\n", CodeMapNotJSON, "HTML"},
		{"bad vlq", injMap("AA!A"), CodeVLQInvalidChar, "invalid character"},
		{"bad debug id", injMap("AAAA", `"debugId":"nope"`), CodeDebugIDInvalid, "not a UUID"},
		{"mappings past the end", injMap("AAAA;;;;AAAA"), CodeGeneratedLineOutOfRange, "do not belong together"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			files := brokenBuildBase()
			files["sub/broken.js"] = []byte("x();\n//# sourceMappingURL=broken.js.map\n")
			files["sub/broken.js.map"] = []byte(tc.mapText)
			writeFileTree(t, dir, files)
			before := readFileTree(t, dir)

			plan, findings := PlanInject(Discover([]string{dir}, DiscoverOptions{}), InjectOptions{})
			if !plan.Blocked() {
				t.Fatal("a broken map did not block the plan")
			}
			var hit *Finding
			for i, f := range findings {
				if f.Severity == SeverityError {
					hit = &findings[i]
				}
			}
			if hit == nil || hit.Code != tc.code || !strings.Contains(hit.Path, "broken.js") || !strings.Contains(hit.Message, tc.say) {
				t.Errorf("want an error %s naming sub/broken.js(.map) and saying %q, got %+v", tc.code, tc.say, findings)
			}
			if err := ApplyInject(plan); err == nil || !strings.Contains(err.Error(), "nothing was written") {
				t.Errorf("ApplyInject of a blocked plan: %v", err)
			}
			if d := diffFileTrees(before, readFileTree(t, dir)); d != "" {
				t.Errorf("files changed: %s", d)
			}
		})
	}
}

// TestInjectSharedMap: a map referenced by two files is refused (sentry-cli's result depends on
// which file it happens to process first).
func TestInjectSharedMap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := brokenBuildBase()
	files["one.js"] = []byte("a();\n//# sourceMappingURL=shared.js.map\n")
	files["two.js"] = []byte("b();\n//# sourceMappingURL=shared.js.map\n")
	files["shared.js.map"] = []byte(injMap("AAAA"))
	writeFileTree(t, dir, files)
	plan, findings := PlanInject(Discover([]string{dir}, DiscoverOptions{}), InjectOptions{})
	if !plan.Blocked() {
		t.Fatal("a shared map did not block the plan")
	}
	found := false
	for _, f := range findings {
		if f.Code == CodeMapShared && strings.Contains(f.Message, "one.js") && strings.Contains(f.Message, "two.js") {
			found = true
		}
	}
	if !found {
		t.Errorf("no %s finding naming both files: %+v", CodeMapShared, findings)
	}
}

// TestInjectPlanWritesNothing: planning (what --dry-run shows) touches no file.
func TestInjectPlanWritesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFileTree(t, dir, brokenBuildBase())
	before := readFileTree(t, dir)
	plan, _ := PlanInject(Discover([]string{dir}, DiscoverOptions{}), InjectOptions{})
	if plan.Blocked() || len(plan.Injected) != 3 {
		t.Fatalf("plan: %+v", plan)
	}
	if d := diffFileTrees(before, readFileTree(t, dir)); d != "" {
		t.Errorf("planning changed files: %s", d)
	}
}

// TestInjectUnwritableWritesNothing: when a new file cannot be written, every temporary file is
// removed and the build is left exactly as it was, and the error names the file. Three ways to
// fail, so that the test bites when run as root (which ignores permissions): a read-only folder
// (not root), an immutable folder (root, where chattr works), and a simulated full disk.
func TestInjectUnwritableWritesNothing(t *testing.T) { //nolint:paralleltest // replaces the package's createTemp, which every inject calls
	check := func(t *testing.T, dir string, err error) {
		t.Helper()
		if err == nil {
			t.Fatal("ApplyInject succeeded")
		}
		if !strings.Contains(err.Error(), filepath.Join(dir, "sub")) || !strings.Contains(err.Error(), "nothing was changed") {
			t.Errorf("error does not name the file or say nothing changed: %v", err)
		}
	}
	setup := func(t *testing.T) (string, fileTree, *InjectPlan) {
		dir := t.TempDir()
		writeFileTree(t, dir, brokenBuildBase())
		plan, findings := PlanInject(Discover([]string{dir}, DiscoverOptions{}), InjectOptions{})
		if plan.Blocked() {
			t.Fatal(findings)
		}
		return dir, readFileTree(t, dir), plan
	}
	t.Run("read-only folder", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root ignores folder permissions; see the immutable and full-disk cases")
		}
		dir, before, plan := setup(t)
		sub := filepath.Join(dir, "sub")
		if err := os.Chmod(sub, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(sub, 0o755) })
		check(t, dir, ApplyInject(plan))
		if d := diffFileTrees(before, readFileTree(t, dir)); d != "" {
			t.Errorf("files changed: %s", d)
		}
	})
	t.Run("immutable folder", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("chattr +i needs root")
		}
		dir, before, plan := setup(t)
		sub := filepath.Join(dir, "sub")
		if out, err := exec.Command("chattr", "+i", sub).CombinedOutput(); err != nil {
			t.Skipf("chattr +i is not available here (%v: %s); the full-disk case covers this", err, out)
		}
		t.Cleanup(func() { exec.Command("chattr", "-i", sub).Run() })
		check(t, dir, ApplyInject(plan))
		if d := diffFileTrees(before, readFileTree(t, dir)); d != "" {
			t.Errorf("files changed: %s", d)
		}
	})
	t.Run("full disk", func(t *testing.T) {
		dir, before, plan := setup(t)
		// Fail the temporary file of the last folder written, after others succeeded.
		orig := createTemp
		t.Cleanup(func() { createTemp = orig })
		createTemp = func(d, pattern string) (*os.File, error) {
			if filepath.Base(d) == "sub" {
				return nil, &os.PathError{Op: "write", Path: d, Err: syscall.ENOSPC}
			}
			return orig(d, pattern)
		}
		check(t, dir, ApplyInject(plan))
		if d := diffFileTrees(before, readFileTree(t, dir)); d != "" {
			t.Errorf("files changed or temporary files left behind: %s", d)
		}
	})
}

// TestInjectKeepsModes: rewritten files keep their permission bits.
func TestInjectKeepsModes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFileTree(t, dir, brokenBuildBase())
	js := filepath.Join(dir, "ok.js")
	if err := os.Chmod(js, 0o640); err != nil {
		t.Fatal(err)
	}
	runInject(t, dir, InjectOptions{})
	info, err := os.Stat(js)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640", info.Mode().Perm())
	}
}

// TestInjectLegacyKey: with LegacyDebugIDKey the map carries both keys with the same value.
func TestInjectLegacyKey(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFileTree(t, dir, brokenBuildBase())
	plan, _ := runInject(t, dir, InjectOptions{LegacyDebugIDKey: true})
	data, err := os.ReadFile(filepath.Join(dir, "ok.js.map"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		DebugID  string `json:"debugId"`
		DebugID2 string `json:"debug_id"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var want string
	for _, f := range plan.Injected {
		if filepath.Base(f.Path) == "ok.js" {
			want = f.DebugID
		}
	}
	if m.DebugID != want || m.DebugID2 != want {
		t.Errorf("debugId %q, debug_id %q, want both %q", m.DebugID, m.DebugID2, want)
	}
}
