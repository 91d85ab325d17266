package sentryapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/releasegate/releasegate/internal/apiclient"
)

// Per-request settings travel in the request context, so that they survive the http.Client
// (which clones requests for redirects) and reach the middlewares below.
type (
	attemptsKey   struct{}
	authOriginKey struct{}
)

// attempts receives how many times the retry middleware sent a request.
type attempts struct{ n int }

func withAttempts(ctx context.Context, a *attempts) context.Context {
	return context.WithValue(ctx, attemptsKey{}, a)
}

// withAuthOrigin allows the Authorization header on one more origin: the chunk upload URL Sentry
// hands out may be an absolute URL on a region host, which chunkURL has checked.
func withAuthOrigin(ctx context.Context, o apiclient.Origin) context.Context {
	return context.WithValue(ctx, authOriginKey{}, o)
}

// headerTransport sets the user agent, and the bearer token for the configured Sentry origin
// only (scheme, host and port: never over a downgrade to http, never to another port).
type headerTransport struct {
	next      http.RoundTripper
	token     string
	userAgent string
	origin    apiclient.Origin
}

func (t *headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context()) // a RoundTripper must not change the caller's request
	r.Header.Set("User-Agent", t.userAgent)
	o := apiclient.OriginOf(req.URL)
	if extra, ok := req.Context().Value(authOriginKey{}).(apiclient.Origin); o == t.origin || ok && o == extra {
		r.Header.Set("Authorization", "Bearer "+t.token)
	} else {
		r.Header.Del("Authorization")
	}
	return t.next.RoundTrip(r)
}

// logTransport logs each HTTP attempt at debug level, with credentials redacted.
type logTransport struct {
	next http.RoundTripper
	log  *slog.Logger
}

func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !t.log.Enabled(ctx, slog.LevelDebug) {
		return t.next.RoundTrip(req)
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	attrs := []slog.Attr{
		slog.String("method", req.Method),
		slog.String("url", req.URL.Redacted()),
		slog.Any("request_headers", headerAttrs(req.Header)),
		slog.Duration("duration", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	} else {
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.Any("response_headers", headerAttrs(resp.Header)))
	}
	t.log.LogAttrs(ctx, slog.LevelDebug, "sentry api request", attrs...)
	return resp, err
}

// headerAttrs renders headers for a log line, replacing credentials.
func headerAttrs(h http.Header) slog.Value {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	attrs := make([]slog.Attr, 0, len(keys))
	for _, k := range keys {
		v := strings.Join(h[k], ", ")
		switch http.CanonicalHeaderKey(k) {
		case "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie":
			v = redacted
		}
		attrs = append(attrs, slog.String(k, v))
	}
	return slog.GroupValue(attrs...)
}

