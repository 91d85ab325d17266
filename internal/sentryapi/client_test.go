package sentryapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestOptionsValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
		want string // substring of the error; "" for valid
	}{
		{"defaults", Options{Token: "t"}, ""},
		{"self-hosted with prefix", Options{BaseURL: "https://example.com/sentry/", Token: "t"}, ""},
		{"region host", Options{BaseURL: "https://de.sentry.io", Token: "t"}, ""},
		{"no token", Options{BaseURL: "https://sentry.io/"}, "Options.Token is empty"},
		{"token with newline", Options{Token: "abc\n"}, "Options.Token contains"},
		{"not a URL", Options{BaseURL: "://x", Token: "t"}, "Options.BaseURL"},
		{"no scheme", Options{BaseURL: "sentry.io", Token: "t"}, "Options.BaseURL"},
		{"ftp", Options{BaseURL: "ftp://sentry.io/", Token: "t"}, "Options.BaseURL"},
		{"credentials in URL", Options{BaseURL: "https://user:pw@sentry.io/", Token: "t"}, "Options.BaseURL must not contain a user name"},
		{"query", Options{BaseURL: "https://sentry.io/?x=1", Token: "t"}, "Options.BaseURL"},
		{"user agent with newline", Options{Token: "t", UserAgent: "a\nb"}, "Options.UserAgent"},
		{"too many retries", Options{Token: "t", MaxRetries: 1000}, "Options.MaxRetries"},
		{"negative wait", Options{Token: "t", MaxRetryWait: -1}, "Options.MaxRetryWait"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.opts.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				if _, err := New(tc.opts); err != nil {
					t.Fatalf("New() = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.want)
			}
			if _, err := New(tc.opts); err == nil {
				t.Fatal("New accepted invalid options")
			}
		})
	}
}

func TestBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", "https://sentry.io/"},
		{"https://sentry.io", "https://sentry.io/"},
		{"https://us.sentry.io/", "https://us.sentry.io/"},
		{"https://example.com/sentry", "https://example.com/sentry/"},
		{"https://example.com/sentry/", "https://example.com/sentry/"},
		{"https://example.com/sentry/api/0/", "https://example.com/sentry/"},
		{"http://localhost:9000/api/0", "http://localhost:9000/"},
		{"https://example.com/my%20sentry/", "https://example.com/my%20sentry/"},
	}
	for _, tc := range tests {
		c, err := New(Options{BaseURL: tc.in, Token: "t"})
		if err != nil {
			t.Errorf("New(%q): %v", tc.in, err)
			continue
		}
		if got := c.BaseURL(); got != tc.want {
			t.Errorf("BaseURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEndpointEscaping(t *testing.T) {
	t.Parallel()
	c, err := New(Options{BaseURL: "https://example.com/my%20sentry/", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		segs []string
		want string // escaped path
		err  string
	}{
		{[]string{"organizations", "acme", "releases", "1.0.0"}, "/my%20sentry/api/0/organizations/acme/releases/1.0.0/", ""},
		{[]string{"organizations", "acme", "releases", "app@1.0+build 7"}, "/my%20sentry/api/0/organizations/acme/releases/app@1.0%2Bbuild%207/", ""},
		{[]string{"organizations", "acme", "releases", "v1?x=1#y"}, "/my%20sentry/api/0/organizations/acme/releases/v1%3Fx%3D1%23y/", ""},
		{[]string{"organizations", "acme", "releases", "100%"}, "/my%20sentry/api/0/organizations/acme/releases/100%25/", ""},
		{[]string{"organizations", "acme", "releases", "ünï"}, "/my%20sentry/api/0/organizations/acme/releases/%C3%BCn%C3%AF/", ""},
		{[]string{"organizations", "acme", "releases", "a/b"}, "", `contains "/"`},
		{[]string{"organizations", "acme", "releases", ".."}, "", "not a valid name"},
		{[]string{"organizations", "", "releases"}, "", "empty name"},
	}
	for _, tc := range tests {
		u, err := c.endpoint(&call{op: "test", path: tc.segs})
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("endpoint(%q) error = %v, want %q", tc.segs, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("endpoint(%q): %v", tc.segs, err)
			continue
		}
		if got := u.EscapedPath(); got != tc.want {
			t.Errorf("endpoint(%q) = %q, want %q", tc.segs, got, tc.want)
		}
		if u.Host != "example.com" || u.Scheme != "https" {
			t.Errorf("endpoint(%q) = %s: wrong host", tc.segs, u)
		}
	}
}

// TestVersionReachesServer checks, end to end, that a version needing escapes arrives as the same
// string after the server decodes the path.
func TestVersionReachesServer(t *testing.T) {
	t.Parallel()
	const version = "web@2.0.0+exp.sha.5114f85 (rc 1)"
	f := newFake(t)
	var got string
	f.handle("GET", "/api/0/organizations/acme/releases/web@2.0.0%2Bexp.sha.5114f85%20%28rc%201%29/", func(w http.ResponseWriter, r *http.Request) {
		got = strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, testPrefix+"/api/0/organizations/acme/releases/"), "/")
		w.Write([]byte(`{"version": "x"}`))
	})
	if _, err := f.client(t).GetRelease(t.Context(), "acme", version, ReleaseOptions{}); err != nil {
		t.Fatal(err)
	}
	if got != version {
		t.Errorf("server decoded %q, want %q", got, version)
	}
}

// TestRequestBasics checks what every request carries, on a server under a path prefix.
func TestRequestBasics(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.reply("GET", "/api/0/projects/acme/web/ownership/", 200, []byte(`{"raw":"","fallthrough":true}`))
	c := f.client(t)
	if _, err := c.GetProjectOwnership(t.Context(), "acme", "web"); err != nil {
		t.Fatal(err)
	}
	r := f.recorded()[0]
	if r.Header.Get("User-Agent") != testUA || r.Header.Get("Accept") != "application/json" {
		t.Errorf("headers = %v", redactToken(strings.Join(headerLines(r.Header), "; ")))
	}
	if !strings.HasPrefix(r.Path, testPrefix+"/api/0/") {
		t.Errorf("path %q lacks the prefix", r.Path)
	}
}

func headerLines(h http.Header) []string {
	var lines []string
	for k, v := range h {
		lines = append(lines, k+": "+strings.Join(v, ","))
	}
	return lines
}

func TestDefaultUserAgent(t *testing.T) {
	t.Parallel()
	var ua string
	c, err := New(Options{Token: "t", HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		ua = r.Header.Get("User-Agent")
		return nil, errors.New("stop")
	})}, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = c.GetRelease(t.Context(), "acme", "1", ReleaseOptions{})
	if ua != "releasegate" {
		t.Errorf("User-Agent = %q, want releasegate", ua)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestCallerHTTPClientUntouched checks that New copies the caller's http.Client.
func TestCallerHTTPClientUntouched(t *testing.T) {
	t.Parallel()
	hc := &http.Client{}
	if _, err := New(Options{Token: "t", HTTPClient: hc}); err != nil {
		t.Fatal(err)
	}
	if hc.Transport != nil {
		t.Error("New changed the caller's http.Client")
	}
}

// TestArgumentChecks covers the mistakes the client refuses before sending anything.
func TestArgumentChecks(t *testing.T) {
	t.Parallel()
	c, err := New(Options{Token: "t", HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
		return nil, errors.New("no")
	})}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	sha := strings.Repeat("a", 40)
	tests := []struct {
		name string
		call func(context.Context) error
		want string
	}{
		{"release without version", func(ctx context.Context) error {
			_, _, err := c.CreateRelease(ctx, "acme", NewRelease{Projects: []string{"web"}})
			return err
		}, "version is empty"},
		{"release without projects", func(ctx context.Context) error {
			_, _, err := c.CreateRelease(ctx, "acme", NewRelease{Version: "1"})
			return err
		}, "no projects"},
		{"release version with slash", func(ctx context.Context) error {
			_, _, err := c.CreateRelease(ctx, "acme", NewRelease{Version: "feature/x", Projects: []string{"web"}})
			return err
		}, `contains "/"`},
		{"deploy without environment", func(ctx context.Context) error {
			_, err := c.CreateDeploy(ctx, "acme", "1", NewDeploy{})
			return err
		}, "environment is empty"},
		{"both period kinds", func(ctx context.Context) error {
			return c.ListIssues(ctx, "acme", IssueQuery{TimeRange: TimeRange{StatsPeriod: "24h", Start: t0, End: t1}}, nil)
		}, "either StatsPeriod"},
		{"bad period", func(ctx context.Context) error {
			return c.ListIssues(ctx, "acme", IssueQuery{TimeRange: TimeRange{StatsPeriod: "1 day"}}, nil)
		}, "StatsPeriod"},
		{"start without end", func(ctx context.Context) error {
			return c.ListIssues(ctx, "acme", IssueQuery{TimeRange: TimeRange{Start: t0}}, nil)
		}, "both Start and End"},
		{"bad sort", func(ctx context.Context) error {
			return c.ListIssues(ctx, "acme", IssueQuery{Sort: "hot"}, nil)
		}, "sort"},
		{"limit too big", func(ctx context.Context) error {
			return c.ListIssues(ctx, "acme", IssueQuery{Limit: 500}, nil)
		}, "limit"},
		{"empty issue update", func(ctx context.Context) error {
			_, err := c.UpdateIssue(ctx, "acme", "1", IssueUpdate{})
			return err
		}, "nothing to change"},
		{"sessions without fields", func(ctx context.Context) error {
			_, err := c.Sessions(ctx, "acme", SessionsQuery{})
			return err
		}, "no Fields"},
		{"fractional timeseries interval", func(ctx context.Context) error {
			_, err := c.EventsTimeseries(ctx, "acme", TimeseriesQuery{Interval: 1500 * 1e6})
			return err
		}, "whole number of seconds"},
		{"top events without group", func(ctx context.Context) error {
			_, err := c.EventsTimeseries(ctx, "acme", TimeseriesQuery{TopEvents: 3})
			return err
		}, "TopEvents"},
		{"bad auto assignment", func(ctx context.Context) error {
			_, err := c.UpdateProjectOwnership(ctx, "acme", "web", OwnershipUpdate{AutoAssignment: "yes"})
			return err
		}, "AutoAssignment"},
		{"external link without issue", func(ctx context.Context) error {
			_, err := c.LinkExternalIssue(ctx, "u", ExternalIssueLink{WebURL: "x", Project: "p", Identifier: "i"})
			return err
		}, "IssueID"},
		{"assemble bad checksum", func(ctx context.Context) error {
			_, err := c.AssembleArtifactBundle(ctx, "acme", AssembleRequest{Checksum: "ABC", Projects: []string{"web"}})
			return err
		}, "checksum"},
		{"assemble upper-case chunk", func(ctx context.Context) error {
			_, err := c.AssembleArtifactBundle(ctx, "acme", AssembleRequest{Checksum: sha, Chunks: []string{strings.ToUpper(sha)}, Projects: []string{"web"}})
			return err
		}, "chunk 0"},
		{"assemble without projects", func(ctx context.Context) error {
			_, err := c.AssembleArtifactBundle(ctx, "acme", AssembleRequest{Checksum: sha})
			return err
		}, "no projects"},
		{"assemble dist without version", func(ctx context.Context) error {
			_, err := c.AssembleArtifactBundle(ctx, "acme", AssembleRequest{Checksum: sha, Projects: []string{"web"}, Dist: "web"})
			return err
		}, "needs a release version"},
		{"chunk hash mismatch", func(ctx context.Context) error {
			return c.UploadChunks(ctx, &ChunkOptions{URL: "https://sentry.io/x/", ChunkSize: 10}, []Chunk{{SHA1: sha, Data: []byte("x")}})
		}, "does not hash"},
		{"chunk too big", func(ctx context.Context) error {
			return c.UploadChunks(ctx, &ChunkOptions{URL: "https://sentry.io/x/", ChunkSize: 2}, []Chunk{NewChunk([]byte("xyz"))})
		}, "chunk size"},
		{"too many chunks", func(ctx context.Context) error {
			return c.UploadChunks(ctx, &ChunkOptions{URL: "https://sentry.io/x/", ChunkSize: 2, ChunksPerRequest: 1}, []Chunk{NewChunk([]byte("a")), NewChunk([]byte("b"))})
		}, "at most 1"},
		{"request too big", func(ctx context.Context) error {
			return c.UploadChunks(ctx, &ChunkOptions{URL: "https://sentry.io/x/", ChunkSize: 2, MaxRequestSize: 3}, []Chunk{NewChunk([]byte("ab")), NewChunk([]byte("cd"))})
		}, "at most 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := tc.call(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestRedirectToAnotherHostNotFollowed checks that a redirect to another host is reported, not
// followed: that host gets neither the token nor the chance to answer for Sentry.
func TestRedirectToAnotherHostNotFollowed(t *testing.T) {
	t.Parallel()
	var hits int
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		w.Write([]byte(`{"version":"1.0"}`))
	}))
	defer other.Close()
	f := newFake(t)
	f.handle("GET", "/api/0/organizations/acme/releases/1.0/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/elsewhere/?sig=secret", http.StatusFound)
	})
	_, err := f.client(t).GetRelease(t.Context(), "acme", "1.0", ReleaseOptions{})
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusFound {
		t.Fatalf("err = %v, want the 302 as an APIError", err)
	}
	if !strings.Contains(err.Error(), other.URL+"/elsewhere/") || strings.Contains(err.Error(), "secret") {
		t.Errorf("the error should name the target without its query: %v", err)
	}
	if hits != 0 {
		t.Errorf("the other host was called %d times", hits)
	}
}

func TestOptionsString(t *testing.T) {
	t.Parallel()
	o := Options{BaseURL: "https://ci:hunter2@example.com/", Token: "tok-secret", UserAgent: "releasegate/1"}
	for _, s := range []string{o.String(), fmt.Sprintf("%#v", o), fmt.Sprint(o.LogValue())} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, "tok-secret") {
			t.Errorf("%s shows a secret", s)
		}
	}
	if s := (Options{}).String(); !strings.Contains(s, "Token: (empty)") {
		t.Errorf("String() = %s, want the token marked empty", s)
	}
}
