package gate

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

// policy is a production policy: soak 30m, deadline 2h, new issues above 30 events/hour.
func policy(edit ...func(*Environment)) *Environment {
	e := &Environment{
		Name: "production", Projects: []string{"web"},
		Soak: Duration(30 * time.Minute), Deadline: Duration(2 * time.Hour),
		NewIssues: &NewIssuesPolicy{Thresholds: Thresholds{EventsPerHour: 30}},
	}
	for _, f := range edit {
		f(e)
	}
	return e
}

// burst is an issue whose events fell at the given minutes after t0, with a per-minute series
// up to now.
func burst(id string, now time.Time, minutes ...int) Issue {
	is := Issue{ID: id, ShortID: "WEB-" + id, Project: "web", Title: "TypeError: x is undefined", Level: "error", Status: "unresolved",
		FirstSeen: t0, Interval: time.Minute, Tags: map[string]string{}}
	for m := 0; t0.Add(time.Duration(m) * time.Minute).Before(now); m++ {
		is.Series = append(is.Series, Bucket{Start: t0.Add(time.Duration(m) * time.Minute)})
	}
	for _, m := range minutes {
		is.Series[m].Count++
		is.Events++
	}
	is.Users = is.Events
	return is
}

// spread is n events spread over the first d minutes.
func spread(n, d int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i * d / n
	}
	return out
}

func evidence(issues ...Issue) Evidence {
	return Evidence{Release: "web@2.0.0", Environment: "production", Start: t0, Deployed: true, NewIssues: issues, Interval: time.Minute}
}

func find(checks []Check, path ...string) *Check {
	for i := range checks {
		if checks[i].Name == path[0] {
			if len(path) == 1 {
				return &checks[i]
			}
			return find(checks[i].Children, path[1:]...)
		}
	}
	return nil
}

