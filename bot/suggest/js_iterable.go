package suggest

import (
	"fmt"
	"regexp"
	"strings"
)

// The "is not iterable" rule: `for (const i of items ?? [])`, `[...(items ?? [])]`,
// `const [a, b] = pair ?? []`, only when the line iterates exactly one value (a second
// iteration, such as an array pattern in the for's head, could be the one that failed) and the
// message, when it names the value, names that one.

var (
	notIterable = regexp.MustCompile(`^(.+?) is not iterable(?: \(cannot read property (.+)\))?$`)
	spreadNeeds = regexp.MustCompile(`^Spread syntax requires \.\.\.iterable\[Symbol\.iterator\] to be a function$`)
	jsForHead   = regexp.MustCompile(`\bfor\s*(await\s*)?\(`)
	jsArrayDecl = regexp.MustCompile(`\b(const|let|var)\s*\[`)
	jsIterCalls = regexp.MustCompile(`(Array\.from|Promise\.(all|allSettled|any|race)|new\s+(Map|Set|WeakMap|WeakSet)|Object\.fromEntries)\s*\(`)
	jsYieldStar = regexp.MustCompile(`\byield\s*\*`)
	// jsLiteralFallback is an iterated expression that already defaults to a literal.
	jsLiteralFallback = regexp.MustCompile(`(\?\?|\|\|)\s*(\[[^\]]*\]|\{[^}]*\}|'[^']*'|"[^"]*"|new\s+(Map|Set)\(\))\s*\)*$`)
)

// jsIterSite is a place on a line that iterates a value.
type jsIterSite struct {
	kind     string // "for … of", "spread", "array destructuring", or what else iterates it
	from, to int    // the iterated expression in the line; to is -1 when the line does not end it
	fixable  bool
}

// jsIterationSites lists the iteration sites of the frame's line.
func jsIterationSites(c *Case) []jsIterSite {
	m := c.MaskedLine()
	var sites []jsIterSite
	for _, loc := range jsForHead.FindAllStringIndex(m, -1) {
		open := loc[1] - 1
		close := closingBracket(m, open)
		if close < 0 {
			if strings.Contains(m[open:], " of ") || strings.HasSuffix(m, " of") {
				sites = append(sites, jsIterSite{kind: "for … of", from: open, to: -1})
			}
			continue
		}
		of := jsTopLevelWord(m, open+1, close, "of")
		if of < 0 {
			continue // for (;;) or for … in
		}
		head := strings.TrimSpace(m[open+1 : of])
		for _, kw := range []string{"const", "let", "var"} {
			head = strings.TrimSpace(strings.TrimPrefix(head, kw))
		}
		if strings.HasPrefix(head, "[") {
			sites = append(sites, jsIterSite{kind: "array pattern of the for's head", from: open + 1, to: of})
		}
		from := of + 2
		for from < close && m[from] == ' ' {
			from++
		}
		sites = append(sites, jsIterSite{kind: "for … of", from: from, to: jsTrimEnd(m, from, close), fixable: true})
	}
	for i := strings.Index(m, "..."); i >= 0; {
		if s, ok := jsSpreadSite(m, i); ok {
			sites = append(sites, s)
		}
		j := strings.Index(m[i+3:], "...")
		if j < 0 {
			break
		}
		i += 3 + j
	}
	for _, loc := range jsArrayDecl.FindAllStringIndex(m, -1) {
		sites = append(sites, jsDestructuringSite(m, loc[1]-1)...)
	}
	if t := strings.TrimLeft(m, " \t"); strings.HasPrefix(t, "[") {
		sites = append(sites, jsDestructuringSite(m, len(m)-len(t))...)
	}
	for _, loc := range jsIterCalls.FindAllStringIndex(m, -1) {
		close := closingBracket(m, loc[1]-1)
		to := -1
		if close >= 0 {
			to = close
		}
		sites = append(sites, jsIterSite{kind: "`" + strings.Join(strings.Fields(m[loc[0]:loc[1]-1]), " ") + "`", from: loc[1], to: to})
	}
	for _, loc := range jsYieldStar.FindAllStringIndex(m, -1) {
		sites = append(sites, jsIterSite{kind: "`yield*`", from: loc[1], to: -1})
	}
	return sites
}

