package suggest

import "strings"

// The JavaScript/TypeScript rules read one masked line of code (strings and comments blank,
// brackets inside them gone) with these small scanners: enough to find member accesses, calls
// and iteration sites and the operand each applies to. Anything they cannot read whole (a
// bracket closed on another line) they report as unknown, and the rules abstain.

func jsIdentByte(b byte) bool {
	return b == '_' || b == '$' || b >= 0x80 || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
}

// jsOperandKeywords end an operand scan: `return a.b` reads `a`, not `return`.
var jsOperandKeywords = map[string]bool{
	"return": true, "typeof": true, "void": true, "delete": true, "await": true, "new": true,
	"in": true, "of": true, "instanceof": true, "case": true, "yield": true, "else": true,
	"do": true, "throw": true, "if": true, "while": true, "for": true, "switch": true,
	"catch": true, "with": true, "keyof": true, "as": true, "satisfies": true, "extends": true,
	"export": true, "default": true, "const": true, "let": true, "var": true,
}

// jsWordBefore returns the identifier ending at end (spaces before end skipped) and where it
// starts.
func jsWordBefore(m string, end int) (string, int) {
	j := end
	for j > 0 && m[j-1] == ' ' || j > 0 && m[j-1] == '\t' {
		j--
	}
	s := j
	for s > 0 && jsIdentByte(m[s-1]) {
		s--
	}
	return m[s:j], s
}

// jsOperandStart returns where the operand that ends at end begins: an identifier, `this`, a
// string or a parenthesised expression, followed by any member accesses, calls, indexes and
// non-null assertions; -1 when no operand ends there.
func jsOperandStart(m string, end int) int {
	j := end
	for {
		if j > 0 && m[j-1] == '!' && j < len(m) && (m[j] == '.' || m[j] == '[' || m[j] == '?') {
			j-- // TypeScript's non-null assertion
		}
		if j == 0 {
			return -1
		}
		c := m[j-1]
		switch {
		case c == ')' || c == ']':
			o := openingBracket(m, j-1)
			if o < 0 {
				return -1
			}
			if o >= 2 && m[o-2:o] == "?." {
				j = o - 2
				continue
			}
			if o > 0 && (m[o-1] == ')' || m[o-1] == ']') {
				j = o
				continue
			}
			if o > 0 && jsIdentByte(m[o-1]) {
				if w, _ := jsWordBefore(m, o); !jsOperandKeywords[w] && w != "function" {
					j = o
					continue
				}
			}
			if c == ']' {
				return o // an array literal
			}
			return o // a parenthesised expression
		case jsIdentByte(c):
			s := j
			for s > 0 && jsIdentByte(m[s-1]) {
				s--
			}
			if jsOperandKeywords[m[s:j]] {
				return -1
			}
			if s >= 3 && m[s-3:s] == "..." {
				return s
			}
			if s >= 2 && m[s-2:s] == "?." {
				j = s - 2
				continue
			}
			if s >= 1 && m[s-1] == '.' {
				j = s - 1
				continue
			}
			return s
		case c == '\'' || c == '"' || c == '`':
			o := strings.LastIndexByte(m[:j-1], c)
			if o < 0 {
				return -1
			}
			return o
		default:
			return -1
		}
	}
}

// jsChainEnd returns where the member chain continuing at j ends: past every `.name`,
// `?.name`, call, index and non-null assertion; -1 when a bracket is not closed on the line.
func jsChainEnd(m string, j int) int {
	for j < len(m) {
		switch {
		case strings.HasPrefix(m[j:], "?.(") || strings.HasPrefix(m[j:], "?.["):
			k := closingBracket(m, j+2)
			if k < 0 {
				return -1
			}
			j = k + 1
		case strings.HasPrefix(m[j:], "?.") && j+2 < len(m) && jsIdentByte(m[j+2]):
			j += 2
			for j < len(m) && jsIdentByte(m[j]) {
				j++
			}
		case m[j] == '.' && !strings.HasPrefix(m[j:], "..") && j+1 < len(m) && jsIdentByte(m[j+1]):
			j++
			for j < len(m) && jsIdentByte(m[j]) {
				j++
			}
		case m[j] == '(' || m[j] == '[':
			k := closingBracket(m, j)
			if k < 0 {
				return -1
			}
			j = k + 1
		case m[j] == '!' && !strings.HasPrefix(m[j:], "!="):
			j++
		default:
			return j
		}
	}
	return j
}

