package sourcemaps

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// The content check: a map can point inside its generated file and inside its sources and still
// belong to another file (a stale map from an earlier build, a post-processing step that
// rewrote the code). The bounds checks cannot see that; comparing the code at both ends of the
// mappings can. Minifiers rename local variables and rewrite expressions, but they keep property
// names, string values and keywords: where the generated code has one of those at a mapped
// position, the source must have it at the original position.

// CodeContentMismatch is the finding of a map whose mapped tokens disagree with its sources.
const CodeContentMismatch = "map-content-mismatch"

// Thresholds of the content check, picked from the measurements in docs/validate.md: every
// file of the real esbuild, webpack, rollup and genbuild builds agrees on 94% or more with
// disagreements at most 6 in a row; a map of another file agrees on 9% or less; a map made
// before an edit early in the file agrees on 19–91%, with 23 or more disagreements in a row.
const (
	// contentMinChecked is the fewest compared tokens a verdict needs: on a handful of tokens
	// one legitimate rewrite (a constant inlined, a hash replaced) would move the share a lot.
	contentMinChecked = 20
	// Below contentWarnShare the map is reported; below contentErrorShare it is an error.
	contentWarnShare  = 0.90
	contentErrorShare = 0.50
	// contentWarnRun disagreements in a row are reported whatever the share: the code after
	// an edit the map does not know about.
	contentWarnRun = 16
)

// checkContent reports a map whose mapped tokens disagree with its sources' content.
func (c *pairChecker) checkContent(m *Map) {
	a := MeasureContent(m, c.p.JSData)
	agreed, checked := a.Share()
	if checked < contentMinChecked {
		return
	}
	share := float64(agreed) / float64(checked)
	long := a.LongestRun >= contentWarnRun
	if share >= contentWarnShare && !long {
		return
	}
	f := Finding{Code: CodeContentMismatch, Severity: SeverityWarning, Path: c.p.JS, Map: c.mapRef()}
	var msg strings.Builder
	fmt.Fprintf(&msg, "%s of the %d mapped property names, strings and keywords are at their original positions in sourcesContent (real builds: 94%% or more)", percent(agreed, checked), checked)
	mm := a.FirstMismatch
	if long {
		// Where the disagreement starts is where the file was edited: point there.
		mm = a.RunStart
		fmt.Fprintf(&msg, ", and %d in a row disagree from here on (real builds: at most 6)", a.LongestRun)
	}
	if share < contentErrorShare {
		f.Severity = SeverityError
		msg.WriteString("; the map was made for other code: pair the file with its own map, or rebuild both together")
	} else {
		msg.WriteString("; the map was probably made before the file was last changed (an earlier build, a step that rewrote the file): rebuild both together")
	}
	f.Line, f.Column = mm.GenLine+1, mm.GenColumn+1
	fmt.Fprintf(&msg, "; here %q is mapped to %s:%d:%d, which reads %q", mm.Generated, mm.Source, mm.OrigLine+1, mm.OrigColumn+1, mm.Original)
	f.Message = msg.String()
	c.add(f)
}

// percent formats agreed/checked rounded down, so 99.6% never shows as a reassuring 100%.
func percent(agreed, checked int) string {
	return fmt.Sprintf("%d%%", agreed*100/checked)
}

// TokenClass is a class of generated token the content check compares.
type TokenClass uint8

const (
	// ClassProperty is a name after a member-access dot (a.name, a?.name).
	ClassProperty TokenClass = iota
	// ClassString is a string literal in quotes (templates are not read: see classify).
	ClassString
	// ClassKeyword is a reserved word (return, new, typeof, this, ...) other than var, let,
	// const and void, which minifiers write for other code.
	ClassKeyword
	// ClassSplit is a segment that starts inside a name or a number ("ret|urn"): no bundler
	// maps there, so it never agrees.
	ClassSplit
	numTokenClasses
)

// Other names are not compared: minifiers rename locals, and the "names" entry of a segment
// and the source both come from the map, so they agree even when the map belongs to other code
// (measured: docs/validate.md).

