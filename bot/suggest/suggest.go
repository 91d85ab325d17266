package suggest

import (
	"fmt"
	"path"
	"strings"
)

// Input is one error to suggest a fix for: the exception, the frame that raised it (found in
// the repository), the file at the release's commit and, when known, the pull request that
// last changed the frame's line.
type Input struct {
	Exception Exception
	Frame     Frame
	// Source is the file at the release's commit; nil when it could not be read.
	Source []byte
	Blame  *Blame
}

// Exception is the raised exception: its type ("TypeError", "KeyError",
// "java.lang.NullPointerException", "runtime.Error") and its message.
type Exception struct {
	Type  string
	Value string
}

// Frame is where the exception was raised, as a file of the repository.
type Frame struct {
	Path     string // repository path, slash-separated
	Line     int    // 1-based; 0 unknown
	Column   int    // 1-based; 0 unknown
	Function string
	Module   string
	// Context is the source Sentry captured around the line when the event happened.
	Context []ContextLine
}

// ContextLine is one line of source around a frame, as the event carried it.
type ContextLine struct {
	Line int
	Text string
}

// Blame is the pull request suspected of causing the error.
type Blame struct {
	Number int
	Title  string
	URL    string
	// LineChanged says the pull request added or changed the frame's line.
	LineChanged bool
}

// Confidence is how sure a suggestion is.
type Confidence string

// Confidence levels, highest first.
const (
	High   Confidence = "high"
	Medium Confidence = "medium"
	Low    Confidence = "low"
)

// Suggester names who made a suggestion.
const (
	ByRules = "rules"
	ByModel = "model"
)

// Result is a suggestion or an abstention. Its JSON is the contract of `releasegate suggest
// --format json` (docs/output.md).
type Result struct {
	Suggested     bool       `json:"suggested"`
	Suggester     string     `json:"suggester"`
	Family        string     `json:"family"`
	Confidence    Confidence `json:"confidence"`
	File          string     `json:"file"`
	Line          int        `json:"line"`
	Diff          string     `json:"diff"`
	Explanation   string     `json:"explanation"`
	AbstainReason string     `json:"abstainReason"`
	// Change is the edit itself (the lines replaced and their replacement), for a review
	// comment's suggestion block; Patched is the whole file after it, for a fix pull request.
	Change  *Change `json:"-"`
	Patched []byte  `json:"-"`
}

// Change replaces the old file's lines Start..End (1-based, inclusive) with New.
type Change struct {
	Start, End int
	Old, New   []string
}

// Fix is what a rule proposes: the lines Start..End (1-based, inclusive) of the file replaced
// by New, the line the fault is on, and why.
type Fix struct {
	Family      string
	Confidence  Confidence
	Line        int
	Start, End  int
	New         []string
	Explanation string
}

// Case is one error prepared for the rules: the file split in lines, with a masked copy in
// which string literals and comments are blanked (so a rule searching for `.total` finds
// code, not text), and the frame's line.
type Case struct {
	Input
	Lang Language
	// Lines are the file's lines without their ending; Masked the same lines with the
	// contents of strings and comments replaced by spaces (columns kept).
	Lines, Masked []string
	// Index is the frame's line as an index into Lines.
	Index int
}

// Line is the frame's line of source.
func (c *Case) Line() string { return c.Lines[c.Index] }

// MaskedLine is the frame's line with strings and comments blanked.
func (c *Case) MaskedLine() string { return c.Masked[c.Index] }

// Indent is the leading white space of line i.
func (c *Case) Indent(i int) string {
	l := c.Lines[i]
	return l[:len(l)-len(strings.TrimLeft(l, " \t"))]
}

