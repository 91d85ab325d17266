package suggest

import (
	"fmt"
	"regexp"
	"strings"
)

// The "is not a function" rule. A call becomes optional (`x.onSave?.(a)`) only when the value
// is known to be missing, not some other value: Safari's message says so ("'x.onSave' is
// undefined"), or the callee is a callback the file already treats as optional elsewhere
// (`onSave?:`, `onSave?.(`, `if (onSave)`, `onSave &&`, a PropTypes.func that is not
// required). V8 and Firefox only say the value is not a function, which an object or a
// string also is. The call must be a statement of its own (or a JSX handler's body): when its
// result is used, skipping it would silently change a value.

var (
	jscNotFunc      = regexp.MustCompile(`^(.+) is not a function\. \(In '(.*)', '(.+)' is (.+)\)$`)
	notFunc         = regexp.MustCompile(`^(.+) is not a function$`)
	notFuncOrIter   = regexp.MustCompile(`^(.+) is not a function or its return value is not iterable$`)
	jscNotFuncNear  = regexp.MustCompile(`^(undefined|null) is not a function \(near '(.*)'\)$`)
	jsCalleePath    = regexp.MustCompile(`^[A-Za-z_$][\w$]*(\??\.[A-Za-z_$][\w$]*)*$`)
	jsCallbackName  = regexp.MustCompile(`^(on[A-Z][\w$]*|[\w$]*(Callback|Handler|Listener)|callback|handler|listener|cb|done)$`)
	jsxHandlerArrow = regexp.MustCompile(`[A-Za-z][\w-]*=\{\s*(\([^()]*\)|[\w$]+)\s*=>$`)
)

// jsBuiltinMethods are methods of arrays, strings, promises and maps: when one "is not a
// function", the value is of another type, not missing.
var jsBuiltinMethods = map[string]bool{
	"map": true, "filter": true, "forEach": true, "reduce": true, "find": true, "findIndex": true,
	"some": true, "every": true, "includes": true, "indexOf": true, "join": true, "push": true,
	"slice": true, "splice": true, "concat": true, "flat": true, "flatMap": true, "sort": true,
	"entries": true, "keys": true, "values": true, "at": true, "then": true, "catch": true,
	"finally": true, "toFixed": true, "toLowerCase": true, "toUpperCase": true, "trim": true,
	"split": true, "replace": true, "startsWith": true, "endsWith": true, "get": true, "set": true,
	"has": true, "add": true, "delete": true, "toString": true, "json": true, "text": true,
}

func jsNotAFunction(c *Case) (*Fix, string) {
	msg, ok := jsTypeError(c.Exception)
	if !ok {
		return nil, ""
	}
	var callee, value string
	switch {
	case jscNotFuncNear.MatchString(msg):
		return nil, "" // Safari's report of an iteration of undefined: the not-iterable rule's
	case notFuncOrIter.MatchString(msg):
		m := notFuncOrIter.FindStringSubmatch(msg)
		return nil, fmt.Sprintf("V8's message (%s) does not say whether `%s` is not a function or returned something that is not iterable", jsQuote(c), m[1])
	case jscNotFunc.MatchString(msg):
		m := jscNotFunc.FindStringSubmatch(msg)
		callee, value = m[3], m[4]
	case notFunc.MatchString(msg):
		callee = notFunc.FindStringSubmatch(msg)[1]
	default:
		return nil, ""
	}
	n := c.Index + 1
	if !jsCalleePath.MatchString(callee) || callee == "undefined" || callee == "null" {
		return nil, fmt.Sprintf("the message (%s) does not name the callee as a plain name or member (`%s`), so the call cannot be pinned", jsQuote(c), callee)
	}
	name := callee[strings.LastIndexAny(callee, ".")+1:]
	if jsBuiltinMethods[name] {
		return nil, fmt.Sprintf("`%s` is not a function because the value it is called on is not the array, string or promise the code expects (it may be an object); `?.` would hide that, and no change is safe without knowing the data", callee)
	}
	known := value == "undefined" || value == "null"
	if value != "" && !known {
		return nil, fmt.Sprintf("`%s` is %s, not missing (%s); making the call optional would not fix it", callee, value, jsQuote(c))
	}

	line, m := c.Line(), c.MaskedLine()
	var sites, starts []int // the `(` of each call of callee, and where its callee starts
	optional := 0
	for k := 1; k < len(m); k++ {
		if m[k] != '(' {
			continue
		}
		end := k
		if k >= 2 && m[k-2:k] == "?." {
			end = k - 2
		}
		start := jsOperandStart(m, end)
		if start < 0 || jsNormalize(m[start:end]) != jsNormalize(callee) {
			continue
		}
		if end != k {
			optional++
			continue
		}
		sites, starts = append(sites, k), append(starts, start)
	}
	switch {
	case len(sites) == 0 && optional > 0:
		return nil, fmt.Sprintf("line %d calls `%s` only as `%s?.(…)`, which cannot throw %s; the failing call is elsewhere", n, callee, callee, jsQuote(c))
	case len(sites) == 0:
		return nil, fmt.Sprintf("line %d does not call `%s` (%s): the call is on another line of the statement or the source map is off", n, callee, jsQuote(c))
	case len(sites) > 1:
		return nil, fmt.Sprintf("line %d calls `%s` %d times, and the message does not say which call failed", n, callee, len(sites))
	}
	k, start := sites[0], starts[0]
	if why := jsCallResultUsed(c, start, k); why != "" {
		return nil, fmt.Sprintf("the result of `%s(…)` on line %d %s; making the call optional would silently turn that into undefined", callee, n, why)
	}
	conf := High
	because := fmt.Sprintf("the message says it is %s", value)
	if !known {
		if !jsCallbackName.MatchString(name) {
			return nil, fmt.Sprintf("the message (%s) does not say whether `%s` is missing or some other value, and `%s` is not a callback the file treats as optional", jsQuote(c), callee, name)
		}
		ev := jsOptionalEvidence(c, name)
		if ev == "" {
			return nil, fmt.Sprintf("the message (%s) does not say whether `%s` is missing or some other value, and nothing else in the file treats `%s` as optional", jsQuote(c), callee, name)
		}
		conf = Medium
		because = "the file already treats it as optional (" + ev + ")"
	}
	if !jsModern(c) {
		return nil, fmt.Sprintf("the file does not use optional chaining, so `%s?.(…)` may not compile for its targets; guard the call with `if (%s)`", callee, callee)
	}
	newLine := line[:k] + "?." + line[k:]
	return &Fix{
		Family: "js-not-a-function", Confidence: conf, Line: n, Start: n, End: n, New: []string{newLine},
		Explanation: fmt.Sprintf("`%s` was not a function when %s called it (%s); %s. Calling it as `%s?.(…)` skips the call when it is not provided instead of throwing.",
			callee, jsWhere(c), jsQuote(c), because, callee),
	}, ""
}

