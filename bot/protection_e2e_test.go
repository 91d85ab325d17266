package bot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/store"
)

// TestProtectionRule is the deployment protection rule end to end: GitHub's signed webhook in,
// stored, the gate evaluated against the fake Sentry with the policy and ownership read from
// the commit through the fake GitHub's API, and the review out — one scenario per way a rule
// ends. Every request to GitHub is checked against GitHub's published description.
func TestProtectionRule(t *testing.T) {
	t.Parallel()
	type step struct {
		advance time.Duration
		errors  int // TypeErrors over the last 5 minutes, before the look
		attempt int
		wantErr bool
	}
	tests := []struct {
		name       string
		opts       fixtureOptions
		setup      func(f *fixture)
		steps      []step
		wantState  string   // the decision's state
		wantReview []string // in its comment
		wantCheck  string   // the check run's conclusion
		wantReport int      // progress reports posted
	}{
		{
			name:  "pass: no new issue after the soak",
			setup: func(f *fixture) { f.release(t0.Add(-30 * time.Minute)) },
			steps: []step{{attempt: 1}}, wantState: "approved", wantCheck: "success",
			wantReview: []string{"passed the gate for `production`", "judged by its life in `staging`", "[Full report](https://gate.example.com/decisions/"},
		},
		{
			name: "fail: a high-frequency new issue, with its owner from the commit",
			setup: func(f *fixture) {
				f.release(t0.Add(-30 * time.Minute))
				f.errors(60, 20*time.Minute)
			},
			steps: []step{{attempt: 1}}, wantState: "rejected", wantCheck: "failure",
			wantReview: []string{"failed the gate", "TypeError", "owners #checkout"},
		},
		{
			name:  "pending, then fail",
			setup: func(f *fixture) { f.release(t0.Add(-2 * time.Minute)) },
			steps: []step{
				{attempt: 1},
				{advance: 5 * time.Minute, errors: 60, attempt: 1},
			},
			wantState: "rejected", wantCheck: "failure", wantReport: 1,
			wantReview: []string{"failed the gate", "events"},
		},
		{
			name: "Sentry down: retried, then on_error decides",
			setup: func(f *fixture) {
				f.release(t0.Add(-30 * time.Minute))
				f.sentry.InjectFault(sentryapitest.Fault{Path: "/api/0/*", Status: 503})
			},
			steps: []step{
				{attempt: 1, wantErr: true}, {attempt: 2, wantErr: true}, {attempt: 3, wantErr: true},
				{attempt: 4},
			},
			wantState: "rejected", wantCheck: "failure",
			wantReview: []string{"Sentry could not be asked", "on\\_error is fail"},
		},
		{
			name: "a token without the scope rejects, never approves",
			opts: fixtureOptions{sentryToken: "weak-token"},
			setup: func(f *fixture) {
				f.sentry.AddToken("weak-token", "project:releases")
				f.release(t0.Add(-30 * time.Minute))
			},
			steps: []step{{attempt: 1}}, wantState: "rejected", wantCheck: "failure",
			wantReview: []string{"the gate is misconfigured", "403"},
		},
		{
			name: "deadline: a gate still pending is decided by on_timeout",
			// An issue at about the threshold's rate: the bounds straddle 30/h until the
			// deadline (1h after the release started in staging) ends the wait.
			setup: func(f *fixture) { f.release(t0.Add(-5 * time.Minute)) },
			steps: []step{
				{attempt: 1},
				{advance: 30 * time.Minute, errors: 17, attempt: 1},
				{advance: 31 * time.Minute, errors: 15, attempt: 1},
			},
			wantState: "rejected", wantCheck: "failure", wantReport: 2,
			wantReview: []string{"decided by the deadline, not by the evidence", "on\\_timeout is fail"},
		},
		{
			name:  "the owner's default policy in its .github repository",
			opts:  fixtureOptions{orgPolicy: true},
			setup: func(f *fixture) { f.release(t0.Add(-30 * time.Minute)) },
			steps: []step{{attempt: 1}}, wantState: "approved", wantCheck: "success",
			wantReview: []string{"passed the gate for `production`"},
		},
		{
			name:  "uncovered: no policy anywhere approves, saying why",
			opts:  fixtureOptions{noPolicy: true},
			setup: func(f *fixture) {},
			steps: []step{{attempt: 1}}, wantState: "approved", wantCheck: "neutral",
			wantReview: []string{"without a gate", "no .github/releasegate.yml"},
		},
		{
			name:  "a policy that does not load rejects, naming the line",
			opts:  fixtureOptions{policy: "environments:\n  production:\n    projects: [web]\n    new_issues:\n      event_per_hour: 30\n"},
			setup: func(f *fixture) {},
			steps: []step{{attempt: 1}}, wantState: "rejected", wantCheck: "failure",
			wantReview: []string{"misconfigured", "releasegate.yml:5", "did you mean events\\_per\\_hour"},
		},
		{
			name:  "an unknown release rejects",
			setup: func(f *fixture) {},
			steps: []step{{attempt: 1}}, wantState: "rejected", wantCheck: "failure",
			wantReview: []string{"misconfigured", "unknown release"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tc.opts)
			tc.setup(f)
			if code := f.request(4242, "delivery-1"); code != 202 {
				t.Fatalf("webhook answered %d, want 202", code)
			}
			f.deliver("delivery-1")
			rule := f.rule()
			if rule.Repo != "acme/web" || rule.SHA != testSHA || rule.Ref != "main" || rule.RunID != 4242 || rule.Environment != "production" {
				t.Fatalf("rule recorded as %+v", rule)
			}
			var last lookResult
			for i, s := range tc.steps {
				if s.advance > 0 {
					f.clock.Advance(s.advance)
				}
				if s.errors > 0 {
					f.errors(s.errors, max(s.advance, 5*time.Minute))
				}
				res, err := f.look(rule.ID, s.attempt)
				if (err != nil) != s.wantErr {
					t.Fatalf("look %d: err = %v, want error %v", i, err, s.wantErr)
				}
				if err == nil {
					last = res
				}
				if i < len(tc.steps)-1 && len(f.decisions()) > 0 {
					t.Fatalf("decided at look %d of %d: %+v", i, len(tc.steps), f.decisions())
				}
			}
			decided := f.decisions()
			if len(decided) != 1 {
				t.Fatalf("%d decisions, want 1: %+v", len(decided), f.gh.Reviews())
			}
			d := decided[0]
			if d.State != tc.wantState || d.Environment != "production" || d.RunID != 4242 || d.Installation != f.inst {
				t.Errorf("review = %+v, want %s", d, tc.wantState)
			}
			if miss := contains(d.Comment, tc.wantReview...); miss != "" {
				t.Errorf("the review's comment lacks %q:\n%s", miss, d.Comment)
			}
			if !last.Next.IsZero() {
				t.Errorf("decided, but another look is planned at %s", last.Next)
			}
			if n := len(f.reports()); n != tc.wantReport {
				t.Errorf("%d progress reports, want %d", n, tc.wantReport)
			}
			runs := f.gh.CheckRuns()
			if len(runs) != 1 || runs[0].Conclusion != tc.wantCheck || runs[0].HeadSHA != testSHA || !strings.HasPrefix(runs[0].DetailsURL, "https://gate.example.com/decisions/") {
				t.Errorf("check runs = %+v, want one concluding %s", runs, tc.wantCheck)
			}
			// Looking again changes nothing: the rule is decided.
			if _, err := f.look(rule.ID, 1); err != nil || len(f.decisions()) != 1 {
				t.Errorf("a look after the decision: %v, %d decisions", err, len(f.decisions()))
			}
			got, err := f.store.PendingRule(t.Context(), rule.ID)
			if err != nil || got.State != store.RuleReviewSent {
				t.Errorf("rule state %q, %v", got.State, err)
			}
			stored, err := f.store.Decision(t.Context(), decisionIDOf(rule.ID))
			if err != nil || stored.DecidedAt.IsZero() || stored.Repo != "acme/web" {
				t.Errorf("stored decision %+v, %v", stored, err)
			}
		})
	}
}

