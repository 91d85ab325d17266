package suggest

import "strings"

// Mask returns lines with the contents of string literals and comments replaced by spaces,
// columns kept: quotes stay, so `a["total"]` reads `a["     "]`, and a comment's text is gone
// (its opening `//` or `#` too). Rules search the masked lines for code and edit the real ones.
func Mask(l Language, lines []string) []string {
	m, _ := maskState(l, lines)
	return m
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
