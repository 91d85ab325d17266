package gate

import (
	"cmp"
	"fmt"
	"math"
	"path"
	"slices"
	"strings"
	"time"
)

// minExposure is the shortest time the fail test measures a rate over: events seen in the
// first minutes of a release are spread over at least this long. A burst of a few events in
// the first seconds is not a Poisson stream and would otherwise read as thousands per hour;
// time not yet observed counts as time without events, which can only delay a failure, never
// cause one. The pass test uses the true age (a longer exposure would make passing easier).
const minExposure = 10 * time.Minute

// chartTopIssues is how many new issues the report's chart draws.
const chartTopIssues = 5

// Check names at the top of the decision tree.
const (
	CheckNewIssues   = "new-issues"
	CheckRegressions = "regressions"
	CheckHealth      = "health"
	CheckContext     = "context"
	CheckEvidence    = "evidence"
)

// Metrics, as Check.Metric names them. Rates are per hour; shares and crash-free rates are
// fractions in [0, 1]; a drop is a difference of fractions (0.004 is 0.4 percentage points).
const (
	MetricEventsPerHour     = "events_per_hour"
	MetricUsersPerHour      = "users_per_hour"
	MetricSessionShare      = "session_share"
	MetricCount             = "count"
	MetricCrashFreeSessions = "crash_free_sessions"
	MetricCrashFreeUsers    = "crash_free_users"
	MetricCrashFreeDrop     = "crash_free_sessions_drop"
	MetricCrashFreeUserDrop = "crash_free_users_drop"
	MetricContextShare      = "context_share"
)

// MayMatter reports whether an issue, from its totals alone, could fail a check of the policy
// or keep it pending: the adapter fetches per-interval counts (and the tags ignore rules name)
// only for such issues, so the requests do not grow with the number of harmless issues.
//
// An issue may matter unless it is ignored by a title or level rule, resolved or archived in
// Sentry, or every rate already passes the anytime-valid test Decide applies (SequentialRateTest
// on the totals since the start, which is all Decide uses): such an issue passes at this look
// and at every later one with the same counts. A regression with no thresholds fails on its
// count, which needs no series.
func (e *Environment) MayMatter(is Issue, regression bool, start, now time.Time) bool {
	if !counted(is) {
		return false
	}
	pol := e.WithDefaults()
	th, ok := pol.thresholdsFor(is, regression)
	if !ok {
		return false
	}
	if !regression && pol.NewIssues != nil && ignoredBy(pol.NewIssues.Ignore, is, false) >= 0 {
		return false
	}
	if !th.rates() {
		return false // a count: the totals decide
	}
	span := spanOf(start, now)
	conf := pol.Confidence
	if th.EventsPerHour > 0 && !span.rate(is.Events, th.healthy(th.EventsPerHour), th.EventsPerHour, conf).Pass {
		return true
	}
	if th.UsersPerHour > 0 && !span.rate(is.Users, th.healthy(th.UsersPerHour), th.UsersPerHour, conf).Pass {
		return true
	}
	// Session share needs the release's sessions, which come later: it may matter.
	return th.SessionShare > 0
}

// thresholdsFor returns the thresholds judging is, and false when no check judges it.
func (e *Environment) thresholdsFor(is Issue, regression bool) (Thresholds, bool) {
	if regression {
		if e.Regressions == nil {
			return Thresholds{}, false
		}
		return e.Regressions.Thresholds, true
	}
	if e.NewIssues == nil {
		return Thresholds{}, false
	}
	if is.Unhandled && e.NewIssues.Unhandled != nil {
		return *e.NewIssues.Unhandled, true
	}
	return e.NewIssues.Thresholds, true
}

// counted says whether an issue's status lets it count: issues resolved or archived in Sentry
// are reported, not counted (someone has already decided about them).
func counted(is Issue) bool {
	return is.Status != "resolved" && is.Status != "ignored" && is.Status != "archived"
}

