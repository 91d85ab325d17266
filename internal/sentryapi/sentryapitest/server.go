package sentryapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/releasegate/releasegate/internal/apifake"

	"github.com/releasegate/releasegate/internal/testenv"
)

// DefaultToken is the bearer token a Server accepts (with every scope) when Options.Token is empty.
const DefaultToken = "sentryapitest-token"

// maxBody bounds what the server reads of one request; Sentry's own limit for a chunk POST is
// 32 MiB plus multipart overhead.
const maxBody = 256 << 20

// Options configures a Server. The zero value serves organization "acme" with project "web"
// at the root path and accepts DefaultToken.
type Options struct {
	// Token is accepted with every scope (default DefaultToken). AddToken adds more tokens.
	Token string
	// Org is the slug of the organization created at start (default "acme").
	Org string
	// Projects are the slugs of the projects created in Org at start (default "web").
	Projects []string
	// Prefix serves everything below a path, as a self-hosted Sentry behind a proxy does
	// ("/sentry" gives /sentry/api/0/… and DSNs ending in /sentry/<project id>).
	Prefix string
	// Chunk sets the chunk-upload limits; zero fields take Sentry's values.
	Chunk ChunkOptions
	// AssemblePolls is how many assemble calls after the one that starts a job still answer
	// "assembling" before the outcome ("ok" or "error") is given.
	AssemblePolls int
	// Now, when set, starts a manual clock at that time: it moves only with SetNow and Advance.
	// The zero value uses the real clock.
	Now time.Time
	// OnExchange, when set, sees every request and the response the server is about to send.
	// The package's own tests use it to validate responses against Sentry's OpenAPI description.
	OnExchange func(Exchange)
}

// ChunkOptions are the values GET /api/0/organizations/{org}/chunk-upload/ announces and the
// chunk POST enforces.
type ChunkOptions struct {
	ChunkSize        int64    // default 8 MiB
	ChunksPerRequest int      // default 64
	MaxRequestSize   int64    // default 32 MiB
	MaxFileSize      int64    // default 2 GiB
	Concurrency      int      // default 8
	MaxWait          int      // seconds; 0 leaves it out, as Sentry does
	Compression      []string // default ["gzip"]; set to an empty non-nil slice to announce none
	Accept           []string // default: what current Sentry announces
}

// Exchange is one request and the response the server produced for it.
type Exchange struct {
	// Route is the route's path as Sentry's OpenAPI description writes it (with {…}
	// parameters), empty when no route matched.
	Route       string
	Request     *http.Request // its body has been read: use RequestBody
	RequestBody []byte
	Status      int
	Header      http.Header
	Body        []byte
}

// Request is a recorded request.
type Request struct {
	Method string
	// Path is the escaped path below Options.Prefix, e.g. "/api/0/organizations/acme/issues/".
	Path   string
	Query  url.Values
	Header http.Header
	Body   []byte
	// Route is the matched route (see Exchange.Route).
	Route string
	// Status is the status sent, 0 when the connection was cut or the client gave up first.
	Status int
	// Fault describes the fault injected into this request, if any.
	Fault string
	// Time is when the request arrived, by the real clock.
	Time time.Time
}

// Server is a running local Sentry. Its methods are safe for concurrent use.
type Server struct {
	opts   Options
	prefix string // Options.Prefix as it appears in an escaped URL path
	ts     *httptest.Server
	mux    *http.ServeMux
	routes map[string]*route // by mux pattern

	mu         sync.Mutex
	manual     bool
	now        time.Time
	nextID     int
	tokens     map[string]*tokenInfo
	orgs       []*org
	requests   []Request
	unexpected []Request
	faults     apifake.Faults[Fault]
	stalls     []AssembleStall
}

type tokenInfo struct {
	scopes []string // nil: every scope
}

