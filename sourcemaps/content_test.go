package sourcemaps

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestReadToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		line string
		at   int
		want jsToken
	}{
		{"identifier", "foo.bar(1)", 0, jsToken{tokIdent, "foo"}},
		{"property", "foo.bar(1)", 4, jsToken{tokIdent, "bar"}},
		{"dollar and underscore", "$_a1=2", 0, jsToken{tokIdent, "$_a1"}},
		{"keyword", "return x", 0, jsToken{tokKeyword, "return"}},
		{"keyword prefix is a name", "returned", 0, jsToken{tokIdent, "returned"}},
		{"double quoted", `x="a b"`, 2, jsToken{tokString, "a b"}},
		{"single quoted", `'it''s'`, 0, jsToken{tokString, "it"}},
		{"escapes decoded", `"Zo\xEB \u540D\u{1F680}\n\'"`, 0, jsToken{tokString, "Zoë 名🚀\n'"}},
		{"surrogate pair escape", `"\uD83D\uDE80"`, 0, jsToken{tokString, "🚀"}},
		{"other escaped character", `"a\qb"`, 0, jsToken{tokString, "aqb"}},
		{"nul escape", `"\0"`, 0, jsToken{tokString, "\x00"}},
		{"legacy octal escape is not compared", `"\01"`, 0, jsToken{}},
		{"bad hex escape", `"\xZZ"`, 0, jsToken{}},
		{"unterminated string", `"abc`, 0, jsToken{}},
		{"template without substitution", "`a b`", 0, jsToken{tokString, "a b"}},
		{"template with substitution", "`a ${b}`", 0, jsToken{}},
		{"escaped name", `\u540D\u524D:1`, 0, jsToken{tokIdent, "名前"}},
		{"escaped keyword spelling", `\u0072eturn`, 0, jsToken{tokKeyword, "return"}},
		{"escape that is no name character", `\u0020x`, 0, jsToken{}},
		{"non-ASCII name", "名前=1", 0, jsToken{tokIdent, "名前"}},
		{"number", "12+x", 0, jsToken{}},
		{"punctuator", "(x)", 0, jsToken{}},
		{"past the end", "x", 1, jsToken{}},
		{"longest name read", strings.Repeat("n", maxName) + "=1", 0, jsToken{tokIdent, strings.Repeat("n", maxName)}},
		{"longer names are not read", strings.Repeat("n", maxName+1), 0, jsToken{}},
		{"longer escaped names are not read", strings.Repeat("n", maxName) + `\u0061`, 0, jsToken{}},
		{"longer literals are not read", `"` + strings.Repeat("d", maxLiteral) + `"`, 0, jsToken{}},
		{"negative", "x", -1, jsToken{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := readToken(tt.line, tt.at); got != tt.want {
				t.Errorf("readToken(%q, %d) = %+v, want %+v", tt.line, tt.at, got, tt.want)
			}
		})
	}
}

func TestAfterDot(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		line string
		at   int
		want bool
	}{
		{"member", "a.b", 2, true},
		{"optional chain", "a?.b", 3, true},
		{"spaces", "a . b", 4, true},
		{"spread", "[...b]", 4, false},
		{"start of line", "b", 0, false},
		{"dot at start", ".b", 1, true},
		{"after a name", "a b", 2, false},
		{"16 blanks", "a." + strings.Repeat(" ", 16) + "b", 18, true},
		{"more blanks are not looked through", "a." + strings.Repeat(" ", 17) + "b", 19, false},
	}
	for _, tt := range tests {
		if got := afterDot(tt.line, tt.at); got != tt.want {
			t.Errorf("%s: afterDot(%q, %d) = %v, want %v", tt.name, tt.line, tt.at, got, tt.want)
		}
	}
}