// ignoredBy returns the index of the first rule that ignores is, or -1. With useTags false,
// rules on tags are not tried (the tags are not known yet).
func ignoredBy(rules []IgnoreRule, is Issue, useTags bool) int {
	for i, r := range rules {
		if r.Tag != "" && !useTags {
			continue
		}
		if r.Title != "" && !globMatch(r.Title, is.Title) {
			continue
		}
		if r.Level != "" && r.Level != is.Level {
			continue
		}
		if r.Tag != "" {
			key, glob, _ := strings.Cut(r.Tag, ":")
			v, ok := is.Tags[key]
			if !ok || !globMatch(glob, v) {
				continue
			}
		}
		return i
	}
	return -1
}

// MatchGlob reports whether s matches pattern in the syntax of the policy's ignore rules
// (path.Match's, with * and ? matching '/' too), for other configuration that matches issues
// the same way (the triage bot's playbooks). A malformed pattern matches nothing.
func MatchGlob(pattern, s string) bool { return globMatch(pattern, s) }

// globMatch matches with path.Match's syntax, except that * and ? also match '/': titles and
// tag values are not paths ("GET /api/*" must match "GET /api/users/1").
func globMatch(pattern, s string) bool {
	ok, err := path.Match(strings.ReplaceAll(pattern, "/", "\x00"), strings.ReplaceAll(s, "/", "\x00"))
	return err == nil && ok
}

// readable rounds a duration for a sentence: to the minute from two minutes on.
func readable(d time.Duration) time.Duration {
	if d >= 2*time.Minute {
		return d.Round(time.Minute)
	}
	return d.Round(time.Second)
}

// span is the release's age at one moment.
type span struct {
	start, now time.Time
	age        time.Duration // now − start, at least 0
}

func spanOf(start, now time.Time) span {
	return span{start: start, now: now, age: max(now.Sub(start), 0)}
}

// failExposure is the exposure the fail test divides by: the age, at least minExposure.
func (s span) failExposure() time.Duration { return max(s.age, minExposure) }

// rate judges k events since the start with the anytime-valid tests (fail above healthy, pass
// below threshold): the decision holds at this look and at every other, however often the
// gate is asked.
func (s span) rate(k int64, healthy, threshold, confidence float64) SequentialRate {
	return SequentialRateTest(k, s.failExposure(), s.age, healthy, threshold, confidence)
}

// Decide judges the evidence about a release against the policy of one environment, at now.
// p should come from Policy.Environment; the defaults of anything it leaves zero apply.
func Decide(p *Environment, ev Evidence, now time.Time) Decision {
	pol := p.WithDefaults()
	now = now.UTC()
	start := ev.Start.UTC()
	if start.IsZero() {
		start = now
	}
	d := Decision{
		Release:     ev.Release,
		Environment: pol.Name,
		Baseline:    ev.Baseline,
		DecidedAt:   now,
		Start:       start,
		SoakEnds:    start.Add(time.Duration(pol.Soak)),
		Deadline:    start.Add(time.Duration(pol.Deadline)),
		Requests:    ev.Requests,
		ReleaseURL:  ev.ReleaseURL,
	}
	if ev.Environment != "" && ev.Environment != pol.Name {
		d.EvidenceEnvironment = ev.Environment
	}
	j := judge{pol: &pol, ev: &ev, now: now, span: spanOf(start, now), soaked: !now.Before(d.SoakEnds)}
	if pol.NewIssues != nil {
		d.Checks = append(d.Checks, j.issues(CheckNewIssues, ev.NewIssues, false))
	}
	if pol.Regressions != nil {
		d.Checks = append(d.Checks, j.issues(CheckRegressions, ev.Regressions, true))
	}
	if pol.Health != nil {
		d.Checks = append(d.Checks, j.health())
	}
	if pol.Context != nil {
		d.Checks = append(d.Checks, j.context())
	}
	d.Verdict, d.Reason = j.verdict(d)
	d.Chart = chart(d.Checks, ev)
	return d
}

