package bot

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/chatapi"
	"github.com/releasegate/releasegate/internal/serveconf"
)

// modelBudgetName names the model suggester's budget in the store.
const modelBudgetName = "model-suggester"

// NewModelSuggester builds the model suggester a configuration names, or nil when it names
// none. budget rations its requests (nil: a budget of this process alone, as a one-off
// command needs).
func NewModelSuggester(m serveconf.Model, transport http.RoundTripper, userAgent string, logger *slog.Logger, now func() time.Time, budget chatapi.Budget) (ModelSuggester, error) {
	if !m.Enabled() {
		return nil, nil
	}
	client, err := chatapi.New(chatapi.Options{
		BaseURL: m.URL, Model: m.Name, APIKey: m.APIKey.Reveal(), DailyBudget: m.DailyBudget,
		Transport: transport, UserAgent: userAgent, Logger: logger, Now: now,
	})
	if err != nil {
		return nil, errkind.WithHint(errkind.Config, err, "check RELEASEGATE_MODEL_URL, RELEASEGATE_MODEL and RELEASEGATE_MODEL_API_KEY (docs/app.md)")
	}
	if budget == nil {
		budget = chatapi.NewMemoryBudget(client.DailyBudget())
	}
	return &chatapi.Suggester{Client: client, Budget: budget, Now: now,
		Checkers: map[suggest.Language]suggest.Checker{suggest.Python: PythonChecker}}, nil
}

// storeBudget is the model's daily budget kept in the service's store, so every process
// of the service shares one count.
type storeBudget struct {
	b     *Bot
	limit int
}

func (s storeBudget) Take(ctx context.Context, day string) (bool, error) {
	if s.b.store == nil {
		return false, errors.New("the model's budget needs the service's store")
	}
	return s.b.store.TakeBudget(ctx, modelBudgetName, day, s.limit)
}