var tokenClassNames = [numTokenClasses]string{"property", "string", "keyword", "split"}

func (c TokenClass) String() string {
	if c < numTokenClasses {
		return tokenClassNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// ContentAgreement is how far a generated file and its map's sourcesContent agree.
type ContentAgreement struct {
	// Checked and Agreed count, per class, the mapped tokens compared and those found at their
	// original position.
	Checked, Agreed [numTokenClasses]int
	// FirstMismatch is the first compared token (in generated order) that disagreed, when one
	// did.
	FirstMismatch *ContentMismatch
	// LongestRun is the most compared tokens in a row (in generated order) that disagreed, and
	// RunStart the first of them: a map made before an edit agrees up to the edit and not
	// after it, while a real build's disagreements are isolated rewrites.
	LongestRun int
	RunStart   *ContentMismatch
}

// ContentMismatch is one generated token that is not where its mapping says it came from.
type ContentMismatch struct {
	// GenLine and GenColumn are 0-based (UTF-16 column); OrigLine and OrigColumn too.
	GenLine, GenColumn   int
	Source               string
	OrigLine, OrigColumn int
	Generated, Original  string
	source               int32 // index into the map's sources
}

// Share returns how many compared tokens agreed and how many were compared, over all classes.
func (a *ContentAgreement) Share() (agreed, checked int) {
	for c := range numTokenClasses {
		agreed += a.Agreed[c]
		checked += a.Checked[c]
	}
	return agreed, checked
}

// MeasureContent compares the tokens at m's mapped generated positions in js with the tokens at
// their original positions in sourcesContent. Segments into sources without content are
// skipped; so are positions outside either text (the bounds checks report those).
func MeasureContent(m *Map, js []byte) ContentAgreement {
	var a ContentAgreement
	run := 0
	var runStart *ContentMismatch
	sources := make([]*sourceText, len(m.Sources))
	text := string(js)
	for l, lines := 0, m.Mappings.Lines(); l < lines && text != ""; l++ {
		line, rest, _ := cutLine(text)
		text = rest
		segs := m.Mappings.Line(l)
		if len(segs) == 0 {
			continue
		}
		var cur utf16Cursor
		for _, seg := range segs {
			if seg.Source < 0 || !m.HasContent[seg.Source] {
				continue
			}
			i := cur.seek(line, int(seg.GenColumn))
			if i < 0 || i == len(line) {
				// Inside a surrogate pair, or at or past the end of the line (the bounds check
				// reports the latter).
				continue
			}
			class, want, ok := classify(line, i)
			if !ok {
				continue
			}
			src := sources[seg.Source]
			if src == nil {
				src = newSourceText(m.SourcesContent[seg.Source])
				sources[seg.Source] = src
			}
			orig, ok := src.at(int(seg.OrigLine), int(seg.OrigColumn))
			if !ok {
				continue
			}
			a.Checked[class]++
			if class != ClassSplit && holds(orig, want) {
				a.Agreed[class]++
				run = 0
				continue
			}
			// Original is filled in at the end, for the two mismatches kept.
			mm := &ContentMismatch{GenLine: l, GenColumn: int(seg.GenColumn), Source: m.Sources[seg.Source],
				OrigLine: int(seg.OrigLine), OrigColumn: int(seg.OrigColumn), Generated: want, source: seg.Source}
			if a.FirstMismatch == nil {
				a.FirstMismatch = mm
			}
			if run == 0 {
				runStart = mm
			}
			run++
			if run > a.LongestRun {
				a.LongestRun, a.RunStart = run, runStart
			}
		}
	}
	for _, mm := range []*ContentMismatch{a.FirstMismatch, a.RunStart} {
		if mm != nil && mm.Original == "" {
			mm.Original = sources[mm.source].excerpt(mm.OrigLine, mm.OrigColumn)
		}
	}
	return a
}

// unstableKeywords are reserved words minifiers write for other code: declarations change kind
// (const becomes let or var, a class becomes "var x=class"), and undefined becomes "void 0".
var unstableKeywords = map[string]bool{"var": true, "let": true, "const": true, "void": true}

// classify says whether the generated token at byte i of line is compared, in which class,
// and what text the source must hold for it.
func classify(line string, i int) (TokenClass, string, bool) {
	c := line[i]
	switch {
	case i > 0 && isWordByte(line[i-1]) && isWordByte(c) && !strings.HasPrefix(line[i:], "${"):
		// (A substitution may follow template text ending in a letter, as in `\n${x}`.)
		return ClassSplit, line[i : i+1], true
	case c == '`':
		// A template may span lines, so a backquote at a mapped place may close one rather than
		// open one; reading it as a token would compare the code after it.
		return 0, "", false
	case c == '"' || c == '\'':
		v, ok := readQuoted(line[i+1:], c)
		// Bundlers rewrite relative import specifiers to the names of the chunks they write.
		if !ok || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") {
			return 0, "", false
		}
		return ClassString, v, true
	case c < utf8.RuneSelf && c != '\\' && asciiName[c] != 1:
		// Not the start of a name: a number, an operator, a blank.
		return 0, "", false
	case afterDot(line, i):
		if name, ok := readIdentifierName(line[i:]); ok {
			return ClassProperty, name, true
		}
	case c >= 'a' && c <= 'y':
		// Keywords are lowercase ASCII letters only; other names are not compared.
		j := i + 1
		for j < len(line) && j-i <= len("implements") && line[j] >= 'a' && line[j] <= 'z' {
			j++
		}
		if j < len(line) && (line[j] >= utf8.RuneSelf || line[j] == '\\' || asciiName[line[j]] != 0) {
			return 0, "", false // a longer name
		}
		if name := line[i:j]; isReserved(name) && !unstableKeywords[name] {
			return ClassKeyword, name, true
		}
	}
	return 0, "", false
}

// isWordByte reports whether c is an ASCII character of a name or a number.
func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$'
}