// TestRedeliveryAndForgery: a redelivered webhook is acknowledged and not processed again; a
// badly signed one is refused and stores nothing.
func TestRedeliveryAndForgery(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.release(t0.Add(-30 * time.Minute))
	if a, b := f.request(7, "same-delivery"), f.request(7, "same-delivery"); a != 202 || b != 200 {
		t.Fatalf("first %d, redelivery %d; want 202, 200", a, b)
	}
	f.deliver("same-delivery")
	f.deliver("same-delivery") // a job run twice (a crash before it completed) adds nothing
	if a := f.request(7, "another-delivery"); a != 202 {
		t.Fatalf("a second request for the same run answered %d", a)
	}
	f.deliver("another-delivery")
	rule := f.rule() // still one rule
	if _, err := f.look(rule.ID, 1); err != nil {
		t.Fatal(err)
	}
	if len(f.decisions()) != 1 {
		t.Errorf("%d reviews, want 1", len(f.decisions()))
	}

	payload := f.gh.ProtectionRulePayload(t, githubapitestRule(f, 8))
	req := githubapitestDelivery(t, f, "forged", payload, "not-the-secret")
	if code := f.send(req); code != 401 {
		t.Errorf("forged delivery answered %d, want 401", code)
	}
	if _, err := f.store.Delivery(t.Context(), store.SourceGitHub, "forged"); err == nil {
		t.Error("a forged delivery was stored")
	}
}

