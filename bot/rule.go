package bot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/releasegate/releasegate/bot/protection"
	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/gateevidence"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/issueowners"
	"github.com/releasegate/releasegate/internal/store"
)

// initialWait is a new rule's deadline until its policy has been read: the policy's default
// deadline. The first look sets the policy's own.
const initialWait = 2 * time.Hour

// protectionRequested records a deployment_protection_rule request and enqueues its first look,
// in one transaction: a redelivery finds the rule recorded and enqueues nothing.
func (b *Bot) protectionRequested(ctx context.Context, d *githubapi.Delivery) error {
	ev, ok := d.Parsed.(*github.DeploymentProtectionRuleEvent)
	if !ok || d.Action != "requested" {
		b.log.InfoContext(ctx, "protection rule delivery ignored", "delivery", d.ID, "action", d.Action)
		return nil
	}
	repo := ev.GetRepo().GetFullName()
	sha := d.SHA
	if sha == "" {
		sha = ev.GetDeployment().GetSHA()
	}
	ref := d.Ref
	if ref == "" {
		ref = ev.GetDeployment().GetRef()
	}
	inst := ev.GetInstallation().GetID()
	if repo == "" || ev.GetEnvironment() == "" || ev.GetDeploymentCallbackURL() == "" || inst == 0 {
		b.log.WarnContext(ctx, "protection rule delivery lacks what a review needs; ignored", "delivery", d.ID, "repo", repo)
		return nil
	}
	client, err := b.github.Installation(inst)
	if err != nil {
		return err
	}
	owner, name, runID, err := client.ProtectionRuleRun(ev.GetDeploymentCallbackURL())
	if err != nil {
		// A callback on another host would carry the installation token away: never call it.
		b.log.ErrorContext(ctx, "protection rule callback is not on the configured GitHub API; not answered", "delivery", d.ID, "err", err)
		return nil
	}
	if !strings.EqualFold(owner+"/"+name, repo) {
		b.log.ErrorContext(ctx, "protection rule callback names another repository; not answered", "delivery", d.ID, "repo", repo, "callback", owner+"/"+name)
		return nil
	}
	now := b.now()
	rule := store.PendingRule{
		Repo: repo, RunID: runID, Environment: ev.GetEnvironment(), SHA: sha, Ref: ref,
		CallbackURL: ev.GetDeploymentCallbackURL(), InstallationID: inst, Deadline: now.Add(initialWait), CreatedAt: now,
	}
	stored, isNew, err := b.store.AddPendingRule(ctx, rule, func(id int64) *store.Job { return &store.Job{Args: EvaluateArgs{RuleID: id}} })
	if err != nil {
		return err
	}
	b.log.InfoContext(ctx, "protection rule requested", "rule", stored.ID, "repo", repo, "environment", rule.Environment, "sha", sha, "new", isNew)
	return nil
}

// lookResult is what one look at a rule did.
type lookResult struct {
	Plan protection.Plan
	// Next is when to look again (zero: decided).
	Next time.Time
}

