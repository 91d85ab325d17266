package sentryapitest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func mustIngest(t *testing.T, srv *Server, project string, ev Event) IngestResult {
	t.Helper()
	res, err := srv.Ingest(project, ev)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// jsErr is a browser-style error: a system frame on top of the in-app frame that threw.
func jsErr(typ, value, function, file string) []Exception {
	return []Exception{{
		Type: typ, Value: value, Mechanism: "onerror", Handled: ptr(false),
		Frames: []Frame{
			{Function: "main", Filename: "app/main.js", AbsPath: "https://shop.example/static/main.js", Lineno: 1, Colno: 10, InApp: true},
			{Function: function, Filename: file, AbsPath: "https://shop.example/static/" + file, Lineno: 40, Colno: 7, InApp: true},
			{Function: "dispatch", Filename: "node_modules/react-dom/index.js", Lineno: 9, InApp: false},
		},
	}}
}

func ptr[T any](v T) *T { return &v }

func issueIDs(list []map[string]any) []string {
	var out []string
	for _, it := range list {
		out = append(out, it["shortId"].(string))
	}
	return out
}

// seedShop fills a server with a small, known history:
//
//	WEB-1 TypeError in checkout   web@1.0.0 ×2 (users 1, 2), web@1.1.0 ×1 (user 3), production
//	WEB-2 TypeError in login      web@1.0.0 ×1, staging
//	WEB-3 RangeError in search    web@1.1.0 ×1 (first seen in 1.1.0), production
//	API-1 message "db timeout"    api@2.0.0 ×1, production
func seedShop(t *testing.T, srv *Server) map[string]IngestResult {
	t.Helper()
	out := map[string]IngestResult{}
	add := func(name, project string, ev Event) {
		out[name] = mustIngest(t, srv, project, ev)
	}
	srv.SetNow(t0.Add(-6 * time.Hour))
	checkout := jsErr("TypeError", "Cannot read properties of undefined (reading 'total')", "handleCheckout", "app/checkout.js")
	add("e1", "web", Event{Timestamp: t0.Add(-5 * time.Hour), Release: "web@1.0.0", Environment: "production", Exceptions: checkout, User: &User{ID: "1", Email: "one@example.com"}, Tags: map[string]string{"tenant_id": "acme"}, Platform: "javascript"})
	add("e2", "web", Event{Timestamp: t0.Add(-4 * time.Hour), Release: "web@1.0.0", Environment: "production", Exceptions: checkout, User: &User{ID: "2"}, Tags: map[string]string{"tenant_id": "globex"}, Platform: "javascript"})
	add("e3", "web", Event{Timestamp: t0.Add(-3 * time.Hour), Release: "web@1.0.0", Environment: "staging", Exceptions: jsErr("TypeError", "x is null", "submitLogin", "app/login.js"), Platform: "javascript"})
	srv.SetNow(t0.Add(-150 * time.Minute)) // web@1.1.0 is created after web@1.0.0
	add("e4", "web", Event{Timestamp: t0.Add(-2 * time.Hour), Release: "web@1.1.0", Environment: "production", Exceptions: jsErr("RangeError", "Invalid array length", "renderResults", "app/search.js"), User: &User{ID: "3"}, Platform: "javascript"})
	add("e5", "web", Event{Timestamp: t0.Add(-30 * time.Minute), Release: "web@1.1.0", Environment: "production", Exceptions: checkout, User: &User{ID: "3"}, Tags: map[string]string{"tenant_id": "acme"}, Platform: "javascript"})
	add("e6", "api", Event{Timestamp: t0.Add(-time.Hour), Release: "api@2.0.0", Environment: "production", Message: "db timeout", Level: "warning"})
	srv.SetNow(t0)
	return out
}

func TestGroupingAndIngest(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0, Projects: []string{"web", "api"}})
	ev := seedShop(t, srv)
	for name, want := range map[string]struct {
		short string
		isNew bool
	}{"e1": {"WEB-1", true}, "e2": {"WEB-1", false}, "e3": {"WEB-2", true}, "e4": {"WEB-3", true}, "e5": {"WEB-1", false}, "e6": {"API-1", true}} {
		if got := ev[name]; got.ShortID != want.short || got.NewIssue != want.isNew {
			t.Errorf("%s went to %s (new %v), want %s (new %v)", name, got.ShortID, got.NewIssue, want.short, want.isNew)
		}
	}
	issues := srv.Issues()
	if len(issues) != 4 {
		t.Fatalf("%d issues, want 4", len(issues))
	}
	w1 := issues[0]
	if w1.Count != 3 || w1.UserCount != 3 || w1.FirstRelease != "web@1.0.0" || w1.LastRelease != "web@1.1.0" {
		t.Errorf("WEB-1 = %+v", w1)
	}
	if w1.Title != "TypeError: Cannot read properties of undefined (reading 'total')" || w1.Culprit != "app/checkout.js in handleCheckout" {
		t.Errorf("WEB-1 title %q culprit %q", w1.Title, w1.Culprit)
	}
	if w1.Fingerprint != "exc | TypeError | handleCheckout | app/checkout.js" {
		t.Errorf("WEB-1 fingerprint %q: the type and the top in-app frame (not the react-dom frame above it)", w1.Fingerprint)
	}
	if !w1.Unhandled {
		t.Error("WEB-1 should be unhandled (mechanism handled=false)")
	}
	// A custom fingerprint overrides the grouping.
	a := mustIngest(t, srv, "web", Event{Message: "one", Fingerprint: []string{"db"}})
	b := mustIngest(t, srv, "web", Event{Message: "two", Fingerprint: []string{"db"}})
	if a.IssueID != b.IssueID {
		t.Error("events with the same fingerprint went to different issues")
	}
	if _, err := srv.Ingest("nope", Event{}); err == nil {
		t.Error("Ingest into an unknown project succeeded")
	}
}

