package sourcemaps

import (
	"math"
)

// Index maps: their sections, each section's offset, and the flattening of the sections into
// one map's mappings.

func (p *parser) readSections(f *mapFields) bool {
	if _, err := p.dec.ReadToken(); err != nil {
		p.syntax(err)
		return false
	}
	f.sections = []rawSection{}
	for i := 0; p.dec.PeekKind() != ']'; i++ {
		off := p.offset()
		k := p.dec.PeekKind()
		if k == 0 {
			_, err := p.dec.ReadToken()
			p.syntax(err)
			return false
		}
		if k != '{' {
			if !p.mistyped(CodeIndexMapSectionField, off, k, "sections[%d] must be an object with \"offset\" and \"map\", but it is %s", i) {
				return false
			}
			continue
		}
		_, _ = p.dec.ReadToken() // the { PeekKind has just seen
		s := rawSection{offset: off}
		hasMap := false
		for p.dec.PeekKind() != '}' {
			tok, err := p.dec.ReadToken()
			if err != nil {
				p.syntax(err)
				return false
			}
			valOff := p.offset()
			switch key := tok.String(); key {
			case "offset":
				if !p.readOffset(i, &s) {
					return false
				}
			case "map":
				hasMap = true
				s.mapsOffset = valOff
				s.m = p.parseMap(1)
				if p.fatal != nil {
					return false
				}
			case "url":
				p.errorf(CodeIndexMapSectionField, valOff, "sections[%d] uses \"url\"; the spec no longer allows sections that point to other files: inline the map", i)
				if !p.skip() {
					return false
				}
			default:
				if !p.skip() {
					return false
				}
			}
		}
		_, _ = p.dec.ReadToken() // the { PeekKind has just seen
		if !hasMap {
			p.errorf(CodeIndexMapSectionField, off, "sections[%d] has no \"map\"", i)
		}
		if !s.hasOffset {
			p.errorf(CodeIndexMapSectionField, off, "sections[%d] has no valid \"offset\" {\"line\", \"column\"}", i)
		}
		f.sections = append(f.sections, s)
	}
	if _, err := p.dec.ReadToken(); err != nil {
		p.syntax(err)
		return false
	}
	return true
}

func (p *parser) readOffset(i int, s *rawSection) bool {
	off := p.offset()
	if k := p.dec.PeekKind(); k != '{' {
		return p.mistyped(CodeIndexMapSectionField, off, k, "sections[%d].offset must be an object {\"line\", \"column\"}, but it is %s", i)
	}
	_, _ = p.dec.ReadToken() // the { PeekKind has just seen
	var hasLine, hasCol bool
	for p.dec.PeekKind() != '}' {
		tok, err := p.dec.ReadToken()
		if err != nil {
			p.syntax(err)
			return false
		}
		key := tok.String()
		valOff := p.offset()
		if key != "line" && key != "column" {
			if !p.skip() {
				return false
			}
			continue
		}
		k := p.dec.PeekKind()
		if k != '0' {
			if !p.mistyped(CodeIndexMapSectionField, valOff, k, "sections[%d].offset.%s must be a whole number, but it is %s", i, key) {
				return false
			}
			continue
		}
		tok, err = p.dec.ReadToken()
		if err != nil {
			p.syntax(err)
			return false
		}
		v, _ := tok.Float()
		if v != math.Trunc(v) || v < 0 || v > maxVLQ {
			p.errorf(CodeIndexMapSectionField, valOff, "sections[%d].offset.%s is %s; it must be a whole number ≥ 0", i, key, tok.String())
			continue
		}
		if key == "line" {
			s.line, hasLine = int(v), true
		} else {
			s.col, hasCol = int(v), true
		}
	}
	_, _ = p.dec.ReadToken() // the } the loop stopped at
	s.hasOffset = hasLine && hasCol
	return true
}

