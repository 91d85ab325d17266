package suggest

import (
	"fmt"
	"regexp"
	"strings"
)

// The JVM rules: Java's helpful NullPointerException, and Kotlin's `!!` (kotlin.go); each
// looks only at files of its own language.
var jvmRules = []rule{javaNullPointer, kotlinRule}

// javaNPEMessage is HotSpot's helpful NullPointerException message (JDK 14+, JEP 358): the
// action that failed and the null value, as the bytecode names it.
var javaNPEMessage = regexp.MustCompile(`^Cannot (invoke "([^"]+)"|read field "([\w$]+)"|assign field "([\w$]+)"|load from [\w ]+ array|store to [\w ]+ array|read the array length|throw exception|enter synchronized block|exit synchronized block) because (.+) is null$`)

var javaLocalName = regexp.MustCompile(`^[a-z_][\w$]*(\.[A-Za-z_$][\w$]*)*$`)

// javaNullPointer: NullPointerException: Cannot invoke "com.acme.Account.getBalance()"
// because "account" is null. The guard `if (account == null) { return; }` goes before the
// statement, in a void method, or `return null;` in one that already returns null.
func javaNullPointer(c *Case) (*Fix, string) {
	if c.Lang != Java || c.Exception.Type != "NullPointerException" && c.Exception.Type != "java.lang.NullPointerException" {
		return nil, ""
	}
	msg := strings.TrimSpace(c.Exception.Value)
	i := c.Index
	if msg == "" || msg == "null" {
		return nil, "the NullPointerException carries no message (thrown explicitly, or the JVM's helpful messages are off), so the null value cannot be pinned"
	}
	mm := javaNPEMessage.FindStringSubmatch(msg)
	if mm == nil {
		return nil, fmt.Sprintf("the message %q is not a JVM's helpful NullPointerException message naming the null value", msg)
	}
	desc := mm[5]
	switch {
	case strings.HasPrefix(desc, "the return value of "):
		return nil, fmt.Sprintf("the null is %s: whether to guard the result, change the method to return a default, or make it throw is a design choice", desc)
	case !strings.HasPrefix(desc, `"`) || !strings.HasSuffix(desc, `"`) || len(desc) < 2:
		return nil, fmt.Sprintf("the null value (%s) is not a variable the rule can test", desc)
	}
	x := desc[1 : len(desc)-1]
	switch {
	case strings.HasPrefix(x, "<local") || strings.HasPrefix(x, "<parameter"):
		return nil, fmt.Sprintf("the JVM names the null value %s: the class was compiled without local variable names (javac -g), so which variable it is cannot be pinned", x)
	case strings.HasPrefix(x, "this."):
		return nil, fmt.Sprintf("the null value is the field %s, assigned elsewhere in the class: a guard here would hide a missing initialisation, and where it should happen is a design choice", x)
	case strings.Contains(x, "["):
		return nil, fmt.Sprintf("the null value is an array element (%s), which a guard would read twice", x)
	case !javaLocalName.MatchString(x) || regexp.MustCompile(`\.[A-Z][\w$]*\.`).MatchString(x):
		return nil, fmt.Sprintf("the null value %s is a static field or a value the rule cannot test", x)
	}
	fn := c.Frame.Function
	switch {
	case fn == "<init>":
		return nil, "the null is met in a constructor: returning early would leave the object half-built"
	case fn == "<clinit>":
		return nil, "the null is met in a static initializer, where no guard can return"
	case strings.HasPrefix(fn, "lambda$"):
		return nil, fmt.Sprintf("the null is met in a lambda (%s), whose return means something else than the method's", fn)
	}
	for _, l := range c.Masked {
		if regexp.MustCompile(`@(javax\.annotation\.|jakarta\.annotation\.|javax\.annotation\.processing\.)?Generated\b`).MatchString(l) {
			return nil, fmt.Sprintf("%s is generated (it has a @Generated annotation); fix its generator instead", c.Frame.Path)
		}
	}
	m := c.MaskedLine()
	use, what := javaUse(mm, x)
	if use == nil {
		return nil, fmt.Sprintf("the null's use is not one the rule can find on line %d (%s)", i+1, mm[1])
	}
	n := len(use.FindAllStringIndex(m, -1))
	if n == 0 && strings.HasPrefix(mm[1], "invoke") && regexp.MustCompile(`^java\.lang\.\w+\.\w+Value\(\)$`).MatchString(mm[2]) {
		return nil, fmt.Sprintf("%s is unboxed implicitly on line %d; there is no call to guard, and which primitive should stand in for null is a design choice", x, i+1)
	}
	switch {
	case n == 0:
		return nil, fmt.Sprintf("line %d has no %s: the null is met inside something the line calls, or the file is not the one that ran", i+1, what)
	case n > 1:
		return nil, fmt.Sprintf("line %d has %s %d times, so the failing one cannot be pinned", i+1, what, n)
	}
	if why := javaStatement(c, x); why != "" {
		return nil, why
	}
	exit, method, why := javaExit(c)
	if why != "" {
		return nil, why
	}
	ind, unit := c.Indent(i), c.IndentUnit()
	guard := []string{ind + "if (" + x + " == null) {", ind + unit + exit, ind + "}"}
	if javaAllman(c) {
		guard = []string{ind + "if (" + x + " == null)", ind + "{", ind + unit + exit, ind + "}"}
	}
	what2 := "returns from " + method + " early instead of throwing"
	if exit == "return null;" {
		what2 = "returns null from " + method + " instead of throwing, as it already does on another path"
	}
	return &Fix{
		Family: "java-null-pointer", Confidence: Medium, Line: i + 1, Start: i + 1, End: i,
		New: guard,
		Explanation: fmt.Sprintf("`%s` is null when line %d of %s runs (NullPointerException: %s); the guard before it %s.",
			x, i+1, c.Frame.Path, msg, what2),
	}, ""
}

