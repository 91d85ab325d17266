package sourcemaps

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// The fuzz targets check inject's invariants on arbitrary input; their seed corpus is in
// testdata/fuzz/. Run them with: go test ./sourcemaps -run '^$' -fuzz FuzzInject

// FuzzInsertionPoint: the insertion point is inside the file, on a character boundary, and
// injecting there only adds text.
func FuzzInsertionPoint(f *testing.F) {
	for _, tc := range insertionTable {
		f.Add([]byte(tc.js))
	}
	f.Fuzz(func(t *testing.T, js []byte) {
		if !utf8.Valid(js) {
			return // planPair refuses such files before looking for the point
		}
		off := injectionOffset(js)
		if off < 0 || off > len(js) || !utf8.Valid(js[:off]) {
			t.Fatalf("offset %d of %q is not a character boundary inside the file", off, js)
		}
		if len(js) > 0 && !bytes.ContainsAny(js[:1], "#/\"' \t\n\r\v\f") && utf8.RuneLen(rune(js[0])) == 1 && off != 0 {
			t.Fatalf("file %q starts with code but the point is %d", js, off)
		}
		const id = "00000000-0000-5000-8000-000000000000"
		out := injectRegular(js, off, id)
		ins := len(snippetHead) + len(id) + len(snippetTail) + 2
		if !bytes.Equal(out[:off], js[:off]) || !bytes.Equal(out[off+ins:off+ins+len(js)-off], js[off:]) {
			t.Fatal("injecting changed the original text")
		}
		if !bytes.HasSuffix(out, []byte("\n"+debugIDComment+id+"\n")) {
			t.Fatal("the debug ID comment is not last")
		}
	})
}

// FuzzInject plans a file with a map and checks: no panic; the JS ends with its debug ID
// comment; the rewritten map parses, carries the ID and keeps unknown keys; every original
// segment still points at the same character of the moved text; and the fast splice of the
// mappings text agrees with re-encoding them.
func FuzzInject(f *testing.F) {
	f.Add([]byte("foo();bar();\n"), "AAAA,MAAC")
	f.Add([]byte(`"use strict";foo();`+"\nbar();\n"), "AAAA,YAAC,CAAC,CAAC;AACA")
	f.Add([]byte("#!/usr/bin/env node\n// c\nfoo();\n"), "AAAA;AACA;AACA,GAAG")
	f.Add([]byte("/* c */ foo();\r\nbar();"), "AAAA,GAAGA;AACA")
	f.Add([]byte("'use strict';\r\nfoo();"), "AAAA,aAAC;AACA")
	f.Add([]byte("/*😀*/ foo();bar();"), "AAAA,KAAC,CAAC,CAAC,CAAC,CAAC")
	f.Add([]byte("/*a*/foo();\nbar();"), "AAAA,AAAC,KAAI,AAAC,EAAC,AAAC;AACA,AAAC")
	f.Add([]byte("\ufefffoo();\u2028bar();"), "AAAA,CAAC;AACA")
	f.Add([]byte(""), "AAAA")
	f.Fuzz(func(t *testing.T, js []byte, mappings string) {
		quoted, err := json.Marshal(mappings)
		if err != nil {
			return
		}
		mapData := []byte(`{"version":3,"sources":["a.js"],"names":["n","m"],"mappings":` + string(quoted) + `,"x_keep":[1]}`)
		orig, _, err := Parse(mapData, Limits{})
		if err != nil {
			return
		}
		p := &Pair{JS: "a.js", Map: "a.js.map", Kind: MapExternal, JSData: js, MapData: mapData}
		res := planPair(p, InjectOptions{})
		if res.injected == nil {
			if len(res.findings) == 0 {
				t.Fatal("neither injected nor reported")
			}
			return
		}
		id := res.injected.DebugID
		if len(res.writes) != 2 {
			t.Fatalf("%d writes", len(res.writes))
		}
		out, newMap := res.writes[0].bytes(), res.writes[1].bytes()
		if !bytes.HasSuffix(out, []byte("\n"+debugIDComment+id+"\n")) {
			t.Fatal("the JS does not end with its debug ID comment")
		}
		if got, _, _ := FindDebugID(out); got != id {
			t.Fatalf("FindDebugID = %q, want %q", got, id)
		}
		m, _, err := Parse(newMap, Limits{})
		if err != nil {
			t.Fatalf("rewritten map does not parse: %v\n%s", err, newMap)
		}
		if m.DebugID != id || !bytes.Contains(newMap, []byte(`"x_keep":[1]`)) {
			t.Fatalf("rewritten map lost its ID or extra key: %s", newMap)
		}

		off := injectionOffset(js)
		at := positionAt(js, off)
		to := positionAt(out, off+len(snippetHead)+len(id)+len(snippetTail)+2)
		if got := insertedPos(js, off, at); got != to {
			t.Fatalf("insertedPos = %v, positionAt of the new text = %v", got, to)
		}
		lastEmpty := lastLineEmpty(js)
		lines := generatedLines(js)
		for l := range orig.Mappings.Lines() {
			if lastEmpty && l == lines-1 {
				continue // dropped, as sentry-cli drops them
			}
			for _, s := range orig.Mappings.Line(l) {
				nl, nc := l, int(s.GenColumn)
				switch {
				case l == at.line && nc >= at.col:
					nl, nc = to.line, nc-at.col+to.col
				case l > at.line:
					nl += to.line - at.line
				}
				found := false
				for _, n := range m.Mappings.Line(nl) {
					if int(n.GenColumn) == nc {
						found = true
					}
				}
				if !found {
					t.Fatalf("segment at %d:%d has no image at %d:%d; new mappings %q", l, s.GenColumn, nl, nc, m.Mappings)
				}
				if a, b := runeAt(js, l, int(s.GenColumn)), runeAt(out, nl, nc); a != b {
					t.Fatalf("segment at %d:%d pointed at %q, its image at %d:%d points at %q", l, s.GenColumn, a, nl, nc, b)
				}
			}
		}

		full := shiftForInsert(&orig.Mappings, at, to)
		if spliced, ok := spliceMappings(mappings, &orig.Mappings, at, to); ok && !lastEmpty {
			a, _ := decodeMappings(spliced, 1, 2, 0)
			if encodeMappings(&a) != encodeMappings(&full) {
				t.Fatalf("splice %q and full re-encoding %q disagree", spliced, encodeMappings(&full))
			}
		}
	})
}

// runeAt returns the character at a 0-based line and UTF-16 column of text (lines split at
// every ECMAScript line terminator), or "" when the position is past the line or inside a
// character.
func runeAt(text []byte, line, col int) string {
	s := string(text)
	for ; line > 0; line-- {
		_, rest, found := cutLine(s)
		if !found {
			return ""
		}
		s = rest
	}
	l, _, _ := cutLine(s)
	u := 0
	for _, r := range l {
		if u == col {
			return string(r)
		}
		if u > col {
			return ""
		}
		u += utf16Len(string(r))
	}
	return ""
}

// spliceMappings applies spliceEdit to a whole mappings string.
func spliceMappings(raw string, m *Mappings, at, to textPos) (string, bool) {
	start, end, text, ok := spliceEdit([]byte(raw), m, at, to)
	if !ok {
		return "", false
	}
	return raw[:start] + string(text) + raw[end:], true
}

// bytes returns a planned write's content in one piece (the plan keeps it as pieces).
func (w *fileWrite) bytes() []byte {
	if len(w.parts) == 1 {
		return w.parts[0]
	}
	return bytes.Join(w.parts, nil)
}
