package suggest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Message is one message of a chat with a model: a role ("system", "user") and its text.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Limits of what is asked of a model and what is accepted from it.
const (
	// wholeFileLines and wholeFileBytes bound the file sent whole; a larger one is sent as a
	// window of windowRadius lines either side of the frame's line.
	wholeFileLines = 400
	wholeFileBytes = 48 << 10
	windowRadius   = 60
	// maxModelChangeLines bounds the lines a model's change replaces and the lines it writes.
	maxModelChangeLines = 30
	// maxExplanation bounds the model's explanation, in bytes.
	maxExplanation = 800
	maxReason      = 300
	maxFamily      = 60
	maxException   = 2000
)

// modelContract is the system message: what to answer and when not to.
const modelContract = `You review one error raised in production and either propose the smallest fix or abstain.

Answer with ONLY a JSON object, with no text before or after it, of exactly this shape:
{"abstain": true or false, "reason": string, "family": string, "confidence": "high" or "medium" or "low", "explanation": string, "diff": string}

Rules:
- Abstain ("abstain": true, with the reason and an empty diff) unless you are certain both of why the error happens and that your change stops it without changing anything else. No fix is better than a wrong one.
- "diff" is a unified diff of the one file shown, with the paths a/<path> and b/<path>, hunk headers with the file's real line numbers, and every context and removed line exactly as it is in the file (without the line-number prefix shown to you).
- Make the minimal change: at most 30 lines, at or near the line that raised the error. Never change a function's or method's signature, never rename or move code, never add imports you do not need, never touch another file, and never touch generated or vendored code.
- "family" names the kind of error in a few words (for example "nil dereference" or "undefined property").
- "confidence" is how sure you are that the change is right.
- "explanation" is one short paragraph: why the error happens and why the change stops it.`

// ModelPrompt is the question put to a model about one error: the contract as the system
// message, then the error, where it was raised, the suspected pull request, and the file with
// its line numbers (whole when small, else a window around the frame's line, which the
// answer's change must stay within).
func ModelPrompt(in Input) []Message {
	var b strings.Builder
	exc := describe(in.Exception)
	if len(exc) > maxException {
		exc = strings.ToValidUTF8(exc[:maxException], "") + "…"
	}
	fmt.Fprintf(&b, "Error: %s\n", exc)
	fmt.Fprintf(&b, "Raised at: %s:%d", in.Frame.Path, in.Frame.Line)
	if in.Frame.Function != "" {
		fmt.Fprintf(&b, ", in %s", in.Frame.Function)
	}
	b.WriteString("\n")
	if bl := in.Blame; bl != nil && (bl.Number > 0 || bl.Title != "") {
		b.WriteString("Pull request suspected of causing it:")
		if bl.Number > 0 {
			fmt.Fprintf(&b, " #%d", bl.Number)
		}
		if bl.Title != "" {
			fmt.Fprintf(&b, " %q", oneLine(bl.Title, 200))
		}
		if bl.LineChanged {
			b.WriteString(" (it changed that line)")
		}
		b.WriteString("\n")
	}
	lines := splitLines(in.Source)
	from, to, whole := promptWindow(in)
	width := len(fmt.Sprint(max(to, 1)))
	if whole {
		fmt.Fprintf(&b, "\nThe file %s (whole, %d lines; each line is prefixed by its number and \"| \", which is not part of the file):\n", in.Frame.Path, len(lines))
	} else {
		fmt.Fprintf(&b, "\nThe file %s, lines %d to %d of %d (a window of %d lines either side of line %d; your change must stay within it; each line is prefixed by its number and \"| \", which is not part of the file):\n",
			in.Frame.Path, from, to, len(lines), windowRadius, in.Frame.Line)
	}
	for i := from; i <= to && i <= len(lines); i++ {
		fmt.Fprintf(&b, "%*d| %s\n", width, i, lines[i-1])
	}
	return []Message{{Role: "system", Content: modelContract}, {Role: "user", Content: b.String()}}
}

// promptWindow is the lines of the file the model is shown (1-based, inclusive) and whether
// that is the whole file.
func promptWindow(in Input) (from, to int, whole bool) {
	n := len(splitLines(in.Source))
	if n < wholeFileLines && len(in.Source) <= wholeFileBytes {
		return 1, n, true
	}
	at := min(max(in.Frame.Line, 1), n)
	return max(1, at-windowRadius), min(n, at+windowRadius), false
}