func TestIssueSearch(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0, Projects: []string{"web", "api"}})
	seedShop(t, srv)
	c := client(t, srv)
	web, _ := srv.Project("web")

	search := func(params string) []map[string]any {
		t.Helper()
		var list []map[string]any
		c.get("/api/0/organizations/acme/issues/?"+params, 200, &list)
		return list
	}
	for _, tc := range []struct {
		params string
		want   []string
	}{
		{"", []string{"WEB-1", "API-1", "WEB-3", "WEB-2"}}, // default is:unresolved, sort=date
		{"sort=freq", []string{"WEB-1", "API-1", "WEB-3", "WEB-2"}},
		{"sort=new", []string{"WEB-1", "API-1", "WEB-3", "WEB-2"}[0:0]},
		{"query=firstRelease:web@1.1.0", []string{"WEB-3"}},
		{"query=" + url.QueryEscape("is:unresolved firstRelease:web@1.1.0") + "&environment=production&statsPeriod=24h", []string{"WEB-3"}},
		{"query=firstRelease:latest&project=" + web.ID, []string{"WEB-3"}},
		{"query=release:web@1.1.0", []string{"WEB-1", "WEB-3"}},
		{"query=" + url.QueryEscape("!release:web@1.1.0"), []string{"API-1", "WEB-2", "WEB-1"}},
		{"query=release:" + url.QueryEscape("[web@1.0.0, api@2.0.0]"), []string{"API-1", "WEB-2", "WEB-1"}},
		{"query=release:" + url.QueryEscape("web@1.*"), []string{"WEB-1", "WEB-3", "WEB-2"}},
		{"environment=staging", []string{"WEB-2"}},
		{"query=environment:staging", []string{"WEB-2"}},
		{"project=" + web.ID + "&sort=freq", []string{"WEB-1", "WEB-3", "WEB-2"}},
		{"query=RangeError", []string{"WEB-3"}},
		{"query=" + url.QueryEscape(`"Invalid array"`), []string{"WEB-3"}},
		{"query=tenant_id:globex", []string{"WEB-1"}},
		{"query=user.id:3", []string{"WEB-1", "WEB-3"}},
		{"query=is:resolved", nil},
		{"query=", []string{"WEB-1", "API-1", "WEB-3", "WEB-2"}},
		{"statsPeriod=1h", []string{"WEB-1", "API-1"}},
		{"start=" + url.QueryEscape(t0.Add(-6*time.Hour).Format("2006-01-02T15:04:05")) + "&end=" + url.QueryEscape(t0.Add(-3*time.Hour).Format(time.RFC3339)), []string{"WEB-2", "WEB-1"}},
		{"query=" + url.QueryEscape("timesSeen:>2"), []string{"WEB-1"}},
		{"query=" + url.QueryEscape("age:-150m"), []string{"API-1", "WEB-3"}},
		{"query=level:warning", []string{"API-1"}},
		{"query=is:unassigned&sort=user", []string{"WEB-1", "WEB-3", "API-1", "WEB-2"}},
		{"query=WEB-2&shortIdLookup=1", []string{"WEB-2"}},
	} {
		if tc.params == "sort=new" {
			continue // checked below, it depends on first-seen order
		}
		got := issueIDs(search(tc.params))
		if !slices.Equal(got, tc.want) {
			t.Errorf("search %q = %v, want %v", tc.params, got, tc.want)
		}
	}
	if got := issueIDs(search("sort=new")); !slices.Equal(got, []string{"API-1", "WEB-3", "WEB-2", "WEB-1"}) {
		t.Errorf("sort=new = %v", got)
	}

	// Counts: count/userCount cover the window, lifetime all time, filtered the event filters.
	list := search("query=release:web@1.1.0&environment=production")
	w1 := list[0]
	if w1["count"] != "3" || w1["userCount"] != 3.0 {
		t.Errorf("WEB-1 count %v userCount %v, want 3 and 3", w1["count"], w1["userCount"])
	}
	if f := w1["filtered"].(map[string]any); f["count"] != "1" || f["userCount"] != 1.0 {
		t.Errorf("WEB-1 filtered = %v", f)
	}
	if l := w1["lifetime"].(map[string]any); l["count"] != "3" {
		t.Errorf("WEB-1 lifetime = %v", l)
	}
	if got := search("")[0]["filtered"]; got != nil {
		t.Errorf("filtered without event filters = %v, want null", got)
	}
	if w1["firstSeen"] != "2026-03-10T07:00:00.000000Z" || w1["lastSeen"] != "2026-03-10T11:30:00.000000Z" {
		t.Errorf("WEB-1 seen %v – %v", w1["firstSeen"], w1["lastSeen"])
	}
	stats := w1["stats"].(map[string]any)["24h"].([]any)
	if len(stats) != 24 {
		t.Fatalf("24h stats have %d points", len(stats))
	}
	var sum float64
	for _, p := range stats {
		sum += p.([]any)[1].(float64)
	}
	if last := stats[23].([]any); last[0] != float64(t0.Unix()) || sum != 3 {
		t.Errorf("24h stats end at %v with %v events, want %d and 3", last[0], sum, t0.Unix())
	}
	if list := search("groupStatsPeriod=14d&query=RangeError"); len(list[0]["stats"].(map[string]any)["14d"].([]any)) != 14 {
		t.Error("14d stats do not have 14 points")
	}

	// Errors.
	for _, tc := range []struct{ params, detail string }{
		{"query=" + url.QueryEscape("is:sleeping"), "invalid value for \"is\" search"},
		{"query=" + url.QueryEscape("a OR b"), "Error parsing search query"},
		{"sort=bogus", "Invalid sort: bogus"},
		{"statsPeriod=forever", "Invalid statsPeriod"},
		{"cursor=x", "Invalid cursor"},
	} {
		var e map[string]string
		c.get("/api/0/organizations/acme/issues/?"+tc.params, 400, &e)
		if !strings.Contains(e["detail"], tc.detail) {
			t.Errorf("%s: detail %q, want it to contain %q", tc.params, e["detail"], tc.detail)
		}
	}
	c.get("/api/0/organizations/nope/issues/", 404, nil)
}

