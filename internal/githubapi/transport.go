package githubapi

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/apiclient"

	"github.com/bradleyfalzon/ghinstallation/v2"
)

// secondaryDefaultWait is GitHub's advice for a secondary rate limit that names no wait: "wait
// for at least one minute before retrying".
const secondaryDefaultWait = time.Minute

// AttemptTimeoutError is one attempt that took longer than Options.AttemptTimeout.
type AttemptTimeoutError = apiclient.AttemptTimeoutError

// guardTransport sits under the credentials (ghinstallation sets them on every request, the
// hops of a redirect included): it removes them from any request to another origin, refuses
// plain http off this machine, sets the user agent, and reports rate-limit headers.
type guardTransport struct {
	next          http.RoundTripper
	origin        apiclient.Origin
	allowInsecure bool
	userAgent     string
	installation  int64
	observe       func(RateLimit)
	now           func() time.Time
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
	if apiclient.OriginOf(req.URL) != t.origin {
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

// decider is GitHub's apiclient.Decide: network errors, a failed installation token, rate
// limits (primary and secondary), and server errors of what may be sent twice.
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
		// The installation token could not be minted: the request itself was never sent,
		// so retrying is safe whatever it is; a refusal of the App's key is not worth it.
		var he *ghinstallation.HTTPError
		if errors.As(err, &he) {
			if he.Response == nil {
				return apiclient.Backoff(n), "installation token: " + err.Error(), true
			}
			if wait, limited := rateLimitWait(he.Response, now); limited {
				return wait, "installation token: rate limited", true
			}
			if he.Response.StatusCode >= 500 {
				return apiclient.Backoff(n), "installation token: " + he.Response.Status, true
			}
			return 0, "", false
		}
		if safe || apiclient.NotSent(err) {
			return apiclient.Backoff(n), "network error: " + err.Error(), true
		}
		return 0, "", false
	}
	if wait, limited := rateLimitWait(resp, now); limited {
		// A rate-limited request was not processed, so any method may go again.
		return wait, "rate limited (" + resp.Status + ")", true
	}
	if resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented && safe {
		return apiclient.Backoff(n), resp.Status, true
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
	if wait, ok := apiclient.RetryAfter(h.Get("Retry-After"), now); ok {
		return wait, true
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			if reset > now.Unix()+int64(apiclient.MaxServerWait/time.Second) {
				return apiclient.MaxServerWait, true
			}
			return min(max(time.Unix(reset, 0).Sub(now), 0), apiclient.MaxServerWait), true
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
