package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The triage bot's links between a Sentry issue, the pull request suspected of it, its one
// Jira ticket and that PR's one comment. They live here, not in Jira or GitHub, because
// neither can be asked reliably whether the bot already acted: Jira's search is eventually
// consistent, and duplicate webhooks, the reconcile poll and several replicas all triage
// the same issue at once.

// DefaultTriageClaimLease is how long a claim on creating a ticket or posting a comment
// holds against other workers when its claimer neither finishes nor comes back (its job
// was discarded, or another job of the same issue is the only one left). It is well past
// DefaultJobTimeout, which ends every attempt's calls, and past the minute or so Jira's
// search takes to see a new ticket, so that a worker taking an abandoned claim over (it
// gets Resume) finds a ticket the dead claimer created.
const DefaultTriageClaimLease = 15 * time.Minute

// TicketState is where an issue's Jira ticket stands.
type TicketState string

// The states of a ticket.
const (
	TicketNone    TicketState = "none"    // nobody has claimed its creation
	TicketClaimed TicketState = "claimed" // a worker claimed it (ClaimTicket) and has not recorded the key
	TicketCreated TicketState = "created" // the key is recorded (RecordTicket)
)

// PR names a pull request; the zero value is none. Repo is owner/name, which the store
// keeps in lower case (GitHub compares names ignoring case).
type PR struct {
	Repo   string
	Number int
}

// IsZero reports whether p names no pull request.
func (p PR) IsZero() bool { return p.Repo == "" || p.Number == 0 }

func (p PR) String() string { return fmt.Sprintf("%s#%d", p.Repo, p.Number) }