// utf16Cursor walks a line forward, turning UTF-16 columns into byte offsets; a line's segments
// come in column order, so the whole line is walked once.
type utf16Cursor struct{ byteOff, col int }

// seek returns the byte offset of UTF-16 column col, or -1 when the line is shorter or the
// column falls inside a surrogate pair.
func (c *utf16Cursor) seek(line string, col int) int {
	if col < c.col {
		*c = utf16Cursor{}
	}
	for c.col < col {
		if c.byteOff >= len(line) {
			return -1
		}
		// Most code is ASCII, where a column is a byte: jump when the whole gap is.
		if gap := col - c.col; c.byteOff+gap <= len(line) && isASCII(line[c.byteOff:c.byteOff+gap]) {
			c.byteOff += gap
			c.col = col
			break
		}
		if line[c.byteOff] < utf8.RuneSelf {
			c.byteOff++
			c.col++
			continue
		}
		r, size := utf8.DecodeRuneInString(line[c.byteOff:])
		c.byteOff += size
		c.col++
		if r > 0xFFFF {
			c.col++
		}
	}
	if c.col != col {
		return -1
	}
	return c.byteOff
}

// sourceText is one source's content, split into lines on first use.
type sourceText struct {
	text string
	// Line l is text[starts[l]:ends[l]], without its terminator.
	starts, ends []int
	ascii        bool // columns are byte offsets
	// The cursor of the last lookup, reused when the next one is further along the same line.
	lastLine int
	cur      utf16Cursor
	// Checkpoints of long non-ASCII lines, so that lookups in any order (a minified library
	// in sourcesContent, say) cost a few steps each instead of a walk from the line's start.
	longLines map[int][]utf16Cursor
}

// Lines longer than longLine bytes get checkpoints every checkpointEvery UTF-16 units.
const (
	longLine        = 512
	checkpointEvery = 64
)

