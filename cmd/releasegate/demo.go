package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/demo"
	"github.com/releasegate/releasegate/errkind"
)

// DemoOptions are the inputs of `releasegate demo`.
type DemoOptions struct {
	Factory *Factory
	Once    bool
	Listen  string
	Verbose bool
}

func newDemoCmd(f *Factory) *cobra.Command {
	opts := &DemoOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Show releasegate's whole job on a sample app, against local stand-ins for Sentry, GitHub and Jira",
		Long: `Run releasegate end to end on a sample app, with nothing to set up: local stand-ins for
Sentry, GitHub and Jira (the fakes releasegate's tests use) start in this process on loopback,
and so does the service (serve's code, SQLite in a temporary folder).

Two versions of the app go through the GitHub Action (validate, inject, upload, commits,
ownership sync, release, deploy); the real sentry-go SDK sends their users' errors; the gate
passes v1 and fails v2 on a new TypeError; GitHub's deployment protection rule for v2 is
rejected; Sentry's webhook for the new issue becomes a PR comment, a Jira ticket and a fix pull
request. Then the decision page stays up until Ctrl-C (--once ends at once).

Run it from a clone of the repository: the stand-ins check every call against the API
descriptions vendored in testdata/external.`,
		Example: `  go run ./cmd/releasegate demo
  go run ./cmd/releasegate demo --once`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := commandContext(cmd)
			defer stop()
			return demoRun(ctx, opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Once, "once", false, "end after the last step instead of serving the decision page until Ctrl-C")
	fl.StringVar(&opts.Listen, "listen", "127.0.0.1:0", "the service's address (loopback and a free port by default)")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "also print the action's and the gate's own output")
	return cmd
}

func demoRun(ctx context.Context, opts *DemoOptions) error {
	f := opts.Factory
	_, err := demo.Run(ctx, demo.Options{
		Out: f.IO.Out, ErrOut: f.IO.ErrOut, Once: opts.Once, Listen: opts.Listen, Verbose: opts.Verbose,
		Releasegate: func(_ context.Context, inv demo.Invocation) (int, error) {
			return executeWith(demoFactory(f, inv), inv.Args)
		},
	})
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return errkind.Wrap(errkind.Undecided, fmt.Errorf("the demo stopped: %w", err))
	}
	return nil
}

// demoFactory is the surroundings of one command the demo runs: its own environment and
// folder (nothing of the process's, as a CI step's), its streams, the process's transport.
func demoFactory(base *Factory, inv demo.Invocation) *Factory {
	getenv, environ := fixedEnv(maps.Clone(inv.Env))
	dir := inv.Dir
	out, errOut := inv.Out, inv.ErrOut
	if out == nil {
		out = io.Discard
	}
	if errOut == nil {
		errOut = io.Discard
	}
	return &Factory{
		IO:     &IOStreams{In: strings.NewReader(""), Out: out, ErrOut: errOut},
		Getenv: getenv, Environ: environ,
		WorkDir:   func() (string, error) { return dir, nil },
		HomeDir:   func() (string, error) { return dir, nil },
		Transport: base.Transport,
		Logger:    slog.New(slog.DiscardHandler),
	}
}
