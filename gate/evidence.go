package gate

import "time"

// Evidence is what Sentry says about a release in one environment, gathered by an adapter.
// Times are UTC. Counts cover the release in the judging environment since Start.
type Evidence struct {
	Release     string
	Environment string // the environment whose evidence judges (Policy's evidence environment)
	// Baseline is the release compared against for release health: the previous release
	// deployed to the same environment; "" when there is none.
	Baseline string
	// Start is when the release began to receive traffic in the environment: its first deploy
	// there, else the release's creation. The soak clock and every rate start here.
	Start time.Time
	// Deployed says whether Start is a deploy (false: the release's creation date).
	Deployed bool
	// NewIssues are the issues first seen in the release, in any status.
	NewIssues []Issue
	// Regressions are issues that were resolved and came back in this release (not in an
	// earlier one), with events in it.
	Regressions []Issue
	// BaselineSeries are the baseline release's error events per Interval from its own start,
	// over as long as the release has run, for the report's chart; nil without a baseline.
	BaselineSeries []Bucket
	// Interval is the bucket size of every series.
	Interval time.Duration
	// Health is release health for the release and the baseline; nil when the projects send
	// no sessions.
	Health *Health
	// Context is how many of the release's error events carry each required context key;
	// nil when the policy requires none.
	Context *ContextCoverage
	// Requests is how many HTTP requests gathering took.
	Requests int
	// ReleaseURL links to the release in Sentry ("" if unknown).
	ReleaseURL string
}

// Issue is a Sentry issue as the gate sees it.
type Issue struct {
	ID        string
	ShortID   string
	Project   string
	Title     string
	Culprit   string
	Level     string // fatal, error, warning, info, debug
	Status    string // unresolved, resolved, ignored (archived)
	Unhandled bool
	Permalink string
	FirstSeen time.Time
	LastSeen  time.Time
	// Events and Users are counted in the release and environment since Evidence.Start.
	Events int64
	Users  int64
	// Series are event counts per Interval, oldest first, ending at the time of gathering;
	// nil when the adapter judged the issue harmless from its totals (see MayMatter) and did not
	// fetch them.
	Series   []Bucket
	Interval time.Duration
	// Tags are the issue's most common value per tag key (level, environment, tenant_id, …),
	// for ignore rules and reports.
	Tags map[string]string
	// TopValues are the top values of the tags the report names (tenant_id, user), fetched
	// only for failing issues.
	TopValues map[string][]TagCount
	// Owners are the issue's owners per the ownership rules ("#team", emails), deciding rule
	// first; empty when unknown.
	Owners []string
}

// Bucket is one interval of a series.
type Bucket struct {
	Start time.Time `json:"start"`
	Count int64     `json:"count"`
}

// TagCount is one value of a tag and how many events carry it.
type TagCount struct {
	Value string `json:"value"`
	Count int64  `json:"count"`
}

// Health is release health of the release under judgement and its baseline.
type Health struct {
	Release  SessionStats
	Baseline *SessionStats // nil without a baseline release
}

// SessionStats are session and user totals of one release in the environment.
type SessionStats struct {
	Sessions        int64
	CrashedSessions int64
	Users           int64
	CrashedUsers    int64
}

// ContextCoverage counts the release's error events that carry each required context key.
type ContextCoverage struct {
	Events int64
	With   map[string]int64 // key → events carrying it
}
