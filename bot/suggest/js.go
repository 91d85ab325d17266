package suggest

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// The JavaScript and TypeScript rules: a read of a property of undefined or null, a call of
// something that is not a function, an iteration of something that is not iterable. The
// messages are V8's (Chrome, Node), SpiderMonkey's (Firefox) and JavaScriptCore's (Safari).
//
// Optional chaining and `??` are used where the language surely has them: always in
// TypeScript, and in JavaScript when the file already uses `?.` or `??` or holds JSX (a JSX
// file always goes through Babel or a bundler that compiles both). In other JavaScript files a
// read becomes a guard (`cart && cart.total`) only where it is a whole value, an iteration
// falls back to `|| []`, and a call is left alone.
var jsRules = []rule{jsPropertyOfUndefined, jsNotAFunction, jsNotIterable}

// jsTypeError returns a TypeError's message without the prefixes some reports keep.
func jsTypeError(e Exception) (string, bool) {
	v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(e.Value), "Uncaught "))
	if rest, ok := strings.CutPrefix(v, "TypeError: "); ok {
		return rest, true
	}
	return v, e.Type == "TypeError"
}

// jsModern says whether the file's language has optional chaining and `??`.
func jsModern(c *Case) bool {
	if c.Lang == TypeScript {
		return true
	}
	if ext := strings.ToLower(path.Ext(c.Frame.Path)); ext == ".jsx" {
		return true
	}
	for _, m := range c.Masked {
		if strings.Contains(m, "??") || jsUsesOptionalChain(m) {
			return true
		}
		if jsxTag.MatchString(m) {
			return true
		}
	}
	return false
}

var jsxTag = regexp.MustCompile(`(^|[(=>?:&|,]|return)\s*<([A-Z][\w.]*|[a-z]+)(\s[^<>]*)?/?>`)