func TestIssueSearchPagination(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0})
	for i := range 5 {
		mustIngest(t, srv, "web", Event{Timestamp: t0.Add(-time.Duration(i) * time.Minute), Message: fmt.Sprintf("problem %d", i)})
	}
	c := client(t, srv)
	var page []map[string]any
	r := c.get("/api/0/organizations/acme/issues/?limit=2&query=", 200, &page)
	base := srv.URL() + "/api/0/organizations/acme/issues/?limit=2&query="
	want := `<` + base + `&cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <` + base + `&cursor=0:2:0>; rel="next"; results="true"; cursor="0:2:0"`
	if got := r.header.Get("Link"); got != want {
		t.Errorf("Link =\n %s\nwant\n %s", got, want)
	}
	var all []string
	all = append(all, issueIDs(page)...)
	for next := nextCursor(t, r.header.Get("Link")); next != ""; {
		r = c.get("/api/0/organizations/acme/issues/?limit=2&query=&cursor="+next, 200, &page)
		all = append(all, issueIDs(page)...)
		next = nextCursor(t, r.header.Get("Link"))
	}
	if !slices.Equal(all, []string{"WEB-1", "WEB-2", "WEB-3", "WEB-4", "WEB-5"}) {
		t.Errorf("paged through %v", all)
	}
	if !strings.Contains(r.header.Get("Link"), `rel="previous"; results="true"; cursor="0:2:1"`) {
		t.Errorf("last page Link = %s", r.header.Get("Link"))
	}
}