func TestDecide(t *testing.T) {
	t.Parallel()
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	tests := map[string]struct {
		policy  *Environment
		ev      Evidence
		now     time.Time
		verdict Status
		// checks maps a path in the tree ("new-issues/WEB-1") to its wanted status.
		checks map[string]Status
		reason string // a substring of the decision's reason
	}{
		"no new issue before the soak is pending": {
			policy: policy(), ev: evidence(), now: at(10), verdict: StatusPending,
			checks: map[string]Status{"new-issues": StatusPending}, reason: "no new issues so far; the soak ends at 10:30 UTC (in 20m)",
		},
		"no new issue after the soak passes": {
			policy: policy(), ev: evidence(), now: at(31), verdict: StatusPass,
			checks: map[string]Status{"new-issues": StatusPass}, reason: "every check passed after a soak of 30m",
		},
		"a burst of 3 events in the first minute is pending while young": {
			policy: policy(), ev: evidence(burst("1", at(10), 0, 0, 0)), now: at(10), verdict: StatusPending,
			checks: map[string]Status{"new-issues/WEB-1": StatusPending}, reason: "3 events in 10m since the start, between 1.47 and 59.4 events/h",
		},
		"a burst of 3 events passes once soaked": {
			policy: policy(), ev: evidence(burst("1", at(31), 0, 0, 0)), now: at(31), verdict: StatusPass,
			checks: map[string]Status{"new-issues/WEB-1": StatusPass, "new-issues/WEB-1/events_per_hour": StatusPass},
		},
		"a burst of 3 in the first second never reads as a spike": {
			policy: policy(), ev: evidence(burst("1", t0.Add(time.Second), 0, 0, 0)), now: t0.Add(time.Second), verdict: StatusPending,
			checks: map[string]Status{"new-issues/WEB-1": StatusPending},
		},
		"40 events in 10 minutes fails at once": {
			policy: policy(), ev: evidence(burst("1", at(10), spread(40, 10)...)), now: at(10), verdict: StatusFail,
			checks: map[string]Status{"new-issues": StatusFail, "new-issues/WEB-1": StatusFail},
			reason: "WEB-1 (TypeError: x is undefined): 40 events in 10m since the start, at least 133 events/h with 95% confidence, above the threshold of 30/h",
		},
		"a spike that stopped is judged on the whole exposure": {
			// 40 events in the first 10 minutes, none since, in a 3-hour-old release: 13/h
			// since the start. (Asked at 10 minutes, the gate would have failed it.)
			policy: policy(func(e *Environment) { e.Deadline = Duration(4 * time.Hour) }),
			ev:     evidence(burst("1", at(180), spread(40, 10)...)), now: at(180), verdict: StatusPass,
			checks: map[string]Status{"new-issues/WEB-1": StatusPass},
		},
		"the totals decide, with or without a series": {
			policy: policy(func(e *Environment) { e.Deadline = Duration(4 * time.Hour) }),
			ev: func() Evidence {
				is := burst("1", at(180), spread(40, 10)...)
				is.Series = nil
				return evidence(is)
			}(), now: at(180), verdict: StatusPass,
			checks: map[string]Status{"new-issues/WEB-1": StatusPass},
		},
		"unhandled issues use their own stricter thresholds": {
			policy: policy(func(e *Environment) { e.NewIssues.Unhandled = &Thresholds{EventsPerHour: 1} }),
			ev: func() Evidence {
				is := burst("1", at(40), spread(12, 40)...)
				is.Unhandled = true
				return evidence(is)
			}(), now: at(40), verdict: StatusFail,
			checks: map[string]Status{"new-issues/WEB-1": StatusFail}, reason: "unhandled events/h",
		},
		"handled issues keep the general thresholds": {
			policy: policy(func(e *Environment) { e.NewIssues.Unhandled = &Thresholds{EventsPerHour: 1} }),
			ev:     evidence(burst("1", at(60), spread(12, 40)...)), now: at(60), verdict: StatusPass,
		},
		"issues resolved or archived in Sentry are reported, not counted": {
			policy: policy(),
			ev: func() Evidence {
				a, b := burst("1", at(10), spread(100, 10)...), burst("2", at(10), spread(100, 10)...)
				a.Status, b.Status = "resolved", "ignored"
				return evidence(a, b)
			}(), now: at(31), verdict: StatusPass,
			checks: map[string]Status{"new-issues/WEB-1": StatusSkipped, "new-issues/WEB-2": StatusSkipped},
		},
		"ignore rules on title, level and tag": {
			policy: policy(func(e *Environment) {
				e.NewIssues.Ignore = []IgnoreRule{{Title: "*ResizeObserver loop*"}, {Level: "warning"}, {Tag: "browser:Opera*"}, {Title: "GET /api/*"}}
			}),
			ev: func() Evidence {
				a, b, c, d, e := burst("1", at(10), spread(100, 10)...), burst("2", at(10), spread(100, 10)...), burst("3", at(10), spread(100, 10)...), burst("4", at(10), spread(100, 10)...), burst("5", at(10), spread(100, 10)...)
				a.Title = "Error: ResizeObserver loop limit exceeded"
				b.Level = "warning"
				c.Tags["browser"] = "Opera 99"
				d.Title = "GET /api/users/1 timed out"
				e.Tags["browser"] = "Chrome 120"
				return evidence(a, b, c, d, e)
			}(), now: at(10), verdict: StatusFail,
			checks: map[string]Status{"new-issues/WEB-1": StatusSkipped, "new-issues/WEB-2": StatusSkipped, "new-issues/WEB-3": StatusSkipped,
				"new-issues/WEB-4": StatusSkipped, "new-issues/WEB-5": StatusFail},
		},
		"pass_below fails a rate above its share of the threshold": {
			// 40 events in an hour: 40/h is not surely above 30/h, but surely above 15/h.
			policy: policy(func(e *Environment) { e.NewIssues.PassBelow = 50 }),
			ev:     evidence(burst("1", at(60), spread(40, 60)...)), now: at(60), verdict: StatusFail,
			checks: map[string]Status{"new-issues/WEB-1/events_per_hour": StatusFail},
			reason: "above 15/h (pass_below: 50% of the threshold of 30/h)",
		},
		"without pass_below the same rate is pending": {
			policy: policy(), ev: evidence(burst("1", at(60), spread(40, 60)...)), now: at(60), verdict: StatusPending,
			checks: map[string]Status{"new-issues/WEB-1/events_per_hour": StatusPending},
			reason: "not yet known whether above 30/h",
		},
		"pass_below still passes a quiet issue": {
			policy: policy(func(e *Environment) { e.NewIssues.PassBelow = 50 }),
			ev:     evidence(burst("1", at(45), 3, 20)), now: at(45), verdict: StatusPass,
			checks: map[string]Status{"new-issues/WEB-1/events_per_hour": StatusPass},
		},
		"users per hour": {
			policy: policy(func(e *Environment) { e.NewIssues.Thresholds = Thresholds{UsersPerHour: 5} }),
			ev: func() Evidence {
				is := burst("1", at(20), spread(30, 20)...)
				is.Users = 30
				return evidence(is)
			}(), now: at(20), verdict: StatusFail,
			checks: map[string]Status{"new-issues/WEB-1/users_per_hour": StatusFail},
		},
		"session share fails with enough sessions": {
			policy: policy(func(e *Environment) { e.NewIssues.Thresholds = Thresholds{SessionShare: 1} }),
			ev: func() Evidence {
				ev := evidence(burst("1", at(20), spread(60, 20)...))
				ev.Health = &Health{Release: SessionStats{Sessions: 1000, Users: 400}}
				return ev
			}(), now: at(20), verdict: StatusFail,
			checks: map[string]Status{"new-issues/WEB-1/session_share": StatusFail},
		},
		"session share without release health is skipped": {
			policy: policy(func(e *Environment) { e.NewIssues.Thresholds = Thresholds{SessionShare: 1, EventsPerHour: 30} }),
			ev:     evidence(burst("1", at(40), 0)), now: at(40), verdict: StatusPass,
			checks: map[string]Status{"new-issues/WEB-1/session_share": StatusSkipped, "new-issues/WEB-1": StatusPass},
		},
		"a regression with events fails when no threshold is set": {
			policy: policy(func(e *Environment) { e.NewIssues = nil; e.Regressions = &RegressionsPolicy{} }),
			ev: func() Evidence {
				ev := evidence()
				ev.Regressions = []Issue{burst("9", at(5), 2)}
				return ev
			}(), now: at(5), verdict: StatusFail,
			checks: map[string]Status{"regressions/WEB-9/count": StatusFail}, reason: "came back in this release: 1 event",
		},
		"a regression with a threshold is judged like a new issue": {
			policy: policy(func(e *Environment) { e.Regressions = &RegressionsPolicy{Thresholds{EventsPerHour: 30}} }),
			ev: func() Evidence {
				ev := evidence()
				ev.Regressions = []Issue{burst("9", at(40), 2)}
				return ev
			}(), now: at(40), verdict: StatusPass,
			checks: map[string]Status{"regressions/WEB-9/events_per_hour": StatusPass},
		},
		"pending at the deadline: on_timeout fail": {
			policy: policy(), ev: evidence(burst("1", at(120), spread(60, 120)...)), now: at(120), verdict: StatusFail,
			checks: map[string]Status{"new-issues/WEB-1": StatusPending}, reason: "decided by the deadline, not by the evidence: the deadline (2h after the start) passed while pending",
		},
		"pending at the deadline: on_timeout pass": {
			policy: policy(func(e *Environment) { e.OnTimeout = OutcomePass }),
			ev:     evidence(burst("1", at(120), spread(60, 120)...)), now: at(120), verdict: StatusPass,
			reason: "on_timeout is pass, so the gate passes",
		},
		"health floor fails a crashing release": {
			policy: policy(func(e *Environment) {
				e.NewIssues = nil
				e.Health = &HealthPolicy{CrashFreeSessions: &RateRule{Floor: 99}}
			}),
			ev: func() Evidence {
				ev := evidence()
				ev.Health = &Health{Release: SessionStats{Sessions: 2000, CrashedSessions: 80, Users: 900, CrashedUsers: 40}}
				return ev
			}(), now: at(10), verdict: StatusFail,
			checks: map[string]Status{"health/crash_free_sessions/floor": StatusFail}, reason: "below the floor of 99.00%",
		},
		"health waits for the minimum number of sessions": {
			policy: policy(func(e *Environment) {
				e.NewIssues = nil
				e.Health = &HealthPolicy{CrashFreeSessions: &RateRule{Floor: 99}}
			}),
			ev: func() Evidence {
				ev := evidence()
				ev.Health = &Health{Release: SessionStats{Sessions: 20, CrashedSessions: 20}}
				return ev
			}(), now: at(40), verdict: StatusPending,
			checks: map[string]Status{"health/crash_free_sessions": StatusPending}, reason: "20 sessions of the 50 needed",
		},
		"health drop against the baseline: a two-sample test": {
			policy: policy(func(e *Environment) {
				e.NewIssues = nil
				e.Health = &HealthPolicy{CrashFreeSessions: &RateRule{MaxDrop: 0.5}}
			}),
			ev: func() Evidence {
				ev := evidence()
				ev.Baseline = "web@1.0.0"
				ev.Health = &Health{Release: SessionStats{Sessions: 3000, CrashedSessions: 100}, Baseline: &SessionStats{Sessions: 10000, CrashedSessions: 50}}
				return ev
			}(), now: at(40), verdict: StatusFail,
			checks: map[string]Status{"health/crash_free_sessions/drop": StatusFail},
		},
		"a small drop on few sessions is not yet known": {
			policy: policy(func(e *Environment) {
				e.NewIssues = nil
				e.Health = &HealthPolicy{CrashFreeSessions: &RateRule{MaxDrop: 0.5}}
			}),
			ev: func() Evidence {
				ev := evidence()
				ev.Baseline = "web@1.0.0"
				ev.Health = &Health{Release: SessionStats{Sessions: 60, CrashedSessions: 1}, Baseline: &SessionStats{Sessions: 10000, CrashedSessions: 50}}
				return ev
			}(), now: at(40), verdict: StatusPending,
			checks: map[string]Status{"health/crash_free_sessions/drop": StatusPending},
		},
		"no baseline skips the drop, the floor still judges": {
			policy: policy(func(e *Environment) {
				e.NewIssues = nil
				e.Health = &HealthPolicy{CrashFreeSessions: &RateRule{Floor: 90, MaxDrop: 0.5}}
			}),
			ev: func() Evidence {
				ev := evidence()
				ev.Health = &Health{Release: SessionStats{Sessions: 3000, CrashedSessions: 3}}
				return ev
			}(), now: at(40), verdict: StatusPass,
			checks: map[string]Status{"health/crash_free_sessions/drop": StatusSkipped, "health/crash_free_sessions/floor": StatusPass},
		},
		"no release health skips the health check": {
			policy: policy(func(e *Environment) { e.Health = &HealthPolicy{CrashFreeUsers: &RateRule{Floor: 99}} }),
			ev:     evidence(), now: at(40), verdict: StatusPass,
			checks: map[string]Status{"health/crash_free_users": StatusSkipped, "health": StatusPass},
		},
		"missing context warns without blocking": {
			policy: policy(func(e *Environment) { e.Context = &ContextPolicy{Required: []string{"request_id", "tenant_id"}} }),
			ev: func() Evidence {
				ev := evidence()
				ev.Context = &ContextCoverage{Events: 200, With: map[string]int64{"request_id": 200, "tenant_id": 20}}
				return ev
			}(), now: at(40), verdict: StatusPass,
			checks: map[string]Status{"context": StatusWarn, "context/tenant_id": StatusWarn, "context/request_id": StatusPass},
		},
		"missing context fails when the policy says so": {
			policy: policy(func(e *Environment) {
				e.Context = &ContextPolicy{Required: []string{"tenant_id"}, Action: "fail"}
			}),
			ev: func() Evidence {
				ev := evidence()
				ev.Context = &ContextCoverage{Events: 200, With: map[string]int64{"tenant_id": 20}}
				return ev
			}(), now: at(10), verdict: StatusFail,
			checks: map[string]Status{"context/tenant_id": StatusFail}, reason: "tenant_id on 20 of 200 error events",
		},
		"checks combined: the first failure names the verdict": {
			policy: policy(func(e *Environment) {
				e.Regressions = &RegressionsPolicy{}
				e.Health = &HealthPolicy{CrashFreeSessions: &RateRule{Floor: 99}}
			}),
			ev: func() Evidence {
				ev := evidence(burst("1", at(40), 3))
				ev.Regressions = []Issue{burst("9", at(40), 5)}
				ev.Health = &Health{Release: SessionStats{Sessions: 5000, CrashedSessions: 5}}
				return ev
			}(), now: at(40), verdict: StatusFail,
			checks: map[string]Status{"new-issues": StatusPass, "regressions": StatusFail, "health": StatusPass},
			reason: "1 regression fails: WEB-9",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := Decide(tc.policy, tc.ev, tc.now)
			if d.Verdict != tc.verdict {
				t.Errorf("verdict = %s, want %s (reason: %s)", d.Verdict, tc.verdict, d.Reason)
			}
			for path, want := range tc.checks {
				c := find(d.Checks, strings.Split(path, "/")...)
				if c == nil {
					t.Errorf("no check %s in %s", path, names(d.Checks, ""))
					continue
				}
				if c.Status != want {
					t.Errorf("%s = %s, want %s (%s)", path, c.Status, want, c.Reason)
				}
			}
			if !strings.Contains(d.Reason, tc.reason) {
				t.Errorf("reason = %q, want it to contain %q", d.Reason, tc.reason)
			}
			if d.Release != "web@2.0.0" || d.Environment != "production" || !d.DecidedAt.Equal(tc.now) || !d.Start.Equal(t0) ||
				!d.SoakEnds.Equal(t0.Add(time.Duration(tc.policy.Soak))) || !d.Deadline.Equal(t0.Add(time.Duration(tc.policy.Deadline))) {
				t.Errorf("header = %+v", d)
			}
		})
	}
}