// mapJSON writes a map with one source and the given lines of segments.
func mapJSON(t testing.TB, content string, names []string, lines ...[][]int32) []byte {
	t.Helper()
	if names == nil {
		names = []string{}
	}
	data, err := json.Marshal(map[string]any{"version": 3, "sources": []string{"src/app.js"},
		"sourcesContent": []string{content}, "names": names, "mappings": encodeLines(lines...)})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func measure(t testing.TB, js string, mapData []byte) ContentAgreement {
	t.Helper()
	m, _, err := Parse(mapData, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return MeasureContent(m, []byte(js))
}

func TestMeasureContent(t *testing.T) {
	t.Parallel()
	// The source and what a minifier makes of it: locals renamed, properties, strings and
	// keywords kept, const turned into let.
	const source = "function greet(person) {\n  const greeting = 'Hello, ' + person.name;\n  return greeting.trim();\n}\n"
	const minified = `function g(n){let e="Hello, "+n.name;return e.trim()}`
	// generated column, source, original line, original column[, name]
	correct := [][]int32{{0, 0, 0, 0}, {9, 0, 0, 9, 0}, {11, 0, 0, 15, 1}, {14, 0, 1, 2}, {18, 0, 1, 8, 2},
		{20, 0, 1, 19}, {30, 0, 1, 31, 1}, {32, 0, 1, 38}, {37, 0, 2, 2}, {44, 0, 2, 9, 2}, {46, 0, 2, 18}}
	names := []string{"greet", "person", "greeting"}
	tests := []struct {
		name          string
		js            string
		lines         [][][]int32
		content       string
		names         []string
		checked       [numTokenClasses]int
		agreed        [numTokenClasses]int
		firstMismatch string // the generated token of FirstMismatch, "" for none
		longestRun    int
	}{
		{
			name: "the right map", js: minified, lines: [][][]int32{correct}, content: source,
			// property: name, trim; string: "Hello, "; keyword: function, return. Neither
			// let (was const) nor the renamed g, n, e are compared.
			checked: [numTokenClasses]int{ClassProperty: 2, ClassString: 1, ClassKeyword: 2},
			agreed:  [numTokenClasses]int{ClassProperty: 2, ClassString: 1, ClassKeyword: 2},
		},
		{
			name: "the file's code changed after the map was made", lines: [][][]int32{correct}, content: source,
			js:      `function g(n){let e="Howdy, "+n.nick;return e.trim()}`,
			checked: [numTokenClasses]int{ClassProperty: 2, ClassString: 1, ClassKeyword: 2},
			agreed:  [numTokenClasses]int{ClassProperty: 1, ClassString: 0, ClassKeyword: 2},
			// "Hello, " is expected where the file now says "Howdy, ".
			firstMismatch: "Howdy, ", longestRun: 2,
		},
		{
			name: "the map points into the middle of names", lines: [][][]int32{{{1, 0, 0, 0}, {16, 0, 1, 8}, {32, 0, 1, 8}}}, content: source, js: minified,
			checked:       [numTokenClasses]int{ClassSplit: 2, ClassProperty: 1},
			agreed:        [numTokenClasses]int{ClassProperty: 0},
			firstMismatch: "u", longestRun: 3,
		},
		{
			name: "no sourcesContent: nothing compared", js: minified, lines: [][][]int32{correct}, content: "",
		},
		{
			name: "positions past the generated line are skipped", js: "a.b", content: "a.b\n",
			lines:   [][][]int32{{{2, 0, 0, 2}, {9, 0, 0, 0}}},
			checked: [numTokenClasses]int{ClassProperty: 1}, agreed: [numTokenClasses]int{ClassProperty: 1},
		},
		{
			name: "positions past the original line are skipped", js: "a.b", content: "a.b\n",
			lines: [][][]int32{{{2, 0, 0, 9}}},
		},
		{
			name: "quotes and escapes do not matter", js: `x="caf\xE9"+'名'+"\u{1F680}"`, content: "x = `café` + \"名\" + '🚀'",
			// Original columns count UTF-16 units: the emoji's string starts after 名 (one unit).
			lines:   [][][]int32{{{2, 0, 0, 4}, {12, 0, 0, 13}, {16, 0, 0, 19}}},
			checked: [numTokenClasses]int{ClassString: 3}, agreed: [numTokenClasses]int{ClassString: 3},
		},
		{
			name: "UTF-16 generated columns", js: `a="😀é".length`, content: "a = '😀é'.length",
			lines:   [][][]int32{{{8, 0, 0, 10}}},
			checked: [numTokenClasses]int{ClassProperty: 1}, agreed: [numTokenClasses]int{ClassProperty: 1},
		},
		{
			name: "a column inside a surrogate pair is skipped", js: `a="😀".b`, content: "a.b",
			lines: [][][]int32{{{3, 0, 0, 2}, {4, 0, 0, 2}}},
		},
		{
			name: "relative import specifiers are rewritten by bundlers", js: `import"./chunk-X1.js";`, content: "import './util.js';",
			lines:   [][][]int32{{{0, 0, 0, 0}, {6, 0, 0, 7}}},
			checked: [numTokenClasses]int{ClassKeyword: 1}, agreed: [numTokenClasses]int{ClassKeyword: 1},
		},
		{
			name: "a substitution after template text is no split name", js: "x=`\\n${a.b}`", content: "x = `\\n${a.b}`",
			lines:   [][][]int32{{{5, 0, 0, 7}, {9, 0, 0, 11}}},
			checked: [numTokenClasses]int{ClassProperty: 1}, agreed: [numTokenClasses]int{ClassProperty: 1},
		},
		{
			name: "empty strings agree", js: `x=""`, content: "x = ''",
			lines:   [][][]int32{{{2, 0, 0, 4}}},
			checked: [numTokenClasses]int{ClassString: 1}, agreed: [numTokenClasses]int{ClassString: 1},
		},
		{
			name: "templates in generated code are not read", js: "x=`a`", content: "x = 'a'",
			lines: [][][]int32{{{2, 0, 0, 4}}},
		},
		{
			name: "names are not compared, even with a names entry", js: "var _Money=1;f(x)", content: "var Money = 1; g(y)", names: []string{"_Money"},
			lines: [][][]int32{{{4, 0, 0, 4, 0}, {13, 0, 0, 15}, {15, 0, 0, 17}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var data []byte
			n := names
			if tt.names != nil {
				n = tt.names
			}
			if tt.content == "" {
				data = []byte(`{"version":3,"sources":["src/app.js"],"names":["greet","person","greeting"],"mappings":"` + encodeLines(tt.lines...) + `"}`)
			} else {
				data = mapJSON(t, tt.content, n, tt.lines...)
			}
			a := measure(t, tt.js, data)
			if a.Checked != tt.checked || a.Agreed != tt.agreed {
				t.Errorf("checked %v agreed %v, want %v and %v", a.Checked, a.Agreed, tt.checked, tt.agreed)
			}
			got := ""
			if a.FirstMismatch != nil {
				got = a.FirstMismatch.Generated
			}
			if got != tt.firstMismatch || a.LongestRun != tt.longestRun {
				t.Errorf("first mismatch %q, longest run %d; want %q and %d", got, a.LongestRun, tt.firstMismatch, tt.longestRun)
			}
		})
	}
}

// TestCheckContentFindings: the thresholds turn the share and the run into findings.
func TestCheckContentFindings(t *testing.T) {
	t.Parallel()
	// A source of 200 property accesses "o.pXY;", one a line, and its minified form on one line.
	var src, gen strings.Builder
	var segs [][]int32
	for i := range 200 {
		name := "p" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		src.WriteString("o." + name + ";\n")
		segs = append(segs, []int32{int32(gen.Len() + 2), 0, int32(i), 2})
		gen.WriteString("o." + name + ";")
	}
	// rewrite changes the properties for which changed is true, as an edit of the generated
	// file after its map was made would (pXY becomes zXY).
	rewrite := func(changed func(i int) bool) string {
		b := []byte(gen.String())
		for i, s := range segs {
			if changed(i) {
				b[s[0]] = 'z'
			}
		}
		return string(b)
	}
	between := func(from, to int) func(int) bool { return func(i int) bool { return i >= from && i < to } }
	col := func(i int) int { return int(segs[i][0]) + 1 }
	mapData := mapJSON(t, src.String(), nil, segs)
	tests := []struct {
		name     string
		js       string
		severity Severity // 0: no finding
		column   int
		message  string
	}{
		{"agrees", gen.String(), 0, 0, ""},
		{"one rewrite", rewrite(between(0, 1)), 0, 0, ""},
		{"15 in a row, 92.5% agree", rewrite(between(100, 115)), 0, 0, ""},
		{"every tenth, 90% agree", rewrite(func(i int) bool { return i%10 == 3 }), 0, 0, ""},
		{"16 in a row: warning by run", rewrite(between(100, 116)), SeverityWarning, col(100), "92% of the 200 mapped property names, strings and keywords are at their original positions in sourcesContent (real builds: 94% or more), and 16 in a row disagree from here on (real builds: at most 6); the map was probably made before"},
		{"every fourth, 75% agree: warning by share", rewrite(func(i int) bool { return i%4 == 1 }), SeverityWarning, col(1), "75% of the 200 mapped property names, strings and keywords are at their original positions in sourcesContent (real builds: 94% or more); the map was probably made before"},
		{"three of four, 25% agree: error by share", rewrite(func(i int) bool { return i%4 != 0 }), SeverityError, col(1), "25% of the 200 mapped property names, strings and keywords are at their original positions in sourcesContent (real builds: 94% or more); the map was made for other code"},
		{"everything after an edit: error, placed at the edit", rewrite(between(50, 200)), SeverityError, col(50), "(real builds: 94% or more), and 150 in a row disagree from here on (real builds: at most 6); the map was made for other code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &Pair{JS: "dist/app.js", Map: "dist/app.js.map", Kind: MapExternal, JSData: []byte(tt.js), MapData: mapData}
			var found []Finding
			for _, f := range CheckPair(p, Limits{}) {
				if f.Code == CodeContentMismatch {
					found = append(found, f)
				} else {
					t.Errorf("unexpected finding %s: %s", f.Code, f.Message)
				}
			}
			if tt.severity == 0 {
				if len(found) != 0 {
					t.Fatalf("findings %+v, want none", found)
				}
				return
			}
			if len(found) != 1 {
				t.Fatalf("findings %+v, want one", found)
			}
			f := found[0]
			if f.Severity != tt.severity || f.Line != 1 || f.Column != tt.column || f.Map != "dist/app.js.map" || !strings.Contains(f.Message, tt.message) {
				t.Errorf("finding %s at %d:%d (map %s): %s\nwant %s at 1:%d containing %q", f.Severity, f.Line, f.Column, f.Map, f.Message, tt.severity, tt.column, tt.message)
			}
			if !strings.Contains(f.Message, "src/app.js:") {
				t.Errorf("message does not name the source position: %s", f.Message)
			}
		})
	}
}

func TestCheckContentTooFewTokens(t *testing.T) {
	t.Parallel()
	// 19 compared tokens that all disagree decide nothing: one rewrite more or less would
	// swing a share computed on so few.
	var src, gen strings.Builder
	var segs [][]int32
	for i := range contentMinChecked - 1 {
		src.WriteString("o.pa;\n")
		segs = append(segs, []int32{int32(gen.Len() + 2), 0, int32(i), 2})
		gen.WriteString("o.zz;")
	}
	p := &Pair{JS: "app.js", Map: "app.js.map", Kind: MapExternal, JSData: []byte(gen.String()), MapData: mapJSON(t, src.String(), nil, segs)}
	if fs := CheckPair(p, Limits{}); len(fs) != 0 {
		t.Fatalf("findings %+v, want none", fs)
	}
}

// FuzzReadToken: no line and offset may panic, and what is read is a real token: a name
// made of name characters, or a string value.
func FuzzReadToken(f *testing.F) {
	for _, s := range []string{`a.b`, `"x\u{1F680}\xE9"`, "`a${b}`", `\u540D:1`, `'\0'`, "名前", `"\uD83D\uDE80"`,
		strings.Repeat("n", maxName) + "=", strings.Repeat("n", maxName+1), strings.Repeat("n", maxName-1) + `\u0061`} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, line string, at int) {
		tok := readToken(line, at)
		switch tok.kind {
		case tokIdent, tokKeyword:
			if tok.text == "" || !utf8.ValidString(tok.text) {
				t.Fatalf("name %q read from %q at %d", tok.text, line, at)
			}
			if isReserved(tok.text) != (tok.kind == tokKeyword) {
				t.Fatalf("%q classified as %d", tok.text, tok.kind)
			}
		case tokOther:
			if tok.text != "" {
				t.Fatalf("unclassified token with text %q", tok.text)
			}
		}
		_ = afterDot(line, at) // must not panic, whatever at is
		if at < 0 || at > len(line) {
			return
		}
		// holds is readToken's comparison, short-cut: they must agree for any wanted text.
		for _, want := range []string{tok.text, tok.text + "a", tok.text[:len(tok.text)/2], line[at:min(len(line), at+3)]} {
			if got, exp := holds(line[at:], want), tok.kind != tokOther && tok.text == want; got != exp {
				t.Fatalf("holds(%q, %q) = %v, but readToken read %+v", line[at:], want, got, tok)
			}
		}
	})
}

