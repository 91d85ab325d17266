package suggest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The Python rules (CPython 3.11 messages). Each edits the frame's line or inserts a guard
// right before it, and only when the line is a whole statement inside a function.
var pythonRules = []rule{pythonAttributeOfNone, pythonKeyError, pythonIndexError, pythonZeroDivision}

var pyNoneAttr = regexp.MustCompile(`^'NoneType' object has no attribute '([A-Za-z_]\w*)'$`)

// pyGuardable are the statements a guard may go right before: a simple statement, or the
// header of an if or with block (evaluated once, before the guard's effect matters).
func pyStatementKind(m string, i int) string {
	t := strings.TrimSpace(m)
	if strings.HasPrefix(t, "@") {
		return fmt.Sprintf("line %d is a decorator, evaluated when the function is defined", i+1)
	}
	if kw := pyHeaderWord.FindStringSubmatch(t); kw != nil {
		switch kw[2] {
		case "elif", "else", "except", "finally", "case", "match", "try":
			return fmt.Sprintf("line %d continues a compound statement (%s), so nothing can go right before it", i+1, kw[2])
		case "while", "for":
			return fmt.Sprintf("line %d is a loop header (%s), evaluated again on every iteration; a guard before it runs once", i+1, kw[2])
		case "def", "class", "lambda":
			return fmt.Sprintf("line %d defines a %s, evaluated when it is defined", i+1, kw[2])
		case "if", "with":
			if !strings.HasSuffix(t, ":") {
				return fmt.Sprintf("line %d puts a block's body on its header's line", i+1)
			}
		}
	}
	if regexp.MustCompile(`\blambda\b`).MatchString(t) {
		return fmt.Sprintf("line %d holds a lambda, whose body runs later, not where a guard would go", i+1)
	}
	if loc := regexp.MustCompile(`\bfor\b`).FindStringIndex(t); loc != nil && loc[0] > 0 {
		return fmt.Sprintf("line %d holds a comprehension, whose body runs once per item, not where a guard would go", i+1)
	}
	return ""
}

// pythonAttributeOfNone: AttributeError: 'NoneType' object has no attribute 'email'. The
// guard `if X is None: return` goes before the statement reading X.email.
func pythonAttributeOfNone(c *Case) (*Fix, string) {
	if c.Exception.Type != "AttributeError" {
		return nil, ""
	}
	mm := pyNoneAttr.FindStringSubmatch(strings.TrimSpace(c.Exception.Value))
	if mm == nil {
		return nil, ""
	}
	attr, i, m := mm[1], c.Index, c.MaskedLine()
	refs := regexp.MustCompile(`\.\s*`+attr+`\b`).FindAllStringIndex(m, -1)
	for _, f := range fStringSpans(c.Line(), m) {
		if strings.Contains(f, "."+attr) {
			return nil, fmt.Sprintf("line %d reads .%s inside an f-string too, so the None cannot be pinned to one expression", i+1, attr)
		}
	}
	switch len(refs) {
	case 0:
		return nil, fmt.Sprintf("line %d reads no .%s itself: the None's attribute is read inside something the line calls", i+1, attr)
	case 1:
	default:
		return nil, fmt.Sprintf("line %d reads .%s %d times, so which value was None cannot be pinned", i+1, attr, len(refs))
	}
	dot := refs[0][0]
	before := strings.TrimRight(m[:dot], " \t")
	if strings.HasSuffix(before, ")") || strings.HasSuffix(before, "]") {
		return nil, fmt.Sprintf("the None is the result of a call or subscript on line %d; guarding it would evaluate that twice, and whether that is safe is not visible here", i+1)
	}
	start := primaryStart(before, len(before))
	x := before[start:]
	if !plainName(x) || start > 0 && (before[start-1] == '.' || isWordByte(before[start-1])) {
		return nil, fmt.Sprintf("the value whose .%s is read on line %d is not a name or dotted name a guard can test", attr, i+1)
	}
	if x == "self" || x == "cls" {
		return nil, fmt.Sprintf("%s is never None; .%s on line %d must fail inside something else", x, attr, i+1)
	}
	s := newPyScan(c)
	if why := s.whole(i); why != "" {
		return nil, why
	}
	if why := pyStatementKind(m, i); why != "" {
		return nil, why
	}
	root, _, _ := strings.Cut(x, ".")
	if regexp.MustCompile(`(^|[^.\w])` + root + `\s*(=[^=]|:=)`).MatchString(m) {
		return nil, fmt.Sprintf("%s is assigned on line %d itself, so a guard before the line tests the old value", root, i+1)
	}
	exit, why := pyExit(c, s, root)
	if why != "" {
		return nil, why
	}
	ind, unit := c.Indent(i), c.IndentUnit()
	fix := &Fix{
		Family:     "py-attribute-of-none",
		Confidence: Medium,
		Line:       i + 1,
		Start:      i + 1, End: i,
		New: []string{ind + "if " + x + " is None:", ind + unit + exit},
	}
	what := map[string]string{
		"return":      "returns early instead of raising (the function returns no value)",
		"return None": "returns None instead of raising, as the function already does on another path",
		"continue":    "skips this item instead of raising, and the loop goes on with the next one",
	}[exit]
	fix.Explanation = fmt.Sprintf("`%s` is None when line %d of %s runs (AttributeError: 'NoneType' object has no attribute '%s'); the guard before it %s.",
		x, i+1, c.Frame.Path, attr, what)
	return fix, ""
}

