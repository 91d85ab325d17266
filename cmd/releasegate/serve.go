package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/bot"
	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/serveconf"
	"github.com/releasegate/releasegate/internal/store"
)

// ServeOptions are the inputs of `releasegate serve`.
type ServeOptions struct {
	Factory *Factory
	Flags   serveconf.Flags
	// ShutdownGrace is how long in-flight requests and jobs get to finish on SIGTERM; jobs
	// still running then go back to the queue.
	ShutdownGrace time.Duration
	// JobTimeout bounds one attempt of a job (0: store.DefaultJobTimeout); a job a killed
	// process left running is retried store.DefaultRescueMargin after it.
	JobTimeout time.Duration
	// Listening, when set, is told the address the server listens on (tests listen on :0).
	Listening func(addr string)
}

func newServeCmd(f *Factory) *cobra.Command {
	opts := &ServeOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the GitHub App: deployment protection rule, decision pages, gate API",
		Long: `Run releasegate as a GitHub App service.

It receives GitHub's and Sentry's webhooks (POST /webhooks/github, /webhooks/sentry),
answers deployment protection rules from the gate's evaluation, puts the report on the
commit as a check run, serves the decision pages (/decisions) and the gate API for Argo
Rollouts and Flagger (/api/v1/gate, /api/v1/flagger/{hook}), and /healthz, /readyz and
/metrics.

State and jobs live in SQLite (./releasegate.db, the default) or, with --database-url
postgres://…, in Postgres shared by any number of replicas.

Configuration comes from flags and RELEASEGATE_* variables (secrets also from *_FILE),
and each GitHub owner's Sentry connection from the file --config names: docs/app.md.`,
		Example: `  RELEASEGATE_GITHUB_APP_ID=123456 RELEASEGATE_GITHUB_PRIVATE_KEY_FILE=app.pem \
  RELEASEGATE_GITHUB_WEBHOOK_SECRET_FILE=webhook-secret \
  releasegate serve --config releasegate-serve.yml --public-url https://gate.example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := commandContext(cmd)
			defer stop()
			return serveRun(ctx, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Flags.Listen, "listen", "", "address to listen on (default :8080; env RELEASEGATE_LISTEN)")
	fl.StringVar(&opts.Flags.PublicURL, "public-url", "", "where GitHub and people reach the service, for links (env RELEASEGATE_PUBLIC_URL)")
	fl.StringVar(&opts.Flags.DatabaseURL, "database-url", "", "SQLite file or postgres:// URL (default releasegate.db; env RELEASEGATE_DATABASE_URL)")
	fl.StringVar(&opts.Flags.Config, "config", "", "the installations file: each GitHub owner's Sentry (env RELEASEGATE_CONFIG)")
	fl.StringVar(&opts.Flags.Uncovered, "uncovered", "", "what a deployment no policy covers gets: approve or reject (default approve)")
	fl.DurationVar(&opts.JobTimeout, "job-timeout", store.DefaultJobTimeout, "how long one attempt of a job may take; a killed replica's jobs are retried a minute after it")
	fl.DurationVar(&opts.ShutdownGrace, "shutdown-grace", 30*time.Second, "how long in-flight work gets to finish on SIGTERM")
	return cmd
}

func serveRun(ctx context.Context, opts *ServeOptions) error {
	f := opts.Factory
	log := f.Logger
	cfg, err := loadAppConfig(f, opts.Flags)
	if err != nil {
		return err
	}
	reporter, err := bot.NewSelfReporter(cfg.SentryDSN.Reveal(), buildVersion(), f.Transport, log)
	if err != nil {
		return errkind.Wrap(errkind.Config, err)
	}
	defer reporter.Flush(5 * time.Second)
	b, err := newAppBot(f, cfg, bot.NewMetrics(nil), reporter.Panic, nil)
	if err != nil {
		return err
	}
	st, err := openAppStore(ctx, f, cfg, store.Options{
		Workers: b.Workers(), PeriodicJobs: b.PeriodicJobs(), Logger: log, ErrorHandler: reporter, JobTimeout: opts.JobTimeout,
	})
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }() // after Stop: nothing left to lose
	b.SetStore(st)

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", cfg.Listen)
	if err != nil {
		return errkind.WithHint(errkind.Config, fmt.Errorf("listening on %s: %w", cfg.Listen, err), "choose another --listen address")
	}
	srv := bot.NewServer(cfg.Listen, b.Handler())
	if err := st.Start(ctx); err != nil {
		_ = ln.Close() // never served
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	addr := ln.Addr().String()
	log.Info("serving", "addr", addr, "store", st.Engine(), "installations", len(cfg.Installations))
	fmt.Fprintf(f.IO.ErrOut, "releasegate serve: listening on %s (store: %s)\n", addr, st.Engine())
	if opts.Listening != nil {
		opts.Listening(addr)
	}

	select {
	case err := <-served:
		return fmt.Errorf("the HTTP server stopped: %w", err)
	case <-ctx.Done():
	}
	// SIGTERM: stop taking requests, let those in flight finish, then let running jobs finish
	// or return to the queue.
	grace := opts.ShutdownGrace
	if grace <= 0 {
		grace = 30 * time.Second
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	fmt.Fprintln(f.IO.ErrOut, "releasegate serve: shutting down")
	httpErr := srv.Shutdown(shutdown)
	jobsErr := st.Stop(shutdown)
	if err := errors.Join(httpErr, jobsErr); err != nil {
		return errkind.Wrap(errkind.Undecided, fmt.Errorf("shutting down: %w", err))
	}
	return nil
}