// jsCallResultUsed says how the result of the call whose callee starts at start and whose
// `(` is at open is used ("" when the call is a statement of its own or a JSX handler's body).
func jsCallResultUsed(c *Case, start, open int) string {
	m := c.MaskedLine()
	prev := jsPrevToken(m, start)
	switch {
	case jsEndsWithWord(prev, "await"):
		return "is awaited"
	case jsEndsWithWord(prev, "new"):
		return "is constructed with `new`"
	}
	handler := jsxHandlerArrow.MatchString(prev)
	if prev != "" && !strings.HasSuffix(prev, ";") && !strings.HasSuffix(prev, "{") && !strings.HasSuffix(prev, "}") && !handler {
		return "is used as a value"
	}
	line, col := c.Index, closingBracket(m, open)
	if col < 0 { // the arguments continue on the next lines: find where they close
		depth := 0
		line, col = -1, -1
	scan:
		for i := c.Index; i < len(c.Masked) && i < c.Index+40; i++ {
			from := 0
			if i == c.Index {
				from = open
			}
			for j := from; j < len(c.Masked[i]); j++ {
				switch c.Masked[i][j] {
				case '(', '[', '{':
					depth++
				case ')', ']', '}':
					depth--
					if depth == 0 {
						line, col = i, j
						break scan
					}
				}
			}
		}
		if line < 0 {
			return "cannot be seen (the call does not close within 40 lines)"
		}
	}
	next := jsNextToken(c.Masked[line], col+1)
	if handler {
		if strings.HasPrefix(next, "}") {
			return ""
		}
		return "is used as a value"
	}
	if next == "" {
		for i := line + 1; i < len(c.Masked); i++ {
			if t := strings.TrimSpace(c.Masked[i]); t != "" {
				next = t
				break
			}
		}
		if strings.HasPrefix(next, ".") || strings.HasPrefix(next, "?") || strings.HasPrefix(next, "(") || strings.HasPrefix(next, "[") || strings.HasPrefix(next, "`") {
			return "is used by the next line"
		}
		return ""
	}
	if strings.HasPrefix(next, ";") || strings.HasPrefix(next, "}") {
		return ""
	}
	if strings.HasPrefix(next, ".") || strings.HasPrefix(next, "?.") || strings.HasPrefix(next, "(") || strings.HasPrefix(next, "[") {
		return "is chained"
	}
	return "is used as a value"
}

// jsOptionalEvidence finds where the file, outside the faulting line, treats the callback
// name as optional; "" when it does not.
func jsOptionalEvidence(c *Case, name string) string {
	q := regexp.QuoteMeta(name)
	checks := []struct {
		re   *regexp.Regexp
		says string
	}{
		{regexp.MustCompile(`(^|[^\w$])` + q + `\s*\?\.\s*\(`), "`" + name + "?.(…)`"},
		{regexp.MustCompile(`(^|[^\w$])` + q + `\s*\?\s*:`), "`" + name + "?:`"},
		{regexp.MustCompile(`\bif\s*\(\s*!?\s*([\w$]+\s*\.\s*)*` + q + `\s*\)`), "`if (" + name + ")`"},
		{regexp.MustCompile(`(^|[^\w$])` + q + `\s*&&`), "`" + name + " &&`"},
		{regexp.MustCompile(`\btypeof\s+([\w$]+\s*\.\s*)*` + q + `\s*[!=]==?`), "`typeof " + name + "`"},
	}
	propTypes := regexp.MustCompile(`(^|[^\w$])` + q + `\s*:\s*PropTypes\.func\b`)
	for i, m := range c.Masked {
		if i == c.Index {
			continue
		}
		for _, ch := range checks {
			if ch.re.MatchString(m) {
				return ch.says + " on line " + fmt.Sprint(i+1)
			}
		}
		if loc := propTypes.FindStringIndex(m); loc != nil && !strings.HasPrefix(m[loc[1]:], ".isRequired") {
			return "`" + name + ": PropTypes.func`, not required, on line " + fmt.Sprint(i+1)
		}
	}
	return ""
}
