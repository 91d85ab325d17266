package githubapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
)

const (
	contentsRoute = "GET /repos/{owner}/{repo}/contents/{path}"
	checkRunRoute = "POST /repos/{owner}/{repo}/check-runs"
)

func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault githubapitest.Fault
		// post sends a create (not safe to repeat) instead of a read.
		post bool
		// attempts is how many requests reach the server; waits the waits asked for (0: some
		// backoff).
		attempts int
		waits    []time.Duration
		is       []error
	}{
		{name: "5xx on a read is retried", fault: githubapitest.Fault{Status: 502, Times: 2}, attempts: 3, waits: []time.Duration{0, 0}},
		{name: "5xx on a read, every time", fault: githubapitest.Fault{Status: 503}, attempts: 3, waits: []time.Duration{0, 0}, is: []error{githubapi.ErrUnavailable}},
		{name: "5xx on a create is not retried", fault: githubapitest.Fault{Status: 500}, post: true, attempts: 1, is: []error{githubapi.ErrUnavailable}},
		{name: "secondary limit with Retry-After, on a create", fault: withTimes(githubapitest.SecondaryRateLimited(7*time.Second), 1), post: true, attempts: 2, waits: []time.Duration{7 * time.Second}},
		{name: "secondary limit without Retry-After waits a minute", fault: githubapitest.Fault{SecondaryRateLimit: true, Times: 1}, attempts: 2, waits: []time.Duration{time.Minute}},
		{name: "429 with Retry-After", fault: githubapitest.Fault{Status: 429, RetryAfter: 3 * time.Second, Times: 1}, attempts: 2, waits: []time.Duration{3 * time.Second}},
		{name: "primary limit waits for the reset", fault: githubapitest.Fault{PrimaryRateLimit: 30 * time.Second, Times: 1}, attempts: 2, waits: []time.Duration{-30 * time.Second}},
		{name: "a wait longer than allowed fails at once", fault: githubapitest.SecondaryRateLimited(time.Hour), attempts: 1, is: []error{githubapi.ErrRateLimited, githubapi.ErrUnavailable}},
		{name: "a 403 that is no limit is not retried", fault: githubapitest.Fault{Status: 403, Body: `{"message":"Resource not accessible by integration","documentation_url":"x"}`}, attempts: 1, is: []error{githubapi.ErrMisconfigured}},
		{name: "401 is not retried", fault: githubapitest.Fault{Status: 401}, attempts: 1, is: []error{githubapi.ErrMisconfigured}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, githubapitest.Options{}, func(o *githubapi.Options) { o.MaxRetries = 2 })
			b.gh.SetFile("acme", "web", "main", "a.txt", []byte("a"))
			c := b.installation(t)
			// Mint the token first, so the fault hits the call itself.
			if _, err := c.ReadFile(t.Context(), "acme", "web", "a.txt", "", 0); err != nil {
				t.Fatal(err)
			}
			b.mu.Lock()
			b.waits = nil
			b.mu.Unlock()
			f := tc.fault
			f.Path = "/repos/acme/web/*"
			b.gh.InjectFault(f)
			var err error
			route := contentsRoute
			if tc.post {
				route = checkRunRoute
				_, err = c.CreateCheckRun(t.Context(), "acme", "web", githubapi.CheckRun{Name: "gate", HeadSHA: "abc"})
			} else {
				_, err = c.ReadFile(t.Context(), "acme", "web", "a.txt", "", 0)
			}
			if got := len(b.gh.CallsTo(route)) - map[bool]int{false: 1, true: 0}[tc.post]; got != tc.attempts {
				t.Errorf("%d attempts reached GitHub, want %d", got, tc.attempts)
			}
			if len(tc.is) == 0 && err != nil {
				t.Errorf("the call failed: %v", err)
			}
			for _, target := range tc.is {
				if !errors.Is(err, target) {
					t.Errorf("error %v; want %v", err, target)
				}
			}
			waits := b.recordedWaits()
			if len(waits) != len(tc.waits) {
				t.Fatalf("waits %v; want %d of them", waits, len(tc.waits))
			}
			for i, want := range tc.waits {
				switch {
				case want > 0 && waits[i] != want:
					t.Errorf("wait %d = %s, want %s", i, waits[i], want)
				case want < 0 && (waits[i] > -want || waits[i] < -want-2*time.Second):
					t.Errorf("wait %d = %s, want about %s", i, waits[i], -want)
				case want == 0 && (waits[i] <= 0 || waits[i] > 10*time.Second):
					t.Errorf("backoff %d = %s", i, waits[i])
				}
			}
		})
	}
}

func withTimes(f githubapitest.Fault, n int) githubapitest.Fault {
	f.Times = n
	return f
}

