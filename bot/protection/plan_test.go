package protection

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/releasegate/releasegate/gate"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/plans with the current output")

var t0 = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func at(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

// policy: production, judged by staging's evidence, soak 30m, deadline 2h, 30 events/hour.
func policy(edit ...func(*gate.Environment)) *gate.Environment {
	e := &gate.Environment{
		Name: "production", Projects: []string{"web"}, Evidence: "staging",
		Soak: gate.Duration(30 * time.Minute), Deadline: gate.Duration(2 * time.Hour),
		NewIssues: &gate.NewIssuesPolicy{Thresholds: gate.Thresholds{EventsPerHour: 30}},
	}
	for _, f := range edit {
		f(e)
	}
	return e
}

// issue has n events spread over the first span minutes after t0, with a per-minute series up
// to now.
func issue(id string, now time.Time, n, span int) gate.Issue {
	is := gate.Issue{ID: id, ShortID: "WEB-" + id, Project: "web", Title: "TypeError: Cannot read properties of undefined (reading 'total')",
		Level: "error", Status: "unresolved", FirstSeen: t0, Interval: time.Minute, Tags: map[string]string{},
		Permalink: "https://acme.sentry.io/issues/" + id + "/", Owners: []string{"#checkout"}}
	for m := 0; at(m).Before(now); m++ {
		is.Series = append(is.Series, gate.Bucket{Start: at(m)})
	}
	for i := range n {
		is.Series[i*span/n].Count++
		is.Events++
	}
	is.Users = is.Events / 2
	return is
}

// decide is the gate's real decision on evidence started at t0.
func decide(p *gate.Environment, now time.Time, issues ...gate.Issue) *gate.Decision {
	ev := gate.Evidence{Release: "web@2f6c1a9", Environment: "staging", Start: t0, Deployed: true, NewIssues: issues, Interval: time.Minute}
	d := gate.Decide(p, ev, now)
	return &d
}

func rule(requested time.Time) Rule {
	return Rule{Repo: "acme/web", Environment: "production", SHA: "2f6c1a9e0b7d4c3f", Ref: "main", RunID: 4242, RequestedAt: requested}
}

var settings = Settings{ReportURL: "https://gate.example.com/decisions/7?sig=abc"}

func TestDecideGolden(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a very long reason ", 120)
	many := []gate.Issue{}
	for i := range 6 {
		many = append(many, issue(fmt.Sprint(i+1), at(10), 40, 10))
	}
	tests := map[string]struct {
		s    Situation
		set  Settings
		want Plan // the fields a golden file cannot show at a glance
	}{
		"pass": {
			s:    Situation{Rule: rule(at(0)), Now: at(40), Policy: policy(), Decision: decide(policy(), at(40))},
			want: Plan{State: Approved, Outcome: "pass"},
		},
		"fail names the issue and owner": {
			s:    Situation{Rule: rule(at(0)), Now: at(10), Policy: policy(), Decision: decide(policy(), at(10), issue("12", at(10), 40, 10))},
			want: Plan{State: Rejected, Outcome: "fail"},
		},
		"fail with many issues lists three": {
			s:    Situation{Rule: rule(at(0)), Now: at(10), Policy: policy(), Decision: decide(policy(), at(10), many...)},
			want: Plan{State: Rejected, Outcome: "fail"},
		},
		"first pending look reports": {
			s:    Situation{Rule: rule(at(5)), Now: at(10), Policy: policy(), Decision: decide(policy(), at(10))},
			want: Plan{Outcome: "pending", Next: at(11)},
		},
		"pending soon after a report stays quiet": {
			s:    Situation{Rule: rule(at(5)), Now: at(12), Policy: policy(), Decision: decide(policy(), at(12)), Reports: []Report{{At: at(10)}}},
			want: Plan{Outcome: "pending", Next: at(13)},
		},
		"the rule's deadline comes before the gate's: on_timeout fails": {
			// Requested an hour before the release started in staging: the rule's own
			// deadline (2h from the request) ends the wait before the gate's would.
			s:    Situation{Rule: rule(at(-60)), Now: at(61), Policy: policy(), Decision: decide(policy(), at(61), issue("3", at(61), 30, 61))},
			want: Plan{State: Rejected, Outcome: "deadline"},
		},
		"a release that never starts cannot hold the rule past the request's deadline": {
			// The gate counts its deadline from the release's start; the release has not
			// started, so the start is always now. The rule's own deadline ends the wait.
			s: Situation{Rule: rule(at(0)), Now: at(121), Policy: policy(func(e *gate.Environment) { e.OnTimeout = gate.OutcomePass }),
				Decision: func() *gate.Decision {
					d := gate.Decide(policy(), gate.Evidence{Release: "web@2f6c1a9", Environment: "staging", Interval: time.Minute}, at(121))
					return &d
				}()},
			want: Plan{State: Approved, Outcome: "deadline"},
		},
		"the gate decided by its deadline": {
			s:    Situation{Rule: rule(at(0)), Now: at(130), Policy: policy(), Decision: decide(policy(), at(130), issue("3", at(130), 65, 130))},
			want: Plan{State: Rejected, Outcome: "deadline"},
		},
		"configuration error rejects": {
			s: Situation{Rule: rule(at(0)), Now: at(1),
				ConfigError: errors.New(".github/releasegate.yml:14: environments.production.new_issues.event_per_hour: unknown key; did you mean events_per_hour?")},
			want: Plan{State: Rejected, Outcome: "config_error"},
		},
		"uncovered approves by default": {
			s:    Situation{Rule: rule(at(0)), Now: at(1), Uncovered: ".github/releasegate.yml has no environment production"},
			want: Plan{State: Approved, Outcome: "uncovered"},
		},
		"uncovered rejects when configured": {
			s:    Situation{Rule: rule(at(0)), Now: at(1), Uncovered: "no .github/releasegate.yml at 2f6c1a9 and no default in acme/.github"},
			set:  Settings{Uncovered: Rejected},
			want: Plan{State: Rejected, Outcome: "uncovered"},
		},
		"nothing evaluated is never an approval": {
			s:    Situation{Rule: rule(at(0)), Now: at(1)},
			want: Plan{State: Rejected, Outcome: "config_error"},
		},
		"a long reason is cut, the link kept": {
			s:    Situation{Rule: rule(at(0)), Now: at(1), ConfigError: errors.New(long)},
			want: Plan{State: Rejected, Outcome: "config_error"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			set := settings
			if tc.set.Uncovered != "" {
				set.Uncovered = tc.set.Uncovered
			}
			p := Decide(tc.s, set)
			if p.State != tc.want.State || p.Outcome != tc.want.Outcome || !p.Next.Equal(tc.want.Next) {
				t.Errorf("state %q outcome %q next %s; want %q %q %s", p.State, p.Outcome, p.Next, tc.want.State, tc.want.Outcome, tc.want.Next)
			}
			if n := utf8.RuneCountInString(p.Comment); n > MaxCommentLength {
				t.Errorf("comment has %d characters, more than %d", n, MaxCommentLength)
			}
			if p.State != "" && p.Comment == "" {
				t.Error("a review without a comment")
			}
			if p.Comment != "" && !strings.HasSuffix(p.Comment, "[Full report]("+settings.ReportURL+")") {
				t.Errorf("comment does not end with the report link:\n%s", p.Comment)
			}
			golden(t, name, render(p))
		})
	}
}

// render shows a plan as a person reviews it.
func render(p Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "state: %q\noutcome: %s\n", p.State, p.Outcome)
	if !p.Next.IsZero() {
		fmt.Fprintf(&b, "next: %s\n", p.Next.Format(time.RFC3339))
	}
	if !p.Deadline.IsZero() {
		fmt.Fprintf(&b, "deadline: %s\n", p.Deadline.Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "check: %s | %s | %q\n", p.Check.Name, p.Check.Title, p.Check.Conclusion)
	fmt.Fprintf(&b, "comment (%d characters):\n%s\n", utf8.RuneCountInString(p.Comment), p.Comment)
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	file := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(name))
	path := filepath.Join("testdata", "plans", file+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot/protection -update to write it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (run with -update if the change is intended):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// TestReportsStayWithinLimits looks at a gate that stays pending for GitHub's whole 30 days,
// every minute, and counts the reports: never more than GitHub allows, one kept in reserve,
// and the rule decided by the deadline before GitHub gives up.
func TestReportsStayWithinLimits(t *testing.T) {
	t.Parallel()
	p := policy(func(e *gate.Environment) { e.Deadline = gate.Duration(40 * 24 * time.Hour) })
	s := Situation{Rule: rule(t0), Policy: p}
	var decidedAt time.Time
	for now := t0; now.Before(t0.Add(31 * 24 * time.Hour)); {
		s.Now = now
		s.Decision = &gate.Decision{Verdict: gate.StatusPending, Release: "web@2f6c1a9", Environment: "production",
			Reason: fmt.Sprintf("%d events so far", now.Sub(t0)/time.Hour), Start: t0, Deadline: t0.Add(40 * 24 * time.Hour)}
		plan := Decide(s, Settings{})
		if plan.State != "" {
			decidedAt = now
			if plan.Outcome != "deadline" || plan.State != Rejected {
				t.Fatalf("decided %s by %s, want rejected by the deadline", plan.State, plan.Outcome)
			}
			break
		}
		if plan.Comment != "" {
			s.Reports = append(s.Reports, Report{At: now, Reason: plan.Decision.Reason})
		}
		if !plan.Next.After(now) {
			t.Fatalf("next look %s is not after %s", plan.Next, now)
		}
		now = plan.Next
	}
	if decidedAt.IsZero() || decidedAt.After(t0.Add(MaxWait)) {
		t.Fatalf("decided at %s, want by %s", decidedAt, t0.Add(MaxWait))
	}
	if n := len(s.Reports); n != MaxStatusReports-1 {
		t.Errorf("%d progress reports over 29 days, want %d (the limit less one in reserve)", n, MaxStatusReports-1)
	}
	for i := 1; i < len(s.Reports); i++ {
		if gap := s.Reports[i].At.Sub(s.Reports[i-1].At); gap < 10*time.Minute {
			t.Errorf("reports %d and %d only %s apart", i-1, i, gap)
		}
	}
}

// FuzzFit: whatever the text, the comment fits GitHub's limit and keeps the link whole.
func FuzzFit(f *testing.F) {
	f.Add("short", "https://gate.example.com/d/1")
	f.Add(strings.Repeat("é", 2000), "")
	f.Add(strings.Repeat("x", 1023), "https://x")
	f.Fuzz(func(t *testing.T, text, url string) {
		if utf8.RuneCountInString(url) > 200 || !utf8.ValidString(text) {
			return
		}
		got := fit(text, url)
		if n := utf8.RuneCountInString(got); n > MaxCommentLength {
			t.Fatalf("%d characters", n)
		}
		if url != "" && !strings.HasSuffix(got, "[Full report]("+url+")") {
			t.Fatalf("link lost: %q", got)
		}
	})
}