// pyExit chooses how a guard in the frame's function leaves: `continue` in a for loop whose
// item root is (the None belongs to one item), `return` in a function that returns no value,
// `return None` in one that already returns None somewhere; otherwise it says why none fits.
func pyExit(c *Case, s *pyScan, root string) (string, string) {
	i := c.Index
	blocks, fn, why := s.enclosing(i)
	if why != "" {
		return "", why
	}
	if why := pyFrameFunction(c, fn); why != "" {
		return "", why
	}
	switch {
	case fn.name == "__init__":
		return "", fmt.Sprintf("line %d is in __init__: returning early would leave the object half-built for its caller", i+1)
	case fn.generator:
		return "", fmt.Sprintf("%s is a generator: returning early would end the iteration silently, which its consumer cannot tell from having no items", fn.name)
	}
	for _, b := range blocks {
		switch b.keyword {
		case "while":
			return "", fmt.Sprintf("line %d is in the while loop on line %d: returning would abandon the loop and continuing might never end it", i+1, b.line+1)
		case "for":
			if !pyLoopDefines(c, b, root) {
				return "", fmt.Sprintf("%s does not change from one iteration of the for loop on line %d to the next: a guard belongs before the loop, and what to do then is a design choice", root, b.line+1)
			}
			return "continue", ""
		}
	}
	switch {
	case !fn.values:
		return "return", ""
	case fn.none:
		return "return None", ""
	}
	return "", fmt.Sprintf("%s returns a value on every path today: returning None early would hand its callers a None they never had to handle", fn.name)
}

var pyForTargets = regexp.MustCompile(`^(?:async\s+)?for\s+(.+?)\s+in\b`)

// pyLoopDefines says whether name is the for loop's target or is assigned in its body
// before the frame's line: then each iteration has its own.
func pyLoopDefines(c *Case, b pyBlock, name string) bool {
	if t := pyForTargets.FindStringSubmatch(b.text); t != nil {
		for _, n := range regexp.MustCompile(`[A-Za-z_]\w*`).FindAllString(t[1], -1) {
			if n == name {
				return true
			}
		}
	}
	assign := regexp.MustCompile(`^\s*(?:[\w, ()]*[^.\w])?` + name + `\s*(?:,[\w, ()]*)?(?::[^=]*)?=[^=]`)
	for j := b.line + 1; j < c.Index; j++ {
		if assign.MatchString(c.Masked[j]) {
			return true
		}
	}
	return false
}

