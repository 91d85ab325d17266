package gateevidence

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// live ingests events as Sentry processes them: each one when it happens, so that what it
// changes (a regression, its activity) is dated then.
func (f *fixture) live(e events) string {
	f.t.Helper()
	defer f.srv.SetNow(t0)
	var id string
	for i := range e.n {
		one := e
		one.n, one.from = 1, e.from.Add(time.Duration(i)*e.every)
		f.srv.SetNow(one.from)
		id = f.ingest(one)
	}
	return id
}

// resolve resolves an issue at the given time.
func (f *fixture) resolve(id string, at time.Time) {
	f.t.Helper()
	f.srv.SetNow(at)
	defer f.srv.SetNow(t0)
	if _, err := f.c.UpdateIssue(context.Background(), "acme", id, sentryapi.IssueUpdate{Status: sentryapi.StatusResolved}); err != nil {
		f.t.Fatal(err)
	}
}

func titles(issues []gate.Issue) []string {
	out := []string{}
	for _, is := range issues {
		out = append(out, strings.SplitN(is.Title, ":", 2)[0])
	}
	slices.Sort(out)
	return out
}

// TestRegressionsOfThisReleaseOnly: v1 was deployed before v2; v2's start is its deploy.
// Every case's issue has events in v2 since the start, and every one is regressed or ongoing
// in Sentry; only those that came back in v2 count.
func TestRegressionsOfThisReleaseOnly(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	recent := struct{ v1, v2 time.Time }{t0.Add(-5 * time.Hour), t0.Add(-30 * time.Minute)}
	old := struct{ v1, v2 time.Time }{t0.Add(-12 * day), t0.Add(-9 * day)}
	for _, tc := range []struct {
		name      string
		v1, v2    time.Time // deploys (each release is created 10 minutes before)
		setup     func(f *fixture)
		want      []string // regressions
		wantNew   []string
		wantAsked []string // issue searches made
	}{
		{
			name: "regressed in the previous release, still regressed in Sentry: not counted",
			v1:   recent.v1, v2: recent.v2,
			setup: func(f *fixture) {
				id := f.live(events{release: "v1", typ: "Old", from: t0.Add(-4 * time.Hour), n: 1})
				f.resolve(id, t0.Add(-3*time.Hour))
				f.live(events{release: "v1", typ: "Old", from: t0.Add(-2 * time.Hour), n: 1})
				f.live(events{release: "v2", typ: "Old", from: t0.Add(-20 * time.Minute), n: 4, every: time.Minute})
			},
			want: []string{}, wantNew: []string{},
			wantAsked: []string{"is:regressed release:v2"},
		},
		{
			name: "regressed in this release: counted",
			v1:   recent.v1, v2: recent.v2,
			setup: func(f *fixture) {
				id := f.live(events{release: "v1", typ: "Back", from: t0.Add(-4 * time.Hour), n: 1})
				f.resolve(id, t0.Add(-3*time.Hour))
				f.live(events{release: "v2", typ: "Back", from: t0.Add(-20 * time.Minute), n: 4, every: time.Minute})
			},
			want: []string{"Back"}, wantNew: []string{},
			wantAsked: []string{"is:regressed release:v2"},
		},
		{
			name: "resolved before this release started, reopened by the previous release, events in this one: counted",
			v1:   recent.v1, v2: recent.v2,
			setup: func(f *fixture) {
				id := f.live(events{release: "v1", typ: "Unfixed", from: t0.Add(-4 * time.Hour), n: 1})
				f.resolve(id, t0.Add(-time.Hour))
				f.live(events{release: "v1", typ: "Unfixed", from: t0.Add(-25 * time.Minute), n: 1}) // v1 still serves
				f.live(events{release: "v2", typ: "Unfixed", from: t0.Add(-20 * time.Minute), n: 2, every: time.Minute})
			},
			want: []string{"Unfixed"}, wantNew: []string{},
			wantAsked: []string{"is:regressed release:v2"},
		},
		{
			name: "new in this release, resolved and back: counted as new, not as a regression",
			v1:   recent.v1, v2: recent.v2,
			setup: func(f *fixture) {
				id := f.live(events{release: "v2", typ: "Fresh", from: t0.Add(-25 * time.Minute), n: 1})
				f.resolve(id, t0.Add(-24*time.Minute))
				f.live(events{release: "v2", typ: "Fresh", from: t0.Add(-20 * time.Minute), n: 3, every: time.Minute})
			},
			want: []string{}, wantNew: []string{"Fresh"},
			wantAsked: []string{"is:regressed release:v2"},
		},
		{
			name: "regressed in this release more than 7 days ago, ongoing now: counted",
			v1:   old.v1, v2: old.v2,
			setup: func(f *fixture) {
				id := f.live(events{release: "v1", typ: "Long", from: old.v1.Add(time.Hour), n: 1})
				f.resolve(id, old.v1.Add(2*time.Hour))
				f.live(events{release: "v2", typ: "Long", from: old.v2.Add(time.Hour), n: 1})
				f.live(events{release: "v2", typ: "Long", from: t0.Add(-20 * time.Minute), n: 2, every: time.Minute})
			},
			want: []string{"Long"}, wantNew: []string{},
			wantAsked: []string{"is:regressed release:v2", "is:ongoing release:v2"},
		},
		{
			name: "regressed in the previous release more than 7 days ago, or never resolved: not counted",
			v1:   old.v1, v2: old.v2,
			setup: func(f *fixture) {
				id := f.live(events{release: "v1", typ: "Stale", from: old.v1.Add(time.Hour), n: 1})
				f.resolve(id, old.v1.Add(2*time.Hour))
				f.live(events{release: "v1", typ: "Stale", from: old.v1.Add(3 * time.Hour), n: 1})
				f.live(events{release: "v1", typ: "Chronic", from: old.v1.Add(time.Hour), n: 1})
				f.live(events{release: "v2", typ: "Stale", from: t0.Add(-20 * time.Minute), n: 2, every: time.Minute})
				f.live(events{release: "v2", typ: "Chronic", from: t0.Add(-20 * time.Minute), n: 2, every: time.Minute})
			},
			want: []string{}, wantNew: []string{},
			wantAsked: []string{"is:regressed release:v2", "is:ongoing release:v2"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.release("v1", tc.v1.Add(-10*time.Minute))
			f.deploy("v1", "production", tc.v1)
			f.release("v2", tc.v2.Add(-10*time.Minute))
			f.deploy("v2", "production", tc.v2)
			tc.setup(f)
			ev, err := f.gather(Query{Release: "v2"}, &gate.Environment{Regressions: &gate.RegressionsPolicy{}})
			if err != nil {
				t.Fatal(err)
			}
			if got := titles(ev.Regressions); !slices.Equal(got, tc.want) {
				t.Errorf("regressions %q, want %q", got, tc.want)
			}
			if got := titles(ev.NewIssues); !slices.Equal(got, tc.wantNew) {
				t.Errorf("new issues %q, want %q", got, tc.wantNew)
			}
			var asked []string
			for _, r := range f.requests() {
				if q, ok := strings.CutPrefix(r, "issues/ "); ok && !strings.HasPrefix(q, "firstRelease:") {
					asked = append(asked, q)
				}
			}
			if !slices.Equal(asked, tc.wantAsked) {
				t.Errorf("regression searches %q, want %q", asked, tc.wantAsked)
			}
		})
	}
}

