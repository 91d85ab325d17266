package suggest

import (
	"fmt"
	"regexp"
	"strings"
)

// pyScan is what the Python rules need to know about a file's structure, read from its
// masked lines: where each logical line starts (brackets and backslashes continue a
// statement over lines) and the blocks enclosing the frame's statement.
type pyScan struct {
	c *Case
	// start[i] is the first line of the logical line holding line i; end[i] its last.
	start, end []int
}

func newPyScan(c *Case) *pyScan {
	n := len(c.Masked)
	s := &pyScan{c: c, start: make([]int, n), end: make([]int, n)}
	depth, first := 0, 0
	for i, m := range c.Masked {
		if depth == 0 && (i == 0 || !strings.HasSuffix(strings.TrimRight(c.Masked[i-1], " \t"), `\`)) {
			first = i
		}
		s.start[i] = first
		for _, r := range m {
			switch r {
			case '(', '[', '{':
				depth++
			case ')', ']', '}':
				if depth > 0 {
					depth--
				}
			}
		}
	}
	for i := n - 1; i >= 0; i-- {
		if i == n-1 || s.start[i+1] != s.start[i] {
			s.end[i] = i
		} else {
			s.end[i] = s.end[i+1]
		}
	}
	return s
}

// whole says whether line i is a statement of its own: not continued from the line before,
// not continued on the next, no second statement after a semicolon.
func (s *pyScan) whole(i int) string {
	if s.start[i] != i || s.end[i] != i {
		return fmt.Sprintf("line %d is part of a statement spanning lines %d-%d, which the rule does not read whole", i+1, s.start[i]+1, s.end[i]+1)
	}
	if strings.Contains(s.c.Masked[i], ";") {
		return fmt.Sprintf("line %d holds more than one statement", i+1)
	}
	return ""
}

// pyBlock is a block header enclosing a statement: `for user in users:`, `def f(x):`.
type pyBlock struct {
	line    int    // index of the header's first line
	keyword string // for, while, if, def, class, with, try, else, ...
	text    string // the masked header, its lines joined
}

// pyFunc is the function enclosing a statement.
type pyFunc struct {
	pyBlock
	name string
	// values: some return gives a value; none: some return gives None (`return`,
	// `return None`, or an annotation admitting None); generator: the body yields.
	values, none, generator bool
	// bodyEnd is the index after the function's last line.
	bodyEnd int
}

var (
	pyHeaderWord = regexp.MustCompile(`^(async\s+)?([a-z]+)\b`)
	pyDefName    = regexp.MustCompile(`^(?:async\s+)?def\s+([A-Za-z_]\w*)`)
)

// width is the columns of a line's leading white space (a tab to the next multiple of 8,
// as Python reads it).
func width(l string) int {
	w := 0
	for _, r := range l {
		switch r {
		case ' ':
			w++
		case '\t':
			w = w/8*8 + 8
		default:
			return w
		}
	}
	return w
}

func (s *pyScan) logical(i int) string {
	parts := make([]string, 0, s.end[i]-s.start[i]+1)
	for j := s.start[i]; j <= s.end[i]; j++ {
		parts = append(parts, strings.TrimSpace(strings.TrimSuffix(strings.TrimRight(s.c.Masked[j], " \t"), `\`)))
	}
	return strings.Join(parts, " ")
}

// enclosing lists the blocks around the statement on line i, innermost first, up to its
// function; it returns a reason when the statement is not in a function (module level, a
// class body) or the indentation cannot be read.
func (s *pyScan) enclosing(i int) ([]pyBlock, *pyFunc, string) {
	lvl := width(s.c.Lines[i])
	var blocks []pyBlock
	for j := i - 1; j >= 0 && lvl > 0; j-- {
		if strings.TrimSpace(s.c.Masked[j]) == "" || s.start[j] != j {
			continue
		}
		w := width(s.c.Lines[j])
		if w >= lvl {
			continue
		}
		text := s.logical(j)
		m := pyHeaderWord.FindStringSubmatch(text)
		if m == nil || !strings.HasSuffix(text, ":") {
			return nil, nil, fmt.Sprintf("the indentation above line %d does not read as Python blocks", i+1)
		}
		b := pyBlock{line: j, keyword: m[2], text: text}
		switch b.keyword {
		case "def":
			return blocks, s.function(b), ""
		case "class":
			return nil, nil, fmt.Sprintf("line %d is in the body of a class, not of a function, where no guard can return", i+1)
		}
		blocks = append(blocks, b)
		lvl = w
	}
	return nil, nil, fmt.Sprintf("line %d runs at module level, on import: no function to return from, and skipping it would leave the module half-initialised", i+1)
}

var (
	pyReturn    = regexp.MustCompile(`^return\b\s*(.*)$`)
	pyYield     = regexp.MustCompile(`\byield\b`)
	pyAnnotated = regexp.MustCompile(`->\s*(.+):$`)
	pyOptional  = regexp.MustCompile(`\bOptional\[|\|\s*None\b|\bNone\s*\||^None$`)
)

// function reads a function's header and body: its returns, and whether it yields.
func (s *pyScan) function(b pyBlock) *pyFunc {
	f := &pyFunc{pyBlock: b, bodyEnd: len(s.c.Lines)}
	if m := pyDefName.FindStringSubmatch(b.text); m != nil {
		f.name = m[1]
	}
	if m := pyAnnotated.FindStringSubmatch(b.text); m != nil && pyOptional.MatchString(strings.TrimSpace(m[1])) {
		f.none = true
	}
	defWidth := width(s.c.Lines[b.line])
	nested := -1 // the width of a nested def or class whose body is not this function's
	for j := s.end[b.line] + 1; j < len(s.c.Lines); j++ {
		m := strings.TrimSpace(s.c.Masked[j])
		if m == "" {
			continue
		}
		w := width(s.c.Lines[j])
		if s.start[j] == j && w <= defWidth {
			f.bodyEnd = j
			break
		}
		if nested >= 0 && (w > nested || s.start[j] != j) {
			continue
		}
		nested = -1
		if s.start[j] != j {
			continue
		}
		text := s.logical(j)
		if kw := pyHeaderWord.FindStringSubmatch(text); kw != nil && (kw[2] == "def" || kw[2] == "class") {
			nested = w
			continue
		}
		if pyYield.MatchString(text) {
			f.generator = true
		}
		if r := pyReturn.FindStringSubmatch(text); r != nil {
			if v := strings.TrimSpace(r[1]); v == "" || v == "None" {
				f.none = true
			} else {
				f.values = true
			}
		}
	}
	return f
}

// fStringSpans are the contents (raw text) of the f-strings on line i: the masked line
// blanks them, so a rule searching code would miss an expression inside one.
func fStringSpans(raw, masked string) []string {
	var out []string
	for j := 0; j < len(masked); j++ {
		q := masked[j]
		if q != '"' && q != '\'' {
			continue
		}
		delim := string(q)
		if strings.HasPrefix(masked[j:], strings.Repeat(delim, 3)) {
			delim = strings.Repeat(delim, 3)
		}
		k := j + len(delim)
		end := strings.Index(masked[k:], delim)
		if end < 0 {
			end = len(masked) - k
		}
		prefix := strings.ToLower(strings.TrimLeft(masked[:j], " \t"))
		if p := strings.LastIndexFunc(prefix, func(r rune) bool { return !isWordByte(byte(r)) }); p >= 0 {
			prefix = prefix[p+1:]
		}
		if strings.Contains(prefix, "f") && len(prefix) <= 2 {
			out = append(out, raw[k:k+end])
		}
		j = k + end + len(delim) - 1
	}
	return out
}

func isWordByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// primaryStart is where the primary expression ending at end (exclusive) of a masked line
// starts: names, dots, calls and subscripts read backwards.
func primaryStart(m string, end int) int {
	k := end
	for k > 0 {
		switch ch := m[k-1]; {
		case isWordByte(ch) || ch == '.':
			k--
		case ch == ')' || ch == ']':
			open := openingBracket(m, k-1)
			if open < 0 {
				return k
			}
			k = open
		default:
			return k
		}
	}
	return k
}

var pyKeywords = map[string]bool{
	"False": true, "None": true, "True": true, "and": true, "as": true, "assert": true, "async": true,
	"await": true, "break": true, "class": true, "continue": true, "def": true, "del": true, "elif": true,
	"else": true, "except": true, "finally": true, "for": true, "from": true, "global": true, "if": true,
	"import": true, "in": true, "is": true, "lambda": true, "nonlocal": true, "not": true, "or": true,
	"pass": true, "raise": true, "return": true, "try": true, "while": true, "with": true, "yield": true,
}

var pyDottedName = regexp.MustCompile(`^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$`)

// plainName says whether s is a name or dotted name that is not a keyword.
func plainName(s string) bool {
	if !pyDottedName.MatchString(s) {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if pyKeywords[part] {
			return false
		}
	}
	return true
}

// pyFrameFunction checks what every Python guard needs: the frame's function is the def the
// line sits in, and that def is neither a lambda's nor a comprehension's frame.
func pyFrameFunction(c *Case, f *pyFunc) string {
	fn := c.Frame.Function
	if strings.HasPrefix(fn, "<") {
		return fmt.Sprintf("the frame is in %s on line %d, an expression with no statement of its own to guard", fn, c.Index+1)
	}
	if fn != "" && f.name != "" && fn != f.name && !strings.HasSuffix(fn, "."+f.name) {
		return fmt.Sprintf("the frame names function %s but line %d is in def %s: the file is not the one that ran", fn, c.Index+1, f.name)
	}
	return ""
}
