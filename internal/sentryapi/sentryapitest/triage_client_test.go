package sentryapitest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/sentryapi"
)

// The triage bot's calls, made by the real client against this server: every response is
// validated against Sentry's published description (newServer), and so is every request the
// client sends to a published route (requestChecked).

// requestPatches correct the description's request schemas where it contradicts Sentry, once
// per test binary (the responses' patches are specPatches):
//   - updateOrganizationIssue marks every body field required, though the endpoint changes only
//     the fields sent and the documented examples send a lone {"status": …};
//   - listOrganizationIssueTagValues lists sort as age, count, date or id, though Sentry takes
//     a "-" prefix for descending order, and defaults to "-id".
var requestPatches sync.Once

func patchRequests(doc *openapi3.T) {
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			switch op.OperationID {
			case "updateOrganizationIssue":
				if op.RequestBody == nil {
					continue
				}
				body := op.RequestBody.Value.Content.Get("application/json").Schema.Value
				body.Required = nil
				if sd := body.Properties["statusDetails"]; sd != nil {
					for _, sub := range sd.Value.AllOf {
						sub.Value.Required = nil
					}
				}
			case "listOrganizationIssueTagValues":
				for _, p := range op.Parameters {
					if p.Value.Name != "sort" || p.Value.Schema == nil {
						continue
					}
					s := p.Value.Schema.Value
					for _, v := range slices.Clone(s.Enum) {
						s.Enum = append(s.Enum, "-"+v.(string))
					}
				}
			}
		}
	}
}

// requestChecked adds request validation to newServer's response validation.
func requestChecked(t *testing.T, opts Options) *Server {
	t.Helper()
	doc := loadSpec(t)
	requestPatches.Do(func() { patchRequests(doc) })
	respond := validator(t)
	opts.OnExchange = func(ex Exchange) {
		respond(ex)
		item := doc.Paths.Value(ex.Route)
		if ex.Route == "" || item == nil || item.GetOperation(ex.Request.Method) == nil || ex.Status >= 400 {
			return // unpublished, or a request the fake refused (its tests check those)
		}
		req := ex.Request.Clone(context.Background())
		req.Body = io.NopCloser(bytes.NewReader(ex.RequestBody))
		in := &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: pathParams(ex.Route, strings.TrimPrefix(req.URL.Path, opts.Prefix)),
			Route:      &routers.Route{Spec: doc, Path: ex.Route, PathItem: item, Method: req.Method, Operation: item.GetOperation(req.Method)},
			Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true},
		}
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("request %s %s does not match Sentry's OpenAPI description:\n%v\nbody: %.600s", req.Method, req.URL, err, ex.RequestBody)
		}
	}
	return Start(t, opts)
}

// pathParams reads a route's {parameters} from a request path.
func pathParams(route, path string) map[string]string {
	out := map[string]string{}
	rs, ps := strings.Split(route, "/"), strings.Split(path, "/")
	for i, seg := range rs {
		if i < len(ps) && strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out[seg[1:len(seg)-1]] = ps[i]
		}
	}
	return out
}

