package sentryapitest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/releasegate/releasegate/internal/testenv"
)

// Every server the tests start validates each response it sends against Sentry's published
// OpenAPI description (testdata/external/sentry-openapi). Routes the description does not
// publish are counted and checked by hand-written tests against the protocol reference.

var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error

	coverageMu sync.Mutex
	validated  = map[string]int{} // "METHOD route" → responses validated
	notInSpec  = map[string]int{} // "METHOD route" → responses served
)

// specPatches are the places where Sentry's published description contradicts what Sentry
// sends; each patch is applied to the loaded description, with the evidence. The fake follows
// Sentry's code, not the description, so a client tested against it handles the real thing.
var specPatches = []struct {
	what string
	fn   func(doc *openapi3.T)
}{
	{
		"every schema without a type (e.g. additionalProperties: {}) accepts null: OpenAPI 3.0.3 says nullable only matters next to an explicit type, but kin-openapi rejects null there",
		func(doc *openapi3.T) {
			seen := map[*openapi3.Schema]bool{}
			var walk func(ref *openapi3.SchemaRef)
			walk = func(ref *openapi3.SchemaRef) {
				if ref == nil || ref.Value == nil || seen[ref.Value] {
					return
				}
				s := ref.Value
				seen[s] = true
				if s.Type == nil || len(*s.Type) == 0 {
					s.Nullable = true
				}
				walk(s.Items)
				walk(s.Not)
				walk(s.AdditionalProperties.Schema)
				for _, p := range s.Properties {
					walk(p)
				}
				for _, list := range []openapi3.SchemaRefs{s.OneOf, s.AnyOf, s.AllOf} {
					for _, x := range list {
						walk(x)
					}
				}
			}
			for _, item := range doc.Paths.Map() {
				for _, op := range item.Operations() {
					for _, r := range op.Responses.Map() {
						if r.Value == nil {
							continue
						}
						for _, mt := range r.Value.Content {
							walk(mt.Schema)
						}
					}
				}
			}
		},
	},
	{
		"GET issues list: owners is null unless expand=owners (then a list, as the issue detail schema says); the description types it as a required object",
		func(doc *openapi3.T) {
			items := responseSchema(doc, "/api/0/organizations/{organization_id_or_slug}/issues/", "GET", 200).Items.Value
			items.Properties["owners"].Value.Nullable = true
		},
	},
	{
		"GET/PUT ownership: a project that never had rules answers raw, dateCreated, lastUpdated and schema as null (ProjectOwnershipEndpoint.get_ownership builds an unsaved default)",
		func(doc *openapi3.T) {
			for _, m := range []struct {
				method string
				status int
			}{{"GET", 200}, {"PUT", 202}} {
				s := responseSchema(doc, "/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/ownership/", m.method, m.status)
				for _, k := range []string{"raw", "dateCreated", "lastUpdated"} {
					s.Properties[k].Value.Nullable = true
				}
			}
		},
	},
	{
		"PUT ownership: Sentry returns Response(serialize(ownership)), i.e. 200, while the description lists 202",
		func(doc *openapi3.T) {
			op := doc.Paths.Value("/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/ownership/").Put
			op.Responses.Set("200", op.Responses.Status(202))
		},
	},
	{
		"releases: lastDeploy.name is null for a deploy created without a name (Deploy.name is nullable, and the deploys endpoints document it as nullable); the release schemas say string",
		func(doc *openapi3.T) {
			for _, op := range []struct {
				path, method string
				status       int
			}{
				{"/api/0/organizations/{organization_id_or_slug}/releases/", "GET", 200},
				{"/api/0/organizations/{organization_id_or_slug}/releases/", "POST", 201},
				{"/api/0/organizations/{organization_id_or_slug}/releases/{version}/", "GET", 200},
				{"/api/0/organizations/{organization_id_or_slug}/releases/{version}/", "PUT", 200},
				{"/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/releases/", "GET", 200},
			} {
				s := responseSchema(doc, op.path, op.method, op.status)
				if s.Items != nil {
					s = s.Items.Value
				}
				s.Properties["lastDeploy"].Value.Properties["name"].Value.Nullable = true
			}
		},
	},
	{
		"GET issue: statusDetails.inCommit is the serialized commit (an object), as the bulk-update response documents, not a string",
		func(doc *openapi3.T) {
			for _, m := range []string{"GET", "PUT"} {
				s := responseSchema(doc, "/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/", m, 200)
				s.Properties["statusDetails"].Value.Properties["inCommit"] = openapi3.NewSchemaRef("", &openapi3.Schema{})
			}
		},
	},
}

