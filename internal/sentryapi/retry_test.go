package sentryapi

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/apiclient"
)

// sleeps records the waits of a client instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// sequence answers the given statuses in turn (the last one repeats), each with headers h.
func sequence(statuses []int, h http.Header, final string) (http.HandlerFunc, *int) {
	var mu sync.Mutex
	n := new(int)
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		i := *n
		*n++
		mu.Unlock()
		st := statuses[min(i, len(statuses)-1)]
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(st)
		if st < 300 {
			io.WriteString(w, final)
		} else {
			io.WriteString(w, `{"detail":"try later"}`)
		}
	}, n
}

// TestRetryByMethod checks which calls are retried after a 5xx.
func TestRetryByMethod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path, okBody string
		okStatus                   int
		call                       func(context.Context, *Client) error
		retried                    bool
	}{
		{"GET", "GET", "/api/0/organizations/acme/releases/1.0/", `{"version":"1.0"}`, 200, func(ctx context.Context, c *Client) error {
			_, err := c.GetRelease(ctx, "acme", "1.0", ReleaseOptions{})
			return err
		}, true},
		{"PUT", "PUT", "/api/0/organizations/acme/releases/1.0/", `{"version":"1.0"}`, 200, func(ctx context.Context, c *Client) error {
			_, err := c.FinalizeRelease(ctx, "acme", "1.0", t0)
			return err
		}, true},
		{"DELETE", "DELETE", "/api/0/sentry-app-installations/u1/external-issues/3/", "", 204, func(ctx context.Context, c *Client) error {
			return c.UnlinkExternalIssue(ctx, "u1", "3")
		}, true},
		{"POST link external issue (an upsert)", "POST", "/api/0/sentry-app-installations/u1/external-issues/", `{"id":"3"}`, 200, func(ctx context.Context, c *Client) error {
			_, err := c.LinkExternalIssue(ctx, "u1", ExternalIssueLink{IssueID: 1, WebURL: "https://x.example/1", Project: "X", Identifier: "X-1"})
			return err
		}, true},
		{"POST create release", "POST", "/api/0/organizations/acme/releases/", `{"version":"1.0"}`, 201, func(ctx context.Context, c *Client) error {
			_, _, err := c.CreateRelease(ctx, "acme", NewRelease{Version: "1.0", Projects: []string{"web"}})
			return err
		}, false},
		{"POST create deploy", "POST", "/api/0/organizations/acme/releases/1.0/deploys/", `{"id":"1","environment":"production"}`, 201, func(ctx context.Context, c *Client) error {
			_, err := c.CreateDeploy(ctx, "acme", "1.0", NewDeploy{Environment: "production"})
			return err
		}, false},
	}
	for _, tc := range tests {
		for _, status := range []int{500, 502, 503, 504} {
			t.Run(tc.name+"/"+strconv.Itoa(status), func(t *testing.T) {
				t.Parallel()
				f := newFake(t)
				h, n := sequence([]int{status, tc.okStatus}, nil, tc.okBody)
				f.handle(tc.method, tc.path, h)
				var s sleeps
				err := tc.call(t.Context(), f.client(t, func(o *Options) { o.Sleep = s.sleep }))
				if tc.retried {
					if err != nil || *n != 2 || len(s.all()) != 1 {
						t.Fatalf("err = %v after %d attempts, %d sleeps; want success on the 2nd attempt", err, *n, len(s.all()))
					}
					return
				}
				var ae *APIError
				if !errors.As(err, &ae) || ae.Status != status || *n != 1 || len(s.all()) != 0 || ae.Attempts != 1 {
					t.Fatalf("err = %v after %d attempts; want the %d, not retried", err, *n, status)
				}
			})
		}
	}
}

func TestNotRetried(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 409, 501} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			h, n := sequence([]int{status}, nil, "")
			f.handle("GET", "/api/0/organizations/acme/releases/1.0/", h)
			_, err := f.client(t).GetRelease(t.Context(), "acme", "1.0", ReleaseOptions{})
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != status || *n != 1 {
				t.Fatalf("err = %v after %d attempts", err, *n)
			}
		})
	}
}

