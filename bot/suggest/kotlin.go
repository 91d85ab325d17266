package suggest

import (
	"fmt"
	"regexp"
	"strings"
)

// kotlinRule handles Kotlin's own null failures; jvm.go calls it for Kotlin files.
//
// `x!!` on a null x throws java.lang.NullPointerException with no message (since Kotlin 1.4
// the compiler emits Intrinsics.checkNotNull, which throws a bare NullPointerException and
// trims its own frames from the trace, so the top frame is the line of the `!!`; before 1.4
// it was kotlin.KotlinNullPointerException, also without a message). No Kotlin compiler runs
// here: this follows the language's documented behaviour and the standard library's source.
//
// The only fix proposed is `x!!.f(...)` → `x?.f(...)`, and only where certain: exactly one
// `!!` on the line, the call is the whole statement, and its value is unused (another
// statement follows in the block, or the block is a function's body), so the result turning
// nullable cannot break compilation.
var kotlinRule rule = kotlinNotNullAssertion

var (
	// kotlinBangCall is a statement calling a method on `receiver!!`: the receiver a name or
	// a path of names, the call's arguments in one pair of parentheses closing the line.
	kotlinBangCall = regexp.MustCompile(`^((?:this\.)?[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)!!\.([A-Za-z_][A-Za-z0-9_]*)\(`)
	kotlinLateinit = regexp.MustCompile(`lateinit property (\S+) has not been initialized`)
	kotlinFunOpen  = regexp.MustCompile(`^(?:(?:private|public|internal|protected|override|open|final|suspend|inline|operator|infix|tailrec|abstract)\s+)*fun\b`)
)

func kotlinNotNullAssertion(c *Case) (*Fix, string) {
	if c.Lang != Kotlin {
		return nil, ""
	}
	t := c.Exception.Type
	short := t[strings.LastIndex(t, ".")+1:]
	v := strings.TrimSpace(c.Exception.Value)
	p, ln := c.Frame.Path, c.Frame.Line
	if m := kotlinLateinit.FindStringSubmatch(v); m != nil || short == "UninitializedPropertyAccessException" {
		prop := "the property"
		if m != nil {
			prop = "`" + m[1] + "`"
		}
		return nil, fmt.Sprintf("%s is a lateinit property read at %s:%d before it was set (%s); the fix is to set it earlier or check `::%s.isInitialized`, which depends on the object's lifecycle", prop, p, ln, v, strings.Trim(prop, "`"))
	}
	if short != "NullPointerException" && short != "KotlinNullPointerException" {
		return nil, ""
	}
	switch {
	case strings.HasPrefix(v, "null cannot be cast to non-null type"):
		return nil, fmt.Sprintf("a null value is cast with `as` at %s:%d (%s); `as?` would make the value nullable, and what the code should do with null is its decision", p, ln, v)
	case strings.HasPrefix(v, "Parameter specified as non-null is null"):
		return nil, fmt.Sprintf("Java code passed null where the Kotlin function at %s:%d declares a non-null parameter (%s); the fix belongs at the caller", p, ln, v)
	case v != "":
		return nil, "" // a JVM NullPointerException with a message: the Java rules' family
	}
	masked := c.MaskedLine()
	switch n := strings.Count(masked, "!!"); {
	case n == 0:
		return nil, fmt.Sprintf("the NullPointerException has no message, but line %d of %s has no `!!`: the null was dereferenced in code the line calls", ln, p)
	case n > 1:
		return nil, fmt.Sprintf("line %d of %s holds %d `!!` assertions, so which one failed cannot be told", ln, p, n)
	}
	if strings.Count(c.Line(), "!!") > 1 {
		return nil, fmt.Sprintf("line %d of %s holds another `!!` inside a string template or comment, so which one failed cannot be told", ln, p)
	}
	code := strings.TrimSpace(masked)
	code = strings.TrimSpace(strings.TrimSuffix(code, ";"))
	m := kotlinBangCall.FindStringSubmatch(code)
	if m == nil || !closesAtEnd(code, len(m[0])-1) {
		return nil, fmt.Sprintf("line %d of %s is not a lone call on a `!!` value (`x!!.f(...)` as a whole statement): its value is used or called on again, and `?.` would make it nullable, which the code may not accept", ln, p)
	}
	if why := c.kotlinValueUnused(); why != "" {
		return nil, why
	}
	line := c.Line()
	at := strings.Index(masked, "!!.")
	fixed := line[:at] + "?." + line[at+3:]
	recv := m[1]
	call := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(fixed), ";"))
	return &Fix{
		Family: "kt-not-null-assertion", Confidence: Medium, Line: ln, Start: ln, End: ln, New: []string{fixed},
		Explanation: fmt.Sprintf("`%s` is null at %s:%d, where `%s!!` asserts it is not (java.lang.NullPointerException, thrown by the `!!`); `%s` skips the call when `%s` is null instead of throwing.",
			recv, p, ln, recv, call, recv),
	}, ""
}

