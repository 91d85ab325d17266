package sentryapitest

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/releasegate/releasegate/internal/sentryapi"
)

// TestIssueRoutesServeTheirOwnShape guards against one class of bug: a shared shape hiding a
// field the real endpoint lacks. The OpenAPI validation of every response accepts fields the
// description does not list, and the client decoding an answer into a type with fields the
// endpoint never sends reads them as empty without a word (the organization issue list has no
// firstRelease, yet the gate once read it there). So, for every issue route the fake serves:
// the fake's answer carries no field outside that endpoint's schema, and every field of the
// type the client decodes that answer into is in that same schema (and the answer decodes).
func TestIssueRoutesServeTheirOwnShape(t *testing.T) { //nolint:tparallel // the cases change one seeded server in order (an issue deleted, a link made, then removed)
	t.Parallel()
	srv := newServer(t, Options{Now: t0, Projects: []string{"web", "api"}})
	srv.AddTeam("acme", "frontend", "web")
	srv.AddMember("acme", "alice@example.com", "frontend")
	ev := seedShop(t, srv)
	c := client(t, srv)
	install := srv.AddSentryAppInstallation("acme", "jira-bridge")
	id := ev["e1"].IssueID
	issue := "/api/0/organizations/acme/issues/" + id + "/"
	// A regression, so that the details carry a set_regression activity with data.
	c.send("PUT", issue, map[string]any{"status": "resolved"}, 200, nil)
	srv.Advance(time.Minute)
	mustIngest(t, srv, "web", Event{Release: "web@1.2.0", Environment: "production", Exceptions: jsErr("TypeError", "Cannot read properties of undefined (reading 'total')", "handleCheckout", "app/checkout.js")})
	var link map[string]any
	c.send("POST", "/api/0/sentry-app-installations/"+install+"/external-issues/",
		map[string]any{"issueId": mustAtoi(t, id), "webUrl": "https://jira.example/browse/SHOP-1", "project": "SHOP", "identifier": "SHOP-1"}, 200, &link)

	doc := loadSpec(t)
	tests := []struct {
		method, route, path string
		body                any
		status              int
		// client is the type sentryapi decodes this answer into; nil when it never calls it.
		client reflect.Type
	}{
		{"GET", orgPath + "/issues/", "/api/0/organizations/acme/issues/?query=release:web@1.2.0&statsPeriod=14d", nil, 200, reflect.TypeFor[[]sentryapi.Issue]()},
		{"PUT", orgPath + "/issues/", "/api/0/organizations/acme/issues/?id=" + ev["e3"].IssueID, map[string]any{"status": "ignored", "priority": "low"}, 200, nil},
		{"GET", orgPath + "/issues/{issue_id}/", issue + "?environment=production", nil, 200, reflect.TypeFor[sentryapi.IssueDetails]()},
		{"PUT", orgPath + "/issues/{issue_id}/", issue, map[string]any{"assignedTo": "alice@example.com"}, 200, reflect.TypeFor[sentryapi.IssueFields]()},
		{"DELETE", orgPath + "/issues/{issue_id}/", "/api/0/organizations/acme/issues/" + ev["e6"].IssueID + "/", nil, 202, nil},
		{"GET", orgPath + "/issues/{issue_id}/events/", issue + "events/", nil, 200, nil},
		{"GET", orgPath + "/issues/{issue_id}/events/{event_id}/", issue + "events/latest/", nil, 200, reflect.TypeFor[sentryapi.Event]()},
		{"GET", orgPath + "/issues/{issue_id}/tags/{key}/", issue + "tags/tenant_id/", nil, 200, reflect.TypeFor[sentryapi.TagDetails]()},
		{"GET", orgPath + "/issues/{issue_id}/tags/{key}/values/", issue + "tags/user/values/", nil, 200, reflect.TypeFor[[]sentryapi.TagValue]()},
		{"GET", orgPath + "/issues/{issue_id}/external-issues/", issue + "external-issues/", nil, 200, reflect.TypeFor[[]sentryapi.ExternalIssue]()},
		{"GET", orgPath + "/shortids/{issue_id}/", "/api/0/organizations/acme/shortids/WEB-1/", nil, 200, reflect.TypeFor[sentryapi.ShortIDLookup]()},
		{"POST", "/api/0/sentry-app-installations/{uuid}/external-issues/", "/api/0/sentry-app-installations/" + install + "/external-issues/",
			map[string]any{"issueId": mustAtoi(t, id), "webUrl": "https://jira.example/browse/SHOP-2", "project": "SHOP", "identifier": "SHOP-2"}, 200, reflect.TypeFor[sentryapi.ExternalIssue]()},
		{"DELETE", "/api/0/sentry-app-installations/{uuid}/external-issues/{external_issue_id}/", "/api/0/sentry-app-installations/" + install + "/external-issues/" + link["id"].(string) + "/", nil, 204, nil},
	}

	// Every issue route the fake serves is in the table.
	var served, listed []string
	for _, rt := range srv.routeTable() {
		if strings.Contains(rt.path, "issue") || strings.Contains(rt.path, "shortids") {
			served = append(served, rt.method+" "+rt.path)
		}
	}
	for _, tc := range tests {
		listed = append(listed, tc.method+" "+tc.route)
	}
	sort.Strings(served)
	sort.Strings(listed)
	if !slices.Equal(served, listed) {
		t.Errorf("issue routes served:\n %q\nchecked here:\n %q", served, listed)
	}

	for _, tc := range tests {
		t.Run(tc.method+" "+tc.route, func(t *testing.T) {
			c := client(t, srv)
			r := c.send(tc.method, tc.path, tc.body, tc.status, nil)
			if tc.status == 202 || tc.status == 204 {
				if len(strings.TrimSpace(string(r.body))) > 0 {
					t.Errorf("a %d answer with a body: %s", tc.status, r.body)
				}
				return
			}
			schema := responseSchema(doc, tc.route, tc.method, tc.status)
			var answer any
			if err := json.Unmarshal(r.body, &answer); err != nil {
				t.Fatal(err)
			}
			if extra := fieldsOutside(answer, schema, "answer"); len(extra) > 0 {
				t.Errorf("the fake sends fields %s's schema does not have:\n  %s", tc.route, strings.Join(extra, "\n  "))
			}
			if tc.client == nil {
				return
			}
			if missing := clientFieldsOutside(tc.client, schema, tc.client.String(), map[reflect.Type]bool{}); len(missing) > 0 {
				t.Errorf("the client reads fields %s's schema does not have (they would always be empty):\n  %s", tc.route, strings.Join(missing, "\n  "))
			}
			if err := json.Unmarshal(r.body, reflect.New(tc.client).Interface()); err != nil {
				t.Errorf("decoding the answer into %s: %v", tc.client, err)
			}
		})
	}
}

