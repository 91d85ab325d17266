package sentryapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/releasegate/releasegate/internal/testenv"
)

// The fake Sentry of these tests serves under a non-empty path prefix and fails any request that
// lacks it (go-github's baseURLPath idea): a client that builds absolute paths instead of
// resolving them against the base URL cannot pass.
const (
	testPrefix = "/sentry"
	testToken  = "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"
	testUA     = "releasegate/0.0.0-test"
)

// The published OpenAPI description, loaded once per test binary.
var (
	specOnce   sync.Once
	specDoc    *openapi3.T
	specRouter routers.Router
	specErr    error
)

// nonSpecRoutes are the endpoints Sentry's OpenAPI description leaves out; requests to them are
// checked against the protocol reference by the tests that call them.
var nonSpecRoutes = []string{
	"/api/0/organizations/*/chunk-upload/",
	"/api/0/organizations/*/artifactbundle/assemble/",
	"/api/0/organizations/*/releases/*/assemble/",
	"/api/0/", // the API root, which describes the token
}

func openAPI(t testing.TB) (*openapi3.T, routers.Router) {
	t.Helper()
	// Found outside the Once: a t.Fatal inside it would leave the description nil for every
	// later caller instead of failing each of them.
	path := testenv.External(t, "sentry-openapi", "openapi-derefed.json")
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromFile(path)
		if err != nil {
			specErr = fmt.Errorf("load %s: %w", path, err)
			return
		}
		patchSpec(doc)
		// Routes then match only under the prefix; the host is not checked.
		doc.Servers = openapi3.Servers{{URL: testPrefix}}
		specDoc = doc
		specRouter, specErr = gorillamux.NewRouter(doc)
	})
	if specErr != nil {
		t.Fatal(specErr)
	}
	return specDoc, specRouter
}

// patchSpec corrects one defect of the published description: the body of updateOrganizationIssue
// (and its statusDetails) marks every field as required, although the endpoint changes only the
// fields sent — the documented examples send a lone {"status": …}.
func patchSpec(doc *openapi3.T) {
	op := findOperation(doc, "updateOrganizationIssue")
	if op == nil || op.RequestBody == nil {
		return
	}
	s := op.RequestBody.Value.Content.Get("application/json").Schema.Value
	s.Required = nil
	if sd := s.Properties["statusDetails"]; sd != nil {
		for _, sub := range sd.Value.AllOf {
			sub.Value.Required = nil
		}
	}
}

func findOperation(doc *openapi3.T, id string) *openapi3.Operation {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == id {
				return op
			}
		}
	}
	return nil
}