// triageShop seeds a checkout bug in two projects and its look-alikes:
//
//	checkout  web  TypeError at app/checkout.js handleCheckout, web@1.1.0, 4 events (acme 3, globex 1)
//	legacy    web  the same crash, grouped apart by a fingerprint, web@1.0.0
//	api       api  the same crash in the api service, 2 events
//	deeper    web  TypeError raised in app/cart.js, with handleCheckout deeper in the stack
//	ranged    web  RangeError at the same frame
//	fixed     web  the same crash, grouped apart, resolved
func triageShop(t *testing.T, srv *Server) map[string]IngestResult {
	t.Helper()
	frames := func(fr ...Frame) []Exception {
		return []Exception{{Type: "TypeError", Value: "Cannot read properties of undefined (reading 'total')", Frames: fr}}
	}
	vendor := Frame{Function: "dispatch", Filename: "node_modules/react-dom/index.js", Lineno: 10}
	checkout := Frame{Function: "handleCheckout", Filename: "app/checkout.js", AbsPath: "https://shop.example/app/checkout.js", Lineno: 42, Colno: 7, InApp: true}
	cart := Frame{Function: "total", Filename: "app/cart.js", Lineno: 9, InApp: true}
	ev := func(rel, tenant, user string, at time.Duration, excs []Exception, fp ...string) Event {
		e := Event{Timestamp: t0.Add(-at), Release: rel, Environment: "production", Platform: "javascript", Exceptions: excs, Fingerprint: fp}
		if tenant != "" {
			e.Tags = map[string]string{"tenant_id": tenant}
		}
		if user != "" {
			e.User = &User{ID: user}
		}
		return e
	}
	out := map[string]IngestResult{}
	srv.SetNow(t0.Add(-48 * time.Hour))
	out["legacy"] = mustIngest(t, srv, "web", ev("web@1.0.0", "", "", 47*time.Hour, frames(vendor, checkout), "legacy-checkout"))
	out["fixed"] = mustIngest(t, srv, "web", ev("web@1.0.0", "", "", 46*time.Hour, frames(vendor, checkout), "fixed-checkout"))
	srv.SetNow(t0.Add(-5 * time.Hour))
	for i, x := range []struct {
		tenant, user string
		at           time.Duration
	}{{"acme", "1", 4 * time.Hour}, {"acme", "2", 3 * time.Hour}, {"globex", "3", 2 * time.Hour}, {"acme", "1", time.Hour}} {
		r := mustIngest(t, srv, "web", ev("web@1.1.0", x.tenant, x.user, x.at, frames(vendor, checkout)))
		if i == 0 {
			out["checkout"] = r
		}
	}
	out["api"] = mustIngest(t, srv, "api", ev("api@2.0.0", "", "", 90*time.Minute, frames(vendor, checkout)))
	mustIngest(t, srv, "api", ev("api@2.0.0", "", "", 85*time.Minute, frames(vendor, checkout)))
	out["deeper"] = mustIngest(t, srv, "web", ev("web@1.1.0", "", "", 80*time.Minute, frames(checkout, cart)))
	ranged := frames(vendor, checkout)
	ranged[0].Type = "RangeError"
	out["ranged"] = mustIngest(t, srv, "web", ev("web@1.1.0", "", "", 70*time.Minute, ranged))
	srv.SetNow(t0)
	c := client(t, srv)
	c.send("PUT", "/api/0/organizations/acme/issues/"+out["fixed"].IssueID+"/", map[string]any{"status": "resolved"}, 200, nil)
	return out
}