// retryTransport retries what is safe to retry (see the package documentation).
type retryTransport struct {
	next       http.RoundTripper
	maxRetries int
	maxWait    time.Duration
	stall      time.Duration // see Options.StallTimeout; <= 0: none
	answer     time.Duration // see Options.AnswerTimeout; <= 0: none
	budget     time.Duration // see Options.RetryBudget; <= 0: none
	now        func() time.Time
	sleep      func(context.Context, time.Duration) error
	log        *slog.Logger
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	tries, _ := ctx.Value(attemptsKey{}).(*attempts)
	safe := apiclient.Idempotent(req)
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	first := t.now()
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 && req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		resp, err := t.attempt(r)
		if err == nil && safe {
			// Read the whole answer now: a connection cut in the middle of it is then one
			// more network error to retry, rather than a failure while decoding it.
			resp, err = bufferBody(resp)
		}
		if tries != nil {
			tries.n = attempt
		}
		wait, reason, retry := t.decide(ctx, safe, attempt, resp, err)
		if !retry || !rewindable || attempt > t.maxRetries {
			return resp, err
		}
		if wait > t.maxWait {
			// Waiting that long is the caller's decision: the error carries RetryAfter.
			return resp, err
		}
		if t.budget > 0 && t.now().Add(wait).Sub(first) > t.budget {
			// The call has tried long enough: a server that hangs every attempt must not
			// cost every attempt's timeouts.
			t.log.LogAttrs(ctx, slog.LevelInfo, "sentry api: retry budget spent",
				slog.String("method", req.Method), slog.String("path", req.URL.EscapedPath()),
				slog.String("reason", reason), slog.Int("attempts", attempt), slog.Duration("budget", t.budget))
			return resp, err
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
		}
		t.log.LogAttrs(ctx, slog.LevelInfo, "sentry api: retrying",
			slog.String("method", req.Method), slog.String("path", req.URL.EscapedPath()),
			slog.String("reason", reason), slog.Int("attempt", attempt), slog.Duration("wait", wait))
		if err := t.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// bufferBody replaces resp's body with its content, read in full (up to the client's limit).
func bufferBody(resp *http.Response) (*http.Response, error) {
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp, nil
}

// attempt sends req once. Unless stall is off, the attempt is abandoned when it makes no
// progress for t.stall: the caller's transport may have no timeouts at all.
func (t *retryTransport) attempt(req *http.Request) (*http.Response, error) {
	if t.stall <= 0 && t.answer <= 0 {
		return t.next.RoundTrip(req)
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	g := &stallGuard{d: t.stall, answer: t.answer, phase: "connecting and sending the request"}
	g.timer = time.AfterFunc(forever(t.stall), func() { cancel(g.err()) })
	g.cancel = cancel
	r := req.WithContext(ctx)
	if req.Body != nil && req.Body != http.NoBody {
		r.Body = &guardedRequestBody{ReadCloser: req.Body, g: g}
		if req.GetBody != nil {
			// The transport rewinds the body itself when a reused connection turns out dead.
			r.GetBody = func() (io.ReadCloser, error) {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				return &guardedRequestBody{ReadCloser: body, g: g}, nil
			}
		}
	} else {
		g.progress("waiting for the response")
	}
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		g.stop()
		cancel(nil)
		var se *StallError
		if errors.As(context.Cause(ctx), &se) && req.Context().Err() == nil {
			return nil, se
		}
		return nil, err
	}
	g.progress("reading the response")
	resp.Body = &guardedResponseBody{ReadCloser: resp.Body, g: g, ctx: ctx, cancel: cancel}
	return resp, nil
}

// StallError is a request attempt abandoned because it made no progress for
// Options.StallTimeout, or, with Answer set, because its answer took longer than
// Options.AnswerTimeout.
type StallError struct {
	// Wait is the timeout that passed; Phase says what the attempt was doing.
	Wait  time.Duration
	Phase string
	// Answer says the answer as a whole took too long (a server dripping bytes), rather than
	// stalling.
	Answer bool
}

func (e *StallError) Error() string {
	if e.Answer {
		return fmt.Sprintf("the answer took longer than %s, arriving too slowly (a server dripping bytes)", e.Wait)
	}
	return fmt.Sprintf("no progress for %s while %s (the server stalled)", e.Wait, e.Phase)
}

// forever turns "no limit" (<= 0) into a timer that does not fire in a process's lifetime.
func forever(d time.Duration) time.Duration {
	if d <= 0 {
		return 1<<63 - 1
	}
	return d
}

// Timeout reports true, as net.Error timeouts do.
func (e *StallError) Timeout() bool { return true }

// stallGuard restarts the stall timer on every sign of progress, and starts the answer timer
// once the request is sent.
type stallGuard struct {
	d      time.Duration
	answer time.Duration
	timer  *time.Timer
	cancel context.CancelCauseFunc
	mu     sync.Mutex
	phase  string
	// answerTimer runs from the end of the request; nil before.
	answerTimer *time.Timer
}

func (g *stallGuard) progress(phase string) {
	g.mu.Lock()
	if phase != "" {
		g.phase = phase
	}
	if phase == "waiting for the response" && g.answerTimer == nil && g.answer > 0 {
		g.answerTimer = time.AfterFunc(g.answer, func() {
			g.cancel(&StallError{Wait: g.answer, Phase: "reading the answer", Answer: true})
		})
	}
	g.mu.Unlock()
	g.timer.Reset(forever(g.d))
}

// stop stops both timers.
func (g *stallGuard) stop() {
	g.timer.Stop()
	g.mu.Lock()
	if g.answerTimer != nil {
		g.answerTimer.Stop()
	}
	g.mu.Unlock()
}

func (g *stallGuard) err() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return &StallError{Wait: g.d, Phase: g.phase}
}

// guardedRequestBody reports progress as the transport reads the request body; its end (or
// Close, which the transport calls once it has written the body) starts the wait for the answer.
type guardedRequestBody struct {
	io.ReadCloser
	g    *stallGuard
	done sync.Once
}

func (b *guardedRequestBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.sent()
	} else {
		b.g.progress("sending the request")
	}
	return n, err
}

func (b *guardedRequestBody) Close() error {
	b.sent()
	return b.ReadCloser.Close()
}

func (b *guardedRequestBody) sent() {
	b.done.Do(func() { b.g.progress("waiting for the response") })
}

// guardedResponseBody reports progress as the response is read, names a stall as such, and
// releases the attempt's context when closed.
type guardedResponseBody struct {
	io.ReadCloser
	g      *stallGuard
	ctx    context.Context
	cancel context.CancelCauseFunc
}

func (b *guardedResponseBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		var se *StallError
		if errors.As(context.Cause(b.ctx), &se) {
			err = se
		}
	} else {
		b.g.progress("")
	}
	return n, err
}

func (b *guardedResponseBody) Close() error {
	b.g.stop()
	err := b.ReadCloser.Close()
	b.cancel(nil)
	return err
}

// decide says whether an attempt's outcome is worth another try, after how long, and why.
func (t *retryTransport) decide(ctx context.Context, safe bool, attempt int, resp *http.Response, err error) (time.Duration, string, bool) {
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", false
		}
		// A request whose connection was never made cannot have been processed.
		if safe || apiclient.NotSent(err) {
			return apiclient.Backoff(attempt), "network error: " + err.Error(), true
		}
		return 0, "", false
	}
	status := resp.StatusCode
	switch {
	case status == http.StatusTooManyRequests:
		// Sentry's rate limiter answers before the endpoint runs, so every method may retry.
		if d, ok := serverWait(resp.Header, t.now()); ok {
			return d, "rate limited (429)", true
		}
		return apiclient.Backoff(attempt), "rate limited (429)", true
	case status >= 500 && status != http.StatusNotImplemented && status != http.StatusHTTPVersionNotSupported && safe:
		if d, ok := serverWait(resp.Header, t.now()); ok && status == http.StatusServiceUnavailable {
			return d, resp.Status, true
		}
		return apiclient.Backoff(attempt), resp.Status, true
	}
	return 0, "", false
}
