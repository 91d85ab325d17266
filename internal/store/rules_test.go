package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/releasegate/releasegate/internal/store"
)

func rule(runID int64, deadline time.Time) store.PendingRule {
	return store.PendingRule{
		Repo: "acme/shop", RunID: runID, Environment: "production", SHA: "0123abcd",
		CallbackURL:    fmt.Sprintf("https://api.github.com/repos/acme/shop/actions/runs/%d/deployment_protection_rule", runID),
		InstallationID: 42, Deadline: deadline,
	}
}

// evaluateArgs stands for the bot's re-evaluation job.
type evaluateArgs struct {
	RuleID int64 `json:"rule_id"`
}

func (evaluateArgs) Kind() string { return "test.evaluate" }

func TestAddPendingRuleOnceWithItsJob(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		s := openStore(t, url, store.Options{Now: fixedClock(at)})
		ctx := t.Context()
		then := &store.Job{Args: evaluateArgs{}, Opts: &river.InsertOpts{ScheduledAt: at.Add(time.Minute)}}
		r, isNew, err := s.AddPendingRule(ctx, rule(7, at.Add(time.Hour)), func(int64) *store.Job { return then })
		if err != nil || !isNew {
			t.Fatalf("AddPendingRule = %v, %v; want new", isNew, err)
		}
		if r.ID == 0 || r.State != store.RuleWaiting || !r.Deadline.Equal(at.Add(time.Hour)) || !r.CreatedAt.Equal(at) || r.Repo != "acme/shop" {
			t.Errorf("stored rule = %+v", r)
		}
		again, isNew, err := s.AddPendingRule(ctx, rule(7, at.Add(2*time.Hour)), func(int64) *store.Job { return then })
		if err != nil || isNew || again.ID != r.ID || !again.Deadline.Equal(r.Deadline) {
			t.Errorf("second AddPendingRule = %+v, %v, %v; want the first rule, not new", again, isNew, err)
		}
		if n := countJobs(t, s); n != 1 {
			t.Errorf("jobs = %d, want 1: only a new rule enqueues its job", n)
		}
		if _, err := s.PendingRule(ctx, r.ID+1000); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("PendingRule(unknown) error = %v, want ErrNotFound", err)
		}
	})
}

func TestRulesPastDeadline(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		s := openStore(t, url, store.Options{Now: fixedClock(at)})
		ctx := t.Context()
		late, _, _ := s.AddPendingRule(ctx, rule(1, at.Add(-time.Minute)), nil)
		onTime, _, _ := s.AddPendingRule(ctx, rule(2, at), nil)
		_, _, _ = s.AddPendingRule(ctx, rule(3, at.Add(time.Second)), nil)
		reviewed, _, _ := s.AddPendingRule(ctx, rule(4, at.Add(-time.Hour)), nil)
		if _, err := s.ClaimReview(ctx, reviewed.ID, "job:1"); err != nil {
			t.Fatal(err)
		}
		if err := s.CompleteEffect(ctx, store.ReviewEffectKey(reviewed.ID), "job:1", nil); err != nil {
			t.Fatal(err)
		}
		// Claimed by a worker that died before sending: the sweep must see it.
		stranded, _, _ := s.AddPendingRule(ctx, rule(5, at.Add(-2*time.Hour)), nil)
		if _, err := s.ClaimReview(ctx, stranded.ID, "job:2"); err != nil {
			t.Fatal(err)
		}
		got, err := s.RulesPastDeadline(ctx, at, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range got {
			ids = append(ids, r.ID)
		}
		if want := []int64{stranded.ID, late.ID, onTime.ID}; fmt.Sprint(ids) != fmt.Sprint(want) {
			t.Errorf("rules past the deadline = %v, want %v (earliest first; the stranded claim, not the reviewed one, not the future one)", ids, want)
		}
		if err := s.SetRuleDeadline(ctx, late.ID, at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		waiting, err := s.WaitingRules(ctx, "ACME/", 10)
		if err != nil || len(waiting) != 3 {
			t.Errorf("WaitingRules(ACME/) = %d rules, %v; want the 3 waiting", len(waiting), err)
		}
		if got, _ := s.RulesPastDeadline(ctx, at, 10); len(got) != 2 {
			t.Errorf("after moving a deadline: %d rules past it, want 2", len(got))
		}
	})
}

func TestClaimReviewIsExclusiveUnderConcurrency(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		s := openStore(t, url, store.Options{})
		ctx := t.Context()
		r, _, err := s.AddPendingRule(ctx, rule(9, at), nil)
		if err != nil {
			t.Fatal(err)
		}
		const n = 20
		outcomes := make([]store.Outcome, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				c, err := s.ClaimReview(ctx, r.ID, fmt.Sprintf("job:%d", i))
				if err != nil {
					t.Errorf("ClaimReview: %v", err)
					return
				}
				outcomes[i] = c.Outcome
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, o := range outcomes {
			switch o {
			case store.Proceed:
				if winner >= 0 {
					t.Errorf("claimants %d and %d both got Proceed", winner, i)
				}
				winner = i
			case store.HeldByOther:
			default:
				t.Errorf("claimant %d got %v, want proceed or held by another", i, o)
			}
		}
		if winner < 0 {
			t.Fatal("no claimant got Proceed")
		}
		owner := fmt.Sprintf("job:%d", winner)
		// The winner, retried after a crash before completing, resumes; after completing,
		// everyone (the winner included) finds the review done.
		if c, err := s.ClaimReview(ctx, r.ID, owner); err != nil || c.Outcome != store.Resume || c.Rule.State != store.RuleReviewSent || c.Rule.ClaimedBy != owner {
			t.Errorf("winner's retry = %+v, %v; want resume", c, err)
		}
		if err := s.CompleteEffect(ctx, store.ReviewEffectKey(r.ID), owner, []byte("approved")); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{owner, "sweep"} {
			c, err := s.ClaimReview(ctx, r.ID, who)
			if err != nil || c.Outcome != store.AlreadyDone || string(c.Effect.Result) != "approved" {
				t.Errorf("%s's claim after completion = %+v, %v; want already done", who, c, err)
			}
		}
		if _, err := s.ClaimReview(ctx, r.ID+1000, owner); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("claim of an unknown rule: %v, want ErrNotFound", err)
		}
	})
}
