// Package jiratest is a fake Jira for tests: an httptest server holding projects, issue types,
// users, issues, comments and remote links in memory, speaking Jira Cloud's REST v3 or Jira
// Data Center's v2. Every request it receives and every answer it gives is validated against
// Jira's published v3 description (testdata/external/jira-openapi); v2's paths are mapped onto
// v3's operations, and the text fields that differ (description, comment body: ADF objects on
// v3, wiki-markup strings on v2) are checked by hand, as is /rest/api/3/search/jql, which the
// vendored description predates. Unexpected and invalid calls fail the test.
//
// Its search is eventually consistent on demand (SearchLag): a new issue is found only after
// some searches or some time, unless the search's reconcileIssues names it, as Jira Cloud's
// is. Faults (statuses, 429 with Retry-After, null bodies, slow answers) are injected with
// InjectFault.
package jiratest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/releasegate/releasegate/internal/apifake"

	"github.com/releasegate/releasegate/internal/testenv"
)

// Options configures a Server. The zero value is a Jira Cloud whose user bot@example.com has
// the API token "jira-token".
type Options struct {
	// DataCenter serves Jira Data Center's REST v2 (a personal access token as Bearer) instead
	// of Cloud's v3 (Basic with Email and Token).
	DataCenter bool
	// Email and Token are the credentials accepted (defaults "bot@example.com", "jira-token").
	Email, Token string
	// Prefix serves Jira below a path, as Data Center often is ("/jira").
	Prefix string
	// Lenient leaves unexpected and invalid requests to the test (Unexpected, Invalid) instead
	// of failing it when it ends.
	Lenient bool
}

// Call is a recorded request.
type Call struct {
	Method string
	// Path is the escaped path below Options.Prefix; Route the pattern that served it
	// ("POST /rest/api/3/issue"), "" when none did.
	Path, Route string
	Query       url.Values
	Header      http.Header
	Body        []byte
	Status      int
	Fault       string
}

// Server is a running fake Jira. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	ts   *httptest.Server
	mux  *http.ServeMux
	spec *spec

	mu         sync.Mutex
	nextID     int64
	projects   map[string]*Project
	users      map[string]*User // by account ID (Cloud) or name (Data Center)
	issues     []*Issue
	calls      []Call
	unexpected []Call
	invalid    []string
	faults     apifake.Faults[Fault]
	lag        SearchLag
	now        func() time.Time
}

// Start starts a Server for the test and stops it when the test ends; unless Options.Lenient,
// the test fails for every request that reached no route or did not match Jira's description,
// and for every answer of the server that did not.
func Start(t testenv.T, opts Options) *Server {
	t.Helper()
	if opts.Email == "" {
		opts.Email = "bot@example.com"
	}
	if opts.Token == "" {
		opts.Token = "jira-token"
	}
	opts.Prefix = strings.TrimSuffix(opts.Prefix, "/")
	if opts.Prefix != "" && !strings.HasPrefix(opts.Prefix, "/") {
		opts.Prefix = "/" + opts.Prefix
	}
	s := &Server{
		opts: opts, mux: http.NewServeMux(), spec: loadSpec(t), nextID: 10000,
		projects: map[string]*Project{}, users: map[string]*User{}, now: time.Now,
	}
	for _, rt := range s.routeTable() {
		if rt.specPath != "" {
			rt.op = s.spec.operation(t, rt.method, rt.specPath)
		}
		s.mux.Handle(rt.method+" "+rt.path, rt)
	}
	s.ts = httptest.NewServer(s)
	t.Cleanup(func() {
		s.ts.CloseClientConnections()
		s.ts.Close()
		if opts.Lenient {
			return
		}
		for _, c := range s.Unexpected() {
			t.Errorf("jiratest: unexpected request %s %s (answered %d)", c.Method, c.Path, c.Status)
		}
		for _, msg := range s.Invalid() {
			t.Errorf("jiratest: %s", msg)
		}
	})
	return s
}

// URL is the site's base URL, as jira.Options.BaseURL takes it.
func (s *Server) URL() string { return s.ts.URL + s.opts.Prefix }

// Email and Token are the credentials the server accepts.
func (s *Server) Email() string { return s.opts.Email }

// Token is the API token (Cloud) or personal access token (Data Center) the server accepts.
func (s *Server) Token() string { return s.opts.Token }

// Calls returns every request received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsTo returns the calls served by one route ("POST /rest/api/3/issue").
func (s *Server) CallsTo(route string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Route == route {
			out = append(out, c)
		}
	}
	return out
}

// Unexpected returns the requests that matched no route.
func (s *Server) Unexpected() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.unexpected)
}

// Invalid returns what did not match Jira's description: requests the client sent and answers
// the server gave (a fault's answers are not checked).
func (s *Server) Invalid() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.invalid)
}

func (s *Server) addInvalid(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	// kin-openapi appends the whole schema and value; the path to the fault is enough.
	if i := strings.Index(msg, "\nSchema:"); i >= 0 {
		msg = msg[:i]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalid = append(s.invalid, msg)
}

// api is the REST prefix the server speaks.
func (s *Server) api() string {
	if s.opts.DataCenter {
		return "/rest/api/2"
	}
	return "/rest/api/3"
}

// responseBuffer holds an answer until it is validated and sent.
type responseBuffer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *responseBuffer) Header() http.Header { return b.header }
func (b *responseBuffer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *responseBuffer) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

// maxBody bounds what the server reads of one request.
const maxBody = 8 << 20

// ServeHTTP serves a request: the fault, the route with its validation, the recording.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rel, inPrefix := strings.CutPrefix(r.URL.Path, s.opts.Prefix)
	rec := Call{Method: r.Method, Path: strings.TrimPrefix(r.URL.EscapedPath(), s.opts.Prefix), Query: r.URL.Query(), Header: r.Header.Clone()}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	rec.Body = body
	if err != nil {
		s.record(rec, false)
		return
	}
	inner := r.Clone(r.Context())
	inner.Body = io.NopCloser(bytes.NewReader(body))
	inner.URL.Path, inner.URL.RawPath = rel, ""
	var rt *route
	if inPrefix {
		if h, pattern := s.mux.Handler(inner); pattern != "" {
			rt, _ = h.(*route)
			rec.Route = pattern
		}
	}

	f := s.takeFault(r.Method, rel)
	if f != nil {
		rec.Fault = f.String()
		if status, done := faultBefore(w, r, f); done {
			rec.Status = status
			s.record(rec, rt == nil)
			return
		}
	}
	buf := &responseBuffer{header: http.Header{}}
	if rt != nil {
		s.mux.ServeHTTP(buf, inner)
	} else {
		writeJSON(buf, http.StatusNotFound, errorCollection{ErrorMessages: []string{"null for uri: " + r.URL.String()}})
	}
	rec.Status = buf.status
	if f != nil {
		faultAfter(w, r, f, buf)
	} else {
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	}
	s.record(rec, rt == nil)
}

func (s *Server) record(rec Call, unexpected bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, rec)
	if unexpected {
		s.unexpected = append(s.unexpected, rec)
	}
}

// errorCollection is Jira's error body.
type errorCollection struct {
	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("jiratest: encoding an answer: %v", err))
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