// FuzzMeasureContent: any file and any map that parses give counts that add up, and a
// mismatch only where something was compared.
func FuzzMeasureContent(f *testing.F) {
	f.Add("function g(n){return n.name}", "function greet(person) {\n  return person.name;\n}\n", "AAAA,SAAS,EAAE,CAAC,CAAC,CAAC,QAAQ,CAAC")
	f.Add("a=\"😀\".b\r\nc.d", "a.b\u2028c.d", "AAAA,KAAG;AAAA")
	f.Fuzz(func(t *testing.T, js, content, mappings string) {
		data, err := json.Marshal(map[string]any{"version": 3, "sources": []string{"a.js"}, "sourcesContent": []string{content}, "names": []string{"n"}, "mappings": mappings})
		if err != nil {
			return
		}
		m, _, err := Parse(data, Limits{})
		if err != nil {
			return
		}
		a := MeasureContent(m, []byte(js))
		agreed, checked := a.Share()
		if agreed > checked || a.LongestRun > checked-agreed {
			t.Fatalf("agreed %d, checked %d, longest run %d", agreed, checked, a.LongestRun)
		}
		if (a.FirstMismatch == nil) != (agreed == checked) {
			t.Fatalf("first mismatch %+v with %d of %d agreeing", a.FirstMismatch, agreed, checked)
		}
	})
}