// nextCursor reads the Link header as Sentry's own pagination helper does.
func nextCursor(t *testing.T, link string) string {
	t.Helper()
	for _, part := range strings.Split(link, ", <") {
		if strings.Contains(part, `rel="next"`) && strings.Contains(part, `results="true"`) {
			_, after, _ := strings.Cut(part, `cursor="`)
			cur, _, _ := strings.Cut(after, `"`)
			return cur
		}
	}
	return ""
}

func TestIssueDetailEventsAndTags(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0, Projects: []string{"web", "api"}})
	ev := seedShop(t, srv)
	c := client(t, srv)
	id := ev["e1"].IssueID

	var d map[string]any
	c.get("/api/0/organizations/acme/issues/"+id+"/", 200, &d)
	if d["shortId"] != "WEB-1" || d["count"] != "3" || d["userCount"] != 3.0 || d["status"] != "unresolved" || d["substatus"] != "new" {
		t.Errorf("detail = %v %v %v %v %v", d["shortId"], d["count"], d["userCount"], d["status"], d["substatus"])
	}
	if d["firstRelease"].(map[string]any)["version"] != "web@1.0.0" || d["lastRelease"].(map[string]any)["version"] != "web@1.1.0" {
		t.Errorf("first/last release %v / %v", d["firstRelease"], d["lastRelease"])
	}
	if v := d["firstRelease"].(map[string]any)["shortVersion"]; v != "1.0.0" {
		t.Errorf("shortVersion %v", v)
	}
	var keys []string
	for _, tg := range d["tags"].([]any) {
		keys = append(keys, tg.(map[string]any)["key"].(string))
	}
	for _, k := range []string{"environment", "handled", "level", "mechanism", "release", "tenant_id", "user"} {
		if !slices.Contains(keys, k) {
			t.Errorf("detail tags %v lack %s", keys, k)
		}
	}
	// The short ID works where the numeric ID does, and shortids resolves it.
	c.get("/api/0/organizations/acme/issues/WEB-1/", 200, nil)
	var sid map[string]any
	c.get("/api/0/organizations/acme/shortids/WEB-1/", 200, &sid)
	if sid["groupId"] != id || sid["projectSlug"] != "web" {
		t.Errorf("shortids = %v", sid)
	}
	c.get("/api/0/organizations/acme/issues/999999/", 404, nil)

	// Environment-scoped detail.
	c.get("/api/0/organizations/acme/issues/"+id+"/?environment=staging", 200, &d)
	if d["count"] != "0" {
		t.Errorf("staging count = %v", d["count"])
	}

	// Events.
	var e map[string]any
	c.get("/api/0/organizations/acme/issues/"+id+"/events/latest/", 200, &e)
	if e["eventID"] != ev["e5"].EventID || e["previousEventID"] != ev["e2"].EventID || e["nextEventID"] != nil {
		t.Errorf("latest = %v prev %v next %v", e["eventID"], e["previousEventID"], e["nextEventID"])
	}
	exc := e["entries"].([]any)[0].(map[string]any)
	frames := exc["data"].(map[string]any)["values"].([]any)[0].(map[string]any)["stacktrace"].(map[string]any)["frames"].([]any)
	if f := frames[1].(map[string]any); f["function"] != "handleCheckout" || f["lineNo"] != 40.0 || f["inApp"] != true {
		t.Errorf("frame = %v", f)
	}
	c.get("/api/0/organizations/acme/issues/"+id+"/events/recommended/", 200, &e)
	c.get("/api/0/organizations/acme/issues/"+id+"/events/oldest/", 200, &e)
	if e["eventID"] != ev["e1"].EventID {
		t.Errorf("oldest = %v", e["eventID"])
	}
	c.get("/api/0/organizations/acme/issues/"+id+"/events/"+ev["e2"].EventID+"/", 200, &e)
	c.get("/api/0/organizations/acme/issues/"+id+"/events/latest/?environment=staging", 404, nil)
	var events []map[string]any
	c.get("/api/0/organizations/acme/issues/"+id+"/events/?query=release:web@1.0.0", 200, &events)
	if len(events) != 2 || events[0]["eventID"] != ev["e2"].EventID {
		t.Errorf("events in web@1.0.0 = %v", events)
	}
	c.get("/api/0/organizations/acme/issues/"+ev["e6"].IssueID+"/events/latest/", 200, &e)
	if e["message"] != "db timeout" || e["type"] != "default" {
		t.Errorf("message event = %v %v", e["message"], e["type"])
	}

	// Tags.
	var tag map[string]any
	c.get("/api/0/organizations/acme/issues/"+id+"/tags/tenant_id/", 200, &tag)
	if tag["uniqueValues"] != 2.0 || tag["totalValues"] != 3.0 || tag["name"] != "Tenant Id" {
		t.Errorf("tenant_id tag = %v", tag)
	}
	if top := tag["topValues"].([]any)[0].(map[string]any); top["value"] != "acme" || top["count"] != 2.0 {
		t.Errorf("top tenant = %v", top)
	}
	var values []map[string]any
	c.get("/api/0/organizations/acme/issues/"+id+"/tags/user/values/?sort=-count", 200, &values)
	if len(values) != 3 || values[0]["value"] != "id:1" || values[0]["name"] != "one@example.com" || values[0]["query"] != `user.id:"1"` {
		t.Errorf("user values = %v", values)
	}
	c.get("/api/0/organizations/acme/issues/"+id+"/tags/release/values/?sort=-date&environment=production", 200, &values)
	if len(values) != 2 || values[0]["value"] != "web@1.1.0" || values[1]["count"] != 2.0 {
		t.Errorf("release values = %v", values)
	}
	c.get("/api/0/organizations/acme/issues/"+id+"/tags/nope/", 404, nil)
	c.get("/api/0/organizations/acme/issues/"+id+"/tags/user/values/?sort=size", 400, nil)
}