// TestCheckRunAfterACrash: a look that created the check run and died before recording it
// leaves a started entry in the ledger; the next look finds the run on GitHub and updates it
// instead of creating a second.
func TestCheckRunAfterACrash(t *testing.T) {
	t.Parallel()
	for _, created := range []bool{true, false} {
		t.Run(map[bool]string{true: "the run was created", false: "the run was not created"}[created], func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, fixtureOptions{})
			f.release(t0.Add(-30 * time.Minute))
			if code := f.request(11, "crash-1"); code != 202 {
				t.Fatal(code)
			}
			f.deliver("crash-1")
			rule := f.rule()
			owner := fmt.Sprintf("rule:%d", rule.ID)
			if _, outcome, err := f.store.BeginEffect(t.Context(), checkRunKey(rule), owner); err != nil || outcome != store.Proceed {
				t.Fatalf("BeginEffect = %v, %v", outcome, err)
			}
			if created {
				client, err := f.bot.github.Installation(f.inst)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := client.CreateCheckRun(t.Context(), "acme", "web", githubapi.CheckRun{
					Name: "releasegate / production", HeadSHA: testSHA, ExternalID: decisionIDOf(rule.ID), Status: "in_progress",
					Title: "Pending", Summary: "pending",
				}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := f.look(rule.ID, 2); err != nil {
				t.Fatal(err)
			}
			runs := f.gh.CheckRuns()
			if len(runs) != 1 || runs[0].Conclusion != "success" {
				t.Errorf("check runs = %+v, want one, concluded", runs)
			}
			if eff, err := f.store.Effect(t.Context(), checkRunKey(rule)); err != nil || eff.State != store.EffectDone {
				t.Errorf("ledger entry %+v, %v; want done", eff, err)
			}
		})
	}
}

// TestReviewAfterACrash: a worker that claimed the rule's review and died before calling GitHub
// leaves the rule claimed but unreviewed; the rule's next look (the sweep re-enqueues it)
// resumes the claim and sends the one review.
func TestReviewAfterACrash(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.release(t0.Add(-30 * time.Minute))
	if code := f.request(12, "crash-review"); code != 202 {
		t.Fatal(code)
	}
	f.deliver("crash-review")
	rule := f.rule()
	claim, err := f.store.ClaimReview(t.Context(), rule.ID, fmt.Sprintf("rule:%d", rule.ID))
	if err != nil || claim.Outcome != store.Proceed {
		t.Fatalf("claim = %+v, %v", claim, err)
	}
	// The worker dies here. The sweep sees the stranded claim once the deadline passes.
	if past, err := f.store.RulesPastDeadline(t.Context(), t0.Add(3*time.Hour), 10); err != nil || len(past) != 1 {
		t.Fatalf("the sweep sees %d rules (%v), want the stranded one", len(past), err)
	}
	if _, err := f.look(rule.ID, 1); err != nil {
		t.Fatal(err)
	}
	if d := f.decisions(); len(d) != 1 || d[0].State != "approved" {
		t.Fatalf("decisions after the resumed look: %+v", d)
	}
	if _, err := f.look(rule.ID, 1); err != nil || len(f.decisions()) != 1 {
		t.Errorf("a look after the review: %v, %d decisions", err, len(f.decisions()))
	}
}

// TestReviewLandedBeforeACrash: the worker's review reached GitHub and the worker died before
// recording it; the resumed look's second call is refused (the rule is decided) and taken as the
// first one having landed — one decision, and the ledger completed.
func TestReviewLandedBeforeACrash(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.release(t0.Add(-30 * time.Minute))
	if code := f.request(13, "landed-review"); code != 202 {
		t.Fatal(code)
	}
	f.deliver("landed-review")
	rule := f.rule()
	if _, err := f.store.ClaimReview(t.Context(), rule.ID, fmt.Sprintf("rule:%d", rule.ID)); err != nil {
		t.Fatal(err)
	}
	client, err := f.bot.github.Installation(f.inst)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.ReviewDeploymentProtectionRule(t.Context(), githubapi.Review{
		CallbackURL: rule.CallbackURL, Environment: rule.Environment, State: githubapi.Approved, Comment: "approved before the crash",
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.look(rule.ID, 2); err != nil {
		t.Fatal(err)
	}
	if d := f.decisions(); len(d) != 1 || len(f.gh.RefusedReviews()) != 1 {
		t.Errorf("%d decisions, %d refused; want 1 and 1", len(d), len(f.gh.RefusedReviews()))
	}
	if eff, err := f.store.Effect(t.Context(), store.ReviewEffectKey(rule.ID)); err != nil || eff.State != store.EffectDone {
		t.Errorf("review ledger entry %+v, %v; want done", eff, err)
	}
}
