package sentryapi

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// callCase is one API call: the request the client must send (checked against the OpenAPI
// description by the fake, and against want* here) and the answer it must decode.
type callCase struct {
	name   string
	method string
	path   string // below the prefix, escaped
	// Answer: the OpenAPI example of operation (at status), or body.
	operation string
	status    int
	body      string
	// wantQuery, when set, must equal the request's query; wantBody (JSON) its body.
	wantQuery url.Values
	wantBody  string
	call      func(ctx context.Context, c *Client) (any, error)
	check     func(t *testing.T, got any)
}

var (
	t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	t1 = time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
)

func ptr[T any](v T) *T { return &v }

func callCases() []callCase {
	return []callCase{
		// Releases.
		{
			name: "create release", method: "POST", path: "/api/0/organizations/acme/releases/",
			operation: "createOrganizationRelease", status: 201,
			wantBody: `{"version":"frontend@1.0.0","projects":["web","api"],"ref":"6ba09a7c","refs":[{"repository":"acme/web","commit":"6ba09a7c","previousCommit":"1f2e3d4c"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				rel, created, err := c.CreateRelease(ctx, "acme", NewRelease{
					Version: "frontend@1.0.0", Projects: []string{"web", "api"}, Ref: "6ba09a7c",
					Refs: []Ref{{Repository: "acme/web", Commit: "6ba09a7c", PreviousCommit: "1f2e3d4c"}},
				})
				if err == nil && !created {
					return nil, errors.New("created = false for a 201")
				}
				return rel, err
			},
			check: func(t *testing.T, got any) {
				rel := got.(*Release)
				if rel.ID != "1" || rel.Version != "frontend@1.0.0" || rel.Status != "open" || rel.DateReleased != nil ||
					len(rel.Projects) != 1 || rel.Projects[0].Slug != "sentry" || rel.DateCreated == nil {
					t.Errorf("release = %+v", rel)
				}
			},
		},
		{
			name: "create release that exists (208)", method: "POST", path: "/api/0/organizations/acme/releases/",
			status: 208, body: `{"id": 7, "version": "1.0", "shortVersion": "1.0", "status": "open", "dateReleased": "2026-03-01T12:00:00Z"}`,
			wantBody: `{"version":"1.0","projects":["web"]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				rel, created, err := c.CreateRelease(ctx, "acme", NewRelease{Version: "1.0", Projects: []string{"web"}})
				if err == nil && created {
					return nil, errors.New("created = true for a 208")
				}
				return rel, err
			},
			check: func(t *testing.T, got any) {
				if rel := got.(*Release); rel.ID != "7" || rel.DateReleased == nil || !rel.DateReleased.Equal(t0) {
					t.Errorf("release = %+v", rel)
				}
			},
		},
		{
			name: "get release with health", method: "GET", path: "/api/0/organizations/acme/releases/control@abc123/",
			operation: "getOrganizationRelease", status: 200,
			wantQuery: url.Values{"project": {"42"}, "health": {"1"}, "healthStatsPeriod": {"24h"}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetRelease(ctx, "acme", "control@abc123", ReleaseOptions{Project: "42", Health: true, HealthStatsPeriod: "24h"})
			},
			check: func(t *testing.T, got any) {
				rel := got.(*Release)
				if rel.Version != "control@abc123" || rel.CommitCount != 2 || len(rel.Projects) == 0 || rel.Projects[0].HealthData == nil {
					t.Errorf("release = %+v", rel)
				}
			},
		},
		{
			// "+", spaces and "@" are legal in versions: each must reach Sentry intact.
			name: "finalize release with a version needing escapes", method: "PUT",
			path:      "/api/0/organizations/acme/releases/app@1.0%2Bbuild%207/",
			operation: "updateOrganizationRelease", status: 200,
			wantBody: `{"dateReleased":"2026-03-01T12:00:00Z"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.FinalizeRelease(ctx, "acme", "app@1.0+build 7", t0.In(time.FixedZone("CET", 3600)))
			},
			check: func(t *testing.T, got any) {
				if rel := got.(*Release); rel.Version != "control@abc123" {
					t.Errorf("release = %+v", rel)
				}
			},
		},
		{
			name: "set release commits", method: "PUT", path: "/api/0/organizations/acme/releases/1.0/",
			operation: "updateOrganizationRelease", status: 200,
			wantBody: `{"commits":[{"id":"a1b2c3","repository":"acme/web","message":"fix: null check","author_name":"Ada","author_email":"ada@example.com","timestamp":"2026-03-01T12:00:00Z","patch_set":[{"path":"src/a.js","type":"M"}]}],"refs":[{"repository":"acme/web","commit":"a1b2c3"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SetReleaseCommits(ctx, "acme", "1.0",
					[]Ref{{Repository: "acme/web", Commit: "a1b2c3"}},
					[]Commit{{ID: "a1b2c3", Repository: "acme/web", Message: "fix: null check", AuthorName: "Ada", AuthorEmail: "ada@example.com", Timestamp: &t0, PatchSet: []PatchEntry{{Path: "src/a.js", Type: "M"}}}})
			},
		},
		{
			name: "list releases", method: "GET", path: "/api/0/organizations/acme/releases/",
			operation: "listOrganizationReleases", status: 200,
			wantQuery: url.Values{"project": {"1", "2"}, "environment": {"production"}, "query": {"frontend"}, "per_page": {"50"}},
			call: func(ctx context.Context, c *Client) (any, error) {
				var all []Release
				err := c.ListReleases(ctx, "acme", ReleaseQuery{Projects: []string{"1", "2"}, Environments: []string{"production"}, Query: "frontend", PerPage: 50},
					func(p []Release) error { all = append(all, p...); return nil })
				return all, err
			},
			check: func(t *testing.T, got any) {
				if rels := got.([]Release); len(rels) != 1 || rels[0].Version != "frontend@1.0.0" {
					t.Errorf("releases = %+v", rels)
				}
			},
		},
		{
			name: "list project releases", method: "GET", path: "/api/0/projects/acme/web/releases/",
			operation: "listProjectReleases", status: 200,
			wantQuery: url.Values{"per_page": {"1"}},
			call: func(ctx context.Context, c *Client) (any, error) {
				var all []Release
				err := c.ListProjectReleases(ctx, "acme", "web", 1, func(p []Release) error { all = append(all, p...); return ErrStop })
				return all, err
			},
			check: func(t *testing.T, got any) {
				if rels := got.([]Release); len(rels) == 0 || rels[0].Version == "" {
					t.Errorf("releases = %+v", rels)
				}
			},
		},
		{
			// Sentry's IndexEndpoint (src/sentry/api/endpoints/index.py); not in the description.
			name: "describe the token", method: "GET", path: "/api/0/",
			status: 200, body: `{"version": "0", "auth": {"scopes": ["org:ci"]}, "user": null}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.TokenAuth(ctx) },
			check: func(t *testing.T, got any) {
				if a := got.(*Auth); !a.Known || len(a.Scopes) != 1 || a.Scopes[0] != "org:ci" {
					t.Errorf("auth = %+v", a)
				}
			},
		},
		{
			name: "describe the token, on a server that does not say", method: "GET", path: "/api/0/",
			status: 200, body: `{"version": "0", "auth": null, "user": null}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.TokenAuth(ctx) },
			check: func(t *testing.T, got any) {
				if a := got.(*Auth); a.Known || a.Scopes != nil {
					t.Errorf("auth = %+v, want unknown scopes", a)
				}
			},
		},
		{
			name: "list release commits", method: "GET", path: "/api/0/organizations/acme/releases/frontend@1.0.0/commits/",
			operation: "listOrganizationReleaseCommits", status: 200,
			call: func(ctx context.Context, c *Client) (any, error) {
				var all []ReleaseCommit
				err := c.ListReleaseCommits(ctx, "acme", "frontend@1.0.0", func(p []ReleaseCommit) error { all = append(all, p...); return nil })
				return all, err
			},
			check: func(t *testing.T, got any) {
				cs := got.([]ReleaseCommit)
				if len(cs) != 1 || cs[0].ID != "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4e5f6a1b2" || cs[0].Message != "fix: handle empty release version" {
					t.Errorf("commits = %+v", cs)
				}
			},
		},
		{
			name: "create deploy", method: "POST", path: "/api/0/organizations/acme/releases/1.0/deploys/",
			status: 201, body: `{"id":"9","environment":"production","name":"deploy 12","url":"https://ci.example.com/12","dateStarted":"2026-03-01T12:00:00Z","dateFinished":"2026-03-01T12:30:00Z"}`,
			wantBody: `{"environment":"production","name":"deploy 12","url":"https://ci.example.com/12","dateStarted":"2026-03-01T12:00:00Z","dateFinished":"2026-03-01T12:30:00Z","projects":["web"]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateDeploy(ctx, "acme", "1.0", NewDeploy{Environment: "production", Name: "deploy 12", URL: "https://ci.example.com/12", DateStarted: &t0, DateFinished: &t1, Projects: []string{"web"}})
			},
			check: func(t *testing.T, got any) {
				d := got.(*Deploy)
				if d.ID != "9" || d.Environment != "production" || d.DateFinished == nil || !d.DateFinished.Equal(t1) {
					t.Errorf("deploy = %+v", d)
				}
			},
		},
		{
			name: "list deploys", method: "GET", path: "/api/0/organizations/acme/releases/1.0/deploys/",
			status: 200, body: `[{"id":"9","environment":"production","name":null,"url":null,"dateStarted":null,"dateFinished":"2026-03-01T12:30:00Z"}]`,
			call: func(ctx context.Context, c *Client) (any, error) {
				var all []Deploy
				err := c.ListDeploys(ctx, "acme", "1.0", func(p []Deploy) error { all = append(all, p...); return nil })
				return all, err
			},
			check: func(t *testing.T, got any) {
				if ds := got.([]Deploy); len(ds) != 1 || ds[0].Environment != "production" || ds[0].DateStarted != nil {
					t.Errorf("deploys = %+v", ds)
				}
			},
		},

		// Issues.
		{
			name: "list issues of a release", method: "GET", path: "/api/0/organizations/acme/issues/",
			operation: "listOrganizationIssues", status: 200,
			wantQuery: url.Values{
				"query": {"is:unresolved firstRelease:api@1.4.2"}, "project": {"42"}, "environment": {"production"},
				"statsPeriod": {"24h"}, "sort": {"freq"}, "limit": {"100"}, "expand": {"owners"}, "collapse": {"stats"},
			},
			call: func(ctx context.Context, c *Client) (any, error) {
				var all []Issue
				err := c.ListIssues(ctx, "acme", IssueQuery{
					Query: "is:unresolved firstRelease:api@1.4.2", Projects: []string{"42"}, Environments: []string{"production"},
					TimeRange: TimeRange{StatsPeriod: "24h"}, Sort: SortFreq, Limit: 100, Expand: []string{"owners"}, Collapse: []string{"stats"},
				}, func(p []Issue) error { all = append(all, p...); return nil })
				return all, err
			},
			check: func(t *testing.T, got any) {
				is := got.([]Issue)
				if len(is) != 1 {
					t.Fatalf("issues = %+v", is)
				}
				i := is[0]
				if i.ID != "1" || i.ShortID != "PUMP-STATION-1" || i.Count != 150 || i.Project.Slug != "pump-station" ||
					i.AssignedTo == nil || i.AssignedTo.Email != "john.doe@example.com" || len(i.Stats["24h"]) != 24 ||
					i.Stats["24h"][0].Count != 473 || i.Lifetime == nil || i.Lifetime.Count != 150 || i.Filtered != nil || i.FirstSeen == nil {
					t.Errorf("issue = %+v", i)
				}
			},
		},
		{
			name: "list issues in an absolute period, every status", method: "GET", path: "/api/0/organizations/acme/issues/",
			status: 200, body: `[]`,
			wantQuery: url.Values{"query": {""}, "start": {"2026-03-01T12:00:00Z"}, "end": {"2026-03-01T12:30:00Z"}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.ListIssues(ctx, "acme", IssueQuery{TimeRange: TimeRange{Start: t0, End: t1}},
					func([]Issue) error { return errors.New("no page expected") })
			},
		},
		{
			name: "get issue", method: "GET", path: "/api/0/organizations/acme/issues/1/",
			operation: "getOrganizationIssue", status: 200,
			wantQuery: url.Values{"environment": {"production", "staging"}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetIssue(ctx, "acme", "1", "production", "staging")
			},
			check: func(t *testing.T, got any) {
				i := got.(*IssueDetails)
				if i.FirstRelease == nil || i.FirstRelease.Version != "17642328ead24b51867165985996d04b29310337" || i.LastRelease != nil ||
					len(i.Tags) != 2 || i.Tags[0].Key != "browser" || i.Status != "unresolved" || i.Substatus != "ongoing" || i.UserCount != 12 ||
					len(i.Stats["30d"]) != 2 {
					t.Errorf("issue = %+v", i)
				}
				if len(i.Activity) != 1 || i.Activity[0].Type != ActivityFirstSeen || i.Activity[0].DateCreated == nil {
					t.Errorf("activity = %+v", i.Activity)
				}
				if v, ok := i.Activity[0].DataString("version"); ok {
					t.Errorf("first_seen has no version, read %q", v)
				}
			},
		},
		{
			name: "resolve issue in next release and assign", method: "PUT", path: "/api/0/organizations/acme/issues/1/",
			operation: "getOrganizationIssue", status: 200,
			wantBody: `{"status":"resolved","statusDetails":{"inNextRelease":true},"assignedTo":"team:7"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.UpdateIssue(ctx, "acme", "1", IssueUpdate{Status: StatusResolved, StatusDetails: &StatusDetails{InNextRelease: true}, AssignedTo: ptr("team:7")})
			},
			check: func(t *testing.T, got any) {
				if i := got.(*IssueFields); i.ID != "1" {
					t.Errorf("issue = %+v", i)
				}
			},
		},
		{
			name: "unassign issue", method: "PUT", path: "/api/0/organizations/acme/issues/1/",
			operation: "getOrganizationIssue", status: 200,
			wantBody: `{"assignedTo":""}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.UpdateIssue(ctx, "acme", "1", IssueUpdate{AssignedTo: ptr("")})
			},
		},
		{
			name: "recommended event", method: "GET", path: "/api/0/organizations/acme/issues/1341191803/events/recommended/",
			operation: "getOrganizationIssueEvent", status: 200,
			wantQuery: url.Values{"environment": {"production"}},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.IssueEvent(ctx, "acme", "1341191803", RecommendedEvent, "production")
			},
			check: func(t *testing.T, got any) {
				ev := got.(*Event)
				if ev.EventID != "9999aaaaca8b46d797c23c6077c6ff01" || ev.GroupID != "1341191803" || ev.Platform != "javascript" {
					t.Errorf("event = %+v", ev)
				}
				if v, ok := ev.Tag("environment"); !ok || v != "prod" {
					t.Errorf("environment tag = %q, %v", v, ok)
				}
				exc, err := ev.Exceptions()
				if err != nil || len(exc) == 0 || exc[0].Stacktrace == nil || len(exc[0].Stacktrace.Frames) == 0 {
					t.Fatalf("exceptions = %+v, %v", exc, err)
				}
				f := exc[0].Stacktrace.Frames[0]
				if f.Function != "ignoreOnError" || f.LineNo != 71 || f.ColNo != 23 || f.InApp ||
					f.AbsPath != "webpack:////usr/src/getsentry/src/sentry/node_modules/@sentry/browser/esm/helpers.js" ||
					len(f.Context) == 0 || f.Context[0].Line != 66 || f.Context[5].Text != "            return fn.apply(this, wrappedArguments);" {
					t.Errorf("first frame = %+v", f)
				}
			},
		},
		{
			name: "latest event", method: "GET", path: "/api/0/organizations/acme/issues/1/events/latest/",
			operation: "getOrganizationIssueEvent", status: 200,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.IssueEvent(ctx, "acme", "1", LatestEvent)
			},
		},
		{
			name: "issue tag", method: "GET", path: "/api/0/organizations/acme/issues/1/tags/flavors/",
			operation: "getOrganizationIssueTag", status: 200,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetIssueTag(ctx, "acme", "1", "flavors")
			},
			check: func(t *testing.T, got any) {
				td := got.(*TagDetails)
				if td.UniqueValues != 2 || td.TotalValues != 3 || len(td.TopValues) != 2 || td.TopValues[0].Value != "strawberry" || td.TopValues[0].Count != 2 {
					t.Errorf("tag = %+v", td)
				}
			},
		},
		{
			name: "issue tag values", method: "GET", path: "/api/0/organizations/acme/issues/1/tags/tenant_id/values/",
			operation: "listOrganizationIssueTagValues", status: 200,
			wantQuery: url.Values{"sort": {"count"}, "environment": {"production"}},
			call: func(ctx context.Context, c *Client) (any, error) {
				var all []TagValue
				err := c.ListIssueTagValues(ctx, "acme", "1", "tenant_id", TagValuesQuery{Sort: "count", Environments: []string{"production"}},
					func(p []TagValue) error { all = append(all, p...); return nil })
				return all, err
			},
			check: func(t *testing.T, got any) {
				vs := got.([]TagValue)
				if len(vs) != 4 || vs[0].Value != "strawberry" || vs[0].Count != 2 || vs[0].LastSeen == nil {
					t.Errorf("values = %+v", vs)
				}
			},
		},
		{
			name: "resolve short ID", method: "GET", path: "/api/0/organizations/acme/shortids/PUMP-STATION-1/",
			operation: "resolveOrganizationShortId", status: 200,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ResolveShortID(ctx, "acme", "PUMP-STATION-1")
			},
			check: func(t *testing.T, got any) {
				r := got.(*ShortIDLookup)
				if r.GroupID != "1" || r.ProjectSlug != "pump-station" || r.Group.ShortID != "PUMP-STATION-1" {
					t.Errorf("lookup = %+v", r)
				}
			},
		},
		{
			name: "list external issues", method: "GET", path: "/api/0/organizations/acme/issues/1234567890/external-issues/",
			operation: "listOrganizationIssueExternalIssues", status: 200,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ListIssueExternalIssues(ctx, "acme", "1234567890")
			},
			check: func(t *testing.T, got any) {
				es := got.([]ExternalIssue)
				if len(es) != 1 || es[0].ID != "123456" || es[0].IssueID != "1234567890" || es[0].DisplayName != "example-issue#2" {
					t.Errorf("external issues = %+v", es)
				}
			},
		},
		{
			name: "link external issue", method: "POST", path: "/api/0/sentry-app-installations/b2d4c6e8-0000-4000-8000-000000000001/external-issues/",
			operation: "Create or update an External Issue", status: 200,
			wantBody: `{"issueId":1,"webUrl":"https://jira.example.com/browse/WEB-7","project":"WEB","identifier":"WEB-7"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.LinkExternalIssue(ctx, "b2d4c6e8-0000-4000-8000-000000000001",
					ExternalIssueLink{IssueID: 1, WebURL: "https://jira.example.com/browse/WEB-7", Project: "WEB", Identifier: "WEB-7"})
			},
			check: func(t *testing.T, got any) {
				if e := got.(*ExternalIssue); e.ID != "1" || e.DisplayName != "ExternalProj#issue-1" || e.WebURL == "" {
					t.Errorf("external issue = %+v", e)
				}
			},
		},
		{
			name: "unlink external issue", method: "DELETE", path: "/api/0/sentry-app-installations/b2d4c6e8-0000-4000-8000-000000000001/external-issues/1/",
			status: 204,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.UnlinkExternalIssue(ctx, "b2d4c6e8-0000-4000-8000-000000000001", "1")
			},
		},

		// Release health.
		{
			name: "sessions", method: "GET", path: "/api/0/organizations/acme/sessions/",
			operation: "getOrganizationSessions", status: 200,
			wantQuery: url.Values{
				"field":   {"crash_free_rate(session)", "sum(session)"},
				"groupBy": {"release", "session.status"}, "query": {"release:api@1.4.2"}, "project": {"42"},
				"environment": {"production"}, "statsPeriod": {"24h"}, "interval": {"1h"}, "includeSeries": {"0"},
			},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Sessions(ctx, "acme", SessionsQuery{
					Fields: []string{"crash_free_rate(session)", "sum(session)"}, GroupBy: []string{"release", "session.status"},
					Query: "release:api@1.4.2", Projects: []string{"42"}, Environments: []string{"production"},
					TimeRange: TimeRange{StatsPeriod: "24h"}, Interval: "1h", OmitSeries: true,
				})
			},
			check: func(t *testing.T, got any) {
				s := got.(*Sessions)
				if len(s.Groups) != 2 || s.Groups[0].By.SessionStatus != "errored" || *s.Groups[0].Totals["sum(session)"] != 1000 ||
					len(s.Intervals) != 3 || !s.Start.Equal(time.Date(2024, 1, 29, 7, 30, 0, 0, time.UTC)) ||
					len(s.Groups[1].Series["sum(session)"]) != 3 {
					t.Errorf("sessions = %+v", s)
				}
			},
		},
		{
			name: "events timeseries of an issue", method: "GET", path: "/api/0/organizations/acme/events-timeseries/",
			operation: "listOrganizationEventsTimeseries", status: 200,
			wantQuery: url.Values{
				"dataset": {"errors"}, "yAxis": {"count()"}, "query": {"issue.id:1 release:1.0"}, "project": {"42"},
				"statsPeriod": {"7d"}, "interval": {"3600"}, "groupBy": {"release"}, "topEvents": {"5"}, "sort": {"-count()"},
			},
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.EventsTimeseries(ctx, "acme", TimeseriesQuery{
					YAxis: "count()", Query: "issue.id:1 release:1.0", Projects: []string{"42"},
					TimeRange: TimeRange{StatsPeriod: "7d"}, Interval: time.Hour, GroupBy: []string{"release"}, TopEvents: 5, Sort: "-count()",
				})
			},
			check: func(t *testing.T, got any) {
				ts := got.(*Timeseries)
				if len(ts.TimeSeries) != 2 || ts.TimeSeries[0].YAxis != "count()" || len(ts.TimeSeries[0].Values) != 2 ||
					*ts.TimeSeries[0].Values[0].Value != 5 || ts.TimeSeries[0].Values[0].Time() != time.UnixMilli(1741368281123).UTC() ||
					ts.TimeSeries[0].Meta.Interval != 3600 || ts.TimeSeries[0].GroupBy[0].Key != "transaction" || ts.Meta.Dataset != "spans" {
					t.Errorf("timeseries = %+v", ts)
				}
			},
		},

		// Ownership, teams, members.
		{
			name: "get ownership", method: "GET", path: "/api/0/projects/acme/web/ownership/",
			operation: "getProjectOwnership", status: 200,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetProjectOwnership(ctx, "acme", "web")
			},
			check: func(t *testing.T, got any) {
				o := got.(*Ownership)
				if !o.Fallthrough || o.AutoAssignment != AutoAssignIssueOwner || o.Schema == nil || o.Schema.Version != 1 ||
					len(o.Schema.Rules) != 3 || o.Schema.Rules[2].Matcher.Type != "tags.transaction" ||
					o.Schema.Rules[0].Owners[0].ID != "2621754" || !strings.HasPrefix(o.Raw, "path:src/views/checkout") {
					t.Errorf("ownership = %+v", o)
				}
			},
		},
		{
			name: "update ownership", method: "PUT", path: "/api/0/projects/acme/web/ownership/",
			operation: "updateProjectOwnership", status: 202,
			wantBody: `{"raw":"path:src/* #web\n","fallthrough":false,"autoAssignment":"Turn off Auto-Assignment"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.UpdateProjectOwnership(ctx, "acme", "web", OwnershipUpdate{Raw: ptr("path:src/* #web\n"), Fallthrough: ptr(false), AutoAssignment: AutoAssignOff})
			},
			check: func(t *testing.T, got any) {
				if o := got.(*Ownership); o.DateCreated == nil || !o.IsActive {
					t.Errorf("ownership = %+v", o)
				}
			},
		},
		{
			name: "list teams", method: "GET", path: "/api/0/organizations/acme/teams/",
			operation: "listOrganizationTeams", status: 200,
			call: func(ctx context.Context, c *Client) (any, error) {
				var all []Team
				err := c.ListTeams(ctx, "acme", func(p []Team) error { all = append(all, p...); return nil })
				return all, err
			},
			check: func(t *testing.T, got any) {
				ts := got.([]Team)
				if len(ts) != 2 || ts[0].Slug != "ancient-gabelers" || ts[0].MemberCount != 2 || ts[1].ID != "100253" {
					t.Errorf("teams = %+v", ts)
				}
			},
		},
		{
			name: "list project teams", method: "GET", path: "/api/0/projects/acme/web/teams/",
			operation: "listProjectTeams", status: 200,
			call: func(ctx context.Context, c *Client) (any, error) {
				var all []Team
				err := c.ListProjectTeams(ctx, "acme", "web", func(p []Team) error { all = append(all, p...); return nil })
				return all, err
			},
			check: func(t *testing.T, got any) {
				if ts := got.([]Team); len(ts) != 2 || ts[1].Slug != "squeaky-minnows" {
					t.Errorf("teams = %+v", ts)
				}
			},
		},
		{
			name: "list members", method: "GET", path: "/api/0/organizations/acme/members/",
			operation: "listOrganizationMembers", status: 200,
			call: func(ctx context.Context, c *Client) (any, error) {
				var all []Member
				err := c.ListMembers(ctx, "acme", func(p []Member) error { all = append(all, p...); return nil })
				return all, err
			},
			check: func(t *testing.T, got any) {
				ms := got.([]Member)
				if len(ms) != 2 || ms[0].User == nil || ms[0].User.Emails[0].Email != "sirpenguin@antarcticarocks.com" ||
					!ms[0].User.Emails[0].IsVerified || ms[1].User != nil || !ms[1].Pending {
					t.Errorf("members = %+v", ms)
				}
			},
		},
		{
			name: "list team members", method: "GET", path: "/api/0/teams/acme/powerful-abolitionist/members/",
			operation: "listTeamMembers", status: 200,
			call: func(ctx context.Context, c *Client) (any, error) {
				var all []Member
				err := c.ListTeamMembers(ctx, "acme", "powerful-abolitionist", func(p []Member) error { all = append(all, p...); return nil })
				return all, err
			},
			check: func(t *testing.T, got any) {
				if ms := got.([]Member); len(ms) != 1 || ms[0].TeamRole != "member" || ms[0].TeamSlug != "powerful-abolitionist" {
					t.Errorf("members = %+v", ms)
				}
			},
		},

		// Legacy release file upload (sentry-cli 2.x on old servers).
		{
			name: "upload release file to a project", method: "POST", path: "/api/0/projects/acme/web/releases/1.0/files/",
			status: 201, body: `{"id":"5","name":"~/static/app.js.map","dist":"web","headers":{"debug-id":"a9f9"},"size":3,"sha1":"a9993e364706816aba3e25717850c26c9cd0d89d","dateCreated":"2026-03-01T12:00:00Z"}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.UploadReleaseFile(ctx, "acme", "web", "1.0", ReleaseFile{Name: "~/static/app.js.map", Dist: "web", Headers: map[string]string{"debug-id": "a9f9"}, Data: []byte("abc")})
			},
			check: func(t *testing.T, got any) {
				if f := got.(*ReleaseFileInfo); f.ID != "5" || f.Size != 3 || f.Headers["debug-id"] != "a9f9" {
					t.Errorf("file = %+v", f)
				}
			},
		},
	}
}