// jsTopLevelWord finds the keyword w between from and to, outside brackets; -1 when absent.
func jsTopLevelWord(m string, from, to int, w string) int {
	depth := 0
	for k := from; k < to; k++ {
		switch m[k] {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		default:
			if depth == 0 && strings.HasPrefix(m[k:], w) && (k == 0 || !jsIdentByte(m[k-1])) &&
				(k+len(w) >= len(m) || !jsIdentByte(m[k+len(w)])) {
				return k
			}
		}
	}
	return -1
}

// jsTrimEnd is to with the white space before it dropped.
func jsTrimEnd(m string, from, to int) int {
	for to > from && (m[to-1] == ' ' || m[to-1] == '\t') {
		to--
	}
	return to
}

// jsSpreadSite reads the `...` at i: an iterating spread in an array literal or a call's
// arguments, not an object spread or a rest element or parameter.
func jsSpreadSite(m string, i int) (jsIterSite, bool) {
	open, depth := -1, 0
	for k := i - 1; k >= 0 && open < 0; k-- {
		switch m[k] {
		case ')', ']', '}':
			depth++
		case '(', '[', '{':
			if depth == 0 {
				open = k
			}
			depth--
		}
	}
	from := i + 3
	end := from
	depth = 0
	for end < len(m) {
		c := m[end]
		if depth == 0 && (c == ',' || c == ')' || c == ']' || c == '}') {
			break
		}
		switch c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
		end++
	}
	site := jsIterSite{kind: "spread", from: from, to: jsTrimEnd(m, from, end), fixable: true}
	if end == len(m) {
		site.to, site.fixable = -1, false
	}
	if open < 0 {
		site.fixable = false // the bracket it is in opens on an earlier line: object or array?
		site.kind = "spread (in a bracket opened on an earlier line)"
		return site, true
	}
	close := closingBracket(m, open)
	next := ""
	if close >= 0 {
		next = jsNextToken(m, close+1)
	}
	switch m[open] {
	case '{':
		return site, false // an object spread or rest: no iteration
	case '[':
		prev := jsPrevToken(m, open)
		if jsAssigns(next) || jsEndsWithWord(prev, "const") || jsEndsWithWord(prev, "let") || jsEndsWithWord(prev, "var") {
			return site, false // a rest element of an array pattern
		}
		return site, true
	default: // '('
		prev := jsPrevToken(m, open)
		w, ws := jsWordBefore(m, open)
		if strings.HasPrefix(next, "=>") || strings.HasPrefix(next, "{") || jsEndsWithWord(prev, "function") ||
			w != "" && jsEndsWithWord(jsPrevToken(m, ws), "function") {
			return site, false // a rest parameter
		}
		if prev == "" || !(jsIdentByte(prev[len(prev)-1]) || strings.HasSuffix(prev, ")") || strings.HasSuffix(prev, "]")) {
			return site, false
		}
		return site, true
	}
}

// jsDestructuringSite reads an array pattern opening at open: assigned from a value, it
// iterates that value.
func jsDestructuringSite(m string, open int) []jsIterSite {
	close := closingBracket(m, open)
	if close < 0 {
		return nil
	}
	next := jsNextToken(m, close+1)
	if !strings.HasPrefix(next, "=") || strings.HasPrefix(next, "==") || strings.HasPrefix(next, "=>") {
		return nil
	}
	from := len(m) - len(next) + 1
	for from < len(m) && m[from] == ' ' {
		from++
	}
	end, depth := from, 0
	for end < len(m) {
		c := m[end]
		if depth == 0 && (c == ';' || c == ',' || c == ')') {
			break
		}
		switch c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		}
		end++
	}
	site := jsIterSite{kind: "array destructuring", from: from, to: jsTrimEnd(m, from, end), fixable: true}
	if end == len(m) && strings.TrimSpace(m[from:]) == "" {
		site.to, site.fixable = -1, false
	}
	return []jsIterSite{site}
}

var jsIterPhrase = map[string]string{
	"for … of":            "in a `for … of`",
	"spread":              "by spreading it",
	"array destructuring": "by destructuring it",
}