// TestGiveUp checks the retry budget, the backoff with jitter, and the error saying so.
func TestGiveUp(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	h, n := sequence([]int{502}, nil, "")
	f.handle("GET", "/api/0/organizations/acme/releases/1.0/", h)
	var s sleeps
	_, err := f.client(t, func(o *Options) { o.Sleep = s.sleep; o.MaxRetries = 6 }).GetRelease(t.Context(), "acme", "1.0", ReleaseOptions{})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != 502 || ae.Attempts != 7 || *n != 7 {
		t.Fatalf("err = %v, %d requests; want a 502 after 7 attempts", err, *n)
	}
	if !strings.Contains(err.Error(), "gave up after 7 attempts") || !strings.Contains(err.Error(), "try again later") {
		t.Errorf("message %q should say it gave up", err)
	}
	got := s.all()
	if len(got) != 6 {
		t.Fatalf("sleeps = %v, want 6", got)
	}
	for i, d := range got {
		full := min(apiclient.BackoffBase<<i, apiclient.BackoffMax)
		if d < full/2 || d > full {
			t.Errorf("wait %d = %s, want within [%s, %s]", i+1, d, full/2, full)
		}
	}
}

func TestNoRetries(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	h, n := sequence([]int{503}, http.Header{"Retry-After": {"1"}}, "")
	f.handle("GET", "/api/0/organizations/acme/releases/1.0/", h)
	_, err := f.client(t, func(o *Options) { o.MaxRetries = -1 }).GetRelease(t.Context(), "acme", "1.0", ReleaseOptions{})
	if err == nil || *n != 1 {
		t.Fatalf("err = %v after %d attempts, want one attempt", err, *n)
	}
}

// TestRateLimit checks 429 handling: the wait Sentry asks for, for every method.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		header   http.Header
		wantWait time.Duration // 0: a backoff
	}{
		{"Retry-After seconds", http.Header{"Retry-After": {"7"}}, 7 * time.Second},
		{"Retry-After date", http.Header{"Retry-After": {now.Add(45 * time.Second).Format(http.TimeFormat)}}, 45 * time.Second},
		{"X-Sentry-Rate-Limit-Reset", http.Header{
			"X-Sentry-Rate-Limit-Limit": {"40"}, "X-Sentry-Rate-Limit-Remaining": {"0"},
			"X-Sentry-Rate-Limit-Reset": {strconv.FormatInt(now.Unix()+42, 10)},
		}, 42 * time.Second},
		{"Retry-After wins over the reset", http.Header{"Retry-After": {"3"}, "X-Sentry-Rate-Limit-Reset": {strconv.FormatInt(now.Unix()+42, 10)}}, 3 * time.Second},
		{"reset already passed", http.Header{"X-Sentry-Rate-Limit-Reset": {strconv.FormatInt(now.Unix()-5, 10)}}, -1},
		{"no header", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			// A create: 429 is retried even for calls that are not idempotent.
			h, n := sequence([]int{429, 201}, tc.header, `{"version":"1.0"}`)
			f.handle("POST", "/api/0/organizations/acme/releases/", h)
			var s sleeps
			c := f.client(t, func(o *Options) { o.Sleep = s.sleep; o.Now = func() time.Time { return now } })
			if _, _, err := c.CreateRelease(t.Context(), "acme", NewRelease{Version: "1.0", Projects: []string{"web"}}); err != nil {
				t.Fatal(err)
			}
			got := s.all()
			if *n != 2 || len(got) != 1 {
				t.Fatalf("%d attempts, sleeps %v", *n, got)
			}
			switch tc.wantWait {
			case 0:
				if got[0] < apiclient.BackoffBase/2 || got[0] > apiclient.BackoffBase {
					t.Errorf("wait = %s, want a first backoff", got[0])
				}
			case -1:
				if got[0] != 0 {
					t.Errorf("wait = %s, want 0", got[0])
				}
			default:
				if got[0] != tc.wantWait {
					t.Errorf("wait = %s, want %s", got[0], tc.wantWait)
				}
			}
		})
	}
}

// TestRateLimitTooLong checks that a wait longer than MaxRetryWait is left to the caller.
func TestRateLimitTooLong(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	h, n := sequence([]int{429}, http.Header{"Retry-After": {"3600"}}, "")
	f.handle("GET", "/api/0/organizations/acme/issues/", h)
	var s sleeps
	err := f.client(t, func(o *Options) { o.Sleep = s.sleep; o.MaxRetryWait = 10 * time.Minute }).
		ListIssues(t.Context(), "acme", IssueQuery{}, func([]Issue) error { return nil })
	var ae *APIError
	if !errors.As(err, &ae) || !errors.Is(err, ErrRateLimited) || ae.RetryAfter != time.Hour || *n != 1 || len(s.all()) != 0 {
		t.Fatalf("err = %v, %d attempts, sleeps %v", err, *n, s.all())
	}
	if !strings.Contains(err.Error(), "wait 1h0m0s") {
		t.Errorf("message %q should say how long to wait", err)
	}
}