// TestCalls sends every call to the fake, which validates it against Sentry's OpenAPI
// description, and decodes the description's own example answers.
func TestCalls(t *testing.T) {
	t.Parallel()
	for _, tc := range callCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			body := []byte(tc.body)
			if tc.operation != "" {
				body = specExample(t, tc.operation, tc.status)
			}
			f.reply(tc.method, tc.path, tc.status, body)
			got, err := tc.call(t.Context(), f.client(t))
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			reqs := f.recorded()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			req := reqs[0]
			if tc.wantQuery != nil {
				q, _ := url.ParseQuery(req.RawQuery)
				if q.Encode() != tc.wantQuery.Encode() {
					t.Errorf("query = %s\nwant    %s", q.Encode(), tc.wantQuery.Encode())
				}
			}
			if tc.wantBody != "" && !jsonEqual(t, req.Body, tc.wantBody) {
				t.Errorf("body = %s\nwant   %s", req.Body, tc.wantBody)
			}
			if tc.wantBody != "" && req.Header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q", req.Header.Get("Content-Type"))
			}
			if tc.check != nil {
				tc.check(t, got)
			}
		})
	}
}

// TestCallErrors answers every call with 401 and 404 and checks the errors: the sentinel, the
// call named, and a hint naming a scope that Sentry's description lists for the operation.
func TestCallErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range callCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.reply(tc.method, tc.path, http.StatusUnauthorized, []byte(`{"detail":"Invalid token"}`))
			_, err := tc.call(t.Context(), f.client(t))
			var ae *APIError
			if !errors.As(err, &ae) || !errors.Is(err, ErrUnauthorized) {
				t.Fatalf("err = %v, want an *APIError matching ErrUnauthorized", err)
			}
			if ae.Status != 401 || ae.Detail != "Invalid token" || ae.Method != tc.method || ae.Path != testPrefix+tc.path || ae.Attempts != 1 {
				t.Errorf("APIError = %#v", ae)
			}
			msg := err.Error()
			if !strings.Contains(msg, ae.Op) || !strings.Contains(msg, "SENTRY_AUTH_TOKEN") || !strings.Contains(msg, `"Invalid token"`) {
				t.Errorf("message %q should name the call, Sentry's detail and SENTRY_AUTH_TOKEN", msg)
			}
			scopes := f.recorded()[0].Scopes
			if scopes != nil && !slices.ContainsFunc(scopes, func(s string) bool { return strings.Contains(ae.Hint, " "+s+" ") }) {
				t.Errorf("hint %q names none of the scopes %q the OpenAPI description lists", ae.Hint, scopes)
			}
			// The scopes the error says grant the call are exactly those Sentry's permission
			// class accepts, so a message naming them never sends the user after the wrong one.
			if scopes != nil && !sameSet(ae.Scopes, scopes) {
				t.Errorf("APIError.Scopes = %q, the OpenAPI description lists %q", ae.Scopes, scopes)
			}
			if !errors.Is(err, ErrMisconfigured) {
				t.Errorf("a 401 must match ErrMisconfigured: %v", err)
			}

			f403 := newFake(t)
			f403.reply(tc.method, tc.path, http.StatusForbidden, []byte(`{"detail":"You do not have permission to perform this action."}`))
			_, err = tc.call(t.Context(), f403.client(t))
			if !errors.Is(err, ErrForbidden) || !errors.Is(err, ErrMisconfigured) || !errors.As(err, &ae) {
				t.Fatalf("err = %v, want ErrForbidden and ErrMisconfigured", err)
			}
			for _, s := range ae.Scopes {
				if !strings.Contains(ae.Hint, s) {
					t.Errorf("403 hint %q does not name %s, which grants the call", ae.Hint, s)
				}
			}
			if ae.Org != "" && !strings.Contains(ae.Hint, ae.Org) {
				t.Errorf("403 hint %q does not name the organization %q", ae.Hint, ae.Org)
			}

			f2 := newFake(t)
			f2.reply(tc.method, tc.path, http.StatusNotFound, []byte(`{"detail":"The requested resource does not exist"}`))
			_, err = tc.call(t.Context(), f2.client(t))
			if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnauthorized) {
				t.Fatalf("err = %v, want ErrNotFound", err)
			}
			if !errors.As(err, &ae) || !strings.Contains(ae.Hint, "check") {
				t.Errorf("404 hint %q should say what to check", ae.Hint)
			}
			// A 404 is the configuration's (exit 2) unless the call is about an issue, event
			// or tag, which may have gone since it was listed.
			issueLevel := issuePath.MatchString(tc.path)
			if errors.Is(err, ErrMisconfigured) == issueLevel {
				t.Errorf("404 of %s: ErrMisconfigured = %t, want %t", tc.path, !issueLevel, issueLevel)
			}
		})
	}
}