// schemaFields are the properties a schema (with its allOf/oneOf/anyOf parts) lists; open is
// true when it also admits any other field (no properties listed, or additionalProperties).
func schemaFields(s *openapi3.Schema) (props map[string]*openapi3.SchemaRef, open bool) {
	props = map[string]*openapi3.SchemaRef{}
	parts := 0
	var walk func(s *openapi3.Schema)
	walk = func(s *openapi3.Schema) {
		for k, v := range s.Properties {
			props[k] = v
		}
		if len(s.Properties) > 0 {
			parts++
		}
		if ap := s.AdditionalProperties; ap.Schema != nil || (ap.Has != nil && *ap.Has) {
			open = true
		}
		for _, list := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, x := range list {
				if x.Value != nil {
					walk(x.Value)
				}
			}
		}
	}
	walk(s)
	return props, open || parts == 0
}

// fieldsOutside lists the fields of v, at any depth, that its schema does not have.
func fieldsOutside(v any, s *openapi3.Schema, at string) []string {
	if s == nil {
		return nil
	}
	var out []string
	switch v := v.(type) {
	case map[string]any:
		props, open := schemaFields(s)
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range v {
				if !yield(k) {
					return
				}
			}
		}) {
			p, ok := props[k]
			switch {
			case ok && p.Value != nil:
				out = append(out, fieldsOutside(v[k], p.Value, at+"."+k)...)
			case !ok && !open:
				out = append(out, at+"."+k)
			case !ok && s.AdditionalProperties.Schema != nil && s.AdditionalProperties.Schema.Value != nil:
				out = append(out, fieldsOutside(v[k], s.AdditionalProperties.Schema.Value, at+"."+k)...)
			}
		}
	case []any:
		if s.Items != nil && s.Items.Value != nil {
			for i, x := range v {
				out = append(out, fieldsOutside(x, s.Items.Value, at+"["+strconv.Itoa(i)+"]")...)
			}
		}
	}
	return out
}

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

// clientFieldsOutside lists the fields of the client's type t, at any depth, that the schema
// does not have. A type with its own decoder (time.Time, ID, Count, raw JSON) is a leaf, and
// so is a free-form object: nothing can be checked inside it.
func clientFieldsOutside(t reflect.Type, s *openapi3.Schema, at string, seen map[reflect.Type]bool) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s == nil || reflect.PointerTo(t).Implements(unmarshaler) || t == reflect.TypeFor[json.RawMessage]() {
		return nil
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if s.Items != nil && s.Items.Value != nil {
			return clientFieldsOutside(t.Elem(), s.Items.Value, at+"[]", seen)
		}
	case reflect.Map:
		if ap := s.AdditionalProperties.Schema; ap != nil && ap.Value != nil {
			return clientFieldsOutside(t.Elem(), ap.Value, at+"[…]", seen)
		}
	case reflect.Struct:
		if seen[t] {
			return nil
		}
		seen[t] = true
		defer delete(seen, t)
		props, open := schemaFields(s)
		if open && len(props) == 0 {
			return nil
		}
		var out []string
		for _, f := range reflect.VisibleFields(t) {
			if !f.IsExported() || f.Anonymous {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			p, ok := props[name]
			if !ok {
				if !open {
					out = append(out, at+"."+f.Name+" ("+name+")")
				}
				continue
			}
			out = append(out, clientFieldsOutside(f.Type, p.Value, at+"."+f.Name, seen)...)
		}
		return out
	}
	return nil
}
