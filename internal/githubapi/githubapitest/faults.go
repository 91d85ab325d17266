package githubapitest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/apifake"
)

// Fault is a failure to inject into matching requests. Status, the rate limits and Redirect
// answer instead of the route (which then does nothing); NullBody, Drip and Delay let the
// route do its work and spoil or slow the answer, as a proxy or a struggling GitHub might.
type Fault struct {
	// Method limits the fault to one method ("" for any). Path is the path below the prefix,
	// matched as path.Match does; a pattern ending in "*" matches every path below it, and ""
	// matches every path.
	Method, Path string
	// Times is how many matching requests the fault hits; 0 means every one until ClearFaults.
	Times int

	// Status answers with this status and Body (default GitHub's {"message": …}) and Header.
	Status int
	Body   string
	Header http.Header
	// RetryAfter adds a Retry-After header (whole seconds, rounded up).
	RetryAfter time.Duration
	// SecondaryRateLimit answers 403 with GitHub's secondary rate limit message (with
	// RetryAfter's header when set, as GitHub sometimes sends and sometimes does not).
	SecondaryRateLimit bool
	// PrimaryRateLimit answers 403 with x-ratelimit-remaining 0 and a reset that far ahead.
	PrimaryRateLimit time.Duration
	// Redirect answers 307 to this URL (its path is the request's), as a hijacked or moved
	// host might.
	Redirect string

	// Delay holds the answer back; a client that gives up first gets nothing.
	Delay time.Duration
	// NullBody serves the route, then answers its status with the body "null".
	NullBody bool
	// Drip serves the route, then sends its answer one byte every Drip.
	Drip time.Duration
}

// SecondaryRateLimited is GitHub's secondary rate limit answer with a Retry-After.
func SecondaryRateLimited(retryAfter time.Duration) Fault {
	return Fault{SecondaryRateLimit: true, RetryAfter: retryAfter}
}

func (f *Fault) String() string {
	var parts []string
	add := func(ok bool, s string) {
		if ok {
			parts = append(parts, s)
		}
	}
	add(f.Status != 0, "status "+strconv.Itoa(f.Status))
	add(f.SecondaryRateLimit, "secondary rate limit")
	add(f.PrimaryRateLimit > 0, "primary rate limit")
	add(f.Redirect != "", "redirect to "+f.Redirect)
	add(f.Delay > 0, "delay "+f.Delay.String())
	add(f.NullBody, "null body")
	add(f.Drip > 0, "drip every "+f.Drip.String())
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
func (s *Server) faultBefore(w http.ResponseWriter, r *http.Request, f *Fault) (status int, done bool) {
	if !apifake.Hold(r.Context(), f.Delay) {
		return 0, true
	}
	h := w.Header()
	for k, v := range f.Header {
		h[k] = v
	}
	apifake.SetRetryAfter(h, f.RetryAfter)
	body := f.Body
	switch {
	case f.Redirect != "":
		h.Set("Location", strings.TrimSuffix(f.Redirect, "/")+r.URL.RequestURI())
		w.WriteHeader(http.StatusTemporaryRedirect)
		return http.StatusTemporaryRedirect, true
	case f.SecondaryRateLimit:
		f.Status = http.StatusForbidden
		if body == "" {
			body = fmt.Sprintf(`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","documentation_url":%q}`, docsURL)
		}
	case f.PrimaryRateLimit > 0:
		f.Status = http.StatusForbidden
		h.Set("X-RateLimit-Limit", "5000")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Used", "5000")
		h.Set("X-RateLimit-Resource", "core")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(f.PrimaryRateLimit).Unix(), 10))
		if body == "" {
			body = fmt.Sprintf(`{"message":"API rate limit exceeded for installation.","documentation_url":%q}`, docsURL)
		}
	}
	if f.Status == 0 {
		return 0, false
	}
	if body == "" {
		body = fmt.Sprintf(`{"message":%q,"documentation_url":%q}`, http.StatusText(f.Status), docsURL)
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(f.Status)
	_, _ = w.Write([]byte(body))
	return f.Status, true
}

// faultAfter sends the route's answer, spoiled or slowed.
func (s *Server) faultAfter(w http.ResponseWriter, r *http.Request, f *Fault, buf *responseBuffer) {
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	body := buf.body.Bytes()
	if f.NullBody {
		body = []byte("null")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(buf.status)
	if f.Drip <= 0 {
		_, _ = w.Write(body)
		return
	}
	flusher, _ := w.(http.Flusher)
	for i := range body {
		if _, err := w.Write(body[i : i+1]); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
		select {
		case <-time.After(f.Drip):
		case <-r.Context().Done():
			return
		}
	}
}
