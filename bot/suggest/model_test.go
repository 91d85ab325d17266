package suggest

import (
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

func init() {
	// Other test files of the package may declare -update as a package variable, which is
	// initialized before any init runs; register it only when none did.
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the golden files in testdata with the current output")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// cartGo is the file of the model tests: line 18 dereferences a nil *Item.
const cartGo = `package cart

// Item is one line of a cart.
type Item struct {
	Price    int
	Quantity int
}

// Cart is what a customer is about to buy.
type Cart struct {
	Items []*Item
}

// Total sums the cart's items.
func (c *Cart) Total() int {
	total := 0
	for _, it := range c.Items {
		total += it.Price * it.Quantity
	}
	return total
}
`

// goodCartDiff skips nil items: it adds three lines before line 18.
const goodCartDiff = "--- a/cart/cart.go\n+++ b/cart/cart.go\n@@ -16,5 +16,8 @@\n" +
	" \ttotal := 0\n \tfor _, it := range c.Items {\n" +
	"+\t\tif it == nil {\n+\t\t\tcontinue\n+\t\t}\n" +
	" \t\ttotal += it.Price * it.Quantity\n \t}\n \treturn total\n"

func cartInput() Input {
	return Input{
		Exception: Exception{Type: "runtime.Error", Value: "invalid memory address or nil pointer dereference"},
		Frame:     Frame{Path: "cart/cart.go", Line: 18, Function: "(*Cart).Total"},
		Source:    []byte(cartGo),
		Blame:     &Blame{Number: 12, Title: "Allow empty cart lines", LineChanged: true},
	}
}

// answer is a model's JSON answer; fields override a good one.
func answer(fields map[string]any) string {
	a := map[string]any{
		"abstain": false, "reason": "", "family": "nil dereference", "confidence": "medium",
		"explanation": "Items may hold nil entries, and the loop dereferences each one.",
		"diff":        goodCartDiff,
	}
	for k, v := range fields {
		if v == nil {
			delete(a, k)
			continue
		}
		a[k] = v
	}
	b, err := json.Marshal(a)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// bigFile is a Go file of n lines, most of them `x++`.
func bigFile(n int) string {
	var b strings.Builder
	b.WriteString("package big\n\nfunc f() int {\n\tx := 0\n")
	for i := 5; i <= n-2; i++ {
		b.WriteString("\tx++\n")
	}
	b.WriteString("\treturn x\n}\n")
	return b.String()
}

func TestParseModelAnswer(t *testing.T) {
	t.Parallel()
	otherFile := strings.ReplaceAll(goodCartDiff, "cart/cart.go", "cart/other.go")
	notApplying := strings.Replace(goodCartDiff, "total := 0", "total := 1", 1)
	breaking := strings.Replace(goodCartDiff, "+\t\t\tcontinue\n", "+\t\t\tcontinue(\n", 1)
	var huge strings.Builder
	huge.WriteString("--- a/cart/cart.go\n+++ b/cart/cart.go\n@@ -18,1 +18,41 @@\n")
	for range 40 {
		huge.WriteString("+\t\t_ = it\n")
	}
	huge.WriteString(" \t\ttotal += it.Price * it.Quantity\n")
	twoFiles := goodCartDiff + strings.ReplaceAll(goodCartDiff, "cart/cart.go", "cart/b.go")
	gitStyle := "diff --git a/cart/cart.go b/cart/cart.go\nindex 1111111..2222222 100644\n" + goodCartDiff
	rename := strings.Replace(goodCartDiff, "+++ b/cart/cart.go", "+++ b/cart/cart2.go", 1)
	noFinalNewline := "--- a/cart/cart.go\n+++ b/cart/cart.go\n@@ -21 +21 @@\n-}\n+}\n\\ No newline at end of file\n"
	alsoFinalNewline := strings.TrimSuffix(goodCartDiff, " \treturn total\n") + " \treturn total\n@@ -21 +24 @@\n-}\n+}\n\\ No newline at end of file\n"
	longExplanation := strings.Repeat("word ", 400) + "\n\nA second paragraph that must go."

	cases := []struct {
		name    string
		content string
		// check replaces CheckGo when setCheck is true.
		check    Checker
		setCheck bool
		in       func(*Input)
		// abstain is a piece of the abstention's reason; "" expects a suggestion.
		abstain    string
		confidence Confidence
		explain    string
	}{
		{name: "good", content: answer(nil), confidence: Medium, explain: "Line 18 was changed by #12"},
		{name: "fenced", content: "```json\n" + answer(nil) + "\n```", confidence: Medium},
		{name: "bare fence", content: "```\n" + answer(nil) + "\n```\n", confidence: Medium},
		{name: "git-style diff", content: answer(map[string]any{"diff": gitStyle}), confidence: Medium},
		{name: "diff without final newline", content: answer(map[string]any{"diff": strings.TrimSuffix(goodCartDiff, "\n")}), confidence: Medium},
		{name: "confidence high capped", content: answer(map[string]any{"confidence": "HIGH"}), confidence: Medium},
		{name: "confidence low kept", content: answer(map[string]any{"confidence": "low"}), confidence: Low},
		{name: "unknown field ignored", content: answer(map[string]any{"notes": "x"}), confidence: Medium},
		{name: "long explanation trimmed", content: answer(map[string]any{"explanation": longExplanation}), confidence: Medium},
		{name: "not JSON", content: "Sure! Skip nil items in the loop.", abstain: "not a JSON object (it starts \"Sure!"},
		{name: "empty", content: "  \n", abstain: "it is empty"},
		{name: "other fence", content: "```go\n" + answer(nil) + "\n```", abstain: "a ```go fence, not JSON"},
		{name: "unclosed fence", content: "```json\n" + answer(nil), abstain: "never closed"},
		{name: "text after the object", content: answer(nil) + " I hope this helps", abstain: "text after the JSON object"},
		{name: "wrong type", content: `{"abstain":"no","diff":""}`, abstain: "not the JSON object asked for"},
		{name: "no abstain field", content: answer(map[string]any{"abstain": nil}), abstain: `no "abstain"`},
		{name: "abstain", content: answer(map[string]any{"abstain": true, "reason": "the nil item\ncomes from the caller", "diff": ""}), abstain: "the model abstained: the nil item comes from the caller"},
		{name: "abstain without reason", content: `{"abstain":true}`, abstain: "the model abstained: (it gave no reason)"},
		{name: "neither", content: answer(map[string]any{"diff": ""}), abstain: "neither abstained nor gave a diff"},
		{name: "no explanation", content: answer(map[string]any{"explanation": " "}), abstain: "without explaining it"},
		{name: "bad confidence", content: answer(map[string]any{"confidence": "certain"}), abstain: `confidence "certain" is not`},
		{name: "diff for another file", content: answer(map[string]any{"diff": otherFile}), abstain: "changes cart/other.go, not cart/cart.go"},
		{name: "rename", content: answer(map[string]any{"diff": rename}), abstain: "changes cart/cart2.go"},
		{name: "two files", content: answer(map[string]any{"diff": twoFiles}), abstain: "changes 2 files"},
		{name: "diff not applying", content: answer(map[string]any{"diff": notApplying}), abstain: "the diff does not apply"},
		{name: "not a diff", content: answer(map[string]any{"diff": "if it == nil { continue }"}), abstain: "the diff changes 0 files"},
		{name: "diff breaks parsing", content: answer(map[string]any{"diff": breaking}), abstain: "would leave cart/cart.go unparseable"},
		{name: "huge diff", content: answer(map[string]any{"diff": huge.String()}), abstain: "writes 40; a suggestion changes at most 30"},
		{name: "only the final newline", content: answer(map[string]any{"diff": noFinalNewline}), abstain: "changes nothing but line endings"},
		{name: "the final newline too", content: answer(map[string]any{"diff": alsoFinalNewline}), abstain: "changes line endings or the file's final newline as well"},
		{name: "no checker", content: answer(nil), check: func(string, []byte) error { return fmt.Errorf("node: %w", ErrNoChecker) }, setCheck: true, abstain: "cannot check that a changed cart/cart.go parses"},
		{name: "nil checker", content: answer(nil), check: nil, setCheck: true, abstain: "no parser here can check"},
		{name: "original does not parse", content: answer(nil), in: func(in *Input) { in.Source = []byte(strings.Replace(cartGo, "return total\n}", "return total\n", 1)) }, abstain: "does not parse here"},
		{name: "vendored", content: answer(nil), in: func(in *Input) { in.Frame.Path = "vendor/cart/cart.go" }, abstain: "vendored"},
		{name: "unknown language", content: answer(nil), in: func(in *Input) { in.Frame.Path = "cart/cart.rb" }, abstain: "no parser here knows cart/cart.rb"},
		{name: "no source", content: answer(nil), in: func(in *Input) { in.Source = nil }, abstain: "could not be read"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := cartInput()
			if tc.in != nil {
				tc.in(&in)
			}
			check := Checker(CheckGo)
			if tc.setCheck {
				check = tc.check
			}
			res := ParseModelAnswer(in, tc.content, check)
			if res.Suggester != ByModel {
				t.Errorf("Suggester = %q, want %q", res.Suggester, ByModel)
			}
			if tc.abstain != "" {
				if res.Suggested || !strings.Contains(res.AbstainReason, tc.abstain) {
					t.Fatalf("got suggested=%v reason %q, want an abstention containing %q", res.Suggested, res.AbstainReason, tc.abstain)
				}
				if res.Diff != "" || res.Change != nil || res.Patched != nil {
					t.Errorf("an abstention carries a change: %+v", res)
				}
				return
			}
			if !res.Suggested {
				t.Fatalf("abstained: %s", res.AbstainReason)
			}
			if res.Confidence != tc.confidence {
				t.Errorf("Confidence = %q, want %q", res.Confidence, tc.confidence)
			}
			want := &Change{Start: 18, End: 17, Old: []string{}, New: []string{"\t\tif it == nil {", "\t\t\tcontinue", "\t\t}"}}
			if fmt.Sprint(res.Change) != fmt.Sprint(want) {
				t.Errorf("Change = %+v, want %+v", res.Change, want)
			}
			patched, _, err := ApplyDiff(res.Diff, in.Source)
			if err != nil || string(patched) != string(res.Patched) {
				t.Errorf("the result's diff does not give its patched file: %v\n%s", err, res.Diff)
			}
			if err := CheckGo(in.Frame.Path, res.Patched); err != nil {
				t.Errorf("the patched file does not parse: %v", err)
			}
			if res.File != "cart/cart.go" || res.Line != 18 || res.Family != "nil dereference" {
				t.Errorf("File, Line, Family = %q, %d, %q", res.File, res.Line, res.Family)
			}
			if len(res.Explanation) > maxExplanation+100 || strings.Contains(res.Explanation, "second paragraph") || strings.Contains(res.Explanation, "\n") {
				t.Errorf("Explanation is not one short paragraph: %q", res.Explanation)
			}
			if !strings.Contains(res.Explanation, tc.explain) {
				t.Errorf("Explanation = %q, want it to contain %q", res.Explanation, tc.explain)
			}
		})
	}
}

// TestModelChangeStaysInTheWindow: a model shown a window of a large file may not change
// lines outside it.
func TestModelChangeStaysInTheWindow(t *testing.T) {
	t.Parallel()
	src := bigFile(600)
	in := Input{Exception: Exception{Type: "runtime.Error"}, Frame: Frame{Path: "big/big.go", Line: 300}, Source: []byte(src)}
	edit := func(line int) string {
		return fmt.Sprintf("--- a/big/big.go\n+++ b/big/big.go\n@@ -%d +%d @@\n-\tx++\n+\tx += 1\n", line, line)
	}
	for _, tc := range []struct {
		name    string
		line    int
		abstain string
	}{
		{name: "inside", line: 300},
		{name: "at the window's edge", line: 360},
		{name: "above", line: 200, abstain: "reaches outside the lines 240..360"},
		{name: "below", line: 361, abstain: "reaches outside"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := ParseModelAnswer(in, answer(map[string]any{"diff": edit(tc.line)}), CheckGo)
			if tc.abstain == "" {
				if !res.Suggested || res.Change.Start != tc.line {
					t.Fatalf("want a suggestion at line %d: %+v", tc.line, res)
				}
				return
			}
			if res.Suggested || !strings.Contains(res.AbstainReason, tc.abstain) {
				t.Fatalf("reason %q, want %q", res.AbstainReason, tc.abstain)
			}
		})
	}
}

func TestModelPrompt(t *testing.T) {
	t.Parallel()
	msgs := ModelPrompt(cartInput())
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "=== %s\n%s\n", m.Role, m.Content)
	}
	testenv.AssertGolden(t, "testdata/model-prompt.golden.txt", []byte(b.String()), updating())

	big := Input{Exception: Exception{Type: "runtime.Error", Value: "index out of range [3] with length 3"},
		Frame: Frame{Path: "big/big.go", Line: 300}, Source: []byte(bigFile(600))}
	user := ModelPrompt(big)[1].Content
	for _, want := range []string{"lines 240 to 360 of 600", "240| \tx++\n", "360| \tx++\n", "Raised at: big/big.go:300\n"} {
		if !strings.Contains(user, want) {
			t.Errorf("the windowed prompt lacks %q", want)
		}
	}
	for _, not := range []string{"239| ", "361| ", "Pull request"} {
		if strings.Contains(user, not) {
			t.Errorf("the windowed prompt holds %q", not)
		}
	}
}