// javaUse is the pattern of the failing use of x on a masked line, and its description.
func javaUse(mm []string, x string) (*regexp.Regexp, string) {
	q := `(^|[^\w$.])` + strings.ReplaceAll(regexp.QuoteMeta(x), `\.`, `\s*\.\s*`)
	switch action := mm[1]; {
	case strings.HasPrefix(action, "invoke"):
		sig := mm[2]
		open := strings.Index(sig, "(")
		if open < 0 {
			return nil, ""
		}
		name := sig[:open]
		name = name[strings.LastIndexAny(name, ".$")+1:]
		return regexp.MustCompile(q + `\s*\.\s*` + regexp.QuoteMeta(name) + `\s*\(`), x + "." + name + "(…)"
	case strings.HasPrefix(action, "read field"), strings.HasPrefix(action, "assign field"):
		f := mm[3] + mm[4]
		return regexp.MustCompile(q + `\s*\.\s*` + regexp.QuoteMeta(f) + `\b\s*($|[^\w$(\s])`), x + "." + f
	case strings.HasPrefix(action, "load from"), strings.HasPrefix(action, "store to"):
		return regexp.MustCompile(q + `\s*\[`), x + "[…]"
	case action == "read the array length":
		return regexp.MustCompile(q + `\s*\.\s*length\b`), x + ".length"
	case strings.HasPrefix(action, "enter synchronized"):
		return regexp.MustCompile(`\bsynchronized\s*\(\s*` + regexp.QuoteMeta(x) + `\s*\)`), "synchronized (" + x + ")"
	}
	return nil, ""
}

