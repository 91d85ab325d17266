package protection

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/ghmarkdown"
)

// GitHub's limits on the review call (docs: "Approving or rejecting deployments").
const (
	// MaxStatusReports is how many comment-only reports one deployment may receive.
	MaxStatusReports = 10
	// MaxCommentLength is the longest comment a report or review may carry.
	MaxCommentLength = 1024
	// MaxWait is the longest GitHub is trusted to keep a rule waiting (it fails the job after
	// 30 days, and cancels a run after 35): the App decides by on_timeout before then.
	MaxWait = 29 * 24 * time.Hour
)

// Review states of the review call.
const (
	Approved = "approved"
	Rejected = "rejected"
)

// Rule is one deployment_protection_rule request.
type Rule struct {
	Repo        string // owner/name
	Environment string
	SHA, Ref    string
	RunID       int64
	RequestedAt time.Time
}

// Settings shape every plan.
type Settings struct {
	// Uncovered is the state a deployment no policy covers gets: Approved (the default) or
	// Rejected.
	Uncovered string
	// Recheck is how long to wait before looking at a pending gate again (default 1m).
	Recheck time.Duration
	// ReportEvery is the gap between the first two progress reports (default 10m); each later
	// gap is twice the one before.
	ReportEvery time.Duration
	// ReportURL links to the decision's page ("" when the service has no public URL).
	ReportURL string
}

// Situation is what is known when a plan is made. Exactly one of Uncovered, ConfigError and
// Decision describes the gate; Policy is set with Decision.
type Situation struct {
	Rule Rule
	Now  time.Time
	// Uncovered says why no policy covers the deployment ("" when one does).
	Uncovered string
	// ConfigError is a configuration the gate cannot run on: the policy file does not load,
	// Sentry refuses the token or does not know the organization, project or release.
	ConfigError error
	// Decision is the gate's evaluation; Policy the environment's policy that made it.
	Decision *gate.Decision
	Policy   *gate.Environment
	// Reports are the progress reports already posted, oldest first.
	Reports []Report
}

// Report is one posted progress report.
type Report struct {
	At     time.Time
	Reason string
}

// Plan is what to do now.
type Plan struct {
	// State is Approved or Rejected when the rule is decided now, "" otherwise.
	State string
	// Comment is the review's comment, or a progress report's when State is "" (empty: post
	// nothing now). At most MaxCommentLength characters.
	Comment string
	// Next is when to look again (zero: never; the rule is decided).
	Next time.Time
	// Deadline is the latest time the rule may stay pending.
	Deadline time.Time
	// Outcome names the path taken, for logs and metrics: pass, fail, deadline, uncovered,
	// config_error, pending.
	Outcome string
	// Decision is the decision the plan stands on (the gate's, or the one the deadline made);
	// nil for uncovered deployments and configuration errors.
	Decision *gate.Decision
	// Check is what the check run on the commit shows.
	Check CheckRun
}

// CheckRun is the check run's state: Conclusion "" while in progress.
type CheckRun struct {
	Name, Title, Conclusion string
}