// Undecided is the decision when the evidence could not be gathered: the policy's on_error
// decides, and the report says why.
func Undecided(p *Environment, release, environment string, now time.Time, err error) Decision {
	pol := p.WithDefaults()
	verdict := StatusFail
	if pol.OnError == OutcomePass {
		verdict = StatusPass
	}
	if environment == "" {
		environment = pol.Name
	}
	why := "Sentry could not be asked"
	if err != nil {
		why += ": " + err.Error()
	}
	return Decision{
		Verdict:     verdict,
		Release:     release,
		Environment: environment,
		DecidedAt:   now.UTC(),
		Reason:      fmt.Sprintf("%s; on_error is %s, so the gate %s", why, pol.OnError, passesOrFails(verdict)),
		Checks: []Check{{
			Name:   CheckEvidence,
			Status: verdict,
			Reason: why + "; on_error is " + string(pol.OnError),
		}},
	}
}

func passesOrFails(s Status) string {
	if s == StatusPass {
		return "passes"
	}
	return "fails"
}

// judge holds what every check of one decision needs.
type judge struct {
	pol    *Environment
	ev     *Evidence
	now    time.Time
	span   span
	soaked bool
}

func (j *judge) conf() float64 { return j.pol.Confidence }

// ByDeadline opens the reason of every verdict on_timeout decided, in every report: the
// evidence did not settle the question, the clock did.
const ByDeadline = "decided by the deadline, not by the evidence"

// verdict combines the top-level checks: any failure fails; anything pending keeps the gate
// pending until the deadline, when on_timeout decides; warnings never block.
func (j *judge) verdict(d Decision) (Status, string) {
	var failed, pending []Check
	for _, c := range d.Checks {
		switch c.Status {
		case StatusFail:
			failed = append(failed, c)
		case StatusPending:
			pending = append(pending, c)
		}
	}
	switch {
	case len(failed) > 0:
		return StatusFail, failed[0].Reason
	case len(pending) > 0:
		why := pending[0].Reason
		if j.now.Before(d.Deadline) {
			return StatusPending, why
		}
		out := StatusFail
		if j.pol.OnTimeout == OutcomePass {
			out = StatusPass
		}
		return out, fmt.Sprintf(ByDeadline+": the deadline (%s after the start) passed while pending (%s); on_timeout is %s, so the gate %s",
			policyDurationText(time.Duration(j.pol.Deadline)), why, j.pol.OnTimeout, passesOrFails(out))
	case len(d.Checks) == 0:
		return StatusPass, "the policy configures no checks"
	}
	return StatusPass, fmt.Sprintf("every check passed after a soak of %s", policyDurationText(time.Duration(j.pol.Soak)))
}

// group is the status of a top-level check from its children: a failure fails; a pending
// child, or a soak not yet over, keeps it pending; a warning warns; else it passes. Children
// that are skipped or warn never block. blocking false (a warn-only check) never fails or
// holds.
func (j *judge) group(children []Check) Status {
	has := map[Status]bool{}
	for _, c := range children {
		has[c.Status] = true
	}
	switch {
	case has[StatusFail]:
		return StatusFail
	case has[StatusPending] || !j.soaked:
		return StatusPending
	case has[StatusWarn]:
		return StatusWarn
	}
	return StatusPass
}

func (j *judge) soakLeft() string {
	return fmt.Sprintf("the soak ends at %s (in %s)", j.span.start.Add(time.Duration(j.pol.Soak)).Format("15:04 UTC"),
		policyDurationText(j.span.start.Add(time.Duration(j.pol.Soak)).Sub(j.now)))
}