// javaStatement says why no guard can go right before the frame's line: it is not a whole
// statement, is the body of a brace-less if or loop, is not a statement a guard may precede,
// or assigns the null variable itself.
func javaStatement(c *Case, x string) string {
	i, m := c.Index, strings.TrimSpace(c.MaskedLine())
	if strings.Contains(m, "->") {
		return fmt.Sprintf("line %d holds a lambda, whose body runs later than a guard before the line", i+1)
	}
	if regexp.MustCompile(`^(\}|case\b|default\b|else\b|catch\b|finally\b|while\b|for\b|do\b|switch\b)`).MatchString(m) {
		return fmt.Sprintf("line %d is not a statement a guard can go right before (it starts %q)", i+1, strings.Fields(m)[0])
	}
	switch {
	case strings.HasSuffix(m, ";"):
		if strings.Count(m, ";") > 1 {
			return fmt.Sprintf("line %d holds more than one statement", i+1)
		}
	case strings.HasSuffix(m, "{") && regexp.MustCompile(`^(if|synchronized)\s*\(`).MatchString(m):
	default:
		return fmt.Sprintf("the statement on line %d continues on the next line, and the rule does not read statements spanning lines", i+1)
	}
	depth := 0
	for _, r := range m {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			depth--
		}
	}
	if depth != 0 {
		return fmt.Sprintf("the statement on line %d spans lines, and the rule does not read it whole", i+1)
	}
	for j := i - 1; j >= 0; j-- {
		p := strings.TrimSpace(c.Masked[j])
		if p == "" {
			continue
		}
		if !(strings.HasSuffix(p, ";") || strings.HasSuffix(p, "{") || strings.HasSuffix(p, "}") || regexp.MustCompile(`^(case\b.*|default):$`).MatchString(p)) {
			return fmt.Sprintf("line %d continues the statement on line %d, or is the body of a brace-less if or loop, so a guard before it would change what runs", i+1, j+1)
		}
		break
	}
	root, _, _ := strings.Cut(x, ".")
	if regexp.MustCompile(`(^|[^\w$.])` + regexp.QuoteMeta(root) + `\s*=[^=]`).MatchString(m) {
		return fmt.Sprintf("%s is assigned on line %d itself, so a guard before the line tests the old value", root, i+1)
	}
	return ""
}

var (
	javaMethodHeader = regexp.MustCompile(`^(?:(?:public|protected|private|static|final|synchronized|abstract|native|strictfp|default)\s+)*(?:<[^>]*>\s+)?([\w$.]+(?:\s*<.*>)?(?:\s*\[\s*\])*)\s+([a-zA-Z_$][\w$]*)\s*\(.*\)\s*(?:throws\s+[\w$.,\s]+)?$`)
	javaCtorHeader   = regexp.MustCompile(`^(?:(?:public|protected|private)\s+)?(?:<[^>]*>\s+)?[A-Z][\w$]*\s*\(.*\)\s*(?:throws\s+[\w$.,\s]+)?$`)
	javaAnnotation   = regexp.MustCompile(`^@[\w$.]+(\([^()]*\))?\s*`)
	javaPrimitives   = map[string]bool{"int": true, "long": true, "short": true, "byte": true, "char": true, "boolean": true, "float": true, "double": true}
	javaControl      = regexp.MustCompile(`^(if\s*\(.*\)|else(\s+if\s*\(.*\))?|try(\s*\(.*\))?|catch\s*\(.*\)|finally|synchronized\s*\(.*\))$`)
	javaLoop         = regexp.MustCompile(`^(for|while|do)\b`)
	javaReturnNull   = regexp.MustCompile(`(^|[^\w$])return\s+null\s*;`)
)

