package sentryapitest

import (
	"net/url"
	"testing"
	"time"
)

func mustSession(t *testing.T, srv *Server, project string, s Session) {
	t.Helper()
	if err := srv.RecordSession(project, s); err != nil {
		t.Fatal(err)
	}
}

func TestSessions(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0, Projects: []string{"web", "api"}})
	web, _ := srv.Project("web")
	// web@1.0: 8 healthy, 1 errored, 1 crashed sessions; users u1 (crashed once), u2, u3.
	mustSession(t, srv, "web", Session{Release: "web@1.0", Environment: "production", DistinctID: "u1", Status: "healthy", Started: t0.Add(-3 * time.Hour), Count: 4})
	mustSession(t, srv, "web", Session{Release: "web@1.0", Environment: "production", DistinctID: "u2", Status: "healthy", Started: t0.Add(-2 * time.Hour), Count: 4})
	mustSession(t, srv, "web", Session{Release: "web@1.0", Environment: "production", DistinctID: "u3", Status: "errored", Started: t0.Add(-2 * time.Hour)})
	mustSession(t, srv, "web", Session{Release: "web@1.0", Environment: "production", DistinctID: "u1", Status: "crashed", Started: t0.Add(-90 * time.Minute)})
	// web@1.1: 2 sessions, both crashed, in staging.
	mustSession(t, srv, "web", Session{Release: "web@1.1", Environment: "staging", DistinctID: "u4", Status: "crashed", Started: t0.Add(-30 * time.Minute), Count: 2})
	mustSession(t, srv, "api", Session{Release: "api@2", Environment: "production", Status: "abnormal", Started: t0.Add(-30 * time.Minute)})
	if err := srv.RecordSession("web", Session{Release: "web@1.0", Status: "fine"}); err == nil {
		t.Error("RecordSession accepted status fine")
	}
	c := client(t, srv)
	type group struct {
		By     map[string]any        `json:"by"`
		Totals map[string]*float64   `json:"totals"`
		Series map[string][]*float64 `json:"series"`
	}
	var resp struct {
		Start, End string
		Intervals  []string
		Groups     []group
		Query      string
	}
	q := url.Values{
		"field":       {"sum(session)", "count_unique(user)", "crash_free_rate(session)", "crash_free_rate(user)"},
		"groupBy":     {"release"},
		"project":     {web.ID},
		"statsPeriod": {"24h"},
		"interval":    {"1h"},
		"orderBy":     {"-sum(session)"},
	}
	c.get("/api/0/organizations/acme/sessions/?"+q.Encode(), 200, &resp)
	if resp.Start != "2026-03-09T12:00:00Z" || resp.End != "2026-03-10T12:00:00Z" || len(resp.Intervals) != 24 {
		t.Errorf("range %s – %s, %d intervals", resp.Start, resp.End, len(resp.Intervals))
	}
	if len(resp.Groups) != 2 || resp.Groups[0].By["release"] != "web@1.0" {
		t.Fatalf("groups = %+v", resp.Groups)
	}
	g := resp.Groups[0]
	if *g.Totals["sum(session)"] != 10 || *g.Totals["count_unique(user)"] != 3 || *g.Totals["crash_free_rate(session)"] != 0.9 {
		t.Errorf("web@1.0 totals = sum %v users %v cfr %v", *g.Totals["sum(session)"], *g.Totals["count_unique(user)"], *g.Totals["crash_free_rate(session)"])
	}
	if got := *g.Totals["crash_free_rate(user)"]; got < 0.666 || got > 0.667 {
		t.Errorf("web@1.0 crash-free users = %v, want 2/3", got)
	}
	if s := g.Series["sum(session)"]; *s[21] != 4 || *s[22] != 6 {
		t.Errorf("series = %v %v", *s[21], *s[22])
	}
	if g := resp.Groups[1]; *g.Totals["crash_free_rate(session)"] != 0 {
		t.Errorf("web@1.1 crash-free = %v", *g.Totals["crash_free_rate(session)"])
	}

	// The gate's question: crash-free rate of one release in production.
	q = url.Values{"field": {"crash_free_rate(session)", "sum(session)"}, "query": {"release:web@1.1"}, "environment": {"production"}, "statsPeriod": {"24h"}}
	c.get("/api/0/organizations/acme/sessions/?"+q.Encode(), 200, &resp)
	if len(resp.Groups) != 1 || resp.Groups[0].Totals["crash_free_rate(session)"] != nil || *resp.Groups[0].Totals["sum(session)"] != 0 {
		t.Errorf("release without production sessions: %+v", resp.Groups)
	}
	if resp.Query != "release:web@1.1" {
		t.Errorf("query echoed as %q", resp.Query)
	}

	// Grouped by status: healthy excludes errored; errored excludes crashed and abnormal.
	q = url.Values{"field": {"sum(session)"}, "groupBy": {"session.status"}, "statsPeriod": {"1d"}, "includeSeries": {"0"}}
	c.get("/api/0/organizations/acme/sessions/?"+q.Encode(), 200, &resp)
	got := map[string]float64{}
	for _, g := range resp.Groups {
		got[g.By["session.status"].(string)] = *g.Totals["sum(session)"]
	}
	if want := map[string]float64{"healthy": 8, "errored": 1, "crashed": 3, "abnormal": 1}; !mapsEqual(got, want) {
		t.Errorf("by status = %v, want %v", got, want)
	}

	for _, tc := range []struct{ params, detail string }{
		{"statsPeriod=1d", `Request is missing a "field"`},
		{"field=sum(bananas)", `Invalid field: "sum(bananas)"`},
		{"field=crash_free_rate(session)&groupBy=session.status", "Cannot group field crash_free_rate(session) by session.status"},
		{"field=sum(session)&interval=7h", "The interval should divide one day without a remainder."},
		{"field=sum(session)&query=" + url.QueryEscape("user:x"), "Invalid search filter: user"},
	} {
		var e map[string]string
		c.get("/api/0/organizations/acme/sessions/?"+tc.params, 400, &e)
		if e["detail"] != tc.detail {
			t.Errorf("%s: %q, want %q", tc.params, e["detail"], tc.detail)
		}
	}

	// Release details carry health data computed from the same sessions (in percent).
	var rel map[string]any
	c.get("/api/0/organizations/acme/releases/web@1.0/?health=1", 200, &rel)
	hd := rel["projects"].([]any)[0].(map[string]any)["healthData"].(map[string]any)
	if hd["crashFreeSessions"] != 90.0 || hd["totalSessions"] != 10.0 || hd["sessionsCrashed"] != 1.0 || hd["hasHealthData"] != true {
		t.Errorf("healthData = %v", hd)
	}
}

