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
// then (if not nil) in the same transaction, typically the rule's first evaluation. It
// returns the rule as stored and whether it was new; then is enqueued only for a new rule.
func (s *Store) AddPendingRule(ctx context.Context, r PendingRule, then *Job) (PendingRule, bool, error) {
	if r.Repo == "" || r.Environment == "" || r.CallbackURL == "" || r.Deadline.IsZero() {
		return PendingRule{}, false, errors.New("store: a pending rule needs its repository, environment, callback URL and deadline")
	}
	var id int64
	var isNew bool
	err := s.inTx(ctx, func(tx txn) error {
		err := tx.queryRow(ctx, `INSERT INTO releasegate_pending_rule
			(repo, run_id, environment, sha, callback_url, installation_id, deadline, state, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (repo, run_id, environment) DO NOTHING RETURNING id`,
			r.Repo, r.RunID, r.Environment, r.SHA, r.CallbackURL, r.InstallationID,
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
			if _, err := tx.insertJob(ctx, then.Args, then.Opts); err != nil {
				return fmt.Errorf("enqueue a %s job: %w", then.Args.Kind(), err)
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

const ruleColumns = `id, repo, run_id, environment, sha, callback_url, installation_id, deadline, state, claimed_by, claimed_at, created_at`

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

// RulesPastDeadline returns up to limit rules still waiting whose deadline is at or before
// now, the earliest first: the sweep decides them by on_timeout.
func (s *Store) RulesPastDeadline(ctx context.Context, now time.Time, limit int) ([]PendingRule, error) {
	if limit <= 0 {
		limit = 100
	}
	rs, err := s.e.query(ctx, `SELECT `+ruleColumns+` FROM releasegate_pending_rule
		WHERE state = ? AND deadline <= ? ORDER BY deadline, id LIMIT ?`, string(RuleWaiting), micros(now), limit)
	if err != nil {
		return nil, fmt.Errorf("store: list rules past their deadline: %w", err)
	}
	defer rs.Close()
	var out []PendingRule
	for rs.Next() {
		r, err := scanRule(rs)
		if err != nil {
			return nil, fmt.Errorf("store: list rules past their deadline: %w", err)
		}
		out = append(out, r)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("store: list rules past their deadline: %w", err)
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
	if err := r.Scan(&p.ID, &p.Repo, &p.RunID, &p.Environment, &p.SHA, &p.CallbackURL, &p.InstallationID,
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