// ModelPrecheck says why a model is not to be asked about in ("" when it may be): the same
// checks the rules make (a file of the repository, neither generated nor vendored, readable
// at the commit and the source the event saw), and a checker that parses the file here, since
// a change that cannot be checked is never shown. Asking anyway would spend the model's
// budget on an answer that must be thrown away.
func ModelPrecheck(in Input, check Checker) string {
	p := in.Frame.Path
	if p != "" && vendoredPath(p) == "" && LanguageOf(p) == "" {
		return fmt.Sprintf("no parser here knows %s (a file of an unknown language), so a model's change to it could not be checked", p)
	}
	if _, reason := prepare(in); reason != "" {
		return reason
	}
	if check == nil {
		return fmt.Sprintf("no parser here can check a change to %s, and an unchecked change is not shown", p)
	}
	if err := check(p, in.Source); err != nil {
		if errors.Is(err, ErrNoChecker) {
			return fmt.Sprintf("cannot check that a changed %s parses: %v", p, err)
		}
		return fmt.Sprintf("%s at the commit does not parse here (%v), so a change to it cannot be checked", p, err)
	}
	return ""
}

// Checker is the checker the rules use for files of l (Options.Checkers first, then the
// built-in ones); nil when there is none.
func (o Options) Checker(l Language) Checker { return o.checker(l) }

// modelAnswer is the JSON object the contract asks for.
type modelAnswer struct {
	Abstain     *bool  `json:"abstain"`
	Reason      string `json:"reason"`
	Family      string `json:"family"`
	Confidence  string `json:"confidence"`
	Explanation string `json:"explanation"`
	Diff        string `json:"diff"`
}

// ParseModelAnswer turns a model's answer to ModelPrompt(in) into a Result, held to the rules'
// standard: the answer is the JSON object asked for (a ```json fence is tolerated, nothing
// else); its diff applies strictly to in.Source, names in.Frame.Path, changes at most 30
// lines (within the window the model was shown) and leaves a file that parses with check. Any
// failure is an abstention naming it. A model's confidence is never "high": it is capped at
// medium, since nothing but the parse check stands behind it.
func ParseModelAnswer(in Input, content string, check Checker) Result {
	res := Result{Suggester: ByModel, File: in.Frame.Path, Line: in.Frame.Line}
	abstain := func(format string, args ...any) Result {
		res.AbstainReason = fmt.Sprintf(format, args...)
		return res
	}
	if reason := ModelPrecheck(in, check); reason != "" {
		return abstain("%s", reason)
	}
	ans, err := decodeModelAnswer(content)
	if err != nil {
		return abstain("the model's answer is unusable: %v", err)
	}
	if *ans.Abstain {
		reason := oneLine(ans.Reason, maxReason)
		if reason == "" {
			reason = "(it gave no reason)"
		}
		return abstain("the model abstained: %s", reason)
	}
	conf := Confidence(strings.ToLower(strings.TrimSpace(ans.Confidence)))
	switch conf {
	case High:
		conf = Medium
	case Medium, Low:
	default:
		return abstain("the model's confidence %q is not high, medium or low", oneLine(ans.Confidence, 40))
	}
	explanation := firstParagraph(ans.Explanation, maxExplanation)
	if explanation == "" {
		return abstain("the model proposed a change without explaining it")
	}
	if strings.TrimSpace(ans.Diff) == "" {
		return abstain("the model neither abstained nor gave a diff")
	}
	diff := ans.Diff
	if !strings.HasSuffix(diff, "\n") {
		diff += "\n"
	}
	patched, name, err := ApplyDiff(diff, in.Source)
	if err != nil {
		return abstain("the model's diff cannot be used: %v", err)
	}
	p := in.Frame.Path
	// A diff without a git header keeps the a/ and b/ of its ---/+++ lines in the name.
	if bare := strings.TrimPrefix(strings.TrimPrefix(name, "a/"), "b/"); name != p && bare != p {
		return abstain("the model's diff changes %s, not %s, the file that raised the error", oneLine(bare, 200), p)
	}
	ch := changeOf(splitLines(in.Source), splitLines(patched))
	if ch == nil {
		return abstain("the model's diff changes nothing but line endings")
	}
	if len(ch.Old) > maxModelChangeLines || len(ch.New) > maxModelChangeLines {
		return abstain("the model's change spans %d lines and writes %d; a suggestion changes at most %d",
			len(ch.Old), len(ch.New), maxModelChangeLines)
	}
	if from, to, whole := promptWindow(in); !whole && (ch.Start < from || ch.End > to) {
		return abstain("the model's change (lines %d..%d) reaches outside the lines %d..%d it was shown", ch.Start, ch.End, from, to)
	}
	checked, canonical, err := Check(p, in.Source, ch, check)
	if err != nil {
		return abstain("the model's change cannot be shown: %v", err)
	}
	if !bytes.Equal(checked, patched) {
		return abstain("the model's diff changes line endings or the file's final newline as well as its lines")
	}
	res.Suggested = true
	res.Family = oneLine(ans.Family, maxFamily)
	if res.Family == "" {
		res.Family = "unclassified"
	}
	res.Confidence = conf
	res.Diff, res.Patched, res.Change = canonical, checked, ch
	res.Explanation = explain(&Fix{Explanation: explanation, Line: in.Frame.Line}, in.Blame)
	return res
}