// look evaluates a rule once and acts on the plan: stores the decision, updates the check run,
// posts a progress report or the review. owner names the unit of work (the job) for the
// effects ledger; it must be the same on every retry of that work.
//
// attempt counts the tries of this look (River's attempt, from 1): while Sentry cannot be
// asked, a look fails (and is retried with backoff) until gateevidence.DefaultMaxFailures
// tries have failed, and only then does on_error decide — one bad minute of Sentry's must not
// decide a release.
func (b *Bot) look(ctx context.Context, ruleID int64, owner string, attempt int) (lookResult, error) {
	rule, err := b.store.PendingRule(ctx, ruleID)
	if err != nil {
		return lookResult{}, err
	}
	switch rule.State {
	case store.RuleWaiting:
	case store.RuleReviewSent:
		// Claimed: decided unless the claimer died between the claim and the call. Then the
		// review is still owed, and this rule's owner resumes the claim below.
		eff, err := b.store.Effect(ctx, store.ReviewEffectKey(rule.ID))
		if err != nil || eff.State == store.EffectDone || eff.Owner != owner {
			return lookResult{}, err
		}
	default:
		return lookResult{}, nil
	}
	log := b.log.With("rule", rule.ID, "repo", rule.Repo, "environment", rule.Environment, "sha", rule.SHA)
	client, err := b.github.Installation(rule.InstallationID)
	if err != nil {
		return lookResult{}, err
	}
	now := b.now()
	sit, ev, err := b.situation(ctx, client, rule, now)
	if err == nil && !ev.asked && sit.Decision != nil && attempt < gateevidence.DefaultMaxFailures && now.Before(rule.Deadline) {
		err = errkind.Errorf(errkind.Undecided, "Sentry could not be asked (try %d of %d before on_error decides): %s",
			attempt, gateevidence.DefaultMaxFailures, sit.Decision.Reason)
	}
	if err != nil {
		if now.Before(rule.Deadline) {
			return lookResult{}, err // undecided for now: retried with backoff; the sweep keeps the deadline
		}
		// The deadline has come and no look can be made: on_timeout decides, and says why.
		d := gate.TimedOut(ev.policyOrDefault(rule.Environment), gate.Decision{Release: ev.release, Environment: rule.Environment}, now,
			fmt.Sprintf("the rule reached its deadline %s and the gate could not be evaluated (%v)", rule.Deadline.UTC().Format(time.RFC3339), err))
		sit = protection.Situation{Rule: sit.Rule, Now: now, Decision: &d, Policy: ev.policyOrDefault(rule.Environment)}
	}
	decisionID := decisionIDOf(rule.ID)
	set := b.settings
	set.ReportURL = b.decisionLink(decisionID)
	reports, err := b.reports(ctx, rule.ID)
	if err != nil {
		return lookResult{}, err
	}
	sit.Reports = reports
	plan := protection.Decide(sit, set)
	if plan.Deadline.After(time.Time{}) && !plan.Deadline.Equal(rule.Deadline) && plan.State == "" {
		if err := b.store.SetRuleDeadline(ctx, rule.ID, plan.Deadline); err != nil {
			return lookResult{}, err
		}
	}
	if err := b.saveDecision(ctx, decisionID, rule, ev.release, plan); err != nil {
		return lookResult{}, err
	}
	if err := b.updateCheckRun(ctx, client, rule, plan, set.ReportURL, owner); err != nil {
		// The check run explains; the review decides. A failed update must not hold the review.
		log.WarnContext(ctx, "check run not updated", "err", err)
	}
	switch {
	case plan.State != "":
		if err := b.review(ctx, client, rule, plan, owner); err != nil {
			return lookResult{}, err
		}
		b.metrics.decided(plan.Outcome)
		log.InfoContext(ctx, "protection rule decided", "state", plan.State, "outcome", plan.Outcome, "release", ev.release)
		return lookResult{Plan: plan}, nil
	case plan.Comment != "":
		if err := b.report(ctx, client, rule, plan, len(reports), owner); err != nil {
			log.WarnContext(ctx, "progress report not posted", "err", err)
		}
	}
	return lookResult{Plan: plan, Next: plan.Next}, nil
}

// evaluation is what situation learned on the way, for the deadline's fallback and the logs.
type evaluation struct {
	policy  *gate.Environment
	release string
	// asked is false when Sentry could not be asked and on_error made the decision.
	asked bool
}

func (e evaluation) policyOrDefault(environment string) *gate.Environment {
	if e.policy != nil {
		return e.policy
	}
	return &gate.Environment{Name: environment}
}

