package sentryapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestTokenNeverShown runs calls that succeed, fail, retry and paginate with debug logging on, and
// scans everything a user could see — errors in every format, log lines (text and JSON), the
// formatted Options and Client — for the token or a piece of it. The server also echoes the
// Authorization header back in an error detail, as a misbehaving proxy might.
func TestTokenNeverShown(t *testing.T) {
	t.Parallel()
	for _, handler := range []string{"text", "json"} {
		t.Run(handler, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			hopts := &slog.HandlerOptions{Level: slog.LevelDebug}
			var logger *slog.Logger
			if handler == "text" {
				logger = slog.New(slog.NewTextHandler(&logs, hopts))
			} else {
				logger = slog.New(slog.NewJSONHandler(&logs, hopts))
			}
			var seen []string // everything shown to a user
			show := func(format string, args ...any) { seen = append(seen, fmt.Sprintf(format, args...)) }
			showErr := func(err error) {
				if err == nil {
					return
				}
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
					show(verb, err)
				}
				var ae *APIError
				if errors.As(err, &ae) {
					show("%#v", *ae)
					show("%+v", *ae)
				}
				for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
					show("%#v", u)
				}
			}

			f := newNamedFake(t, "sentry.example.com")
			region := newNamedFake(t, "us.sentry.example.com")
			f.handle("GET", "/api/0/organizations/acme/issues/", func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("cursor") == "" {
					w.Header().Set("Link", sentryLink("x", "0:0:1", false, "0:1:0", true))
				}
				w.Write([]byte(`[{"id":"1"}]`))
			})
			h, _ := sequence([]int{429, 503, 200}, http.Header{"Retry-After": {"1"}}, `{"version":"1.0"}`)
			f.handle("GET", "/api/0/organizations/acme/releases/1.0/", h)
			f.handle("PUT", "/api/0/organizations/acme/issues/1/", func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(401)
				json.NewEncoder(w).Encode(map[string]string{"detail": "bad credentials: Authorization: " + r.Header.Get("Authorization")})
			})
			f.reply("POST", "/api/0/organizations/acme/releases/", 500, []byte(`{"detail":"boom"}`))
			region.reply("POST", "/api/0/organizations/acme/chunk-upload/", 200, nil)

			opts := Options{BaseURL: f.baseURL(), Token: testToken, UserAgent: testUA, Logger: logger, MaxRetries: 3, Sleep: (&sleeps{}).sleep, HTTPClient: namedHostClient()}
			c, err := New(opts)
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			showErr(c.ListIssues(ctx, "acme", IssueQuery{}, func([]Issue) error { return nil }))
			_, err = c.GetRelease(ctx, "acme", "1.0", ReleaseOptions{})
			if err != nil {
				t.Errorf("GetRelease: %v", err)
			}
			_, err = c.UpdateIssue(ctx, "acme", "1", IssueUpdate{Status: StatusResolved})
			if !errors.Is(err, ErrUnauthorized) {
				t.Errorf("UpdateIssue err = %v, want ErrUnauthorized", err)
			}
			showErr(err)
			_, _, err = c.CreateRelease(ctx, "acme", NewRelease{Version: "1.0", Projects: []string{"web"}})
			showErr(err)
			err = c.UploadChunks(ctx, &ChunkOptions{URL: region.baseURL() + "api/0/organizations/acme/chunk-upload/", ChunkSize: 1 << 20, Compression: []string{"gzip"}},
				[]Chunk{NewChunk([]byte("chunk"))})
			if err != nil {
				t.Errorf("UploadChunks: %v", err)
			}

			// A network failure, retried and given up.
			down := Options{Token: testToken, Logger: logger, MaxRetries: 1, Sleep: (&sleeps{}).sleep,
				HTTPClient: &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
					return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
				})}}
			dc, err := New(down)
			if err != nil {
				t.Fatal(err)
			}
			_, err = dc.GetIssue(ctx, "acme", "1")
			showErr(err)

			// Invalid options: the errors must not quote the token either.
			showErr(Options{Token: testToken + "\n"}.Validate())
			showErr(Options{Token: testToken, BaseURL: "ftp://x/"}.Validate())

			// The configuration and the client, in every way they might be printed or logged.
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%q", "%T"} {
				show(verb, opts)
				show(verb, &opts)
				show(verb, c)
				show(verb, struct{ O Options }{opts})
			}
			js, _ := json.Marshal(opts)
			show("%s", js)
			logger.Info("configured", "options", opts, "client", c)
			logger.LogAttrs(context.Background(), slog.LevelDebug, "nested", slog.Any("o", &opts))

			seen = append(seen, logs.String())
			all := strings.Join(seen, "\n")
			// The token, and pieces of it long enough to matter.
			for _, piece := range []string{testToken, testToken[len(testToken)-16:], testToken[8:24]} {
				if strings.Contains(all, piece) {
					i := strings.Index(all, piece)
					t.Fatalf("the token (or a piece of it) is shown: …%s<TOKEN>…", all[max(0, i-200):i])
				}
			}
			// The scan must have had something to scan.
			for _, want := range []string{"Authorization=" + redacted, "bad credentials: Authorization: Bearer " + redacted, "gave up after 2 attempts", "sentry api: retrying"} {
				alt := strings.Replace(want, "Authorization="+redacted, `"Authorization":"`+redacted+`"`, 1)
				if !strings.Contains(all, want) && !strings.Contains(all, alt) {
					t.Errorf("expected %q in the output; the test no longer exercises that path", want)
				}
			}
		})
	}
}