// New starts a Server; Close stops it. Most tests want Start instead.
func New(opts Options) *Server {
	if opts.Token == "" {
		opts.Token = DefaultToken
	}
	if opts.Org == "" {
		opts.Org = "acme"
	}
	if opts.Projects == nil {
		opts.Projects = []string{"web"}
	}
	opts.Prefix = strings.TrimSuffix(opts.Prefix, "/")
	if opts.Prefix != "" && !strings.HasPrefix(opts.Prefix, "/") {
		opts.Prefix = "/" + opts.Prefix
	}
	opts.Chunk = opts.Chunk.withDefaults()
	s := &Server{
		opts:   opts,
		prefix: (&url.URL{Path: opts.Prefix}).EscapedPath(),
		tokens: map[string]*tokenInfo{opts.Token: {}},
		routes: map[string]*route{},
		mux:    http.NewServeMux(),
	}
	if !opts.Now.IsZero() {
		s.manual, s.now = true, opts.Now.UTC()
	}
	for _, rt := range s.routeTable() {
		pattern := rt.method + " " + rt.path + "{$}"
		s.routes[pattern] = &rt
		s.mux.HandleFunc(pattern, s.dispatch)
	}
	s.mux.HandleFunc("/", s.noRoute)
	s.ts = httptest.NewServer(s)
	s.AddOrg(opts.Org)
	for _, p := range opts.Projects {
		s.AddProject(opts.Org, p)
	}
	return s
}

// Start starts a Server for the test and stops it when the test ends; the test fails if any
// request reached no route (see Unexpected).
func Start(t testenv.T, opts Options) *Server {
	t.Helper()
	s := New(opts)
	t.Cleanup(func() {
		s.Close()
		for _, r := range s.Unexpected() {
			t.Errorf("sentryapitest: unexpected request %s %s (answered %d)", r.Method, r.Path, r.Status)
		}
	})
	return s
}

// Close stops the server, cutting any connection still open.
func (s *Server) Close() {
	s.ts.CloseClientConnections()
	s.ts.Close()
}

// URL is the server's base URL, with the prefix and without a trailing slash, as SENTRY_URL
// would be set ("http://127.0.0.1:PORT/sentry").
func (s *Server) URL() string { return s.ts.URL + s.prefix }

// Token is the all-scopes token (Options.Token).
func (s *Server) Token() string { return s.opts.Token }

// Client is an HTTP client for the server (the httptest one).
func (s *Server) Client() *http.Client { return s.ts.Client() }

// AddToken makes token valid with the given scopes (e.g. "org:ci" for an organization token
// that may upload and manage releases but not read issues). Without scopes it has them all.
func (s *Server) AddToken(token string, scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ti := &tokenInfo{}
	if len(scopes) > 0 {
		ti.scopes = slices.Clone(scopes)
	}
	s.tokens[token] = ti
}

// SetNow sets the manual clock (switching to it if the server used the real clock).
func (s *Server) SetNow(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.manual, s.now = true, t.UTC()
}

// Advance moves the manual clock forward (switching to it, from the current real time, first).
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.manual {
		s.manual, s.now = true, time.Now().UTC()
	}
	s.now = s.now.Add(d)
}

// Now is the server's current time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock()
}

// clock is Now for callers holding mu.
func (s *Server) clock() time.Time {
	if s.manual {
		return s.now
	}
	return time.Now().UTC()
}

// newID hands out numeric IDs; one sequence for every kind of object keeps them unique.
func (s *Server) newID() int {
	s.nextID++
	return s.nextID
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Unexpected returns the requests that matched no route.
func (s *Server) Unexpected() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.unexpected)
}

// ResetRequests forgets the recorded requests (not the unexpected ones).
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// route is one endpoint. path is written as in Sentry's OpenAPI description, so that the
// pattern ServeMux matched tells the validator which operation a response belongs to.
type route struct {
	method string
	path   string
	// scopes lists the token scopes of which any one grants access; nil means the route does
	// not take bearer tokens (the envelope endpoint authenticates with the DSN key).
	scopes  []string
	handler func(*call)
}

// call is one request being served.
type call struct {
	s    *Server
	w    *responseBuffer
	r    *http.Request
	body []byte
}