// specExample returns the JSON of the first example of an operation's response.
func specExample(t testing.TB, operationID string, status int) []byte {
	t.Helper()
	doc, _ := openAPI(t)
	op := findOperation(doc, operationID)
	if op == nil {
		t.Fatalf("operation %s is not in the OpenAPI description", operationID)
	}
	resp := op.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		t.Fatalf("operation %s has no %d response", operationID, status)
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil {
		t.Fatalf("operation %s: %d response has no JSON content", operationID, status)
	}
	var v any
	switch {
	case mt.Example != nil:
		v = mt.Example
	case len(mt.Examples) > 0:
		for _, ex := range mt.Examples { // there is one per operation in this description
			v = ex.Value.Value
			break
		}
	default:
		t.Fatalf("operation %s: %d response has no example", operationID, status)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// recorded is a request the fake received.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
	// Scopes are the token scopes the OpenAPI description lists for the operation (nil for
	// endpoints outside it).
	Scopes []string
}

type route struct {
	method, path string // path below the prefix, escaped
	handler      http.HandlerFunc
	hits         int
	optional     bool
}

// fake is an httptest Sentry that validates every request against the OpenAPI description and
// serves only the routes a test registered; anything else fails the test, as does a registered
// route that was never called.
type fake struct {
	t      testing.TB
	srv    *httptest.Server
	router routers.Router
	// host, when set, names the server in baseURL instead of its loopback address (see
	// newNamedFake).
	host string

	mu       sync.Mutex
	routes   []*route
	requests []recorded
}

func newFake(t testing.TB) *fake {
	t.Helper()
	return startFake(t, false)
}

func startFake(t testing.TB, tls bool) *fake {
	t.Helper()
	_, router := openAPI(t)
	f := &fake{t: t, router: router}
	if tls {
		f.srv = httptest.NewTLSServer(f)
	} else {
		f.srv = httptest.NewServer(f)
	}
	t.Cleanup(func() {
		f.srv.Close()
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, r := range f.routes {
			if r.hits == 0 && !r.optional {
				t.Errorf("fake sentry: %s %s was registered but never called", r.method, r.path)
			}
		}
	})
	return f
}

// handle registers h for method and path (below the prefix, escaped as on the wire).
func (f *fake) handle(method, path string, h http.HandlerFunc) *route {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := &route{method: method, path: path, handler: h}
	f.routes = append(f.routes, r)
	return r
}

// reply registers a route answering status with body (JSON).
func (f *fake) reply(method, path string, status int, body []byte) *route {
	return f.handle(method, path, func(w http.ResponseWriter, _ *http.Request) {
		if len(body) > 0 {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(status)
		w.Write(body)
	})
}

func (f *fake) baseURL() string {
	if f.host != "" {
		return "https://" + f.host + ":" + f.srv.URL[strings.LastIndexByte(f.srv.URL, ':')+1:] + testPrefix + "/"
	}
	return f.srv.URL + testPrefix + "/"
}

// client returns a Client for the fake that never really sleeps.
func (f *fake) client(t testing.TB, edit ...func(*Options)) *Client {
	t.Helper()
	opts := Options{
		BaseURL:   f.baseURL(),
		Token:     testToken,
		UserAgent: testUA,
		Sleep:     func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	}
	for _, e := range edit {
		e(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *fake) recorded() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]recorded(nil), f.requests...)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := f.t
	body, err := io.ReadAll(r.Body)
	if err != nil {
		t.Errorf("fake sentry: read body of %s %s: %v", r.Method, r.URL, err)
	}
	if r.ContentLength >= 0 && int64(len(body)) != r.ContentLength {
		t.Errorf("fake sentry: %s %s: Content-Length %d, body %d bytes", r.Method, r.URL, r.ContentLength, len(body))
	}
	escaped := r.URL.EscapedPath()
	rec := recorded{Method: r.Method, Path: escaped, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}

	fail := func(format string, args ...any) {
		t.Errorf("fake sentry: %s %s: %s", r.Method, r.URL, fmt.Sprintf(format, args...))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, `{"detail":"the fake Sentry rejected this request"}`)
	}
	if !strings.HasPrefix(escaped, testPrefix+"/api/0/") {
		f.record(rec)
		fail("the path lacks the base URL prefix %s/", testPrefix)
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
		f.record(rec)
		fail("Authorization header is %q, want the bearer token", redactToken(got))
		return
	}
	if got := r.Header.Get("User-Agent"); got != testUA {
		f.record(rec)
		fail("User-Agent is %q, want %q", got, testUA)
		return
	}
	path := strings.TrimPrefix(escaped, testPrefix)

	scopes, verr := f.validate(r, body)
	rec.Scopes = scopes
	f.record(rec)
	if verr != nil {
		fail("%v", verr)
		return
	}

	f.mu.Lock()
	var h http.HandlerFunc
	for _, rt := range f.routes {
		if rt.method == r.Method && rt.path == path {
			rt.hits++
			h = rt.handler
			break
		}
	}
	f.mu.Unlock()
	if h == nil {
		fail("unexpected request (no route registered for %s %s)", r.Method, path)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h(w, r)
}

func (f *fake) record(rec recorded) {
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	f.mu.Unlock()
}

// validate checks the request against the OpenAPI description, or, for the endpoints the
// description lacks, that it is one of them. It returns the scopes the description lists.
func (f *fake) validate(r *http.Request, body []byte) ([]string, error) {
	vr := r.Clone(r.Context())
	vr.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := f.router.FindRoute(vr)
	if err != nil {
		path := strings.TrimPrefix(r.URL.EscapedPath(), testPrefix)
		for _, pattern := range nonSpecRoutes {
			if matchPattern(pattern, path) {
				return nil, nil
			}
		}
		return nil, fmt.Errorf("not an operation of Sentry's OpenAPI description: %w", err)
	}
	var scopes []string
	input := &openapi3filter.RequestValidationInput{
		Request:    vr,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			MultiError: true,
			AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
				if in.SecuritySchemeName != "auth_token" {
					return errors.New("only bearer tokens are used")
				}
				scopes = in.Scopes
				if in.RequestValidationInput.Request.Header.Get("Authorization") != "Bearer "+testToken {
					return errors.New("no bearer token")
				}
				return nil
			},
		},
	}
	if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil {
		return scopes, fmt.Errorf("request does not match %s in the OpenAPI description: %w", route.Operation.OperationID, err)
	}
	return scopes, nil
}

// matchPattern matches an escaped path against a pattern whose "*" stands for one segment.
func matchPattern(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if ps[i] != "*" && ps[i] != xs[i] {
			return false
		}
		if ps[i] == "*" && xs[i] == "" {
			return false
		}
	}
	return true
}

// redactToken keeps the test's own failure messages free of the token.
func redactToken(s string) string { return strings.ReplaceAll(s, testToken, "[token]") }

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(t testing.TB, got []byte, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Errorf("request body %q is not JSON: %v", got, err)
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want JSON %q: %v", want, err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return bytes.Equal(gb, wb)
}