// pyKeyOf reads a KeyError's message, the repr of the key: a string or an integer.
func pyKeyOf(v string) (key string, quoted bool, ok bool) {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		inner := v[1 : len(v)-1]
		if strings.ContainsAny(inner, `\'"`) {
			return "", false, false
		}
		return inner, true, true
	}
	if regexp.MustCompile(`^-?\d+$`).MatchString(v) {
		return v, false, true
	}
	return "", false, false
}

// pySubscript is one subscript on a line: the receiver's span, the brackets, what is inside.
type pySubscript struct {
	recv, open, close int
	inner             string // raw
	literal           bool   // the index is a string or integer literal
}

// pySubscripts lists a masked line's subscripts (not list literals), with their raw index.
func pySubscripts(raw, m string) []pySubscript {
	var out []pySubscript
	for k := 0; k < len(m); k++ {
		if m[k] != '[' {
			continue
		}
		b := strings.TrimRight(m[:k], " \t")
		if b == "" || !(isWordByte(b[len(b)-1]) || strings.HasSuffix(b, ")") || strings.HasSuffix(b, "]")) {
			continue
		}
		if w := regexp.MustCompile(`\b(\w+)$`).FindString(b); pyKeywords[w] {
			continue // `in [..]`, `return [..]`: a list literal
		}
		end := closingBracket(m, k)
		if end < 0 {
			continue
		}
		inner := strings.TrimSpace(raw[k+1 : end])
		innerMasked := strings.TrimSpace(m[k+1 : end])
		lit := regexp.MustCompile(`^-?\d+$`).MatchString(inner) ||
			len(innerMasked) >= 2 && (innerMasked[0] == '\'' || innerMasked[0] == '"') && innerMasked[len(innerMasked)-1] == innerMasked[0] &&
				!strings.ContainsAny(innerMasked[1:len(innerMasked)-1], `'"`)
		out = append(out, pySubscript{recv: primaryStart(m, len(b)), open: k, close: end, inner: inner, literal: lit})
	}
	return out
}

// pythonKeyError: KeyError: 'vat_rate'. `d['vat_rate']` becomes `d.get('vat_rate', D)` when
// the file reads the same key of the same dict with the default D elsewhere, or
// `d.get('vat_rate')` where a None is handled right there.
func pythonKeyError(c *Case) (*Fix, string) {
	if c.Exception.Type != "KeyError" {
		return nil, ""
	}
	i, m, raw := c.Index, c.MaskedLine(), c.Line()
	key, quoted, ok := pyKeyOf(c.Exception.Value)
	if !ok {
		return nil, fmt.Sprintf("the missing key %s is not a plain string or integer the rule can find in the source", c.Exception.Value)
	}
	var hit *pySubscript
	var others []string
	for _, sub := range pySubscripts(raw, m) {
		switch {
		case sub.literal && quoted && len(sub.inner) >= 2 && sub.inner[1:len(sub.inner)-1] == key && !strings.ContainsAny(sub.inner[:1], "bfrBFR"),
			sub.literal && !quoted && sub.inner == key:
			if hit != nil {
				return nil, fmt.Sprintf("line %d reads [%s] twice, so which lookup failed cannot be pinned", i+1, c.Exception.Value)
			}
			s := sub
			hit = &s
		case !sub.literal:
			others = append(others, raw[sub.recv:sub.close+1])
		}
	}
	if len(others) > 0 {
		return nil, fmt.Sprintf("line %d also looks up %s, whose key is a value the source does not show, so the failing lookup cannot be pinned", i+1, strings.Join(others, ", "))
	}
	if hit == nil {
		return nil, fmt.Sprintf("line %d has no subscript [%s]: the key is looked up inside something the line calls", i+1, c.Exception.Value)
	}
	for _, f := range fStringSpans(raw, m) {
		if strings.Contains(f, key) {
			return nil, fmt.Sprintf("line %d mentions %s inside an f-string too, so the failing lookup cannot be pinned", i+1, c.Exception.Value)
		}
	}
	s := newPyScan(c)
	if why := s.whole(i); why != "" {
		return nil, why
	}
	d := strings.TrimRight(raw[hit.recv:hit.open], " \t")
	expr := raw[hit.recv : hit.close+1]
	if why := pyTarget(m, hit.recv, hit.close+1, expr, i); why != "" {
		return nil, why
	}
	defaults := pyDefaultsFor(c, d, hit.inner)
	if len(defaults) > 1 {
		return nil, fmt.Sprintf("the file reads %s with different defaults (%s), so which one a missing key should get is not settled", expr, strings.Join(defaults, ", "))
	}
	fix := &Fix{Family: "py-key-error", Line: i + 1, Start: i + 1, End: i + 1}
	if len(defaults) == 1 {
		repl := fmt.Sprintf("%s.get(%s, %s)", d, hit.inner, defaults[0])
		fix.New = []string{raw[:hit.recv] + repl + raw[hit.close+1:]}
		fix.Confidence = High
		fix.Explanation = fmt.Sprintf("%s has no key %s for some inputs (KeyError: %s) at %s:%d; the file already reads that key with the default %s elsewhere, so `%s` gives the same default here instead of raising.",
			strings.TrimSpace(d), hit.inner, c.Exception.Value, c.Frame.Path, i+1, defaults[0], repl)
		return fix, ""
	}
	if why := pyNoneHandled(c, s, hit.recv, hit.close+1, expr); why != "" {
		return nil, why + "; what a missing " + hit.inner + " should mean is a design choice the file does not show"
	}
	if !pyIsDict(c, d) {
		return nil, fmt.Sprintf("nothing in the file shows %s is a dict with .get, and no default for %s is shown", strings.TrimSpace(d), hit.inner)
	}
	repl := fmt.Sprintf("%s.get(%s)", d, hit.inner)
	fix.New = []string{raw[:hit.recv] + repl + raw[hit.close+1:]}
	fix.Confidence = Medium
	fix.Explanation = fmt.Sprintf("%s has no key %s for some inputs (KeyError: %s) at %s:%d; `%s` reads None instead of raising, and the code right there already handles None.",
		strings.TrimSpace(d), hit.inner, c.Exception.Value, c.Frame.Path, i+1, repl)
	return fix, ""
}

