package githubapitest

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

// maxBody bounds what the server reads of one request.
const maxBody = 32 << 20

// Options configures a Server. The zero value serves App 1 ("releasegate-test") at the root
// path, as api.github.com does.
type Options struct {
	// AppID and AppSlug name the App whose JWTs the server accepts (defaults 1 and
	// "releasegate-test").
	AppID   int64
	AppSlug string
	// Prefix serves the API below a path, as GitHub Enterprise Server does ("/api/v3").
	Prefix string
	// Lenient leaves unexpected and invalid requests to the test (Unexpected, Invalid) instead
	// of failing it when it ends; the package's own tests of those checks use it.
	Lenient bool
}

// Call is a recorded request.
type Call struct {
	Method string
	// Path is the escaped path below Options.Prefix; Route the operation's path as GitHub's
	// description writes it ("/repos/{owner}/{repo}/check-runs"), "" when no route matched.
	Path, Route string
	Query       url.Values
	Header      http.Header
	Body        []byte
	// Status is the status sent; Fault names the fault injected, if any.
	Status int
	Fault  string
	// Installation is the installation whose token made the call (0: the App's JWT or none).
	Installation int64
	Time         time.Time
}

// Server is a running fake GitHub. Its methods are safe for concurrent use.
type Server struct {
	opts   Options
	ts     *httptest.Server
	mux    *http.ServeMux
	routes map[string]*route // by mux pattern
	key    []byte            // the App's private key, PEM

	mu         sync.Mutex
	nextID     int64
	insts      map[int64]*Installation
	tokens     map[string]*token
	repos      map[string]*repo // by "owner/name"
	codes      map[string]bool  // manifest codes, true once used
	reviews    []ProtectionReview
	refused    []ProtectionReview
	checkRuns  []*CheckRun
	comments   []*Comment
	calls      []Call
	unexpected []Call
	invalid    []string
	faults     apifake.Faults[Fault]
	used       map[int64]int // calls per installation (0: the App), for the rate-limit headers
	treeLimit  int           // entries a tree listing holds before it is truncated
}

// Start starts a Server for the test and stops it when the test ends; unless Options.Lenient,
// the test fails for every request that reached no route or did not match GitHub's API
// description, and for every response of the server that did not.
func Start(t testenv.T, opts Options) *Server {
	t.Helper()
	if opts.AppID == 0 {
		opts.AppID = 1
	}
	if opts.AppSlug == "" {
		opts.AppSlug = "releasegate-test"
	}
	opts.Prefix = strings.TrimSuffix(opts.Prefix, "/")
	if opts.Prefix != "" && !strings.HasPrefix(opts.Prefix, "/") {
		opts.Prefix = "/" + opts.Prefix
	}
	s := &Server{
		opts: opts, routes: map[string]*route{}, mux: http.NewServeMux(), key: appKeyPEM(t),
		insts: map[int64]*Installation{}, tokens: map[string]*token{}, repos: map[string]*repo{},
		codes: map[string]bool{}, nextID: 1000, used: map[int64]int{}, treeLimit: maxTreeEntries,
	}
	spec := loadSpec(t)
	for _, rt := range s.routeTable() {
		rt.op = specOperation(t, spec, rt.method, rt.path)
		pattern := rt.method + " " + muxPath(rt.path)
		s.routes[pattern] = &rt
		s.mux.HandleFunc(pattern, s.dispatch)
	}
	s.mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found", "documentation_url": docsURL})
	})
	s.ts = httptest.NewServer(s)
	t.Cleanup(func() {
		s.ts.CloseClientConnections()
		s.ts.Close()
		if opts.Lenient {
			return
		}
		for _, c := range s.Unexpected() {
			t.Errorf("githubapitest: unexpected request %s %s (answered %d)", c.Method, c.Path, c.Status)
		}
		for _, msg := range s.Invalid() {
			t.Errorf("githubapitest: %s", msg)
		}
	})
	return s
}

// docsURL is the documentation_url of the server's error answers.
const docsURL = "https://docs.github.com/rest"

// muxPath turns a description path into a ServeMux pattern: a file path, and a ref name,
// may hold slashes.
func muxPath(p string) string {
	p = strings.Replace(p, "/contents/{path}", "/contents/{path...}", 1)
	p = strings.Replace(p, "/compare/{basehead}", "/compare/{basehead...}", 1)
	p = strings.Replace(p, "/git/ref/{ref}", "/git/ref/{ref...}", 1)
	return strings.Replace(p, "/git/trees/{tree_sha}", "/git/trees/{tree_sha...}", 1)
}

// URL is the API root, ending in "/", as githubapi.Options.BaseURL takes it.
func (s *Server) URL() string { return s.ts.URL + s.opts.Prefix + "/" }

// AppID is the App the server accepts JWTs of.
func (s *Server) AppID() int64 { return s.opts.AppID }

// PrivateKey is the App's private key (PEM), as githubapi.Options.PrivateKey takes it.
func (s *Server) PrivateKey() []byte { return slices.Clone(s.key) }

