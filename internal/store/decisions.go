package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Decision is one evaluation of the gate for a deployment, as the decision pages and the
// gate API show it.
type Decision struct {
	// ID is chosen by SaveDecision when empty: 128 random bits in hex, so that one
	// decision's page does not lead to its neighbours'.
	ID          string
	Repo        string // owner/name
	Environment string
	Release     string
	SHA         string
	Verdict     string // the gate's verdict: pass, fail, pending
	// Outcome is the path that decided (pass, fail, deadline, uncovered, config_error, or
	// pending while undecided), as the App's metrics and pages name it.
	Outcome string
	// Report is the gate's JSON report (the --format json contract), kept byte for byte.
	Report    json.RawMessage
	Markdown  string
	CreatedAt time.Time
	// DecidedAt is zero while the verdict is pending.
	DecidedAt time.Time
}

// DecisionFilter selects recent decisions; empty fields match everything.
type DecisionFilter struct {
	Repo        string
	Environment string
	Verdict     string
	// Before pages back: only decisions created strictly before it.
	Before time.Time
	// Limit is at most MaxDecisionsListed; 0 means DefaultDecisionsListed.
	Limit int
}

// Bounds of ListDecisions.
const (
	DefaultDecisionsListed = 50
	MaxDecisionsListed     = 500
)

// SaveDecision inserts the decision, or replaces the verdict, report, Markdown and decided
// time of the one with its ID (a pending decision that has been decided). CreatedAt, when
// zero, is now. It returns the decision as stored.
func (s *Store) SaveDecision(ctx context.Context, d Decision) (Decision, error) {
	if d.ID == "" {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return Decision{}, fmt.Errorf("store: choose a decision ID: %w", err)
		}
		d.ID = hex.EncodeToString(b[:])
	}
	if d.CreatedAt.IsZero() {
		d.CreatedAt = s.now()
	}
	d.CreatedAt = d.CreatedAt.UTC().Truncate(time.Microsecond)
	if !d.DecidedAt.IsZero() {
		d.DecidedAt = d.DecidedAt.UTC().Truncate(time.Microsecond)
	}
	report := string(d.Report)
	if report == "" {
		report = "null"
	}
	if !json.Valid([]byte(report)) {
		return Decision{}, fmt.Errorf("store: decision %s: the report is not valid JSON", d.ID)
	}
	_, err := s.e.exec(ctx, `INSERT INTO releasegate_decision
		(id, repo, environment, release, sha, verdict, outcome, report, markdown, created_at, decided_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET verdict = excluded.verdict, outcome = excluded.outcome, release = excluded.release, report = excluded.report,
			markdown = excluded.markdown, decided_at = excluded.decided_at`,
		d.ID, d.Repo, d.Environment, d.Release, d.SHA, d.Verdict, d.Outcome, report, d.Markdown,
		micros(d.CreatedAt), nullMicros(d.DecidedAt))
	if err != nil {
		return Decision{}, fmt.Errorf("store: save decision %s: %w", d.ID, err)
	}
	return s.Decision(ctx, d.ID)
}

const decisionColumns = `id, repo, environment, release, sha, verdict, outcome, report, markdown, created_at, decided_at`

// Decision returns one decision, or an error wrapping ErrNotFound.
func (s *Store) Decision(ctx context.Context, id string) (Decision, error) {
	d, err := scanDecision(s.e.queryRow(ctx, `SELECT `+decisionColumns+` FROM releasegate_decision WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Decision{}, fmt.Errorf("%w: decision %s", ErrNotFound, id)
	}
	if err != nil {
		return Decision{}, fmt.Errorf("store: read decision %s: %w", id, err)
	}
	return d, nil
}

// ListDecisions returns the newest decisions that match f, newest first.
func (s *Store) ListDecisions(ctx context.Context, f DecisionFilter) ([]Decision, error) {
	var where []string
	var args []any
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if f.Repo != "" {
		add("repo = ?", f.Repo)
	}
	if f.Environment != "" {
		add("environment = ?", f.Environment)
	}
	if f.Verdict != "" {
		add("verdict = ?", f.Verdict)
	}
	if !f.Before.IsZero() {
		add("created_at < ?", micros(f.Before))
	}
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = DefaultDecisionsListed
	case limit > MaxDecisionsListed:
		limit = MaxDecisionsListed
	}
	q := `SELECT ` + decisionColumns + ` FROM releasegate_decision`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, limit)
	rs, err := s.e.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list decisions: %w", err)
	}
	defer rs.Close()
	var out []Decision
	for rs.Next() {
		d, err := scanDecision(rs)
		if err != nil {
			return nil, fmt.Errorf("store: list decisions: %w", err)
		}
		out = append(out, d)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("store: list decisions: %w", err)
	}
	return out, nil
}

func scanDecision(r row) (Decision, error) {
	var d Decision
	var report string
	var created int64
	var decided sql.NullInt64
	if err := r.Scan(&d.ID, &d.Repo, &d.Environment, &d.Release, &d.SHA, &d.Verdict, &d.Outcome, &report, &d.Markdown, &created, &decided); err != nil {
		return Decision{}, err
	}
	d.Report = json.RawMessage(report)
	d.CreatedAt = fromMicros(created)
	if decided.Valid {
		d.DecidedAt = fromMicros(decided.Int64)
	}
	return d, nil
}

// nullMicros stores the zero time as NULL.
func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(t), Valid: true}
}
