package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
)

// Webhook sources a delivery can come from.
const (
	SourceGitHub = "github"
	SourceSentry = "sentry"
)

// MaxDeliveryIDLen bounds a delivery ID (GitHub's are UUIDs, Sentry's Request-IDs too).
const MaxDeliveryIDLen = 200

// ErrInvalidDelivery is wrapped when a delivery lacks what Accept needs; the handler
// answers 400 for it, since storing it could never help.
var ErrInvalidDelivery = errors.New("store: invalid delivery")

// Delivery is one webhook request as received: its raw body is kept so that the job
// processing it (and any later replay) reads exactly what the sender signed.
type Delivery struct {
	Source string // SourceGitHub or SourceSentry
	ID     string // X-GitHub-Delivery or Sentry's Request-ID: unique per source
	Event  string // X-GitHub-Event, or Sentry-Hook-Resource
	Action string // the payload's action, empty when it has none
	// Owner is the GitHub owner a delivery belongs to when the intake knows it (a Sentry
	// delivery is signed with one owner's integration secret); empty otherwise.
	Owner      string
	Body       []byte
	ReceivedAt time.Time
}

// DeliveryArgs is the job Accept enqueues for each new delivery. The bot registers its
// worker (river.AddWorker(workers, w) with a river.Worker[store.DeliveryArgs]); the worker
// reads the body with Store.Delivery.
type DeliveryArgs struct {
	Source string `json:"source"`
	ID     string `json:"id"`
	Event  string `json:"event"`
	Action string `json:"action,omitempty"`
}

// Kind names the job for River.
func (DeliveryArgs) Kind() string { return "releasegate.delivery" }

func (d Delivery) validate() error {
	switch {
	case d.Source != SourceGitHub && d.Source != SourceSentry:
		return fmt.Errorf("%w: source %q is neither %q nor %q", ErrInvalidDelivery, d.Source, SourceGitHub, SourceSentry)
	case d.ID == "":
		return fmt.Errorf("%w: no delivery ID; the sender's header (X-GitHub-Delivery, Request-ID) is required", ErrInvalidDelivery)
	case len(d.ID) > MaxDeliveryIDLen:
		return fmt.Errorf("%w: delivery ID of %d bytes, over %d", ErrInvalidDelivery, len(d.ID), MaxDeliveryIDLen)
	case d.Event == "":
		return fmt.Errorf("%w: no event name", ErrInvalidDelivery)
	case d.ReceivedAt.IsZero():
		return fmt.Errorf("%w: no receipt time", ErrInvalidDelivery)
	}
	return nil
}

// Accept stores a delivery and enqueues the job that processes it, in one transaction:
// either both are durable or neither is, so the handler may answer 2xx exactly when
// Accept returns nil. isNew is false for a redelivery (same source and ID as one already
// stored): then nothing is stored or enqueued, and the sender can be told 2xx again.
func (s *Store) Accept(ctx context.Context, d Delivery) (isNew bool, err error) {
	if err := d.validate(); err != nil {
		return false, err
	}
	body := d.Body
	if body == nil {
		body = []byte{} // the column is NOT NULL; an empty body is still a body
	}
	err = s.inTx(ctx, func(tx txn) error {
		// ON CONFLICT DO NOTHING decides the race between concurrent redeliveries: on
		// Postgres the later inserts wait on the first's row lock and then skip; on SQLite
		// the transactions are serial.
		n, err := tx.exec(ctx, `INSERT INTO releasegate_delivery (source, id, event, action, owner, body, received_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (source, id) DO NOTHING`,
			d.Source, d.ID, d.Event, d.Action, d.Owner, body, micros(d.ReceivedAt))
		if err != nil {
			return fmt.Errorf("store: store delivery %s/%s: %w", d.Source, d.ID, err)
		}
		if n == 0 {
			return nil
		}
		isNew = true
		if _, err := tx.insertJob(ctx, DeliveryArgs{Source: d.Source, ID: d.ID, Event: d.Event, Action: d.Action}, nil); err != nil {
			return fmt.Errorf("store: enqueue delivery %s/%s: %w", d.Source, d.ID, err)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	return isNew, nil
}

// Delivery returns a stored delivery, or an error wrapping ErrNotFound.
func (s *Store) Delivery(ctx context.Context, source, id string) (Delivery, error) {
	d := Delivery{Source: source, ID: id}
	var at int64
	err := s.e.queryRow(ctx, `SELECT event, action, owner, body, received_at FROM releasegate_delivery WHERE source = ? AND id = ?`,
		source, id).Scan(&d.Event, &d.Action, &d.Owner, &d.Body, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Delivery{}, fmt.Errorf("%w: delivery %s/%s", ErrNotFound, source, id)
	}
	if err != nil {
		return Delivery{}, fmt.Errorf("store: read delivery %s/%s: %w", source, id, err)
	}
	d.ReceivedAt = fromMicros(at)
	return d, nil
}

var _ river.JobArgs = DeliveryArgs{}