func TestChangeOf(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		old, upd   string
		start, end int
		oldL, newL string
	}{
		{name: "same", old: "a b c", upd: "a b c"},
		{name: "replace one", old: "a b c", upd: "a x c", start: 2, end: 2, oldL: "b", newL: "x"},
		{name: "insert", old: "a c", upd: "a b c", start: 2, end: 1, newL: "b"},
		{name: "insert a repeated line", old: "a } }", upd: "a } } }", start: 4, end: 3, newL: "}"},
		{name: "delete", old: "a b c", upd: "a c", start: 2, end: 2, oldL: "b"},
		{name: "append", old: "a", upd: "a b", start: 2, end: 1, newL: "b"},
		{name: "prepend", old: "b", upd: "a b", start: 1, end: 0, newL: "a"},
		{name: "all", old: "a", upd: "b", start: 1, end: 1, oldL: "a", newL: "b"},
		{name: "two places", old: "a b c d", upd: "x b c y", start: 1, end: 4, oldL: "a b c d", newL: "x b c y"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ch := changeOf(strings.Fields(tc.old), strings.Fields(tc.upd))
			if tc.start == 0 && tc.end == 0 && tc.name == "same" {
				if ch != nil {
					t.Fatalf("changeOf = %+v, want nil", ch)
				}
				return
			}
			if ch == nil || ch.Start != tc.start || ch.End != tc.end || strings.Join(ch.Old, " ") != tc.oldL || strings.Join(ch.New, " ") != tc.newL {
				t.Fatalf("changeOf = %+v, want %d..%d %q → %q", ch, tc.start, tc.end, tc.oldL, tc.newL)
			}
		})
	}
}

