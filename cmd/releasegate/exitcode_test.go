package main

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/gateevidence"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/sourcemaps"
)

// TestExitCodeOf pins the one mapping from what went wrong to the exit code, for each kind,
// for cmd's own errors, and for shared code's errors as they reach a command.
func TestExitCodeOf(t *testing.T) {
	t.Parallel()
	plain := errors.New("unknown flag: --nope")
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"no error", nil, exitOK},
		{"an error of no kind (cobra's)", plain, exitUsage},
		{"usage", errkind.Wrap(errkind.Usage, plain), exitUsage},
		{"config", errkind.Wrap(errkind.Config, plain), exitUsage},
		{"undecided", errkind.Wrap(errkind.Undecided, plain), exitUndecided},
		{"verdict", errkind.Wrap(errkind.Verdict, plain), exitNo},
		{"wrapped further", fmt.Errorf("phase: %w", errkind.Wrap(errkind.Verdict, plain)), exitNo},
		{"cmd's usage error", usageErrorf("--wait must not be negative"), exitUsage},
		{"cmd's verdict", verdictNo(), exitNo},
		{"cmd's undecided", &exitError{code: exitUndecided}, exitUndecided},
		{"a time limit", &timeLimitError{command: "releasegate gate", limit: time.Minute}, exitUndecided},
		{"a policy that does not load", &gate.PolicyError{}, exitUsage},
		{"a map the spec rejects", &sourcemaps.MapError{}, exitNo},
		{"the gate cut short", &gateevidence.UndecidedError{While: "asking Sentry", Err: context.Canceled}, exitUndecided},
		{"a token Sentry rejects", sentryError("creating release 1.2.3", &sentryapi.APIError{Status: 401}), exitUsage},
		{"Sentry down", sentryError("creating release 1.2.3", &sentryapi.APIError{Status: 503}), exitUndecided},
		{"Sentry unreachable", sentryError("creating release 1.2.3", errors.New("dial tcp: connection refused")), exitUndecided},
		{"a 400 with a hint", sentryFailed("creating release 1.2.3", &sentryapi.APIError{Status: 400}, "check --project"), exitUsage},
		{"a 400 without one", sentryFailed("creating release 1.2.3", &sentryapi.APIError{Status: 400}, ""), exitUndecided},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := exitCodeOf(tt.err); got != tt.want {
				t.Errorf("exitCodeOf(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

// TestSentryErrorMessage: a refusal of the configuration says where the scopes are listed;
// an outage says only what failed.
func TestSentryErrorMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		want, hint string
	}{
		{"refused", &sentryapi.APIError{Op: "create release", Method: "POST", Path: "/p", Status: 403},
			"creating: sentryapi: create release: POST /p: 403 Forbidden; " + tokenDoc, tokenDoc},
		{"down", &sentryapi.APIError{Op: "create release", Method: "POST", Path: "/p", Status: 503},
			"creating: sentryapi: create release: POST /p: 503 Service Unavailable", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := sentryError("creating", tt.err)
			if got := err.Error(); got != tt.want {
				t.Errorf("message %q, want %q", got, tt.want)
			}
			if got := errkind.HintOf(err); got != tt.hint {
				t.Errorf("hint %q, want %q", got, tt.hint)
			}
		})
	}
}