// flattenSections checks an index map's sections (ordered, not overlapping) and merges them.
func (p *parser) flattenSections(m *Map, f *mapFields) {
	m.Sections = make([]Section, 0, len(f.sections))
	m.Sources, m.SourceIsNull, m.Names = []string{}, []bool{}, []string{}
	prevLine, prevCol := -1, -1
	for i, rs := range f.sections {
		if rs.m == nil || !rs.hasOffset {
			continue
		}
		if rs.line < prevLine || (rs.line == prevLine && rs.col <= prevCol) {
			code := CodeIndexMapSectionOrder
			msg := "sections[%d] starts at line %d, column %d, not after the section before it; sections must be sorted by offset"
			if rs.line == prevLine && rs.col == prevCol {
				code, msg = CodeIndexMapSectionsOverl, "sections[%d] starts at line %d, column %d, the same offset as the section before it; sections must not overlap"
			}
			p.errorf(code, rs.offset, msg, i, rs.line+1, rs.col+1)
		}
		prevLine, prevCol = rs.line, rs.col
		m.Sections = append(m.Sections, Section{
			Line: rs.line, Column: rs.col, Map: rs.m,
			SourceBase: len(m.Sources), NameBase: len(m.Names),
		})
		m.Sources = append(m.Sources, rs.m.Sources...)
		m.SourceIsNull = append(m.SourceIsNull, rs.m.SourceIsNull...)
		m.SourcesContent = append(m.SourcesContent, rs.m.SourcesContent...)
		m.HasContent = append(m.HasContent, rs.m.HasContent...)
		m.Names = append(m.Names, rs.m.Names...)
		for _, idx := range rs.m.IgnoreList {
			m.IgnoreList = append(m.IgnoreList, idx+len(m.Sources)-len(rs.m.Sources))
		}
	}
	if len(m.Sources) > p.limits.MaxSources {
		p.errorf(CodeTooManySources, f.start, "the index map names %d sources, more than the limit of %d", len(m.Sources), p.limits.MaxSources)
		return
	}
	p.mergeSectionMappings(m, f.sectionsOffset)
}

// mergeSectionMappings builds the flattened mappings. A section's segments that reach into the
// next section's range are an overlap (an error); they are dropped, as trace-mapping drops them.
func (p *parser) mergeSectionMappings(m *Map, sectionsOffset int64) {
	var out Mappings
	total, lines := 0, 1
	for _, s := range m.Sections {
		total += len(s.Map.Mappings.Segments)
		lines = max(lines, s.Line+s.Map.Mappings.Lines()+1)
	}
	out.Segments = make([]Segment, 0, total) // sized once: index maps can be the largest maps
	out.lineStart = make([]int32, 1, lines+1)
	line := 0 // the generated line being filled
	for si, s := range m.Sections {
		endLine, endCol := math.MaxInt32, math.MaxInt32
		if si+1 < len(m.Sections) {
			endLine, endCol = m.Sections[si+1].Line, m.Sections[si+1].Column
		}
		reported := false
		sm := &s.Map.Mappings
		for l := 0; l < sm.Lines(); l++ {
			gl := s.Line + l
			for line < gl {
				out.lineStart = append(out.lineStart, int32(len(out.Segments)))
				line++
			}
			for _, seg := range sm.Line(l) {
				gc := int(seg.GenColumn)
				if l == 0 {
					gc += s.Column
				}
				if gl > endLine || (gl == endLine && gc >= endCol) {
					if !reported {
						pr := newProblem(CodeIndexMapSectionsOverl, SeverityError, sectionsOffset,
							"sections[%d] has mappings at generated line %d, column %d, inside the next section (which starts at line %d, column %d); sections must not overlap", si, gl+1, gc+1, endLine+1, endCol+1)
						pr.GenLine, pr.GenColumn = gl, gc
						p.problems = append(p.problems, pr)
						reported = true
					}
					continue
				}
				if gc > maxVLQ {
					continue
				}
				seg.GenColumn = int32(gc)
				if seg.Source >= 0 {
					seg.Source += int32(s.SourceBase)
				}
				if seg.Name >= 0 {
					seg.Name += int32(s.NameBase)
				}
				out.Segments = append(out.Segments, seg)
			}
		}
	}
	out.lineStart = append(out.lineStart, int32(len(out.Segments)))
	m.Mappings = out
}