// javaExit finds the method around the frame's line by scanning back over the masked lines,
// counting braces, and says how a guard leaves it: `return;` from a void method, `return
// null;` from one that already returns null; otherwise why none fits.
func javaExit(c *Case) (exit, method, why string) {
	i := c.Index
	depth := 0
	for j := i - 1; j >= 0; j-- {
		l := c.Masked[j]
		for k := len(l) - 1; k >= 0; k-- {
			switch l[k] {
			case '}':
				depth++
			case '{':
				if depth > 0 {
					depth--
					continue
				}
				header := javaHeader(c, j, k)
				switch {
				case strings.Contains(header, "->"):
					return "", "", fmt.Sprintf("line %d is in a lambda's body, where return means something else than the method's", i+1)
				case javaLoop.MatchString(header):
					return "", "", fmt.Sprintf("line %d is in the loop on line %d: returning would abandon the loop's other items, and whether to skip one instead is a design choice", i+1, j+1)
				case regexp.MustCompile(`^(switch|case|default)\b`).MatchString(header):
					return "", "", fmt.Sprintf("line %d is in a switch (line %d), where the rule does not place guards", i+1, j+1)
				case javaControl.MatchString(header):
					continue
				case header == "static":
					return "", "", fmt.Sprintf("line %d is in a static initializer, where no guard can return", i+1)
				case javaCtorHeader.MatchString(header) && !javaMethodHeader.MatchString(header):
					return "", "", fmt.Sprintf("line %d is in a constructor: returning early would leave the object half-built", i+1)
				}
				h := javaMethodHeader.FindStringSubmatch(header)
				if h == nil || h[1] == "new" || h[1] == "return" {
					return "", "", fmt.Sprintf("the block around line %d (opened on line %d) is not one the rule can read as a method", i+1, j+1)
				}
				typ, name := strings.Join(strings.Fields(h[1]), ""), h[2]
				if f := c.Frame.Function; f != "" && f != name {
					return "", "", fmt.Sprintf("the frame names method %s but line %d is in %s: the file is not the one that ran", f, i+1, name)
				}
				switch {
				case typ == "void":
					return "return;", name, ""
				case javaPrimitives[typ]:
					return "", "", fmt.Sprintf("%s returns a %s: which value should stand in for the missing one is a design choice", name, typ)
				}
				end := javaBlockEnd(c, j, k)
				for b := j; b <= end; b++ {
					if javaReturnNull.MatchString(c.Masked[b]) {
						return "return null;", name, ""
					}
				}
				return "", "", fmt.Sprintf("%s returns a %s and never returns null today: returning null early would hand its callers a null they never had to handle", name, typ)
			}
		}
	}
	return "", "", fmt.Sprintf("no method encloses line %d", i+1)
}

// javaHeader is the text before the brace opening at line j, column k: that line's text and
// the lines before it back to the previous statement, annotations and a leading `}` dropped.
func javaHeader(c *Case, j, k int) string {
	parts := []string{c.Masked[j][:k]}
	for b := j - 1; b >= 0 && b > j-10; b-- {
		p := strings.TrimSpace(c.Masked[b])
		if p == "" || strings.HasSuffix(p, ";") || strings.HasSuffix(p, "{") || strings.HasSuffix(p, "}") {
			break
		}
		parts = append([]string{p}, parts...)
	}
	h := strings.TrimSpace(strings.Join(parts, " "))
	h = strings.TrimSpace(strings.TrimPrefix(h, "}"))
	for {
		loc := javaAnnotation.FindStringIndex(h)
		if loc == nil {
			break
		}
		h = strings.TrimSpace(h[loc[1]:])
	}
	return strings.Join(strings.Fields(h), " ")
}

// javaBlockEnd is the line of the brace closing the one at line j, column k.
func javaBlockEnd(c *Case, j, k int) int {
	depth := 0
	for b := j; b < len(c.Masked); b++ {
		l := c.Masked[b]
		from := 0
		if b == j {
			from = k
		}
		for _, r := range l[from:] {
			switch r {
			case '{':
				depth++
			case '}':
				depth--
				if depth == 0 {
					return b
				}
			}
		}
	}
	return len(c.Masked) - 1
}

// javaAllman says whether the file puts an opening brace on a line of its own more often
// than at the end of a line.
func javaAllman(c *Case) bool {
	own, end := 0, 0
	for _, l := range c.Masked {
		t := strings.TrimSpace(l)
		switch {
		case t == "{":
			own++
		case strings.HasSuffix(t, "{"):
			end++
		}
	}
	return own > end
}
