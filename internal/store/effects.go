package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// EffectState is where an effect stands in the ledger.
type EffectState string

// The states of an effect.
const (
	// EffectStarted: recorded before the outside call; whether the call happened is unknown
	// until its owner completes it.
	EffectStarted EffectState = "started"
	// EffectDone: the call happened, and its result is recorded.
	EffectDone EffectState = "done"
)

// Effect is one outside call (a review of a protection rule, a check run, a comment) in the
// ledger, under an idempotency key that names the call, not the attempt: for example
// ReviewEffectKey(rule) or "check-run:<repo>:<sha>".
type Effect struct {
	Key       string
	Owner     string // who recorded it: the job (or other unit of work) that makes the call
	State     EffectState
	Result    []byte // what the owner recorded on completion (the created resource's ID, …)
	CreatedAt time.Time
	DoneAt    time.Time // zero until done
}

// Outcome tells the caller of BeginEffect or ClaimReview what to do about the call.
type Outcome int

// The outcomes.
const (
	// Proceed: the effect was recorded just now, for this owner; make the call, then
	// CompleteEffect.
	Proceed Outcome = iota + 1
	// Resume: this owner recorded it before and did not complete it: an earlier attempt
	// stopped between recording and completing. Check whether the call took effect (ask
	// GitHub), make it if not, then CompleteEffect.
	Resume
	// AlreadyDone: the effect is complete; do not call again (Effect.Result says what it made).
	AlreadyDone
	// HeldByOther: another owner recorded it and has not completed it; leave it to them.
	HeldByOther
)

func (o Outcome) String() string {
	switch o {
	case Proceed:
		return "proceed"
	case Resume:
		return "resume"
	case AlreadyDone:
		return "already done"
	case HeldByOther:
		return "held by another"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// ErrNotOwner is wrapped when CompleteEffect is called by someone other than the effect's
// owner.
var ErrNotOwner = errors.New("store: effect recorded by another owner")

// BeginEffect records the intent to make the call named by key, for owner, unless the
// ledger already has it; the Outcome says what the caller must do.
//
// Exactly once, given that an outside call cannot share a transaction with the database:
//
//  1. Record before: the key is written (state started) before the call is made. Two
//     workers racing for one key cannot both get Proceed, because the key is the table's
//     primary key and the insert is ON CONFLICT DO NOTHING.
//  2. Complete after: once the call has succeeded, CompleteEffect marks the key done with
//     its result. A retried job that finds it done (AlreadyDone) does not call again.
//  3. Check after a crash: a job that died between 1 and 2 is retried by River under the
//     same job, hence the same owner, and gets Resume. Only it cannot know whether its call
//     landed, so it asks the outside system (the rule is no longer waiting; a check run with
//     this external ID exists) before calling; GitHub's own refusal to review a rule twice
//     backs this up for reviews.
//
// The owner must therefore be stable across retries of one unit of work (the River job's
// ID) and differ between units of work that must not both act (the evaluation job and the
// deadline sweep both deciding one rule).
func (s *Store) BeginEffect(ctx context.Context, key, owner string) (Effect, Outcome, error) {
	if key == "" || owner == "" {
		return Effect{}, 0, errors.New("store: an effect needs a key and an owner")
	}
	n, err := s.e.exec(ctx, `INSERT INTO releasegate_effect (key, owner, state, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO NOTHING`, key, owner, string(EffectStarted), micros(s.now()))
	if err != nil {
		return Effect{}, 0, fmt.Errorf("store: record effect %s: %w", key, err)
	}
	eff, err := readEffect(ctx, s.e, key)
	if err != nil {
		return Effect{}, 0, err
	}
	if n == 1 {
		return eff, Proceed, nil
	}
	return eff, classify(eff, owner), nil
}

func classify(eff Effect, owner string) Outcome {
	switch {
	case eff.State == EffectDone:
		return AlreadyDone
	case eff.Owner == owner:
		return Resume
	default:
		return HeldByOther
	}
}

// CompleteEffect marks the effect done with its result. Completing it twice (a retry after
// the first completion's answer was lost) is not an error.
func (s *Store) CompleteEffect(ctx context.Context, key, owner string, result []byte) error {
	if result == nil {
		result = []byte{}
	}
	n, err := s.e.exec(ctx, `UPDATE releasegate_effect SET state = ?, result = ?, done_at = ?
		WHERE key = ? AND owner = ? AND state = ?`,
		string(EffectDone), result, micros(s.now()), key, owner, string(EffectStarted))
	if err != nil {
		return fmt.Errorf("store: complete effect %s: %w", key, err)
	}
	if n == 1 {
		return nil
	}
	eff, err := readEffect(ctx, s.e, key)
	if err != nil {
		return err
	}
	if eff.Owner != owner {
		return fmt.Errorf("%w: %s is %s's, not %s's; only its owner completes it", ErrNotOwner, key, eff.Owner, owner)
	}
	return nil // already done by this owner
}

// Effect returns the ledger's entry for key, or an error wrapping ErrNotFound.
func (s *Store) Effect(ctx context.Context, key string) (Effect, error) {
	return readEffect(ctx, s.e, key)
}

func readEffect(ctx context.Context, q querier, key string) (Effect, error) {
	eff := Effect{Key: key}
	var state string
	var created int64
	var done sql.NullInt64
	err := q.queryRow(ctx, `SELECT owner, state, result, created_at, done_at FROM releasegate_effect WHERE key = ?`, key).
		Scan(&eff.Owner, &state, &eff.Result, &created, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return Effect{}, fmt.Errorf("%w: effect %s", ErrNotFound, key)
	}
	if err != nil {
		return Effect{}, fmt.Errorf("store: read effect %s: %w", key, err)
	}
	eff.State = EffectState(state)
	eff.CreatedAt = fromMicros(created)
	if done.Valid {
		eff.DoneAt = fromMicros(done.Int64)
	}
	return eff, nil
}

// EffectsWithPrefix lists the effects whose key starts with prefix (a rule's progress
// reports, "report:rule:12:"), oldest first.
func (s *Store) EffectsWithPrefix(ctx context.Context, prefix string) ([]Effect, error) {
	rs, err := s.e.query(ctx, `SELECT key FROM releasegate_effect WHERE substr(key, 1, ?) = ? ORDER BY created_at, key`, len(prefix), prefix)
	if err != nil {
		return nil, fmt.Errorf("store: list effects %s*: %w", prefix, err)
	}
	var keys []string
	for rs.Next() {
		var k string
		if err := rs.Scan(&k); err != nil {
			rs.Close()
			return nil, fmt.Errorf("store: list effects %s*: %w", prefix, err)
		}
		keys = append(keys, k)
	}
	err = rs.Err()
	rs.Close()
	if err != nil {
		return nil, fmt.Errorf("store: list effects %s*: %w", prefix, err)
	}
	out := make([]Effect, 0, len(keys))
	for _, k := range keys {
		e, err := readEffect(ctx, s.e, k)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
