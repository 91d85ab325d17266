package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// CommentState is where a PR's one triage comment stands.
type CommentState string

// The states of a PR comment.
const (
	CommentNone    CommentState = "none"    // not posted, nobody has claimed posting it
	CommentClaimed CommentState = "claimed" // a worker claimed posting it (ClaimComment)
	CommentPosted  CommentState = "posted"  // its ID is recorded (SetComment): edit it in place
)

// PRComment is the record of the one comment the triage bot keeps on a pull request,
// listing the issues it is suspected of (LinksOfPR).
type PRComment struct {
	PR        PR
	State     CommentState
	CommentID int64 // GitHub's ID of the comment; 0 until posted
	ClaimedBy string
	ClaimedAt time.Time
	PostedAt  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// CommentClaim is what ClaimComment found.
type CommentClaim struct {
	Outcome Outcome
	Comment PRComment // as it stands after the claim
}

// ErrOtherComment is wrapped by SetComment when the PR already has another comment of
// ours recorded: a claimer that outlived its lease posted a second one. Delete it.
var ErrOtherComment = errors.New("store: the PR already has another triage comment")

// ClaimComment claims posting the PR's one comment for worker, as ClaimTicket claims a
// ticket (the same reasoning, steps 1 to 4): Proceed: post it, then SetComment;
// AlreadyDone: edit Comment.CommentID in place; HeldByOther: another worker is posting it,
// try again later; Resume: an earlier attempt (this worker's, or an abandoned claim's) may
// have posted it, so look for the hidden marker among the PR's comments first (GitHub's
// list is consistent, unlike Jira's search) and post only if it is not there.
func (s *Store) ClaimComment(ctx context.Context, pr PR, worker string) (CommentClaim, error) {
	pr = normalPR(pr)
	if pr.IsZero() {
		return CommentClaim{}, errors.New("store: ClaimComment needs the PR's repository and number")
	}
	var c CommentClaim
	err := s.inTx(ctx, func(tx txn) error {
		now := s.now()
		if err := ensureComment(ctx, tx, pr, micros(now)); err != nil {
			return err
		}
		out, err := claim(ctx, tx, claimSpec{
			table: "releasegate_pr_comment", state: "state", where: "repo = ? AND pr_number = ?", key: []any{pr.Repo, pr.Number},
			none: string(CommentNone), claimed: string(CommentClaimed), done: string(CommentPosted),
		}, worker, now, s.lease)
		if err != nil {
			return err
		}
		c.Outcome = out
		c.Comment, err = readComment(ctx, tx, pr)
		return err
	})
	if err != nil {
		return CommentClaim{}, fmt.Errorf("store: claim the comment on %s: %w", pr, err)
	}
	return c, nil
}

// SetComment records the ID of the PR's comment once posted, whoever claimed it; the same
// ID again is not an error. When another ID is recorded, the returned record holds it and
// the error wraps ErrOtherComment.
func (s *Store) SetComment(ctx context.Context, pr PR, commentID int64) (PRComment, error) {
	pr = normalPR(pr)
	if pr.IsZero() || commentID == 0 {
		return PRComment{}, errors.New("store: SetComment needs the PR's repository and number and the comment's ID")
	}
	var c PRComment
	err := s.inTx(ctx, func(tx txn) error {
		now := micros(s.now())
		if err := ensureComment(ctx, tx, pr, now); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE releasegate_pr_comment SET state = ?, comment_id = ?, posted_at = ?, updated_at = ?
			WHERE repo = ? AND pr_number = ? AND comment_id = 0`, string(CommentPosted), commentID, now, now, pr.Repo, pr.Number); err != nil {
			return err
		}
		var err error
		c, err = readComment(ctx, tx, pr)
		return err
	})
	if err != nil {
		return PRComment{}, fmt.Errorf("store: record comment %d on %s: %w", commentID, pr, err)
	}
	if c.CommentID != commentID {
		return c, fmt.Errorf("%w: %s has comment %d, not %d; delete %d", ErrOtherComment, pr, c.CommentID, commentID, commentID)
	}
	return c, nil
}

// ForgetComment clears the PR's comment when GitHub no longer has it (someone deleted it:
// editing it answers 404), so that the next ClaimComment gets Proceed and posts it anew.
// It does nothing unless commentID is still the one recorded, so a late call cannot
// forget a newer comment.
func (s *Store) ForgetComment(ctx context.Context, pr PR, commentID int64) error {
	pr = normalPR(pr)
	if _, err := s.e.exec(ctx, `UPDATE releasegate_pr_comment SET state = ?, comment_id = 0, claimed_by = '', claimed_at = NULL,
		posted_at = NULL, updated_at = ? WHERE repo = ? AND pr_number = ? AND comment_id = ?`,
		string(CommentNone), micros(s.now()), pr.Repo, pr.Number, commentID); err != nil {
		return fmt.Errorf("store: forget comment %d on %s: %w", commentID, pr, err)
	}
	return nil
}

// Comment returns the PR's comment record, or an error wrapping ErrNotFound.
func (s *Store) Comment(ctx context.Context, pr PR) (PRComment, error) {
	c, err := readComment(ctx, s.e, normalPR(pr))
	if err != nil {
		return PRComment{}, fmt.Errorf("store: %w", err)
	}
	return c, nil
}

func ensureComment(ctx context.Context, tx txn, pr PR, now int64) error {
	if _, err := tx.exec(ctx, `INSERT INTO releasegate_pr_comment (repo, pr_number, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (repo, pr_number) DO NOTHING`, pr.Repo, pr.Number, now, now); err != nil {
		return fmt.Errorf("record the comment of %s: %w", pr, err)
	}
	return nil
}

func readComment(ctx context.Context, q querier, pr PR) (PRComment, error) {
	c := PRComment{PR: pr}
	var state string
	var claimed, posted sql.NullInt64
	var created, updated int64
	err := q.queryRow(ctx, `SELECT state, comment_id, claimed_by, claimed_at, posted_at, created_at, updated_at
		FROM releasegate_pr_comment WHERE repo = ? AND pr_number = ?`, pr.Repo, pr.Number).
		Scan(&state, &c.CommentID, &c.ClaimedBy, &claimed, &posted, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return PRComment{}, fmt.Errorf("%w: the comment of %s", ErrNotFound, pr)
	}
	if err != nil {
		return PRComment{}, fmt.Errorf("read the comment of %s: %w", pr, err)
	}
	c.State = CommentState(state)
	c.ClaimedAt, c.PostedAt = optMicros(claimed), optMicros(posted)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}

// claimSpec names the row and state column a claim moves. Every field is a constant of
// this package, never input, so building SQL from them is safe.
type claimSpec struct {
	table, state, where string
	key                 []any
	none, claimed, done string
}

// claim moves one row's claim for worker, inside tx, and says what the worker must do:
// Proceed when it took an unclaimed row; Resume when it already held the claim (its retry)
// or took over one older than lease; AlreadyDone when the row is done; HeldByOther else.
// Each step is one conditional UPDATE: on Postgres a racing UPDATE of the row waits for its
// lock and re-reads the row, so two workers never both match; on SQLite transactions are
// serial. A resume renews the claim's time, so a live claimer's lease runs from its latest
// attempt.
func claim(ctx context.Context, tx txn, sp claimSpec, worker string, now time.Time, lease time.Duration) (Outcome, error) {
	if worker == "" {
		return 0, errors.New("a claim needs a worker")
	}
	set := `UPDATE ` + sp.table + ` SET ` + sp.state + ` = ?, claimed_by = ?, claimed_at = ?, updated_at = ? WHERE ` + sp.where + ` AND `
	args := func(extra ...any) []any {
		a := append([]any{sp.claimed, worker, micros(now), micros(now)}, sp.key...)
		return append(a, extra...)
	}
	steps := []struct {
		cond string
		args []any
		out  Outcome
	}{
		{sp.state + ` = ?`, args(sp.none), Proceed},
		{sp.state + ` = ? AND claimed_by = ?`, args(sp.claimed, worker), Resume},
		{sp.state + ` = ? AND claimed_at <= ?`, args(sp.claimed, micros(now.Add(-lease))), Resume},
	}
	for _, st := range steps {
		n, err := tx.exec(ctx, set+st.cond, st.args...)
		if err != nil {
			return 0, err
		}
		if n == 1 {
			return st.out, nil
		}
	}
	var state string
	if err := tx.queryRow(ctx, `SELECT `+sp.state+` FROM `+sp.table+` WHERE `+sp.where, sp.key...).Scan(&state); err != nil {
		return 0, err
	}
	if state == sp.done {
		return AlreadyDone, nil
	}
	return HeldByOther, nil
}