// situation reads the policy at the commit and evaluates the gate. A configuration the gate
// cannot run on is the situation's ConfigError; an error returned means no look could be made
// now (GitHub or Sentry unavailable, the context ended).
func (b *Bot) situation(ctx context.Context, client *githubapi.Client, rule store.PendingRule, now time.Time) (protection.Situation, evaluation, error) {
	sit := protection.Situation{
		Rule: protection.Rule{Repo: rule.Repo, Environment: rule.Environment, SHA: rule.SHA, Ref: rule.Ref, RunID: rule.RunID, RequestedAt: rule.CreatedAt},
		Now:  now,
	}
	var ev evaluation
	owner, repo, _ := strings.Cut(rule.Repo, "/")
	src, err := readPolicy(ctx, client, owner, repo, rule.SHA)
	switch {
	case errkind.Of(err) == errkind.Config:
		sit.ConfigError = err
		return sit, ev, nil
	case err != nil:
		return sit, ev, err
	case src == nil:
		sit.Uncovered = fmt.Sprintf("there is no %s at %s and no %s in %s/%s", gate.PolicyPath, shortRef(rule.SHA), orgPolicyPath, owner, orgPolicyRepo)
		return sit, ev, nil
	}
	env, err := src.Policy.Environment(rule.Environment)
	if err != nil {
		sit.Uncovered = fmt.Sprintf("%s has no environment %s", src.Label, rule.Environment)
		return sit, ev, nil
	}
	ev.policy = env
	sentry, ok := b.sentry(owner)
	if !ok {
		sit.ConfigError = fmt.Errorf("the service has no Sentry connection for %s: add it under installations: in the service's configuration file (docs/app.md)", owner)
		return sit, ev, nil
	}
	ev.release, err = src.Policy.ReleaseName(rule.SHA, refName(rule.Ref), firstOf(env.Projects))
	if err != nil {
		sit.ConfigError = fmt.Errorf("%s: %w", src.Label, err)
		return sit, ev, nil
	}
	evidenceEnv := rule.Environment
	if env.Evidence != "" {
		evidenceEnv = env.Evidence
	}
	lookup := &issueowners.Lookup{Client: sentry.client, Org: sentry.org, Load: func(ctx context.Context) issueowners.Rules {
		return b.ownershipAt(ctx, client, owner, repo, rule.SHA)
	}}
	g := &gateevidence.Gatherer{Client: sentry.client, Owners: lookup.Owners}
	q := gateevidence.Query{Org: sentry.org, Projects: env.Projects, Release: ev.release, Environment: evidenceEnv, Now: now}
	d, asked, err := g.Evaluate(ctx, q, env, rule.Environment)
	ev.asked = asked
	switch {
	case errors.Is(err, gateevidence.ErrUnknownRelease):
		sit.ConfigError = fmt.Errorf("%w (the release name comes from release.name in %s)", err, src.Label)
		return sit, ev, nil
	case errkind.Of(err) == errkind.Config:
		sit.ConfigError = err
		return sit, ev, nil
	case err != nil:
		return sit, ev, err
	}
	if notes := lookup.TakeNotes(); len(notes) > 0 {
		d.Reason += " (" + strings.Join(notes, "; ") + ")"
	}
	sit.Decision, sit.Policy = &d, env
	return sit, ev, nil
}

// refName is a ref as GitHub Actions' GITHUB_REF_NAME has it: "refs/heads/main" → "main".
func refName(ref string) string {
	for _, p := range []string{"refs/heads/", "refs/tags/"} {
		if r, ok := strings.CutPrefix(ref, p); ok {
			return r
		}
	}
	return ref
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// decisionIDOf is the stable ID of a rule's decision record: every look updates the same page,
// so the link in the first progress report still shows the final verdict.
func decisionIDOf(ruleID int64) string {
	sum := sha256.Sum256([]byte("rule:" + strconv.FormatInt(ruleID, 10)))
	return hex.EncodeToString(sum[:16])
}

// saveDecision stores the decision the plan stands on (or, for an uncovered deployment or a
// configuration error, a record saying so).
func (b *Bot) saveDecision(ctx context.Context, id string, rule store.PendingRule, release string, plan protection.Plan) error {
	d := gate.Decision{Verdict: gate.StatusFail, Release: release, Environment: rule.Environment, DecidedAt: b.now().UTC(), Checks: []gate.Check{}}
	if plan.Decision != nil {
		d = *plan.Decision
	} else {
		if plan.State == protection.Approved {
			d.Verdict = gate.StatusPass
		}
		d.Reason = plan.Check.Title
	}
	var js bytes.Buffer
	if err := gate.Render(&js, d, "json"); err != nil {
		return err
	}
	var md bytes.Buffer
	if err := gate.Render(&md, d, "markdown"); err != nil {
		return err
	}
	rec := store.Decision{ID: id, Repo: rule.Repo, Environment: rule.Environment, Release: d.Release, SHA: rule.SHA,
		Verdict: string(d.Verdict), Outcome: plan.Outcome, Report: json.RawMessage(js.Bytes()), Markdown: md.String(), CreatedAt: rule.CreatedAt}
	if plan.State != "" {
		rec.DecidedAt = b.now().UTC()
	}
	_, err := b.store.SaveDecision(ctx, rec)
	return err
}