// jsNormalize is an expression as the engines print it in messages: no white space, call
// arguments as `(...)`, no TypeScript non-null assertions.
func jsNormalize(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
		case c == '(' && i > 0 && (jsIdentByte(s[i-1]) || s[i-1] == ')' || s[i-1] == ']' || s[i-1] == '.'):
			k := closingBracket(s, i)
			if k < 0 {
				b.WriteString(s[i:])
				return b.String()
			}
			b.WriteString("(...)")
			i = k
		case c == '!' && i+1 < len(s) && (s[i+1] == '.' || s[i+1] == '[' || s[i+1] == '?'):
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// jsShort is an expression for an explanation: call arguments elided when it is long.
func jsShort(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= 48 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '(' && i > 0 && (jsIdentByte(s[i-1]) || s[i-1] == '.') {
			if k := closingBracket(s, i); k > 0 {
				b.WriteString("(…)")
				i = k
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// jsNextToken is the code after j with leading white space skipped.
func jsNextToken(m string, j int) string {
	if j < 0 || j > len(m) {
		return ""
	}
	return strings.TrimLeft(m[j:], " \t")
}

// jsPrevToken is the code before j with trailing white space dropped.
func jsPrevToken(m string, j int) string {
	if j < 0 || j > len(m) {
		return ""
	}
	return strings.TrimRight(m[:j], " \t")
}

// jsAssigns says whether code after an expression assigns to it or updates it.
func jsAssigns(next string) bool {
	if strings.HasPrefix(next, "++") || strings.HasPrefix(next, "--") {
		return true
	}
	for _, op := range []string{">>>=", "**=", "<<=", ">>=", "&&=", "||=", "??=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^="} {
		if strings.HasPrefix(next, op) {
			return true
		}
	}
	return strings.HasPrefix(next, "=") && !strings.HasPrefix(next, "==") && !strings.HasPrefix(next, "=>")
}

// jsInPattern says whether position i sits inside an array or object pattern that is
// assigned to (`[a.b, c] = pair`, `({ x: a.b } = o)`), as far as the line shows.
func jsInPattern(m string, i int) bool {
	for k := i - 1; k >= 0; k-- {
		if m[k] != '[' && m[k] != '{' {
			continue
		}
		close := closingBracket(m, k)
		if close < 0 || close < i {
			continue
		}
		if jsAssigns(jsNextToken(m, close+1)) && !strings.HasPrefix(jsNextToken(m, close+1), "++") {
			return true
		}
	}
	return false
}

// jsEndsWithWord says whether code ends with the keyword w (not a longer identifier).
func jsEndsWithWord(code, w string) bool {
	if !strings.HasSuffix(code, w) {
		return false
	}
	n := len(code) - len(w)
	return n == 0 || !jsIdentByte(code[n-1]) && code[n-1] != '.'
}

// jsSimpleChain says whether an expression is one operand chain (`a.b[0].c()`), so that
// `?? []` can follow it without parentheses.
func jsSimpleChain(e string) bool {
	e = strings.TrimSpace(e)
	if e == "" {
		return false
	}
	if jsOperandStart(e, len(e)) != 0 {
		return false
	}
	// jsOperandStart stops at a word; make sure the whole text is the chain.
	return jsChainEnd(e, jsFirstOperandEnd(e)) == len(e)
}

// jsFirstOperandEnd is where the primary expression at the start of e ends.
func jsFirstOperandEnd(e string) int {
	if e == "" {
		return 0
	}
	switch c := e[0]; c {
	case '(', '[':
		if k := closingBracket(e, 0); k >= 0 {
			return k + 1
		}
		return len(e)
	case '\'', '"', '`':
		if k := strings.IndexByte(e[1:], c); k >= 0 {
			return k + 2
		}
		return len(e)
	}
	j := 0
	for j < len(e) && jsIdentByte(e[j]) {
		j++
	}
	return j
}
