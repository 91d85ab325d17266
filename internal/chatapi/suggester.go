package chatapi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/releasegate/releasegate/bot/suggest"
)

// Suggester asks a model for a fix, under the contract the rules keep (suggest.ModelPrompt,
// suggest.ParseModelAnswer): the same abstentions, a diff that must apply and parse, a
// confidence never above medium, results labelled suggest.ByModel.
type Suggester struct {
	Client *Client
	// Budget rations the calls (NewMemoryBudget(Client.DailyBudget()), or one backed by a
	// store).
	Budget Budget
	// Now is the clock the budget's day is read from (default time.Now).
	Now func() time.Time
	// Checkers check that a patched file parses, as suggest.Options.Checkers.
	Checkers map[suggest.Language]suggest.Checker
}

// Suggest asks the model about one error. The model is not asked (and the budget not spent)
// when no change to the file could be checked; a spent budget, a refusal, a cut answer and
// an answer that breaks the contract are abstentions. A call that fails (unreachable, a
// timeout, an error status, an answer that is not a chat completion) is an error, with a
// Result that shows nothing: the caller decides whether to try again.
func (s *Suggester) Suggest(ctx context.Context, in suggest.Input) (suggest.Result, error) {
	res := suggest.Result{Suggester: suggest.ByModel, File: in.Frame.Path, Line: in.Frame.Line}
	if s.Client == nil || s.Budget == nil {
		return res, errors.New("chatapi: the Suggester needs a Client and a Budget")
	}
	check := suggest.Options{Checkers: s.Checkers}.Checker(suggest.LanguageOf(in.Frame.Path))
	if reason := suggest.ModelPrecheck(in, check); reason != "" {
		res.AbstainReason = reason
		return res, nil
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ok, err := s.Budget.Take(ctx, Day(now()))
	if err != nil {
		return res, fmt.Errorf("chatapi: taking from the model's daily budget: %w", err)
	}
	if !ok {
		n := s.Client.DailyBudget()
		unit := "requests"
		if n == 1 {
			unit = "request"
		}
		res.AbstainReason = fmt.Sprintf("the model's daily budget (%d %s) is spent until midnight UTC", n, unit)
		return res, nil
	}
	prompt := suggest.ModelPrompt(in)
	msgs := make([]Message, len(prompt))
	for i, m := range prompt {
		msgs[i] = Message{Role: m.Role, Content: m.Content}
	}
	comp, err := s.Client.Complete(ctx, msgs)
	var refusal *RefusalError
	switch {
	case errors.As(err, &refusal):
		res.AbstainReason = "the model refused: " + refusal.Reason
		return res, nil
	case err != nil:
		return res, err
	case comp.FinishReason == "length":
		res.AbstainReason = fmt.Sprintf("the model's answer was cut off at its limit of %d tokens", maxAnswerTokens)
		return res, nil
	}
	return suggest.ParseModelAnswer(in, comp.Content, check), nil
}