// TestRegressionUnreadable: when Sentry's answer does not say in which release a regressed
// issue came back, the gatherer decides nothing (an error naming the issue), rather than pass
// the release or fail it for another release's regression.
func TestRegressionUnreadable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		edit    func(d map[string]any)
		mention string
	}{
		{"no activity", func(d map[string]any) { delete(d, "activity") }, "no activity"},
		{"only first_seen", func(d map[string]any) {
			d["activity"] = slices.DeleteFunc(d["activity"].([]any), func(a any) bool { return a.(map[string]any)["type"] != "first_seen" })
		}, "has no set_regression entry"},
		{"no version", func(d map[string]any) {
			for _, a := range d["activity"].([]any) {
				if a := a.(map[string]any); a["type"] == "set_regression" {
					a["data"] = map[string]any{}
				}
			}
		}, "has no data.version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.release("v1", t0.Add(-5*time.Hour))
			f.deploy("v1", "production", t0.Add(-5*time.Hour))
			f.release("v2", t0.Add(-40*time.Minute))
			f.deploy("v2", "production", t0.Add(-30*time.Minute))
			id := f.live(events{release: "v1", typ: "Old", from: t0.Add(-4 * time.Hour), n: 1})
			f.resolve(id, t0.Add(-3*time.Hour))
			f.live(events{release: "v1", typ: "Old", from: t0.Add(-2 * time.Hour), n: 1})
			f.live(events{release: "v2", typ: "Old", from: t0.Add(-20 * time.Minute), n: 4, every: time.Minute})

			// Sentry's answer for the issue, changed.
			path := "/api/0/organizations/acme/issues/" + id + "/"
			req, _ := http.NewRequest("GET", f.srv.URL()+path, nil)
			req.Header.Set("Authorization", "Bearer "+f.srv.Token())
			resp, err := f.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var d map[string]any
			if err := json.Unmarshal(body, &d); err != nil {
				t.Fatal(err)
			}
			tc.edit(d)
			edited, _ := json.Marshal(d)
			f.srv.InjectFault(sentryapitest.Fault{Method: "GET", Path: path, Status: http.StatusOK, Body: string(edited)})

			ev, err := f.gather(Query{Release: "v2"}, &gate.Environment{Regressions: &gate.RegressionsPolicy{}})
			if !errors.Is(err, ErrUnreadableRegression) {
				t.Fatalf("err = %v (regressions %q), want ErrUnreadableRegression", err, titles(ev.Regressions))
			}
			for _, m := range []string{tc.mention, "WEB-", `release "v2" in production`} {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

func TestRegressedIn(t *testing.T) {
	t.Parallel()
	start := t0.Add(-30 * time.Minute)
	act := func(typ string, at time.Duration, data string) sentryapi.Activity {
		ts := t0.Add(at)
		return sentryapi.Activity{ID: "1", Type: typ, DateCreated: &ts, Data: json.RawMessage(data)}
	}
	first := act("first_seen", -5*time.Hour, `{}`)
	resolvedBefore := act("set_resolved", -4*time.Hour, `{}`)
	for _, tc := range []struct {
		name      string
		acts      []sentryapi.Activity
		regressed bool
		want      bool
		wantErr   string
	}{
		{"regressed in this release", []sentryapi.Activity{act("set_regression", -10*time.Minute, `{"version":"v2"}`), resolvedBefore, first}, true, true, ""},
		{"regressed in this release before the start (elsewhere)", []sentryapi.Activity{act("set_regression", -time.Hour, `{"version":"v2"}`), resolvedBefore, first}, true, true, ""},
		{"regressed in the previous release before the start", []sentryapi.Activity{act("set_regression", -time.Hour, `{"version":"v1"}`), resolvedBefore, first}, true, false, ""},
		{"regressed by an event without release before the start", []sentryapi.Activity{act("set_regression", -time.Hour, `{"version":""}`), resolvedBefore, first}, true, false, ""},
		{"resolved at the start, reopened by the previous release after it", []sentryapi.Activity{act("set_regression", -10*time.Minute, `{"version":"v1"}`), resolvedBefore, first}, true, true, ""},
		{"resolved in a release at the start", []sentryapi.Activity{act("set_regression", -10*time.Minute, `{"version":"v1"}`), act("set_resolved_in_release", -time.Hour, `{"version":""}`), first}, true, true, ""},
		{"latest regression decides, whatever the order", []sentryapi.Activity{first, act("set_regression", -3*time.Hour, `{"version":"v2"}`), act("set_regression", -time.Hour, `{"version":"v1"}`), act("set_resolved", -2*time.Hour, `{}`)}, true, false, ""},
		{"unresolved again by hand before the start", []sentryapi.Activity{act("set_regression", -10*time.Minute, `{"version":"v1"}`), act("set_unresolved", -time.Hour, `{}`), resolvedBefore, first}, true, false, ""},
		{"notes and assignments do not change the status", []sentryapi.Activity{act("set_regression", -10*time.Minute, `{"version":"v1"}`), act("note", -time.Hour, `{"text":"x"}`), act("assigned", -50*time.Minute, `{}`), resolvedBefore, first}, true, true, ""},
		{"ongoing, never regressed", []sentryapi.Activity{first}, false, false, ""},
		{"ongoing, regressed in this release", []sentryapi.Activity{act("set_regression", -9*24*time.Hour, `{"version":"v2"}`), first}, false, true, ""},
		{"no activity", nil, true, false, "no activity"},
		{"regressed without a set_regression entry", []sentryapi.Activity{first}, true, false, "no set_regression entry"},
		{"regressed without an entry, but resolved at the start", []sentryapi.Activity{resolvedBefore, first}, true, true, ""},
		{"version missing", []sentryapi.Activity{act("set_regression", -time.Hour, `{}`), resolvedBefore, first}, true, false, "no data.version"},
		{"version not a string", []sentryapi.Activity{act("set_regression", -time.Hour, `{"version":2}`), resolvedBefore, first}, true, false, "no data.version"},
		{"version missing, but resolved at the start", []sentryapi.Activity{act("set_regression", -10*time.Minute, `null`), resolvedBefore, first}, true, true, ""},
		{"status entry without a date", []sentryapi.Activity{{ID: "9", Type: "set_regression", Data: json.RawMessage(`{"version":"v2"}`)}}, true, false, "has no date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := regressedIn(tc.acts, "v2", start, tc.regressed)
			if tc.wantErr != "" {
				if !errors.Is(err, ErrUnreadableRegression) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want ErrUnreadableRegression saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("regressedIn = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// FuzzRegressedIn feeds arbitrary activity (as Sentry's details would carry it) to the
// decision: it never panics, an error is always ErrUnreadableRegression and never a count, and
// the answer does not depend on the order of the entries.
func FuzzRegressedIn(f *testing.F) {
	for _, s := range []string{
		`[{"id":"2","type":"set_regression","data":{"version":"v2","event_id":"ab"},"dateCreated":"2026-03-10T11:50:00Z"},{"id":"1","type":"set_resolved","data":{},"dateCreated":"2026-03-10T10:00:00Z"},{"id":"0","type":"first_seen","data":{},"dateCreated":"2026-03-10T09:00:00Z"}]`,
		`[{"id":"2","type":"set_regression","data":{"version":"v1"},"dateCreated":"2026-03-10T11:00:00Z"},{"id":"1","type":"set_resolved_in_release","data":{"version":""},"dateCreated":"2026-03-10T10:00:00Z"}]`,
		`[{"type":"set_regression","data":null}]`,
		`[]`,
		`null`,
	} {
		f.Add([]byte(s), true)
	}
	start := t0.Add(-30 * time.Minute)
	f.Fuzz(func(t *testing.T, b []byte, regressed bool) {
		var acts []sentryapi.Activity
		if json.Unmarshal(b, &acts) != nil {
			return
		}
		got, err := regressedIn(acts, "v2", start, regressed)
		if err != nil && (got || !errors.Is(err, ErrUnreadableRegression)) {
			t.Fatalf("regressedIn = %v, %v", got, err)
		}
		reversed := slices.Clone(acts)
		slices.Reverse(reversed)
		got2, err2 := regressedIn(reversed, "v2", start, regressed)
		if got2 != got || (err == nil) != (err2 == nil) {
			// Entries of the same type dated alike may tie; their order is Sentry's.
			if !sameTimes(acts) {
				t.Fatalf("in reverse order: %v, %v; in order: %v, %v", got2, err2, got, err)
			}
		}
	})
}

// sameTimes says whether two status entries share a date (then their order decides).
func sameTimes(acts []sentryapi.Activity) bool {
	seen := map[time.Time]bool{}
	for _, a := range acts {
		if a.DateCreated != nil {
			if seen[a.DateCreated.UTC()] {
				return true
			}
			seen[a.DateCreated.UTC()] = true
		}
	}
	return false
}