// FuzzIndexLineTerminator: the fast search finds what strings.IndexAny finds, and isASCII
// agrees with a byte loop.
func FuzzIndexLineTerminator(f *testing.F) {
	for _, s := range []string{"", "a\nb", "a\r\nb", "€…\u2028x", "\xe2\x80", "abc\xe2\x80\xa9", "▁▂\rx\n", "12345678\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := indexLineTerminator(s), strings.IndexAny(s, lineTerminators); got != want {
			t.Fatalf("indexLineTerminator(%q) = %d, strings.IndexAny says %d", s, got, want)
		}
		ascii := true
		for i := 0; i < len(s); i++ {
			ascii = ascii && s[i] < utf8.RuneSelf
		}
		if isASCII(s) != ascii {
			t.Fatalf("isASCII(%q) = %v", s, !ascii)
		}
	})
}

// TestSourceTextLongLines: on a long non-ASCII line, lookups in any order (served from
// checkpoints) find the same place as a walk from the line's start.
func TestSourceTextLongLines(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for i := 0; b.Len() < 3*longLine; i++ {
		b.WriteString([]string{"a.b", "é", "😀", "x=\"名\"", " "}[i%5])
	}
	line := b.String()
	src := newSourceText("short é\n" + line + "\nlast")
	cols := utf16Len(line) + 3
	for _, col := range rand.Perm(cols) {
		var walk utf16Cursor
		want, wantOK := "", false
		if i := walk.seek(line, col); i >= 0 {
			want, wantOK = line[i:], true
		}
		got, ok := src.at(1, col)
		if got != want || ok != wantOK {
			t.Fatalf("at(1, %d) = %.10q, %v; a walk from the start gives %.10q, %v", col, got, ok, want, wantOK)
		}
	}
	if len(src.longLines[1]) < cols/checkpointEvery {
		t.Errorf("%d checkpoints for %d columns", len(src.longLines[1]), cols)
	}
	if got, ok := src.at(0, 6); !ok || got != "é" {
		t.Errorf("short line: at(0, 6) = %q, %v", got, ok)
	}
}

