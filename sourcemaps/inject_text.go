package sourcemaps

import (
	"bytes"
	"unicode"
	"unicode/utf8"
)

// This file holds the text-level half of inject: where sentry-cli 3.8.0 puts the snippet in a
// generated file, the exact bytes it writes, and how the map's generated positions move. Every
// rule here was observed on sentry-cli 3.8.0 itself (docs/inject.md lists the experiments); the
// few places where releasegate deliberately differs are marked "Deliberate difference".

// The snippet sentry-cli 3.x inserts, split around the debug ID. It must stay byte-identical:
// the JS SDK reads _sentryDebugIds, and users compare injected output across tools.
const (
	snippetHead = `!function(){try{var e="undefined"!=typeof window?window:"undefined"!=typeof global?global:"undefined"!=typeof globalThis?globalThis:"undefined"!=typeof self?self:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},e._sentryDebugIds[n]="`
	snippetTail = `")}catch(e){}}();`
)

// debugIDComment is the trailing comment Sentry's tools look for (the last "//# debugId=").
const debugIDComment = "//# debugId="

func snippet(id string) string { return snippetHead + id + snippetTail }

// injectionOffset returns where sentry-cli inserts the snippet into a file that has a regular
// map: the end of the longest prefix made of an optional hashbang line, then any run of
// whitespace, block comments and line comments, then at most one directive-like statement
// ("…"; or '…'; plus one optional line break character). It reproduces sentry-cli's regular
// expression
//
//	^(#!.*[\n\r])?(?:\s+|/\*(?:.|\r|\n)*?\*/|//.*[\n\r])*(?:"[^"]*";|'[^']*';[\n\r]?)?
//
// including its quirks: "." stops only at "\n" (so a lone "\r" does not end a line comment),
// \s is Unicode whitespace (a BOM is not), and the directive's quotes ignore escapes. js must be
// valid UTF-8 (sentry-cli refuses other files).
func injectionOffset(js []byte) int {
	pos := 0
	if bytes.HasPrefix(js, []byte("#!")) {
		pos = lineCommentEnd(js, 2, 0)
	}
	for pos < len(js) {
		r, size := utf8.DecodeRune(js[pos:])
		switch {
		case unicode.IsSpace(r):
			pos += size
			for pos < len(js) {
				r, size = utf8.DecodeRune(js[pos:])
				if !unicode.IsSpace(r) {
					break
				}
				pos += size
			}
			continue
		case bytes.HasPrefix(js[pos:], []byte("/*")):
			end := bytes.Index(js[pos+2:], []byte("*/"))
			if end < 0 {
				return directiveEnd(js, pos)
			}
			pos += 2 + end + 2
			continue
		case bytes.HasPrefix(js[pos:], []byte("//")):
			end := lineCommentEnd(js, pos+2, -1)
			if end < 0 {
				return directiveEnd(js, pos)
			}
			pos = end
			continue
		}
		break
	}
	return directiveEnd(js, pos)
}

// lineCommentEnd matches ".*[\n\r]" at js[from:]: through the first "\n" if there is one, else
// through the last "\r" (the regex backtracks to it). It returns fail when neither exists.
func lineCommentEnd(js []byte, from, fail int) int {
	if i := bytes.IndexByte(js[from:], '\n'); i >= 0 {
		return from + i + 1
	}
	if i := bytes.LastIndexByte(js[from:], '\r'); i >= 0 {
		return from + i + 1
	}
	return fail
}

// directiveEnd matches the optional directive at js[pos:] and returns the end of the prefix.
func directiveEnd(js []byte, pos int) int {
	if pos >= len(js) {
		return pos
	}
	q := js[pos]
	if q != '"' && q != '\'' {
		return pos
	}
	i := bytes.IndexByte(js[pos+1:], q)
	if i < 0 {
		return pos
	}
	end := pos + 1 + i + 1
	if end >= len(js) || js[end] != ';' {
		return pos
	}
	end++
	if q == '\'' && end < len(js) && (js[end] == '\n' || js[end] == '\r') {
		end++
	}
	return end
}

