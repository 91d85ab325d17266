package apiclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Backoff between retries after server errors: exponential, capped, with "equal jitter" (half
// fixed, half random) so that many jobs failing together do not retry in lockstep.
const (
	BackoffBase = 500 * time.Millisecond
	BackoffMax  = 10 * time.Second
)

// MaxServerWait bounds what a header may ask for, so a garbage value cannot overflow a
// time.Duration; each client then decides whether to wait that long at all.
const MaxServerWait = 24 * time.Hour

// Backoff is the wait before retry number n (1-based).
func Backoff(n int) time.Duration {
	d := BackoffMax
	if n < 16 {
		d = min(BackoffBase<<(n-1), BackoffMax)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// Per-request settings travel in the request's context, so that they survive the http.Client
// (which clones requests for redirects) and the libraries between a call and the transport.
type (
	retrySafeKey struct{}
	attemptsKey  struct{}
)

// WithRetrySafe marks a POST as safe to send again after a server error or a network error.
func WithRetrySafe(ctx context.Context) context.Context {
	return context.WithValue(ctx, retrySafeKey{}, true)
}

// Idempotent reports whether req may be sent twice with the same effect: by its method, or
// because its context says so (WithRetrySafe).
func Idempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	safe, _ := req.Context().Value(retrySafeKey{}).(bool)
	return safe
}

// NotSent reports whether err happened before the request could reach the server (so any
// request may go again).
func NotSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// Attempts receives how many times Retry sent a request.
type Attempts struct{ N int }

// WithAttempts asks Retry to count the attempts of the requests made with ctx into a.
func WithAttempts(ctx context.Context, a *Attempts) context.Context {
	return context.WithValue(ctx, attemptsKey{}, a)
}

// RetryAfter parses a Retry-After value: a non-negative number of seconds (fractions are
// tolerated) or an HTTP date; a date in the past means now (0). The wait is capped at
// MaxServerWait.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		return Seconds(secs)
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return ClampWait(t.Sub(now)), true
}

// Seconds is a server's wait given in seconds, capped at MaxServerWait; false for a negative
// or not-a-number value.
func Seconds(secs float64) (time.Duration, bool) {
	if math.IsNaN(secs) || secs < 0 {
		return 0, false
	}
	if secs >= MaxServerWait.Seconds() { // also +Inf
		return MaxServerWait, true
	}
	return time.Duration(secs * float64(time.Second)), true
}

// ClampWait bounds a wait to [0, MaxServerWait].
func ClampWait(d time.Duration) time.Duration {
	return min(max(d, 0), MaxServerWait)
}

// AttemptTimeoutError is one attempt that took longer than its bound.
type AttemptTimeoutError struct{ Wait time.Duration }

func (e *AttemptTimeoutError) Error() string {
	return fmt.Sprintf("no complete answer within %s (a stalled or dripping server)", e.Wait)
}

// Timeout reports true, as net.Error timeouts do.
func (e *AttemptTimeoutError) Timeout() bool { return true }

// Decide says whether an attempt's outcome is worth another try, after how long, and why.
// safe is Idempotent's answer for the request; n the attempt (1-based).
type Decide func(ctx context.Context, safe bool, n int, resp *http.Response, err error) (wait time.Duration, reason string, retry bool)

// Retry retries what Decide says is worth it, bounds every attempt, and buffers each answer
// so that a connection cut mid-answer is one more failed attempt.
type Retry struct {
	Next       http.RoundTripper
	Decide     Decide
	MaxRetries int
	// MaxWait is the longest wait a server may ask for and still be waited out.
	MaxWait time.Duration
	// Attempt bounds each attempt, the answer's body read included; Budget the whole of a
	// call's retrying (both <= 0: none).
	Attempt, Budget time.Duration
	// MaxBody bounds an answer's body.
	MaxBody int64
	Now     func() time.Time
	Sleep   func(context.Context, time.Duration) error
	Log     *slog.Logger
	// Name opens the log lines ("github api", "jira").
	Name string
}

// RoundTrip sends req until Decide says stop, a limit is reached, or ctx ends.
func (t *Retry) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	tries, _ := ctx.Value(attemptsKey{}).(*Attempts)
	safe := Idempotent(req)
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	first := t.Now()
	for n := 1; ; n++ {
		r := req
		if n > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := t.once(r)
		if tries != nil {
			tries.N = n
		}
		wait, reason, retry := t.Decide(ctx, safe, n, resp, err)
		if !retry || !rewindable || n > t.MaxRetries || wait > t.MaxWait {
			return resp, err
		}
		if t.Budget > 0 && t.Now().Add(wait).Sub(first) > t.Budget {
			t.Log.LogAttrs(ctx, slog.LevelInfo, t.Name+": retry budget spent",
				slog.String("method", req.Method), slog.String("path", req.URL.EscapedPath()),
				slog.String("reason", reason), slog.Int("attempts", n))
			return resp, err
		}
		if resp != nil {
			resp.Body.Close()
		}
		t.Log.LogAttrs(ctx, slog.LevelInfo, t.Name+": retrying",
			slog.String("method", req.Method), slog.String("path", req.URL.EscapedPath()),
			slog.String("reason", reason), slog.Int("attempt", n), slog.Duration("wait", wait))
		if err := t.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// once sends r and reads its whole answer within the attempt's bound.
func (t *Retry) once(r *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	if t.Attempt > 0 {
		timer := time.AfterFunc(t.Attempt, func() { cancel(&AttemptTimeoutError{Wait: t.Attempt}) })
		defer timer.Stop()
	}
	resp, err := t.Next.RoundTrip(r.WithContext(ctx))
	if err == nil {
		var data []byte
		data, err = io.ReadAll(io.LimitReader(resp.Body, t.MaxBody+1))
		resp.Body.Close()
		switch {
		case err == nil && int64(len(data)) > t.MaxBody:
			err = fmt.Errorf("the answer is larger than %d MiB", t.MaxBody>>20)
		case err == nil:
			resp.Body = io.NopCloser(bytes.NewReader(data))
			return resp, nil
		}
	}
	var te *AttemptTimeoutError
	if errors.As(context.Cause(ctx), &te) && r.Context().Err() == nil {
		return nil, te
	}
	return nil, err
}
