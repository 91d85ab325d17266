package sourcemaps

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
)

// Segment is one decoded mapping segment. Source and Name are -1 when the segment does not
// carry them (a 1-field segment has neither, a 4-field segment has no name).
type Segment struct {
	GenColumn  int32
	Source     int32
	OrigLine   int32
	OrigColumn int32
	Name       int32
}

// Mappings holds the decoded segments of every generated line, flat, with an index of where
// each line starts: one allocation for the whole map instead of one per line.
type Mappings struct {
	Segments  []Segment
	lineStart []int32 // Segments[lineStart[l]:lineStart[l+1]] are on generated line l
}

// Lines returns the number of generated lines the mappings describe.
func (m *Mappings) Lines() int {
	if len(m.lineStart) == 0 {
		return 0
	}
	return len(m.lineStart) - 1
}

// Line returns the segments of generated line l (0-based), sorted by generated column.
func (m *Mappings) Line(l int) []Segment {
	if l < 0 || l+1 >= len(m.lineStart) {
		return nil
	}
	return m.Segments[m.lineStart[l]:m.lineStart[l+1]]
}

// decodeMappings decodes a "mappings" string strictly: every VLQ well-formed and within 32 bits,
// segments of 1, 4 or 5 fields, no negative absolute values, source and name indices in range.
// base is the byte offset of the string's first character in the JSON text, for positions in
// problems. It stops at the first problem: after a bad segment the relative state is unknown.
// Lines whose segments are out of column order are sorted (browsers and trace-mapping do the
// same) and reported as a warning.
//
// It takes the text as a string or as bytes, so Parse can decode straight from the map's JSON
// without copying the largest field. Most fields are a single base64 digit (a delta of -15 to
// 15), so that case is decoded in the loop; longer ones go through decodeVLQ.
func decodeMappings[T ~string | ~[]byte](s T, nSources, nNames int, base int64) (Mappings, []Problem) {
	// The state lives in plain locals, not captured by closures (errors go through
	// decodeFailure), so the compiler keeps it in registers: this loop is most of the cost of
	// parsing a map.
	// Every segment but a line's last ends in ',': counting the separators (a fast, vectorised
	// scan) sizes both slices exactly, with no regrowth and no unused tail to zero.
	commas, lines := countByte(s, ','), countByte(s, ';')
	segs := make([]Segment, 0, commas+lines+1)
	lineStart := make([]int32, 1, lines+2)
	var problems []Problem
	var line, col, src, oline, ocol, name int64
	lineSorted := true
	i := 0
	n := len(s)
	for {
		if i == n || s[i] == ';' {
			// The end of a generated line.
			if !lineSorted {
				seg := segs[lineStart[len(lineStart)-1]:]
				slices.SortStableFunc(seg, func(a, b Segment) int { return int(a.GenColumn) - int(b.GenColumn) })
				if len(problems) < 20 {
					p := newProblem(CodeSegmentsUnsorted, SeverityWarning, -1,
						"the segments of generated line %d are not in column order; tools sort them, but this usually means a broken map merge", line+1)
					p.GenLine = int(line)
					problems = append(problems, p)
				}
				lineSorted = true
			}
			lineStart = append(lineStart, int32(len(segs)))
			if i == n {
				return Mappings{Segments: segs, lineStart: lineStart}, problems
			}
			line++
			col = 0
			i++
			continue
		}
		if s[i] == ',' {
			// An empty segment: ",," or a line starting with ",".
			return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeSegmentFieldCount, i, "empty mapping segment (a segment must have 1, 4 or 5 fields) at generated line %d", line+1)
		}
		segStart := i
		var fields [5]int64
		nf := 0
		for {
			// Here s[i] starts a field: the segment is not empty and a field ends at ',', ';'
			// or the end.
			if d := base64Value[s[i]]; d < 32 {
				// One digit, no continuation: bit 0 is the sign, bits 1-4 the magnitude.
				v := int64(d >> 1)
				if d&1 != 0 {
					v = -v
				}
				fields[nf] = v
				nf++
				i++
			} else {
				v, next, err := decodeVLQ(s, i)
				switch err {
				case vlqBadDigit:
					return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeVLQInvalidChar, next, "invalid character %s in mappings at generated line %d: only base64 digits, ',' and ';' are allowed", strconv.QuoteRune(rune(s[next])), line+1)
				case vlqUnterminated:
					return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeVLQUnterminated, segStart, "mappings end in the middle of a VLQ number (a continuation digit with nothing after it) at generated line %d", line+1)
				case vlqOverflow:
					return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeVLQOverflow, segStart, "a mapping field at generated line %d exceeds 32 bits", line+1)
				}
				fields[nf] = v
				nf++
				i = next
			}
			if i == n || s[i] == ',' || s[i] == ';' {
				break
			}
			if nf == 5 {
				return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeSegmentFieldCount, segStart, "mapping segment with more than 5 fields at generated line %d, column %d", line+1, col)
			}
		}
		if nf == 2 || nf == 3 {
			return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeSegmentFieldCount, segStart, "mapping segment with %d fields at generated line %d (a segment must have 1, 4 or 5 fields)", nf, line+1)
		}
		newCol := col + fields[0]
		if newCol < 0 || newCol > maxVLQ {
			return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeSegmentNegative, segStart, "generated column becomes %d at generated line %d; columns cannot be negative or exceed 32 bits", newCol, line+1)
		}
		if newCol < col {
			lineSorted = false
		}
		col = newCol
		seg := Segment{GenColumn: int32(col), Source: -1, OrigLine: -1, OrigColumn: -1, Name: -1}
		if nf >= 4 {
			src += fields[1]
			oline += fields[2]
			ocol += fields[3]
			// One unsigned comparison per field catches both negative and too large values;
			// the messages below tell them apart.
			if uint64(src) >= uint64(nSources) || uint64(oline) > maxVLQ || uint64(ocol) > maxVLQ {
				switch {
				case src < 0 || src > maxVLQ:
					return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeSegmentNegative, segStart, "source index becomes %d at generated line %d, column %d", src, line+1, col)
				case oline < 0 || oline > maxVLQ:
					return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeSegmentNegative, segStart, "original line becomes %d at generated line %d, column %d", oline, line+1, col)
				case ocol < 0 || ocol > maxVLQ:
					return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeSegmentNegative, segStart, "original column becomes %d at generated line %d, column %d", ocol, line+1, col)
				default:
					return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeSourceOutOfRange, segStart, "segment at generated line %d, column %d names source %d, but the map has %s; the map is truncated or was merged wrongly: rebuild it", line+1, col, src, plural(nSources, "source"))
				}
			}
			seg.Source, seg.OrigLine, seg.OrigColumn = int32(src), int32(oline), int32(ocol)
			if nf == 5 {
				name += fields[4]
				if uint64(name) >= uint64(nNames) {
					if name < 0 || name > maxVLQ {
						return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeSegmentNegative, segStart, "name index becomes %d at generated line %d, column %d", name, line+1, col)
					}
					return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeNameOutOfRange, segStart, "segment at generated line %d, column %d names name %d, but the map has %s; rebuild the map", line+1, col, name, plural(nNames, "name"))
				}
				seg.Name = int32(name)
			}
		}
		segs = append(segs, seg)
		if i < n && s[i] == ',' {
			i++
			if i == n || s[i] == ';' || s[i] == ',' {
				return decodeFailure(Mappings{Segments: segs, lineStart: lineStart}, problems, base, line, col, CodeSegmentFieldCount, i, "empty mapping segment after ',' at generated line %d", line+1)
			}
		}
	}
}