// issues judges new issues or regressions.
func (j *judge) issues(name string, list []Issue, regression bool) Check {
	what := "new issue"
	if regression {
		what = "regression"
	}
	c := Check{Name: name, Issues: []IssueRef{}, Owners: []string{}, Children: []Check{}}
	for _, is := range list {
		c.Children = append(c.Children, j.issue(is, regression))
	}
	slices.SortStableFunc(c.Children, func(a, b Check) int {
		if r := cmp.Compare(statusRank(a.Status), statusRank(b.Status)); r != 0 {
			return r
		}
		return cmp.Or(cmp.Compare(b.Issues[0].Events, a.Issues[0].Events), cmp.Compare(a.Name, b.Name))
	})
	var failing, pending []Check
	counts := map[Status]int{}
	for _, ch := range c.Children {
		counts[ch.Status]++
		switch ch.Status {
		case StatusFail:
			failing = append(failing, ch)
			c.Issues = append(c.Issues, ch.Issues[0])
			for _, o := range ch.Owners {
				if !slices.Contains(c.Owners, o) {
					c.Owners = append(c.Owners, o)
				}
			}
		case StatusPending:
			pending = append(pending, ch)
		}
	}
	c.Status = j.group(c.Children)
	judged := len(list) - counts[StatusSkipped]
	switch {
	case c.Status == StatusFail:
		c.Reason = fmt.Sprintf("%s %s: %s", plural(len(failing), what), failsVerb(regression, len(failing)), failing[0].Reason)
		if len(failing) > 1 {
			c.Reason += fmt.Sprintf(" (and %d more)", len(failing)-1)
		}
	case len(pending) > 0:
		c.Reason = fmt.Sprintf("%s not decided yet: %s", plural(len(pending), what), pending[0].Reason)
	case c.Status == StatusPending && judged == 0:
		c.Reason = fmt.Sprintf("no %s so far; %s", pluralWord(what), j.soakLeft())
	case c.Status == StatusPending:
		c.Reason = fmt.Sprintf("%s so far, none above the thresholds; %s", plural(judged, "counted "+what), j.soakLeft())
	case judged == 0:
		c.Reason = fmt.Sprintf("no %s after a soak of %s", pluralWord(what), policyDurationText(time.Duration(j.pol.Soak)))
	default:
		each := "each "
		if judged == 1 {
			each = ""
		}
		c.Reason = fmt.Sprintf("%s, %sbelow the thresholds with %s confidence", plural(judged, "counted "+what), each, percentText(j.conf()))
	}
	if n := counts[StatusSkipped]; n > 0 {
		c.Reason += fmt.Sprintf("; %d ignored, resolved or archived", n)
	}
	return c
}

func failsVerb(regression bool, n int) string {
	switch {
	case regression && n == 1:
		return "fails"
	case regression:
		return "fail"
	case n == 1:
		return "is high-frequency"
	}
	return "are high-frequency"
}