func jsNotIterable(c *Case) (*Fix, string) {
	msg, ok := jsTypeError(c.Exception)
	if !ok {
		return nil, ""
	}
	var named, value string
	switch {
	case notIterable.MatchString(msg):
		g := notIterable.FindStringSubmatch(msg)
		named = g[1]
		switch {
		case named == "undefined" || named == "null":
			named, value = "", named
		case named == "object null":
			named, value = "", "null"
		case !jsCalleePath.MatchString(jsNormalize(named)) && !strings.Contains(jsNormalize(named), "(...)"):
			named = "" // V8 prints some expressions oddly (".for is not iterable")
		}
	case ffBare.MatchString(msg):
		g := ffBare.FindStringSubmatch(msg)
		named, value = g[1], g[2]
	case jscNotFuncNear.MatchString(msg):
		g := jscNotFuncNear.FindStringSubmatch(msg)
		value = g[1]
		near := strings.Trim(g[2], ".")
		if k := strings.LastIndex(near, " of "); k >= 0 {
			named = strings.TrimSpace(near[k+4:])
		} else {
			return nil, fmt.Sprintf("Safari's message (%s) does not show what was iterated", jsQuote(c))
		}
	case spreadNeeds.MatchString(msg):
	default:
		return nil, ""
	}
	n := c.Index + 1
	line, m := c.Line(), c.MaskedLine()
	sites := jsIterationSites(c)
	what := "a value"
	if named != "" {
		what = "`" + named + "`"
	}
	switch {
	case len(sites) == 0 && ffBare.MatchString(msg):
		// Firefox's "x is undefined" is a property read as often as an iteration.
		return nil, fmt.Sprintf("line %d neither reads a property of %s nor iterates it (%s): the failing expression is on another line of the statement or in a function it calls", n, what, jsQuote(c))
	case len(sites) == 0:
		return nil, fmt.Sprintf("line %d does not iterate %s (%s): the iteration is on another line of the statement or in a function it calls", n, what, jsQuote(c))
	case len(sites) > 1:
		var kinds []string
		for _, s := range sites {
			k := s.kind
			if s.to >= 0 && s.fixable {
				k += " (`" + jsShort(line[s.from:s.to]) + "`)"
			}
			kinds = append(kinds, k)
		}
		return nil, fmt.Sprintf("line %d iterates %d values (%s); the rule changes only a line that iterates one", n, len(sites), strings.Join(kinds, "; "))
	}
	s := sites[0]
	if !s.fixable || s.to < 0 {
		return nil, fmt.Sprintf("line %d iterates %s through %s, which the rule cannot see whole or does not change", n, what, s.kind)
	}
	expr := line[s.from:s.to]
	mexpr := m[s.from:s.to]
	switch {
	case strings.HasPrefix(strings.TrimSpace(mexpr), "["):
		return nil, fmt.Sprintf("line %d iterates an array literal, which is always iterable; the failing iteration is elsewhere", n)
	case jsLiteralFallback.MatchString(mexpr):
		return nil, fmt.Sprintf("line %d already falls back to a literal when the value is missing (`%s`), so it is some other non-iterable (an object?); a default would not fix it", n, jsShort(expr))
	case named != "" && jsNormalize(mexpr) != jsNormalize(named):
		return nil, fmt.Sprintf("the message names `%s`, but line %d iterates `%s`", named, n, jsShort(expr))
	}
	op := "??"
	if !jsModern(c) {
		op = "||"
	}
	guarded := expr
	if !jsSimpleChain(mexpr) {
		guarded = "(" + expr + ")"
	}
	guarded += " " + op + " []"
	if s.kind == "spread" {
		guarded = "(" + guarded + ")"
	}
	conf := High
	state := value
	if value == "" {
		conf, state = Medium, "not iterable"
	}
	shown := what
	if named == "" {
		shown = "`" + jsShort(expr) + "`"
	}
	newLine := line[:s.from] + guarded + line[s.to:]
	return &Fix{
		Family: "js-not-iterable", Confidence: conf, Line: n, Start: n, End: n, New: []string{newLine},
		Explanation: fmt.Sprintf("%s was %s when %s iterated it %s (%s). Iterating `%s` instead treats a missing value as empty rather than throwing.",
			shown, state, jsWhere(c), jsIterPhrase[s.kind], jsQuote(c), jsShort(guarded)),
	}, ""
}