func mapsEqual(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestEventsTimeseries(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0, Projects: []string{"web", "api"}})
	ev := seedShop(t, srv)
	c := client(t, srv)
	type series struct {
		YAxis  string `json:"yAxis"`
		Values []struct {
			Timestamp  int64   `json:"timestamp"`
			Value      float64 `json:"value"`
			Incomplete bool    `json:"incomplete"`
		} `json:"values"`
		GroupBy []struct{ Key, Value string } `json:"groupBy"`
		Meta    struct {
			Interval int64 `json:"interval"`
			IsOther  bool  `json:"isOther"`
		} `json:"meta"`
	}
	var resp struct {
		Meta struct {
			Dataset    string `json:"dataset"`
			Start, End int64
		} `json:"meta"`
		TimeSeries []series `json:"timeSeries"`
	}
	total := func(s series) (n float64) {
		for _, v := range s.Values {
			n += v.Value
		}
		return n
	}
	q := url.Values{"dataset": {"errors"}, "statsPeriod": {"6h"}, "interval": {"1h"}, "query": {"issue.id:" + ev["e1"].IssueID}}
	c.get("/api/0/organizations/acme/events-timeseries/?"+q.Encode(), 200, &resp)
	if len(resp.TimeSeries) != 1 || resp.Meta.Dataset != "errors" || resp.Meta.Start != t0.Add(-6*time.Hour).UnixMilli() {
		t.Fatalf("response = %+v", resp)
	}
	s := resp.TimeSeries[0]
	if s.YAxis != "count()" || len(s.Values) != 6 || total(s) != 3 || s.Meta.Interval != 3600_000 {
		t.Errorf("series: yAxis %s, %d values, total %v, interval %d", s.YAxis, len(s.Values), total(s), s.Meta.Interval)
	}
	if s.Values[1].Value != 1 || s.Values[5].Value != 1 || !s.Values[5].Incomplete || s.Values[4].Incomplete {
		t.Errorf("values = %+v", s.Values)
	}

	q = url.Values{"dataset": {"errors"}, "statsPeriod": {"24h"}, "yAxis": {"count_unique(user)"}, "query": {"release:web@1.1.0"}, "environment": {"production"}}
	c.get("/api/0/organizations/acme/events-timeseries/?"+q.Encode(), 200, &resp)
	if total(resp.TimeSeries[0]) != 2 {
		t.Errorf("users in web@1.1.0 = %v", total(resp.TimeSeries[0]))
	}

	q = url.Values{"dataset": {"errors"}, "statsPeriod": {"24h"}, "topEvents": {"1"}, "groupBy": {"release"}, "sort": {"-count()"}}
	c.get("/api/0/organizations/acme/events-timeseries/?"+q.Encode(), 200, &resp)
	if len(resp.TimeSeries) != 2 || resp.TimeSeries[0].GroupBy[0].Value != "web@1.0.0" || total(resp.TimeSeries[0]) != 3 || !resp.TimeSeries[1].Meta.IsOther || total(resp.TimeSeries[1]) != 3 {
		t.Errorf("top events = %+v", resp.TimeSeries)
	}

	for _, tc := range []struct{ params, detail string }{
		{"statsPeriod=1d", "dataset is required"},
		{"dataset=spans", "sentryapitest only keeps the errors dataset, not spans"},
		{"dataset=errors&topEvents=11&groupBy=release", "Can only get up to 10 top events"},
		{"dataset=errors&topEvents=2", "groupBy is a required parameter when doing topEvents"},
	} {
		var e map[string]string
		c.get("/api/0/organizations/acme/events-timeseries/?"+tc.params, 400, &e)
		if e["detail"] != tc.detail {
			t.Errorf("%s: %q, want %q", tc.params, e["detail"], tc.detail)
		}
	}
}