// issue judges one issue: a child per metric, the issue's status from them.
func (j *judge) issue(is Issue, regression bool) Check {
	ref := issueRef(is)
	c := Check{Name: cmp.Or(is.ShortID, is.ID), Issues: []IssueRef{ref}, Owners: ref.Owners, Children: []Check{}}
	if !counted(is) {
		c.Status = StatusSkipped
		c.Reason = fmt.Sprintf("%s in Sentry: reported, not counted", is.Status)
		return c
	}
	if !regression && j.pol.NewIssues != nil {
		if i := ignoredBy(j.pol.NewIssues.Ignore, is, true); i >= 0 {
			c.Status = StatusSkipped
			c.Reason = fmt.Sprintf("ignored by new_issues.ignore[%d] (%s)", i, ruleText(j.pol.NewIssues.Ignore[i]))
			return c
		}
	}
	th, _ := j.pol.thresholdsFor(is, regression)
	label := ""
	if !regression && is.Unhandled && j.pol.NewIssues.Unhandled != nil {
		label = "unhandled "
	}
	if !th.rates() {
		// A regression with no thresholds: any event fails it.
		m := Check{Name: MetricCount, Metric: MetricCount, Value: ptr(float64(is.Events)), Threshold: ptr(0.0), Window: policyDurationText(j.span.age), Issues: []IssueRef{}, Owners: []string{}, Children: []Check{}}
		if is.Events > 0 {
			m.Status = StatusFail
			m.Reason = fmt.Sprintf("%s %s came back in this release: %s since the start (the policy allows none)", c.Name, quoteTitle(is.Title), plural(int(is.Events), "event"))
		} else {
			m.Status = StatusPass
			m.Reason = "no events in this release"
		}
		c.Children = append(c.Children, m)
	}
	since := policyDurationText(readable(j.span.age))
	if th.EventsPerHour > 0 {
		c.Children = append(c.Children, j.above(MetricEventsPerHour, j.span.rate(is.Events, th.healthy(th.EventsPerHour), th.EventsPerHour, j.conf()).Bounds,
			th.healthy(th.EventsPerHour), th.EventsPerHour, j.span.failExposure(), fmt.Sprintf("%s in %s since the start", plural(int(is.Events), "event"), since), label+"events", c.Name, is.Title))
	}
	if th.UsersPerHour > 0 {
		c.Children = append(c.Children, j.above(MetricUsersPerHour, j.span.rate(is.Users, th.healthy(th.UsersPerHour), th.UsersPerHour, j.conf()).Bounds,
			th.healthy(th.UsersPerHour), th.UsersPerHour, j.span.failExposure(), fmt.Sprintf("%s in %s since the start", plural(int(is.Users), "user"), since), label+"users", c.Name, is.Title))
	}
	if th.SessionShare > 0 {
		c.Children = append(c.Children, j.sessionShare(is, th.SessionShare/100, label, c.Name))
	}
	c.Status, c.Reason = deciding(&c)
	return c
}

// deciding sets the issue node's metric values from its deciding child (the first failure,
// else the first pending, else the closest to its threshold) and returns the issue's status
// and reason.
func deciding(c *Check) (Status, string) {
	best := -1
	for i, m := range c.Children {
		if m.Status == StatusSkipped {
			continue
		}
		if best < 0 || statusRank(m.Status) < statusRank(c.Children[best].Status) ||
			(m.Status == c.Children[best].Status && closeness(m) > closeness(c.Children[best])) {
			best = i
		}
	}
	if best < 0 {
		return StatusSkipped, "no threshold could be judged: " + c.Children[0].Reason
	}
	m := c.Children[best]
	c.Metric, c.Value, c.Lower, c.Upper, c.Threshold, c.Window, c.Confidence = m.Metric, m.Value, m.Lower, m.Upper, m.Threshold, m.Window, m.Confidence
	return m.Status, m.Reason
}

// closeness is how near a check is to failing: its upper bound over its threshold.
func closeness(c Check) float64 {
	if c.Upper == nil || c.Threshold == nil || *c.Threshold == 0 {
		return 0
	}
	return *c.Upper / *c.Threshold
}

// above judges a rate that must not exceed threshold: it fails when the lower bound is above
// healthy (the threshold, unless pass_below opens an indifference zone) and passes when the
// upper bound is below the threshold; in between it is pending. The bounds of
// SequentialRateTest are anytime-valid, so these decisions keep their confidence however
// often the gate looks.
func (j *judge) above(metric string, b Bounds, healthy, threshold float64, exposure time.Duration, observed, unit, id, title string) Check {
	c := metricCheck(metric, b, threshold, exposure, j.conf())
	conf := percentText(j.conf())
	failLine := fmt.Sprintf("the threshold of %s/h", trimNumber(threshold))
	question := fmt.Sprintf("whether above %s/h", trimNumber(threshold))
	if healthy < threshold {
		failLine = fmt.Sprintf("%s/h (pass_below: %s of the threshold of %s/h)", trimNumber(healthy), percentText(healthy/threshold), trimNumber(threshold))
		question = fmt.Sprintf("whether above %s/h or below %s/h", trimNumber(healthy), trimNumber(threshold))
	}
	switch {
	case b.Lower > healthy:
		c.Status = StatusFail
		c.Reason = fmt.Sprintf("%s %s: %s, at least %s %s/h with %s confidence, above %s",
			id, quoteTitle(title), observed, trimNumber(b.Lower), unit, conf, failLine)
	case b.Upper < threshold:
		c.Status = StatusPass
		c.Reason = fmt.Sprintf("%s: at most %s %s/h with %s confidence, below %s/h", observed, trimNumber(b.Upper), unit, conf, trimNumber(threshold))
	default:
		c.Status = StatusPending
		c.Reason = fmt.Sprintf("%s %s: %s, between %s and %s %s/h with %s confidence: not yet known %s",
			id, quoteTitle(title), observed, trimNumber(b.Lower), trimNumber(b.Upper), unit, conf, question)
	}
	return c
}

