package chatapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/internal/chatapi"
	"github.com/releasegate/releasegate/internal/chatapi/chatapitest"
)

// The files of the tests: a Go method that dereferences a nil *Item on line 18, and a JS
// function that reads .price of an undefined item on line 5.
func goInput(t *testing.T) suggest.Input {
	t.Helper()
	src, err := os.ReadFile("testdata/cart.go")
	if err != nil {
		t.Fatal(err)
	}
	return suggest.Input{
		Exception: suggest.Exception{Type: "runtime.Error", Value: "invalid memory address or nil pointer dereference"},
		Frame:     suggest.Frame{Path: "cart/cart.go", Line: 18, Function: "(*Cart).Total"},
		Source:    src,
	}
}

func jsInput(t *testing.T) suggest.Input {
	t.Helper()
	src, err := os.ReadFile("testdata/cart.js")
	if err != nil {
		t.Fatal(err)
	}
	return suggest.Input{
		Exception: suggest.Exception{Type: "TypeError", Value: "Cannot read properties of undefined (reading 'price')"},
		Frame:     suggest.Frame{Path: "web/cart.js", Line: 5, Function: "total"},
		Source:    src,
		Blame:     &suggest.Blame{Number: 41, Title: "Load cart items lazily", LineChanged: false},
	}
}

const (
	goodGoDiff = "--- a/cart/cart.go\n+++ b/cart/cart.go\n@@ -16,5 +16,8 @@\n" +
		" \ttotal := 0\n \tfor _, it := range c.Items {\n+\t\tif it == nil {\n+\t\t\tcontinue\n+\t\t}\n" +
		" \t\ttotal += it.Price * it.Quantity\n \t}\n \treturn total\n"
	goodJSDiff = "diff --git a/web/cart.js b/web/cart.js\n--- a/web/cart.js\n+++ b/web/cart.js\n@@ -3,4 +3,5 @@\n" +
		"   let sum = 0;\n   for (const item of cart.items) {\n+    if (!item) continue;\n" +
		"     sum += item.price * item.quantity;\n   }\n"
)

// modelSays is the model's JSON answer with a diff.
func modelSays(diff string) string {
	b, err := json.Marshal(map[string]any{
		"abstain": false, "reason": "", "family": "nil dereference", "confidence": "high",
		"explanation": "Items can hold empty entries; skipping them keeps the total of the others.", "diff": diff,
	})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func suggester(r *rig, budget chatapi.Budget, clk *clock) *chatapi.Suggester {
	if budget == nil {
		budget = chatapi.NewMemoryBudget(r.c.DailyBudget())
	}
	if clk == nil {
		clk = &clock{now: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)}
	}
	return &chatapi.Suggester{Client: r.c, Budget: budget, Now: clk.Now}
}

// TestModelSuggester runs the cases issue 17 names through the Suggester against the fake:
// a good patch is shown, labelled as the model's; a patch that does not apply, a refusal and
// a timeout show nothing.
func TestModelSuggester(t *testing.T) {
	t.Parallel()
	notApplying := strings.Replace(goodGoDiff, "total := 0", "total := 1", 1)
	cases := []struct {
		name    string
		in      func(*testing.T) suggest.Input
		reply   chatapitest.Reply
		timeout time.Duration
		// want: "suggest", an abstention's reason (a piece of it), or "error".
		want      string
		wantError func(error) bool
	}{
		{name: "a good patch (Go)", in: goInput, reply: chatapitest.Answer(modelSays(goodGoDiff)), want: "suggest"},
		{name: "a good patch (JS)", in: jsInput, reply: chatapitest.Answer("```json\n" + modelSays(goodJSDiff) + "\n```"), want: "suggest"},
		{name: "a patch that does not apply", in: goInput, reply: chatapitest.Answer(modelSays(notApplying)), want: "the model's diff cannot be used: the diff does not apply"},
		{name: "a patch that breaks the file", in: jsInput, reply: chatapitest.Answer(modelSays(strings.Replace(goodJSDiff, "continue;", "continue;{", 1))), want: "unparseable"},
		{name: "a refusal", in: goInput, reply: chatapitest.Refused("I can't assist with that request."), want: "the model refused: I can't assist with that request."},
		{name: "a content filter", in: goInput, reply: chatapitest.Filtered(), want: "the model refused: the server's content filter stopped the answer"},
		{name: "the model abstains", in: goInput, reply: chatapitest.Answer(`{"abstain":true,"reason":"the nil item may be intended"}`), want: "the model abstained: the nil item may be intended"},
		{name: "a cut answer", in: goInput, reply: chatapitest.Reply{Content: `{"abstain":false,"diff":"--- a/`, FinishReason: "length"}, want: "cut off at its limit"},
		{name: "prose", in: goInput, reply: chatapitest.Answer("Add a nil check before line 18."), want: "not a JSON object"},
		{name: "a timeout", in: goInput, reply: chatapitest.Slow(5*time.Second, modelSays(goodGoDiff)), timeout: 200 * time.Millisecond, want: "error",
			wantError: func(err error) bool { var ne *chatapi.NetworkError; return errors.As(err, &ne) && ne.Timeout() }},
		{name: "an HTML page", in: goInput, reply: chatapitest.HTMLPage(), want: "error",
			wantError: func(err error) bool { var pe *chatapi.ProtocolError; return errors.As(err, &pe) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t, func(o *chatapi.Options) {
				if tc.timeout > 0 {
					o.Timeout = tc.timeout
				}
			})
			r.srv.Script(tc.reply)
			in := tc.in(t)
			res, err := suggester(r, nil, nil).Suggest(t.Context(), in)
			if res.Suggester != suggest.ByModel {
				t.Errorf("Suggester = %q, want %q", res.Suggester, suggest.ByModel)
			}
			if n := len(r.srv.Calls()); n != 1 {
				t.Errorf("%d calls to the model, want 1", n)
			}
			switch tc.want {
			case "error":
				if err == nil || !tc.wantError(err) {
					t.Fatalf("err = %v, want the typed error", err)
				}
				if res.Suggested || res.Diff != "" || res.Change != nil {
					t.Errorf("a failed call shows something: %+v", res)
				}
				return
			case "suggest":
				if err != nil || !res.Suggested {
					t.Fatalf("Suggest = %+v, %v; want a suggestion", res, err)
				}
				if res.Confidence != suggest.Medium {
					t.Errorf("Confidence = %q: a model's word is never high", res.Confidence)
				}
				patched, _, err := suggest.ApplyDiff(res.Diff, in.Source)
				if err != nil || string(patched) != string(res.Patched) {
					t.Errorf("the suggestion's diff does not give its file: %v", err)
				}
				if !strings.Contains(res.Explanation, "skipping them") {
					t.Errorf("Explanation = %q", res.Explanation)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want an abstention", err)
			}
			if res.Suggested || !strings.Contains(res.AbstainReason, tc.want) {
				t.Fatalf("Suggest = suggested %v, reason %q; want an abstention with %q", res.Suggested, res.AbstainReason, tc.want)
			}
		})
	}
}

