package sourcemaps

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads the one JavaScript token that starts at a given place, which is all the
// content check needs: it never tokenizes a whole file, so it cannot lose its way in regular
// expressions or templates. Names and strings come back with their escapes decoded, so
// `\u540D` and `名`, or 'a' and "a", compare equal.

// Longer names and literals are not read (readToken returns tokOther): a map can point at
// the same long token many times, and reading it each time would make the check quadratic.
// Real names are far shorter; the literals left out are data (images, inlined files).
const (
	maxName    = 256
	maxLiteral = 4096
)

// tokenKind is what readToken found.
type tokenKind uint8

const (
	// tokOther is anything the check does not compare: punctuators, numbers, comments,
	// templates with substitutions, text a decoder rejects, the end of the line.
	tokOther tokenKind = iota
	tokIdent
	tokKeyword
	// tokString is a string literal, or a template literal without substitutions (minifiers
	// turn one into the other).
	tokString
)

// jsToken is the token readToken found; text is the decoded name or string value.
type jsToken struct {
	kind tokenKind
	text string
}

// isReserved reports whether name is a word no minifier may use as a name, so a generated one
// is the same word in the source (strict-mode and module words included: bundles are modules
// or strict). A switch, not a map: it runs for every name compared.
func isReserved(name string) bool {
	if len(name) < 2 || len(name) > 10 || name[0] < 'a' || name[0] > 'y' {
		return false
	}
	switch name {
	case "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default",
		"delete", "do", "else", "enum", "export", "extends", "false", "finally", "for", "function",
		"if", "implements", "import", "in", "instanceof", "interface", "let", "new", "null",
		"package", "private", "protected", "public", "return", "static", "super", "switch", "this",
		"throw", "true", "try", "typeof", "var", "void", "while", "with", "yield":
		return true
	}
	return false
}

// asciiName marks the ASCII characters that may start a name (1) or continue one (1 or 2).
var asciiName = func() (t [utf8.RuneSelf]uint8) {
	for c := range utf8.RuneSelf {
		switch {
		case c == '$' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			t[c] = 1
		case c >= '0' && c <= '9':
			t[c] = 2
		}
	}
	return t
}()

// readToken returns the token that starts at byte i of s; s is one line (a string literal
// cannot span lines, except through a line continuation, which then reads as tokOther).
func readToken(s string, i int) jsToken {
	if i < 0 || i >= len(s) {
		return jsToken{}
	}
	switch c := s[i]; c {
	case '"', '\'':
		v, ok := readQuoted(s[i+1:], c)
		if !ok {
			return jsToken{}
		}
		return jsToken{kind: tokString, text: v}
	case '`':
		v, ok := readQuoted(s[i+1:], '`')
		if !ok {
			return jsToken{}
		}
		return jsToken{kind: tokString, text: v}
	}
	name, ok := readIdentifierName(s[i:])
	if !ok {
		return jsToken{}
	}
	if isReserved(name) {
		return jsToken{kind: tokKeyword, text: name}
	}
	return jsToken{kind: tokIdent, text: name}
}

// readIdentifierName reads an IdentifierName at the start of s, decoding \u escapes.
func readIdentifierName(s string) (string, bool) {
	escaped := false
	i := 0
	// The common case first: a plain ASCII name.
	for i < len(s) && i <= maxName && s[i] < utf8.RuneSelf && (asciiName[s[i]] == 1 || i > 0 && asciiName[s[i]] == 2) {
		i++
	}
	for i < len(s) && i <= maxName {
		r, size := rune(s[i]), 1
		switch {
		case r == '\\':
			var ok bool
			if r, size, ok = readUnicodeEscape(s[i:]); !ok {
				return "", false
			}
			escaped = true
		case r >= utf8.RuneSelf:
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if i == 0 && !isIDStart(r) || i > 0 && !isIDPart(r) {
			if s[i] == '\\' {
				// An escape that decodes to a character no name may hold is a syntax error.
				return "", false
			}
			break
		}
		i += size
	}
	switch {
	case i == 0 || i > maxName:
		return "", false
	case escaped:
		return decodeIdentifier(s[:i])
	}
	return s[:i], true
}

// decodeIdentifier decodes every \u escape of a name already known to be well formed.
func decodeIdentifier(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == '\\' {
			r, size, ok := readUnicodeEscape(s[i:])
			if !ok {
				return "", false
			}
			b.WriteRune(r)
			i += size
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String(), true
}

func isIDStart(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 0 && asciiName[r] == 1
	}
	return unicode.IsLetter(r) || unicode.Is(unicode.Nl, r)
}

func isIDPart(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 0 && asciiName[r] != 0
	}
	return isIDStart(r) || r == '\u200c' || r == '\u200d' || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc)
}