func TestRateLimitError(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	b.gh.SetFile("acme", "web", "main", "a.txt", []byte("a"))
	c := b.installation(t)
	b.gh.InjectFault(githubapitest.Fault{Path: "/repos/*", SecondaryRateLimit: true, RetryAfter: 2 * time.Hour})
	_, err := c.ReadFile(t.Context(), "acme", "web", "a.txt", "", 0)
	var ae *githubapi.APIError
	if !errors.As(err, &ae) || !ae.RateLimited || ae.RetryAfter != 2*time.Hour || ae.Status != 403 {
		t.Fatalf("error %#v; want a rate-limited APIError asking for 2h", err)
	}
	if !strings.Contains(ae.Error(), "wait 2h0m0s") {
		t.Errorf("the error does not say how long to wait: %v", ae)
	}
}

func TestTokenMintingIsRetried(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	b.gh.SetFile("acme", "web", "main", "a.txt", []byte("a"))
	b.gh.InjectFault(githubapitest.Fault{Path: "/app/installations/*", Status: 502, Times: 1})
	c := b.installation(t)
	if _, err := c.ReadFile(t.Context(), "acme", "web", "a.txt", "", 0); err != nil {
		t.Fatal(err)
	}
	if n := len(b.gh.CallsTo("POST /app/installations/{installation_id}/access_tokens")); n != 2 {
		t.Errorf("%d token requests; want 2 (one failed, one retried)", n)
	}

	// An installation GitHub refuses a token for is a configuration error, named as such.
	other, _ := b.f.Installation(b.inst + 1000)
	_, err := other.ReadFile(t.Context(), "acme", "web", "a.txt", "", 0)
	if !errors.Is(err, githubapi.ErrMisconfigured) || !strings.Contains(err.Error(), "installation token") {
		t.Errorf("an unknown installation: %v; want ErrMisconfigured naming the token", err)
	}
}

func TestBadAnswersAreUndecided(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault githubapitest.Fault
		want  any
	}{
		{"null body", githubapitest.Fault{NullBody: true}, new(*githubapi.ProtocolError)},
		{"dripping answer", githubapitest.Fault{Drip: 50 * time.Millisecond}, new(*githubapi.NetworkError)},
		{"slow answer", githubapitest.Fault{Delay: 2 * time.Second}, new(*githubapi.NetworkError)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, githubapitest.Options{}, func(o *githubapi.Options) {
				o.AttemptTimeout = 300 * time.Millisecond
				o.MaxRetries = -1
			})
			b.gh.SetFile("acme", "web", "main", "a.txt", []byte(strings.Repeat("a", 200)))
			c := b.installation(t)
			if _, err := c.ReadFile(t.Context(), "acme", "web", "a.txt", "", 0); err != nil {
				t.Fatal(err)
			}
			f := tc.fault
			f.Path = "/repos/acme/web/*"
			b.gh.InjectFault(f)
			_, err := c.ReadFile(t.Context(), "acme", "web", "a.txt", "", 0)
			if !errors.Is(err, githubapi.ErrUnavailable) || errors.Is(err, githubapi.ErrMisconfigured) {
				t.Errorf("error %v; want ErrUnavailable only", err)
			}
			switch want := tc.want.(type) {
			case **githubapi.ProtocolError:
				if !errors.As(err, want) {
					t.Errorf("error %T %v; want a ProtocolError", err, err)
				}
			case **githubapi.NetworkError:
				var te *githubapi.AttemptTimeoutError
				if !errors.As(err, want) || !errors.As(err, &te) {
					t.Errorf("error %T %v; want a NetworkError from the attempt timeout", err, err)
				}
			}
		})
	}
}

