package gate

import "time"

// Status is the outcome of the gate or of one check.
type Status string

// Statuses. A Decision's Verdict is pass, fail or pending; checks may also warn (reported,
// never failing the gate) or be skipped (not configured, or no data it could use).
const (
	StatusPass    Status = "pass"
	StatusFail    Status = "fail"
	StatusPending Status = "pending"
	StatusWarn    Status = "warn"
	StatusSkipped Status = "skipped"
)

// Decision is the gate's verdict on a release in an environment, with every check that led
// to it. Every rendering (text, JSON, Markdown, GitHub annotations) is made from this value.
type Decision struct {
	Verdict     Status `json:"verdict"`
	Release     string `json:"release"`
	Environment string `json:"environment"`
	// EvidenceEnvironment is the environment whose evidence judged ("" when the same).
	EvidenceEnvironment string    `json:"evidenceEnvironment,omitempty"`
	Baseline            string    `json:"baseline"`
	DecidedAt           time.Time `json:"decidedAt"`
	// Start is when the release began to receive traffic (see Evidence.Start); SoakEnds and
	// Deadline follow from the policy.
	Start    time.Time `json:"start"`
	SoakEnds time.Time `json:"soakEnds"`
	Deadline time.Time `json:"deadline"`
	// Requests is how many requests to Sentry gathering the evidence took.
	Requests int `json:"requests"`
	// Reason is one sentence saying why: the first failing check, what is still pending, or
	// what an error or timeout made the policy decide.
	Reason string  `json:"reason"`
	Checks []Check `json:"checks"`
	// ReleaseURL links to the release in Sentry.
	ReleaseURL string `json:"releaseUrl,omitempty"`
	// Chart is events per interval since Start for the top new issues, and the baseline
	// release's error events over the same time since its own start; nil when there is
	// nothing to draw.
	Chart *Chart `json:"chart,omitempty"`
}

// Chart is a few series over the same intervals, for the Markdown report's chart.
type Chart struct {
	Interval string        `json:"interval"` // a Go duration, "10m0s"
	Series   []ChartSeries `json:"series"`
}

// ChartSeries is one line of the chart: a new issue (by short ID) or "baseline".
type ChartSeries struct {
	Name   string  `json:"name"`
	Counts []int64 `json:"counts"`
}

// Check is one node of the decision tree: a check of the policy (new-issues, regressions,
// health, context) or a part of one (one issue, one rate).
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Metric names what was measured: events_per_hour, users_per_hour, session_share,
	// crash_free_sessions, crash_free_users, crash_free_sessions_drop, context_share, count.
	Metric string `json:"metric,omitempty"`
	// Value is the point estimate; Lower and Upper its confidence bounds at Confidence.
	Value     *float64 `json:"value"`
	Lower     *float64 `json:"lower,omitempty"`
	Upper     *float64 `json:"upper,omitempty"`
	Threshold *float64 `json:"threshold"`
	// Window is the time the value covers, as a Go duration ("10m0s").
	Window     string  `json:"window,omitempty"`
	Confidence float64 `json:"confidence,omitempty"`
	// Reason says in one sentence why the check has its status.
	Reason   string     `json:"reason"`
	Issues   []IssueRef `json:"issues"`
	Owners   []string   `json:"owners"`
	Children []Check    `json:"children"`
}

// IssueRef is an issue as reports show it.
type IssueRef struct {
	ID        string                `json:"id"`
	ShortID   string                `json:"shortId"`
	Title     string                `json:"title"`
	Permalink string                `json:"permalink,omitempty"`
	Level     string                `json:"level"`
	Status    string                `json:"status"`
	Unhandled bool                  `json:"unhandled"`
	FirstSeen time.Time             `json:"firstSeen"`
	Events    int64                 `json:"events"`
	Users     int64                 `json:"users"`
	Owners    []string              `json:"owners"`
	Series    []Bucket              `json:"series,omitempty"`
	TopValues map[string][]TagCount `json:"topValues,omitempty"`
}