func names(checks []Check, prefix string) string {
	var out []string
	for _, c := range checks {
		out = append(out, prefix+c.Name)
		if s := names(c.Children, prefix+c.Name+"/"); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}

// The same issue, judged minute by minute: a steady 10 events/hour against a threshold of 30
// stays pending while young and passes once soaked; at 60/hour it fails as soon as the lower
// bound crosses the threshold and stays failed.
func TestDecideOverTime(t *testing.T) {
	t.Parallel()
	steady := func(perHour, minutes int) Issue {
		var at []int
		for m := 0; m < minutes; m++ {
			// perHour/60 events a minute, spread evenly.
			for i := (m * perHour) / 60; i < ((m+1)*perHour)/60; i++ {
				at = append(at, m)
			}
		}
		return burst("1", t0.Add(time.Duration(minutes)*time.Minute), at...)
	}
	trace := func(perHour int) string {
		var b strings.Builder
		last := Status("")
		for m := 1; m <= 60; m++ {
			d := Decide(policy(), evidence(steady(perHour, m)), t0.Add(time.Duration(m)*time.Minute))
			if d.Verdict != last {
				fmt.Fprintf(&b, "%dm:%s ", m, d.Verdict)
				last = d.Verdict
			}
		}
		return strings.TrimSpace(b.String())
	}
	if got := trace(10); got != "1m:pending 30m:pass" {
		t.Errorf("10 events/hour: %s, want pending then pass at the end of the soak", got)
	}
	got := trace(120)
	if !strings.HasPrefix(got, "1m:pending ") || strings.Count(got, ":") != 2 || !strings.Contains(got, ":fail") {
		t.Errorf("120 events/hour: %s, want pending then fail for good", got)
	}
	var failedAt int
	fmt.Sscanf(strings.Fields(got)[1], "%dm:fail", &failedAt)
	if failedAt > 15 {
		t.Errorf("120 events/hour failed only after %d minutes, want before the soak ends", failedAt)
	}
}

// Boundaries: a lower bound equal to the threshold does not fail, just above it does.
func TestDecideThresholdBoundary(t *testing.T) {
	t.Parallel()
	// Decide fails exactly when the anytime-valid fail test does, passes exactly when the pass
	// test does (after the soak), and the reported bounds say the same: the fail set is the
	// thresholds below the lower bound, the pass set those above the upper bound.
	for _, tc := range []struct {
		name string
		k    int
		age  time.Duration
	}{{"40 events in 10 minutes", 40, 10 * time.Minute}, {"40 events in 40 minutes", 40, 40 * time.Minute}, {"90 events in 2 hours", 90, 2 * time.Hour}} {
		at := t0.Add(tc.age)
		is := burst("1", at, spread(tc.k, int(tc.age/time.Minute))...)
		prev := StatusFail
		for th := 1.0; th <= 400; th *= 1.05 {
			d := Decide(policy(func(e *Environment) { e.NewIssues.EventsPerHour = th; e.Deadline = Duration(4 * time.Hour) }), evidence(is), at)
			r := SequentialRateTest(int64(tc.k), max(tc.age, minExposure), tc.age, th, th, 0.95)
			want := StatusPending
			switch {
			case r.Fail:
				want = StatusFail
			case r.Pass && tc.age >= 30*time.Minute:
				want = StatusPass
			}
			c := find(d.Checks, "new-issues", "WEB-1")
			if d.Verdict != want || (*c.Lower > th) != r.Fail || (*c.Upper < th) != r.Pass {
				t.Errorf("%s, threshold %.3g: %s with bounds %g–%g, want %s (%+v)", tc.name, th, d.Verdict, *c.Lower, *c.Upper, want, r)
			}
			// As the threshold rises, fail gives way to pending, pending to pass, never back.
			if statusRank(d.Verdict) < statusRank(prev) {
				t.Errorf("%s, threshold %.3g: %s after %s", tc.name, th, d.Verdict, prev)
			}
			prev = d.Verdict
		}
		if prev != StatusPass && tc.age >= 30*time.Minute {
			t.Errorf("%s: not passing even at 400/h", tc.name)
		}
	}
}

func TestDecideIssueNode(t *testing.T) {
	t.Parallel()
	is := burst("1", t0.Add(10*time.Minute), spread(40, 10)...)
	is.Owners = []string{"#checkout", "jane@example.com"}
	quiet := burst("2", t0.Add(10*time.Minute), 1)
	d := Decide(policy(), evidence(quiet, is), t0.Add(10*time.Minute))
	c := find(d.Checks, "new-issues")
	if len(c.Children) != 2 || c.Children[0].Name != "WEB-1" {
		t.Fatalf("children = %s, want the failing WEB-1 first", names(c.Children, ""))
	}
	node := c.Children[0]
	if node.Metric != MetricEventsPerHour || *node.Value != 240 || *node.Threshold != 30 || node.Window != "10m0s" || node.Confidence != 0.95 ||
		node.Lower == nil || node.Upper == nil || *node.Lower <= 30 {
		t.Errorf("WEB-1 node = %+v", node)
	}
	if len(c.Issues) != 1 || c.Issues[0].ShortID != "WEB-1" || len(c.Owners) != 2 || c.Owners[0] != "#checkout" {
		t.Errorf("new-issues lists issues %+v owners %v, want the failing WEB-1 and its owners", c.Issues, c.Owners)
	}
	if d.Chart == nil || len(d.Chart.Series) != 2 || d.Chart.Series[0].Name != "WEB-1" || d.Chart.Interval != "1m0s" {
		t.Errorf("chart = %+v, want WEB-1 then WEB-2 per minute", d.Chart)
	}
}

func TestDecideChartHasBaselineAndTopFive(t *testing.T) {
	t.Parallel()
	var issues []Issue
	for i := range 8 {
		issues = append(issues, burst(fmt.Sprint(i+1), t0.Add(20*time.Minute), spread(i+1, 20)...))
	}
	ev := evidence(issues...)
	ev.Baseline = "web@1.0.0"
	ev.BaselineSeries = []Bucket{{Start: t0.Add(-24 * time.Hour), Count: 4}, {Start: t0.Add(-24*time.Hour + time.Minute), Count: 2}}
	d := Decide(policy(), ev, t0.Add(20*time.Minute))
	var got []string
	for _, s := range d.Chart.Series {
		got = append(got, s.Name)
	}
	if want := "WEB-8 WEB-7 WEB-6 WEB-5 WEB-4 baseline"; strings.Join(got, " ") != want {
		t.Errorf("chart series = %v, want %s", got, want)
	}
	if d := Decide(policy(), evidence(), t0.Add(40*time.Minute)); d.Chart != nil {
		t.Errorf("chart with nothing to draw = %+v, want nil", d.Chart)
	}
}

func TestUndecided(t *testing.T) {
	t.Parallel()
	err := errors.New("GET /api/0/organizations/acme/issues/: 502 Bad Gateway")
	d := Undecided(policy(), "web@2.0.0", "production", t0, err)
	if d.Verdict != StatusFail || !strings.Contains(d.Reason, "502 Bad Gateway; on_error is fail, so the gate fails") ||
		len(d.Checks) != 1 || d.Checks[0].Name != CheckEvidence || d.Checks[0].Status != StatusFail {
		t.Errorf("on_error fail: %+v", d)
	}
	d = Undecided(policy(func(e *Environment) { e.OnError = OutcomePass }), "web@2.0.0", "", t0, err)
	if d.Verdict != StatusPass || d.Environment != "production" || !strings.Contains(d.Reason, "on_error is pass, so the gate passes") {
		t.Errorf("on_error pass: %+v", d)
	}
}

func TestMayMatter(t *testing.T) {
	t.Parallel()
	now := t0.Add(20 * time.Minute)
	p := policy(func(e *Environment) {
		e.NewIssues.Ignore = []IgnoreRule{{Level: "info"}, {Tag: "browser:Opera*"}}
		e.Regressions = &RegressionsPolicy{}
	})
	one := burst("1", now, 3)
	many := burst("2", now, spread(12, 20)...)
	info := many
	info.Level = "info"
	resolved := many
	resolved.Status = "resolved"
	tests := map[string]struct {
		is         Issue
		regression bool
		want       bool
	}{
		"one event in 20 minutes cannot reach 30/h":       {one, false, false},
		"12 events in 20 minutes could":                   {many, false, true},
		"ignored by level":                                {info, false, false},
		"resolved in Sentry":                              {resolved, false, false},
		"a regression without thresholds needs no series": {many, true, false},
	}
	for name, tc := range tests {
		if got := p.MayMatter(tc.is, tc.regression, t0, now); got != tc.want {
			t.Errorf("%s: MayMatter = %v, want %v", name, got, tc.want)
		}
	}
	// What MayMatter leaves out, Decide can never fail or hold pending on its own (after soak).
	for k := int64(0); k < 40; k++ {
		is := burst("1", now, 0)
		is.Series, is.Events, is.Users = nil, k, k
		late := t0.Add(45 * time.Minute)
		if !p.MayMatter(is, false, t0, late) {
			d := Decide(policy(), evidence(is), late)
			if c := find(d.Checks, "new-issues", "WEB-1"); c.Status != StatusPass {
				t.Errorf("%d events: MayMatter false but the issue is %s: %s", k, c.Status, c.Reason)
			}
		}
	}
}

// FuzzDecide: whatever the counts, times and thresholds, Decide gives a verdict its checks
// explain, and every rendering succeeds (JSON has no NaN or infinity to choke on).
func FuzzDecide(f *testing.F) {
	f.Add(int64(3), int64(1), int64(10), 30.0, int64(0), int64(0), int64(0), int64(0), int64(0))
	f.Add(int64(40), int64(40), int64(10), 30.0, int64(100), int64(5), int64(1000), int64(3), int64(200))
	f.Add(int64(0), int64(0), int64(-5), 0.001, int64(0), int64(1), int64(1), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, events, users, ageMin int64, threshold float64, sessions, crashed, baseSessions, baseCrashed, ctxEvents int64) {
		if threshold <= 0 || threshold > 1e9 || threshold != threshold || ageMin > 1e6 || ageMin < -1e6 {
			return
		}
		clamp := func(v int64) int64 { return max(0, min(v, 1e9)) }
		events, users, sessions, crashed, baseSessions, baseCrashed, ctxEvents =
			clamp(events), clamp(users), clamp(sessions), clamp(crashed), clamp(baseSessions), clamp(baseCrashed), clamp(ctxEvents)
		now := t0.Add(time.Duration(ageMin) * time.Minute)
		is := Issue{ID: "1", ShortID: "WEB-1", Title: "x", Level: "error", Status: "unresolved", Events: events, Users: users}
		ev := evidence(is)
		ev.Baseline = "web@1"
		ev.Health = &Health{Release: SessionStats{Sessions: sessions, CrashedSessions: min(crashed, sessions), Users: sessions, CrashedUsers: min(crashed, sessions)},
			Baseline: &SessionStats{Sessions: baseSessions, CrashedSessions: min(baseCrashed, baseSessions), Users: baseSessions, CrashedUsers: min(baseCrashed, baseSessions)}}
		ev.Context = &ContextCoverage{Events: ctxEvents, With: map[string]int64{"request_id": ctxEvents / 2}}
		p := policy(func(e *Environment) {
			e.NewIssues.Thresholds = Thresholds{EventsPerHour: threshold, UsersPerHour: threshold, SessionShare: min(threshold, 100)}
			e.Regressions = &RegressionsPolicy{}
			e.Health = &HealthPolicy{CrashFreeSessions: &RateRule{Floor: 99, MaxDrop: 0.5}, CrashFreeUsers: &RateRule{Floor: 99}}
			e.Context = &ContextPolicy{Required: []string{"request_id"}, Action: "fail"}
		})
		d := Decide(p, ev, now)
		has := map[Status]bool{}
		for _, c := range d.Checks {
			has[c.Status] = true
		}
		switch d.Verdict {
		case StatusFail:
			if !has[StatusFail] && !has[StatusPending] {
				t.Fatalf("fail with no failing or pending check: %+v", d)
			}
		case StatusPending:
			if !has[StatusPending] || has[StatusFail] {
				t.Fatalf("pending verdict with checks %v", has)
			}
		case StatusPass:
			if has[StatusFail] {
				t.Fatalf("pass with a failing check: %+v", d)
			}
		default:
			t.Fatalf("verdict %q", d.Verdict)
		}
		for _, format := range []string{"text", "json", "markdown", "github"} {
			if err := Render(io.Discard, d, format); err != nil {
				t.Fatalf("Render %s: %v", format, err)
			}
		}
	})
}

