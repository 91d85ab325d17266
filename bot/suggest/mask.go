package suggest

import "strings"

// Mask returns lines with the contents of string literals and comments replaced by spaces,
// columns kept: quotes stay, so `a["total"]` reads `a["     "]`, and a comment's text is gone
// (its opening `//` or `#` too). Rules search the masked lines for code and edit the real ones.
func Mask(l Language, lines []string) []string {
	if l == JavaScript || l == TypeScript {
		return maskJS(lines)
	}
	m, _ := maskState(l, lines)
	return m
}

// maskJS masks JavaScript and TypeScript, which need more than quotes and comments: a
// template literal's `${…}` expressions are code (kept, with the literal text around them
// blanked, across lines and nested), and a regular expression literal (`/[",]/g`) is blanked
// between its slashes, so that a quote or a bracket inside it does not open a string or
// unbalance the line.
func maskJS(lines []string) []string {
	out := make([]string, len(lines))
	var (
		comment bool  // inside /* … */
		inTmpl  bool  // inside a template literal's text
		depth   int   // open braces in code
		tmpl    []int // the brace depth at which each open `${` returns to its template
	)
	for i, line := range lines {
		b := []byte(line)
		j := 0
		for j < len(b) {
			switch {
			case comment:
				end := strings.Index(string(b[j:]), "*/")
				if end < 0 {
					blank(b, j, len(b))
					j = len(b)
					continue
				}
				blank(b, j, j+end+2)
				j += end + 2
				comment = false
			case inTmpl:
				k := j
				for k < len(b) && b[k] != '`' && !(b[k] == '$' && k+1 < len(b) && b[k+1] == '{') {
					if b[k] == '\\' {
						k++
					}
					k++
				}
				blank(b, j, min(k, len(b)))
				switch {
				case k >= len(b):
					j = len(b)
				case b[k] == '`':
					inTmpl = false
					j = k + 1
				default: // ${
					tmpl = append(tmpl, depth)
					depth++
					inTmpl = false
					j = k + 2
				}
			default:
				c := b[j]
				switch {
				case c == '/' && j+1 < len(b) && b[j+1] == '/':
					blank(b, j, len(b))
					j = len(b)
				case c == '/' && j+1 < len(b) && b[j+1] == '*':
					blank(b, j, j+2)
					comment = true
					j += 2
				case c == '\'' || c == '"':
					end := findClose(b, j+1, string(c), true)
					if end < 0 {
						blank(b, j+1, len(b))
						j = len(b)
						continue
					}
					blank(b, j+1, end)
					j = end + 1
				case c == '`':
					inTmpl = true
					j++
				case c == '/' && regexMayStart(b[:j]):
					end := regexEnd(b, j+1)
					if end < 0 {
						j++ // a division after all
						continue
					}
					blank(b, j+1, end)
					j = end + 1
				case c == '{':
					depth++
					j++
				case c == '}':
					depth--
					if n := len(tmpl); n > 0 && depth == tmpl[n-1] {
						tmpl = tmpl[:n-1]
						inTmpl = true
					}
					j++
				default:
					j++
				}
			}
		}
		out[i] = string(b)
	}
	return out
}

// regexMayStart says whether a `/` after code can start a regular expression rather than
// divide: at the start of a line, after an operator or an opening bracket, or after a keyword
// that takes an expression.
func regexMayStart(code []byte) bool {
	k := len(code)
	for k > 0 && (code[k-1] == ' ' || code[k-1] == '\t') {
		k--
	}
	if k == 0 {
		return true
	}
	if strings.IndexByte("(,=:[!&|?{};+-*%<>~^", code[k-1]) >= 0 {
		return true
	}
	s := k
	for s > 0 && jsIdentByte(code[s-1]) {
		s--
	}
	switch string(code[s:k]) {
	case "return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "yield", "await", "instanceof":
		return true
	}
	return false
}

// regexEnd finds the `/` closing a regular expression whose body starts at j: not escaped,
// not inside a character class; -1 when the line does not close it.
func regexEnd(b []byte, j int) int {
	class := false
	for k := j; k < len(b); k++ {
		switch b[k] {
		case '\\':
			k++
		case '[':
			class = true
		case ']':
			class = false
		case '/':
			if !class {
				if k == j {
					return -1 // `//` is a comment, not an empty regular expression
				}
				return k
			}
		}
	}
	return -1
}

// maskState masks lines and says which construct is still open at the end ("" when none):
// a string or a comment that never ends.
func maskState(l Language, lines []string) ([]string, string) {
	out := make([]string, len(lines))
	var open string // the closing delimiter of a string or comment spanning lines
	python := l == Python
	for i, line := range lines {
		b := []byte(line)
		j := 0
		for j < len(b) {
			if open != "" {
				end := findClose(b, j, open, python || open != "*/")
				if end < 0 {
					blank(b, j, len(b))
					break
				}
				blank(b, j, end)
				if open == "*/" {
					blank(b, end, end+2)
				}
				j = end + len(open)
				open = ""
				continue
			}
			c := b[j]
			switch {
			case python && c == '#':
				blank(b, j, len(b))
				j = len(b)
			case !python && c == '/' && j+1 < len(b) && b[j+1] == '/':
				blank(b, j, len(b))
				j = len(b)
			case !python && c == '/' && j+1 < len(b) && b[j+1] == '*':
				blank(b, j, j+2)
				open = "*/"
				j += 2
			case c == '"' || c == '\'' || c == '`':
				delim := string(c)
				if (python || l == Kotlin) && j+2 < len(b) && b[j+1] == c && b[j+2] == c {
					delim = strings.Repeat(delim, 3)
				}
				if c == '`' && (python || l == Java || l == Kotlin) {
					j++ // not a string delimiter in these languages
					continue
				}
				start := j + len(delim)
				end := findClose(b, start, delim, !(l == Go && c == '`'))
				if end < 0 {
					blank(b, start, len(b))
					j = len(b)
					if len(delim) == 3 || c == '`' {
						open = delim // spans lines
					}
					continue
				}
				blank(b, start, end)
				j = end + len(delim)
			default:
				j++
			}
		}
		out[i] = string(b)
	}
	switch open {
	case "":
	case "*/":
		return out, "a /* comment"
	default:
		return out, "a " + open + " string"
	}
	return out, ""
}

// findClose finds delim in b from j, skipping backslash escapes when escapes is set; -1 when
// the line does not hold it.
func findClose(b []byte, j int, delim string, escapes bool) int {
	for k := j; k < len(b); k++ {
		if escapes && b[k] == '\\' {
			k++
			continue
		}
		if strings.HasPrefix(string(b[k:]), delim) {
			return k
		}
	}
	return -1
}

func blank(b []byte, from, to int) {
	for k := from; k < to && k < len(b); k++ {
		if b[k] != '\t' {
			b[k] = ' '
		}
	}
}

// closingBracket returns the index of the bracket closing the one at i on a masked line; -1
// when the line does not close it.
func closingBracket(m string, i int) int {
	depth := 0
	for k := i; k < len(m); k++ {
		switch m[k] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// openingBracket returns the index of the bracket opening the one at i on a masked line; -1
// when the line does not open it.
func openingBracket(m string, i int) int {
	depth := 0
	for k := i; k >= 0; k-- {
		switch m[k] {
		case ')', ']', '}':
			depth++
		case '(', '[', '{':
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}