// IndentUnit is the file's unit of indentation: a tab, or the smallest run of leading spaces
// on an indented line (four when none is).
func (c *Case) IndentUnit() string {
	unit := 0
	for _, l := range c.Lines {
		if strings.HasPrefix(l, "\t") {
			return "\t"
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if n > 0 && n < len(l) && (unit == 0 || n < unit) {
			unit = n
		}
	}
	if unit == 0 {
		unit = 4
	}
	return strings.Repeat(" ", unit)
}

// A rule looks at a case. It returns a fix, or an abstention's reason, or neither when the
// error is not of its family.
type rule func(c *Case) (fix *Fix, abstain string)

// rulesFor lists each language's rules, in the order they are tried.
func rulesFor(l Language) []rule {
	switch l {
	case JavaScript, TypeScript:
		return jsRules
	case Python:
		return pythonRules
	case Java, Kotlin:
		return jvmRules
	case Go:
		return goRules
	}
	return nil
}

// Options shape a run of the rules.
type Options struct {
	// Checkers check that a patched file parses, by language, in addition to (or in place
	// of) the built-in ones; a language with no checker gets no suggestion.
	Checkers map[Language]Checker
}

// Suggest runs the rules on one error. It never returns a fix that was not checked: the
// diff applies to Source and the patched file parses, or the result is an abstention.
func Suggest(in Input, o Options) Result {
	res := Result{Suggester: ByRules, File: in.Frame.Path, Line: in.Frame.Line}
	c, reason := prepare(in)
	if reason != "" {
		res.AbstainReason = reason
		return res
	}
	for _, r := range rulesFor(c.Lang) {
		fix, abstain := r(c)
		if abstain != "" {
			res.AbstainReason = abstain
			return res
		}
		if fix != nil {
			return finish(c, fix, o, res)
		}
	}
	res.AbstainReason = fmt.Sprintf("no rule knows %s", describe(in.Exception))
	return res
}

// finish turns a rule's fix into a checked suggestion, or an abstention when the check fails.
func finish(c *Case, fix *Fix, o Options, res Result) Result {
	ch, err := c.change(fix)
	if err != nil {
		res.AbstainReason = "the rule's fix is malformed: " + err.Error()
		return res
	}
	patched, diff, err := Check(c.Frame.Path, c.Source, ch, o.checker(c.Lang))
	if err != nil {
		res.AbstainReason = err.Error()
		return res
	}
	res.Suggested = true
	res.Family, res.Confidence = fix.Family, fix.Confidence
	res.Line = fix.Line
	res.Diff, res.Patched, res.Change = diff, patched, ch
	res.Explanation = explain(fix, c.Blame)
	return res
}

func (c *Case) change(f *Fix) (*Change, error) {
	if f.Start < 1 || f.End < f.Start-1 || f.End > len(c.Lines) {
		return nil, fmt.Errorf("lines %d..%d are not lines of the %d-line file", f.Start, f.End, len(c.Lines))
	}
	old := c.Lines[f.Start-1 : f.End]
	if equalLines(old, f.New) {
		return nil, fmt.Errorf("it changes nothing")
	}
	return &Change{Start: f.Start, End: f.End, Old: append([]string(nil), old...), New: f.New}, nil
}

// explain is the rule's paragraph and, when the blamed pull request changed the line, that.
func explain(f *Fix, b *Blame) string {
	s := strings.TrimSpace(f.Explanation)
	if b != nil && b.LineChanged && b.Number > 0 {
		s += fmt.Sprintf(" Line %d was changed by #%d", f.Line, b.Number)
		if b.Title != "" {
			s += fmt.Sprintf(" (%q)", b.Title)
		}
		s += "."
	}
	return s
}

// prepare runs the checks every rule needs: a file of the repository that is neither
// generated nor vendored, in a language the rules know, readable at the commit, and the same
// source the event saw.
func prepare(in Input) (*Case, string) {
	p := in.Frame.Path
	if p == "" {
		return nil, "the frame that raised the error is not a file of the repository"
	}
	if why := vendoredPath(p); why != "" {
		return nil, fmt.Sprintf("%s is %s; a fix belongs upstream, not in this copy", p, why)
	}
	lang := LanguageOf(p)
	if lang == "" {
		return nil, fmt.Sprintf("no rules for %s files (%s)", strings.TrimPrefix(path.Ext(p), "."), p)
	}
	if in.Source == nil {
		return nil, fmt.Sprintf("%s could not be read at the release's commit, so no change can be checked against it", p)
	}
	if why := generatedSource(in.Source); why != "" {
		return nil, fmt.Sprintf("%s is %s; fix its generator instead", p, why)
	}
	lines := splitLines(in.Source)
	if in.Frame.Line < 1 || in.Frame.Line > len(lines) {
		return nil, fmt.Sprintf("the frame's line %d is not a line of %s at the commit (%d lines): the file changed since the event", in.Frame.Line, p, len(lines))
	}
	if n, ok := contextMatches(lines, in.Frame.Context); !ok {
		return nil, fmt.Sprintf("%s differs from the source the event saw (line %d): the sources read are not the release's (run by hand, check out the release's commit)", p, n)
	}
	masked := Mask(lang, lines)
	return &Case{Input: in, Lang: lang, Lines: lines, Masked: masked, Index: in.Frame.Line - 1}, ""
}

// contextMatches says whether the event's context lines are the file's lines; it returns the
// first line that differs. Lines Sentry could not read (empty) are not compared, and trailing
// white space is ignored (SDKs trim it).
func contextMatches(lines []string, ctx []ContextLine) (int, bool) {
	for _, cl := range ctx {
		if cl.Line < 1 || cl.Line > len(lines) {
			if strings.TrimSpace(cl.Text) == "" {
				continue
			}
			return cl.Line, false
		}
		if strings.TrimSpace(cl.Text) == "" && strings.TrimSpace(lines[cl.Line-1]) == "" {
			continue
		}
		if strings.TrimRight(cl.Text, " \t\r") != strings.TrimRight(lines[cl.Line-1], " \t\r") {
			return cl.Line, false
		}
	}
	return 0, true
}

// describe names an exception for a reason: `TypeError: x is not a function`.
func describe(e Exception) string {
	s := e.Type
	if e.Value != "" {
		v := strings.Join(strings.Fields(e.Value), " ")
		if len(v) > 120 {
			v = v[:119] + "…"
		}
		if s != "" {
			s += ": "
		}
		s += v
	}
	if s == "" {
		return "this error"
	}
	return s
}

func equalLines(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Precheck says why no suggester — rules or model — may propose a change for in: the file is
// vendored, generated, unreadable, or not the source the event saw. "" when none stops it.
func Precheck(in Input) string {
	_, reason := prepare(in)
	return reason
}

// Families are the error families the rules fix, each with its language; docs/bot.md
// documents each (a test keeps them equal).
var Families = []string{
	"js-property-of-undefined", "js-not-a-function", "js-not-iterable",
	"py-attribute-of-none", "py-key-error", "py-index-error", "py-zero-division",
	"java-null-pointer", "kt-not-null-assertion",
	"go-nil-dereference", "go-index-out-of-range",
}