func responseSchema(doc *openapi3.T, path, method string, status int) *openapi3.Schema {
	op := doc.Paths.Value(path).GetOperation(method)
	return op.Responses.Status(status).Value.Content.Get("application/json").Schema.Value
}

func loadSpec(t testing.TB) *openapi3.T {
	t.Helper()
	path := testenv.External(t, "sentry-openapi", "openapi-derefed.json")
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromFile(path)
		if specErr == nil {
			for _, p := range specPatches {
				p.fn(specDoc)
			}
		}
	})
	if specErr != nil {
		t.Fatalf("loading Sentry's OpenAPI description: %v", specErr)
	}
	return specDoc
}

// validator returns an OnExchange hook that validates every response of a route published in
// the description and counts the rest.
func validator(t testing.TB) func(Exchange) {
	doc := loadSpec(t)
	return func(ex Exchange) {
		if ex.Route == "" {
			return // an unexpected request: Start reports it
		}
		key := ex.Request.Method + " " + ex.Route
		item := doc.Paths.Value(ex.Route)
		var op *openapi3.Operation
		if item != nil {
			op = item.GetOperation(ex.Request.Method)
		}
		if op == nil {
			coverageMu.Lock()
			notInSpec[key]++
			coverageMu.Unlock()
			return
		}
		if ct := ex.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
			return // a download (release file ?download=1): the description only covers JSON
		}
		input := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{
				Request: ex.Request,
				Route:   &routers.Route{Spec: doc, Path: ex.Route, PathItem: item, Method: ex.Request.Method, Operation: op},
			},
			Status: ex.Status,
			Header: ex.Header,
			Body:   io.NopCloser(bytes.NewReader(ex.Body)),
			// A success status the description does not list is an error; error statuses are
			// checked for shape by the tests that provoke them.
			Options: &openapi3filter.Options{IncludeResponseStatus: ex.Status < 300, MultiError: true},
		}
		if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
			t.Errorf("response of %s %s (%d) does not match Sentry's OpenAPI description:\n%v\nbody: %.600s", ex.Request.Method, ex.Request.URL, ex.Status, err, ex.Body)
			return
		}
		if ex.Status < 300 {
			coverageMu.Lock()
			validated[key]++
			coverageMu.Unlock()
		}
	}
}

// newServer starts a server whose responses are validated for the test.
func newServer(t *testing.T, opts Options) *Server {
	t.Helper()
	opts.OnExchange = validator(t)
	return Start(t, opts)
}

// notPublished are the routes Sentry serves but does not publish; hand-written tests check them.
var notPublished = []string{
	"GET /api/0/organizations/{organization_id_or_slug}/chunk-upload/",
	"POST /api/0/organizations/{organization_id_or_slug}/chunk-upload/",
	"POST /api/0/organizations/{organization_id_or_slug}/artifactbundle/assemble/",
	"POST /api/0/organizations/{organization_id_or_slug}/releases/{version}/assemble/",
	"POST /api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/releases/",
	"POST /api/{project_id}/envelope/",
	"POST /api/{project_id}/store/",
	"GET /api/0/",
}