func newSourceText(text string) *sourceText {
	// Counting the "\n"s first (a vectorised count) sizes the index exactly in the usual case.
	n := strings.Count(text, "\n") + 1
	s := &sourceText{text: text, starts: make([]int, 1, n), ends: make([]int, 0, n), ascii: isASCII(text), lastLine: -1}
	if s.ascii || strings.IndexByte(text, '\r') < 0 && !strings.Contains(text, "\u2028") && !strings.Contains(text, "\u2029") {
		// Only "\n" ends lines (the usual case): one vectorised search per line.
		for off := 0; ; {
			n := strings.IndexByte(text[off:], '\n')
			if n < 0 {
				s.ends = append(s.ends, len(text))
				return s
			}
			s.ends = append(s.ends, off+n)
			off += n + 1
			s.starts = append(s.starts, off)
		}
	}
	for off := 0; ; {
		line, rest, found := cutLine(text[off:])
		s.ends = append(s.ends, off+len(line))
		if !found {
			return s
		}
		off = len(text) - len(rest)
		s.starts = append(s.starts, off)
	}
}

// line returns line l without its terminator.
func (s *sourceText) line(l int) (string, bool) {
	if l < 0 || l >= len(s.starts) {
		return "", false
	}
	return s.text[s.starts[l]:s.ends[l]], true
}

// at returns the rest of line l from 0-based UTF-16 column col; ok is false outside the text.
func (s *sourceText) at(l, col int) (string, bool) {
	line, ok := s.line(l)
	if !ok {
		return "", false
	}
	if s.ascii {
		if col > len(line) {
			return "", false
		}
		return line[col:], true
	}
	if len(line) > longLine {
		cps, ok := s.longLines[l]
		if !ok {
			cps = checkpoints(line)
			if s.longLines == nil {
				s.longLines = map[int][]utf16Cursor{}
			}
			s.longLines[l] = cps
		}
		// The last checkpoint at or before col.
		k, _ := slices.BinarySearchFunc(cps, col, func(c utf16Cursor, col int) int { return cmp.Compare(c.col, col+1) })
		cur := cps[k-1]
		if i := cur.seek(line, col); i >= 0 {
			return line[i:], true
		}
		return "", false
	}
	if l != s.lastLine {
		s.lastLine, s.cur = l, utf16Cursor{}
	}
	i := s.cur.seek(line, col)
	if i < 0 {
		return "", false
	}
	return line[i:], true
}

// checkpoints returns cursors at the line's start and then at the first character boundary at
// or after every checkpointEvery UTF-16 units.
func checkpoints(line string) []utf16Cursor {
	cps := []utf16Cursor{{}}
	var c utf16Cursor
	for next := checkpointEvery; ; next += checkpointEvery {
		if c.seek(line, next) < 0 && c.byteOff >= len(line) {
			return cps
		}
		cps = append(cps, c)
	}
}

// holds reports whether code starts with a name, keyword or string literal whose (decoded)
// value is want, as readToken(code, 0) would read it; a plain ASCII name, the usual case, is
// compared where it lies.
func holds(code, want string) bool {
	if code == "" {
		return false
	}
	if c := code[0]; c < utf8.RuneSelf && asciiName[c] == 1 {
		n := 1
		for n < len(code) && n <= maxName && code[n] < utf8.RuneSelf && asciiName[code[n]] != 0 {
			n++
		}
		switch {
		case n > maxName:
			return false // as readToken, which does not read names this long
		case n == len(code) || code[n] < utf8.RuneSelf && code[n] != '\\':
			return code[:n] == want
		}
	}
	t := readToken(code, 0)
	return t.kind != tokOther && t.text == want
}

// excerpt returns the source text at a position, cut short, for a message.
func (s *sourceText) excerpt(l, col int) string {
	text, _ := s.at(l, col)
	if len(text) > 24 {
		end := 24
		for end > 0 && !utf8.RuneStart(text[end]) {
			end--
		}
		text = text[:end] + "…"
	}
	return strings.TrimRight(text, " \t")
}
