package jiratest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/releasegate/releasegate/internal/testenv"
)

// Jira's v3 description, loaded once per test binary.
var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error
)

type spec struct{ doc *openapi3.T }

func loadSpec(t testenv.T) *spec {
	t.Helper()
	path := testenv.External(t, "jira-openapi", "jira-platform-v3.trimmed.json")
	specOnce.Do(func() {
		specDoc, specErr = openapi3.NewLoader().LoadFromFile(path)
	})
	if specErr != nil {
		t.Fatalf("jiratest: loading Jira's REST description: %v", specErr)
	}
	return &spec{doc: specDoc}
}

// specOp is one operation of the description.
type specOp struct {
	doc    *openapi3.T
	path   string
	item   *openapi3.PathItem
	op     *openapi3.Operation
	method string
}

func (sp *spec) operation(t testenv.T, method, path string) *specOp {
	t.Helper()
	item := sp.doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("jiratest: %s %s is not in the vendored description (testdata/external/jira-openapi)", method, path)
	}
	return &specOp{doc: sp.doc, path: path, item: item, op: item.GetOperation(method), method: method}
}

// schema returns a component schema by name.
func (sp *spec) schema(name string) *openapi3.Schema {
	ref := sp.doc.Components.Schemas[name]
	if ref == nil {
		panic("jiratest: no schema " + name + " in Jira's description")
	}
	return ref.Value
}

func (op *specOp) input(r *http.Request, body []byte, params map[string]string) *openapi3filter.RequestValidationInput {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	return &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      &routers.Route{Spec: op.doc, Path: op.path, PathItem: op.item, Method: op.method, Operation: op.op},
		Options: &openapi3filter.Options{
			AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
			IncludeResponseStatus: true,
		},
	}
}

func (op *specOp) checkRequest(ctx context.Context, r *http.Request, body []byte, params map[string]string) error {
	return openapi3filter.ValidateRequest(ctx, op.input(r, body, params))
}

// checkResponse validates an answer; an error status the operation does not list must still be
// Jira's ErrorCollection.
func (op *specOp) checkResponse(ctx context.Context, r *http.Request, params map[string]string, buf *responseBuffer) error {
	if buf.status >= 400 && op.op.Responses.Status(buf.status) == nil {
		return checkErrorCollection(buf.body.Bytes())
	}
	if buf.status == http.StatusNoContent {
		if buf.body.Len() != 0 {
			return fmt.Errorf("a 204 with a body")
		}
		return nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: op.input(r, nil, params),
		Status:                 buf.status,
		Header:                 buf.header,
		Body:                   io.NopCloser(bytes.NewReader(buf.body.Bytes())),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	return openapi3filter.ValidateResponse(ctx, in)
}

func checkErrorCollection(data []byte) error {
	var e struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return fmt.Errorf("an error answer that is not Jira's ErrorCollection: %w", err)
	}
	return nil
}

// checkValue validates a decoded JSON value against a component schema.
func (sp *spec) checkValue(name string, v any) error {
	return sp.schema(name).VisitJSON(v, openapi3.VisitAsResponse())
}

// adfBlockTypes and adfInlineTypes are the ADF nodes the fake accepts, where Jira checks the
// document against its schema and answers 400 INVALID_INPUT otherwise.
var (
	adfBlockTypes  = map[string]bool{"paragraph": true, "heading": true, "codeBlock": true, "bulletList": true, "orderedList": true, "taskList": true, "blockquote": true, "rule": true, "panel": true, "table": true, "mediaSingle": true}
	adfInlineTypes = map[string]bool{"text": true, "hardBreak": true, "mention": true, "emoji": true, "inlineCard": true, "date": true, "status": true}
	adfMarks       = map[string]bool{"strong": true, "em": true, "code": true, "link": true, "strike": true, "underline": true, "textColor": true, "subsup": true}
)

// checkText checks a description or comment body: an ADF document on v3, a string on v2.
func (s *Server) checkText(field string, raw json.RawMessage) error {
	if s.opts.DataCenter {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return fmt.Errorf("%s must be a wiki-markup string on REST v2, not %s", field, firstBytes(raw))
		}
		return nil
	}
	var node map[string]any
	if err := json.Unmarshal(raw, &node); err != nil || node == nil {
		return fmt.Errorf("%s must be an Atlassian Document Format object on REST v3, not %s", field, firstBytes(raw))
	}
	if node["type"] != "doc" || node["version"] != float64(1) {
		return fmt.Errorf("%s: the root must be {\"type\":\"doc\",\"version\":1}", field)
	}
	return checkADF(field, node, "doc")
}

func checkADF(at string, node map[string]any, parent string) error {
	content, hasContent := node["content"]
	if !hasContent {
		return nil
	}
	list, ok := content.([]any)
	if !ok {
		return fmt.Errorf("%s: content must be an array", at)
	}
	for i, c := range list {
		child, ok := c.(map[string]any)
		if !ok {
			return fmt.Errorf("%s.content[%d]: not a node", at, i)
		}
		typ, _ := child["type"].(string)
		where := fmt.Sprintf("%s.content[%d](%s)", at, i, typ)
		switch parent {
		case "doc", "listItem", "blockquote", "panel":
			if !adfBlockTypes[typ] {
				return fmt.Errorf("%s: %q cannot be a block here", where, typ)
			}
		case "bulletList", "orderedList":
			if typ != "listItem" {
				return fmt.Errorf("%s: a list holds listItem nodes only", where)
			}
		case "taskList":
			if typ != "taskItem" {
				return fmt.Errorf("%s: a taskList holds taskItem nodes only", where)
			}
			attrs, _ := child["attrs"].(map[string]any)
			if id, _ := attrs["localId"].(string); id == "" || (attrs["state"] != "TODO" && attrs["state"] != "DONE") {
				return fmt.Errorf("%s: a taskItem needs attrs localId and state TODO or DONE", where)
			}
		default:
			if !adfInlineTypes[typ] {
				return fmt.Errorf("%s: %q cannot be inline content", where, typ)
			}
		}
		if typ == "text" {
			if txt, _ := child["text"].(string); txt == "" {
				return fmt.Errorf("%s: a text node must not be empty", where)
			}
			marks, _ := child["marks"].([]any)
			for _, m := range marks {
				mm, _ := m.(map[string]any)
				if mt, _ := mm["type"].(string); !adfMarks[mt] {
					return fmt.Errorf("%s: unknown mark %v", where, mm["type"])
				}
			}
		}
		if typ == "taskList" {
			if attrs, _ := child["attrs"].(map[string]any); attrs["localId"] == nil {
				return fmt.Errorf("%s: a taskList needs attrs localId", where)
			}
		}
		if err := checkADF(where, child, typ); err != nil {
			return err
		}
	}
	return nil
}

func firstBytes(raw []byte) string {
	s := strings.TrimSpace(string(raw))
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return s
}
