package jira

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/apiclient"
)

// defaultLimitWait is the wait after a 429 that names none.
const defaultLimitWait = 10 * time.Second

// AttemptTimeoutError is one attempt that took longer than Options.AttemptTimeout.
type AttemptTimeoutError = apiclient.AttemptTimeoutError

// guardTransport runs for every hop, redirects included: it sets the credentials only on
// requests to the configured origin, refuses plain http off this machine, and sets the user
// agent.
type guardTransport struct {
	next          http.RoundTripper
	origin        apiclient.Origin
	auth          string
	allowInsecure bool
	userAgent     string
}

func (t *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !apiclient.IsLoopback(req.URL.Hostname()) && !t.allowInsecure {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &InsecureURLError{URL: req.URL.Redacted()}
	}
	r := req.Clone(req.Context())
	r.Header.Set("User-Agent", t.userAgent)
	r.Header.Del("Authorization")
	if apiclient.OriginOf(req.URL) == t.origin {
		r.Header.Set("Authorization", t.auth)
	}
	return t.next.RoundTrip(r)
}

// decider is Jira's apiclient.Decide: network errors, 429 (any method: it was turned away),
// a 503 naming its wait, and server errors of what may be sent twice.
func decider(now func() time.Time) apiclient.Decide {
	return func(ctx context.Context, safe bool, n int, resp *http.Response, err error) (time.Duration, string, bool) {
		return decide(ctx, now(), safe, n, resp, err)
	}
}

func decide(ctx context.Context, now time.Time, safe bool, n int, resp *http.Response, err error) (time.Duration, string, bool) {
	if err != nil {
		if ctx.Err() != nil {
			return 0, "", false
		}
		var insecure *InsecureURLError
		if errors.As(err, &insecure) {
			return 0, "", false
		}
		if safe || apiclient.NotSent(err) {
			return apiclient.Backoff(n), "network error: " + err.Error(), true
		}
		return 0, "", false
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		// A rate-limited request was not processed, so any method may go again.
		wait, ok := retryAfter(resp.Header, now)
		if !ok {
			wait = max(defaultLimitWait, apiclient.Backoff(n))
		}
		return wait, "rate limited (" + resp.Status + ")", true
	}
	if resp.StatusCode == http.StatusServiceUnavailable && safe {
		// Jira's 503 may name its wait; unlike a 429 it does not promise the request was
		// turned away, so only what may be sent twice goes again (never a second issue).
		if wait, ok := retryAfter(resp.Header, now); ok {
			return wait, resp.Status + " with Retry-After", true
		}
	}
	if resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented && safe {
		return apiclient.Backoff(n), resp.Status, true
	}
	return 0, "", false
}

// retryAfter reads Retry-After (seconds or an HTTP date), else X-RateLimit-Reset (an ISO
// time, as Jira Cloud sends it).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if wait, ok := apiclient.RetryAfter(h.Get("Retry-After"), now); ok {
		return wait, true
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if at, err := time.Parse(time.RFC3339, v); err == nil {
			return apiclient.ClampWait(at.Sub(now)), true
		}
	}
	return 0, false
}