func TestIssueUpdates(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0, Projects: []string{"web", "api"}})
	srv.AddTeam("acme", "frontend", "web")
	alice := srv.AddMember("acme", "Alice@Example.com", "frontend")
	srv.AddMember("acme", "bob@example.com")
	srv.AddRepository("acme", "shop/web")
	ev := seedShop(t, srv)
	c := client(t, srv)
	path := "/api/0/organizations/acme/issues/" + ev["e1"].IssueID + "/"

	var d map[string]any
	c.send("PUT", path, map[string]any{"status": "resolvedInNextRelease"}, 200, &d)
	if d["status"] != "resolved" || d["statusDetails"].(map[string]any)["inNextRelease"] != true {
		t.Errorf("after resolvedInNextRelease: %v %v", d["status"], d["statusDetails"])
	}
	// An event of the current release does not reopen an issue resolved in the next release ...
	srv.Advance(time.Minute)
	mustIngest(t, srv, "web", Event{Release: "web@1.1.0", Exceptions: jsErr("TypeError", "Cannot read properties of undefined (reading 'total')", "handleCheckout", "app/checkout.js")})
	if got := srv.Issues()[0].Status; got != "resolved" {
		t.Fatalf("status after an event of the same release = %s", got)
	}
	// ... one of a newer release does.
	srv.Advance(time.Minute)
	mustIngest(t, srv, "web", Event{Release: "web@1.2.0", Exceptions: jsErr("TypeError", "Cannot read properties of undefined (reading 'total')", "handleCheckout", "app/checkout.js")})
	if got := srv.Issues()[0]; got.Status != "unresolved" || got.Substatus != "regressed" {
		t.Fatalf("after a newer release: %s/%s", got.Status, got.Substatus)
	}
	var list []map[string]any
	c.get("/api/0/organizations/acme/issues/?query=is:regressed", 200, &list)
	if got := issueIDs(list); !slices.Equal(got, []string{"WEB-1"}) {
		t.Errorf("is:regressed = %v", got)
	}

	c.send("PUT", path, map[string]any{"status": "resolved", "statusDetails": map[string]any{"inRelease": "web@1.2.0"}}, 200, &d)
	if d["statusDetails"].(map[string]any)["inRelease"] != "web@1.2.0" {
		t.Errorf("inRelease: %v", d["statusDetails"])
	}
	c.send("PUT", path, map[string]any{"status": "resolved", "statusDetails": map[string]any{"inCommit": map[string]any{"commit": "abc123", "repository": "shop/web"}}}, 200, &d)
	c.get(path, 200, &d)
	if ic := d["statusDetails"].(map[string]any)["inCommit"].(map[string]any); ic["id"] != "abc123" {
		t.Errorf("inCommit = %v", ic)
	}
	c.send("PUT", path, map[string]any{"status": "ignored", "statusDetails": map[string]any{"ignoreDuration": 30}}, 200, &d)
	if d["status"] != "ignored" || d["substatus"] != "archived_until_condition_met" {
		t.Errorf("ignored: %v %v", d["status"], d["substatus"])
	}
	c.send("PUT", path, map[string]any{"status": "unresolved"}, 200, &d)

	// Assignment.
	c.send("PUT", path, map[string]any{"assignedTo": "alice@example.com"}, 200, &d)
	if a := d["assignedTo"].(map[string]any); a["type"] != "user" || a["id"] != alice.UserID || a["email"] != "alice@example.com" {
		t.Errorf("assignedTo = %v", a)
	}
	c.get("/api/0/organizations/acme/issues/?query="+url.QueryEscape("assigned:alice@example.com"), 200, &list)
	if got := issueIDs(list); !slices.Equal(got, []string{"WEB-1"}) {
		t.Errorf("assigned:alice = %v", got)
	}
	c.send("PUT", path, map[string]any{"assignedTo": "team:" + teamID(t, c, "frontend")}, 200, &d)
	if a := d["assignedTo"].(map[string]any); a["type"] != "team" || a["name"] != "frontend" {
		t.Errorf("assignedTo team = %v", a)
	}
	c.send("PUT", path, map[string]any{"assignedTo": ""}, 200, &d)
	if d["assignedTo"] != nil {
		t.Errorf("unassigned: %v", d["assignedTo"])
	}
	for _, tc := range []struct {
		body  map[string]any
		field string
		msg   string
	}{
		{map[string]any{"assignedTo": "carol@example.com"}, "assignedTo", "Unknown actor input"},
		{map[string]any{"assignedTo": "bob@example.com"}, "assignedTo", "Cannot assign to non-team member"},
		{map[string]any{"status": "sleeping"}, "status", `"sleeping" is not a valid choice.`},
		{map[string]any{"priority": "urgent"}, "priority", `"urgent" is not a valid choice.`},
	} {
		var e map[string][]string
		c.send("PUT", path, tc.body, 400, &e)
		if len(e[tc.field]) != 1 || e[tc.field][0] != tc.msg {
			t.Errorf("%v: %v", tc.body, e)
		}
	}
	var e map[string]map[string][]string
	c.send("PUT", "/api/0/organizations/acme/issues/"+ev["e6"].IssueID+"/", map[string]any{"status": "resolved", "statusDetails": map[string]any{"inRelease": "api@9"}}, 400, &e)
	if e["statusDetails"]["inRelease"][0] != "Unable to find a release with version api@9" {
		t.Errorf("unknown inRelease: %v", e)
	}

	// Bulk.
	var res map[string]any
	c.send("PUT", "/api/0/organizations/acme/issues/?id="+ev["e3"].IssueID+"&id="+ev["e4"].IssueID, map[string]any{"status": "ignored", "priority": "low"}, 200, &res)
	if res["status"] != "ignored" || res["priority"] != "low" {
		t.Errorf("bulk result = %v", res)
	}
	c.get("/api/0/organizations/acme/issues/?query=is:ignored", 200, &list)
	if got := issueIDs(list); !slices.Equal(got, []string{"WEB-3", "WEB-2"}) {
		t.Errorf("is:ignored = %v", got)
	}
	if r := c.do("PUT", "/api/0/organizations/acme/issues/?id=424242", map[string]any{"status": "resolved"}); r.status != 204 {
		t.Errorf("bulk update of nothing: %d", r.status)
	}

	// Delete.
	if r := c.do("DELETE", "/api/0/organizations/acme/issues/"+ev["e6"].IssueID+"/", nil); r.status != 202 {
		t.Errorf("delete: %d", r.status)
	}
	c.get("/api/0/organizations/acme/issues/"+ev["e6"].IssueID+"/", 404, nil)
}