func triageClient(t *testing.T, srv *Server, token string) *sentryapi.Client {
	t.Helper()
	c, err := sentryapi.New(sentryapi.Options{
		BaseURL: srv.URL(), Token: token, HTTPClient: srv.Client(), MaxRetries: 1,
		Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTriageIssueLookup(t *testing.T) {
	t.Parallel()
	srv := requestChecked(t, Options{Now: t0, Projects: []string{"web", "api"}})
	seeded := triageShop(t, srv)
	c := triageClient(t, srv, srv.Token())
	want := seeded["checkout"]
	tests := []struct {
		name, ref string
		kind      errkind.Kind // 0: found
	}{
		{"by numeric ID", want.IssueID, 0},
		{"by short ID", want.ShortID, 0},
		{"an unknown short ID", "WEB-ZZZ", errkind.Config},
		{"an unknown numeric ID is data, not configuration", "999999", errkind.Undecided},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			is, err := c.LookupIssue(t.Context(), "acme", tt.ref)
			if tt.kind != 0 {
				if !errors.Is(err, sentryapi.ErrNotFound) || errkind.Of(err) != tt.kind {
					t.Fatalf("err = %v (kind %v), want not found of kind %v", err, errkind.Of(err), tt.kind)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(is.ID) != want.IssueID || is.ShortID != want.ShortID || is.Project.Slug != "web" {
				t.Errorf("issue %s %s in %s, want %s %s in web", is.ID, is.ShortID, is.Project.Slug, want.IssueID, want.ShortID)
			}
			if is.Title != "TypeError: Cannot read properties of undefined (reading 'total')" || is.Culprit != "app/checkout.js in handleCheckout" || is.Type != "error" {
				t.Errorf("title %q, culprit %q, type %q", is.Title, is.Culprit, is.Type)
			}
			if is.Metadata.Type != "TypeError" || is.Metadata.Filename != "app/checkout.js" || is.Metadata.Function != "handleCheckout" {
				t.Errorf("metadata = %+v", is.Metadata)
			}
			if is.Count != 4 || is.UserCount != 3 || is.FirstRelease == nil || is.FirstRelease.Version != "web@1.1.0" {
				t.Errorf("count %d, users %d, first release %+v", is.Count, is.UserCount, is.FirstRelease)
			}
			if is.FirstSeen == nil || !is.FirstSeen.Equal(t0.Add(-4*time.Hour)) || is.LastSeen == nil || !is.LastSeen.Equal(t0.Add(-time.Hour)) {
				t.Errorf("first seen %v, last seen %v", is.FirstSeen, is.LastSeen)
			}
			var hourly float64
			for _, p := range is.Hourly() {
				hourly += p.Count
			}
			if len(is.Hourly()) == 0 || hourly != 4 {
				t.Errorf("hourly series %v sums to %v, want the 4 events", is.Hourly(), hourly)
			}
		})
	}
}

func TestTriageLatestEventCrash(t *testing.T) {
	t.Parallel()
	srv := requestChecked(t, Options{Now: t0, Projects: []string{"web", "api"}})
	seeded := triageShop(t, srv)
	c := triageClient(t, srv, srv.Token())
	tests := []struct {
		name, issue, file, function string
	}{
		{"the top in-app frame, not the vendor frame above it", "checkout", "app/checkout.js", "handleCheckout"},
		{"the newest in-app frame, not one deeper in the stack", "deeper", "app/cart.js", "total"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev, err := c.IssueEvent(t.Context(), "acme", seeded[tt.issue].IssueID, sentryapi.LatestEvent)
			if err != nil {
				t.Fatal(err)
			}
			cr, err := ev.Crash()
			if err != nil || cr == nil || cr.Frame == nil {
				t.Fatalf("crash %+v, %v", cr, err)
			}
			if cr.Type != "TypeError" || cr.Frame.Filename != tt.file || cr.Frame.Function != tt.function || !cr.Frame.InApp {
				t.Errorf("crash %s at %s %s (in app %v), want TypeError at %s %s", cr.Type, cr.Frame.Filename, cr.Frame.Function, cr.Frame.InApp, tt.file, tt.function)
			}
		})
	}
}

func TestTriageBlastRadiusTags(t *testing.T) {
	t.Parallel()
	srv := requestChecked(t, Options{Now: t0, Projects: []string{"web", "api"}})
	id := triageShop(t, srv)["checkout"].IssueID
	c := triageClient(t, srv, srv.Token())
	tests := []struct {
		key           string
		unique, total int64
		top           string
		topCount      int64
		first, last   time.Time
	}{
		{"tenant_id", 2, 4, "acme", 3, t0.Add(-4 * time.Hour), t0.Add(-time.Hour)},
		{"user", 3, 4, "id:1", 2, t0.Add(-4 * time.Hour), t0.Add(-time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			t.Parallel()
			td, err := c.GetIssueTag(t.Context(), "acme", id, tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if td.UniqueValues != tt.unique || td.TotalValues != tt.total {
				t.Errorf("%d values over %d events, want %d over %d", td.UniqueValues, td.TotalValues, tt.unique, tt.total)
			}
			var values []sentryapi.TagValue
			err = c.ListIssueTagValues(t.Context(), "acme", id, tt.key, sentryapi.TagValuesQuery{Sort: "-count"}, func(page []sentryapi.TagValue) error {
				values = append(values, page...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(values)) != tt.unique {
				t.Fatalf("values = %+v", values)
			}
			v := values[0]
			if v.Value != tt.top || v.Count != tt.topCount || v.FirstSeen == nil || !v.FirstSeen.Equal(tt.first) || v.LastSeen == nil || !v.LastSeen.Equal(tt.last) {
				t.Errorf("most common value %s ×%d (%v … %v), want %s ×%d (%v … %v)", v.Value, v.Count, v.FirstSeen, v.LastSeen, tt.top, tt.topCount, tt.first, tt.last)
			}
		})
	}
}

func TestFindDuplicates(t *testing.T) {
	t.Parallel()
	srv := requestChecked(t, Options{Now: t0, Projects: []string{"web", "api"}})
	seeded := triageShop(t, srv)
	c := triageClient(t, srv, srv.Token())
	frame := &sentryapi.Frame{Filename: "app/checkout.js", Function: "handleCheckout", InApp: true}
	tests := []struct {
		name string
		dq   sentryapi.DuplicateQuery
		want []string // seeded names, most events first
	}{
		{"across projects and releases; not deeper frames, other types, resolved issues or itself",
			sentryapi.DuplicateQuery{IssueID: sentryapi.ID(seeded["checkout"].IssueID), ExceptionType: "TypeError", Frame: frame},
			[]string{"api", "legacy"}},
		{"in the projects asked for",
			sentryapi.DuplicateQuery{IssueID: sentryapi.ID(seeded["checkout"].IssueID), ExceptionType: "TypeError", Frame: frame, Projects: []string{"api"}},
			[]string{"api"}},
		{"a limit",
			sentryapi.DuplicateQuery{IssueID: sentryapi.ID(seeded["api"].IssueID), ExceptionType: "TypeError", Frame: frame, Limit: 1},
			[]string{"checkout"}},
		{"nothing alike",
			sentryapi.DuplicateQuery{ExceptionType: "SyntaxError", Frame: frame},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.FindDuplicates(t.Context(), "acme", tt.dq)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, is := range got {
				for name, r := range seeded {
					if r.IssueID == string(is.ID) {
						names = append(names, name)
					}
				}
			}
			if strings.Join(names, ",") != strings.Join(tt.want, ",") {
				t.Errorf("duplicates %v, want %v", names, tt.want)
			}
		})
	}
	if _, err := c.FindDuplicates(t.Context(), "acme", sentryapi.DuplicateQuery{}); err == nil {
		t.Error("no exception type: no error")
	}
}

func TestDuplicateSearch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dq   sentryapi.DuplicateQuery
		want string
	}{
		{"type and file", sentryapi.DuplicateQuery{ExceptionType: "TypeError", Frame: &sentryapi.Frame{Filename: "app/a b.js", Function: "f"}},
			`is:unresolved error.type:"TypeError" stack.filename:"app/a b.js" stack.function:"f"`},
		{"quotes and backslashes escaped", sentryapi.DuplicateQuery{ExceptionType: `Err"or`, Frame: &sentryapi.Frame{Filename: `C:\src\a.py`}},
			`is:unresolved error.type:"Err\"or" stack.filename:"C:\\src\\a.py"`},
		{"the module when there is no file", sentryapi.DuplicateQuery{ExceptionType: "NullPointerException", Frame: &sentryapi.Frame{Module: "com.shop.Cart", Function: "total"}},
			`is:unresolved error.type:"NullPointerException" stack.module:"com.shop.Cart" stack.function:"total"`},
		{"a wildcard is left out, not sent", sentryapi.DuplicateQuery{ExceptionType: "E", Frame: &sentryapi.Frame{Filename: "a*.js", Function: "<anonymous>"}},
			`is:unresolved error.type:"E" stack.function:"<anonymous>"`},
		{"no frame", sentryapi.DuplicateQuery{ExceptionType: "panic"}, `is:unresolved error.type:"panic"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.dq.Search(); got != tt.want {
				t.Errorf("Search() = %s\nwant       %s", got, tt.want)
			}
		})
	}
}

func TestResolveInNextReleaseAndLink(t *testing.T) {
	t.Parallel()
	srv := requestChecked(t, Options{Now: t0, Projects: []string{"web", "api"}})
	seeded := triageShop(t, srv)
	id := seeded["checkout"].IssueID
	uuid := srv.AddSentryAppInstallation("acme", "releasegate")
	srv.AddToken("read-only", "event:read", "org:read")
	writer, reader := triageClient(t, srv, srv.Token()), triageClient(t, srv, "read-only")
	link := func(c *sentryapi.Client, key string) (*sentryapi.ExternalIssue, error) {
		return c.LinkExternalIssue(t.Context(), uuid, sentryapi.ExternalIssueLink{
			IssueID: int64(mustAtoi(t, id)), WebURL: "https://jira.example/browse/" + key, Project: "SHOP", Identifier: key,
		})
	}
	resolve := func(c *sentryapi.Client) error {
		_, err := c.ResolveInNextRelease(t.Context(), "acme", id)
		return err
	}
	tests := []struct {
		name string
		call func() error
		kind errkind.Kind // 0: succeeds
	}{
		{"resolve without event:write is a configuration error", func() error { return resolve(reader) }, errkind.Config},
		{"link without event:write is a configuration error", func() error { _, err := link(reader, "SHOP-1"); return err }, errkind.Config},
		{"resolve in the next release", func() error { return resolve(writer) }, 0},
		{"resolve again: the same state", func() error { return resolve(writer) }, 0},
		{"link", func() error { _, err := link(writer, "SHOP-1"); return err }, 0},
		{"link again: the same link", func() error { _, err := link(writer, "SHOP-1"); return err }, 0},
		{"link the issue to another ticket: the link moves", func() error { _, err := link(writer, "SHOP-2"); return err }, 0},
		{"Sentry down: undecided", func() error {
			srv.InjectFault(Fault{Path: "/api/0/sentry-app-installations/*", Status: http.StatusServiceUnavailable})
			defer srv.ClearFaults()
			_, err := link(writer, "SHOP-2")
			return err
		}, errkind.Undecided},
		{"an installation that is gone (or an issue): not found, as data", func() error {
			_, err := writer.LinkExternalIssue(t.Context(), "00000000-0000-0000-0000-000000000000", sentryapi.ExternalIssueLink{IssueID: int64(mustAtoi(t, id)), WebURL: "https://jira.example/browse/SHOP-2", Project: "SHOP", Identifier: "SHOP-2"})
			return err
		}, errkind.Undecided},
	}
	// The steps run in order, on one issue: each depends on the state the last one left.
	for _, tt := range tests {
		err := tt.call()
		switch {
		case tt.kind == 0 && err != nil:
			t.Fatalf("%s: %v", tt.name, err)
		case tt.kind != 0 && (err == nil || errkind.Of(err) != tt.kind):
			t.Fatalf("%s: err = %v (kind %v), want kind %v", tt.name, err, errkind.Of(err), tt.kind)
		}
	}
	is, err := writer.GetIssue(t.Context(), "acme", id)
	if err != nil {
		t.Fatal(err)
	}
	if is.Status != "resolved" || is.StatusDetails["inNextRelease"] != true {
		t.Errorf("status %s %v, want resolved in the next release", is.Status, is.StatusDetails)
	}
	links, err := writer.ListIssueExternalIssues(t.Context(), "acme", id)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 1 || links[0].WebURL != "https://jira.example/browse/SHOP-2" || links[0].DisplayName != "SHOP#SHOP-2" {
		t.Errorf("links = %+v, want the one link to SHOP-2", links)
	}
}