// injectRegularParts returns, as pieces sharing js, the file with the snippet inserted at off
// and the debug ID comment appended, as sentry-cli writes a file that has a regular (not
// index) map.
func injectRegularParts(js []byte, off int, id string) [][]byte {
	return [][]byte{js[:off], []byte("\n" + snippet(id) + "\n"), js[off:], []byte("\n" + debugIDComment + id + "\n")}
}

// injectRegular is injectRegularParts in one piece.
func injectRegular(js []byte, off int, id string) []byte {
	return bytes.Join(injectRegularParts(js, off, id), nil)
}

// insertedPos returns where the text that followed off in js starts once injectRegular has
// inserted "\n" + snippet + "\n" there (at is positionAt(js, off)): two lines down at column 0,
// or one line when js[:off] ends with a lone CR, which the inserted "\n" turns into a CRLF.
func insertedPos(js []byte, off int, at textPos) textPos {
	if off > 0 && js[off-1] == '\r' && (off == len(js) || js[off] != '\n') {
		return textPos{at.line + 1, 0}
	}
	return textPos{at.line + 2, 0}
}

// injectIndexed returns js injected as sentry-cli injects a file whose map is an index map: it
// inserts exactly one line (so every section moves down by one line): after the hashbang line,
// the first directive repeated with a ";" (when the first statement is a "use …" string), then
// the snippet and a line break. It also returns the 0-based line the snippet went on.
func injectIndexed(js []byte, id string) (out []byte, line int) {
	start := 0
	if bytes.HasPrefix(js, []byte("#!")) {
		if i := bytes.IndexByte(js, '\n'); i >= 0 {
			start = i + 1
		} else {
			start = len(js)
		}
		line = 1
	}
	directive := useDirective(js[start:])
	sn := snippet(id)
	out = make([]byte, 0, len(js)+len(directive)+len(sn)+len(id)+len(debugIDComment)+5)
	out = append(out, js[:start]...)
	if start > 0 && js[start-1] != '\n' {
		out = append(out, '\n')
	}
	out = append(out, directive...)
	out = append(out, sn...)
	out = append(out, '\n')
	out = append(out, js[start:]...)
	out = append(out, '\n')
	out = append(out, debugIDComment...)
	out = append(out, id...)
	out = append(out, '\n')
	return out, line
}

// useDirective returns the first statement of js as a directive with ";" when it is a string
// literal starting with "use " (after whitespace and comments), as sentry-cli repeats it before
// the snippet for index maps; otherwise "". The original directive stays where it was.
func useDirective(js []byte) []byte {
	pos := 0
	for pos < len(js) {
		r, size := utf8.DecodeRune(js[pos:])
		switch {
		case unicode.IsSpace(r):
			pos += size
			continue
		case bytes.HasPrefix(js[pos:], []byte("/*")):
			end := bytes.Index(js[pos+2:], []byte("*/"))
			if end < 0 {
				return nil
			}
			pos += 2 + end + 2
			continue
		case bytes.HasPrefix(js[pos:], []byte("//")):
			end := bytes.IndexAny(js[pos:], "\n\r")
			if end < 0 {
				return nil
			}
			pos += end
			continue
		}
		break
	}
	if pos >= len(js) || (js[pos] != '"' && js[pos] != '\'') {
		return nil
	}
	q := js[pos]
	i := bytes.IndexAny(js[pos+1:], string(q)+"\n\r")
	if i < 0 || js[pos+1+i] != q {
		return nil
	}
	lit := js[pos : pos+1+i+1]
	if !bytes.HasPrefix(lit[1:], []byte("use ")) {
		return nil
	}
	return append(append([]byte{}, lit...), ';')
}

