package gateevidence

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/sentryapi"
)

// The gate's evaluation, shared by its front doors: the CLI (`releasegate gate`, which polls
// with --wait) and the GitHub App (which re-evaluates a pending protection rule on a schedule).
// The clock and the sleep are values; errors carry their kind, and each front door maps them
// (the CLI to exit codes, the App to a review).

// UndecidedError is an evaluation that ended without a decision: its context was cancelled or
// its deadline passed while it asked Sentry or waited between looks.
type UndecidedError struct {
	// While says what was going on ("asking Sentry", "waiting to look again").
	While string
	Err   error
}

func (e *UndecidedError) Error() string {
	return fmt.Sprintf("gate interrupted while %s: %v", e.While, e.Err)
}
func (e *UndecidedError) Unwrap() error { return e.Err }

// ErrorKind is errkind.Undecided: an evaluation cut short decided nothing.
func (e *UndecidedError) ErrorKind() errkind.Kind { return errkind.Undecided }

// Evaluate is one look: it gathers the evidence and decides; the failing issues are then
// enriched (top tag values, owners) and the decision made again from the richer evidence.
// asked is false when Sentry could not be asked and on_error made the decision. A release
// Sentry does not know is ErrUnknownRelease; a refusal of the configuration (a token Sentry
// rejects or that lacks a scope, an organization or project it does not know) is returned as
// it is, matching sentryapi.ErrMisconfigured, since on_error does not apply to it; a
// cancelled ctx is an *UndecidedError.
func (g *Gatherer) Evaluate(ctx context.Context, q Query, p *gate.Environment, environment string) (d gate.Decision, asked bool, err error) {
	ev, err := g.Gather(ctx, q, p)
	switch {
	case errors.Is(err, ErrUnknownRelease), errors.Is(err, sentryapi.ErrMisconfigured):
		return gate.Decision{}, false, err
	case err != nil && ctx.Err() != nil:
		return gate.Decision{}, false, &UndecidedError{While: "asking Sentry", Err: err}
	case err != nil:
		return gate.Undecided(p, q.Release, environment, q.Now, err), false, nil
	}
	d = gate.Decide(p, ev, q.Now)
	if failing := FailingIssueIDs(d.Checks); len(failing) > 0 {
		// The verdict is known; owners and top tag values only explain it, so failing to fetch
		// them must not turn a fail into on_error's choice.
		if err := g.Enrich(ctx, &ev, failing); err != nil {
			d.Reason += fmt.Sprintf(" (owners and top tag values are missing: %v)", err)
		} else {
			d = gate.Decide(p, ev, q.Now)
		}
	}
	if d.Environment == "" {
		d.Environment = environment
	}
	return d, true, nil
}

// FailingIssueIDs lists the issues of the failing checks, depth first.
func FailingIssueIDs(checks []gate.Check) []string {
	var ids []string
	for _, c := range checks {
		if c.Status == gate.StatusFail {
			for _, is := range c.Issues {
				ids = append(ids, is.ID)
			}
		}
		ids = append(ids, FailingIssueIDs(c.Children)...)
	}
	return ids
}

// DefaultMaxFailures is how many looks in a row may fail to ask Sentry, while polling, before
// on_error decides: one bad minute of an API should not decide a release (Argo Rollouts
// tolerates 4 consecutive errors by default, too).
const DefaultMaxFailures = 4

// Poll is how Poll looks again while the verdict is pending.
type Poll struct {
	// Wait is how long to keep looking (0: one look); Interval the time between looks.
	Wait, Interval time.Duration
	// MaxFailures is how many looks in a row may fail to ask Sentry before on_error decides
	// (0: DefaultMaxFailures).
	MaxFailures int
	Now         func() time.Time
	Sleep       func(ctx context.Context, d time.Duration) error
	// Requests, when set, counts the HTTP requests made so far (the caller's transport sees
	// them all, owners' lookups and retries included); each decision reports its own share.
	Requests func() int64
	// Waiting, when set, is told why another look follows: the pending decision, or (asked
	// false) the look that could not ask Sentry, with the failures so far.
	Waiting func(d gate.Decision, asked bool, failures int)
}

// Poll looks until the verdict is not pending, the wait is over, or the looks that could not
// ask Sentry run out; it returns the last decision. Errors are Evaluate's, and an
// *UndecidedError when ctx ends while it waits.
func (g *Gatherer) Poll(ctx context.Context, q Query, p *gate.Environment, environment string, o Poll) (gate.Decision, error) {
	maxFailures := o.MaxFailures
	if maxFailures <= 0 {
		maxFailures = DefaultMaxFailures
	}
	count := o.Requests
	if count == nil {
		count = func() int64 { return 0 }
	}
	began := o.Now()
	failures := 0 // consecutive looks that could not ask Sentry
	for {
		q.Now = o.Now().UTC()
		before := count()
		d, asked, err := g.Evaluate(ctx, q, p, environment)
		if err != nil {
			return gate.Decision{}, err
		}
		if o.Requests != nil {
			d.Requests = int(count() - before)
		}
		if asked {
			failures = 0
		} else {
			failures++
		}
		next := o.Now().Add(o.Interval)
		retry := !asked && failures < maxFailures
		if (d.Verdict != gate.StatusPending && !retry) || o.Wait == 0 || next.After(began.Add(o.Wait)) {
			return d, nil
		}
		if o.Waiting != nil {
			o.Waiting(d, asked, failures)
		}
		if err := o.Sleep(ctx, o.Interval); err != nil {
			return d, &UndecidedError{While: "pending", Err: err}
		}
	}
}
