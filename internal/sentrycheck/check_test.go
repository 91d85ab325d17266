package sentrycheck

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// unrelated is a scope no capability uses, for a token that has "nothing": the fake gives a
// token configured without scopes every scope.
const unrelated = "alerts:read"

func newClient(t *testing.T, srv *sentryapitest.Server, token string) *sentryapi.Client {
	t.Helper()
	c, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: token, HTTPClient: srv.Client(), MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func statuses(rep *Report) map[Capability]Status {
	out := map[Capability]Status{}
	for _, r := range rep.Results {
		out[r.Capability] = r.Status
	}
	return out
}

func TestCheck(t *testing.T) {
	t.Parallel()
	type want map[Capability]Status
	allOK := want{Upload: OK, Release: OK, Ownership: OK, Gate: OK}
	tests := []struct {
		name     string
		scopes   []string // nil: every scope
		token    string   // instead of a token with scopes
		org      string
		projects []string
		fault    *sentryapitest.Fault
		want     want
		// missing are the scopes a capability must name.
		missing map[Capability][]string
	}{
		{name: "every scope", want: allOK},
		{
			name: "organization token", scopes: []string{"org:ci"},
			want:    want{Upload: OK, Release: OK, Ownership: MissingScope, Gate: MissingScope},
			missing: map[Capability][]string{Ownership: {"org:read", "member:read", "team:read", "project:read"}, Gate: {"event:read", "org:read"}},
		},
		{
			name: "the gate's token lacks event:read (issue 11)", scopes: []string{"project:releases", "org:read"},
			want:    want{Upload: OK, Release: OK, Ownership: MissingScope, Gate: MissingScope},
			missing: map[Capability][]string{Gate: {"event:read"}, Ownership: {"member:read", "team:read", "project:read"}},
		},
		{
			name: "read-only project token cannot upload", scopes: []string{"project:read", "event:read", "org:read", "member:read", "team:read"},
			want:    want{Upload: MissingScope, Release: MissingScope, Ownership: OK, Gate: OK},
			missing: map[Capability][]string{Upload: {"project:releases"}, Release: {"project:releases"}},
		},
		{name: "token Sentry does not know", token: "sntryu_revoked", want: want{Upload: Rejected, Release: Rejected, Ownership: Rejected, Gate: Rejected}},
		{name: "organization Sentry does not know", org: "acne", want: want{Upload: UnknownOrg, Release: UnknownOrg, Ownership: UnknownOrg, Gate: UnknownOrg}},
		{name: "project Sentry does not know", projects: []string{"web", "wbe"}, want: want{Upload: UnknownProject, Release: UnknownProject, Ownership: UnknownProject, Gate: UnknownProject}},
		{
			name: "server that does not say the scopes: the probes' 403 names the scope", scopes: []string{"org:ci"},
			fault:   &sentryapitest.Fault{Method: "GET", Path: "/api/0/", Status: 200, Body: `{"version":"0","auth":null,"user":null}`},
			want:    want{Upload: OK, Release: OK, Ownership: MissingScope, Gate: MissingScope},
			missing: map[Capability][]string{Ownership: {"org:read"}, Gate: {"event:read"}},
		},
		{
			name: "API root refused by a proxy: judged from the probes", scopes: []string{"org:ci"},
			fault:   &sentryapitest.Fault{Method: "GET", Path: "/api/0/", Status: http.StatusForbidden},
			want:    want{Upload: OK, Release: OK, Ownership: MissingScope, Gate: MissingScope},
			missing: map[Capability][]string{Ownership: {"org:read"}, Gate: {"event:read"}},
		},
		{
			name:  "Sentry down",
			fault: &sentryapitest.Fault{Status: http.StatusServiceUnavailable},
			want:  want{Upload: Unreachable, Release: Unreachable, Ownership: Unreachable, Gate: Unreachable},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := sentryapitest.Start(t, sentryapitest.Options{Projects: []string{"web", "api"}})
			token := tc.token
			if token == "" {
				token = "tok"
				srv.AddToken(token, tc.scopes...)
			}
			if tc.fault != nil {
				srv.InjectFault(*tc.fault)
			}
			org := tc.org
			if org == "" {
				org = "acme"
			}
			projects := tc.projects
			if projects == nil {
				projects = []string{"web", "api"}
			}
			rep, err := Check(t.Context(), Options{Client: newClient(t, srv, token), Org: org, Projects: projects})
			if err != nil {
				t.Fatal(err)
			}
			got := statuses(rep)
			for cp, st := range tc.want {
				if got[cp] != st {
					t.Errorf("%s: %q, want %q (%+v)", cp, got[cp], st, rep.Results)
				}
			}
			for _, r := range rep.Results {
				if r.Status != OK && r.Detail == "" {
					t.Errorf("%s: %s without a detail", r.Capability, r.Status)
				}
				if w := tc.missing[r.Capability]; !slices.Equal(r.Missing, w) {
					t.Errorf("%s: missing %q, want %q (%s)", r.Capability, r.Missing, w, r.Detail)
				}
				for _, s := range r.Missing {
					if !strings.Contains(r.Detail, s) {
						t.Errorf("%s: the detail does not name %s: %s", r.Capability, s, r.Detail)
					}
				}
			}
			wantBad := false
			for _, st := range tc.want {
				wantBad = wantBad || st.Misconfigured()
			}
			if rep.Misconfigured() != wantBad {
				t.Errorf("Misconfigured() = %t, want %t", rep.Misconfigured(), wantBad)
			}
			// One request for the scopes, then one per distinct probe: chunk upload, teams,
			// issues, and per project its releases and its ownership.
			if want := 1 + 3 + 2*len(projects); len(srv.Requests()) != want || rep.Requests != want {
				t.Errorf("%d requests (report says %d), want %d", len(srv.Requests()), rep.Requests, want)
			}
		})
	}
}