// injectAtEnd returns js injected as sentry-cli injects a file without a usable map, where
// positions must not move: the lines are rewritten with "\n" line ends (sentry-cli normalises
// CRLF here), the last line that starts with a sourceMappingURL comment is taken out, then come
// the snippet, that comment and the debug ID comment.
func injectAtEnd(js []byte, id string) []byte {
	lines := rustLines(js)
	ref := -1
	for i := len(lines) - 1; i >= 0; i-- {
		if isSourceMappingURLLine(lines[i]) {
			ref = i
			break
		}
	}
	sn := snippet(id)
	out := make([]byte, 0, len(js)+len(sn)+len(debugIDComment)+len(id)+4)
	for i, l := range lines {
		if i != ref {
			out = append(append(out, l...), '\n')
		}
	}
	out = append(append(out, sn...), '\n')
	if ref >= 0 {
		out = append(append(out, lines[ref]...), '\n')
	}
	out = append(out, debugIDComment...)
	out = append(append(out, id...), '\n')
	return out
}

// replaceInlineMap returns js (already injected) with its last sourceMappingURL line replaced by
// an inline map of newMap, and every line re-ended with "\n", as sentry-cli rewrites files with
// embedded maps. ok is false when no line starts with a sourceMappingURL comment (sentry-cli
// then leaves the old, now wrong, map in place; releasegate refuses instead).
func replaceInlineMap(js []byte, b64 string) (out []byte, ok bool) {
	lines := rustLines(js)
	ref := -1
	for i := len(lines) - 1; i >= 0; i-- {
		if isSourceMappingURLLine(lines[i]) {
			ref = i
			break
		}
	}
	if ref < 0 {
		return nil, false
	}
	const prefix = "//# sourceMappingURL=" + inlineMapPrefix
	out = make([]byte, 0, len(js)-len(lines[ref])+len(prefix)+len(b64)+1)
	for i, l := range lines {
		if i == ref {
			out = append(append(append(out, prefix...), b64...), '\n')
			continue
		}
		out = append(append(out, l...), '\n')
	}
	return out, true
}

func isSourceMappingURLLine(l []byte) bool {
	return bytes.HasPrefix(l, []byte("//# sourceMappingURL=")) || bytes.HasPrefix(l, []byte("//@ sourceMappingURL="))
}

// rustLines splits text the way Rust's BufRead::lines does, which sentry-cli uses when it
// rewrites a file line by line: at "\n", dropping a "\r" just before it, with no empty last
// line after a final "\n".
func rustLines(text []byte) [][]byte {
	lines := make([][]byte, 0, bytes.Count(text, []byte("\n"))+1)
	for len(text) > 0 {
		i := bytes.IndexByte(text, '\n')
		if i < 0 {
			lines = append(lines, text)
			break
		}
		l := text[:i]
		if len(l) > 0 && l[len(l)-1] == '\r' {
			l = l[:len(l)-1]
		}
		lines = append(lines, l)
		text = text[i+1:]
	}
	return lines
}

// textPos is a 0-based generated position: a line and a column in UTF-16 code units.
type textPos struct{ line, col int }

// positionAt returns the source-map position of byte offset off in text: lines split at every
// ECMAScript line terminator, columns in UTF-16 units. An offset between the "\r" and "\n" of a
// CRLF is placed just after the "\r" on its line.
//
// Deliberate difference: sentry-cli counts lines at "\n" only and columns in bytes. The two agree
// unless the text before the insertion point holds a lone "\r", U+2028/U+2029, or non-ASCII text
// on the insertion line followed by code; there sentry-cli's shifted map points at the wrong
// columns and releasegate's stays right.
func positionAt(text []byte, off int) textPos {
	var p textPos
	lineStart := 0
	for i := 0; i < off; i++ {
		switch c := text[i]; {
		case c == '\n':
			p.line++
			lineStart = i + 1
		case c == '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				if i+1 == off {
					// between "\r" and "\n": still on this line
					return textPos{p.line, utf16Len(string(text[lineStart:off]))}
				}
				continue // the "\n" ends the line
			}
			p.line++
			lineStart = i + 1
		case c == 0xE2 && i+2 < off && text[i+1] == 0x80 && (text[i+2] == 0xA8 || text[i+2] == 0xA9):
			p.line++
			i += 2
			lineStart = i + 1
		}
	}
	p.col = utf16Len(string(text[lineStart:off]))
	return p
}

