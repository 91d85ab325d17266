package sentryapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const stallTestTimeout = 50 * time.Millisecond

// stallServer answers GET and POST of a release; the first request to each is spoiled by
// spoil, the later ones answer normally. Handlers that hang are released when the test ends.
func stallServer(t *testing.T, spoil func(w http.ResponseWriter, r *http.Request, release <-chan struct{}), edit ...func(*Options)) (*Client, *sleeps, func() int) {
	t.Helper()
	return spoilingServer(t, func(n int) bool { return n == 1 }, spoil, edit...)
}

// spoilingServer is stallServer with the requests to spoil chosen by spoilIf (n counts from 1).
func spoilingServer(t *testing.T, spoilIf func(n int) bool, spoil func(w http.ResponseWriter, r *http.Request, release <-chan struct{}), edit ...func(*Options)) (*Client, *sleeps, func() int) {
	t.Helper()
	release := make(chan struct{})
	var (
		mu sync.Mutex
		n  int
	)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		n++
		spoiled := spoilIf(n)
		mu.Unlock()
		if spoiled {
			spoil(w, r, release)
			return
		}
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusCreated
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, `{"version":"1.0"}`)
	}))
	t.Cleanup(func() { close(release); ts.Close() })
	s := &sleeps{}
	// A transport without timeouts of its own, as a caller may pass.
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	opts := Options{BaseURL: ts.URL, Token: testToken, HTTPClient: &http.Client{Transport: tr}, Sleep: s.sleep, StallTimeout: stallTestTimeout}
	for _, e := range edit {
		e(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c, s, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

func hang(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
	select {
	case <-r.Context().Done():
	case <-release:
	}
}

// stallBody sends the head and part of the body, then stops sending.
func stallBody(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
	w.Header().Set("Content-Length", "100")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"vers`)
	w.(http.Flusher).Flush()
	hang(w, r, release)
}

// cutBody sends the head and part of the body, then closes the connection.
func cutBody(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
	conn, bw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	fmt.Fprint(bw, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"vers")
	bw.Flush()
}

// TestStallTimeoutRetries: a server that takes a safe call and then stalls, before or during
// its answer, or cuts the answer short, costs one attempt, not a hang or a failed call.
func TestStallTimeoutRetries(t *testing.T) {
	t.Parallel()
	for name, spoil := range map[string]func(http.ResponseWriter, *http.Request, <-chan struct{}){
		"no answer":    hang,
		"stalled body": stallBody,
		"cut body":     cutBody,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, s, n := stallServer(t, spoil)
			start := time.Now()
			r, err := c.GetRelease(t.Context(), "acme", "1.0", ReleaseOptions{})
			if err != nil || r.Version != "1.0" {
				t.Fatalf("GetRelease = %+v, %v; want the release on the second attempt", r, err)
			}
			if n() != 2 || len(s.all()) != 1 {
				t.Errorf("%d attempts, %d waits; want 2 and 1", n(), len(s.all()))
			}
			if el := time.Since(start); el > 5*time.Second {
				t.Errorf("took %s", el)
			}
		})
	}
}

// TestStallTimeoutCreate: a create that stalls is not repeated (it may have happened), and the
// error says what happened.
func TestStallTimeoutCreate(t *testing.T) {
	t.Parallel()
	c, s, n := stallServer(t, hang)
	_, _, err := c.CreateRelease(t.Context(), "acme", NewRelease{Version: "1.0", Projects: []string{"web"}})
	var se *StallError
	if !errors.As(err, &se) || se.Wait != stallTestTimeout || n() != 1 || len(s.all()) != 0 {
		t.Fatalf("err = %v after %d attempts; want a StallError, not retried", err, n())
	}
	for _, want := range []string{"create release", "no progress for 50ms while waiting for the response", "reachable"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not say %q", err, want)
		}
	}
}

// drip answers with a JSON body one byte every 10ms, for ever: it never stalls.
func drip(w http.ResponseWriter, r *http.Request, release <-chan struct{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"version":"1.0","ref":"`)
	for {
		select {
		case <-r.Context().Done():
			return
		case <-release:
			return
		case <-time.After(10 * time.Millisecond):
			io.WriteString(w, "a")
			w.(http.Flusher).Flush()
		}
	}
}

// TestAnswerTimeout: a server that drips its answer a byte at a time makes progress, so the
// stall timeout never fires; the answer timeout cuts the attempt, which is retried.
func TestAnswerTimeout(t *testing.T) {
	t.Parallel()
	c, s, n := stallServer(t, drip, func(o *Options) { o.AnswerTimeout = 150 * time.Millisecond })
	start := time.Now()
	r, err := c.GetRelease(t.Context(), "acme", "1.0", ReleaseOptions{})
	if err != nil || r.Version != "1.0" {
		t.Fatalf("GetRelease = %+v, %v; want the release on the second attempt", r, err)
	}
	if n() != 2 || len(s.all()) != 1 {
		t.Errorf("%d attempts, %d waits; want 2 and 1", n(), len(s.all()))
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("took %s", el)
	}
}

// TestRetryBudget: a server that drips every answer costs at most the retry budget (plus the
// attempt in flight), not MaxRetries+1 answer timeouts; the error says what happened.
func TestRetryBudget(t *testing.T) {
	t.Parallel()
	c, _, attempts := spoilingServer(t, func(int) bool { return true }, drip, func(o *Options) {
		o.MaxRetries, o.StallTimeout, o.AnswerTimeout, o.RetryBudget = 50, time.Second, 100*time.Millisecond, time.Second
	})
	start := time.Now()
	_, err := c.GetRelease(t.Context(), "acme", "1.0", ReleaseOptions{})
	el := time.Since(start)
	var se *StallError
	if !errors.As(err, &se) || !se.Answer {
		t.Fatalf("err = %v, want a StallError for the slow answer", err)
	}
	if got := attempts(); got < 2 || got > 5 {
		t.Errorf("%d attempts; want a few, bounded by the 1s budget, not the 51 MaxRetries allows", got)
	}
	if el > 2*time.Second {
		t.Errorf("took %s, want about the budget", el)
	}
	for _, want := range []string{"get release", "the answer took longer than 100ms", "dripping"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not say %q", err, want)
		}
	}
}
