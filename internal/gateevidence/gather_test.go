package gateevidence

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// t0 is "now" in every test: the fake's manual clock and Query.Now.
var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

type fixture struct {
	t   testing.TB
	srv *sentryapitest.Server
	c   *sentryapi.Client
}

func newFixture(t testing.TB, projects ...string) *fixture {
	t.Helper()
	if len(projects) == 0 {
		projects = []string{"web"}
	}
	srv := sentryapitest.Start(t, sentryapitest.Options{Now: t0, Projects: projects})
	c, err := sentryapi.New(sentryapi.Options{
		BaseURL: srv.URL(), Token: srv.Token(), HTTPClient: srv.Client(),
		// Retries happen at once: a test of Sentry being down must not sleep.
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, srv: srv, c: c}
}

// release creates a release of the projects at the given time.
func (f *fixture) release(version string, created time.Time, projects ...string) {
	f.t.Helper()
	if len(projects) == 0 {
		projects = []string{"web"}
	}
	f.srv.SetNow(created)
	defer f.srv.SetNow(t0)
	if _, _, err := f.c.CreateRelease(context.Background(), "acme", sentryapi.NewRelease{Version: version, Projects: projects}); err != nil {
		f.t.Fatal(err)
	}
}

// deploy records a deploy of a release, finished at the given time.
func (f *fixture) deploy(version, env string, at time.Time) {
	f.t.Helper()
	if _, err := f.c.CreateDeploy(context.Background(), "acme", version, sentryapi.NewDeploy{Environment: env, DateFinished: &at}); err != nil {
		f.t.Fatal(err)
	}
}

// events describes n events of one error type, spread evenly from `from` every `every`.
type events struct {
	project, release, env, typ string
	from                       time.Time
	n                          int
	every                      time.Duration
	users                      int // distinct users, cycled (0: none)
	tags                       map[string]string
	unhandled                  bool
}

func (f *fixture) ingest(e events) string {
	f.t.Helper()
	var id string
	for i := range e.n {
		ev := sentryapitest.Event{
			Release: e.release, Environment: cmpOr(e.env, "production"),
			Timestamp:  e.from.Add(time.Duration(i) * e.every),
			Exceptions: []sentryapitest.Exception{{Type: e.typ, Value: "boom", Frames: []sentryapitest.Frame{{Function: "handler", Filename: "app.go", Lineno: 10, InApp: true}}}},
			Tags:       e.tags,
		}
		if e.unhandled {
			no := false
			ev.Exceptions[0].Handled = &no
		}
		if e.users > 0 {
			ev.User = &sentryapitest.User{ID: fmt.Sprintf("u%d", i%e.users)}
		}
		res, err := f.srv.Ingest(cmpOr(e.project, "web"), ev)
		if err != nil {
			f.t.Fatal(err)
		}
		id = res.IssueID
	}
	return id
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// gather runs Gather against the fixture with a fresh request log, and checks that the
// evidence counts exactly the requests the server saw.
func (f *fixture) gather(q Query, p *gate.Environment) (gate.Evidence, error) {
	f.t.Helper()
	f.srv.ResetRequests()
	if q.Org == "" {
		q.Org = "acme"
	}
	if q.Environment == "" {
		q.Environment = "production"
	}
	if q.Now.IsZero() {
		q.Now = t0
	}
	g := &Gatherer{Client: f.c}
	ev, err := g.Gather(context.Background(), q, p)
	if err == nil {
		if got := len(f.srv.Requests()); ev.Requests != got {
			f.t.Errorf("Evidence.Requests = %d, the server saw %d requests", ev.Requests, got)
		}
	}
	return ev, err
}

// requests lists the paths (below the organization) the server saw, with their queries.
func (f *fixture) requests() []string {
	var out []string
	for _, r := range f.srv.Requests() {
		p := strings.TrimPrefix(r.Path, "/api/0/organizations/acme/")
		if q := r.Query.Get("query"); q != "" {
			p += " " + q
		}
		out = append(out, p)
	}
	return out
}

// hot is a policy under which an issue with more than 60 events an hour fails: a stray event
// cannot make an issue matter, while the hot issues of the tests have 180 an hour and more.
func hot() *gate.Environment {
	return &gate.Environment{NewIssues: &gate.NewIssuesPolicy{Thresholds: gate.Thresholds{EventsPerHour: 60}}}
}

func byTitle(issues []gate.Issue, typ string) *gate.Issue {
	for i := range issues {
		if strings.HasPrefix(issues[i].Title, typ) {
			return &issues[i]
		}
	}
	return nil
}

func TestStart(t *testing.T) {
	t.Parallel()
	created := t0.Add(-2 * time.Hour)
	for _, tc := range []struct {
		name     string
		deploys  map[string][]time.Time
		want     time.Time
		deployed bool
	}{
		{"no deploy: created", nil, created, false},
		{"deployed here", map[string][]time.Time{"production": {t0.Add(-90 * time.Minute)}}, t0.Add(-90 * time.Minute), true},
		{"first of several deploys here", map[string][]time.Time{"production": {t0.Add(-30 * time.Minute), t0.Add(-100 * time.Minute)}}, t0.Add(-100 * time.Minute), true},
		{"deployed elsewhere only: created", map[string][]time.Time{"staging": {t0.Add(-110 * time.Minute)}}, created, false},
		{"staging first, then here", map[string][]time.Time{"staging": {t0.Add(-110 * time.Minute)}, "production": {t0.Add(-20 * time.Minute)}}, t0.Add(-20 * time.Minute), true},
		{"a deploy in the future does not count", map[string][]time.Time{"production": {t0.Add(time.Hour)}}, created, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.release("v2", created)
			for env, times := range tc.deploys {
				for _, at := range times {
					f.deploy("v2", env, at)
				}
			}
			ev, err := f.gather(Query{Release: "v2"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !ev.Start.Equal(tc.want) || ev.Deployed != tc.deployed {
				t.Errorf("Start = %s (deployed %v), want %s (%v)", ev.Start, ev.Deployed, tc.want, tc.deployed)
			}
			if ev.Release != "v2" || ev.Environment != "production" || !strings.Contains(ev.ReleaseURL, "/organizations/acme/releases/v2/") {
				t.Errorf("evidence names %q in %q, url %q", ev.Release, ev.Environment, ev.ReleaseURL)
			}
		})
	}
}

func TestIntervalFromAge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		age  time.Duration
		want time.Duration
	}{{10 * time.Minute, time.Minute}, {time.Hour, time.Minute}, {3 * time.Hour, 5 * time.Minute}, {30 * time.Hour, time.Hour}} {
		f := newFixture(t)
		f.release("v2", t0.Add(-tc.age))
		ev, err := f.gather(Query{Release: "v2"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Interval != tc.want {
			t.Errorf("age %s: interval %s, want %s", tc.age, ev.Interval, tc.want)
		}
	}
}

func TestBaseline(t *testing.T) {
	t.Parallel()
	type dep struct {
		env string
		ago time.Duration
	}
	type rel struct {
		version string
		created time.Duration // before t0
		deploys []dep         // in the order made
	}
	for _, tc := range []struct {
		name      string
		releases  []rel // v2, the release judged, is deployed to production 30 minutes ago
		given     string
		want      string
		wantStart time.Time
		// extra is how many requests beyond the fixed ones finding it took.
		extra int
	}{
		{
			name:     "no other release",
			releases: nil,
			want:     "",
		},
		{
			name: "the previous release deployed here",
			releases: []rel{
				{"v0", 10 * time.Hour, []dep{{"production", 10 * time.Hour}}},
				{"v1", 5 * time.Hour, []dep{{"production", 5 * time.Hour}}},
			},
			want: "v1", wantStart: t0.Add(-5 * time.Hour),
		},
		{
			name: "a newer release only deployed to staging is not it",
			releases: []rel{
				{"v1", 5 * time.Hour, []dep{{"production", 5 * time.Hour}}},
				{"v1.5", 2 * time.Hour, []dep{{"staging", 2 * time.Hour}}},
			},
			want: "v1", wantStart: t0.Add(-5 * time.Hour), extra: 1, // v1.5's deploys are read
		},
		{
			name: "a rolled-back release redeployed last is it",
			releases: []rel{
				{"v0", 10 * time.Hour, []dep{{"production", 10 * time.Hour}, {"production", 3 * time.Hour}}},
				{"v1", 5 * time.Hour, []dep{{"production", 5 * time.Hour}}},
			},
			want: "v0", wantStart: t0.Add(-3 * time.Hour),
		},
		{
			name: "a release whose last deploy went elsewhere",
			releases: []rel{
				{"v1", 5 * time.Hour, []dep{{"production", 5 * time.Hour}, {"staging", 4 * time.Hour}}},
			},
			want: "v1", wantStart: t0.Add(-5 * time.Hour), extra: 1,
		},
		{
			name: "nothing ever deployed: the newest release created before",
			releases: []rel{
				{"v0", 10 * time.Hour, nil},
				{"v1", 5 * time.Hour, nil},
			},
			want: "v1", wantStart: t0.Add(-5 * time.Hour),
		},
		{
			name: "given",
			releases: []rel{
				{"v0", 10 * time.Hour, []dep{{"production", 10 * time.Hour}}},
				{"v1", 5 * time.Hour, []dep{{"production", 5 * time.Hour}}},
			},
			given: "v0", want: "v0", wantStart: t0.Add(-10 * time.Hour),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			for _, r := range tc.releases {
				f.release(r.version, t0.Add(-r.created))
				for _, d := range r.deploys {
					f.deploy(r.version, d.env, t0.Add(-d.ago))
				}
				// Every release has errors in production, so the list filtered by
				// environment shows it.
				f.ingest(events{release: r.version, typ: "Base" + r.version, from: t0.Add(-r.created + time.Minute), n: 1})
			}
			f.release("v2", t0.Add(-40*time.Minute))
			f.deploy("v2", "production", t0.Add(-30*time.Minute))
			ev, err := f.gather(Query{Release: "v2", Baseline: tc.given}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if ev.Baseline != tc.want {
				t.Fatalf("baseline %q, want %q (requests %q)", ev.Baseline, tc.want, f.requests())
			}
			// Fixed: release, deploys, issue search; finding: one list of releases, plus
			// the baseline's series when there is one. A given baseline costs its
			// details and deploys instead of the list.
			want := 3 + 1 + tc.extra
			if tc.given != "" {
				want = 3 + 2
			}
			if tc.want != "" {
				want++
			}
			if ev.Requests != want {
				t.Errorf("%d requests, want %d: %q", ev.Requests, want, f.requests())
			}
			if tc.want == "" {
				if ev.BaselineSeries != nil {
					t.Errorf("baseline series without a baseline: %v", ev.BaselineSeries)
				}
				return
			}
			// The baseline's series covers as long as v2 has run (30 minutes, 1-minute
			// buckets) from its own start.
			if n := len(ev.BaselineSeries); n < 30 || n > 31 {
				t.Errorf("%d baseline buckets", n)
			}
			if first := ev.BaselineSeries[0].Start; first.After(tc.wantStart) || first.Before(tc.wantStart.Add(-time.Minute)) {
				t.Errorf("baseline series starts at %s, want about %s", first, tc.wantStart)
			}
		})
	}
}

func TestBaselineSeriesCountsTheBaselineEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.release("v1", t0.Add(-5*time.Hour))
	f.deploy("v1", "production", t0.Add(-5*time.Hour))
	// In v1's first 30 minutes: 6 errors of two kinds; later ones fall outside.
	f.ingest(events{release: "v1", typ: "A", from: t0.Add(-5*time.Hour + 2*time.Minute), n: 4, every: 5 * time.Minute})
	f.ingest(events{release: "v1", typ: "B", from: t0.Add(-5*time.Hour + 10*time.Minute), n: 2, every: time.Minute})
	f.ingest(events{release: "v1", typ: "A", from: t0.Add(-4 * time.Hour), n: 5, every: time.Minute})
	f.ingest(events{release: "v1", typ: "A", env: "staging", from: t0.Add(-5*time.Hour + 3*time.Minute), n: 5, every: time.Minute})
	f.release("v2", t0.Add(-40*time.Minute))
	f.deploy("v2", "production", t0.Add(-30*time.Minute))
	ev, err := f.gather(Query{Release: "v2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, b := range ev.BaselineSeries {
		n += b.Count
	}
	if ev.Baseline != "v1" || n != 6 {
		t.Errorf("baseline %q with %d events in its first 30 minutes, want v1 with 6", ev.Baseline, n)
	}
}

func TestNewIssues(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "web", "api", "worker")
	f.release("v1", t0.Add(-5*time.Hour), "web", "api", "worker")
	f.deploy("v1", "production", t0.Add(-5*time.Hour))
	f.release("v2", t0.Add(-40*time.Minute), "web", "api", "worker")
	f.deploy("v2", "production", t0.Add(-30*time.Minute))
	start := t0.Add(-30 * time.Minute)

	// Old issue, seen again in v2: not new.
	f.ingest(events{release: "v1", typ: "Old", from: t0.Add(-4 * time.Hour), n: 3, every: time.Minute})
	f.ingest(events{release: "v2", typ: "Old", from: start.Add(time.Minute), n: 3, every: time.Minute})
	// New in v2, in production: 5 events by 2 users since the deploy.
	f.ingest(events{release: "v2", typ: "TypeError", from: start.Add(time.Minute), n: 5, every: time.Minute, users: 2})
	// New in v2 but only in staging: not in production's evidence.
	f.ingest(events{release: "v2", typ: "StagingOnly", env: "staging", from: start.Add(time.Minute), n: 4, every: time.Minute})
	// New in v2 in another project of the release, and in a project not asked about.
	f.ingest(events{project: "api", release: "v2", typ: "APIError", from: start.Add(2 * time.Minute), n: 2, every: time.Minute})
	f.ingest(events{project: "worker", release: "v2", typ: "WorkerError", from: start.Add(2 * time.Minute), n: 2, every: time.Minute})
	// New in v2, then resolved: reported all the same, with its status.
	resolved := f.ingest(events{release: "v2", typ: "Resolved", from: start.Add(3 * time.Minute), n: 1})
	if _, err := f.c.UpdateIssue(context.Background(), "acme", resolved, sentryapi.IssueUpdate{Status: sentryapi.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	// New in v2, with later events in v3 that must not count.
	f.ingest(events{release: "v2", typ: "Carried", from: start.Add(4 * time.Minute), n: 2, every: time.Minute})
	f.release("v3", t0.Add(-10*time.Minute), "web")
	f.ingest(events{release: "v3", typ: "Carried", env: "production", from: t0.Add(-5 * time.Minute), n: 7, every: time.Second})

	ev, err := f.gather(Query{Release: "v2", Projects: []string{"web", "api"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, is := range ev.NewIssues {
		titles = append(titles, strings.SplitN(is.Title, ":", 2)[0])
	}
	slices.Sort(titles)
	if want := []string{"APIError", "Carried", "Resolved", "TypeError"}; !slices.Equal(titles, want) {
		t.Fatalf("new issues %q, want %q", titles, want)
	}
	for _, tc := range []struct {
		typ            string
		events, users  int64
		status, projID string
	}{
		{"TypeError", 5, 2, "unresolved", "web"},
		{"APIError", 2, 0, "unresolved", "api"},
		{"Resolved", 1, 0, "resolved", "web"},
		{"Carried", 2, 0, "unresolved", "web"},
	} {
		is := byTitle(ev.NewIssues, tc.typ)
		if is.Events != tc.events || is.Users != tc.users || is.Status != tc.status || is.Project != tc.projID {
			t.Errorf("%s: %d events, %d users, %s, project %s; want %d, %d, %s, %s", tc.typ, is.Events, is.Users, is.Status, is.Project, tc.events, tc.users, tc.status, tc.projID)
		}
		if is.ID == "" || is.ShortID == "" || is.Permalink == "" || is.FirstSeen.IsZero() || is.Level != "error" || is.Tags["level"] != "error" {
			t.Errorf("%s: incomplete issue %+v", tc.typ, is)
		}
	}
	// The search asked for every status, in the two projects' IDs, since the deploy.
	var search sentryapitest.Request
	for _, r := range f.srv.Requests() {
		if strings.HasSuffix(r.Path, "/issues/") {
			search = r
		}
	}
	web, _ := f.srv.Project("web")
	api, _ := f.srv.Project("api")
	if q := search.Query; q.Get("query") != "firstRelease:v2 release:v2" || !slices.Equal(q["project"], []string{web.ID, api.ID}) ||
		q.Get("environment") != "production" || q.Get("start") != "2026-03-10T11:30:00Z" {
		t.Errorf("issue search %v", search.Query)
	}
}

func TestNewIssuesFollowsPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.release("v2", t0.Add(-40*time.Minute))
	f.deploy("v2", "production", t0.Add(-30*time.Minute))
	for i := range 230 {
		f.ingest(events{release: "v2", typ: fmt.Sprintf("E%03d", i), from: t0.Add(-20 * time.Minute), n: 1})
	}
	ev, err := f.gather(Query{Release: "v2"}, hot())
	if err != nil {
		t.Fatal(err)
	}
	// Release, deploys, baseline list and three pages of 100: harmless issues cost nothing more.
	if len(ev.NewIssues) != 230 || ev.Requests != 6 {
		t.Errorf("%d issues in %d requests: %q", len(ev.NewIssues), ev.Requests, f.requests())
	}
}

func TestRegressions(t *testing.T) { //nolint:tparallel // the cases share one fixture and read its request log: one at a time
	t.Parallel()
	f := newFixture(t)
	f.release("v1", t0.Add(-5*time.Hour))
	f.deploy("v1", "production", t0.Add(-5*time.Hour))
	f.release("v2", t0.Add(-40*time.Minute))
	f.deploy("v2", "production", t0.Add(-30*time.Minute))
	ctx := context.Background()
	// Resolved in v1's time, seen again in v2: a regression.
	back := f.ingest(events{release: "v1", typ: "Back", from: t0.Add(-4 * time.Hour), n: 2, every: time.Minute})
	if _, err := f.c.UpdateIssue(ctx, "acme", back, sentryapi.IssueUpdate{Status: sentryapi.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	f.ingest(events{release: "v2", typ: "Back", from: t0.Add(-20 * time.Minute), n: 4, every: time.Minute})
	// Never resolved, seen in v2: not a regression.
	f.ingest(events{release: "v1", typ: "Ongoing", from: t0.Add(-4 * time.Hour), n: 1})
	f.ingest(events{release: "v2", typ: "Ongoing", from: t0.Add(-20 * time.Minute), n: 3, every: time.Minute})
	// Resolved and regressed, but only in staging.
	stg := f.ingest(events{release: "v1", typ: "Staging", env: "staging", from: t0.Add(-4 * time.Hour), n: 1})
	if _, err := f.c.UpdateIssue(ctx, "acme", stg, sentryapi.IssueUpdate{Status: sentryapi.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	f.ingest(events{release: "v2", typ: "Staging", env: "staging", from: t0.Add(-20 * time.Minute), n: 1})
	// New in v2: a new issue, not a regression.
	f.ingest(events{release: "v2", typ: "Fresh", from: t0.Add(-20 * time.Minute), n: 1})

	for _, tc := range []struct {
		name   string
		policy *gate.Environment
		want   []string
	}{
		{"policy without regressions: not asked", &gate.Environment{}, nil},
		{"policy with regressions", &gate.Environment{Regressions: &gate.RegressionsPolicy{}}, []string{"Back"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := f.gather(Query{Release: "v2"}, tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, is := range ev.Regressions {
				got = append(got, strings.SplitN(is.Title, ":", 2)[0])
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("regressions %q, want %q", got, tc.want)
			}
			if len(tc.want) > 0 {
				if is := ev.Regressions[0]; is.Events != 4 || is.Status != "unresolved" || !is.FirstSeen.Equal(t0.Add(-4*time.Hour)) {
					t.Errorf("regression counted %d events in v2, status %s, first seen %s", is.Events, is.Status, is.FirstSeen)
				}
			}
			asked := slices.ContainsFunc(f.requests(), func(s string) bool { return strings.Contains(s, "is:regressed release:v2") })
			if asked != (tc.want != nil) {
				t.Errorf("regression search made: %v; requests %q", asked, f.requests())
			}
		})
	}
}

func TestSeriesOnlyForIssuesThatMayMatter(t *testing.T) { //nolint:tparallel // the second case runs on the fixture the first left, with more issues added; both read its request log
	t.Parallel()
	f := newFixture(t)
	f.release("v2", t0.Add(-40*time.Minute))
	f.deploy("v2", "production", t0.Add(-30*time.Minute))
	// 40 issues with one event each, and two hot ones: 60 and 90 events in 20 minutes.
	for i := range 40 {
		f.ingest(events{release: "v2", typ: fmt.Sprintf("Stray%02d", i), from: t0.Add(-25 * time.Minute), n: 1})
	}
	f.ingest(events{release: "v2", typ: "HotA", from: t0.Add(-20 * time.Minute), n: 60, every: 20 * time.Second})
	f.ingest(events{release: "v2", typ: "HotB", from: t0.Add(-20 * time.Minute), n: 90, every: 13 * time.Second})

	for _, tc := range []struct {
		name   string
		stray  int // how many more strays
		policy *gate.Environment
	}{
		{"42 issues", 0, hot()},
		{"more harmless issues cost no more requests", 0, hot()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := f.gather(Query{Release: "v2"}, tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			var withSeries []string
			for _, is := range ev.NewIssues {
				if is.Series != nil {
					withSeries = append(withSeries, strings.SplitN(is.Title, ":", 2)[0])
					if is.Interval != time.Minute {
						t.Errorf("%s: interval %s", is.Title, is.Interval)
					}
				}
			}
			slices.Sort(withSeries)
			if !slices.Equal(withSeries, []string{"HotA", "HotB"}) {
				t.Errorf("series fetched for %q", withSeries)
			}
			// Release, deploys, baseline list, one page of issues, two series.
			if ev.Requests != 6 {
				t.Errorf("%d requests: %q", ev.Requests, f.requests())
			}
			hotB := byTitle(ev.NewIssues, "HotB")
			var n int64
			for _, b := range hotB.Series {
				n += b.Count
			}
			if n != 90 || hotB.Events != 90 || len(hotB.Series) < 30 || len(hotB.Series) > 31 {
				t.Errorf("HotB: %d events in %d buckets, %d in total", n, len(hotB.Series), hotB.Events)
			}
		})
		// The second run has 40 more harmless issues.
		for i := range 40 {
			f.ingest(events{release: "v2", typ: fmt.Sprintf("More%02d", i), from: t0.Add(-25 * time.Minute), n: 1})
		}
	}
}

func TestIgnoreRuleTagsOnlyForIssuesThatMayMatter(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.release("v2", t0.Add(-40*time.Minute))
	f.deploy("v2", "production", t0.Add(-30*time.Minute))
	f.ingest(events{release: "v2", typ: "Hot", from: t0.Add(-20 * time.Minute), n: 60, every: 20 * time.Second, tags: map[string]string{"browser": "Opera 99"}})
	f.ingest(events{release: "v2", typ: "Cold", from: t0.Add(-20 * time.Minute), n: 1, tags: map[string]string{"browser": "Opera 99"}})
	p := hot()
	p.NewIssues.Ignore = []gate.IgnoreRule{{Tag: "browser:Opera*"}, {Level: "warning"}}
	ev, err := f.gather(Query{Release: "v2"}, p)
	if err != nil {
		t.Fatal(err)
	}
	if is := byTitle(ev.NewIssues, "Hot"); is.Tags["browser"] != "Opera 99" {
		t.Errorf("Hot tags %v", is.Tags)
	}
	if is := byTitle(ev.NewIssues, "Cold"); is.Tags["browser"] != "" {
		t.Errorf("Cold tags %v: fetched for a harmless issue", is.Tags)
	}
	// Release, deploys, baseline list, issues, Hot's series and its browser tag.
	if ev.Requests != 6 {
		t.Errorf("%d requests: %q", ev.Requests, f.requests())
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	withHealth := &gate.Environment{Health: &gate.HealthPolicy{CrashFreeSessions: &gate.RateRule{Floor: 99}}}
	type sess struct {
		release, env, user, status string
		at                         time.Duration // before t0
		count                      int
	}
	for _, tc := range []struct {
		name     string
		policy   *gate.Environment
		sessions []sess
		want     *gate.Health
		sessReqs int
	}{
		{name: "no sessions at all", policy: withHealth, want: nil, sessReqs: 0},
		{name: "policy without health: not asked", policy: hot(), sessions: []sess{{"v2", "production", "u1", "healthy", 10 * time.Minute, 5}}, want: nil, sessReqs: 0},
		{
			name: "release and baseline", policy: withHealth,
			sessions: []sess{
				{"v2", "production", "u1", "healthy", 20 * time.Minute, 8},
				{"v2", "production", "u2", "crashed", 10 * time.Minute, 2},
				{"v2", "staging", "u9", "crashed", 10 * time.Minute, 50}, // another environment
				{"v1", "production", "u3", "healthy", 4 * time.Hour, 95},
				{"v1", "production", "u4", "errored", 4 * time.Hour, 4},
				{"v1", "production", "u5", "crashed", 3 * time.Hour, 1},
			},
			want: &gate.Health{
				Release:  gate.SessionStats{Sessions: 10, CrashedSessions: 2, Users: 2, CrashedUsers: 1},
				Baseline: &gate.SessionStats{Sessions: 100, CrashedSessions: 1, Users: 3, CrashedUsers: 1},
			},
			sessReqs: 2,
		},
		{
			name: "only the baseline has sessions yet", policy: withHealth,
			sessions: []sess{{"v1", "production", "u3", "healthy", 4 * time.Hour, 7}},
			want:     &gate.Health{Release: gate.SessionStats{}, Baseline: &gate.SessionStats{Sessions: 7, Users: 1}},
			sessReqs: 2,
		},
		{
			name: "sessions only in another environment", policy: withHealth,
			sessions: []sess{{"v2", "staging", "u1", "healthy", 10 * time.Minute, 3}},
			want:     nil, sessReqs: 2,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.release("v1", t0.Add(-5*time.Hour))
			f.deploy("v1", "production", t0.Add(-5*time.Hour))
			f.ingest(events{release: "v1", typ: "Old", from: t0.Add(-4 * time.Hour), n: 1})
			f.release("v2", t0.Add(-40*time.Minute))
			f.deploy("v2", "production", t0.Add(-30*time.Minute))
			for _, s := range tc.sessions {
				if err := f.srv.RecordSession("web", sentryapitest.Session{Release: s.release, Environment: s.env, DistinctID: s.user, Status: s.status, Started: t0.Add(-s.at), Count: s.count}); err != nil {
					t.Fatal(err)
				}
			}
			ev, err := f.gather(Query{Release: "v2"}, tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			if (ev.Health == nil) != (tc.want == nil) {
				t.Fatalf("health %+v, want %+v", ev.Health, tc.want)
			}
			if tc.want != nil {
				if ev.Health.Release != tc.want.Release {
					t.Errorf("release health %+v, want %+v", ev.Health.Release, tc.want.Release)
				}
				if (ev.Health.Baseline == nil) != (tc.want.Baseline == nil) || (ev.Health.Baseline != nil && *ev.Health.Baseline != *tc.want.Baseline) {
					t.Errorf("baseline health %+v, want %+v", ev.Health.Baseline, tc.want.Baseline)
				}
			}
			n := 0
			for _, r := range f.requests() {
				if strings.HasPrefix(r, "sessions/") {
					n++
				}
			}
			if n != tc.sessReqs {
				t.Errorf("%d sessions requests, want %d", n, tc.sessReqs)
			}
		})
	}
}

func TestContextCoverage(t *testing.T) { //nolint:tparallel // the cases share one fixture and compare its request count: one at a time
	t.Parallel()
	f := newFixture(t)
	f.release("v2", t0.Add(-40*time.Minute))
	f.deploy("v2", "production", t0.Add(-30*time.Minute))
	f.ingest(events{release: "v2", typ: "A", from: t0.Add(-20 * time.Minute), n: 6, every: time.Minute, users: 3, tags: map[string]string{"tenant_id": "t1", "request_id": "r"}})
	f.ingest(events{release: "v2", typ: "B", from: t0.Add(-20 * time.Minute), n: 4, every: time.Minute, tags: map[string]string{"tenant_id": "t2"}})
	// Before the deploy, and in staging: not counted.
	f.ingest(events{release: "v2", typ: "A", from: t0.Add(-35 * time.Minute), n: 3, every: time.Second})
	f.ingest(events{release: "v2", typ: "A", env: "staging", from: t0.Add(-20 * time.Minute), n: 3, every: time.Second})

	for _, tc := range []struct {
		name   string
		policy *gate.Environment
		want   *gate.ContextCoverage
	}{
		{"no keys required", &gate.Environment{}, nil},
		{"empty list", &gate.Environment{Context: &gate.ContextPolicy{}}, nil},
		{
			"three keys", &gate.Environment{Context: &gate.ContextPolicy{Required: []string{"request_id", "tenant_id", "user.id", "tenant_id"}}},
			&gate.ContextCoverage{Events: 10, With: map[string]int64{"request_id": 6, "tenant_id": 10, "user.id": 6}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := f.gather(Query{Release: "v2"}, tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == nil {
				if ev.Context != nil {
					t.Errorf("context %+v without required keys", ev.Context)
				}
				return
			}
			if ev.Context == nil || ev.Context.Events != tc.want.Events || fmt.Sprint(ev.Context.With) != fmt.Sprint(tc.want.With) {
				t.Errorf("context %+v, want %+v", ev.Context, tc.want)
			}
			n := 0
			for _, r := range f.requests() {
				if strings.HasPrefix(r, "events-timeseries/") {
					n++
				}
			}
			if n != 4 { // the total and one per distinct key
				t.Errorf("%d timeseries requests: %q", n, f.requests())
			}
		})
	}
}

func TestUnknownRelease(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "web", "api")
	f.release("v2", t0.Add(-time.Hour), "web")
	for _, tc := range []struct {
		name    string
		q       Query
		mention []string
	}{
		{"release", Query{Release: "v9"}, []string{`"v9"`, `"acme"`}},
		{"baseline", Query{Release: "v2", Baseline: "v0"}, []string{`baseline release "v0"`, `"acme"`}},
		{"release of other projects", Query{Release: "v2", Projects: []string{"api"}}, []string{`"v2"`, "api", "its projects: web"}},
		{"organization", Query{Org: "nope", Release: "v2"}, []string{`"v2"`, `"nope"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := f.gather(tc.q, hot())
			if !errors.Is(err, ErrUnknownRelease) {
				t.Fatalf("err = %v (evidence %+v), want ErrUnknownRelease", err, ev)
			}
			for _, m := range tc.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %s", err, m)
				}
			}
		})
	}
}

func TestSentryDown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		fault sentryapitest.Fault
		want  string
	}{
		{"everything", sentryapitest.Fault{Status: http.StatusServiceUnavailable}, `fetching release "v2"`},
		{"issue search", sentryapitest.Fault{Path: "/api/0/organizations/acme/issues/", Status: http.StatusServiceUnavailable}, `listing the issues first seen in release "v2" in production`},
		{"series", sentryapitest.Fault{Path: "/api/0/organizations/acme/events-timeseries/", Status: http.StatusBadGateway}, "fetching the events per 1m0s of issue WEB-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.release("v2", t0.Add(-40*time.Minute))
			f.deploy("v2", "production", t0.Add(-30*time.Minute))
			f.ingest(events{release: "v2", typ: "Hot", from: t0.Add(-20 * time.Minute), n: 60, every: 20 * time.Second})
			f.srv.InjectFault(tc.fault)
			_, err := f.gather(Query{Release: "v2"}, hot())
			var apiErr *sentryapi.APIError
			if err == nil || !errors.As(err, &apiErr) || apiErr.Status != tc.fault.Status {
				t.Fatalf("err = %v, want the %d wrapped", err, tc.fault.Status)
			}
			if errors.Is(err, ErrUnknownRelease) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestEnrich(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.release("v2", t0.Add(-40*time.Minute))
	f.deploy("v2", "production", t0.Add(-30*time.Minute))
	hotID := f.ingest(events{release: "v2", typ: "Hot", from: t0.Add(-20 * time.Minute), n: 30, every: 20 * time.Second, users: 3, tags: map[string]string{"tenant_id": "acme-corp"}})
	f.ingest(events{release: "v2", typ: "Hot", from: t0.Add(-5 * time.Minute), n: 10, every: time.Second, tags: map[string]string{"tenant_id": "globex"}})
	noTagsID := f.ingest(events{release: "v2", typ: "Bare", from: t0.Add(-20 * time.Minute), n: 20, every: 30 * time.Second})
	g := &Gatherer{Client: f.c, Concurrency: 2, Owners: func(_ context.Context, is gate.Issue) ([]string, error) {
		return []string{"#team-" + is.Project}, nil
	}}
	q := Query{Org: "acme", Release: "v2", Environment: "production", Now: t0}
	ev, err := g.Gather(context.Background(), q, hot())
	if err != nil {
		t.Fatal(err)
	}
	before := ev.Requests
	f.srv.ResetRequests()
	if err := g.Enrich(context.Background(), &ev, []string{hotID}); err != nil {
		t.Fatal(err)
	}
	hotIs := byTitle(ev.NewIssues, "Hot")
	if fmt.Sprint(hotIs.TopValues["tenant_id"]) != "[{acme-corp 30} {globex 10}]" || len(hotIs.TopValues["user"]) != 3 || !slices.Equal(hotIs.Owners, []string{"#team-web"}) {
		t.Errorf("Hot enriched with %v, owners %v", hotIs.TopValues, hotIs.Owners)
	}
	if bare := byTitle(ev.NewIssues, "Bare"); bare.TopValues != nil || bare.Owners != nil {
		t.Errorf("an issue not asked for was enriched: %+v", bare)
	}
	if ev.Requests != before+2 || len(f.srv.Requests()) != 2 {
		t.Errorf("Enrich took %d requests (server saw %d), want 2", ev.Requests-before, len(f.srv.Requests()))
	}
	// Tags no event carries are no error.
	if err := g.Enrich(context.Background(), &ev, []string{noTagsID}); err != nil {
		t.Fatal(err)
	}
	if bare := byTitle(ev.NewIssues, "Bare"); len(bare.TopValues) != 0 || !slices.Equal(bare.Owners, []string{"#team-web"}) {
		t.Errorf("Bare enriched with %v, owners %v", bare.TopValues, bare.Owners)
	}
	// Evidence from elsewhere is refused.
	other := gate.Evidence{Release: "v7", Environment: "production"}
	if err := g.Enrich(context.Background(), &other, []string{hotID}); err == nil {
		t.Error("Enrich accepted evidence it did not gather")
	}
	// A failure names what was fetched.
	f.srv.InjectFault(sentryapitest.Fault{Status: http.StatusInternalServerError})
	if err := g.Enrich(context.Background(), &ev, []string{hotID}); err == nil || !strings.Contains(err.Error(), "values of issue WEB-") {
		t.Errorf("Enrich with Sentry down: %v", err)
	}
}

func TestReleaseNameNeedingQuotes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const version = "web@2.0 beta:1"
	f.release(version, t0.Add(-40*time.Minute))
	f.deploy(version, "production", t0.Add(-30*time.Minute))
	f.ingest(events{release: version, typ: "Hot", from: t0.Add(-20 * time.Minute), n: 60, every: 20 * time.Second})
	ev, err := f.gather(Query{Release: version}, hot())
	if err != nil {
		t.Fatal(err)
	}
	if len(ev.NewIssues) != 1 || ev.NewIssues[0].Events != 60 || len(ev.NewIssues[0].Series) == 0 {
		t.Errorf("new issues %+v", ev.NewIssues)
	}
	if !slices.Contains(f.requests(), `issues/ firstRelease:"web@2.0 beta:1" release:"web@2.0 beta:1"`) {
		t.Errorf("requests %q", f.requests())
	}
}
