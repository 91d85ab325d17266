package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"
)

// RuleState is where a pending deployment protection rule stands.
type RuleState string

// The states of a rule.
const (
	// RuleWaiting: GitHub waits for our review.
	RuleWaiting RuleState = "pending"
	// RuleReviewSent: one worker has claimed the review (ClaimReview); the effect with
	// ReviewEffectKey records whether the call to GitHub has been made.
	RuleReviewSent RuleState = "review_sent"
)

// PendingRule is a deployment_protection_rule request waiting for our review.
type PendingRule struct {
	ID             int64
	Repo           string // owner/name
	RunID          int64  // the workflow run that waits
	Environment    string
	SHA            string
	Ref            string // the branch or tag the workflow ran on, as the payload gives it
	CallbackURL    string // deployment_callback_url: where the review goes
	InstallationID int64
	Deadline       time.Time // decide by on_timeout when still waiting then
	State          RuleState
	ClaimedBy      string
	ClaimedAt      time.Time
	CreatedAt      time.Time
}

// Job is a job to enqueue in the same transaction as a change of state.
type Job struct {
	Args river.JobArgs
	Opts *river.InsertOpts // nil for River's defaults; ScheduledAt to run it later
}

// AddPendingRule records a rule GitHub asked us to review, unless it is already recorded
// (same repository, run and environment: a redelivery or a repeated request), and enqueues
// the job then returns for the new rule's ID (if then is not nil) in the same transaction,
// typically the rule's first evaluation. It returns the rule as stored and whether it was
// new; then is called only for a new rule.
func (s *Store) AddPendingRule(ctx context.Context, r PendingRule, then func(id int64) *Job) (PendingRule, bool, error) {
	if r.Repo == "" || r.Environment == "" || r.CallbackURL == "" || r.Deadline.IsZero() {
		return PendingRule{}, false, errors.New("store: a pending rule needs its repository, environment, callback URL and deadline")
	}
	var id int64
	var isNew bool
	err := s.inTx(ctx, func(tx txn) error {
		err := tx.queryRow(ctx, `INSERT INTO releasegate_pending_rule
			(repo, run_id, environment, sha, ref, callback_url, installation_id, deadline, state, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (repo, run_id, environment) DO NOTHING RETURNING id`,
			r.Repo, r.RunID, r.Environment, r.SHA, r.Ref, r.CallbackURL, r.InstallationID,
			micros(r.Deadline), string(RuleWaiting), micros(s.now())).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return tx.queryRow(ctx, `SELECT id FROM releasegate_pending_rule WHERE repo = ? AND run_id = ? AND environment = ?`,
				r.Repo, r.RunID, r.Environment).Scan(&id)
		case err != nil:
			return err
		}
		isNew = true
		if then != nil {
			if job := then(id); job != nil {
				if _, err := tx.insertJob(ctx, job.Args, job.Opts); err != nil {
					return fmt.Errorf("enqueue a %s job: %w", job.Args.Kind(), err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return PendingRule{}, false, fmt.Errorf("store: record the pending rule of %s run %d (%s): %w", r.Repo, r.RunID, r.Environment, err)
	}
	stored, err := s.PendingRule(ctx, id)
	return stored, isNew, err
}

const ruleColumns = `id, repo, run_id, environment, sha, ref, callback_url, installation_id, deadline, state, claimed_by, claimed_at, created_at`

// PendingRule returns one rule, or an error wrapping ErrNotFound.
func (s *Store) PendingRule(ctx context.Context, id int64) (PendingRule, error) {
	return readRule(ctx, s.e, id)
}

func readRule(ctx context.Context, q querier, id int64) (PendingRule, error) {
	r, err := scanRule(q.queryRow(ctx, `SELECT `+ruleColumns+` FROM releasegate_pending_rule WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return PendingRule{}, fmt.Errorf("%w: pending rule %d", ErrNotFound, id)
	}
	if err != nil {
		return PendingRule{}, fmt.Errorf("store: read pending rule %d: %w", id, err)
	}
	return r, nil
}

// RulesPastDeadline returns up to limit rules whose deadline is at or before now and whose
// review has not been sent: still waiting, or claimed by a worker that never completed the
// review (it died, and its job was given up); the earliest first. The sweep makes sure each
// gets an evaluation, which decides it by on_timeout.
func (s *Store) RulesPastDeadline(ctx context.Context, now time.Time, limit int) ([]PendingRule, error) {
	return s.listRules(ctx, "rules past their deadline", `(state = ? OR (state = ? AND NOT EXISTS (
		SELECT 1 FROM releasegate_effect e WHERE e.key = 'review:rule:' || releasegate_pending_rule.id AND e.state = ?)))
		AND deadline <= ? ORDER BY deadline, id LIMIT ?`,
		string(RuleWaiting), string(RuleReviewSent), string(EffectDone), micros(now), clampLimit(limit))
}

// WaitingRules returns up to limit rules still waiting whose repository starts with prefix
// ("acme/" for an owner's, compared ignoring case), oldest first.
func (s *Store) WaitingRules(ctx context.Context, prefix string, limit int) ([]PendingRule, error) {
	return s.listRules(ctx, "waiting rules", `state = ? AND substr(lower(repo), 1, ?) = lower(?) ORDER BY id LIMIT ?`,
		string(RuleWaiting), len(prefix), prefix, clampLimit(limit))
}

// SetRuleDeadline moves a waiting rule's deadline (once its policy is known).
func (s *Store) SetRuleDeadline(ctx context.Context, id int64, deadline time.Time) error {
	if _, err := s.e.exec(ctx, `UPDATE releasegate_pending_rule SET deadline = ? WHERE id = ? AND state = ?`,
		micros(deadline), id, string(RuleWaiting)); err != nil {
		return fmt.Errorf("store: set the deadline of rule %d: %w", id, err)
	}
	return nil
}

func clampLimit(limit int) int {
	if limit <= 0 || limit > 1000 {
		return 100
	}
	return limit
}

func (s *Store) listRules(ctx context.Context, what, where string, args ...any) ([]PendingRule, error) {
	rs, err := s.e.query(ctx, `SELECT `+ruleColumns+` FROM releasegate_pending_rule WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list %s: %w", what, err)
	}
	defer rs.Close()
	var out []PendingRule
	for rs.Next() {
		r, err := scanRule(rs)
		if err != nil {
			return nil, fmt.Errorf("store: list %s: %w", what, err)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("store: list %s: %w", what, err)
	}
	return out, nil
}

// ReviewEffectKey is the ledger key of the one review a rule gets.
func ReviewEffectKey(ruleID int64) string { return "review:rule:" + strconv.FormatInt(ruleID, 10) }

// Claim is what ClaimReview found.
type Claim struct {
	Outcome Outcome
	Rule    PendingRule // as it stands after the claim
	Effect  Effect      // the review's entry in the ledger
}

// ClaimReview claims the right to send a rule's one review, for owner (the job deciding
// it). In one transaction it moves the rule from waiting to review-sent and records the
// review in the effects ledger (started), so that of any number of workers racing
// (evaluation, sweep, a replica's copy of either) exactly one gets Proceed; the others get
// AlreadyDone or HeldByOther. The owner that got Proceed and was stopped before
// CompleteEffect gets Resume when it tries again (see BeginEffect for the reasoning).
func (s *Store) ClaimReview(ctx context.Context, ruleID int64, owner string) (Claim, error) {
	if owner == "" {
		return Claim{}, errors.New("store: a claim needs an owner")
	}
	var c Claim
	err := s.inTx(ctx, func(tx txn) error {
		now := micros(s.now())
		key := ReviewEffectKey(ruleID)
		// On Postgres a racing UPDATE waits for this row's lock and then re-reads the
		// state, finding it no longer waiting; on SQLite the transactions are serial.
		n, err := tx.exec(ctx, `UPDATE releasegate_pending_rule SET state = ?, claimed_by = ?, claimed_at = ?
			WHERE id = ? AND state = ?`, string(RuleReviewSent), owner, now, ruleID, string(RuleWaiting))
		if err != nil {
			return err
		}
		if n == 1 {
			if _, err := tx.exec(ctx, `INSERT INTO releasegate_effect (key, owner, state, created_at) VALUES (?, ?, ?, ?)`,
				key, owner, string(EffectStarted), now); err != nil {
				return fmt.Errorf("record the review effect: %w", err)
			}
		}
		if c.Rule, err = readRule(ctx, tx, ruleID); err != nil {
			return err
		}
		if c.Effect, err = readEffect(ctx, tx, key); err != nil {
			return err
		}
		if n == 1 {
			c.Outcome = Proceed
		} else {
			c.Outcome = classify(c.Effect, owner)
		}
		return nil
	})
	if err != nil {
		return Claim{}, fmt.Errorf("store: claim the review of rule %d: %w", ruleID, err)
	}
	return c, nil
}

func scanRule(r row) (PendingRule, error) {
	var p PendingRule
	var state string
	var claimedBy sql.NullString
	var claimedAt sql.NullInt64
	var deadline, created int64
	if err := r.Scan(&p.ID, &p.Repo, &p.RunID, &p.Environment, &p.SHA, &p.Ref, &p.CallbackURL, &p.InstallationID,
		&deadline, &state, &claimedBy, &claimedAt, &created); err != nil {
		return PendingRule{}, err
	}
	p.State = RuleState(state)
	p.Deadline = fromMicros(deadline)
	p.ClaimedBy = claimedBy.String
	if claimedAt.Valid {
		p.ClaimedAt = fromMicros(claimedAt.Int64)
	}
	p.CreatedAt = fromMicros(created)
	return p, nil
}
