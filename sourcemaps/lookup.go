package sourcemaps

import "strings"

// Position is an original position a generated position maps to. Line and Column are 0-based.
// Source and Name are -1 when the segment has none (a 1-field segment maps to nothing).
type Position struct {
	Source       int
	Line, Column int
	Name         int
	// Segment is the matched segment's generated position.
	GenLine, GenColumn int
}

// OriginalPositionFor returns the original position of a 0-based generated line and column: the
// segment on that line with the greatest column not after it, as browsers, trace-mapping and
// Sentry pick it. ok is false when the line has no such segment.
//
// When several segments share a column, a query exactly at that column gets the first of them
// and a query past it gets the last, which is what trace-mapping and Sentry's rust-sourcemap
// both do (their binary searches walk back only on an exact hit).
func (m *Map) OriginalPositionFor(line, column int) (pos Position, ok bool) {
	segs := m.Mappings.Line(line)
	col := int32(min(max(column, -1), maxVLQ))
	// Find the first segment at or after col (a plain loop: this is the hot path of symbolication).
	lo, hi := 0, len(segs)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if segs[h].GenColumn < col {
			lo = h + 1
		} else {
			hi = h
		}
	}
	if lo == len(segs) || segs[lo].GenColumn != col {
		lo--
	}
	if lo < 0 {
		return Position{}, false
	}
	seg := segs[lo]
	return Position{
		Source: int(seg.Source), Line: int(seg.OrigLine), Column: int(seg.OrigColumn), Name: int(seg.Name),
		GenLine: line, GenColumn: int(seg.GenColumn),
	}, true
}

// ResolvedSource returns source i joined with sourceRoot, as the spec joins them (a "/" is
// added between them when sourceRoot does not end in one; absolute sources are left alone).
func (m *Map) ResolvedSource(i int) string {
	if i < 0 || i >= len(m.Sources) || m.SourceIsNull[i] {
		return ""
	}
	src := m.Sources[i]
	root := m.sourceRootFor(i)
	if root == "" || strings.Contains(src, "://") || strings.HasPrefix(src, "/") {
		return src
	}
	if !strings.HasSuffix(root, "/") {
		root += "/"
	}
	return root + src
}

// sourceRootFor returns the sourceRoot that applies to source i: in an index map, the section's.
func (m *Map) sourceRootFor(i int) string {
	if !m.IsIndex() {
		return m.SourceRoot
	}
	for j := len(m.Sections) - 1; j >= 0; j-- {
		if i >= m.Sections[j].SourceBase {
			return m.Sections[j].Map.SourceRoot
		}
	}
	return ""
}

// ContentLine returns line l (0-based) of source i's content, without its line terminator.
func (m *Map) ContentLine(i, l int) (string, bool) {
	if i < 0 || i >= len(m.Sources) || !m.HasContent[i] || l < 0 {
		return "", false
	}
	text := m.SourcesContent[i]
	for ; l > 0; l-- {
		_, rest, found := cutLine(text)
		if !found {
			return "", false
		}
		text = rest
	}
	line, _, _ := cutLine(text)
	return line, true
}