func jsUsesOptionalChain(m string) bool {
	for i := strings.Index(m, "?."); i >= 0; {
		if i+2 < len(m) && (m[i+2] < '0' || m[i+2] > '9') {
			return true
		}
		j := strings.Index(m[i+2:], "?.")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return false
}

// jsWhere names the faulting line for an explanation: "line 42 of src/checkout/cart.js (in
// cartTotal)".
func jsWhere(c *Case) string {
	s := fmt.Sprintf("line %d of %s", c.Index+1, c.Frame.Path)
	if f := c.Frame.Function; f != "" && f != "?" && f != "<anonymous>" {
		s += " (in " + f + ")"
	}
	return s
}

// jsQuote is the message as an explanation quotes it.
func jsQuote(c *Case) string { return describe(c.Exception) }

// ---------------------------------------------------------------- property of undefined

// jsAccessError is what a "cannot read a property of undefined" message says.
type jsAccessError struct {
	prop   string // the property read; "" when the message does not say
	object string // the object expression as the engine prints it; "" when it does not
	value  string // "undefined", "null", or "undefined or null"
	bare   bool   // Firefox's "x is undefined", which also reports an iteration of x
}

var (
	v8Read    = regexp.MustCompile(`^Cannot read properties of (undefined|null) \(reading '(.*)'\)$`)
	v8ReadOld = regexp.MustCompile(`^Cannot read property '(.*)' of (undefined|null)$`)
	ffRead    = regexp.MustCompile(`^can't access property (?:"(.*)"|([^ ,"]+)), (.+) is (undefined|null)$`)
	ffReadIts = regexp.MustCompile(`^(.+) is (undefined|null); can't access its "(.*)" property$`)
	ffNoProps = regexp.MustCompile(`^(.+) has no properties$`)
	ffBare    = regexp.MustCompile(`^([\w$.\[\]()'"]+) is (undefined|null)$`)
	jscRead   = regexp.MustCompile(`^(undefined|null) is not an object \(evaluating '(.+)'\)$`)
)

func parseJSAccessError(msg string) (jsAccessError, bool) {
	if m := v8Read.FindStringSubmatch(msg); m != nil {
		return jsAccessError{prop: m[2], value: m[1]}, true
	}
	if m := v8ReadOld.FindStringSubmatch(msg); m != nil {
		return jsAccessError{prop: m[1], value: m[2]}, true
	}
	if m := ffRead.FindStringSubmatch(msg); m != nil {
		return jsAccessError{prop: m[1] + m[2], object: m[3], value: m[4]}, true
	}
	if m := ffReadIts.FindStringSubmatch(msg); m != nil {
		return jsAccessError{prop: m[3], object: m[1], value: m[2]}, true
	}
	if m := ffNoProps.FindStringSubmatch(msg); m != nil {
		return jsAccessError{object: m[1], value: "undefined or null"}, true
	}
	if m := ffBare.FindStringSubmatch(msg); m != nil && m[1] != "undefined" && m[1] != "null" {
		return jsAccessError{object: m[1], value: m[2], bare: true}, true
	}
	if m := jscRead.FindStringSubmatch(msg); m != nil {
		obj, prop, ok := jsSplitAccess(m[2])
		if !ok {
			return jsAccessError{value: m[1], object: "?"}, true
		}
		return jsAccessError{prop: prop, object: obj, value: m[1]}, true
	}
	return jsAccessError{}, false
}

// jsSplitAccess splits Safari's evaluated expression at its last access: `cart.items.length`
// reads `length` of `cart.items`.
func jsSplitAccess(e string) (object, prop string, ok bool) {
	e = strings.TrimSpace(e)
	if strings.HasSuffix(e, "]") {
		o := openingBracket(e, len(e)-1)
		if o <= 0 {
			return "", "", false
		}
		key := strings.TrimSpace(e[o+1 : len(e)-1])
		return strings.TrimSuffix(e[:o], "?."), jsLiteralKey(key), true
	}
	k := strings.LastIndexByte(e, '.')
	if k <= 0 {
		return "", "", false
	}
	name := e[k+1:]
	for i := 0; i < len(name); i++ {
		if !jsIdentByte(name[i]) {
			return "", "", false
		}
	}
	return strings.TrimSuffix(e[:k], "?"), name, name != ""
}

// jsLiteralKey is the property a `[key]` names when key is a literal (`'total'`, `0`), else
// the key's text.
func jsLiteralKey(key string) string {
	if len(key) >= 2 && (key[0] == '\'' || key[0] == '"') && key[len(key)-1] == key[0] && !strings.ContainsRune(key[1:len(key)-1], rune(key[0])) {
		return key[1 : len(key)-1]
	}
	return key
}

func jsIsNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// jsAccess is one member access on a line: `object.prop`, `object?.prop` or `object[key]`.
type jsAccess struct {
	objStart int // where the object expression starts
	at       int // the access's `.`, the `?` of `?.`, or its `[`
	nameEnd  int // just past the property's name or the index's `]`
	prop     string
	index    bool // `[key]`
	computed bool // `[key]` whose key is not a literal
	optional bool // `?.`
	object   string
}

// jsAccesses lists the member accesses of a line (line and its masked copy m).
func jsAccesses(line, m string) []jsAccess {
	var out []jsAccess
	for i := 0; i < len(m); i++ {
		switch m[i] {
		case '.':
			if strings.HasPrefix(m[i:], "...") {
				i += 2
				continue
			}
			j := i + 1
			for j < len(m) && jsIdentByte(m[j]) {
				j++
			}
			if j == i+1 || m[i+1] >= '0' && m[i+1] <= '9' {
				continue
			}
			a := jsAccess{at: i, nameEnd: j, prop: m[i+1 : j]}
			objEnd := i
			if i > 0 && m[i-1] == '?' {
				a.optional, a.at, objEnd = true, i-1, i-1
			}
			if a.objStart = jsOperandStart(m, objEnd); a.objStart < 0 {
				continue
			}
			a.object = line[a.objStart:objEnd]
			out = append(out, a)
		case '[':
			objEnd := i
			a := jsAccess{at: i, index: true}
			if i >= 2 && m[i-2:i] == "?." {
				a.optional, a.at, objEnd = true, i-2, i-2
			}
			if objEnd == 0 {
				continue
			}
			if p := m[objEnd-1]; !jsIdentByte(p) && p != ')' && p != ']' && p != '!' && p != '\'' && p != '"' {
				continue
			}
			if w, _ := jsWordBefore(m, objEnd); w != "" && jsOperandKeywords[w] {
				continue
			}
			close := closingBracket(m, i)
			if close < 0 {
				continue
			}
			key := strings.TrimSpace(line[i+1 : close])
			a.nameEnd = close + 1
			a.prop = jsLiteralKey(key)
			a.computed = a.prop == key && !jsIsNumber(key)
			if a.objStart = jsOperandStart(m, objEnd); a.objStart < 0 {
				continue
			}
			a.object = line[a.objStart:objEnd]
			out = append(out, a)
		}
	}
	return out
}

// text is the access as written: `cart.total`, `rows[i]`.
func (a jsAccess) text(line string) string { return line[a.objStart:a.nameEnd] }

// jsTypePosition says whether a TypeScript access sits in a type, which never runs.
func jsTypePosition(c *Case, m string, a jsAccess) bool {
	if c.Lang != TypeScript {
		return false
	}
	t := strings.TrimSpace(m)
	for _, p := range []string{"type ", "interface ", "declare ", "export type ", "export interface ", "export declare ", "import type "} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	prev := jsPrevToken(m, a.objStart)
	if jsEndsWithWord(prev, "typeof") || jsEndsWithWord(prev, "keyof") {
		before := jsPrevToken(prev, len(prev)-6)
		return strings.HasSuffix(before, ":") || strings.HasSuffix(before, "<") || strings.HasSuffix(before, "|") ||
			jsEndsWithWord(before, "as") || jsEndsWithWord(before, "satisfies")
	}
	return false
}

func jsPropertyOfUndefined(c *Case) (*Fix, string) {
	msg, ok := jsTypeError(c.Exception)
	if !ok {
		return nil, ""
	}
	ae, ok := parseJSAccessError(msg)
	if !ok {
		return nil, ""
	}
	line, m, n := c.Line(), c.MaskedLine(), c.Index+1
	if ae.object == "?" {
		return nil, fmt.Sprintf("the message's expression (%s) cannot be split into an object and a property", jsQuote(c))
	}
	all := jsAccesses(line, m)
	if ae.bare {
		named := jsNormalize(ae.object)
		deref := false
		for _, a := range all {
			if jsNormalize(a.object) == named && !a.optional {
				deref = true
			}
		}
		sites := jsIterationSites(c)
		iterated := false
		for _, s := range sites {
			if s.to >= 0 && jsNormalize(line[s.from:s.to]) == named {
				iterated = true
			}
		}
		switch {
		case !deref:
			return nil, "" // an iteration of an undefined value: the not-iterable rule's
		case iterated:
			return nil, fmt.Sprintf("line %d both reads a property of `%s` and iterates it, and Firefox's message (%s) does not say which failed", n, ae.object, jsQuote(c))
		}
	}

	var cands, optional, typed []jsAccess
	for _, a := range all {
		if ae.prop != "" {
			if a.computed {
				continue // considered below, only when no literal access matches
			}
			if a.prop != ae.prop {
				continue
			}
		}
		if ae.object != "" && jsNormalize(a.object) != jsNormalize(ae.object) {
			continue
		}
		switch {
		case a.optional:
			optional = append(optional, a)
		case jsTypePosition(c, m, a):
			typed = append(typed, a)
		default:
			cands = append(cands, a)
		}
	}
	keyUnknown := false
	if ae.prop != "" && (len(cands) == 0 || jsIsNumber(ae.prop)) {
		for _, a := range all {
			if a.computed && !a.optional && (ae.object == "" || jsNormalize(a.object) == jsNormalize(ae.object)) {
				cands = append(cands, a)
				keyUnknown = true
			}
		}
	}
	what := "a property"
	if ae.prop != "" {
		what = "`." + ae.prop + "`"
		if jsIsNumber(ae.prop) {
			what = "`[" + ae.prop + "]`"
		}
	}
	if ae.object != "" {
		what += " of `" + ae.object + "`"
	}
	switch {
	case len(cands) == 0 && len(typed) > 0:
		return nil, fmt.Sprintf("the only read of %s on line %d is in a TypeScript type, which does not run; the failing read is elsewhere", what, n)
	case len(cands) == 0 && len(optional) > 0:
		return nil, fmt.Sprintf("line %d reads %s only through `?.`, which cannot throw %s; the failing read is elsewhere", n, what, jsQuote(c))
	case len(cands) == 0:
		return nil, fmt.Sprintf("line %d does not read %s (%s): the failing read is on another line of the statement or the source map is off", n, what, jsQuote(c))
	}
	pinnedByColumn := false
	if len(cands) > 1 {
		var hit []jsAccess
		if col := c.Frame.Column - 1; col >= 0 {
			for _, a := range cands {
				if a.objStart <= col && col <= a.nameEnd {
					hit = append(hit, a)
				}
			}
		}
		if len(hit) != 1 {
			var texts []string
			for _, a := range cands {
				texts = append(texts, "`"+jsShort(a.text(line))+"`")
			}
			return nil, fmt.Sprintf("line %d reads %s %d times (%s) and neither the message nor the column says which one failed", n, what, len(cands), strings.Join(texts, ", "))
		}
		cands, pinnedByColumn = hit, true
	}
	a := cands[0]
	return jsGuardAccess(c, ae, a, all, keyUnknown, pinnedByColumn)
}

// jsGuardAccess makes the fix for the one pinned access a, or says why there is none.
func jsGuardAccess(c *Case, ae jsAccessError, a jsAccess, all []jsAccess, keyUnknown, pinnedByColumn bool) (*Fix, string) {
	line, m, n := c.Line(), c.MaskedLine(), c.Index+1
	access := "`" + jsShort(a.text(line)) + "`"
	obj := strings.TrimSpace(a.object)
	switch {
	case obj == "super" || obj == "import" || obj == "new.target":
		return nil, fmt.Sprintf("%s on line %d reads from `%s`, which optional chaining cannot guard", access, n, obj)
	case obj == "this":
		return nil, fmt.Sprintf("`this` was %s on line %d: the function was called without its object (an unbound method or callback); a guard would hide that, the fix is to bind it", ae.value, n)
	case strings.HasSuffix(obj, "!"):
		return nil, fmt.Sprintf("line %d asserts `%s` is not null (`!`), so the code's author believes it cannot be; a guard would hide that the belief is wrong", n, obj)
	}
	end := jsChainEnd(m, a.nameEnd)
	prev := jsPrevToken(m, a.objStart)
	next := ""
	if end >= 0 {
		next = jsNextToken(m, end)
	}
	switch {
	case strings.HasSuffix(prev, "++") || strings.HasSuffix(prev, "--") || jsAssigns(next):
		return nil, fmt.Sprintf("%s on line %d is assigned to; an optional chain cannot be assigned, and skipping the assignment would lose the write", access, n)
	case jsInPattern(m, a.objStart):
		return nil, fmt.Sprintf("%s on line %d is a destructuring assignment's target; an optional chain cannot be assigned", access, n)
	case jsEndsWithWord(prev, "delete"):
		return nil, fmt.Sprintf("%s on line %d is deleted; the fix belongs where `%s` is set", access, n, jsShort(obj))
	case jsEndsWithWord(prev, "new"):
		return nil, fmt.Sprintf("%s on line %d is constructed with `new`, and an optional chain cannot be", access, n)
	case strings.HasPrefix(next, "`"):
		return nil, fmt.Sprintf("%s on line %d tags a template, and an optional chain cannot", access, n)
	}
	for _, o := range all {
		if o.at != a.at && !o.optional && jsNormalize(o.object) == jsNormalize(a.object) {
			return nil, fmt.Sprintf("line %d also reads `%s` from `%s`; guarding %s alone would only move the error", n, jsShort(o.text(line)), jsShort(obj), access)
		}
	}
	if sink := jsSinkOf(m, a.objStart, end, next); sink != "" {
		return nil, fmt.Sprintf("the value read by %s on line %d is %s, which would throw on undefined in turn; guarding the read would only move the error", access, n, sink)
	}

	if why := jsLaterUse(c, a.objStart); why != "" {
		return nil, why
	}
	if jsOperatorNext(next) || jsOperatorPrev(prev) {
		return nil, fmt.Sprintf("the value read by %s on line %d is computed with; undefined there gives NaN (or \"undefined\" in text) instead of an error, and the right default is the code owner's choice", access, n)
	}
	if callee := jsCallee(m, a.objStart, next); callee != "" {
		return nil, fmt.Sprintf("the value read by %s on line %d is passed to %s, which the rules cannot see into: undefined there may only move the error or show as NaN or \"undefined\", and the right default is the code owner's choice", access, n, callee)
	}

	value := ae.value
	if ae.object == "" {
		value = "undefined or null"
		if ae.value != "" {
			value = ae.value
		}
	}
	conf := Medium
	if ae.object != "" && !pinnedByColumn {
		conf = High
	}
	if keyUnknown {
		conf = Low
	}
	var newLine, fixed string
	if jsModern(c) {
		shift := 1
		if a.index {
			newLine, shift = line[:a.at]+"?."+line[a.at:], 2
		} else {
			newLine = line[:a.at] + "?" + line[a.at:]
		}
		fixed = "`" + jsShort(newLine[a.objStart:a.nameEnd+shift]) + "`"
		return &Fix{
			Family: "js-property-of-undefined", Confidence: conf, Line: n, Start: n, End: n, New: []string{newLine},
			Explanation: fmt.Sprintf("`%s` was %s when %s read %s (%s). Reading %s instead gives undefined when `%s` is missing rather than throwing%s.%s",
				jsShort(obj), value, jsWhere(c), access, jsQuote(c), fixed, jsShort(obj), jsRestSkipped(m, a, end), jsStoredIn(m, a.objStart)),
		}, ""
	}
	// No optional chaining in this file: a guard, where the read is a whole value.
	if end < 0 {
		return nil, fmt.Sprintf("the file does not use optional chaining and %s on line %d continues onto the next line, so a guard cannot be placed around it", access, n)
	}
	norm := jsNormalize(obj)
	if strings.Contains(norm, "(") || strings.Contains(obj, "++") || strings.Contains(obj, "--") || strings.Contains(obj, "await") {
		return nil, fmt.Sprintf("the file does not use optional chaining, and guarding %s as `%s && …` would evaluate `%s` (a call) twice", access, jsShort(obj), jsShort(obj))
	}
	if !jsGuardable(prev, next) {
		return nil, fmt.Sprintf("the file does not use optional chaining, and %s on line %d is part of a larger expression a `%s && …` guard would change", access, n, jsShort(obj))
	}
	expr := line[a.objStart:end]
	newLine = line[:a.objStart] + obj + " && " + expr + line[end:]
	return &Fix{
		Family: "js-property-of-undefined", Confidence: Medium, Line: n, Start: n, End: n, New: []string{newLine},
		Explanation: fmt.Sprintf("`%s` was %s when %s read %s (%s). Guarding it as `%s && %s` gives `%s`'s own value instead of throwing when it is missing.%s",
			jsShort(obj), value, jsWhere(c), access, jsQuote(c), jsShort(obj), jsShort(expr), jsShort(obj), jsStoredIn(m, a.objStart)),
	}, ""
}

// jsRestSkipped says what else an optional chain skips: the rest of the chain after the read.
func jsRestSkipped(m string, a jsAccess, end int) string {
	if end < 0 || end > a.nameEnd {
		return ", and the rest of the chain is skipped with it"
	}
	return ""
}

// jsStoredIn is the explanation's note on the variable a guarded read is stored in: its uses
// must accept the missing value ("" when the read is not a declaration's value).
func jsStoredIn(m string, from int) string {
	if g := jsDeclared.FindStringSubmatch(m[:from]); g != nil {
		return fmt.Sprintf(" `%s` may then be undefined; the lines that use it must accept that.", g[1])
	}
	return ""
}

// jsGuardable says whether an operand between prev and next may become `x && x.y` without
// changing how the code around it groups.
func jsGuardable(prev, next string) bool {
	okPrev := prev == "" || jsEndsWithWord(prev, "return") || strings.HasSuffix(prev, "=>") ||
		strings.HasSuffix(prev, "(") || strings.HasSuffix(prev, ",") || strings.HasSuffix(prev, "||") ||
		strings.HasSuffix(prev, "&&") || strings.HasSuffix(prev, ":") ||
		strings.HasSuffix(prev, "?") && !strings.HasSuffix(prev, "??") ||
		strings.HasSuffix(prev, "=") && (len(prev) == 1 || !strings.ContainsAny(prev[len(prev)-2:len(prev)-1], "!<>=+-*/%&|^?"))
	if !okPrev {
		return false
	}
	if next == "" {
		return true
	}
	for _, p := range []string{";", ",", ")", "}", "]", ":", "||", "&&"} {
		if strings.HasPrefix(next, p) {
			return true
		}
	}
	return strings.HasPrefix(next, "?") && !strings.HasPrefix(next, "??") && !strings.HasPrefix(next, "?.")
}

// jsSinkOf names what the value of the chain [from, to) flows into when that throws on
// undefined: an iteration, a spread, a destructuring, `in`, a built-in that needs an object.
func jsSinkOf(m string, from, to int, next string) string {
	prev := jsPrevToken(m, from)
	switch {
	case strings.HasSuffix(prev, "..."):
		return "spread"
	case jsEndsWithWord(prev, "of") && strings.Contains(m[:from], "for"):
		return "iterated by the `for … of`"
	case jsEndsWithWord(prev, "in") && !strings.Contains(m[:from], "for"):
		return "searched with `in`"
	case strings.HasPrefix(next, "in ") || next == "in":
		return ""
	}
	if strings.HasSuffix(prev, "=") && !strings.HasSuffix(prev, "==") && !strings.HasSuffix(prev, "=>") {
		before := strings.TrimRight(prev[:len(prev)-1], " \t")
		if strings.HasSuffix(before, "}") || strings.HasSuffix(before, "]") {
			return "destructured"
		}
	}
	if strings.HasSuffix(prev, "(") && (strings.HasPrefix(next, ")") || strings.HasPrefix(next, ",")) {
		callee := jsPrevToken(prev, len(prev)-1)
		for _, f := range []string{"Object.keys", "Object.values", "Object.entries", "Object.assign", "Object.freeze", "Array.from", "Promise.all", "Promise.allSettled", "new Map", "new Set"} {
			if strings.HasSuffix(callee, f) && (len(callee) == len(f) || !jsIdentByte(callee[len(callee)-len(f)-1])) {
				return "passed to `" + f + "`"
			}
		}
	}
	return ""
}

var jsDeclared = regexp.MustCompile(`^\s*(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)(?:\s*:[^=]+)?\s*=\s*$`)

// jsLaterUse says why guarding a read is no fix when its value is stored in a variable the
// following lines of the block dereference or iterate: the error would only move there.
func jsLaterUse(c *Case, from int) string {
	m := c.MaskedLine()
	g := jsDeclared.FindStringSubmatch(m[:from])
	if g == nil {
		return ""
	}
	name, indent := g[1], len(c.Indent(c.Index))
	for i := c.Index + 1; i < len(c.Lines) && i <= c.Index+30; i++ {
		if strings.TrimSpace(c.Masked[i]) == "" {
			continue
		}
		if len(c.Indent(i)) < indent {
			break // the block ends
		}
		for _, a := range jsAccesses(c.Lines[i], c.Masked[i]) {
			if !a.optional && strings.TrimSpace(a.object) == name {
				return fmt.Sprintf("the value is stored in `%s`, which line %d reads as `%s`; guarding line %d would only move the error there", name, i+1, jsShort(a.text(c.Lines[i])), c.Index+1)
			}
		}
		if regexp.MustCompile(`\bof\s+` + regexp.QuoteMeta(name) + `\s*\)|\.\.\.` + regexp.QuoteMeta(name) + `\b`).MatchString(c.Masked[i]) {
			return fmt.Sprintf("the value is stored in `%s`, which line %d iterates; guarding line %d would only move the error there", name, i+1, c.Index+1)
		}
		if jsArithmeticUse(c.Masked[i], name) {
			return fmt.Sprintf("the value is stored in `%s`, which line %d computes with; undefined there gives NaN (or \"undefined\" in text) instead of an error, and the right default is the code owner's choice", name, i+1)
		}
	}
	return ""
}

// jsArithmetic matches an arithmetic or ordering operator (not ++, --, =>, or an assignment).
var jsArithmetic = `(?:\*\*|[-+*/%<>])`

// jsArithmeticUse says whether masked line m uses name as an operand of arithmetic or a
// comparison of order, where undefined does not throw but gives NaN or false.
func jsArithmeticUse(m, name string) bool {
	q := regexp.QuoteMeta(name)
	before := regexp.MustCompile(`(?:^|[^-+=!<>*/%&|^])` + jsArithmetic + `\s*` + q + `\b`)
	after := regexp.MustCompile(`(?:^|[^\w$.])` + q + `\s*` + jsArithmetic + `(?:[^-+=>]|$)`)
	for _, loc := range before.FindAllStringIndex(m, -1) {
		if !strings.HasPrefix(strings.TrimLeft(m[loc[0]:], " \t"), "=>") {
			return true
		}
	}
	return after.MatchString(m)
}

// jsOperatorNext and jsOperatorPrev say whether the token after or before a read is an
// arithmetic or ordering operator (so the read's value is computed with).
func jsOperatorNext(next string) bool {
	if next == "" || strings.HasPrefix(next, "=>") || strings.HasPrefix(next, "++") || strings.HasPrefix(next, "--") {
		return false
	}
	if len(next) > 1 && next[1] == '=' && next[0] != '<' && next[0] != '>' {
		return false // an assignment operator: handled as an assignment
	}
	return strings.ContainsAny(next[:1], "-+*/%<>")
}

func jsOperatorPrev(prev string) bool {
	p := strings.TrimRight(prev, " \t")
	if p == "" || strings.HasSuffix(p, "=>") || strings.HasSuffix(p, "++") || strings.HasSuffix(p, "--") {
		return false
	}
	last := p[len(p)-1:]
	if last == "=" {
		return len(p) > 1 && (p[len(p)-2] == '<' || p[len(p)-2] == '>') && (len(p) < 3 || p[len(p)-3] != '=')
	}
	return strings.ContainsAny(last, "-+*/%<>")
}

// jsGroupingWords open a parenthesis that is not a call's (`if (`, `while (`, `return (`).
var jsGroupingWords = map[string]bool{"if": true, "for": true, "while": true, "switch": true, "catch": true, "with": true,
	"return": true, "typeof": true, "void": true, "await": true, "yield": true, "in": true, "of": true, "case": true, "else": true, "do": true}

// jsCallee names the function a read starting at from is passed to as a whole argument
// (`formatPrice(cart.total)`, `new Price(a.b)`), as "`formatPrice`"; "" when the read is not a
// call's argument, or the call is console's (which shows undefined as it is).
func jsCallee(m string, from int, next string) string {
	prev := jsPrevToken(m, from)
	if !strings.HasSuffix(prev, "(") && !strings.HasSuffix(prev, ",") {
		return ""
	}
	if next != "" && !strings.HasPrefix(next, ")") && !strings.HasPrefix(next, ",") {
		return "" // part of a larger argument (a ternary's test, say), judged elsewhere
	}
	depth := 0
	for k := from - 1; k >= 0; k-- {
		switch m[k] {
		case ')', ']', '}':
			depth++
		case '[', '{':
			if depth == 0 {
				return "" // an array or object literal's element, not an argument
			}
			depth--
		case '(':
			if depth > 0 {
				depth--
				continue
			}
			before := strings.TrimRight(m[:k], " \t")
			st := len(before)
			for st > 0 && (jsIdentByte(before[st-1]) || before[st-1] == '.' || before[st-1] == '?') {
				st--
			}
			name := strings.TrimPrefix(before[st:], "?.")
			switch {
			case name == "" && (strings.HasSuffix(before, ")") || strings.HasSuffix(before, "]")):
				return "a function value"
			case name == "", jsGroupingWords[name], jsEndsWithWord(strings.TrimRight(before[:st], " \t"), "function"):
				return "" // a grouping parenthesis, a statement's, or a function's parameters
			case strings.HasPrefix(name, "console."):
				return ""
			}
			return "`" + name + "`"
		}
	}
	return ""
}