// FuzzModelAnswer: whatever a model answers, ParseModelAnswer does not panic, and a
// suggestion is one that applies to the file and parses.
func FuzzModelAnswer(f *testing.F) {
	f.Add(answer(nil))
	f.Add("```json\n" + answer(nil) + "\n```")
	f.Add(answer(map[string]any{"abstain": true, "reason": "unsure"}))
	f.Add(answer(map[string]any{"diff": strings.Replace(goodCartDiff, "continue", "continue(", 1)}))
	in := cartInput()
	f.Fuzz(func(t *testing.T, content string) {
		res := ParseModelAnswer(in, content, CheckGo)
		if res.Suggester != ByModel {
			t.Fatalf("Suggester = %q", res.Suggester)
		}
		if !res.Suggested {
			if res.AbstainReason == "" {
				t.Fatal("an abstention without a reason")
			}
			return
		}
		if res.Confidence == High {
			t.Error("a model's suggestion with high confidence")
		}
		patched, _, err := ApplyDiff(res.Diff, in.Source)
		if err != nil || string(patched) != string(res.Patched) {
			t.Fatalf("the suggestion's diff does not give its file: %v", err)
		}
		if err := CheckGo(in.Frame.Path, res.Patched); err != nil {
			t.Fatalf("the suggested file does not parse: %v", err)
		}
		if res.Change == nil || len(res.Change.New) > maxModelChangeLines || len(res.Change.Old) > maxModelChangeLines {
			t.Fatalf("Change = %+v", res.Change)
		}
		if _, err := apply(in.Source, res.Change); err != nil {
			t.Fatalf("the Change does not apply: %v", err)
		}
	})
}