// TestRouteScopes checks that each route takes exactly the scopes Sentry's description lists
// for its operation (its permission class's scope map), so a token the fake lets through is one
// Sentry lets through, and a scope it refuses is one Sentry refuses.
func TestRouteScopes(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	for _, rt := range (&Server{}).routeTable() {
		item := doc.Paths.Value(rt.path)
		if item == nil || item.GetOperation(rt.method) == nil {
			continue // not published: TestRoutesInSpec lists them
		}
		op := item.GetOperation(rt.method)
		var want []string
		if op.Security != nil {
			for _, req := range *op.Security {
				for _, scopes := range req {
					want = append(want, scopes...)
				}
			}
		}
		got := slices.Clone(rt.scopes)
		slices.Sort(got)
		want = slices.Compact(slices.Sorted(slices.Values(want)))
		if !slices.Equal(got, want) {
			t.Errorf("%s %s takes scopes %q; the description lists %q", rt.method, rt.path, got, want)
		}
	}
}

// TestRoutesInSpec pins which routes are in the description: all but notPublished.
func TestRoutesInSpec(t *testing.T) {
	t.Parallel()
	doc := loadSpec(t)
	var missing []string
	for _, rt := range (&Server{}).routeTable() {
		key := rt.method + " " + rt.path
		item := doc.Paths.Value(rt.path)
		inSpec := item != nil && item.GetOperation(rt.method) != nil
		if !inSpec {
			missing = append(missing, key)
		}
	}
	sort.Strings(missing)
	want := slices.Sorted(slices.Values(notPublished))
	if !slices.Equal(missing, want) {
		t.Errorf("routes not in the OpenAPI description:\n got %q\nwant %q", missing, want)
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	full := flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.skip").Value.String() == ""
	coverageMu.Lock()
	defer coverageMu.Unlock()
	if specDoc == nil {
		os.Exit(code)
	}
	var unvalidated []string
	for _, rt := range (&Server{}).routeTable() {
		key := rt.method + " " + rt.path
		if !slices.Contains(notPublished, key) && validated[key] == 0 {
			unvalidated = append(unvalidated, key)
		}
	}
	if testing.Verbose() || (full && len(unvalidated) > 0) {
		var b strings.Builder
		fmt.Fprintf(&b, "OpenAPI validation: %d routes validated\n", len(validated))
		for _, k := range slices.Sorted(maps.Keys(validated)) {
			fmt.Fprintf(&b, "  %4d× %s\n", validated[k], k)
		}
		fmt.Fprintf(&b, "not in the description (checked by hand-written tests):\n")
		for _, k := range slices.Sorted(maps.Keys(notInSpec)) {
			fmt.Fprintf(&b, "  %4d× %s\n", notInSpec[k], k)
		}
		fmt.Fprintf(&b, "description patches applied:\n")
		for _, p := range specPatches {
			fmt.Fprintf(&b, "  - %s\n", p.what)
		}
		fmt.Print(b.String())
	}
	if full && len(unvalidated) > 0 {
		fmt.Printf("FAIL: routes never validated against the OpenAPI description (add a test that calls them):\n  %s\n", strings.Join(unvalidated, "\n  "))
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// api is a small client for the tests.
type api struct {
	t     *testing.T
	srv   *Server
	token string
}

func client(t *testing.T, srv *Server) *api { return &api{t: t, srv: srv, token: srv.Token()} }

type reply struct {
	status int
	header http.Header
	body   []byte
}

func (a *api) do(method, path string, body any) reply {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		rd = bytes.NewReader(mustJSON(a.t, b))
	}
	req, err := http.NewRequest(method, a.srv.URL()+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// get calls GET and decodes a JSON answer with the expected status.
func (a *api) get(path string, status int, into any) reply {
	a.t.Helper()
	r := a.do("GET", path, nil)
	a.expect(r, "GET "+path, status, into)
	return r
}

func (a *api) send(method, path string, body any, status int, into any) reply {
	a.t.Helper()
	r := a.do(method, path, body)
	a.expect(r, method+" "+path, status, into)
	return r
}

func (a *api) expect(r reply, what string, status int, into any) {
	a.t.Helper()
	if r.status != status {
		a.t.Fatalf("%s: status %d, want %d; body %s", what, r.status, status, r.body)
	}
	if into != nil {
		if err := jsonUnmarshal(r.body, into); err != nil {
			a.t.Fatalf("%s: decoding %s: %v", what, r.body, err)
		}
	}
}