func TestTimedOut(t *testing.T) {
	t.Parallel()
	pending := Decide(policy(), evidence(), t0.Add(5*time.Minute))
	if pending.Verdict != StatusPending {
		t.Fatalf("fixture: %s, want pending", pending.Verdict)
	}
	tests := map[string]struct {
		onTimeout Outcome
		want      Status
		says      string
	}{
		"on_timeout fail": {OutcomeFail, StatusFail, "on_timeout is fail, so the gate fails"},
		"on_timeout pass": {OutcomePass, StatusPass, "on_timeout is pass, so the gate passes"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := policy(func(e *Environment) { e.OnTimeout = tc.onTimeout })
			d := TimedOut(p, pending, t0.Add(3*time.Hour), "the rule was requested 2h ago")
			if d.Verdict != tc.want || !strings.HasPrefix(d.Reason, ByDeadline+": the rule was requested 2h ago; ") ||
				!strings.Contains(d.Reason, tc.says) || !d.DecidedAt.Equal(t0.Add(3*time.Hour)) || len(d.Checks) != len(pending.Checks) {
				t.Errorf("TimedOut = %s %q at %s", d.Verdict, d.Reason, d.DecidedAt)
			}
		})
	}
	if d := TimedOut(policy(), Decision{}, t0, "never asked"); d.Environment != "production" || d.Verdict != StatusFail {
		t.Errorf("from nothing: %+v", d)
	}
}