// shiftForInsert returns m's segments moved for text inserted at old position at, where the text
// that followed at now starts at new position to (to.line > at.line). It copies what sentry-cli
// gets from composing the map with the edit's map (rust-sourcemap's adjust_mappings), which is
// more than "shift what comes after":
//
//   - segments before at keep their place; those on at's line from at on move to to's line,
//     their columns shifted by to.col-at.col; later lines move down by to.line-at.line;
//   - when the segment in force at at (the last one before it on its line) started before it,
//     a copy of it is added at to, so the moved code still maps to where it came from;
//   - of several segments at the same position, only the last is kept when that position is a
//     line's column 0 or at itself (elsewhere all are kept).
func shiftForInsert(m *Mappings, at, to textPos) Mappings {
	n := m.Lines()
	out := Mappings{
		Segments:  make([]Segment, 0, len(m.Segments)+1),
		lineStart: make([]int32, 1, n+(to.line-at.line)+1),
	}
	curLine := 0
	emit := func(line int, s Segment) {
		for curLine < line {
			out.lineStart = append(out.lineStart, int32(len(out.Segments)))
			curLine++
		}
		out.Segments = append(out.Segments, s)
	}
	dl := to.line - at.line
	for l := range n {
		segs := m.Line(l)
		var moved []Segment
		for j, s := range segs {
			c := int(s.GenColumn)
			next := -1 // -1: the segment runs to the end of its line
			if j+1 < len(segs) {
				next = int(segs[j+1].GenColumn)
			}
			if next == c && (c == 0 || (l == at.line && c == at.col)) {
				continue
			}
			switch {
			case l < at.line:
				emit(l, s)
			case l == at.line && c < at.col:
				emit(l, s)
				if next < 0 || next > at.col {
					cp := s
					cp.GenColumn = int32(to.col)
					moved = append(moved, cp)
				}
			case l == at.line:
				s.GenColumn = int32(c - at.col + to.col)
				moved = append(moved, s)
			default:
				emit(l+dl, s)
			}
		}
		for _, s := range moved {
			emit(to.line, s)
		}
	}
	last := n - 1 + dl
	if n <= at.line {
		last = n - 1
	}
	for curLine < last {
		out.lineStart = append(out.lineStart, int32(len(out.Segments)))
		curLine++
	}
	out.lineStart = append(out.lineStart, int32(len(out.Segments)))
	return out
}

// dropsSegments reports whether shiftForInsert would drop any segment of m (duplicates at a
// line's column 0 or at the insertion point), which rules out the fast textual splice.
func dropsSegments(m *Mappings, at textPos) bool {
	for l := range m.Lines() {
		segs := m.Line(l)
		if len(segs) >= 2 && segs[0].GenColumn == 0 && segs[1].GenColumn == 0 {
			return true
		}
		if l == at.line && at.col > 0 {
			for j := 0; j+1 < len(segs); j++ {
				if int(segs[j].GenColumn) == at.col && segs[j+1].GenColumn == segs[j].GenColumn {
					return true
				}
			}
		}
	}
	return false
}

