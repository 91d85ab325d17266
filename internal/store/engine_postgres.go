package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// pgDefaultMaxConns is the pool size when the URL sets no pool_max_conns: pgx's default
// (4 on this machine) is too few for a burst of webhooks plus River's own connections.
const pgDefaultMaxConns = 16

// pgMigrationLock is the advisory lock key that serialises migrators of one schema: replicas
// starting together take turns, and each after the first finds nothing to do. The schema name
// is mixed in so that databases shared by several installations (or tests) do not wait on
// each other.
const pgMigrationLock = `SELECT pg_advisory_lock(hashtextextended('releasegate.migrate.' || current_schema(), 0))`
const pgMigrationUnlock = `SELECT pg_advisory_unlock(hashtextextended('releasegate.migrate.' || current_schema(), 0))`

var simpleIdent = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

type pgEngine struct {
	pool   *pgxpool.Pool
	driver *riverpgxv5.Driver
	river  *river.Client[pgx.Tx]
	schema string
}

func openPostgres(ctx context.Context, rawURL string, cfg *river.Config) (*pgEngine, error) {
	pcfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		// pgx's message can quote the URL, password included: name the problem only.
		return nil, fmt.Errorf("%w: the Postgres URL does not parse; check its form (postgres://user@host:5432/db?sslmode=…)", ErrBadURL)
	}
	if !hasParam(rawURL, "pool_max_conns") {
		pcfg.MaxConns = pgDefaultMaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect to Postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect to Postgres at %s:%d (is it running, and does the URL's user have access to database %q?): %w",
			pcfg.ConnConfig.Host, pcfg.ConnConfig.Port, pcfg.ConnConfig.Database, err)
	}
	e := &pgEngine{pool: pool, driver: riverpgxv5.New(pool)}
	// A search_path of one schema in the URL puts our tables and River's there; River is
	// told too, so that its notifications are scoped to the schema.
	if sp := pcfg.ConnConfig.RuntimeParams["search_path"]; simpleIdent.MatchString(sp) {
		e.schema = sp
	}
	cfg.Schema = e.schema
	e.river, err = river.NewClient(e.driver, cfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: configure River: %w", err)
	}
	return e, nil
}

func hasParam(rawURL, name string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && u.Query().Has(name)
}

func (e *pgEngine) kind() Engine { return Postgres }

func (e *pgEngine) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return pgExec(ctx, e.pool, q, args...)
}

func (e *pgEngine) query(ctx context.Context, q string, args ...any) (rows, error) {
	return e.pool.Query(ctx, rebind(q), args...)
}

func (e *pgEngine) queryRow(ctx context.Context, q string, args ...any) row {
	return e.pool.QueryRow(ctx, rebind(q), args...)
}

func (e *pgEngine) begin(ctx context.Context) (txn, error) {
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &pgTx{tx: tx, river: e.river}, nil
}

func (e *pgEngine) insertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return e.river.Insert(ctx, args, opts)
}

func (e *pgEngine) ping(ctx context.Context) error { return e.pool.Ping(ctx) }

// migrate holds a session advisory lock on one connection while River's migrator and ours
// run on others, so that replicas starting at once apply each migration exactly once.
func (e *pgEngine) migrate(ctx context.Context, ours []migration) (err error) {
	conn, err := e.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, pgMigrationLock); err != nil {
		return fmt.Errorf("store: take the migration lock: %w", err)
	}
	defer func() {
		// Unlock even when ctx is done; a failed unlock closes the connection, which
		// releases the lock as well.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, uerr := conn.Exec(uctx, pgMigrationUnlock); uerr != nil {
			_ = conn.Conn().Close(uctx)
		}
	}()
	migrator, err := rivermigrate.New(e.driver, &rivermigrate.Config{Logger: discardLogger(), Schema: e.schema})
	if err != nil {
		return fmt.Errorf("store: River's migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("store: River's migrations: %w", err)
	}
	return applyMigrations(ctx, e, ours, time.Now())
}

func (e *pgEngine) riverMigrated(ctx context.Context) ([]string, error) {
	migrator, err := rivermigrate.New(e.driver, &rivermigrate.Config{Logger: discardLogger(), Schema: e.schema})
	if err != nil {
		return nil, err
	}
	res, err := migrator.Validate(ctx, nil)
	if err != nil {
		return nil, err
	}
	return res.Messages, nil
}

func (e *pgEngine) start(ctx context.Context) error         { return e.river.Start(ctx) }
func (e *pgEngine) stop(ctx context.Context) error          { return e.river.Stop(ctx) }
func (e *pgEngine) stopAndCancel(ctx context.Context) error { return e.river.StopAndCancel(ctx) }
func (e *pgEngine) subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return e.river.Subscribe(kinds...)
}
func (e *pgEngine) close() error {
	e.pool.Close()
	return nil
}

type pgTx struct {
	tx    pgx.Tx
	river *river.Client[pgx.Tx]
}

func (t *pgTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return pgExec(ctx, t.tx, q, args...)
}

func (t *pgTx) query(ctx context.Context, q string, args ...any) (rows, error) {
	return t.tx.Query(ctx, rebind(q), args...)
}

func (t *pgTx) queryRow(ctx context.Context, q string, args ...any) row {
	return t.tx.QueryRow(ctx, rebind(q), args...)
}

func (t *pgTx) insertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return t.river.InsertTx(ctx, t.tx, args, opts)
}

func (t *pgTx) commit(ctx context.Context) error { return t.tx.Commit(ctx) }
func (t *pgTx) rollback(ctx context.Context) error {
	if err := t.tx.Rollback(ctx); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		return err
	}
	return nil
}

func pgExec(ctx context.Context, db interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, q string, args ...any) (int64, error) {
	tag, err := db.Exec(ctx, rebind(q), args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}
