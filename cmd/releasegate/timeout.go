package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/errkind"
)

// Every command that talks to Sentry has a time limit, --timeout, with a default that fits
// its work: without one, a hung or dripping server could hold a CI job until the job's own
// limit (hours). The client bounds each call (stall and answer timeouts, a retry budget); the
// command's limit bounds them all, so it holds however many calls a command makes.

// Default time limits per command.
const (
	timeoutSentryCheck = 30 * time.Second
	timeoutRelease     = 2 * time.Minute
	timeoutOwnership   = 5 * time.Minute
	timeoutGate        = 5 * time.Minute  // on top of --wait
	timeoutUpload      = 30 * time.Minute // large builds on slow links
)

// registerTimeout adds --timeout with the command's default, shown in --help.
func registerTimeout(cmd *cobra.Command, def time.Duration, extra string) {
	usage := "give up after this long (exit 3, naming the request that was waiting); 0 for no limit"
	if extra != "" {
		usage += "; " + extra
	}
	cmd.Flags().Duration("timeout", def, usage)
}

// timeLimitError is the cause of a command's context when its --timeout passes.
type timeLimitError struct {
	command string
	limit   time.Duration
}

func (e *timeLimitError) Error() string {
	return fmt.Sprintf("%s's time limit of %s (--timeout) passed", e.command, e.limit)
}

// Is lets errors.Is(err, context.DeadlineExceeded) hold for the cause too.
func (e *timeLimitError) Is(target error) bool { return target == context.DeadlineExceeded }

// ErrorKind is errkind.Undecided: the command ran out of time before it could answer.
func (e *timeLimitError) ErrorKind() errkind.Kind { return errkind.Undecided }

// commandContext is the context of a command's run: cancelled on SIGINT or SIGTERM (a CI
// cancel), and bounded by the command's --timeout (plus its --wait, when it has one: waiting
// was asked for).
func commandContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	limit, err := cmd.Flags().GetDuration("timeout")
	if err != nil || limit <= 0 {
		return ctx, stop
	}
	if w, err := cmd.Flags().GetDuration("wait"); err == nil && w > 0 {
		limit += w
	}
	ctx, cancel := context.WithTimeoutCause(ctx, limit, &timeLimitError{command: cmd.CommandPath(), limit: limit})
	return ctx, func() { cancel(); stop() }
}
