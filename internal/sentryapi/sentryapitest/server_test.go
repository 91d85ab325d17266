package sentryapitest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{})
	srv.AddToken("sntrys_org_token", "org:ci")
	c := client(t, srv)
	for _, tc := range []struct {
		token  string
		path   string
		status int
		detail string
	}{
		{"", "/api/0/organizations/acme/issues/", 401, "Authentication credentials were not provided."},
		{"wrong", "/api/0/organizations/acme/issues/", 401, "Invalid token"},
		{"sntrys_org_token", "/api/0/organizations/acme/issues/", 403, "You do not have permission to perform this action."},
		{"sntrys_org_token", "/api/0/organizations/acme/releases/", 200, ""},
		{"sntrys_org_token", "/api/0/organizations/acme/chunk-upload/", 200, ""},
		{srv.Token(), "/api/0/organizations/other/issues/", 404, "The requested resource does not exist"},
	} {
		c.token = tc.token
		r := c.do("GET", tc.path, nil)
		if r.status != tc.status {
			t.Errorf("token %q %s: %d, want %d", tc.token, tc.path, r.status, tc.status)
			continue
		}
		if tc.detail != "" {
			var e map[string]string
			c.expect(r, tc.path, tc.status, &e)
			if e["detail"] != tc.detail || r.header.Get("Content-Type") != "application/json" {
				t.Errorf("token %q %s: %v (%s)", tc.token, tc.path, e, r.header.Get("Content-Type"))
			}
		}
	}
}

func TestUnexpectedRequests(t *testing.T) {
	t.Parallel()
	srv := New(Options{OnExchange: validator(t)})
	defer srv.Close()
	c := client(t, srv)
	if r := c.do("GET", "/api/0/organizations/acme/unknown-thing/", nil); r.status != 404 || !strings.Contains(string(r.body), "does not exist") {
		t.Errorf("unknown route: %d %s", r.status, r.body)
	}
	if r := c.do("PATCH", "/api/0/organizations/acme/issues/", nil); r.status != 405 || string(r.body) != `{"detail":"Method \"PATCH\" not allowed."}` {
		t.Errorf("wrong method: %d %s", r.status, r.body)
	}
	// Like Django, the server redirects to the path with the slash, but counts the detour.
	req, _ := http.NewRequest("GET", srv.URL()+"/api/0/organizations/acme/issues", nil)
	resp, err := srv.Client().Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/api/0/organizations/acme/issues/" {
		t.Errorf("missing trailing slash: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	un := srv.Unexpected()
	if len(un) != 3 || un[0].Path != "/api/0/organizations/acme/unknown-thing/" || un[1].Method != "PATCH" || un[2].Status != 301 {
		t.Errorf("unexpected = %+v", un)
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("%d requests recorded", n)
	}
}

func TestPrefixAndRecording(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Prefix: "sentry/", Projects: []string{"web"}})
	if !strings.HasSuffix(srv.URL(), "/sentry") {
		t.Fatalf("URL = %s", srv.URL())
	}
	dsn := srv.DSN("web")
	p, _ := srv.Project("web")
	if want := fmt.Sprintf("/sentry/%s", p.ID); !strings.HasSuffix(dsn, want) || !strings.Contains(dsn, p.Key+"@127.0.0.1:") {
		t.Errorf("DSN = %s", dsn)
	}
	c := client(t, srv)
	var opts map[string]any
	c.get("/api/0/organizations/acme/chunk-upload/", 200, &opts)
	if opts["url"] != srv.URL()+"/api/0/organizations/acme/chunk-upload/" {
		t.Errorf("chunk url = %v", opts["url"])
	}
	c.send("POST", "/api/0/organizations/acme/releases/", map[string]any{"version": "1.0", "projects": []string{"web"}}, 201, nil)
	reqs := srv.Requests()
	last := reqs[len(reqs)-1]
	if last.Method != "POST" || last.Path != "/api/0/organizations/acme/releases/" || last.Route != "/api/0/organizations/{organization_id_or_slug}/releases/" ||
		last.Status != 201 || !strings.Contains(string(last.Body), `"version":"1.0"`) || last.Header.Get("Authorization") != "Bearer "+srv.Token() {
		t.Errorf("recorded %+v", last)
	}
	srv.ResetRequests()
	if len(srv.Requests()) != 0 {
		t.Error("ResetRequests kept requests")
	}
	// Outside the prefix nothing is served.
	resp, err := srv.Client().Get(strings.TrimSuffix(srv.URL(), "/sentry") + "/api/0/organizations/acme/releases/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || len(srv.Unexpected()) != 1 {
		t.Errorf("outside the prefix: %d, %d unexpected", resp.StatusCode, len(srv.Unexpected()))
	}
	srv.mu.Lock()
	srv.unexpected = nil // expected here; keep Start's check quiet
	srv.mu.Unlock()
}

