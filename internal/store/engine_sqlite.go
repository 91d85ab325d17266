package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" database/sql driver
)

// sqliteBusyTimeout is how long a statement waits for another process's write lock before
// failing: long enough for a checkpoint or a migration, short enough to surface a stuck peer.
const sqliteBusyTimeout = 10 * time.Second

// sqliteDSN opens path in WAL mode (readers do not block the writer), with a busy timeout,
// foreign keys on, and IMMEDIATE transactions: a transaction takes the write lock when it
// begins, so two writers queue on the busy timeout instead of one failing when it upgrades
// its read lock. synchronous=NORMAL is WAL's usual pairing: a commit is on disk before the
// process returns from it, so a crash or SIGKILL of the service loses nothing; only a power
// loss or kernel crash can lose the last commits (GitHub keeps deliveries for redelivery).
// synchronous=FULL (Options.SQLiteSyncFull) also survives that, at one fsync per commit.
func sqliteDSN(path string, syncFull bool) string {
	sync := "NORMAL"
	if syncFull {
		sync = "FULL"
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+sync+")")
	q.Add("_pragma", "foreign_keys(ON)")
	// The checkpointer below copies the log into the database file off the commit path; the
	// automatic checkpoint stays as a backstop, should it fall behind.
	q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", sqliteBackstopCheckpointPages))
	q.Set("_txlock", "immediate")
	return path + "?" + q.Encode()
}

// A checkpoint copies the write-ahead log into the database file and fsyncs it: tens of
// milliseconds that, run by the committing connection (SQLite's automatic checkpoint every
// 1,000 pages), stall every delivery queued behind it. A second connection checkpoints
// every sqliteCheckpointEvery instead, concurrently with the writer (PASSIVE mode blocks
// neither writers nor readers).
const (
	sqliteCheckpointEvery         = 250 * time.Millisecond
	sqliteBackstopCheckpointPages = 20000
	sqliteMigrateRounds           = 40
)

type sqliteEngine struct {
	db     *sql.DB
	driver *riversqlite.Driver
	river  *river.Client[*sql.Tx]
	// turn admits our transactions to the one connection in arrival order. database/sql
	// hands a freed connection to a random waiter, which under a burst of webhooks leaves
	// some waiting for many others' turns (a long p99); a channel queues its senders FIFO.
	turn chan struct{}
	// checkpointer runs until close.
	stopCheckpoints func()
	checkpointsDone chan struct{}
}

func openSQLite(ctx context.Context, path string, opts Options, cfg *river.Config) (*sqliteEngine, error) {
	db, err := connectSQLite(ctx, path, opts.SQLiteSyncFull)
	if err != nil {
		return nil, err
	}
	e := &sqliteEngine{db: db, driver: riversqlite.New(db), turn: make(chan struct{}, 1)}
	e.river, err = river.NewClient(e.driver, cfg)
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: configure River: %w", err)
	}
	cdb, err := sql.Open("sqlite", sqliteDSN(path, opts.SQLiteSyncFull))
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("store: open SQLite database %s: %w", path, err)
	}
	cdb.SetMaxOpenConns(1)
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e.stopCheckpoints = cancel
	e.checkpointsDone = make(chan struct{})
	go e.checkpoint(cctx, cdb)
	return e, nil
}