// pyTarget says why the expression at [from, to) of a masked line is written, not read.
func pyTarget(m string, from, to int, expr string, i int) string {
	after := strings.TrimSpace(m[to:])
	before := strings.TrimSpace(m[:from])
	switch {
	case regexp.MustCompile(`^(=[^=]|=$|[-+*/%@&|^]=|//=|\*\*=|>>=|<<=|:=)`).MatchString(after):
		return fmt.Sprintf("%s is assigned on line %d, not read", expr, i+1)
	case regexp.MustCompile(`(^|\W)del$`).MatchString(before):
		return fmt.Sprintf("%s is deleted on line %d, not read", expr, i+1)
	case regexp.MustCompile(`(^|[^=!<>])=[^=]`).MatchString(after) && !strings.Contains(after, "=="):
		return fmt.Sprintf("%s is part of an assignment's targets on line %d", expr, i+1)
	}
	return ""
}

// pyDefaultsFor lists the distinct defaults the file gives d.get(key, default).
func pyDefaultsFor(c *Case, d, key string) []string {
	re := regexp.MustCompile(regexp.QuoteMeta(strings.TrimSpace(d)) + `\.get\(\s*` + regexp.QuoteMeta(key) + `\s*,\s*([A-Za-z_][\w.]*(?:\((?:'[^']*'|"[^"]*"|[\w.]*)\))?|-?\d+(?:\.\d+)?|'[^']*'|"[^"]*"|\[\]|\{\}|None|True|False)\s*\)`)
	var out []string
	for j, l := range c.Lines {
		for _, loc := range re.FindAllStringSubmatchIndex(l, -1) {
			if c.Masked[j][loc[0]] == ' ' {
				continue // in a comment or a string
			}
			if v := l[loc[2]:loc[3]]; !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// pyIsDict says whether the file shows d is a mapping with .get: it calls a dict method on
// it, or builds it as a dict.
func pyIsDict(c *Case, d string) bool {
	d = strings.TrimSpace(d)
	method := regexp.MustCompile(`(^|[^.\w])` + regexp.QuoteMeta(d) + `\.(get|items|keys|values|setdefault|pop)\(`)
	built := regexp.MustCompile(`(^|[^.\w])` + regexp.QuoteMeta(d) + `\s*(:\s*(dict|Dict|Mapping)\b[^=]*)?=\s*(\{|dict\(|json\.loads\()`)
	for _, l := range c.Masked {
		if method.MatchString(l) || built.MatchString(l) {
			return true
		}
	}
	return false
}

var (
	pyNoneCheckAfter = regexp.MustCompile(`^(is\s+(not\s+)?None\b|==|!=|or\b)`)
	pyCondBefore     = regexp.MustCompile(`(^|\s)(if|elif|while|not|and|or)$`)
	pyCondAfter      = regexp.MustCompile(`^(:|and\b|or\b|$)`)
	pySimpleAssign   = regexp.MustCompile(`^([A-Za-z_]\w*)\s*=$`)
)

// pyNoneHandled says why a None in place of the expression at [from, to) of the frame's
// line would not be handled where it lands ("" when it would: a truthiness test, a
// comparison with None, `or`, a name the next use of which tests for None, or a return from
// a function that already returns None).
func pyNoneHandled(c *Case, s *pyScan, from, to int, expr string) string {
	m, i := c.MaskedLine(), c.Index
	before, after := strings.TrimSpace(m[:from]), strings.TrimSpace(m[to:])
	beforeOK := before == "" || pyCondBefore.MatchString(before) || regexp.MustCompile(`(^|[^=!<>])=$|\($|,$|(^|\s)return$`).MatchString(before)
	switch {
	case beforeOK && pyNoneCheckAfter.MatchString(after):
		return ""
	case pyCondBefore.MatchString(before) && pyCondAfter.MatchString(after) && !strings.HasPrefix(before, "while"):
		return ""
	case after == "" && pySimpleAssign.MatchString(before):
		name := pySimpleAssign.FindStringSubmatch(before)[1]
		return pyNextUseHandlesNone(c, s, name)
	case after == "" && before == "return":
		_, fn, why := s.enclosing(i)
		if why != "" {
			return why
		}
		if !fn.none {
			return fmt.Sprintf("%s would return None, which it never does today, to callers that do not expect it", fn.name)
		}
		return ""
	}
	switch {
	case strings.HasPrefix(after, "."):
		return fmt.Sprintf("line %d reads an attribute of %s, which would fail on None", i+1, expr)
	case strings.HasPrefix(after, "["):
		return fmt.Sprintf("line %d subscripts %s, which would fail on None", i+1, expr)
	case strings.HasPrefix(after, "("):
		return fmt.Sprintf("line %d calls %s, which would fail on None", i+1, expr)
	case regexp.MustCompile(`^(\*\*|[-+*/%@<>])`).MatchString(after) || regexp.MustCompile(`[-+*/%@<>]$`).MatchString(before):
		return fmt.Sprintf("line %d uses %s in arithmetic or an ordering, where None would raise a TypeError instead", i+1, expr)
	}
	return fmt.Sprintf("line %d passes %s on to code that may not handle None", i+1, expr)
}

// pyNextUseHandlesNone says why the next use of name after the frame's line would not
// handle None ("" when it tests for it, or name is not used again in the function).
func pyNextUseHandlesNone(c *Case, s *pyScan, name string) string {
	i := c.Index
	_, fn, why := s.enclosing(i)
	if why != "" {
		return why
	}
	use := regexp.MustCompile(`(^|[^.\w])` + name + `\b`)
	handled := regexp.MustCompile(`(^|\s)(if|elif|while)\s+(not\s+)?` + name + `\s*(:|is\s+(not\s+)?None\b|and\b|or\b)|(^|[^.\w])` + name + `\s+is\s+(not\s+)?None\b|(^|[^.\w])` + name + `\s+or\b|^\s*` + name + `\s*=[^=]`)
	for j := i + 1; j < fn.bodyEnd; j++ {
		if !use.MatchString(c.Masked[j]) {
			continue
		}
		if handled.MatchString(c.Masked[j]) {
			return ""
		}
		return fmt.Sprintf("the next use of %s, line %d, does not test it for None", name, j+1)
	}
	return ""
}

var pyIndexMessages = map[string]string{
	"list index out of range":  "list",
	"tuple index out of range": "tuple",
}

// pythonIndexError: IndexError: list index out of range. `xs[0]` becomes
// `xs[0] if xs else None` where a None is handled right there.
func pythonIndexError(c *Case) (*Fix, string) {
	if c.Exception.Type != "IndexError" {
		return nil, ""
	}
	kind, ok := pyIndexMessages[strings.TrimSpace(c.Exception.Value)]
	if !ok {
		if strings.TrimSpace(c.Exception.Value) == "string index out of range" {
			return nil, "the index is into a string, where None is no stand-in for a missing character"
		}
		return nil, ""
	}
	i, m, raw := c.Index, c.MaskedLine(), c.Line()
	subs := pySubscripts(raw, m)
	var hits []pySubscript
	for _, sub := range subs {
		if sub.literal && (sub.inner[0] == '\'' || sub.inner[0] == '"') || strings.Contains(m[sub.open:sub.close], ":") {
			continue // a string key (a dict's KeyError) or a slice: neither raises IndexError
		}
		hits = append(hits, sub)
	}
	switch {
	case len(hits) == 0:
		return nil, fmt.Sprintf("line %d indexes no %s itself: the index is taken inside something the line calls", i+1, kind)
	case len(hits) > 1:
		return nil, fmt.Sprintf("line %d indexes %d times, so which index was out of range cannot be pinned", i+1, len(hits))
	}
	hit := hits[0]
	expr := raw[hit.recv : hit.close+1]
	xs := raw[hit.recv:hit.open]
	if hit.inner != "0" && hit.inner != "-1" {
		return nil, fmt.Sprintf("the index of %s is not 0 or -1, so an empty %s is not the only way it is out of range", expr, kind)
	}
	if !plainName(xs) {
		return nil, fmt.Sprintf("%s is not a name a test `if %s` could read again without evaluating something twice", xs, xs)
	}
	s := newPyScan(c)
	if why := s.whole(i); why != "" {
		return nil, why
	}
	if why := pyTarget(m, hit.recv, hit.close+1, expr, i); why != "" {
		return nil, why
	}
	if why := pyNoneHandled(c, s, hit.recv, hit.close+1, expr); why != "" {
		return nil, why + "; what an empty " + xs + " should give is a design choice the file does not show"
	}
	repl := fmt.Sprintf("%s if %s else None", expr, xs)
	before := strings.TrimSpace(m[:hit.recv])
	after := strings.TrimSpace(m[hit.close+1:])
	if !(after == "" && (before == "return" || pySimpleAssign.MatchString(before))) {
		repl = "(" + repl + ")"
	}
	return &Fix{
		Family: "py-index-error", Confidence: Medium, Line: i + 1, Start: i + 1, End: i + 1,
		New: []string{raw[:hit.recv] + repl + raw[hit.close+1:]},
		Explanation: fmt.Sprintf("%s is empty for some inputs (IndexError: %s) at %s:%d; `%s` gives None for an empty %s instead of raising, and the code right there already handles None.",
			xs, c.Exception.Value, c.Frame.Path, i+1, repl, kind),
	}, ""
}

// pyDivisionOps are the operators a ZeroDivisionError's message can come from.
func pyDivisionOps(msg string) []string {
	switch strings.TrimSpace(msg) {
	case "division by zero", "float division by zero":
		return []string{"/"}
	case "integer division or modulo by zero":
		return []string{"//", "%"}
	case "integer modulo by zero", "float modulo", "float modulo by zero":
		return []string{"%"}
	case "float floor division by zero":
		return []string{"//"}
	}
	return []string{"/", "//", "%"}
}

var (
	pyDivOp        = regexp.MustCompile(`//|/|%`)
	pyAssignOrRet  = regexp.MustCompile(`^(\s*)(return\s+|[A-Za-z_][\w.]*\s*(?::\s*[\w.\[\], |]+)?\s*=\s*)`)
	pyDivLeftChain = regexp.MustCompile(`^-?\s*(?:[\w.]+(?:\(\)|\[\])*|\(\)(?:\(\)|\[\]|\.\w+)*)(?:\s*(?:\*\*|\*|//|/|%|@)\s*(?:[\w.]+(?:\(\)|\[\])*|\(\)(?:\(\)|\[\]|\.\w+)*))*$`)
)

// pythonZeroDivision: ZeroDivisionError. `x = a / b` becomes `x = (a / b if b else 0)` when
// the division is the whole value assigned or returned, so the stand-in 0 is plain to see.
func pythonZeroDivision(c *Case) (*Fix, string) {
	if c.Exception.Type != "ZeroDivisionError" {
		return nil, ""
	}
	i, m, raw := c.Index, c.MaskedLine(), c.Line()
	allowed := pyDivisionOps(c.Exception.Value)
	var ops [][]int
	for _, loc := range pyDivOp.FindAllStringIndex(m, -1) {
		if loc[1] < len(m) && m[loc[1]] == '=' {
			return nil, fmt.Sprintf("line %d divides in an augmented assignment (%s=), whose target is written", i+1, m[loc[0]:loc[1]])
		}
		if slices.Contains(allowed, m[loc[0]:loc[1]]) {
			ops = append(ops, loc)
		}
	}
	if len(ops) != 1 {
		return nil, fmt.Sprintf("line %d has %d divisions that can raise %q, so which divisor was zero cannot be pinned", i+1, len(ops), strings.TrimSpace(c.Exception.Value))
	}
	s := newPyScan(c)
	if why := s.whole(i); why != "" {
		return nil, why
	}
	head := pyAssignOrRet.FindStringSubmatchIndex(m)
	code := strings.TrimRight(m, " \t")
	if head == nil || head[1] > ops[0][0] {
		return nil, fmt.Sprintf("the division on line %d is not the value of an assignment or a return, where a stand-in 0 would be visible", i+1)
	}
	rhsStart, rhsEnd := head[1], len(code)
	op := ops[0]
	left := collapseBrackets(m[rhsStart:op[0]])
	divisor := strings.TrimSpace(raw[op[1]:rhsEnd])
	if !pyDivLeftChain.MatchString(strings.TrimSpace(left)) {
		return nil, fmt.Sprintf("the division on line %d is not the whole value assigned or returned", i+1)
	}
	if !plainName(divisor) {
		return nil, fmt.Sprintf("the divisor %q on line %d is not a plain name a test could read again", divisor, i+1)
	}
	if _, _, why := s.enclosing(i); why != "" {
		return nil, why
	}
	rhs := raw[rhsStart:rhsEnd]
	repl := fmt.Sprintf("(%s if %s else 0)", rhs, divisor)
	return &Fix{
		Family: "py-zero-division", Confidence: Low, Line: i + 1, Start: i + 1, End: i + 1,
		New: []string{raw[:rhsStart] + repl + raw[rhsEnd:]},
		Explanation: fmt.Sprintf("%s is zero for some inputs (ZeroDivisionError: %s) at %s:%d; `%s` gives 0 when it is, instead of raising. Whether 0 is the right stand-in for the undefined ratio is for the reviewer to judge.",
			divisor, strings.TrimSpace(c.Exception.Value), c.Frame.Path, i+1, repl),
	}, ""
}

// collapseBrackets empties every bracketed group of a masked text: `sum(x)` reads `sum()`.
func collapseBrackets(m string) string {
	var b strings.Builder
	depth := 0
	for k := 0; k < len(m); k++ {
		ch := m[k]
		switch ch {
		case '(', '[', '{':
			if depth == 0 {
				b.WriteByte(ch)
			}
			depth++
		case ')', ']', '}':
			depth--
			if depth == 0 {
				b.WriteByte(ch)
			}
		default:
			if depth == 0 {
				b.WriteByte(ch)
			}
		}
	}
	return b.String()
}