func teamID(t *testing.T, c *api, slug string) string {
	t.Helper()
	var teams []map[string]any
	c.get("/api/0/organizations/acme/teams/", 200, &teams)
	for _, tm := range teams {
		if tm["slug"] == slug {
			return tm["id"].(string)
		}
	}
	t.Fatalf("no team %s", slug)
	return ""
}

func TestExternalIssues(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0})
	res := mustIngest(t, srv, "web", Event{Message: "boom"})
	uuid := srv.AddSentryAppInstallation("acme", "jira-bridge")
	c := client(t, srv)
	var inst []map[string]any
	c.get("/api/0/organizations/acme/sentry-app-installations/", 200, &inst)
	if len(inst) != 1 || inst[0]["uuid"] != uuid {
		t.Fatalf("installations = %v", inst)
	}
	var x map[string]any
	body := map[string]any{"issueId": mustAtoi(t, res.IssueID), "webUrl": "https://jira.example/browse/SHOP-1", "project": "SHOP", "identifier": "1"}
	c.send("POST", "/api/0/sentry-app-installations/"+uuid+"/external-issues/", body, 200, &x)
	if x["displayName"] != "SHOP#1" || x["serviceType"] != "jira-bridge" || x["issueId"] != res.IssueID {
		t.Errorf("external issue = %v", x)
	}
	body["webUrl"] = "https://jira.example/browse/SHOP-2"
	c.send("POST", "/api/0/sentry-app-installations/"+uuid+"/external-issues/", body, 200, &x)
	var list []map[string]any
	c.get("/api/0/organizations/acme/issues/"+res.IssueID+"/external-issues/", 200, &list)
	if len(list) != 1 || list[0]["webUrl"] != "https://jira.example/browse/SHOP-2" {
		t.Errorf("external issues = %v", list)
	}
	var issues []map[string]any
	c.get("/api/0/organizations/acme/issues/?query=is:linked", 200, &issues)
	if len(issues) != 1 || len(issues[0]["sentryAppIssues"].([]any)) != 1 {
		t.Errorf("is:linked = %v", issues)
	}
	var e map[string][]string
	c.send("POST", "/api/0/sentry-app-installations/"+uuid+"/external-issues/", map[string]any{"issueId": 1}, 400, &e)
	if e["webUrl"][0] != "This field is required." {
		t.Errorf("missing fields: %v", e)
	}
	if r := c.do("DELETE", "/api/0/sentry-app-installations/"+uuid+"/external-issues/"+x["id"].(string)+"/", nil); r.status != 204 {
		t.Errorf("delete: %d", r.status)
	}
	c.get("/api/0/organizations/acme/issues/?query=is:unlinked", 200, &issues)
	if len(issues) != 1 {
		t.Errorf("is:unlinked = %v", issueIDs(issues))
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil {
		t.Fatal(err)
	}
	return n
}
