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
	i := strings.IndexAny(text, lineTerminators)
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
