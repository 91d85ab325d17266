package jira

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Backoff between retries after server errors: exponential, capped, with equal jitter.
const (
	backoffBase = 500 * time.Millisecond
	backoffMax  = 10 * time.Second
	// defaultLimitWait is the wait after a 429 that names none.
	defaultLimitWait = 10 * time.Second
	// maxServerWait bounds what a header may ask for, so garbage cannot overflow a Duration.
	maxServerWait = 24 * time.Hour
)

// Per-call settings travel in the request's context.
type (
	retrySafeKey struct{}
	attemptsKey  struct{}
)

type attempts struct{ n int }

func withAttempts(ctx context.Context, a *attempts) context.Context {
	return context.WithValue(ctx, attemptsKey{}, a)
}

func withRetrySafe(ctx context.Context) context.Context {
	return context.WithValue(ctx, retrySafeKey{}, true)
}

// origin is a URL's scheme, host and port: the unit credentials are bound to.
type origin struct{ scheme, host, port string }

func originOf(u *url.URL) origin {
	o := origin{scheme: strings.ToLower(u.Scheme), host: strings.ToLower(u.Hostname()), port: u.Port()}
	if o.port == "" {
		o.port = map[string]string{"https": "443", "http": "80"}[o.scheme]
	}
	return o
}

// isLoopback reports whether host is this machine, where plain http is read by nobody else.
func isLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// guardTransport runs for every hop, redirects included: it sets the credentials only on
// requests to the configured origin, refuses plain http off this machine, and sets the user
// agent.
type guardTransport struct {
	next          http.RoundTripper
	origin        origin
	auth          string
	allowInsecure bool
	userAgent     string
}

func (t *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !isLoopback(req.URL.Hostname()) && !t.allowInsecure {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &InsecureURLError{URL: req.URL.Redacted()}
	}
	r := req.Clone(req.Context())
	r.Header.Set("User-Agent", t.userAgent)
	r.Header.Del("Authorization")
	if originOf(req.URL) == t.origin {
		r.Header.Set("Authorization", t.auth)
	}
	return t.next.RoundTrip(r)
}

// retryTransport retries what is safe to retry, bounds every attempt, and buffers answers so
// that a connection cut mid-answer is one more failed attempt.
type retryTransport struct {
	next       http.RoundTripper
	maxRetries int
	maxWait    time.Duration
	attempt    time.Duration
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error
	log        *slog.Logger
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	tries, _ := ctx.Value(attemptsKey{}).(*attempts)
	safe := idempotent(req)
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
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
			tries.n = n
		}
		wait, reason, retry := t.decide(ctx, safe, n, resp, err)
		if !retry || !rewindable || n > t.maxRetries || wait > t.maxWait {
			return resp, err
		}
		if resp != nil {
			resp.Body.Close()
		}
		t.log.LogAttrs(ctx, slog.LevelInfo, "jira: retrying",
			slog.String("method", req.Method), slog.String("path", req.URL.EscapedPath()),
			slog.String("reason", reason), slog.Int("attempt", n), slog.Duration("wait", wait))
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// AttemptTimeoutError is one attempt that took longer than Options.AttemptTimeout.
type AttemptTimeoutError struct{ Wait time.Duration }

func (e *AttemptTimeoutError) Error() string {
	return fmt.Sprintf("no complete answer within %s (a stalled or dripping server)", e.Wait)
}

// Timeout reports true, as net.Error timeouts do.
func (e *AttemptTimeoutError) Timeout() bool { return true }

// once sends r and reads its whole answer within the attempt timeout.
func (t *retryTransport) once(r *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(r.Context())
	defer cancel(nil)
	if t.attempt > 0 {
		timer := time.AfterFunc(t.attempt, func() { cancel(&AttemptTimeoutError{Wait: t.attempt}) })
		defer timer.Stop()
	}
	resp, err := t.next.RoundTrip(r.WithContext(ctx))
	if err == nil {
		var data []byte
		data, err = io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
		resp.Body.Close()
		switch {
		case err == nil && len(data) > maxResponseBody:
			err = fmt.Errorf("the answer is larger than %d MiB", maxResponseBody>>20)
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

// decide says whether an attempt's outcome is worth another try, after how long, and why.
func (t *retryTransport) decide(ctx context.Context, safe bool, n int, resp *http.Response, err error) (time.Duration, string, bool) {
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", false
		}
		var insecure *InsecureURLError
		if errors.As(err, &insecure) {
			return 0, "", false
		}
		if safe || notSent(err) {
			return backoff(n), "network error: " + err.Error(), true
		}
		return 0, "", false
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		// A rate-limited request was not processed, so any method may go again.
		wait, ok := retryAfter(resp.Header, t.now())
		if !ok {
			wait = max(defaultLimitWait, backoff(n))
		}
		return wait, "rate limited (" + resp.Status + ")", true
	}
	if resp.StatusCode == http.StatusServiceUnavailable && safe {
		// Jira's 503 may name its wait; unlike a 429 it does not promise the request was
		// turned away, so only what may be sent twice goes again (never a second issue).
		if wait, ok := retryAfter(resp.Header, t.now()); ok {
			return wait, resp.Status + " with Retry-After", true
		}
	}
	if resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented && safe {
		return backoff(n), resp.Status, true
	}
	return 0, "", false
}

// retryAfter reads Retry-After (seconds or an HTTP date), else X-RateLimit-Reset (an ISO
// time, as Jira Cloud sends it).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			return min(time.Duration(min(secs, maxServerWait.Seconds())*float64(time.Second)), maxServerWait), true
		}
		if at, err := http.ParseTime(v); err == nil {
			return min(max(at.Sub(now), 0), maxServerWait), true
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if at, err := time.Parse(time.RFC3339, v); err == nil {
			return min(max(at.Sub(now), 0), maxServerWait), true
		}
	}
	return 0, false
}

// idempotent reports whether req may be sent twice with the same effect.
func idempotent(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	}
	safe, _ := req.Context().Value(retrySafeKey{}).(bool)
	return safe
}

// notSent reports whether err happened before the request could reach the server.
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// backoff is the wait before retry number n (1-based).
func backoff(n int) time.Duration {
	d := backoffMax
	if n < 16 {
		d = min(backoffBase<<(n-1), backoffMax)
	}
	half := d / 2
	return half + rand.N(half+1)
}
