package sentryapitest

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/apifake"
)

// Fault is a failure to inject into matching requests. The parts apply in this order: cut the
// connection while reading the request, wait, answer with an error status, cut the connection
// while sending the (real) response.
type Fault struct {
	// Method limits the fault to one method ("" for any).
	Method string
	// Path is the path below the prefix ("/api/0/organizations/acme/chunk-upload/"), matched
	// as path.Match does ("/api/*/envelope/" is every project's envelope endpoint); a pattern
	// ending in "*" also matches every path below it ("/api/0/*"), and "" matches every path.
	Path string
	// Times is how many matching requests the fault hits; 0 means every one until ClearFaults.
	Times int

	// CutRequest closes the connection (with a TCP reset) after reading CutRequestAfter bytes of
	// the request body, without answering.
	CutRequest      bool
	CutRequestAfter int

	// Delay holds the answer back (a slow server); a client that gives up first gets nothing.
	Delay time.Duration

	// Status answers with this status instead of serving the request. Body defaults to
	// {"detail": "<status text>"} as JSON; Header is added as given.
	Status int
	Body   string
	Header http.Header
	// RetryAfter adds a Retry-After header (whole seconds, rounded up).
	RetryAfter time.Duration
	// RateLimitReset adds Sentry's rate-limit headers (X-Sentry-Rate-Limit-Limit, -Remaining,
	// -Reset and the concurrent ones), with Reset that far from the real clock: clients compare
	// it with their own wall clock.
	RateLimitReset time.Duration

	// CutResponse serves the request, then sends the status line, the headers (with the full
	// Content-Length) and only CutResponseAfter bytes of the body before resetting the connection.
	CutResponse      bool
	CutResponseAfter int
}

// RateLimited is Sentry's 429 answer: the API middleware's JSON string body and its
// X-Sentry-Rate-Limit-* headers, with the window resetting after reset. Sentry sends no
// Retry-After; set RetryAfter on the result to add one.
func RateLimited(reset time.Duration) Fault {
	return Fault{
		Status:         http.StatusTooManyRequests,
		Body:           `"You are attempting to use this endpoint too frequently. Limit is 40 requests in 1 seconds"`,
		RateLimitReset: reset,
	}
}

// EnvelopeRateLimited is Relay's 429 for the envelope endpoint: Retry-After and
// X-Sentry-Rate-Limits for the error category, which sentry-go honours.
func EnvelopeRateLimited(wait time.Duration) Fault {
	secs := strconv.Itoa(int((wait + time.Second - 1) / time.Second))
	return Fault{
		Method:     http.MethodPost,
		Path:       "/api/*",
		Status:     http.StatusTooManyRequests,
		Body:       `{"detail":"event submission rejected with_reason: too many requests"}`,
		Header:     http.Header{"X-Sentry-Rate-Limits": {secs + ":error:organization"}},
		RetryAfter: wait,
	}
}

func (f *Fault) String() string {
	var parts []string
	if f.CutRequest {
		parts = append(parts, fmt.Sprintf("cut request after %d bytes", f.CutRequestAfter))
	}
	if f.Delay > 0 {
		parts = append(parts, "delay "+f.Delay.String())
	}
	if f.Status != 0 {
		parts = append(parts, "status "+strconv.Itoa(f.Status))
	}
	if f.CutResponse {
		parts = append(parts, fmt.Sprintf("cut response after %d bytes", f.CutResponseAfter))
	}
	return strings.Join(parts, ", ")
}

// InjectFault adds a fault. Faults are tried in the order added; the first that matches a
// request applies to it.
func (s *Server) InjectFault(f Fault) { s.faults.Add(f.Method, f.Path, f.Times, f) }

// ClearFaults removes every fault (not the assemble stalls).
func (s *Server) ClearFaults() { s.faults.Clear() }

func (s *Server) takeFault(method, path string) *Fault {
	if f, ok := s.faults.Take(method, path); ok {
		return &f
	}
	return nil
}

// applyFaultBefore does the parts of a fault that come before the route; it reports whether
// the request is finished.
func (s *Server) applyFaultBefore(w http.ResponseWriter, r *http.Request, f *Fault, rec *Request) bool {
	if f.CutRequest {
		body := make([]byte, f.CutRequestAfter)
		n, _ := io.ReadFull(r.Body, body)
		rec.Body = body[:n]
		resetConnection(w)
		return true
	}
	if !apifake.Hold(r.Context(), f.Delay) {
		return true
	}
	if f.Status == 0 {
		return false
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxBody))
	h := w.Header()
	for k, v := range f.Header {
		h[k] = v
	}
	apifake.SetRetryAfter(h, f.RetryAfter)
	if f.RateLimitReset > 0 {
		h.Set("X-Sentry-Rate-Limit-Limit", "40")
		h.Set("X-Sentry-Rate-Limit-Remaining", "0")
		h.Set("X-Sentry-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(f.RateLimitReset).Unix(), 10))
		h.Set("X-Sentry-Rate-Limit-ConcurrentLimit", "25")
		h.Set("X-Sentry-Rate-Limit-ConcurrentRemaining", "24")
	}
	body := f.Body
	if body == "" {
		body = fmt.Sprintf(`{"detail":%q}`, http.StatusText(f.Status))
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, body)
	rec.Status = f.Status
	return true
}

// cutResponse sends the head of a response and part of its body, then resets the connection,
// so the client sees a body shorter than its Content-Length.
func (s *Server) cutResponse(w http.ResponseWriter, buf *responseBuffer, after int) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("sentryapitest: the response writer cannot be hijacked")
	}
	conn, bw, err := hj.Hijack()
	if err != nil {
		return
	}
	defer resetConn(conn)
	body := buf.body.Bytes()
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\n", buf.status, http.StatusText(buf.status))
	buf.header.Set("Content-Length", strconv.Itoa(len(body)))
	_ = buf.header.Write(bw)
	_, _ = bw.WriteString("\r\n")
	_, _ = bw.Write(body[:min(after, len(body))])
	_ = bw.Flush()
}

func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("sentryapitest: the response writer cannot be hijacked")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	resetConn(conn)
}

// resetConn closes with SO_LINGER 0, which sends a TCP reset instead of an orderly close.
func resetConn(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