// closesAtEnd says whether the parenthesis opened at open closes at the end of s.
func closesAtEnd(s string, open int) bool {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i == len(s)-1
			}
		}
	}
	return false
}

// kotlinValueUnused says why the frame's statement's value might be used ("" when it is
// not): a statement continued from the line before or onto the next, or the last of a block
// that is not a function's body (a lambda's or an if-expression's last statement is its value).
func (c *Case) kotlinValueUnused() string {
	p, ln := c.Frame.Path, c.Frame.Line
	prev, next := "", ""
	for i := c.Index - 1; i >= 0; i-- {
		if s := strings.TrimSpace(c.Masked[i]); s != "" {
			prev = s
			break
		}
	}
	for i := c.Index + 1; i < len(c.Masked); i++ {
		if s := strings.TrimSpace(c.Masked[i]); s != "" {
			next = s
			break
		}
	}
	for _, end := range []string{"=", "(", ",", ".", "+", "-", "*", "/", "&&", "||", "?:", "->", "return", "else"} {
		if strings.HasSuffix(prev, end) {
			return fmt.Sprintf("the statement at %s:%d continues the line before it, so its value may be used", p, ln)
		}
	}
	for _, start := range []string{".", "?.", "?:", "+", "-", "*", "/", "&&", "||", "as ", "as?", "else"} {
		if strings.HasPrefix(next, start) {
			return fmt.Sprintf("the statement at %s:%d continues on the next line, so its value may be used", p, ln)
		}
	}
	if !strings.HasPrefix(next, "}") {
		return "" // another statement follows in the same block: the value is discarded
	}
	open := c.kotlinBlockOpener()
	if open < 0 {
		return fmt.Sprintf("the block around %s:%d could not be found, so whether the statement's value is used cannot be told", p, ln)
	}
	opener := strings.TrimSpace(c.Masked[open])
	if kotlinFunOpen.MatchString(opener) && strings.HasSuffix(opener, "{") {
		head := opener[:len(opener)-1]
		if i := strings.LastIndex(head, ")"); i >= 0 && !strings.Contains(head[i:], "=") {
			return "" // the last statement of a block-bodied function is not its value
		}
	}
	for _, kw := range []string{"for (", "for(", "while (", "while(", "init {", "init{"} {
		if strings.HasPrefix(opener, kw) {
			return ""
		}
	}
	return fmt.Sprintf("the statement at %s:%d is the last of a block opened at line %d, whose value may be the statement's (a lambda or an if or when expression), so `?.` could change a type the code relies on", p, ln, open+1)
}

// kotlinBlockOpener is the index of the line holding the `{` that opens the block around the
// frame's line; -1 when not found.
func (c *Case) kotlinBlockOpener() int {
	depth := 0
	for i := c.Index - 1; i >= 0; i-- {
		l := c.Masked[i]
		for j := len(l) - 1; j >= 0; j-- {
			switch l[j] {
			case '}':
				depth++
			case '{':
				if depth == 0 {
					return i
				}
				depth--
			}
		}
	}
	return -1
}