func (j *judge) sessionShare(is Issue, threshold float64, label, id string) Check {
	h := j.ev.Health
	if h == nil {
		return Check{Name: MetricSessionShare, Metric: MetricSessionShare, Status: StatusSkipped, Threshold: ptr(threshold),
			Reason: "no release health: the projects send no sessions", Issues: []IssueRef{}, Owners: []string{}, Children: []Check{}}
	}
	n := h.Release.Sessions
	if n <= 0 {
		return Check{Name: MetricSessionShare, Metric: MetricSessionShare, Status: StatusPending, Threshold: ptr(threshold),
			Reason: fmt.Sprintf("%s %s: no sessions of the release yet to measure its share against", id, quoteTitle(is.Title)), Issues: []IssueRef{}, Owners: []string{}, Children: []Check{}}
	}
	k := min(is.Events, n)
	b := ProportionBounds(k, n, j.conf())
	c := metricCheck(MetricSessionShare, b, threshold, j.span.age, j.conf())
	conf := percentText(j.conf())
	observed := fmt.Sprintf("%s in %s", plural(int(is.Events), "event"), plural(int(n), "session"))
	switch {
	case b.Lower > threshold:
		c.Status = StatusFail
		c.Reason = fmt.Sprintf("%s %s: %s, at least %s of %ssessions with %s confidence, above the threshold of %s",
			id, quoteTitle(is.Title), observed, shareText(b.Lower), label, conf, shareText(threshold))
	case b.Upper < threshold:
		c.Status = StatusPass
		c.Reason = fmt.Sprintf("%s: at most %s of sessions with %s confidence, below %s", observed, shareText(b.Upper), conf, shareText(threshold))
	default:
		c.Status = StatusPending
		c.Reason = fmt.Sprintf("%s %s: %s, between %s and %s of sessions with %s confidence: not yet known whether above %s",
			id, quoteTitle(is.Title), observed, shareText(b.Lower), shareText(b.Upper), conf, shareText(threshold))
	}
	return c
}

// metricCheck is a leaf with the measured values; NaN estimates are left out.
func metricCheck(metric string, b Bounds, threshold float64, window time.Duration, confidence float64) Check {
	c := Check{Name: metric, Metric: metric, Lower: finite(b.Lower), Upper: finite(b.Upper), Threshold: ptr(threshold),
		Window: window.Round(time.Second).String(), Confidence: confidence, Issues: []IssueRef{}, Owners: []string{}, Children: []Check{}}
	c.Value = finite(b.Estimate)
	return c
}