// readUnicodeEscape decodes \uXXXX or \u{X…} at the start of s.
func readUnicodeEscape(s string) (r rune, size int, ok bool) {
	if len(s) < 3 || s[0] != '\\' || s[1] != 'u' {
		return 0, 0, false
	}
	if s[2] == '{' {
		end := strings.IndexByte(s, '}')
		if end < 4 || end > 11 {
			return 0, 0, false
		}
		v, err := strconv.ParseUint(s[3:end], 16, 32)
		if err != nil || v > unicode.MaxRune {
			return 0, 0, false
		}
		return rune(v), end + 1, true
	}
	if len(s) < 6 {
		return 0, 0, false
	}
	v, err := strconv.ParseUint(s[2:6], 16, 16)
	if err != nil {
		return 0, 0, false
	}
	return rune(v), 6, true
}

// readQuoted decodes the body of a literal opened by quote, s starting just after it. It fails
// on a literal that does not end on this line, a template with a substitution, legacy octal
// escapes and malformed escapes: such tokens are not compared.
func readQuoted(s string, quote byte) (string, bool) {
	end := -1
	plain := true
	for i := 0; i < len(s) && i < maxLiteral; i++ {
		switch s[i] {
		case quote:
			end = i
		case '\\':
			plain = false
			i++
			continue
		case '$':
			if quote == '`' && i+1 < len(s) && s[i+1] == '{' {
				return "", false
			}
			continue
		default:
			continue
		}
		break
	}
	if end < 0 {
		return "", false
	}
	body := s[:end]
	if plain {
		return body, true
	}
	var b strings.Builder
	b.Grow(len(body))
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(body) {
			return "", false
		}
		e := body[i+1]
		switch e {
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '0':
			if i+2 < len(body) && body[i+2] >= '0' && body[i+2] <= '9' {
				return "", false
			}
			b.WriteByte(0)
		case 'x':
			if i+4 > len(body) {
				return "", false
			}
			v, err := strconv.ParseUint(body[i+2:i+4], 16, 8)
			if err != nil {
				return "", false
			}
			b.WriteRune(rune(v))
			i += 4
			continue
		case 'u':
			r, size, ok := readUnicodeEscape(body[i:])
			if !ok {
				return "", false
			}
			// A surrogate pair written as two escapes is one character.
			if utf16IsHigh(r) {
				if r2, size2, ok := readUnicodeEscape(body[i+size:]); ok && utf16IsLow(r2) {
					r = (r-0xD800)<<10 + (r2 - 0xDC00) + 0x10000
					size += size2
				}
			}
			b.WriteRune(r)
			i += size
			continue
		default:
			if e >= '1' && e <= '9' {
				return "", false
			}
			// Any other escaped character stands for itself.
			r, size := utf8.DecodeRuneInString(body[i+1:])
			b.WriteRune(r)
			i += 1 + size
			continue
		}
		i += 2
	}
	return b.String(), true
}

func utf16IsHigh(r rune) bool { return r >= 0xD800 && r < 0xDC00 }
func utf16IsLow(r rune) bool  { return r >= 0xDC00 && r < 0xE000 }

// afterDot reports whether the token at byte i of line s follows a member-access dot
// ("a.b", "a?.b", "a . b"), where a name is a property, kept by minifiers. A spread "..." is not
// a member access. At most maxBlanks blanks are skipped, so that a line of blanks mapped at
// every column costs no more than its length.
func afterDot(s string, i int) bool {
	const maxBlanks = 16
	if i > len(s) {
		return false
	}
	j := i - 1
	for j >= 0 && j >= i-maxBlanks && (s[j] == ' ' || s[j] == '\t') {
		j--
	}
	if j < 0 || s[j] != '.' {
		return false
	}
	return j == 0 || s[j-1] != '.'
}
