package apiclient

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestOrigin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		same     string // a URL of the same origin
		other    string // a URL of another origin
	}{
		{"https://Sentry.Example.com/api/", "https://sentry.example.com", "https://sentry.example.com:443/x", "http://sentry.example.com/"},
		{"http://127.0.0.1:8080/", "http://127.0.0.1:8080", "http://127.0.0.1:8080/a", "http://127.0.0.1:8081/"},
		{"https://[::1]:9443/", "https://[::1]:9443", "https://[::1]:9443/b", "https://[::1]/"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			o := OriginOf(mustURL(t, tt.in))
			if o.String() != tt.want {
				t.Errorf("String = %q, want %q", o.String(), tt.want)
			}
			if OriginOf(mustURL(t, tt.same)) != o {
				t.Errorf("%s is another origin than %s", tt.same, tt.in)
			}
			if OriginOf(mustURL(t, tt.other)) == o {
				t.Errorf("%s is the same origin as %s", tt.other, tt.in)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LOCALHOST.": true, "app.localhost": true, "127.0.0.1": true, "127.8.9.10": true, "::1": true,
		"localhost.example.com": false, "10.0.0.1": false, "example.com": false, "": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"7", 7 * time.Second, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"Sun, 06 Dec 2026 08:00:30 GMT", 30 * time.Second, true},
		{"Sun, 06 Dec 2026 07:00:00 GMT", 0, true},
		{"1e30", MaxServerWait, true},
		{"-3", 0, false},
		{"NaN", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := RetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RetryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for n := 1; n <= 40; n++ {
		full := BackoffMax
		if n < 16 {
			full = min(BackoffBase<<(n-1), BackoffMax)
		}
		if d := Backoff(n); d < full/2 || d > full {
			t.Errorf("Backoff(%d) = %s, want within [%s, %s]", n, d, full/2, full)
		}
	}
}

func TestIdempotentAndNotSent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	post, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://x/", nil)
	safePost, _ := http.NewRequestWithContext(WithRetrySafe(ctx), http.MethodPost, "https://x/", nil)
	put, _ := http.NewRequestWithContext(ctx, http.MethodPut, "https://x/", nil)
	if Idempotent(post) || !Idempotent(safePost) || !Idempotent(put) {
		t.Error("POST is not idempotent unless marked; PUT is")
	}
	if !NotSent(&net.OpError{Op: "dial", Err: errors.New("refused")}) || NotSent(&net.OpError{Op: "read", Err: io.EOF}) || NotSent(io.EOF) {
		t.Error("only a failed dial is a request never sent")
	}
}

// roundTrips answers from a list, one per attempt.
type roundTrips struct {
	answers []func(*http.Request) (*http.Response, error)
	n       int
}

func (r *roundTrips) RoundTrip(req *http.Request) (*http.Response, error) {
	a := r.answers[min(r.n, len(r.answers)-1)]
	r.n++
	return a(req)
}

func status(code int) func(*http.Request) (*http.Response, error) {
	return func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: code, Body: io.NopCloser(strings.NewReader("{}")), Header: http.Header{}}, nil
	}
}

func TestRetry(t *testing.T) {
	t.Parallel()
	retry5xx := func(_ context.Context, safe bool, n int, resp *http.Response, err error) (time.Duration, string, bool) {
		if err == nil && resp.StatusCode >= 500 && safe {
			return time.Duration(n) * time.Second, resp.Status, true
		}
		return 0, "", false
	}
	tests := []struct {
		name     string
		method   string
		answers  []func(*http.Request) (*http.Response, error)
		max      int
		wantN    int
		wantCode int
		wantErr  string
		slept    []time.Duration
	}{
		{"retried until it works", http.MethodGet, []func(*http.Request) (*http.Response, error){status(502), status(503), status(200)}, 3, 3, 200, "", []time.Duration{time.Second, 2 * time.Second}},
		{"gives up after the retries", http.MethodGet, []func(*http.Request) (*http.Response, error){status(502)}, 2, 3, 502, "", []time.Duration{time.Second, 2 * time.Second}},
		{"a POST is not sent twice", http.MethodPost, []func(*http.Request) (*http.Response, error){status(502), status(200)}, 3, 1, 502, "", nil},
		{"a slow answer is an attempt timeout", http.MethodGet, []func(*http.Request) (*http.Response, error){func(r *http.Request) (*http.Response, error) {
			<-r.Context().Done()
			return nil, r.Context().Err()
		}}, 0, 1, 0, "no complete answer within 20ms", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var slept []time.Duration
			rt := &roundTrips{answers: tt.answers}
			r := &Retry{Next: rt, Decide: retry5xx, MaxRetries: tt.max, MaxWait: time.Minute, Attempt: 20 * time.Millisecond, MaxBody: 1 << 20,
				Now: time.Now, Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
				Log: discard(), Name: "test"}
			var a Attempts
			req, _ := http.NewRequestWithContext(WithAttempts(context.Background(), &a), tt.method, "https://x/", nil)
			resp, err := r.RoundTrip(req)
			if tt.wantErr != "" {
				var te *AttemptTimeoutError
				if !errors.As(err, &te) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want an AttemptTimeoutError saying %q", err, tt.wantErr)
				}
			} else if err != nil || resp.StatusCode != tt.wantCode {
				t.Fatalf("RoundTrip = %v, %v; want %d", resp, err, tt.wantCode)
			}
			if a.N != tt.wantN || rt.n != tt.wantN {
				t.Errorf("attempts %d (sent %d), want %d", a.N, rt.n, tt.wantN)
			}
			if len(slept) != len(tt.slept) {
				t.Fatalf("slept %v, want %v", slept, tt.slept)
			}
			for i := range slept {
				if slept[i] != tt.slept[i] {
					t.Errorf("slept %v, want %v", slept, tt.slept)
				}
			}
		})
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
