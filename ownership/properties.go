package ownership

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Entry is one key/value pair of a Java .properties file.
type Entry struct {
	Key   string
	Value string // escapes decoded, continuation lines joined
	Line  int    // 1-based line where the entry starts
	// Segments is the value split at its continuation lines, each with its own line number,
	// so that a value holding one item a line (ownership.rules) can report the right line.
	// Joined, the segments' texts are Value. A value that starts on a continuation line has
	// no segment for the key's line.
	Segments []Segment
	// Malformed marks an entry with a bad escape (returned only along with the *ParseError
	// that names it): its key and value are as far as they could be decoded.
	Malformed bool
}

// Segment is the part of a value written on one physical line.
type Segment struct {
	Line int
	Text string
}

// ParseProperties reads a Java .properties file the way java.util.Properties.load does, but
// keeps line numbers, which github.com/magiconair/properties drops.
//
// It accepts '#' and '!' comments, blank lines, "key=value", "key:value" and "key value",
// the escapes \t \n \r \f \\ and \uXXXX (surrogate pairs are combined; any other \x means x),
// continuation lines (a line ending in an odd number of backslashes; the next line's leading
// whitespace is dropped), a leading UTF-8 byte order mark and LF, CRLF or CR line endings.
//
// Every entry is returned in file order, duplicates included: Java keeps the last value of a
// duplicated key, and callers that want that use the last entry. (LoadConfig rejects
// duplicates instead, since one of the two lines is always a mistake.)
//
// A malformed \u escape is an error naming file and line; Java rejects it too. Every entry is
// still returned with the *ParseError (those with a bad escape marked Malformed), so that a
// caller can report every other problem of the file along with it: one bad escape must not
// hide the rest.
func ParseProperties(src []byte, file string) ([]Entry, error) {
	text := strings.TrimPrefix(string(src), "\uFEFF")
	lines := splitLines(text)
	var entries []Entry
	var probs []Problem
	for i := 0; i < len(lines); i++ {
		start := i
		first := strings.TrimLeft(lines[i], " \t\f")
		if first == "" || first[0] == '#' || first[0] == '!' {
			continue // comments never continue onto the next line
		}
		// Gather the logical line: pieces are raw text per physical line, continuation
		// backslash removed.
		var pieces []Segment
		cur := first
		for {
			if !continues(cur) {
				pieces = append(pieces, Segment{Line: i + 1, Text: cur})
				break
			}
			pieces = append(pieces, Segment{Line: i + 1, Text: cur[:len(cur)-1]})
			if i+1 >= len(lines) {
				break
			}
			i++
			cur = strings.TrimLeft(lines[i], " \t\f")
		}
		e, msgs := parseLogical(pieces)
		e.Line = start + 1
		for _, m := range msgs {
			probs = append(probs, Problem{File: file, Line: m.Line, Msg: m.Text})
		}
		e.Malformed = len(msgs) > 0
		entries = append(entries, e)
	}
	if len(probs) > 0 {
		return entries, &ParseError{Problems: probs}
	}
	return entries, nil
}

// splitLines splits at LF, CRLF or CR, as Java's line reader does.
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// continues reports whether the line ends in an odd number of backslashes.
func continues(s string) bool {
	n := 0
	for n < len(s) && s[len(s)-1-n] == '\\' {
		n++
	}
	return n%2 == 1
}

// parseLogical splits a logical line into key and value. Messages come back as Segments
// (line, text) for the caller to label with the file.
func parseLogical(pieces []Segment) (Entry, []Segment) {
	// Walk the pieces as one stream of (piece index, byte offset).
	p, off := 0, 0
	at := func() (byte, bool) {
		for p < len(pieces) && off >= len(pieces[p].Text) {
			p, off = p+1, 0
		}
		if p >= len(pieces) {
			return 0, false
		}
		return pieces[p].Text[off], true
	}
	var key strings.Builder
	var msgs []Segment
	// Key: up to an unescaped separator or whitespace.
	for {
		c, ok := at()
		if !ok || c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			break
		}
		if c == '\\' {
			s, n, err := unescape(pieces[p].Text[off:])
			if err != "" {
				msgs = append(msgs, Segment{Line: pieces[p].Line, Text: err})
			}
			key.WriteString(s)
			off += n
			continue
		}
		key.WriteByte(c)
		off++
	}
	// Separator: whitespace, then at most one '=' or ':', then whitespace.
	skipWS := func() {
		for c, ok := at(); ok && (c == ' ' || c == '\t' || c == '\f'); c, ok = at() {
			off++
		}
	}
	skipWS()
	if c, ok := at(); ok && (c == '=' || c == ':') {
		off++
		skipWS()
	}
	e := Entry{Key: key.String()}
	var val strings.Builder
	for ; p < len(pieces); p, off = p+1, 0 {
		s, errs := decode(pieces[p].Text[off:])
		for _, m := range errs {
			msgs = append(msgs, Segment{Line: pieces[p].Line, Text: m})
		}
		e.Segments = append(e.Segments, Segment{Line: pieces[p].Line, Text: s})
		val.WriteString(s)
	}
	if e.Segments == nil {
		// Key only, or nothing after the separator: one empty segment on the last line.
		e.Segments = []Segment{{Line: pieces[len(pieces)-1].Line}}
	}
	e.Value = val.String()
	return e, msgs
}

// decode decodes the escapes of s.
func decode(s string) (string, []string) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	var errs []string
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			b.WriteByte(s[i])
			i++
			continue
		}
		d, n, err := unescape(s[i:])
		if err != "" {
			errs = append(errs, err)
		}
		b.WriteString(d)
		i += n
	}
	return b.String(), errs
}

// unescape decodes the escape at the start of s (which begins with a backslash) and returns
// the text, the bytes consumed and a message if it is malformed.
func unescape(s string) (string, int, string) {
	if len(s) < 2 {
		return "", len(s), "" // a lone trailing backslash: Java drops it
	}
	switch c := s[1]; c {
	case 't':
		return "\t", 2, ""
	case 'n':
		return "\n", 2, ""
	case 'r':
		return "\r", 2, ""
	case 'f':
		return "\f", 2, ""
	case 'u':
		r, ok := hex4(s[2:])
		if !ok {
			return "", min(len(s), 6), fmt.Sprintf("malformed \\uXXXX escape %q", s[:min(len(s), 6)])
		}
		n := 6
		if utf16.IsSurrogate(r) && len(s) >= 12 && s[6] == '\\' && s[7] == 'u' {
			if r2, ok := hex4(s[8:]); ok {
				if p := utf16.DecodeRune(r, r2); p != utf8.RuneError {
					return string(p), 12, ""
				}
			}
		}
		return string(r), n, "" // a lone surrogate becomes U+FFFD
	default:
		// Any other escaped character stands for itself; keep whole UTF-8 sequences.
		_, size := utf8.DecodeRuneInString(s[1:])
		return s[1 : 1+size], 1 + size, ""
	}
}

func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for i := range 4 {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