// TestCallMalformedAnswers answers every call that reads a body with what a broken server or a
// proxy might send instead: null, a truncated body, a value of the wrong type, HTML. Each must
// be a *ProtocolError, never an empty result (a null issue list read as "no issues" once made the
// gate pass).
func TestCallMalformedAnswers(t *testing.T) {
	t.Parallel()
	answers := []struct{ name, body string }{
		{"null", `null`},
		{"padded null", " \n null \n"},
		{"truncated", `{"id": "1", "version": "1.`},
		{"truncated list", `[{"id": "1"}, {"id"`},
		{"string", `"ok"`},
		{"number", `42`},
		{"html", `<html><body>Sign in</body></html>`},
	}
	for _, tc := range callCases() {
		if tc.status == http.StatusNoContent || tc.status == http.StatusAlreadyReported {
			continue // no body is read
		}
		for _, a := range answers {
			t.Run(tc.name+"/"+a.name, func(t *testing.T) {
				t.Parallel()
				f := newFake(t)
				f.reply(tc.method, tc.path, cmp.Or(tc.status, 200), []byte(a.body))
				got, err := tc.call(t.Context(), f.client(t))
				var pe *ProtocolError
				if !errors.As(err, &pe) {
					t.Fatalf("answer %q: got %+v, err = %v; want a *ProtocolError", a.body, got, err)
				}
				if !strings.Contains(err.Error(), tc.method) || !strings.Contains(err.Error(), "unexpected answer") {
					t.Errorf("message %q should name the request and say the answer was unexpected", err)
				}
			})
		}
	}
}