// recordingTB captures what a validator reports.
type recordingTB struct {
	testing.TB
	errs []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestValidatorCatchesMismatches guards the guard: a response that breaks the description
// must be reported.
func TestValidatorCatchesMismatches(t *testing.T) {
	t.Parallel()
	rec := &recordingTB{TB: t}
	check := validator(rec)
	req, _ := http.NewRequest("GET", "http://x/api/0/organizations/acme/issues/1/", nil)
	for _, body := range []string{
		`{"id": 1}`, // id must be a string and most fields are missing
		`[]`,
	} {
		rec.errs = nil
		check(Exchange{
			Route: "/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/", Request: req,
			Status: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body),
		})
		if len(rec.errs) == 0 {
			t.Errorf("validator accepted %s", body)
		}
	}
	rec.errs = nil
	check(Exchange{
		Route: "/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/", Request: req,
		Status: 201, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`),
	})
	if len(rec.errs) == 0 {
		t.Error("validator accepted an undocumented success status")
	}
}

// Paths are matched unescaped, segment by segment, so a prefix with a space and release
// versions with "+", spaces and "?" work as in Sentry.
func TestEscapedPaths(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Prefix: "/my sentry"})
	if !strings.HasSuffix(srv.URL(), "/my%20sentry") || !strings.Contains(srv.DSN("web"), "/my%20sentry/") {
		t.Fatalf("URL %s, DSN %s", srv.URL(), srv.DSN("web"))
	}
	c := client(t, srv)
	for _, v := range []string{"web@2.0.0+exp.sha.5114f85 (rc 1)", "v1?x=1#y", "ünï", "100%"} {
		var r map[string]any
		c.send("POST", "/api/0/organizations/acme/releases/", map[string]any{"version": v, "projects": []string{"web"}}, 201, &r)
		c.get("/api/0/organizations/acme/releases/"+url.PathEscape(v)+"/", 200, &r)
		if r["version"] != v {
			t.Errorf("GET %q answered %v", v, r["version"])
		}
	}
	r := c.get("/api/0/organizations/acme/releases/?per_page=1", 200, nil)
	if !strings.Contains(r.header.Get("Link"), srv.URL()+"/api/0/organizations/acme/releases/?per_page=1&cursor=0:1:0") {
		t.Errorf("Link = %s", r.header.Get("Link"))
	}
}

// TestIndex checks the API root: it describes a token by its scopes, refuses one it does not
// know, and answers without a token.
func TestIndex(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{})
	srv.AddToken("sntrys_org_token", "org:ci")
	srv.AddToken("gate", "org:read", "event:read", "project:read")
	for _, tc := range []struct {
		name, token string
		status      int
		want        string
	}{
		{"org token", "sntrys_org_token", 200, `{"auth":{"scopes":["org:ci"]},"user":null,"version":"0"}`},
		{"scoped token", "gate", 200, `{"auth":{"scopes":["event:read","org:read","project:read"]},"user":null,"version":"0"}`},
		{"no token", "", 200, `{"auth":null,"user":null,"version":"0"}`},
		{"unknown token", "wrong", 401, `{"detail":"Invalid token"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := client(t, srv)
			c.token = tc.token
			r := c.do("GET", "/api/0/", nil)
			if r.status != tc.status || string(r.body) != tc.want {
				t.Errorf("GET /api/0/: %d %s\nwant %d %s", r.status, r.body, tc.status, tc.want)
			}
		})
	}
	c := client(t, srv)
	r := c.do("GET", "/api/0/", nil)
	if !strings.Contains(string(r.body), `"project:releases"`) || !strings.Contains(string(r.body), `"event:read"`) {
		t.Errorf("the all-scopes token: %s", r.body)
	}
}
