package store

import (
	"context"
	"strconv"
	"strings"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// The two engines differ in their driver (database/sql with modernc's SQLite, pgx for
// Postgres) and in River's client type, generic over the transaction. engine hides both, so
// that every query of this package is written once, with '?' placeholders.

// rows is what both drivers' result sets have in common.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// row is one row of a query; Scan reports sql.ErrNoRows when there is none (pgx's
// ErrNoRows matches it with errors.Is).
type row interface {
	Scan(dest ...any) error
}

// querier runs this package's SQL, on the pool or inside a transaction.
type querier interface {
	exec(ctx context.Context, query string, args ...any) (rowsAffected int64, err error)
	query(ctx context.Context, query string, args ...any) (rows, error)
	queryRow(ctx context.Context, query string, args ...any) row
}

// txn is a transaction that River can insert jobs into.
type txn interface {
	querier
	insertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	commit(ctx context.Context) error
	rollback(ctx context.Context) error
}

// engine is one database with its River client.
type engine interface {
	querier
	kind() Engine
	begin(ctx context.Context) (txn, error)
	insertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	ping(ctx context.Context) error
	// migrate applies River's migrations and then ours, excluding concurrent migrators.
	migrate(ctx context.Context, ours []migration) error
	// riverMigrated reports whether River's schema is complete (an empty list) or what is missing.
	riverMigrated(ctx context.Context) ([]string, error)
	start(ctx context.Context) error
	stop(ctx context.Context) error
	stopAndCancel(ctx context.Context) error
	subscribe(kinds ...river.EventKind) (<-chan *river.Event, func())
	close() error
}

// rebind turns the '?' placeholders of this package's queries into Postgres's $1, $2, ….
// The queries hold no '?' inside string literals, so a plain scan is exact.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] != '?' {
			b.WriteByte(query[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}
