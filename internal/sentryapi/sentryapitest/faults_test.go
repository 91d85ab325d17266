package sentryapitest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"
)

func TestFaultStatuses(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{})
	c := client(t, srv)
	srv.InjectFault(Fault{Method: "GET", Path: "/api/0/organizations/acme/issues/", Times: 2, Status: 503})
	var statuses []int
	for range 3 {
		statuses = append(statuses, c.do("GET", "/api/0/organizations/acme/issues/", nil).status)
	}
	if statuses[0] != 503 || statuses[1] != 503 || statuses[2] != 200 {
		t.Errorf("statuses = %v, want 503 503 200", statuses)
	}
	if r := c.do("POST", "/api/0/organizations/acme/releases/", map[string]any{"version": "1", "projects": []string{"web"}}); r.status != 201 {
		t.Errorf("another route: %d", r.status)
	}
	reqs := srv.Requests()
	if reqs[0].Fault != "status 503" || reqs[0].Status != 503 || reqs[2].Fault != "" {
		t.Errorf("recorded faults %q/%d, %q", reqs[0].Fault, reqs[0].Status, reqs[2].Fault)
	}

	// Sentry's rate limit: a JSON string body, X-Sentry-Rate-Limit-* headers, no Retry-After.
	f := RateLimited(30 * time.Second)
	f.Path = "/api/0/*"
	f.Times = 1
	srv.InjectFault(f)
	r := c.do("GET", "/api/0/organizations/acme/releases/", nil)
	reset, _ := strconv.ParseInt(r.header.Get("X-Sentry-Rate-Limit-Reset"), 10, 64)
	if r.status != 429 || r.header.Get("Retry-After") != "" || r.header.Get("X-Sentry-Rate-Limit-Remaining") != "0" ||
		reset < time.Now().Add(29*time.Second).Unix() || reset > time.Now().Add(31*time.Second).Unix() ||
		!strings.HasPrefix(string(r.body), `"You are attempting to use this endpoint too frequently.`) {
		t.Errorf("rate limited: %d %v %s", r.status, r.header, r.body)
	}
	f.RetryAfter = 1500 * time.Millisecond
	srv.InjectFault(f)
	if r := c.do("GET", "/api/0/organizations/acme/releases/", nil); r.status != 429 || r.header.Get("Retry-After") != "2" {
		t.Errorf("with Retry-After: %d %q", r.status, r.header.Get("Retry-After"))
	}

	// Times 0: until cleared; a method filter and a custom body.
	srv.InjectFault(Fault{Method: "PUT", Status: 502, Body: "<html>bad gateway</html>", Header: http.Header{"Content-Type": {"text/html"}}})
	for range 2 {
		if r := c.do("PUT", "/api/0/organizations/acme/releases/1/", map[string]any{}); r.status != 502 || string(r.body) != "<html>bad gateway</html>" {
			t.Errorf("persistent fault: %d %s", r.status, r.body)
		}
	}
	srv.ClearFaults()
	if r := c.do("PUT", "/api/0/organizations/acme/releases/1/", map[string]any{}); r.status != 200 {
		t.Errorf("after ClearFaults: %d", r.status)
	}
}

func TestFaultConnections(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{})
	c := client(t, srv)

	// The response is cut after 10 bytes of its body.
	srv.InjectFault(Fault{Path: "/api/0/organizations/acme/chunk-upload/", Times: 1, CutResponse: true, CutResponseAfter: 10})
	resp, err := srv.Client().Do(authed(t, srv, "GET", "/api/0/organizations/acme/chunk-upload/", nil))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	// The client sees the head and at most the bytes sent, then an error (a reset, or an
	// unexpected EOF when the reset lost the race).
	if resp.StatusCode != 200 || len(body) > 10 || err == nil {
		t.Errorf("cut response: %d, %d bytes, %v", resp.StatusCode, len(body), err)
	}
	c.get("/api/0/organizations/acme/chunk-upload/", 200, nil)

	// The request is cut after 1000 bytes of its body: no answer at all.
	srv.InjectFault(Fault{Method: "POST", Path: "/api/0/organizations/acme/chunk-upload/", Times: 1, CutRequest: true, CutRequestAfter: 1000})
	big := bytes.Repeat([]byte("x"), 4<<20)
	if _, err := srv.Client().Do(authed(t, srv, "POST", "/api/0/organizations/acme/chunk-upload/", big)); err == nil {
		t.Error("a request cut mid-body got an answer")
	}
	reqs := srv.Requests()
	if last := reqs[len(reqs)-1]; last.Status != 0 || len(last.Body) != 1000 || last.Fault != "cut request after 1000 bytes" {
		t.Errorf("recorded cut request: status %d, %d bytes, %q", last.Status, len(last.Body), last.Fault)
	}

	// A slow reply: the client gives up; the server stops waiting too.
	srv.InjectFault(Fault{Path: "/api/0/organizations/acme/releases/", Times: 1, Delay: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = srv.Client().Do(authed(t, srv, "GET", "/api/0/organizations/acme/releases/", nil).WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("slow reply: %v after %v", err, time.Since(start))
	}
	srv.InjectFault(Fault{Path: "/api/0/organizations/acme/releases/", Times: 1, Delay: 50 * time.Millisecond})
	start = time.Now()
	c.get("/api/0/organizations/acme/releases/", 200, nil)
	if time.Since(start) < 50*time.Millisecond {
		t.Error("the delay was not applied")
	}
}

func authed(t *testing.T, srv *Server, method, path string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL()+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+srv.Token())
	return req
}

// sentry-go honours Relay's rate limits: after a 429 with X-Sentry-Rate-Limits for errors it
// stops sending errors for that long.
func TestFaultEnvelopeRateLimit(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Projects: []string{"api"}})
	srv.InjectFault(EnvelopeRateLimited(time.Minute))
	sendWith(t, srv.DSN("api"), "api@1", "", func(h *sentry.Hub) {
		failLogin(h, "u1")
		h.Flush(5 * time.Second)
		failLogin(h, "u2") // dropped by the SDK: errors are limited for a minute
	})
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Status != 429 || len(srv.Issues()) != 0 {
		t.Fatalf("%d requests, issues %d", len(reqs), len(srv.Issues()))
	}
	srv.ClearFaults()
	// A new client has no memory of the limit.
	sendWith(t, srv.DSN("api"), "api@1", "", func(h *sentry.Hub) { failLogin(h, "u3") })
	if n := len(srv.Issues()); n != 1 {
		t.Errorf("%d issues after the limit was lifted", n)
	}
}