// Calls returns every request received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsTo returns the calls of one operation ("POST /repos/{owner}/{repo}/check-runs").
func (s *Server) CallsTo(op string) []Call {
	var out []Call
	for _, c := range s.Calls() {
		if c.Method+" "+c.Route == op {
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

// Invalid returns what did not match GitHub's API description: requests the client sent and
// responses the server gave (a fault's answers are not checked).
func (s *Server) Invalid() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.invalid)
}

// route is one operation of GitHub's description that the server answers.
type route struct {
	method, path string
	// auth is who may call it: the App's JWT, an installation token (with a permission), or
	// anyone.
	auth       authKind
	permission string // e.g. "checks:write", for installation routes
	handler    func(*call)
	op         *specOp
}

// call is one request being served.
type call struct {
	s     *Server
	w     *responseBuffer
	r     *http.Request
	body  []byte
	inst  *Installation // the calling installation, for installation routes
	route *route
}

// responseBuffer holds a response until the server has validated it and decided how to send it.
type responseBuffer struct {
	header http.Header
	status int
	body   bytes.Buffer
	route  *route
	params map[string]string
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

// ServeHTTP serves a request: the route, the validation of request and response, injected
// faults, then the recording.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rel, inPrefix := strings.CutPrefix(r.URL.Path, s.opts.Prefix)
	rec := Call{
		Method: r.Method, Path: strings.TrimPrefix(r.URL.EscapedPath(), s.opts.Prefix), Query: r.URL.Query(),
		Header: r.Header.Clone(), Time: time.Now(),
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	rec.Body = body
	if err != nil {
		s.record(rec, false)
		return
	}
	inner := r.Clone(r.Context())
	inner.Body = io.NopCloser(bytes.NewReader(body))
	inner.URL.Path, inner.URL.RawPath = rel, ""
	inPrefix = inPrefix && (rel == "" || strings.HasPrefix(rel, "/"))
	var rt *route
	if inPrefix {
		_, pattern := s.mux.Handler(inner)
		rt = s.routes[pattern]
	}
	if rt != nil {
		rec.Route = rt.path
	}

	f := s.takeFault(r.Method, rel)
	if f != nil {
		rec.Fault = f.String()
		if status, done := s.faultBefore(w, r, f); done {
			rec.Status = status
			s.record(rec, rt == nil)
			return
		}
	}

	buf := &responseBuffer{header: http.Header{}}
	if inPrefix {
		s.mux.ServeHTTP(buf, inner)
	} else {
		writeJSON(buf, http.StatusNotFound, map[string]string{"message": "Not Found", "documentation_url": docsURL})
	}
	if buf.status == 0 {
		buf.status = http.StatusOK
	}
	if inst := buf.header.Get(installationHeader); inst != "" {
		_, _ = fmt.Sscan(inst, &rec.Installation)
	}
	buf.header.Del(installationHeader)
	if buf.route != nil && (f == nil || !f.NullBody) {
		s.checkResponse(buf.route, inner, buf)
	}
	rec.Status = buf.status
	if f != nil {
		s.faultAfter(w, r, f, buf)
	} else {
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	}
	s.record(rec, buf.route == nil)
}

// installationHeader carries the calling installation from a handler to the recording; it is
// removed before the answer leaves.
const installationHeader = "X-Githubapitest-Installation"

func (s *Server) record(rec Call, unexpected bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, rec)
	if unexpected {
		s.unexpected = append(s.unexpected, rec)
	}
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

// dispatch runs the matched route: the request's validation, authentication, then its
// handler under the lock.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	buf := w.(*responseBuffer)
	rt := s.routes[r.Pattern]
	buf.route = rt
	buf.params = pathParams(rt, r)
	body, _ := io.ReadAll(r.Body)
	c := &call{s: s, w: buf, r: r, body: body, route: rt}
	if err := s.checkRequest(rt, r, body, buf.params); err != nil {
		s.addInvalid("request %s %s does not match GitHub's description of %s %s: %v", r.Method, r.URL.EscapedPath(), rt.method, rt.path, err)
		c.message(http.StatusUnprocessableEntity, "Invalid request.\n\n"+err.Error())
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !c.authenticate() {
		return
	}
	if rt.auth != authNone {
		c.rateLimitHeaders()
	}
	rt.handler(c)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("githubapitest: encoding a response: %v", err))
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (c *call) json(status int, v any) { writeJSON(c.w, status, v) }

// message answers an error as GitHub does: {"message", "documentation_url"}.
func (c *call) message(status int, msg string) {
	c.json(status, map[string]string{"message": msg, "documentation_url": docsURL})
}

func (c *call) notFound() { c.message(http.StatusNotFound, "Not Found") }

// validation answers 422 with one field error, as GitHub's validation_failed does.
func (c *call) validation(msg string) {
	c.json(http.StatusUnprocessableEntity, map[string]any{
		"message": "Validation Failed", "documentation_url": docsURL,
		"errors": []map[string]string{{"resource": "Request", "code": "custom", "message": msg}},
	})
}

func (c *call) decode(v any) bool {
	if err := json.Unmarshal(c.body, v); err != nil {
		c.message(http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	return true
}

// baseURL is the API root as the client reached it, for the URLs in answers.
func (c *call) baseURL() string { return "http://" + c.r.Host + c.s.opts.Prefix }

func (s *Server) newID() int64 {
	s.nextID++
	return s.nextID
}

// rateLimit is the primary limit the server announces: GitHub's for an installation.
const rateLimit = 5000

// rateLimitHeaders sets GitHub's x-ratelimit-* headers for the caller (the installation, or
// the App). It runs under s.mu.
func (c *call) rateLimitHeaders() {
	var id int64
	if c.inst != nil {
		id = c.inst.ID
	}
	c.s.used[id]++
	used := c.s.used[id]
	h := c.w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(rateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(rateLimit-used, 0)))
	h.Set("X-RateLimit-Used", strconv.Itoa(used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
}
