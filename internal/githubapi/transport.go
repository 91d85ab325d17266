package githubapi

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

	"github.com/bradleyfalzon/ghinstallation/v2"
)

// Backoff between retries after server errors: exponential, capped, with equal jitter.
const (
	backoffBase = 500 * time.Millisecond
	backoffMax  = 10 * time.Second
	// secondaryDefaultWait is GitHub's advice for a secondary rate limit that names no wait:
	// "wait for at least one minute before retrying".
	secondaryDefaultWait = time.Minute
	// maxServerWait bounds what a header may ask for, so garbage cannot overflow a Duration.
	maxServerWait = 24 * time.Hour
)

// Per-call settings travel in the request's context, through go-github and ghinstallation.
type (
	retrySafeKey struct{}
	attemptsKey  struct{}
)

type attempts struct{ n int }

func withAttempts(ctx context.Context, a *attempts) context.Context {
	return context.WithValue(ctx, attemptsKey{}, a)
}

// withRetrySafe marks a POST as safe to send again after a server error.
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

// guardTransport sits under the credentials (ghinstallation sets them on every request, the
// hops of a redirect included): it removes them from any request to another origin, refuses
// plain http off this machine, sets the user agent, and reports rate-limit headers.
type guardTransport struct {
	next          http.RoundTripper
	origin        origin
	allowInsecure bool
	userAgent     string
	installation  int64
	observe       func(RateLimit)
	now           func() time.Time
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
	if originOf(req.URL) != t.origin {
		r.Header.Del("Authorization")
	}
	resp, err := t.next.RoundTrip(r)
	if err == nil && t.observe != nil {
		if rl, ok := rateLimitOf(resp.Header); ok {
			rl.Installation = t.installation
			t.observe(rl)
		}
	}
	return resp, err
}

// rateLimitOf reads GitHub's x-ratelimit-* headers.
func rateLimitOf(h http.Header) (RateLimit, bool) {
	limit, err1 := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	remaining, err2 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	if err1 != nil || err2 != nil {
		return RateLimit{}, false
	}
	rl := RateLimit{Resource: h.Get("X-RateLimit-Resource"), Limit: limit, Remaining: remaining}
	rl.Used, _ = strconv.Atoi(h.Get("X-RateLimit-Used"))
	if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		rl.Reset = time.Unix(reset, 0)
	}
	return rl, true
}

// retryTransport retries what is safe to retry, bounds every attempt, and buffers answers so
// that a connection cut mid-answer is one more failed attempt.
type retryTransport struct {
	next       http.RoundTripper
	maxRetries int
	maxWait    time.Duration
	attempt    time.Duration // <= 0: none
	budget     time.Duration // <= 0: none
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error
	log        *slog.Logger
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	tries, _ := ctx.Value(attemptsKey{}).(*attempts)
	safe := idempotent(req)
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	first := t.now()
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
		if t.budget > 0 && t.now().Add(wait).Sub(first) > t.budget {
			t.log.LogAttrs(ctx, slog.LevelInfo, "github api: retry budget spent",
				slog.String("method", req.Method), slog.String("path", req.URL.EscapedPath()),
				slog.String("reason", reason), slog.Int("attempts", n))
			return resp, err
		}
		if resp != nil {
			resp.Body.Close()
		}
		t.log.LogAttrs(ctx, slog.LevelInfo, "github api: retrying",
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
		// The installation token could not be minted: the request itself was never sent,
		// so retrying is safe whatever it is; a refusal of the App's key is not worth it.
		var he *ghinstallation.HTTPError
		if errors.As(err, &he) {
			if he.Response == nil {
				return backoff(n), "installation token: " + err.Error(), true
			}
			if wait, limited := rateLimitWait(he.Response, t.now()); limited {
				return wait, "installation token: rate limited", true
			}
			if he.Response.StatusCode >= 500 {
				return backoff(n), "installation token: " + he.Response.Status, true
			}
			return 0, "", false
		}
		if safe || notSent(err) {
			return backoff(n), "network error: " + err.Error(), true
		}
		return 0, "", false
	}
	if wait, limited := rateLimitWait(resp, t.now()); limited {
		// A rate-limited request was not processed, so any method may go again.
		return wait, "rate limited (" + resp.Status + ")", true
	}
	if resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented && safe {
		return backoff(n), resp.Status, true
	}
	return 0, "", false
}

// rateLimitWait reports whether resp is a primary or secondary rate limit, and how long GitHub
// asks to wait: Retry-After; else, with x-ratelimit-remaining 0, until x-ratelimit-reset; else
// (a secondary limit naming no wait) a minute. A 403 without any of these is a permission
// refusal, not a limit.
func rateLimitWait(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil || resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	h := resp.Header
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			return min(time.Duration(min(secs, maxServerWait.Seconds())*float64(time.Second)), maxServerWait), true
		}
		if at, err := http.ParseTime(v); err == nil {
			return min(max(at.Sub(now), 0), maxServerWait), true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			if reset > now.Unix()+int64(maxServerWait/time.Second) {
				return maxServerWait, true
			}
			return min(max(time.Unix(reset, 0).Sub(now), 0), maxServerWait), true
		}
		return secondaryDefaultWait, true
	}
	if resp.StatusCode == http.StatusTooManyRequests || secondaryLimitMessage(resp) {
		return secondaryDefaultWait, true
	}
	return 0, false
}

// secondaryLimitMessage reads a buffered 403's body for GitHub's secondary-limit message,
// which some such answers carry without a Retry-After.
func secondaryLimitMessage(resp *http.Response) bool {
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body = io.NopCloser(bytes.NewReader(data))
	if err != nil {
		return false
	}
	m := strings.ToLower(messageOf(data))
	return strings.Contains(m, "secondary rate limit") || strings.Contains(m, "abuse detection")
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