// Decide plans the next step for a rule.
func Decide(s Situation, set Settings) Plan {
	set = set.withDefaults()
	check := "releasegate / " + s.Rule.Environment
	if s.ConfigError == nil && s.Uncovered == "" && (s.Decision == nil || s.Policy == nil) {
		// A caller's mistake must still end in a safe answer, never in an approval.
		s.ConfigError = errors.New("internal error: the gate was not evaluated (please report this)")
	}
	switch {
	case s.ConfigError != nil:
		return Plan{
			State: Rejected, Outcome: "config_error",
			Comment: fit(fmt.Sprintf("**releasegate rejected this deployment: the gate is misconfigured.** %s\n\nFix it and re-run the job: releasegate never approves a deployment it cannot judge.", ghmarkdown.Text(oneLine(s.ConfigError.Error()))), set.ReportURL),
			Check:   CheckRun{Name: check, Title: "Misconfigured: the gate could not run", Conclusion: "failure"},
		}
	case s.Uncovered != "":
		state, verb := Approved, "approved"
		conclusion := "neutral"
		if set.Uncovered == Rejected {
			state, verb, conclusion = Rejected, "rejected", "failure"
		}
		return Plan{
			State: state, Outcome: "uncovered",
			Comment: fit(fmt.Sprintf("**releasegate %s this deployment without a gate:** %s. To gate `%s`, add it under `environments:` in `.github/releasegate.yml` (docs/gate-policy.md).",
				verb, strings.TrimSuffix(ghmarkdown.Text(oneLine(s.Uncovered)), "."), ghmarkdown.Code(s.Rule.Environment)), set.ReportURL),
			Check: CheckRun{Name: check, Title: "No gate policy covers " + s.Rule.Environment, Conclusion: conclusion},
		}
	}
	d := *s.Decision
	deadline := deadlineOf(s, d)
	if d.Verdict == gate.StatusPending && !s.Now.Before(deadline) {
		why := fmt.Sprintf("the rule waited from %s to its deadline %s while the gate was pending (%s)",
			stamp(s.Rule.RequestedAt), stamp(deadline), strings.TrimSuffix(d.Reason, "."))
		d = gate.TimedOut(s.Policy, d, s.Now, why)
		return decided(d, set, check, deadline, "deadline")
	}
	if d.Verdict != gate.StatusPending {
		outcome := string(d.Verdict)
		if strings.HasPrefix(d.Reason, gate.ByDeadline) {
			outcome = "deadline"
		}
		return decided(d, set, check, deadline, outcome)
	}
	p := Plan{
		Outcome: "pending", Deadline: deadline, Decision: &d,
		Next:  minTime(s.Now.Add(set.Recheck), deadline),
		Check: CheckRun{Name: check, Title: "Pending: " + title(d.Reason)},
	}
	if shouldReport(s, set) {
		p.Comment = fit(fmt.Sprintf("**releasegate is watching `%s`:** pending — %s.\n\nLooking again every %s; decides by %s at the latest (on_timeout: %s).",
			ghmarkdown.Code(d.Release), strings.TrimSuffix(ghmarkdown.Text(oneLine(d.Reason)), "."), durationText(set.Recheck), stamp(deadline), onTimeout(s.Policy)), set.ReportURL)
	}
	return p
}

// decided is the plan of a decision the gate (or the deadline) made.
func decided(d gate.Decision, set Settings, check string, deadline time.Time, outcome string) Plan {
	state, verb, conclusion := Approved, "passed", "success"
	if d.Verdict == gate.StatusFail {
		state, verb, conclusion = Rejected, "failed", "failure"
	}
	where := "`" + ghmarkdown.Code(d.Environment) + "`"
	if d.EvidenceEnvironment != "" {
		where += " (judged by its life in `" + ghmarkdown.Code(d.EvidenceEnvironment) + "`)"
	}
	comment := fmt.Sprintf("**releasegate: `%s` %s the gate for %s.** %s.", ghmarkdown.Code(d.Release), verb, where, strings.TrimSuffix(ghmarkdown.Text(oneLine(d.Reason)), "."))
	if lines := failingIssues(d.Checks, 3); len(lines) > 0 {
		comment += "\n\n" + strings.Join(lines, "\n")
	}
	return Plan{
		State: state, Outcome: outcome, Deadline: deadline, Decision: &d,
		Comment: fit(comment, set.ReportURL),
		Check:   CheckRun{Name: check, Title: titleCase(verb) + ": " + title(d.Reason), Conclusion: conclusion},
	}
}

// deadlineOf is the latest time the rule may stay pending: the gate's own deadline (from the
// release's start), but never later than the policy's deadline counted from the request (a
// release that never starts must not keep the rule open), nor than MaxWait.
func deadlineOf(s Situation, d gate.Decision) time.Time {
	pol := s.Policy.WithDefaults()
	deadline := s.Rule.RequestedAt.Add(time.Duration(pol.Deadline))
	if !d.Deadline.IsZero() && d.Deadline.Before(deadline) {
		deadline = d.Deadline
	}
	return minTime(deadline, s.Rule.RequestedAt.Add(MaxWait))
}

// shouldReport says whether a progress report is due: on the first pending look, then with
// gaps that double (ReportEvery, 2×, 4×, …), so the reports cover a long wait without reaching
// GitHub's limit; one report stays in reserve.
func shouldReport(s Situation, set Settings) bool {
	n := len(s.Reports)
	switch {
	case n == 0:
		return true
	case n >= MaxStatusReports-1:
		return false
	}
	gap := set.ReportEvery << (n - 1)
	return !s.Now.Before(s.Reports[n-1].At.Add(gap))
}

func (set Settings) withDefaults() Settings {
	if set.Uncovered == "" {
		set.Uncovered = Approved
	}
	if set.Recheck <= 0 {
		set.Recheck = time.Minute
	}
	if set.ReportEvery <= 0 {
		set.ReportEvery = 10 * time.Minute
	}
	return set
}
