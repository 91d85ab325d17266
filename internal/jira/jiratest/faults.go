package jiratest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/apifake"
)

// Fault is a failure to inject into matching requests. Status answers instead of the route
// (which then does nothing); NullBody and Delay let the route do its work and spoil or slow
// the answer.
type Fault struct {
	// Method limits the fault to one method ("" for any). Path is the path below the prefix,
	// matched as path.Match does; a pattern ending in "*" matches every path below it, and ""
	// every path.
	Method, Path string
	// Times is how many matching requests the fault hits; 0 means every one until ClearFaults.
	Times int
	// Status answers with this status and Body (default Jira's ErrorCollection) and Header.
	Status int
	Body   string
	Header http.Header
	// RetryAfter adds a Retry-After header (whole seconds, rounded up).
	RetryAfter time.Duration
	// Delay holds the answer back; a client that gives up first gets nothing.
	Delay time.Duration
	// NullBody serves the route, then answers its status with the body "null".
	NullBody bool
}

// RateLimited is Jira Cloud's 429 with a Retry-After.
func RateLimited(retryAfter time.Duration) Fault {
	return Fault{Status: http.StatusTooManyRequests, RetryAfter: retryAfter,
		Header: http.Header{"Ratelimit-Reason": {"jira-burst-based"}}}
}

func (f *Fault) String() string {
	var parts []string
	if f.Status != 0 {
		parts = append(parts, "status "+strconv.Itoa(f.Status))
	}
	if f.RetryAfter > 0 {
		parts = append(parts, "retry after "+f.RetryAfter.String())
	}
	if f.Delay > 0 {
		parts = append(parts, "delay "+f.Delay.String())
	}
	if f.NullBody {
		parts = append(parts, "null body")
	}
	return strings.Join(parts, ", ")
}

// InjectFault adds a fault. Faults are tried in the order added; the first that matches a
// request applies to it.
func (s *Server) InjectFault(f Fault) { s.faults.Add(f.Method, f.Path, f.Times, f) }

// ClearFaults removes every fault.
func (s *Server) ClearFaults() { s.faults.Clear() }

func (s *Server) takeFault(method, path string) *Fault {
	if f, ok := s.faults.Take(method, path); ok {
		return &f
	}
	return nil
}

// faultBefore applies what answers instead of the route; done says the request is answered.
func faultBefore(w http.ResponseWriter, r *http.Request, f *Fault) (status int, done bool) {
	if !apifake.Hold(r.Context(), f.Delay) {
		return 0, true
	}
	if f.Status == 0 {
		return 0, false
	}
	h := w.Header()
	for k, v := range f.Header {
		h[k] = v
	}
	apifake.SetRetryAfter(h, f.RetryAfter)
	body := f.Body
	if body == "" {
		body = fmt.Sprintf(`{"errorMessages":[%q],"errors":{}}`, http.StatusText(f.Status))
	}
	h.Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(body))
	return f.Status, true
}

// faultAfter sends the route's answer, spoiled.
func faultAfter(w http.ResponseWriter, _ *http.Request, f *Fault, buf *responseBuffer) {
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	body := buf.body.Bytes()
	if f.NullBody {
		body = []byte("null")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(buf.status)
	_, _ = w.Write(body)
}