func countByte[T ~string | ~[]byte](s T, c byte) int {
	switch s := any(s).(type) {
	case string:
		return strings.Count(s, string(c))
	case []byte:
		return bytes.Count(s, []byte{c})
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			n++
		}
	}
	return n
}

// decodeFailure ends decodeMappings with an error at byte at of the mappings, for the segment
// at the generated line and column reached.
func decodeFailure(m Mappings, problems []Problem, base, line, col int64, code string, at int, format string, args ...any) (Mappings, []Problem) {
	p := newProblem(code, SeverityError, base+int64(at), format, args...)
	p.GenLine, p.GenColumn = int(line), int(col)
	return m, append(problems, p)
}

// encodeMappings encodes decoded mappings back into the VLQ string.
func encodeMappings(m *Mappings) string {
	b := make([]byte, 0, len(m.Segments)*6)
	var src, oline, ocol, name int64
	for l := 0; l < m.Lines(); l++ {
		if l > 0 {
			b = append(b, ';')
		}
		var col int64
		for j, seg := range m.Line(l) {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendVLQ(b, int64(seg.GenColumn)-col)
			col = int64(seg.GenColumn)
			if seg.Source < 0 {
				continue
			}
			b = appendVLQ(b, int64(seg.Source)-src)
			b = appendVLQ(b, int64(seg.OrigLine)-oline)
			b = appendVLQ(b, int64(seg.OrigColumn)-ocol)
			src, oline, ocol = int64(seg.Source), int64(seg.OrigLine), int64(seg.OrigColumn)
			if seg.Name >= 0 {
				b = appendVLQ(b, int64(seg.Name)-name)
				name = int64(seg.Name)
			}
		}
	}
	return string(b)
}
