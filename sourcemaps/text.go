package sourcemaps

import (
	"strconv"
	"strings"
)

// Generated and original code is split into lines at ECMAScript line terminators (LF, CR, CRLF,
// U+2028, U+2029), as the source map spec and browsers count lines.

const lineTerminators = "\n\r\u2028\u2029"

// cutLine splits text at its first line terminator: the line, the text after the terminator,
// and whether there was one.
func cutLine(text string) (line, rest string, found bool) {
	i := indexLineTerminator(text)
	if i < 0 {
		return text, "", false
	}
	switch text[i] {
	case '\n':
		return text[:i], text[i+1:], true
	case '\r':
		if i+1 < len(text) && text[i+1] == '\n' {
			return text[:i], text[i+2:], true
		}
		return text[:i], text[i+1:], true
	}
	// U+2028 and U+2029 are three bytes in UTF-8.
	return text[:i], text[i+3:], true
}

// indexLineTerminator returns the index of the first line terminator in text, or -1. It is
// strings.IndexAny(text, lineTerminators) made fast: IndexAny with non-ASCII characters tries
// each character of text in turn, which was most of the time validate spends on a large map;
// here vectorised byte searches find "\n", "\r" and the 0xE2 that starts U+2028 and U+2029.
func indexLineTerminator(text string) int {
	n := strings.IndexByte(text, '\n')
	limit := text
	if n >= 0 {
		limit = text[:n]
	}
	if r := strings.IndexByte(limit, '\r'); r >= 0 {
		n, limit = r, text[:r]
	}
	for off := 0; ; {
		e := strings.IndexByte(limit[off:], 0xE2)
		if e < 0 {
			return n
		}
		e += off
		if e+2 < len(text) && text[e+1] == 0x80 && (text[e+2] == 0xA8 || text[e+2] == 0xA9) {
			return e
		}
		off = e + 1
	}
}

// isASCII reports whether s holds only ASCII characters, eight bytes at a time.
func isASCII(s string) bool {
	for len(s) >= 8 {
		w := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		if w&0x8080808080808080 != 0 {
			return false
		}
		s = s[8:]
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// lineLengthsUTF16 returns the length of every line of text in UTF-16 code units, the unit of
// source map columns (browsers count JavaScript strings in UTF-16).
func lineLengthsUTF16(text string) []int {
	lengths := make([]int, 0, strings.Count(text, "\n")+1)
	for {
		line, rest, found := cutLine(text)
		lengths = append(lengths, utf16Len(line))
		if !found {
			return lengths
		}
		text = rest
	}
}

// countLines returns how many lines text has (a final terminator starts an empty last line).
func countLines(text string) int {
	n := 1
	for {
		_, rest, found := cutLine(text)
		if !found {
			return n
		}
		n++
		text = rest
	}
}

// utf16Len returns the length of s in UTF-16 code units: one per character, two for characters
// outside the Basic Multilingual Plane (4-byte UTF-8 sequences). Invalid bytes count one each,
// as a decoder would replace each with U+FFFD.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b < 0x80:
			n++
		case b&0xC0 == 0x80:
			// continuation byte: counted with its leader
		case b >= 0xF0:
			n += 2
		default:
			n++
		}
	}
	return n
}

// plural writes a count with its noun: "1 line", "2 lines". Messages say "only 1 line", not
// "only 1 lines".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