// TestModelNotAskedWhenNothingCanBeChecked: a file no parser here checks, or a vendored one,
// is an abstention without a call and without spending the budget.
func TestModelNotAskedWhenNothingCanBeChecked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, path, want string
	}{
		{name: "python has no checker here", path: "app/cart.py", want: "no parser here can check a change to app/cart.py"},
		{name: "vendored", path: "vendor/cart/cart.go", want: "vendored"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRig(t)
			budget := chatapi.NewMemoryBudget(1)
			in := goInput(t)
			in.Frame.Path = tc.path
			res, err := suggester(r, budget, nil).Suggest(t.Context(), in)
			if err != nil || res.Suggested || !strings.Contains(res.AbstainReason, tc.want) {
				t.Fatalf("Suggest = %+v, %v; want an abstention with %q", res, err, tc.want)
			}
			if ok, _ := budget.Take(t.Context(), chatapi.Day(time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC))); !ok {
				t.Error("the budget was spent on a question never asked")
			}
		})
	}
}

// TestDailyBudget: with a budget of one, the second error of the day abstains without calling
// the model; the next UTC day calls it again.
func TestDailyBudget(t *testing.T) {
	t.Parallel()
	r := newRig(t, func(o *chatapi.Options) { o.DailyBudget = 1 })
	clk := &clock{now: time.Date(2026, 3, 14, 23, 30, 0, 0, time.FixedZone("UTC-1", -3600))} // 00:30 on the 15th, UTC
	s := suggester(r, chatapi.NewMemoryBudget(r.c.DailyBudget()), clk)
	in := goInput(t)

	r.srv.Script(chatapitest.Answer(modelSays(goodGoDiff)))
	if res, err := s.Suggest(t.Context(), in); err != nil || !res.Suggested {
		t.Fatalf("first call: %+v, %v", res, err)
	}
	clk.set(time.Date(2026, 3, 15, 23, 59, 0, 0, time.UTC))
	res, err := s.Suggest(t.Context(), in) // no reply scripted: a call would fail the test
	if err != nil || res.Suggested || res.AbstainReason != "the model's daily budget (1 request) is spent until midnight UTC" {
		t.Fatalf("second call of the day: %+v, %v", res, err)
	}
	if n := len(r.srv.Calls()); n != 1 {
		t.Fatalf("%d calls to the model, want 1", n)
	}
	clk.set(time.Date(2026, 3, 16, 0, 0, 1, 0, time.UTC))
	r.srv.Script(chatapitest.Answer(modelSays(goodGoDiff)))
	if res, err := s.Suggest(t.Context(), in); err != nil || !res.Suggested {
		t.Fatalf("the next day: %+v, %v", res, err)
	}
	if n := len(r.srv.Calls()); n != 2 {
		t.Errorf("%d calls to the model, want 2", n)
	}
}

// failingBudget is a store-backed budget whose store is down.
type failingBudget struct{}

func (failingBudget) Take(context.Context, string) (bool, error) {
	return false, errors.New("database is locked")
}

func TestBudgetFailureIsAnError(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	_, err := suggester(r, failingBudget{}, nil).Suggest(t.Context(), goInput(t))
	if err == nil || !strings.Contains(err.Error(), "database is locked") || len(r.srv.Calls()) != 0 {
		t.Fatalf("err = %v, calls %d", err, len(r.srv.Calls()))
	}
}