// TriageLink is one Sentry issue as the triage bot has linked it.
type TriageLink struct {
	Owner   string // whose the issue is: the Sentry organization the bot serves
	IssueID string // Sentry's numeric issue ID, as text
	ShortID string // WEB-123; it changes when the issue moves project
	Suspect PR     // the PR suspected of causing it; zero when none was found
	// CommentID is the suspect PR's one comment on GitHub (from its PRComment record); 0
	// until posted.
	CommentID   int64
	TicketState TicketState
	JiraKey     string    // "" until RecordTicket
	ClaimedBy   string    // the worker holding or last holding the ticket claim
	ClaimedAt   time.Time // zero when never claimed
	TicketAt    time.Time // when the key was recorded
	Fix         PR        // the merged PR that named the issue (Fixes WEB-123); zero until then
	ResolvedAt  time.Time // when Fix was recorded
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ErrOtherTicket is wrapped by RecordTicket when the issue already has a different key:
// a claimer that lost its claim (it took longer than the lease) created a second ticket.
// Close that one as a duplicate of the recorded key.
var ErrOtherTicket = errors.New("store: the issue already has another Jira ticket")

// TrackIssue records the issue, unless known, with its short ID (updated if it changed),
// and returns its link. The other calls record an unknown issue too, so the order of
// calls does not matter.
func (s *Store) TrackIssue(ctx context.Context, owner, issueID, shortID string) (TriageLink, error) {
	if err := checkIssue(owner, issueID); err != nil {
		return TriageLink{}, err
	}
	now := micros(s.now())
	if _, err := s.e.exec(ctx, `INSERT INTO releasegate_triage_link (owner, issue_id, short_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner, issue_id) DO UPDATE SET short_id = excluded.short_id, updated_at = excluded.updated_at
		WHERE releasegate_triage_link.short_id <> excluded.short_id`,
		owner, issueID, shortID, now, now); err != nil {
		return TriageLink{}, fmt.Errorf("store: track issue %s of %s: %w", issueID, owner, err)
	}
	return s.Link(ctx, owner, issueID)
}

// SetSuspect records the PR suspected of causing the issue (the zero PR: none) and
// returns the one suspected before, whose comment must drop the issue when it changed.
func (s *Store) SetSuspect(ctx context.Context, owner, issueID string, pr PR) (previous PR, err error) {
	if err := checkIssue(owner, issueID); err != nil {
		return PR{}, err
	}
	pr = normalPR(pr)
	err = s.inTx(ctx, func(tx txn) error {
		now := micros(s.now())
		if err := ensureLink(ctx, tx, owner, issueID, now); err != nil {
			return err
		}
		// Touch the row first: on Postgres that locks it, so that racing calls each see
		// the suspect the one before them left (SQLite's transactions are serial).
		if _, err := tx.exec(ctx, `UPDATE releasegate_triage_link SET updated_at = ? WHERE owner = ? AND issue_id = ?`,
			now, owner, issueID); err != nil {
			return err
		}
		l, err := readLink(ctx, tx, owner, issueID)
		if err != nil {
			return err
		}
		previous = l.Suspect
		_, err = tx.exec(ctx, `UPDATE releasegate_triage_link SET repo = ?, pr_number = ?, updated_at = ?
			WHERE owner = ? AND issue_id = ?`, pr.Repo, pr.Number, now, owner, issueID)
		return err
	})
	if err != nil {
		return PR{}, fmt.Errorf("store: set the suspect of issue %s of %s: %w", issueID, owner, err)
	}
	return previous, nil
}

// SetFix records the merged PR that names the issue as fixed, once: a later call (a
// redelivered merge, another PR naming it) changes nothing and reports false, so that the
// issue is resolved and its ticket commented on once. It returns the link as stored.
func (s *Store) SetFix(ctx context.Context, owner, issueID string, fix PR) (TriageLink, bool, error) {
	if err := checkIssue(owner, issueID); err != nil {
		return TriageLink{}, false, err
	}
	fix = normalPR(fix)
	if fix.IsZero() {
		return TriageLink{}, false, errors.New("store: SetFix needs the fixing PR's repository and number")
	}
	var l TriageLink
	var first bool
	err := s.inTx(ctx, func(tx txn) error {
		now := micros(s.now())
		if err := ensureLink(ctx, tx, owner, issueID, now); err != nil {
			return err
		}
		n, err := tx.exec(ctx, `UPDATE releasegate_triage_link SET fix_repo = ?, fix_pr = ?, resolved_at = ?, updated_at = ?
			WHERE owner = ? AND issue_id = ? AND fix_pr = 0`, fix.Repo, fix.Number, now, now, owner, issueID)
		if err != nil {
			return err
		}
		first = n == 1
		l, err = readLink(ctx, tx, owner, issueID)
		return err
	})
	if err != nil {
		return TriageLink{}, false, fmt.Errorf("store: record the fix of issue %s of %s: %w", issueID, owner, err)
	}
	return l, first, nil
}

// TicketClaim is what ClaimTicket found.
type TicketClaim struct {
	Outcome Outcome
	Link    TriageLink // as it stands after the claim
}

// ClaimTicket claims the creation of the issue's one Jira ticket for worker (the triage
// job: stable across its retries, distinct between jobs). Of any number of workers racing
// for one issue (duplicate webhooks, the reconcile poll, replicas), exactly one gets
// Proceed: create the ticket, labelled with TicketLabel, then RecordTicket. The others get
// AlreadyDone (Link.JiraKey is the ticket: reuse it) or HeldByOther (try again later; the
// comment can go out without the key meanwhile).
//
// The reasoning is BeginEffect's, with the link as the record:
//
//  1. Record before: the claim moves the row from none to claimed by one conditional
//     UPDATE in a transaction. On Postgres a racing UPDATE waits for the row's lock, then
//     re-reads the state and finds it claimed; on SQLite the transactions are serial.
//  2. Complete after: RecordTicket stores the key; from then on everyone gets AlreadyDone.
//  3. Check after a crash: a claimer that died between 1 and 2 gets Resume when its job is
//     retried. It cannot know whether its create landed, so it first searches Jira for the
//     label TicketLabel gives (or the issue property it set), and creates the ticket only
//     if there is none. Jira's search lags a create by seconds to a minute, which a
//     retry's backoff covers.
//  4. Take over an abandoned claim: a claim older than the lease (Options.TriageClaimLease)
//     whose claimer never came back (its job was discarded, or the process that held it is
//     gone) passes to the next worker, which gets Resume and so searches Jira first. The
//     lease is far longer than an attempt may run and than the search's lag, so the
//     search finds what the dead claimer made.
//
// Should a claimer outlive its lease and still create a ticket, RecordTicket keeps the
// first key and reports ErrOtherTicket to the second.
func (s *Store) ClaimTicket(ctx context.Context, owner, issueID, worker string) (TicketClaim, error) {
	if err := checkIssue(owner, issueID); err != nil {
		return TicketClaim{}, err
	}
	var c TicketClaim
	err := s.inTx(ctx, func(tx txn) error {
		now := s.now()
		if err := ensureLink(ctx, tx, owner, issueID, micros(now)); err != nil {
			return err
		}
		out, err := claim(ctx, tx, claimSpec{
			table: "releasegate_triage_link", state: "ticket_state", where: "owner = ? AND issue_id = ?", key: []any{owner, issueID},
			none: string(TicketNone), claimed: string(TicketClaimed), done: string(TicketCreated),
		}, worker, now, s.lease)
		if err != nil {
			return err
		}
		c.Outcome = out
		c.Link, err = readLink(ctx, tx, owner, issueID)
		return err
	})
	if err != nil {
		return TicketClaim{}, fmt.Errorf("store: claim the ticket of issue %s of %s: %w", issueID, owner, err)
	}
	return c, nil
}

// TicketLabel is the Jira label the bot puts on the ticket of an issue, so that a claimer
// resuming after a crash can search for a ticket it may have created (labels hold no
// spaces; owner and issue ID are Sentry's slugs and digits).
func TicketLabel(owner, issueID string) string {
	return "sentry-" + strings.ReplaceAll(owner, " ", "_") + "-" + issueID
}

// RecordTicket records the issue's Jira key, whoever claimed it; recording the same key
// again (a retry whose answer was lost) is not an error. When the issue already has another
// key, the returned link holds it and the error wraps ErrOtherTicket.
func (s *Store) RecordTicket(ctx context.Context, owner, issueID, key string) (TriageLink, error) {
	if err := checkIssue(owner, issueID); err != nil {
		return TriageLink{}, err
	}
	if key == "" {
		return TriageLink{}, errors.New("store: RecordTicket needs the Jira key")
	}
	var l TriageLink
	err := s.inTx(ctx, func(tx txn) error {
		now := micros(s.now())
		if err := ensureLink(ctx, tx, owner, issueID, now); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE releasegate_triage_link SET ticket_state = ?, jira_key = ?, ticket_at = ?, updated_at = ?
			WHERE owner = ? AND issue_id = ? AND jira_key = ''`,
			string(TicketCreated), key, now, now, owner, issueID); err != nil {
			return err
		}
		var err error
		l, err = readLink(ctx, tx, owner, issueID)
		return err
	})
	if err != nil {
		return TriageLink{}, fmt.Errorf("store: record ticket %s of issue %s of %s: %w", key, issueID, owner, err)
	}
	if l.JiraKey != key {
		return l, fmt.Errorf("%w: issue %s of %s has %s, not %s; close %s as its duplicate", ErrOtherTicket, issueID, owner, l.JiraKey, key, key)
	}
	return l, nil
}

// Link returns the issue's link, or an error wrapping ErrNotFound.
func (s *Store) Link(ctx context.Context, owner, issueID string) (TriageLink, error) {
	l, err := readLink(ctx, s.e, owner, issueID)
	if err != nil {
		return TriageLink{}, fmt.Errorf("store: %w", err)
	}
	return l, nil
}

// LinkByShortID returns the link of the issue with that short ID (WEB-123, as a PR's
// "Fixes WEB-123" names it), or an error wrapping ErrNotFound. Short IDs are compared
// ignoring case.
func (s *Store) LinkByShortID(ctx context.Context, owner, shortID string) (TriageLink, error) {
	ls, err := s.listLinks(ctx, "the issue "+shortID, `l.owner = ? AND upper(l.short_id) = upper(?) AND l.short_id <> ''
		ORDER BY l.updated_at DESC LIMIT 1`, owner, shortID)
	if err != nil {
		return TriageLink{}, err
	}
	if len(ls) == 0 {
		return TriageLink{}, fmt.Errorf("%w: issue %s of %s", ErrNotFound, shortID, owner)
	}
	return ls[0], nil
}

// LinksOfPR returns the links of every issue the PR is suspected of, newest first: what
// its comment lists.
func (s *Store) LinksOfPR(ctx context.Context, pr PR) ([]TriageLink, error) {
	pr = normalPR(pr)
	if pr.IsZero() {
		return nil, errors.New("store: LinksOfPR needs the PR's repository and number")
	}
	return s.listLinks(ctx, "the issues of "+pr.String(), `l.repo = ? AND l.pr_number = ?
		ORDER BY l.created_at DESC, l.issue_id DESC`, pr.Repo, pr.Number)
}

const linkColumns = `l.owner, l.issue_id, l.short_id, l.repo, l.pr_number, COALESCE(c.comment_id, 0), l.ticket_state, l.jira_key,
	l.claimed_by, l.claimed_at, l.ticket_at, l.fix_repo, l.fix_pr, l.resolved_at, l.created_at, l.updated_at`

const linkFrom = ` FROM releasegate_triage_link l
	LEFT JOIN releasegate_pr_comment c ON c.repo = l.repo AND c.pr_number = l.pr_number AND l.pr_number <> 0`

func (s *Store) listLinks(ctx context.Context, what, where string, args ...any) ([]TriageLink, error) {
	rs, err := s.e.query(ctx, `SELECT `+linkColumns+linkFrom+` WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list %s: %w", what, err)
	}
	defer rs.Close()
	var out []TriageLink
	for rs.Next() {
		l, err := scanLink(rs)
		if err != nil {
			return nil, fmt.Errorf("store: list %s: %w", what, err)
		}
		out = append(out, l)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("store: list %s: %w", what, err)
	}
	return out, nil
}

func readLink(ctx context.Context, q querier, owner, issueID string) (TriageLink, error) {
	l, err := scanLink(q.queryRow(ctx, `SELECT `+linkColumns+linkFrom+` WHERE l.owner = ? AND l.issue_id = ?`, owner, issueID))
	if errors.Is(err, sql.ErrNoRows) {
		return TriageLink{}, fmt.Errorf("%w: issue %s of %s", ErrNotFound, issueID, owner)
	}
	if err != nil {
		return TriageLink{}, fmt.Errorf("read the link of issue %s of %s: %w", issueID, owner, err)
	}
	return l, nil
}

func scanLink(r row) (TriageLink, error) {
	var l TriageLink
	var state string
	var prNumber, fixNumber int64
	var claimed, ticket, resolved sql.NullInt64
	var created, updated int64
	if err := r.Scan(&l.Owner, &l.IssueID, &l.ShortID, &l.Suspect.Repo, &prNumber, &l.CommentID, &state, &l.JiraKey,
		&l.ClaimedBy, &claimed, &ticket, &l.Fix.Repo, &fixNumber, &resolved, &created, &updated); err != nil {
		return TriageLink{}, err
	}
	l.Suspect.Number, l.Fix.Number = int(prNumber), int(fixNumber)
	l.TicketState = TicketState(state)
	l.ClaimedAt, l.TicketAt, l.ResolvedAt = optMicros(claimed), optMicros(ticket), optMicros(resolved)
	l.CreatedAt, l.UpdatedAt = fromMicros(created), fromMicros(updated)
	return l, nil
}

func ensureLink(ctx context.Context, tx txn, owner, issueID string, now int64) error {
	_, err := tx.exec(ctx, `INSERT INTO releasegate_triage_link (owner, issue_id, created_at, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (owner, issue_id) DO NOTHING`, owner, issueID, now, now)
	if err != nil {
		return fmt.Errorf("record issue %s of %s: %w", issueID, owner, err)
	}
	return nil
}

func checkIssue(owner, issueID string) error {
	if owner == "" || issueID == "" {
		return errors.New("store: a triage link needs the issue's owner and ID")
	}
	return nil
}

func normalPR(p PR) PR {
	if p.IsZero() {
		return PR{}
	}
	return PR{Repo: strings.ToLower(p.Repo), Number: p.Number}
}

func optMicros(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMicros(v.Int64)
}