// TestTokenStaysOnItsOrigin: a redirect to another host is not followed, and nothing sent
// there carries the installation token.
func TestTokenStaysOnItsOrigin(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"type":"file","encoding":"base64","size":1,"content":"YQ=="}`))
	}))
	t.Cleanup(other.Close)
	b := setup(t, githubapitest.Options{})
	b.gh.SetFile("acme", "web", "main", "a.txt", []byte("a"))
	c := b.installation(t)
	b.gh.InjectFault(githubapitest.Fault{Path: "/repos/acme/web/contents/*", Redirect: other.URL})
	_, err := c.ReadFile(t.Context(), "acme", "web", "a.txt", "", 0)
	if !errors.Is(err, githubapi.ErrMisconfigured) || !strings.Contains(err.Error(), other.URL) {
		t.Errorf("a redirect to another host: %v; want ErrMisconfigured naming where it pointed", err)
	}
	// A URL on another host (a Link header, a URL in a payload) followed through the REST
	// client reaches it without the token.
	req, err := c.REST().NewRequest(t.Context(), http.MethodGet, other.URL+"/repos/acme/web/contents/a.txt", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.REST().Do(req, nil); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 {
		t.Fatalf("the other host got %d requests, want 1 (the direct one; the redirect is not followed)", len(seen))
	}
	for _, auth := range seen {
		if auth != "" {
			t.Errorf("the other host received credentials: %q", auth)
		}
	}
}

func TestPlainHTTPIsRefused(t *testing.T) {
	t.Parallel()
	key := githubapitest.Start(t, githubapitest.Options{Lenient: true}).PrivateKey()
	tests := []struct {
		name string
		opts githubapi.Options
		ok   bool
	}{
		{"http to another machine", githubapi.Options{BaseURL: "http://github.example.com/api/v3/"}, false},
		{"http to another machine, allowed", githubapi.Options{BaseURL: "http://github.example.com/api/v3/", AllowInsecure: true}, true},
		{"http to loopback", githubapi.Options{BaseURL: "http://127.0.0.1:9/"}, true},
		{"https GHES", githubapi.Options{BaseURL: "https://github.example.com/api/v3"}, true},
		{"credentials in the URL", githubapi.Options{BaseURL: "https://user:pw@github.example.com/"}, false},
		{"another scheme", githubapi.Options{BaseURL: "ftp://github.example.com/"}, false},
		{"an ID without a key", githubapi.Options{AppID: 3}, false},
		{"a key that is not one", githubapi.Options{AppID: 3, PrivateKey: []byte("nope")}, false},
		{"ID and key", githubapi.Options{AppID: 3, PrivateKey: key}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := githubapi.New(tc.opts)
			if (err == nil) != tc.ok {
				t.Fatalf("New: %v; want ok=%v", err, tc.ok)
			}
			if err != nil && strings.Contains(err.Error(), "pw") {
				t.Errorf("the error shows the password: %v", err)
			}
			if f != nil && !strings.HasSuffix(f.BaseURL(), "/") {
				t.Errorf("BaseURL %q does not end in /", f.BaseURL())
			}
		})
	}
	var insecure *githubapi.InsecureURLError
	_, err := githubapi.New(githubapi.Options{BaseURL: "http://github.example.com/"})
	if !errors.As(err, &insecure) || !errors.Is(err, githubapi.ErrMisconfigured) {
		t.Errorf("plain http: %v; want an InsecureURLError", err)
	}

	// A plain http URL met later (a link in an answer) is refused before anything is sent.
	b := setup(t, githubapitest.Options{})
	c := b.installation(t)
	req, err := c.REST().NewRequest(t.Context(), http.MethodGet, "http://github.example.com/repos/acme/web", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.REST().Do(req, nil)
	if err = c.Wrap("get repository", nil, err); !errors.As(err, &insecure) {
		t.Errorf("a plain http request: %v; want an InsecureURLError", err)
	}
}

func TestKeyNeverPrinted(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	for _, s := range []string{b.options.String(), fmtV(b.options)} {
		if strings.Contains(s, "PRIVATE KEY") || strings.Contains(s, "MII") {
			t.Errorf("Options printed its key: %s", s)
		}
	}
}

func TestRateLimitObserver(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	b.gh.SetFile("acme", "web", "main", "a.txt", []byte("a"))
	c := b.installation(t)
	for range 2 {
		if _, err := c.ReadFile(t.Context(), "acme", "web", "a.txt", "", 0); err != nil {
			t.Fatal(err)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var mine []githubapi.RateLimit
	for _, rl := range b.limits {
		if rl.Installation == b.inst {
			mine = append(mine, rl)
		}
	}
	// The token request (as the App) and the two reads (as the installation) are observed;
	// only the reads count against the installation.
	if len(mine) < 2 || mine[len(mine)-1].Remaining != mine[len(mine)-2].Remaining-1 || mine[0].Limit != 5000 || mine[0].Resource != "core" || mine[0].Reset.IsZero() {
		t.Errorf("rate limits observed for the installation: %+v", mine)
	}
}

func fmtV(v any) string { return fmt.Sprintf("%#v %+v %v", v, v, v) }

// TestRetryBudget: a GitHub that fails every attempt costs a call its retry budget, not its
// retry count.
func TestRetryBudget(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	clock := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	b := setup(t, githubapitest.Options{}, func(o *githubapi.Options) {
		o.MaxRetries = 50
		o.RetryBudget = 3 * time.Second
		o.Now = func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return clock
		}
		sleep := o.Sleep
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			clock = clock.Add(d)
			mu.Unlock()
			return sleep(ctx, d)
		}
	})
	b.gh.SetFile("acme", "web", "main", "a.txt", []byte("a"))
	c := b.installation(t)
	if _, err := c.ReadFile(t.Context(), "acme", "web", "a.txt", "", 0); err != nil {
		t.Fatal(err)
	}
	b.gh.InjectFault(githubapitest.Fault{Path: "/repos/*", Status: 503})
	_, err := c.ReadFile(t.Context(), "acme", "web", "a.txt", "", 0)
	var ae *githubapi.APIError
	if !errors.As(err, &ae) || !errors.Is(err, githubapi.ErrUnavailable) {
		t.Fatalf("error %v; want an APIError that is ErrUnavailable", err)
	}
	var total time.Duration
	for _, w := range b.recordedWaits() {
		total += w
	}
	if ae.Attempts < 2 || ae.Attempts > 6 || total > 3*time.Second {
		t.Errorf("%d attempts waiting %s in all; want a few, within the 3s budget", ae.Attempts, total)
	}
}