// responseBuffer holds a response until the server decides how to send it (whole, or cut).
type responseBuffer struct {
	header     http.Header
	status     int
	body       bytes.Buffer
	route      string
	unexpected bool
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

// ServeHTTP serves a request: injected faults first, then the route, then the recording.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rel, inPrefix := strings.CutPrefix(r.URL.Path, s.opts.Prefix)
	if rel == "" {
		rel = "/"
	}
	inPrefix = inPrefix && strings.HasPrefix(rel, "/")
	relEscaped := strings.TrimPrefix(r.URL.EscapedPath(), s.prefix)
	rec := Request{
		Method: r.Method,
		Path:   relEscaped,
		Query:  r.URL.Query(),
		Header: r.Header.Clone(),
		Time:   time.Now(),
	}

	f := s.takeFault(r.Method, rel)
	if f != nil {
		rec.Fault = f.String()
		if done := s.applyFaultBefore(w, r, f, &rec); done {
			s.record(rec, false)
			return
		}
	}

	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		// The client went away mid-body; nothing can be answered.
		rec.Body = body
		s.record(rec, false)
		return
	}
	rec.Body = body

	buf := &responseBuffer{header: http.Header{}}
	inner := r.Clone(r.Context())
	inner.Body = io.NopCloser(bytes.NewReader(body))
	if !inPrefix {
		buf.unexpected = true
		writeJSON(buf, http.StatusNotFound, map[string]string{"detail": "The requested resource does not exist"})
	} else {
		inner.URL.Path = rel
		inner.URL.RawPath = ""
		if r.URL.RawPath != "" {
			inner.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, s.prefix)
		}
		if !strings.HasSuffix(rel, "/") && s.hasRoute(inner, rel+"/") {
			// Django's APPEND_SLASH: a permanent redirect to the path with the slash. No
			// client of this server should depend on it, so it counts as unexpected.
			loc := r.URL.EscapedPath() + "/"
			if r.URL.RawQuery != "" {
				loc += "?" + r.URL.RawQuery
			}
			buf.unexpected = true
			buf.header.Set("Location", loc)
			buf.WriteHeader(http.StatusMovedPermanently)
		} else {
			s.mux.ServeHTTP(buf, inner)
		}
	}
	if buf.status == 0 {
		buf.status = http.StatusOK
	}
	if buf.route == "" {
		// ServeMux answered by itself (e.g. a redirect to a cleaned path).
		buf.unexpected = true
	}
	rec.Route, rec.Status = buf.route, buf.status

	if s.opts.OnExchange != nil {
		s.opts.OnExchange(Exchange{
			Route:       buf.route,
			Request:     r,
			RequestBody: body,
			Status:      buf.status,
			Header:      buf.header.Clone(),
			Body:        slices.Clone(buf.body.Bytes()),
		})
	}

	if f != nil && f.CutResponse {
		s.cutResponse(w, buf, f.CutResponseAfter)
		rec.Status = 0
		s.record(rec, buf.unexpected)
		return
	}
	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.WriteHeader(buf.status)
	_, _ = w.Write(buf.body.Bytes())
	s.record(rec, buf.unexpected)
}

func (s *Server) record(rec Request, unexpected bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, rec)
	if unexpected {
		s.unexpected = append(s.unexpected, rec)
	}
}

// dispatch runs the matched route: authentication, scopes, then its handler under the lock.
func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) {
	buf := w.(*responseBuffer)
	rt := s.routes[r.Pattern]
	buf.route = rt.path
	body, _ := io.ReadAll(r.Body)
	c := &call{s: s, w: buf, r: r, body: body}

	s.mu.Lock()
	defer s.mu.Unlock()
	if rt.scopes != nil && !c.authorize(rt.scopes) {
		return
	}
	rt.handler(c)
}

// hasRoute says whether some route serves path (with any method).
func (s *Server) hasRoute(r *http.Request, path string) bool {
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method, probe.URL.Path, probe.URL.RawPath = m, path, ""
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			return true
		}
	}
	return false
}

// noRoute answers what no route serves, as Sentry does (404, or 405 when the path exists for
// other methods), and marks the request unexpected.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	buf := w.(*responseBuffer)
	buf.unexpected = true
	if s.hasRoute(r, r.URL.Path) {
		writeJSON(buf, http.StatusMethodNotAllowed, map[string]string{"detail": fmt.Sprintf("Method %q not allowed.", r.Method)})
		return
	}
	writeJSON(buf, http.StatusNotFound, map[string]string{"detail": "The requested resource does not exist"})
}

// authorize checks the bearer token and its scopes, answering 401/403 as Sentry does.
func (c *call) authorize(anyOf []string) bool {
	auth := c.r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(auth, " ")
	if auth == "" || !ok || !strings.EqualFold(scheme, "Bearer") {
		c.detail(http.StatusUnauthorized, "Authentication credentials were not provided.")
		return false
	}
	ti, known := c.s.tokens[strings.TrimSpace(token)]
	if !known {
		c.detail(http.StatusUnauthorized, "Invalid token")
		return false
	}
	if ti.scopes == nil || slices.ContainsFunc(anyOf, func(sc string) bool { return slices.Contains(ti.scopes, sc) }) {
		return true
	}
	c.detail(http.StatusForbidden, "You do not have permission to perform this action.")
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only a bug in the server can get here: the values are built from plain types.
		panic(fmt.Sprintf("sentryapitest: encoding a response: %v", err))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}

