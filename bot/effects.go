package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/releasegate/releasegate/bot/protection"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/store"
)

// The calls to GitHub that must happen once go through the effects ledger (store.BeginEffect):
// recorded before the call, completed after, and on a retry of the same job (Resume) made again
// only where repeating is harmless or GitHub refuses a repeat.

// review sends the rule's one review. Of every worker deciding the rule (its looks, the sweep,
// another replica) the claim lets exactly one through.
func (b *Bot) review(ctx context.Context, client *githubapi.Client, rule store.PendingRule, plan protection.Plan, owner string) error {
	claim, err := b.store.ClaimReview(ctx, rule.ID, owner)
	if err != nil {
		return err
	}
	switch claim.Outcome {
	case store.AlreadyDone, store.HeldByOther:
		return nil
	}
	state := githubapi.Approved
	if plan.State == protection.Rejected {
		state = githubapi.Rejected
	}
	err = client.ReviewDeploymentProtectionRule(ctx, githubapi.Review{
		CallbackURL: rule.CallbackURL, Environment: rule.Environment, State: state, Comment: plan.Comment,
	})
	if err != nil && !(claim.Outcome == store.Resume && errors.Is(err, githubapi.ErrInvalid)) {
		// On a resumed claim GitHub's refusal (422) means the first attempt's review landed.
		return fmt.Errorf("reviewing the protection rule of %s run %d: %w", rule.Repo, rule.RunID, err)
	}
	result, _ := json.Marshal(map[string]string{"state": plan.State, "outcome": plan.Outcome})
	return b.store.CompleteEffect(ctx, store.ReviewEffectKey(rule.ID), owner, result)
}

// reportKeyPrefix is the ledger prefix of a rule's progress reports; the n-th is prefix+n.
func reportKeyPrefix(ruleID int64) string {
	return "report:rule:" + strconv.FormatInt(ruleID, 10) + ":"
}

// reportRecord is what a report's ledger entry keeps.
type reportRecord struct {
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// reports lists the progress reports posted for a rule, oldest first.
func (b *Bot) reports(ctx context.Context, ruleID int64) ([]protection.Report, error) {
	effects, err := b.store.EffectsWithPrefix(ctx, reportKeyPrefix(ruleID))
	if err != nil {
		return nil, err
	}
	var out []protection.Report
	for _, e := range effects {
		var r reportRecord
		if e.State != store.EffectDone || json.Unmarshal(e.Result, &r) != nil {
			// Started but not completed: count it, so a crash never lets the reports pass
			// GitHub's limit.
			r.At = e.CreatedAt
		}
		out = append(out, protection.Report{At: r.At, Reason: r.Reason})
	}
	return out, nil
}

// report posts the n-th progress report (0-based) once.
func (b *Bot) report(ctx context.Context, client *githubapi.Client, rule store.PendingRule, plan protection.Plan, n int, owner string) error {
	key := reportKeyPrefix(rule.ID) + strconv.Itoa(n)
	_, outcome, err := b.store.BeginEffect(ctx, key, owner)
	if err != nil || outcome == store.AlreadyDone || outcome == store.HeldByOther {
		return err
	}
	if err := client.ReviewDeploymentProtectionRule(ctx, githubapi.Review{
		CallbackURL: rule.CallbackURL, Environment: rule.Environment, State: githubapi.StatusReport, Comment: plan.Comment,
	}); err != nil {
		return err
	}
	reason := ""
	if plan.Decision != nil {
		reason = plan.Decision.Reason
	}
	result, _ := json.Marshal(reportRecord{At: b.now().UTC(), Reason: reason})
	return b.store.CompleteEffect(ctx, key, owner, result)
}

// checkRunName is the check run of one environment's gate on a commit.
func checkRunKey(rule store.PendingRule) string {
	return "check:" + rule.Repo + ":" + rule.SHA + ":" + rule.Environment
}

// updateCheckRun creates the commit's check run for the environment once, then updates it at
// every look; the report is the gate's Markdown.
func (b *Bot) updateCheckRun(ctx context.Context, client *githubapi.Client, rule store.PendingRule, plan protection.Plan, link, owner string) error {
	if rule.SHA == "" {
		return nil
	}
	org, repo, _ := strings.Cut(rule.Repo, "/")
	run := githubapi.CheckRun{
		Name: plan.Check.Name, HeadSHA: rule.SHA, DetailsURL: link, ExternalID: decisionIDOf(rule.ID),
		Status: "in_progress", Conclusion: plan.Check.Conclusion, Title: plan.Check.Title, Summary: plan.Check.Title,
	}
	if plan.Check.Conclusion != "" {
		run.Status = "completed"
	}
	if plan.Decision != nil {
		var md strings.Builder
		if err := gate.Render(&md, *plan.Decision, "markdown"); err != nil {
			return err
		}
		run.Summary = md.String()
	} else if plan.Comment != "" {
		run.Summary = plan.Comment
	}
	key := checkRunKey(rule)
	eff, outcome, err := b.store.BeginEffect(ctx, key, owner)
	if err != nil {
		return err
	}
	switch outcome {
	case store.AlreadyDone:
		id, err := strconv.ParseInt(string(eff.Result), 10, 64)
		if err != nil {
			return fmt.Errorf("the ledger's check run ID %q: %w", eff.Result, err)
		}
		return client.UpdateCheckRun(ctx, org, repo, id, run)
	case store.HeldByOther:
		return nil // another worker is creating it; the next look updates it
	case store.Resume:
		// An earlier attempt recorded the creation and stopped: it may have created the run.
		id, found, err := client.FindCheckRun(ctx, org, repo, rule.SHA, run.Name, run.ExternalID)
		if err != nil {
			return err
		}
		if found {
			if err := client.UpdateCheckRun(ctx, org, repo, id, run); err != nil {
				return err
			}
			return b.store.CompleteEffect(ctx, key, owner, []byte(strconv.FormatInt(id, 10)))
		}
	}
	id, err := client.CreateCheckRun(ctx, org, repo, run)
	if err != nil {
		return err
	}
	return b.store.CompleteEffect(ctx, key, owner, []byte(strconv.FormatInt(id, 10)))
}