// TestCheckEachNeed: a token with exactly the scopes a capability needs passes, and without
// any one of them the check names that scope.
func TestCheckEachNeed(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{})
	for _, cp := range All {
		var set []string
		for _, n := range Needs(cp) {
			set = append(set, n.Scope)
		}
		check := func(name string, scopes []string) Result {
			srv.AddToken(name, append(scopes, unrelated)...)
			rep, err := Check(t.Context(), Options{Client: newClient(t, srv, name), Org: "acme", Projects: []string{"web"}, Capabilities: []Capability{cp}})
			if err != nil {
				t.Fatal(err)
			}
			return rep.Results[0]
		}
		if r := check(string(cp), set); r.Status != OK {
			t.Errorf("%s with %q: %s %s", cp, set, r.Status, r.Detail)
		}
		for i, s := range set {
			without := slices.Delete(slices.Clone(set), i, i+1)
			r := check(string(cp)+"-"+s, without)
			if r.Status != MissingScope || !slices.Equal(r.Missing, []string{s}) {
				t.Errorf("%s without %s: %s, missing %q (%s)", cp, s, r.Status, r.Missing, r.Detail)
			}
		}
	}
}

// TestCheckConcurrent: the requests go out together, so against a server answering each in
// 150 ms the whole check of four capabilities and two projects takes one round trip, not
// eight, and stays well under the 2 s budget.
func TestCheckConcurrent(t *testing.T) {
	t.Parallel()
	const latency = 150 * time.Millisecond
	srv := sentryapitest.Start(t, sentryapitest.Options{Projects: []string{"web", "api"}})
	srv.InjectFault(sentryapitest.Fault{Delay: latency})
	start := time.Now()
	rep, err := Check(t.Context(), Options{Client: newClient(t, srv, srv.Token()), Org: "acme", Projects: []string{"web", "api"}})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Misconfigured() || rep.Unreachable() {
		t.Fatalf("results %+v", rep.Results)
	}
	if serial := time.Duration(rep.Requests) * latency; took >= serial/2 || took >= 2*time.Second {
		t.Errorf("the check took %s for %d requests of %s each: not concurrent", took, rep.Requests, latency)
	}
	t.Logf("%d requests in %s", rep.Requests, took)
}

func TestParseCapabilities(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   []string
		want []Capability
		err  string
	}{
		{"empty is all", nil, All, ""},
		{"comma list, ordered", []string{"gate,upload"}, []Capability{Upload, Gate}, ""},
		{"repeated flags and duplicates", []string{"release", "release, ownership"}, []Capability{Release, Ownership}, ""},
		{"unknown", []string{"uplaod"}, nil, `unknown capability "uplaod"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCapabilities(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// FuzzParseCapabilities: whatever the list, the result is an error or known capabilities, each
// once, in the run's order, never empty.
func FuzzParseCapabilities(f *testing.F) {
	for _, s := range []string{"", "upload", "gate,upload", " release , ownership,,", "uplaod", "gate,gate"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseCapabilities([]string{s})
		if err != nil {
			return
		}
		if len(got) == 0 {
			t.Fatalf("%q: no capabilities and no error", s)
		}
		last := -1
		for _, c := range got {
			i := slices.Index(All, c)
			if i <= last {
				t.Fatalf("%q: %q is unknown, repeated or out of order", s, got)
			}
			last = i
		}
	})
}

// TestCheckWithoutProjects: with no project, each capability is checked at the organization:
// the release list stands in for the projects' releases, and an unknown organization is named.
func TestCheckWithoutProjects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, org string
		want      Status
	}{
		{"known organization", "acme", OK},
		{"unknown organization", "acne", UnknownOrg},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := sentryapitest.Start(t, sentryapitest.Options{})
			rep, err := Check(t.Context(), Options{Client: newClient(t, srv, srv.Token()), Org: tc.org})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rep.Results {
				if r.Status != tc.want {
					t.Errorf("%s: %s %s, want %s", r.Capability, r.Status, r.Detail, tc.want)
				}
			}
			// The scopes, chunk upload, the organization's releases, its teams, its issues.
			if rep.Requests != 5 || len(srv.Requests()) != 5 {
				t.Errorf("%d requests (report: %d), want 5", len(srv.Requests()), rep.Requests)
			}
		})
	}
}

func TestCheckBadOptions(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{})
	// Checked once the parallel cases have all run.
	t.Cleanup(func() {
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%d requests for bad options, want none", n)
		}
	})
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no client", Options{Org: "acme"}, "no client"},
		{"no organization", Options{Client: newClient(t, srv, srv.Token())}, "no organization"},
		{"unknown capability", Options{Client: newClient(t, srv, srv.Token()), Org: "acme", Capabilities: []Capability{"deploy"}}, `unknown capability "deploy"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Check(t.Context(), tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