// spliceEdit returns the edit of raw, the original "mappings" text, that turns it into the
// encoding of shiftForInsert(m, at, to), without re-encoding the whole string: VLQ fields are
// relative to the previous segment, so only the insertion line changes, and when the insertion
// is at the start of a line (the usual case: minified bundles are one long line) the edit is
// just inserting empty lines. It needs raw's segments to be m and that no segment is dropped;
// ok is false otherwise.
func spliceEdit(raw []byte, m *Mappings, at, to textPos) (start, end int, text []byte, ok bool) {
	if dropsSegments(m, at) {
		return 0, 0, nil, false
	}
	if at.line >= m.Lines() {
		return 0, 0, nil, true // nothing moves
	}
	// Find line at.line in raw, and the VLQ state before it, decoded from raw itself (a line
	// the decoder sorted has a different last segment in raw than in m).
	var st vlqState
	for l := 0; l < at.line; l++ {
		i := bytes.IndexByte(raw[start:], ';')
		if i < 0 {
			return 0, 0, nil, false
		}
		if at.col != 0 || to.col != 0 {
			if !st.advance(raw[start : start+i]) {
				return 0, 0, nil, false
			}
		}
		start += i + 1
	}
	if at.col == 0 && to.col == 0 {
		// The whole line moves down unchanged, and nothing stays before it.
		return start, start, bytes.Repeat([]byte(";"), to.line-at.line), true
	}
	end = len(raw)
	if i := bytes.IndexByte(raw[start:], ';'); i >= 0 {
		end = start + i
	}
	segs := m.Line(at.line)
	// Cheap check that raw's line is sorted the way m's is: the decoder sorts unsorted lines,
	// and then raw's deltas do not match m.
	if !sortedLine(raw[start:end], len(segs)) {
		return 0, 0, nil, false
	}
	var stay, move []Segment
	for j, s := range segs {
		c := int(s.GenColumn)
		if c < at.col {
			stay = append(stay, s)
			if j+1 == len(segs) || int(segs[j+1].GenColumn) > at.col {
				cp := s
				cp.GenColumn = int32(to.col)
				move = append(move, cp)
			}
			continue
		}
		s.GenColumn = int32(c - at.col + to.col)
		move = append(move, s)
	}
	b := make([]byte, 0, (end-start)+len(segs)*2+to.line-at.line+8)
	b = st.appendLine(b, stay)
	for range to.line - at.line {
		b = append(b, ';')
	}
	b = st.appendLine(b, move)
	return start, end, b, true
}

// sortedLine reports whether the encoded line has n segments with non-negative column deltas
// after the first.
func sortedLine(line []byte, n int) bool {
	count := 0
	for i := 0; i < len(line); {
		if line[i] == ',' {
			i++
			continue
		}
		v, next, err := decodeVLQ(line, i)
		if err != vlqOK {
			return false
		}
		if count > 0 && v < 0 {
			return false
		}
		count++
		// skip the rest of the segment's fields
		i = next
		for i < len(line) && line[i] != ',' {
			_, next, err = decodeVLQ(line, i)
			if err != vlqOK {
				return false
			}
			i = next
		}
	}
	return count == n
}

// vlqState is the running state of the relative VLQ fields across a mappings string.
type vlqState struct {
	src, oline, ocol, name int64
}

// advance decodes one encoded line and adds its fields to the state; false if it is malformed.
func (st *vlqState) advance(line []byte) bool {
	var fields [5]int64
	n := 0
	flush := func() bool {
		switch n {
		case 0, 1:
		case 4, 5:
			st.src += fields[1]
			st.oline += fields[2]
			st.ocol += fields[3]
			if n == 5 {
				st.name += fields[4]
			}
		default:
			return false
		}
		n = 0
		return true
	}
	for i := 0; i < len(line); {
		if line[i] == ',' {
			if !flush() {
				return false
			}
			i++
			continue
		}
		v, next, err := decodeVLQ(line, i)
		if err != vlqOK || n == 5 {
			return false
		}
		fields[n] = v
		n++
		i = next
	}
	return flush()
}

// appendLine encodes one generated line's segments, updating the state.
func (st *vlqState) appendLine(b []byte, segs []Segment) []byte {
	var col int64
	for j, s := range segs {
		if j > 0 {
			b = append(b, ',')
		}
		b = appendVLQ(b, int64(s.GenColumn)-col)
		col = int64(s.GenColumn)
		if s.Source < 0 {
			continue
		}
		b = appendVLQ(b, int64(s.Source)-st.src)
		b = appendVLQ(b, int64(s.OrigLine)-st.oline)
		b = appendVLQ(b, int64(s.OrigColumn)-st.ocol)
		st.src, st.oline, st.ocol = int64(s.Source), int64(s.OrigLine), int64(s.OrigColumn)
		if s.Name >= 0 {
			b = appendVLQ(b, int64(s.Name)-st.name)
			st.name = int64(s.Name)
		}
	}
	return b
}
