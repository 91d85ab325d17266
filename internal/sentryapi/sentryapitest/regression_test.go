package sentryapitest

import (
	"slices"
	"testing"
	"time"
)

// TestRegressionIsRecordedAsSentryDoes: a resolved issue reopened by an event of a later
// release becomes unresolved/regressed, with a set_regression activity naming that release in
// data.version, dated when the event was processed; the substatus turns ongoing 7 days later.
func TestRegressionIsRecordedAsSentryDoes(t *testing.T) {
	t.Parallel()
	checkout := func(release string) Event {
		return Event{Release: release, Environment: "production", Exceptions: jsErr("TypeError", "x is undefined", "handleCheckout", "app/checkout.js")}
	}
	for _, tc := range []struct {
		name        string
		resolve     map[string]any // the update that resolves the issue
		reopen      Event
		wantStatus  string // after the reopening event
		wantVersion any    // set_regression's data.version; nil: no set_regression
	}{
		{"an event of a later release", map[string]any{"status": "resolved"}, checkout("web@1.1.0"), "unresolved/regressed", "web@1.1.0"},
		{"an event of the same release", map[string]any{"status": "resolved"}, checkout("web@1.0.0"), "unresolved/regressed", "web@1.0.0"},
		{"an event without a release", map[string]any{"status": "resolved"}, checkout(""), "unresolved/regressed", ""},
		// The current release when resolving is web@1.1.0, the newest.
		{"resolved in the next release: an event of the current one", map[string]any{"status": "resolvedInNextRelease"}, checkout("web@1.1.0"), "resolved/", nil},
		{"resolved in the next release: an event of a later one", map[string]any{"status": "resolvedInNextRelease"}, checkout("web@1.2.0"), "unresolved/regressed", "web@1.2.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, Options{Now: t0.Add(-3 * time.Hour)})
			c := client(t, srv)
			first := checkout("web@1.0.0")
			id := mustIngest(t, srv, "web", first).IssueID
			srv.Advance(time.Hour)
			mustIngest(t, srv, "web", checkout("web@1.1.0")) // web@1.1.0 exists, newer than web@1.0.0
			srv.SetNow(t0.Add(-2 * time.Hour))
			path := "/api/0/organizations/acme/issues/" + id + "/"
			c.send("PUT", path, tc.resolve, 200, nil)
			srv.SetNow(t0.Add(-time.Hour))
			reopen := tc.reopen
			reopen.Timestamp = t0.Add(-90 * time.Minute) // sent late: the activity is dated when processed
			res := mustIngest(t, srv, "web", reopen)
			srv.SetNow(t0)

			var d struct {
				Status, Substatus string
				Activity          []struct {
					ID, Type, DateCreated string
					Data                  map[string]any
				}
			}
			c.get(path, 200, &d)
			if got := d.Status + "/" + d.Substatus; got != tc.wantStatus {
				t.Errorf("status %s, want %s", got, tc.wantStatus)
			}
			i := slices.IndexFunc(d.Activity, func(a struct {
				ID, Type, DateCreated string
				Data                  map[string]any
			}) bool {
				return a.Type == "set_regression"
			})
			if tc.wantVersion == nil {
				if i >= 0 {
					t.Errorf("set_regression recorded: %+v", d.Activity[i])
				}
				return
			}
			if i != 0 {
				t.Fatalf("set_regression is not the newest activity: %+v", d.Activity)
			}
			a := d.Activity[0]
			if a.Data["version"] != tc.wantVersion || a.Data["event_id"] != res.EventID || !parsesAs(a.DateCreated, t0.Add(-time.Hour)) || a.ID == "" {
				t.Errorf("set_regression = %+v, want version %q, event %s, dated when processed", a, tc.wantVersion, res.EventID)
			}
			var list []map[string]any
			c.get("/api/0/organizations/acme/issues/?query=is:regressed", 200, &list)
			if got := issueIDs(list); !slices.Equal(got, []string{"WEB-1"}) {
				t.Errorf("is:regressed = %v", got)
			}
		})
	}
}

// TestRegressedLastsSevenDays: Sentry's daily job marks a regressed issue ongoing 7 days after
// it regressed.
func TestRegressedLastsSevenDays(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{Now: t0})
	c := client(t, srv)
	ev := Event{Release: "web@1.0.0", Environment: "production", Exceptions: jsErr("TypeError", "x", "f", "app/f.js")}
	id := mustIngest(t, srv, "web", ev).IssueID
	c.send("PUT", "/api/0/organizations/acme/issues/"+id+"/", map[string]any{"status": "resolved"}, 200, nil)
	srv.Advance(time.Hour)
	ev.Release = "web@1.1.0"
	mustIngest(t, srv, "web", ev)
	for _, tc := range []struct {
		after      time.Duration // since the regression
		substatus  string
		regressed  []string
		ongoingIDs []string
	}{
		{0, "regressed", []string{"WEB-1"}, nil},
		{7*24*time.Hour - time.Minute, "regressed", []string{"WEB-1"}, nil},
		{7*24*time.Hour + time.Minute, "ongoing", nil, []string{"WEB-1"}},
	} {
		srv.SetNow(t0.Add(time.Hour + tc.after))
		var d map[string]any
		c.get("/api/0/organizations/acme/issues/"+id+"/", 200, &d)
		var regressed, ongoing []map[string]any
		c.get("/api/0/organizations/acme/issues/?query=is:regressed&statsPeriod=14d", 200, &regressed)
		c.get("/api/0/organizations/acme/issues/?query=is:ongoing&statsPeriod=14d", 200, &ongoing)
		if d["substatus"] != tc.substatus || !slices.Equal(issueIDs(regressed), tc.regressed) || !slices.Equal(issueIDs(ongoing), tc.ongoingIDs) {
			t.Errorf("%s after the regression: substatus %v, is:regressed %v, is:ongoing %v; want %s, %v, %v",
				tc.after, d["substatus"], issueIDs(regressed), issueIDs(ongoing), tc.substatus, tc.regressed, tc.ongoingIDs)
		}
	}
}

func parsesAs(s string, want time.Time) bool {
	got, err := time.Parse(time.RFC3339Nano, s)
	return err == nil && got.Equal(want)
}