// issuePath matches the paths of one issue (its details, events, tags, links).
var issuePath = regexp.MustCompile(`/issues/[^/]+/|/external-issues/`)

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestCallAnswersWithoutIdentity answers every call with an object or a list item that lacks
// what names it ({} for a release, [{}] for a page of issues): each must be a *ProtocolError,
// not an empty release or a nameless issue. The calls in exempt have answers with no such field.
func TestCallAnswersWithoutIdentity(t *testing.T) {
	t.Parallel()
	exempt := map[string]string{
		"get ownership":      "a project that never had rules answers every field empty or null",
		"update ownership":   "as get ownership",
		"describe the token": "a server that does not describe the token's scopes is a documented answer (Auth.Known is false); sentry check then asks each capability",
		"describe the token, on a server that does not say": "as describe the token",
	}
	for _, tc := range callCases() {
		if tc.status == http.StatusNoContent || tc.status == http.StatusAlreadyReported {
			continue
		}
		if why, ok := exempt[tc.name]; ok {
			t.Logf("%s: exempt: %s", tc.name, why)
			continue
		}
		for _, body := range []string{`{}`, `[{}]`} {
			t.Run(tc.name+"/"+body, func(t *testing.T) {
				t.Parallel()
				f := newFake(t)
				f.reply(tc.method, tc.path, cmp.Or(tc.status, 200), []byte(body))
				got, err := tc.call(t.Context(), f.client(t))
				var pe *ProtocolError
				if !errors.As(err, &pe) {
					t.Fatalf("answer %s: got %+v, err = %v; want a *ProtocolError", body, got, err)
				}
			})
		}
	}
}
