package bot

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/internal/chatapi/chatapitest"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/serveconf"
)

// A thrown Error no rule knows, in a Go-free JS file: the model's turn.
const modelJS = `export function ship(order) {
  if (!order.address) {
    throw new Error("order " + order.id + " has no shipping address");
  }
  return label(order.address);
}
`

func modelEvent(t *testing.T, file string) *sentryapi.Event {
	t.Helper()
	ev, err := sentryapi.DecodeEvent([]byte(`{"event_id":"m1","platform":"javascript","exception":{"values":[{"type":"Error",
		"value":"order 7 has no shipping address","stacktrace":{"frames":[{"filename":"app:///` + file + `","lineno":3,"in_app":true,"function":"ship"}]}}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func modelAnswer(diff string) string {
	b, _ := json.Marshal(map[string]any{"abstain": false, "reason": "", "family": "js-missing-address", "confidence": "high",
		"explanation": "Orders without an address are drafts; ship() should skip them rather than throw.", "diff": diff})
	return string(b)
}

// TestSuggestForAsksTheModel: the model is asked only when the rules know no rule, with the
// service's configuration (RELEASEGATE_MODEL_*), and its answer is labelled and capped; it
// is never asked about a file the rules refuse (vendored), nor past its daily budget.
func TestSuggestForAsksTheModel(t *testing.T) {
	t.Parallel()
	fake := chatapitest.Start(t, chatapitest.Options{})
	env := map[string]string{"RELEASEGATE_MODEL_URL": fake.URL(), "RELEASEGATE_MODEL": "coder",
		"RELEASEGATE_MODEL_API_KEY": fake.APIKey(), "RELEASEGATE_MODEL_DAILY_BUDGET": "1"}
	cfg, err := serveconf.LoadModel(serveconf.Input{Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	model, err := NewModelSuggester(cfg, nil, "releasegate/test", nil, nil, nil)
	if err != nil || model == nil {
		t.Fatalf("NewModelSuggester = %v, %v", model, err)
	}
	files := map[string]string{"src/ship.js": modelJS, "node_modules/shipping/ship.js": modelJS}
	paths := []string{"src/ship.js", "node_modules/shipping/ship.js"}
	read := func(_ context.Context, p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, os.ErrNotExist
	}
	diff := "--- a/src/ship.js\n+++ b/src/ship.js\n@@ -1,4 +1,4 @@\n export function ship(order) {\n   if (!order.address) {\n" +
		"-    throw new Error(\"order \" + order.id + \" has no shipping address\");\n+    return null;\n   }\n"

	// Vendored: the rules refuse it, so the model is not asked (the fake fails on any call).
	res, err := SuggestFor(t.Context(), modelEvent(t, "node_modules/shipping/ship.js"), paths, read, SuggestOptions{Model: model})
	if err != nil || res.Suggested || !strings.Contains(res.AbstainReason, "vendored") {
		t.Fatalf("vendored: %+v, %v", res, err)
	}
	if n := len(fake.Calls()); n != 0 {
		t.Fatalf("the model was asked %d times about a vendored file", n)
	}

	fake.Script(chatapitest.Answer(modelAnswer(diff)))
	res, err = SuggestFor(t.Context(), modelEvent(t, "src/ship.js"), paths, read, SuggestOptions{Model: model})
	if err != nil || !res.Suggested {
		t.Fatalf("the model's fix: %+v, %v", res, err)
	}
	if res.Suggester != suggest.ByModel || res.Confidence != suggest.Medium || res.Line != 3 || !strings.Contains(res.Diff, "+    return null;") {
		t.Errorf("the model's fix is not labelled and capped: %+v", res)
	}

	// The budget of 1 is spent: an abstention, without a call.
	res, err = SuggestFor(t.Context(), modelEvent(t, "src/ship.js"), paths, read, SuggestOptions{Model: model})
	if err != nil || res.Suggested || !strings.Contains(res.AbstainReason, "daily budget (1 request) is spent") ||
		!strings.Contains(res.AbstainReason, "no rule knows Error") {
		t.Fatalf("past the budget: %+v, %v", res, err)
	}
	if n := len(fake.Calls()); n != 1 {
		t.Fatalf("the model was asked %d times, want 1", n)
	}
}
