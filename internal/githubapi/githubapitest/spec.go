package githubapitest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/releasegate/releasegate/internal/testenv"
)

// GitHub's REST description, loaded once per test binary: it is large, and every server of
// the binary validates against the same one.
var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error
)

func loadSpec(t testenv.T) *openapi3.T {
	t.Helper()
	path := testenv.External(t, "github-openapi", "api.github.com.json")
	specOnce.Do(func() {
		specDoc, specErr = openapi3.NewLoader().LoadFromFile(path)
	})
	if specErr != nil {
		t.Fatalf("githubapitest: loading GitHub's REST description: %v", specErr)
	}
	return specDoc
}

// specOp is one operation of the description.
type specOp struct {
	doc  *openapi3.T
	item *openapi3.PathItem
	op   *openapi3.Operation
}

func specOperation(t testenv.T, doc *openapi3.T, method, path string) *specOp {
	t.Helper()
	item := doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("githubapitest: %s %s is not in the vendored description; add it to githubOperations in scripts/vendor-external/github.go and run `go run ./scripts/vendor-external`", method, path)
	}
	return &specOp{doc: doc, item: item, op: item.GetOperation(method)}
}

var pathParam = regexp.MustCompile(`\{(\w+)\}`)

// pathParams reads the route's parameters from a request ServeMux matched.
func pathParams(rt *route, r *http.Request) map[string]string {
	params := map[string]string{}
	for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
		params[m[1]] = r.PathValue(m[1])
	}
	return params
}

func (rt *route) input(r *http.Request, body []byte, params map[string]string) *openapi3filter.RequestValidationInput {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	return &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      &routers.Route{Spec: rt.op.doc, Path: rt.path, PathItem: rt.op.item, Method: rt.method, Operation: rt.op.op},
		Options: &openapi3filter.Options{
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			// A success status the description does not list is an error of the server.
			IncludeResponseStatus: true,
		},
	}
}

// checkRequest validates a request against its operation: parameters, content type, body.
func (s *Server) checkRequest(rt *route, r *http.Request, body []byte, params map[string]string) error {
	return openapi3filter.ValidateRequest(r.Context(), rt.input(r, body, params))
}

// checkResponse validates the server's own answer; a mismatch is the fake's bug, and fails
// the test like an invalid request.
func (s *Server) checkResponse(rt *route, r *http.Request, buf *responseBuffer) {
	if buf.status >= 400 && rt.op.op.Responses.Status(buf.status) == nil {
		// GitHub answers 401, 403 and 404 on every operation, while the description lists
		// them on some only: such an answer must still be GitHub's basic error.
		var e struct {
			Message          *string `json:"message"`
			DocumentationURL *string `json:"documentation_url"`
		}
		if json.Unmarshal(buf.body.Bytes(), &e) != nil || e.Message == nil || e.DocumentationURL == nil {
			s.addInvalid("the fake's answer %d to %s %s is not GitHub's basic error: %s", buf.status, rt.method, r.URL.EscapedPath(), buf.body.Bytes())
		}
		return
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: rt.input(r, nil, buf.params),
		Status:                 buf.status,
		Header:                 buf.header,
		Body:                   io.NopCloser(bytes.NewReader(buf.body.Bytes())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
		s.addInvalid("the fake's answer %d to %s %s does not match GitHub's description: %v", buf.status, rt.method, r.URL.EscapedPath(), err)
	}
}