// connectSQLite opens the database with its pragmas. Processes opening a new database at
// once race to switch it to WAL, and the loser is told SQLITE_BUSY at once (the busy timeout
// does not cover that switch): it tries again, for up to sqliteBusyTimeout.
func connectSQLite(ctx context.Context, path string, syncFull bool) (*sql.DB, error) {
	deadline := time.Now().Add(sqliteBusyTimeout)
	for wait := 10 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		db, err := sql.Open("sqlite", sqliteDSN(path, syncFull))
		if err != nil {
			return nil, fmt.Errorf("store: open SQLite database %s: %w", path, err)
		}
		// SQLite has one writer; River's SQLite driver wants one connection so that its
		// concurrent internal operations queue in the pool instead of failing with SQLITE_BUSY.
		db.SetMaxOpenConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		err = db.PingContext(ctx)
		if err == nil {
			return db, nil
		}
		_ = db.Close()
		if !strings.Contains(err.Error(), "SQLITE_BUSY") || time.Now().After(deadline) {
			return nil, fmt.Errorf("store: open SQLite database %s (check that its folder exists and is writable): %w", path, err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("store: open SQLite database %s: %w", path, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// checkpoint runs PASSIVE checkpoints until ctx is cancelled, then closes cdb. A failed
// checkpoint is retried on the next tick; the automatic one is the backstop.
func (e *sqliteEngine) checkpoint(ctx context.Context, cdb *sql.DB) {
	defer close(e.checkpointsDone)
	defer func() { _ = cdb.Close() }()
	tick := time.NewTicker(sqliteCheckpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			_, _ = cdb.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

func (e *sqliteEngine) kind() Engine { return SQLite }

func (e *sqliteEngine) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return sqlExec(ctx, e.db, q, args...)
}

func (e *sqliteEngine) query(ctx context.Context, q string, args ...any) (rows, error) {
	r, err := e.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (e *sqliteEngine) queryRow(ctx context.Context, q string, args ...any) row {
	return e.db.QueryRowContext(ctx, q, args...)
}

func (e *sqliteEngine) begin(ctx context.Context) (txn, error) {
	select {
	case e.turn <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	tx, err := e.db.BeginTx(ctx, nil)
	if err != nil {
		<-e.turn
		return nil, err
	}
	return &sqliteTx{tx: tx, river: e.river, done: func() { <-e.turn }}, nil
}

func (e *sqliteEngine) insertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return e.river.Insert(ctx, args, opts)
}

func (e *sqliteEngine) ping(ctx context.Context) error { return e.db.PingContext(ctx) }

// migrate runs River's migrations and ours. Several processes opening one new file at once
// can both find a migration missing; the loser's CREATE fails once the winner commits, and
// the next round finds it applied. Each failed round means another migrator made progress,
// so the rounds are bounded by the migrations there are; sqliteMigrateRounds leaves room
// for several racers. Each migration is one transaction with its record.
func (e *sqliteEngine) migrate(ctx context.Context, ours []migration) error {
	migrator, err := rivermigrate.New(e.driver, &rivermigrate.Config{Logger: discardLogger()})
	if err != nil {
		return fmt.Errorf("store: River's migrator: %w", err)
	}
	var last error
	for round := range sqliteMigrateRounds {
		if round > 0 {
			select {
			case <-ctx.Done():
				return errors.Join(ctx.Err(), last)
			case <-time.After(min(time.Duration(round)*20*time.Millisecond, 250*time.Millisecond)):
			}
		}
		if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			last = fmt.Errorf("store: River's migrations: %w", err)
			continue
		}
		if err := applyMigrations(ctx, e, ours, time.Now()); err != nil {
			last = err
			continue
		}
		return nil
	}
	return last
}

func (e *sqliteEngine) riverMigrated(ctx context.Context) ([]string, error) {
	migrator, err := rivermigrate.New(e.driver, &rivermigrate.Config{Logger: discardLogger()})
	if err != nil {
		return nil, err
	}
	res, err := migrator.Validate(ctx, nil)
	if err != nil {
		return nil, err
	}
	return res.Messages, nil
}

func (e *sqliteEngine) start(ctx context.Context) error         { return e.river.Start(ctx) }
func (e *sqliteEngine) stop(ctx context.Context) error          { return e.river.Stop(ctx) }
func (e *sqliteEngine) stopAndCancel(ctx context.Context) error { return e.river.StopAndCancel(ctx) }
func (e *sqliteEngine) subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return e.river.Subscribe(kinds...)
}
func (e *sqliteEngine) close() error {
	e.stopCheckpoints()
	<-e.checkpointsDone
	return e.db.Close()
}

type sqliteTx struct {
	tx    *sql.Tx
	river *river.Client[*sql.Tx]
	done  func() // gives the turn to the next transaction; once
	once  sync.Once
}

func (t *sqliteTx) exec(ctx context.Context, q string, args ...any) (int64, error) {
	return sqlExec(ctx, t.tx, q, args...)
}

func (t *sqliteTx) query(ctx context.Context, q string, args ...any) (rows, error) {
	r, err := t.tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{r}, nil
}

func (t *sqliteTx) queryRow(ctx context.Context, q string, args ...any) row {
	return t.tx.QueryRowContext(ctx, q, args...)
}

func (t *sqliteTx) insertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return t.river.InsertTx(ctx, t.tx, args, opts)
}

func (t *sqliteTx) commit(context.Context) error {
	defer t.once.Do(t.done)
	return t.tx.Commit()
}

func (t *sqliteTx) rollback(context.Context) error {
	defer t.once.Do(t.done)
	if err := t.tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}

func sqlExec(ctx context.Context, db interface {
	ExecContext(context.Context, string, ...any) (sql.Result, error)
}, q string, args ...any) (int64, error) {
	res, err := db.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// sqlRows adapts *sql.Rows, whose Close returns an error nobody can act on after reading.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }
