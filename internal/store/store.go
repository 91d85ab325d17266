package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// Defaults for the zero values of Options.
const (
	DefaultMaxWorkers  = 10
	DefaultMaxAttempts = 12
	// DefaultHardStopGrace is how long Stop waits, after its deadline cancelled the jobs
	// still running, for them to return and be put back in the queue.
	DefaultHardStopGrace = 10 * time.Second
	// DefaultJobTimeout bounds one attempt of a job (River's own default).
	DefaultJobTimeout = time.Minute
	// DefaultRescueMargin is how long past JobTimeout a job still marked running is left
	// alone before it is retried. A job whose process was killed (SIGKILL, OOM, a lost node)
	// stays marked running; River's default leaves it for an hour, which would hold a
	// delivery, or a protection rule GitHub is waiting on, for that hour. Every attempt's
	// context ends at JobTimeout, and the effects ledger makes a second attempt harmless,
	// so a job still marked running a minute after that is dead. River's rescuer looks
	// every 30 s.
	DefaultRescueMargin = time.Minute
)

// Options configures a Store. The zero value is an insert-only store: deliveries can be
// accepted and jobs enqueued, but nothing works them (Start fails) until Workers is set.
type Options struct {
	// Workers works the jobs: register one per job kind with river.AddWorker (the bot
	// registers DeliveryArgs's, and its own for re-evaluation, reconcile and sweep).
	Workers *river.Workers
	// PeriodicJobs are enqueued on schedule by the elected leader only, however many
	// replicas share the database (river.NewPeriodicJob).
	PeriodicJobs []*river.PeriodicJob
	// MaxWorkers is how many jobs this process works at once; 0 means DefaultMaxWorkers.
	MaxWorkers int
	// MaxAttempts is how often a failing job is tried before it is discarded; 0 means
	// DefaultMaxAttempts (with River's backoff, attempt⁴ seconds, about 6 hours in all).
	MaxAttempts int
	// RetryPolicy replaces River's exponential backoff (tests use an immediate one).
	RetryPolicy river.ClientRetryPolicy
	// FetchPollInterval is how often an idle worker looks for jobs that became available
	// without a notification (retries, scheduled jobs); 0 means River's default (1s).
	FetchPollInterval time.Duration
	// JobTimeout bounds one attempt of a job; 0 means DefaultJobTimeout.
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken to be stuck (its
	// process died) and retried; 0 means JobTimeout + DefaultRescueMargin. See
	// DefaultRescueMargin for why not River's hour.
	RescueAfter time.Duration
	// ErrorHandler hears of every job error and panic (metrics, Sentry); nil for none.
	ErrorHandler river.ErrorHandler
	// Logger receives River's logs; nil discards them.
	Logger *slog.Logger
	// HardStopGrace: see DefaultHardStopGrace; 0 means the default.
	HardStopGrace time.Duration
	// SQLiteSyncFull makes every SQLite commit wait for an fsync (synchronous=FULL), so
	// that even a power loss keeps an acknowledged delivery; the default (NORMAL, with WAL)
	// survives the process being killed, and is several times faster (docs in sqliteDSN).
	SQLiteSyncFull bool
	// Now is the clock for the times the store records; nil means time.Now.
	Now func() time.Time
	// TriageClaimLease: see DefaultTriageClaimLease; 0 means the default.
	TriageClaimLease time.Duration
}

// Store is the durable state of `releasegate serve` and its job queue, on SQLite or
// Postgres. It is safe for concurrent use.
type Store struct {
	e     engine
	ms    []migration
	now   func() time.Time
	grace time.Duration
	lease time.Duration // of triage claims
}

// Open connects to the database the URL names (see ParseURL), applies River's migrations
// and ours, and returns the store with its job client configured but not started.
func Open(ctx context.Context, databaseURL string, opts Options) (*Store, error) {
	loc, err := ParseURL(databaseURL)
	if err != nil {
		return nil, err
	}
	ms, err := loadMigrations(loc.Engine)
	if err != nil {
		return nil, err
	}
	cfg := riverConfig(opts)
	var e engine
	switch loc.Engine {
	case SQLite:
		e, err = openSQLite(ctx, loc.Path, opts, cfg)
	case Postgres:
		e, err = openPostgres(ctx, loc.URL, cfg)
	}
	if err != nil {
		return nil, err
	}
	if err := e.migrate(ctx, ms); err != nil {
		_ = e.close()
		return nil, err
	}
	s := &Store{e: e, ms: ms, now: opts.Now, grace: opts.HardStopGrace, lease: opts.TriageClaimLease}
	if s.now == nil {
		s.now = time.Now
	}
	if s.grace <= 0 {
		s.grace = DefaultHardStopGrace
	}
	if s.lease <= 0 {
		s.lease = DefaultTriageClaimLease
	}
	return s, nil
}

func riverConfig(opts Options) *river.Config {
	logger := opts.Logger
	if logger == nil {
		logger = discardLogger()
	}
	cfg := &river.Config{
		ErrorHandler:      opts.ErrorHandler,
		FetchPollInterval: opts.FetchPollInterval,
		JobTimeout:        opts.JobTimeout,
		Logger:            logger,
		MaxAttempts:       opts.MaxAttempts,
		PeriodicJobs:      opts.PeriodicJobs,
		RetryPolicy:       opts.RetryPolicy,
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = DefaultJobTimeout
	}
	cfg.RescueStuckJobsAfter = opts.RescueAfter
	if cfg.RescueStuckJobsAfter <= cfg.JobTimeout {
		cfg.RescueStuckJobsAfter = cfg.JobTimeout + DefaultRescueMargin
	}
	if opts.Workers != nil {
		workers := opts.MaxWorkers
		if workers <= 0 {
			workers = DefaultMaxWorkers
		}
		cfg.Workers = opts.Workers
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}}
	}
	return cfg
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// Engine reports which database the store runs on.
func (s *Store) Engine() Engine { return s.e.kind() }