// The release gate's context coverage counts a release's error events with and without a key:
// has: takes tags and the user fields (has:user.id), in events-timeseries and the issue search.
func TestHasUserFields(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0})
	for i, u := range []*User{{ID: "42"}, {Email: "a@example.com"}, nil, {ID: "7", Email: "b@example.com"}} {
		tags := map[string]string{}
		if i%2 == 0 {
			tags["tenant_id"] = "t1"
		}
		mustIngest(t, srv, "web", Event{
			Release: "web@2", Environment: "production", Timestamp: t0.Add(-time.Duration(i+1) * time.Minute),
			User: u, Tags: tags, Exceptions: []Exception{{Type: "TypeError", Value: "x"}},
		})
	}
	c := client(t, srv)
	var resp struct {
		TimeSeries []struct {
			Values []struct {
				Value float64 `json:"value"`
			} `json:"values"`
		} `json:"timeSeries"`
	}
	for _, tc := range []struct {
		query string
		want  float64
	}{
		{"release:web@2", 4},
		{"release:web@2 has:user.id", 2},
		{"release:web@2 has:user.email", 2},
		{"release:web@2 has:tenant_id", 2},
		{"release:web@2 has:user", 3},
		{"release:web@2 !has:user.id", 2},
	} {
		q := url.Values{"dataset": {"errors"}, "statsPeriod": {"1h"}, "interval": {"60"}, "environment": {"production"}, "query": {tc.query}}
		c.get("/api/0/organizations/acme/events-timeseries/?"+q.Encode(), 200, &resp)
		var n float64
		for _, v := range resp.TimeSeries[0].Values {
			n += v.Value
		}
		if n != tc.want {
			t.Errorf("%s: %v events, want %v", tc.query, n, tc.want)
		}
	}
	var issues []struct {
		Filtered struct {
			Count string `json:"count"`
		} `json:"filtered"`
	}
	q := url.Values{"query": {"has:user.email"}, "statsPeriod": {"24h"}}
	c.get("/api/0/organizations/acme/issues/?"+q.Encode(), 200, &issues)
	if len(issues) != 1 || issues[0].Filtered.Count != "2" {
		t.Errorf("issues with has:user.email = %+v", issues)
	}
}