// decodeModelAnswer reads the answer's JSON object, in a ```json fence or bare; anything
// else, an unknown shape or a missing "abstain" is an error. Unknown fields are ignored: a
// model that adds one has still answered what was asked.
func decodeModelAnswer(content string) (*modelAnswer, error) {
	s := strings.TrimSpace(content)
	if s == "" {
		return nil, errors.New("it is empty")
	}
	if rest, fenced := strings.CutPrefix(s, "```"); fenced {
		info, body, ok := strings.Cut(rest, "\n")
		if !ok {
			return nil, errors.New("a ``` fence with nothing in it")
		}
		if lang := strings.ToLower(strings.TrimSpace(info)); lang != "" && lang != "json" {
			return nil, fmt.Errorf("a ```%s fence, not JSON", oneLine(lang, 20))
		}
		inner, closed := strings.CutSuffix(strings.TrimSpace(body), "```")
		if !closed {
			return nil, errors.New("a ``` fence that is never closed")
		}
		s = strings.TrimSpace(inner)
	}
	if !strings.HasPrefix(s, "{") {
		return nil, fmt.Errorf("not a JSON object (it starts %q)", oneLine(s, 40))
	}
	dec := json.NewDecoder(strings.NewReader(s))
	var ans modelAnswer
	if err := dec.Decode(&ans); err != nil {
		return nil, fmt.Errorf("not the JSON object asked for: %w", err)
	}
	if dec.More() {
		return nil, errors.New("text after the JSON object")
	}
	if ans.Abstain == nil {
		return nil, errors.New(`the JSON object has no "abstain"`)
	}
	return &ans, nil
}

// changeOf is the smallest run of lines that differs between old and updated, as a Change of old
// (a pure insertion has End = Start-1); nil when they are the same.
func changeOf(old, updated []string) *Change {
	prefix := 0
	for prefix < len(old) && prefix < len(updated) && old[prefix] == updated[prefix] {
		prefix++
	}
	if prefix == len(old) && prefix == len(updated) {
		return nil
	}
	suffix := 0
	for suffix < len(old)-prefix && suffix < len(updated)-prefix && old[len(old)-1-suffix] == updated[len(updated)-1-suffix] {
		suffix++
	}
	return &Change{
		Start: prefix + 1,
		End:   len(old) - suffix,
		Old:   append([]string{}, old[prefix:len(old)-suffix]...),
		New:   append([]string{}, updated[prefix:len(updated)-suffix]...),
	}
}

// oneLine is s on one line, white space collapsed, cut to at most n bytes.
func oneLine(s string, n int) string {
	return cut(strings.Join(strings.Fields(s), " "), n)
}

// firstParagraph is the first paragraph of s on one line, cut to at most n bytes.
func firstParagraph(s string, n int) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, para := range strings.Split(s, "\n\n") {
		if p := oneLine(para, n); p != "" {
			return p
		}
	}
	return ""
}

// cut shortens s to at most n bytes, at a word boundary when there is one, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = strings.ToValidUTF8(s[:n-len("…")], "")
	if i := strings.LastIndexByte(s, ' '); i > n/2 {
		s = s[:i]
	}
	return s + "…"
}