func (c *call) json(status int, v any) { writeJSON(c.w, status, v) }

// detail answers an error the way Sentry's API views do: {"detail": "..."}.
func (c *call) detail(status int, msg string) {
	c.json(status, map[string]string{"detail": msg})
}

// notFound is Sentry's answer for a missing organization, project, issue, release, ...
func (c *call) notFound() {
	c.detail(http.StatusNotFound, "The requested resource does not exist")
}

// fieldError answers a serializer validation error: {"field": ["message"]}.
func (c *call) fieldError(field, msg string) {
	c.json(http.StatusBadRequest, map[string][]string{field: {msg}})
}

func (c *call) noContent() { c.w.WriteHeader(http.StatusNoContent) }

func (c *call) param(name string) string { return c.r.PathValue(name) }

func (c *call) query(name string) string { return c.r.URL.Query().Get(name) }

func (c *call) queryAll(name string) []string {
	var out []string
	for _, v := range c.r.URL.Query()[name] {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// decode reads a JSON request body into v, answering 400 when it is not JSON.
func (c *call) decode(v any) bool {
	if len(bytes.TrimSpace(c.body)) == 0 {
		c.body = []byte("{}")
	}
	if err := json.Unmarshal(c.body, v); err != nil {
		c.detail(http.StatusBadRequest, "JSON parse error - "+err.Error())
		return false
	}
	return true
}

// baseURL is the absolute URL of the server as the client reached it, prefix included.
func (c *call) baseURL() string {
	return "http://" + c.r.Host + c.s.prefix
}

// pageOf cuts a list for pagination and sets Sentry's Link header. param is "limit" for issue
// lists and "per_page" elsewhere; Sentry's offset cursors are "0:<offset>:<is_prev>".
// servePage answers a list endpoint with one page of n items (see pageOf), each rendered by
// item(i).
func servePage(c *call, n int, param string, def, maxLimit int, item func(i int) any) {
	lo, hi, ok := c.pageOf(n, param, def, maxLimit)
	if !ok {
		return
	}
	out := make([]any, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, item(i))
	}
	c.json(http.StatusOK, out)
}

func (c *call) pageOf(n int, param string, def, maxLimit int) (lo, hi int, ok bool) {
	limit := def
	if v := c.query(param); v != "" {
		if _, err := fmt.Sscanf(v, "%d", &limit); err != nil || limit < 1 {
			c.detail(http.StatusBadRequest, fmt.Sprintf("Invalid %s parameter.", param))
			return 0, 0, false
		}
	}
	limit = min(limit, maxLimit)
	offset := 0
	if cur := c.query("cursor"); cur != "" {
		parts := strings.Split(cur, ":")
		var value, isPrev int
		if len(parts) != 3 {
			c.detail(http.StatusBadRequest, "Invalid cursor parameter.")
			return 0, 0, false
		}
		if _, err := fmt.Sscanf(parts[0]+" "+parts[1]+" "+parts[2], "%d %d %d", &value, &offset, &isPrev); err != nil || offset < 0 {
			c.detail(http.StatusBadRequest, "Invalid cursor parameter.")
			return 0, 0, false
		}
	}
	lo, hi = min(offset, n), min(offset+limit, n)
	prev := fmt.Sprintf("0:%d:1", max(offset-limit, 0))
	next := fmt.Sprintf("0:%d:0", offset+limit)
	c.w.Header().Set("Link", c.link(prev, "previous", offset > 0)+", "+c.link(next, "next", hi < n))
	return lo, hi, true
}

// link writes one Link header entry as Sentry does: the request's URL with the cursor taken
// out of the query and appended last.
func (c *call) link(cursor, rel string, results bool) string {
	q := c.r.URL.Query()
	q.Del("cursor")
	u := c.baseURL() + c.r.URL.EscapedPath() + "?" + q.Encode()
	return fmt.Sprintf(`<%s&cursor=%s>; rel=%q; results="%t"; cursor=%q`, u, cursor, rel, results, cursor)
}

// timestamp formats a time as Sentry's API does (UTC, microseconds, "Z").
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// timeOrNil is timestamp for optional times (JSON null when zero).
func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return timestamp(t)
}

func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