// TestRateLimitExhausted checks the error after retrying 429s up to MaxRetries.
func TestRateLimitExhausted(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	h, n := sequence([]int{429}, http.Header{"Retry-After": {"2"}}, "")
	f.handle("GET", "/api/0/organizations/acme/issues/", h)
	var s sleeps
	err := f.client(t, func(o *Options) { o.Sleep = s.sleep; o.MaxRetries = 2 }).
		ListIssues(t.Context(), "acme", IssueQuery{}, func([]Issue) error { return nil })
	var ae *APIError
	if !errors.As(err, &ae) || !errors.Is(err, ErrRateLimited) || ae.Attempts != 3 || *n != 3 || ae.RetryAfter != 2*time.Second {
		t.Fatalf("err = %v, %d attempts", err, *n)
	}
	if got := s.all(); len(got) != 2 || got[0] != 2*time.Second {
		t.Errorf("sleeps = %v", got)
	}
}

// TestNetworkErrors checks retries on transport failures: any failure for idempotent calls, only
// failures to connect for the others.
func TestNetworkErrors(t *testing.T) {
	t.Parallel()
	dialErr := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	readErr := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	tests := []struct {
		name    string
		first   error
		create  bool // call CreateRelease (POST) instead of GetRelease
		retried bool
	}{
		{"GET after a reset", readErr, false, true},
		{"GET after a refused connection", dialErr, false, true},
		{"POST after a refused connection", dialErr, true, true},
		{"POST after a reset", readErr, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var (
				mu sync.Mutex
				n  int
			)
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				mu.Lock()
				n++
				first := n == 1
				mu.Unlock()
				if first {
					return nil, tc.first
				}
				status := 200
				if r.Method == "POST" {
					status = 201
				}
				return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{"version":"1.0"}`)), Request: r}, nil
			})
			var s sleeps
			c, err := New(Options{Token: testToken, HTTPClient: &http.Client{Transport: rt}, Sleep: s.sleep})
			if err != nil {
				t.Fatal(err)
			}
			if tc.create {
				_, _, err = c.CreateRelease(t.Context(), "acme", NewRelease{Version: "1.0", Projects: []string{"web"}})
			} else {
				_, err = c.GetRelease(t.Context(), "acme", "1.0", ReleaseOptions{})
			}
			if tc.retried {
				if err != nil || n != 2 {
					t.Fatalf("err = %v after %d attempts, want success on the 2nd", err, n)
				}
				return
			}
			if err == nil || n != 1 || !errors.Is(err, tc.first) {
				t.Fatalf("err = %v after %d attempts, want the first error, not retried", err, n)
			}
			if !strings.Contains(err.Error(), "create release") || !strings.Contains(err.Error(), "reachable") {
				t.Errorf("message %q should name the call and what to check", err)
			}
		})
	}
}

// TestNetworkGiveUp checks the message after retrying transport failures.
func TestNetworkGiveUp(t *testing.T) {
	t.Parallel()
	boom := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	c, err := New(Options{Token: testToken, MaxRetries: 2, Sleep: (&sleeps{}).sleep,
		HTTPClient: &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, boom })}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRelease(t.Context(), "acme", "1.0", ReleaseOptions{})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "gave up after 3 attempts") {
		t.Fatalf("err = %v", err)
	}
}

// TestCancelStopsWaiting uses the real timer: cancelling the context must end a long wait at
// once.
func TestCancelStopsWaiting(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	f.handle("GET", "/api/0/organizations/acme/releases/1.0/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "50")
		w.WriteHeader(429)
		go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	})
	c := f.client(t, func(o *Options) { o.Sleep = nil })
	start := time.Now()
	_, err := c.GetRelease(ctx, "acme", "1.0", ReleaseOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if el := time.Since(start); el > 10*time.Second {
		t.Errorf("returned after %s; the wait was not interrupted", el)
	}
}

// TestCancelledContext checks that a done context stops a call before any request.
func TestCancelledContext(t *testing.T) {
	t.Parallel()
	c, err := New(Options{Token: testToken, HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return nil, r.Context().Err()
	})}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = c.GetRelease(ctx, "acme", "1.0", ReleaseOptions{})
	if !errors.Is(err, context.Canceled) || strings.Contains(err.Error(), "gave up") {
		t.Fatalf("err = %v", err)
	}
}