// Ready reports whether the database answers and has every migration this binary needs
// (River's and ours): the check behind /readyz.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.e.ping(ctx); err != nil {
		return fmt.Errorf("store: the database does not answer: %w", err)
	}
	v, err := appliedVersion(ctx, s.e)
	if err != nil {
		return fmt.Errorf("store: read the applied migrations: %w", err)
	}
	if want := len(s.ms); v < want {
		return fmt.Errorf("%w: the database is at version %d of releasegate's tables, this binary needs %d; restart to migrate", ErrNotMigrated, v, want)
	}
	missing, err := s.e.riverMigrated(ctx)
	if err != nil {
		return fmt.Errorf("store: check River's migrations: %w", err)
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: River's tables: %v; restart to migrate", ErrNotMigrated, missing)
	}
	return nil
}

// Start works jobs until Stop; periodic jobs run on the elected leader. It needs
// Options.Workers.
func (s *Store) Start(ctx context.Context) error {
	if err := s.e.start(ctx); err != nil {
		return fmt.Errorf("store: start working jobs (were Options.Workers given?): %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits until ctx is done for those running to finish. If
// they have not by then, their contexts are cancelled and Stop waits up to
// Options.HardStopGrace more for them to return: a job that returns an error goes back
// to the queue for a retry, and one that never returns is rescued by River later, so
// no job is lost either way.
func (s *Store) Stop(ctx context.Context) error {
	err := s.e.stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.grace)
	defer cancel()
	if herr := s.e.stopAndCancel(hctx); herr != nil {
		return fmt.Errorf("store: jobs still running %s after they were cancelled; River will rescue them: %w", s.grace, herr)
	}
	return nil
}

// Close closes the database; call Stop first when jobs were started.
func (s *Store) Close() error {
	if err := s.e.close(); err != nil {
		return fmt.Errorf("store: close the database: %w", err)
	}
	return nil
}

// Enqueue inserts a job outside any transaction of ours. opts may schedule it
// (ScheduledAt, for a re-evaluation at a time), make it unique, or set its attempts.
func (s *Store) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := s.e.insertJob(ctx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("store: enqueue a %s job: %w", args.Kind(), err)
	}
	return res, nil
}

// Subscribe delivers River's job events (completed, failed, snoozed, …) of the kinds
// asked for; call the returned func to stop. For metrics and tests.
func (s *Store) Subscribe(kinds ...river.EventKind) (<-chan *river.Event, func()) {
	return s.e.subscribe(kinds...)
}

// ErrNotFound is wrapped when a delivery, decision, rule or effect does not exist.
var ErrNotFound = errors.New("store: not found")

// inTx runs fn in a transaction and commits it, or rolls it back if fn fails.
func (s *Store) inTx(ctx context.Context, fn func(tx txn) error) (err error) {
	tx, err := s.e.begin(ctx)
	if err != nil {
		return fmt.Errorf("store: begin a transaction: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.rollback(ctx)
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.commit(ctx); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// JobCounts counts River's jobs by state (available, running, retryable, completed, …),
// for the queue-depth metrics. Completed jobs stay counted until River's cleaner removes
// them (a day by default).
func (s *Store) JobCounts(ctx context.Context) (map[string]int, error) {
	rs, err := s.e.query(ctx, `SELECT state, COUNT(*) FROM river_job GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("store: count jobs: %w", err)
	}
	defer rs.Close()
	counts := map[string]int{}
	for rs.Next() {
		var state string
		var n int64
		if err := rs.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("store: count jobs: %w", err)
		}
		counts[state] = int(n)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("store: count jobs: %w", err)
	}
	return counts, nil
}

// CountJobs counts the jobs of one kind in any state, completed included (until River's
// cleaner removes them).
func (s *Store) CountJobs(ctx context.Context, kind string) (int, error) {
	var n int64
	if err := s.e.queryRow(ctx, `SELECT COUNT(*) FROM river_job WHERE kind = ?`, kind).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count %s jobs: %w", kind, err)
	}
	return int(n), nil
}