// chart draws the top new issues that have series (failing and pending first, then by
// events) and the baseline's error events.
func chart(checks []Check, ev Evidence) *Chart {
	var picked []IssueRef
	for _, c := range checks {
		if c.Name != CheckNewIssues {
			continue
		}
		for _, ch := range c.Children { // already failing, pending, passing, by events
			if ch.Status != StatusSkipped && len(ch.Issues) == 1 && len(ch.Issues[0].Series) > 0 && len(picked) < chartTopIssues {
				picked = append(picked, ch.Issues[0])
			}
		}
	}
	if len(picked) == 0 && len(ev.BaselineSeries) == 0 {
		return nil
	}
	ch := &Chart{Interval: ev.Interval.String()}
	for _, is := range picked {
		ch.Series = append(ch.Series, ChartSeries{Name: cmp.Or(is.ShortID, is.ID), Counts: bucketCounts(is.Series)})
	}
	if len(ev.BaselineSeries) > 0 {
		ch.Series = append(ch.Series, ChartSeries{Name: "baseline", Counts: bucketCounts(ev.BaselineSeries)})
	}
	return ch
}

func bucketCounts(bs []Bucket) []int64 {
	out := make([]int64, len(bs))
	for i, b := range bs {
		out[i] = b.Count
	}
	return out
}

func issueRef(is Issue) IssueRef {
	owners := is.Owners
	if owners == nil {
		owners = []string{}
	}
	return IssueRef{ID: is.ID, ShortID: is.ShortID, Title: is.Title, Permalink: is.Permalink, Level: is.Level, Status: is.Status,
		Unhandled: is.Unhandled, FirstSeen: is.FirstSeen, Events: is.Events, Users: is.Users, Owners: owners, Series: is.Series, TopValues: is.TopValues}
}

func statusRank(s Status) int {
	return slices.Index([]Status{StatusFail, StatusPending, StatusWarn, StatusPass, StatusSkipped}, s)
}

func ruleText(r IgnoreRule) string {
	var parts []string
	if r.Title != "" {
		parts = append(parts, "title "+r.Title)
	}
	if r.Tag != "" {
		parts = append(parts, "tag "+r.Tag)
	}
	if r.Level != "" {
		parts = append(parts, "level "+r.Level)
	}
	return strings.Join(parts, ", ")
}

func ptr(v float64) *float64 { return &v }

// finite is a pointer to v, or nil when v is NaN or infinite (JSON has no such numbers).
func finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}

func quoteTitle(t string) string {
	if r := []rune(t); len(r) > 80 {
		t = string(r[:79]) + "…"
	}
	return "(" + t + ")"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %s", n, pluralWord(word))
}

func pluralWord(word string) string {
	if strings.HasSuffix(word, "s") {
		return word + "es"
	}
	return word + "s"
}

// trimNumber writes a number with a precision that reads well: 177, 2.4, 0.05.
func trimNumber(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
	case a >= 0.1:
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
	case a == 0:
		return "0"
	}
	return fmt.Sprintf("%.2g", v)
}

// shareText writes a fraction as a percentage: 0.995 → 99.50%.
func shareText(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return fmt.Sprintf("%.2f%%", 100*v)
}

// pointsText writes a difference of fractions in percentage points: 0.004 → 0.40 points.
func pointsText(v float64) string { return fmt.Sprintf("%.2f points", 100*v) }

func percentText(c float64) string { return strings.TrimSuffix(fmt.Sprintf("%.1f", 100*c), ".0") + "%" }

// TimedOut is the decision when a deadline outside the evidence has passed while the gate was
// still pending (or could not be asked at all): on_timeout decides, and the reason opens with
// ByDeadline. The GitHub App uses it so that no protection rule waits past its deadline, even
// when the release never started (the gate's own deadline counts from the release's start) or
// the last look could not be made. why says which deadline and what was pending.
func TimedOut(p *Environment, d Decision, now time.Time, why string) Decision {
	pol := p.WithDefaults()
	out := StatusFail
	if pol.OnTimeout == OutcomePass {
		out = StatusPass
	}
	d.Verdict = out
	d.DecidedAt = now.UTC()
	if d.Environment == "" {
		d.Environment = pol.Name
	}
	d.Reason = fmt.Sprintf(ByDeadline+": %s; on_timeout is %s, so the gate %s", why, pol.OnTimeout, passesOrFails(out))
	return d
}