// TestMeasureContentLongLineAnyOrder: a source holding one long non-ASCII line (a minified
// library in sourcesContent) looked up at random columns gives the right text at each; that
// the lookups use the line's checkpoints rather than a walk from its start (100,000 lookups
// into 1 MB would then take minutes) is TestSourceTextLongLines' and
// BenchmarkContentLongLineAnyOrder's to show, not a clock's in a test.
func TestMeasureContentLongLineAnyOrder(t *testing.T) {
	t.Parallel()
	gen, data, n := longLineAnyOrder(t)
	a := measure(t, gen, data)
	// Every lookup lands on "a", ".", "é" or "+": none holds the property "p".
	if agreed, checked := a.Share(); agreed != 0 || checked != n || a.FirstMismatch.Original == "" {
		t.Errorf("%d of %d agreed, first mismatch %+v; want 0 of %d, with the source's text", agreed, checked, a.FirstMismatch, n)
	}
}

// BenchmarkContentLongLineAnyOrder: 100,000 lookups at random columns of a 1 MB non-ASCII line.
func BenchmarkContentLongLineAnyOrder(b *testing.B) {
	gen, data, _ := longLineAnyOrder(b)
	for b.Loop() {
		measure(b, gen, data)
	}
}

// longLineAnyOrder is a generated file of 100,000 property accesses, each mapped to a random
// column of one 1 MB line of sourcesContent.
func longLineAnyOrder(t testing.TB) (string, []byte, int) {
	line := strings.Repeat("a.é+", 250_000)
	rng := rand.New(rand.NewPCG(1, 2))
	var gen strings.Builder
	var segs [][]int32
	cols := utf16Len(line)
	for range 100_000 {
		segs = append(segs, []int32{int32(gen.Len() + 2), 0, 0, int32(rng.IntN(cols))})
		gen.WriteString("o.p;")
	}
	return gen.String(), mapJSON(t, line, nil, segs), len(segs)
}
