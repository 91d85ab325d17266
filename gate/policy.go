package gate

import "time"

// Policy is the gate's configuration, one Environment per deploy environment, read from
// .github/releasegate.yml (docs/gate.md shows a full example).
type Policy struct {
	// Release says how a commit is named as a Sentry release, when the gate is given a commit
	// rather than --release.
	Release ReleaseNaming `yaml:"release"`
	// Environments are keyed by the environment name the gate is asked about.
	Environments map[string]*Environment `yaml:"environments"`
	// Warnings are keys the file sets that are accepted but no longer change anything, with
	// what to do instead; LoadPolicy fills them, the commands print them.
	Warnings []PolicyProblem `yaml:"-"`
}

// ReleaseNaming maps a commit to the Sentry release name.
type ReleaseNaming struct {
	// Name is a template: {sha}, {short_sha} (12 characters), {ref_name} and {project} are
	// replaced. The default, "{sha}", is how action-release names releases (sentry-cli releases
	// propose-version). It must use {sha}, {short_sha} or {ref_name}, and make a name Sentry
	// accepts: no /, \, tab or line break, not ".", ".." or "latest", at most 200 characters.
	Name string `yaml:"name"`
}

// Outcome is what the gate reports when it cannot decide.
type Outcome string

// Outcomes of on_error and on_timeout.
const (
	OutcomePass Outcome = "pass"
	OutcomeFail Outcome = "fail"
)

// Environment is the policy of one deploy environment.
type Environment struct {
	// Name is the environment's name, its key in Policy.Environments; not written in YAML
	// (the loader sets it). Decisions report it, and an empty Evidence means this name.
	Name string `yaml:"-"`
	// Projects are the Sentry project slugs whose evidence counts.
	Projects []string `yaml:"projects"`
	// Evidence is the environment whose evidence judges a promotion here (e.g. "staging" for
	// "production"); default: this environment.
	Evidence string `yaml:"evidence"`
	// Soak is how long the release must have run (since its deploy, else its creation) before a
	// check can pass (default 30m); at most Deadline.
	Soak Duration `yaml:"soak"`
	// Deadline is how long after Start the gate may stay pending; then OnTimeout decides
	// (default 2h).
	Deadline Duration `yaml:"deadline"`
	// Confidence is the confidence level of every bound (default 0.95).
	Confidence float64 `yaml:"confidence"`
	// Window is accepted so that existing files still load, but no longer changes any decision
	// (the gate warns with the key's line): rates are judged on everything since the start,
	// with bounds that hold at every look (docs/gate.md). Remove the key.
	Window Duration `yaml:"window"`
	// OnError is the verdict, pass or fail (default fail), when the evidence cannot be gathered
	// (Sentry unreachable or failing after the retries, an answer its API does not describe). It
	// never applies when Sentry refuses: a token it rejects or that lacks a scope, or an
	// organization, project or release it does not know, exits 2.
	OnError Outcome `yaml:"on_error"`
	// OnTimeout is the verdict, pass or fail (default fail), when the deadline passes with checks
	// still pending; every report labels it "decided by the deadline, not by the evidence".
	OnTimeout Outcome `yaml:"on_timeout"`

	// NewIssues judges the issues first seen in this release (not set: not checked).
	NewIssues *NewIssuesPolicy `yaml:"new_issues"`
	// Regressions judges the issues that were resolved and came back in this release (not set: not
	// checked).
	Regressions *RegressionsPolicy `yaml:"regressions"`
	// Health judges the crash-free session and user rates (not set: not checked).
	Health *HealthPolicy `yaml:"health"`
	// Context is the context the release's error events must carry (not set: not checked).
	Context *ContextPolicy `yaml:"context"`
}

// Thresholds make a new issue high-frequency when any rate is, with confidence, above its
// threshold. Zero means "not checked".
type Thresholds struct {
	// EventsPerHour is the issue's events per hour above which it fails.
	EventsPerHour float64 `yaml:"events_per_hour"`
	// UsersPerHour is the users affected by the issue per hour above which it fails.
	UsersPerHour float64 `yaml:"users_per_hour"`
	// SessionShare is the percentage of the release's sessions the issue's events amount to
	// (used only when release health exists).
	SessionShare float64 `yaml:"session_share"`
	// PassBelow, a percentage of each rate threshold (events_per_hour, users_per_hour), opens
	// an indifference zone: a rate at or below that share of the threshold must pass, one at
	// or above the threshold must fail, either answer is acceptable in between. The gate then
	// fails a rate that is, with confidence, above PassBelow% of the threshold, and decides
	// sooner. Zero (not set) is 100: no zone.
	PassBelow float64 `yaml:"pass_below"`
}

// healthy is the rate at or below which a release must never fail, for a rate threshold.
func (t Thresholds) healthy(threshold float64) float64 {
	if t.PassBelow > 0 && t.PassBelow < 100 {
		return threshold * t.PassBelow / 100
	}
	return threshold
}

// rates says whether any threshold is set (PassBelow alone judges nothing).
func (t Thresholds) rates() bool {
	return t.EventsPerHour > 0 || t.UsersPerHour > 0 || t.SessionShare > 0
}

// NewIssuesPolicy judges issues first seen in the release.
type NewIssuesPolicy struct {
	Thresholds `yaml:",inline"`
	// Unhandled, when set, replaces the thresholds for unhandled issues (crashes), usually
	// with stricter ones.
	Unhandled *Thresholds `yaml:"unhandled"`
	// Ignore excludes noise: an issue matching any rule is reported as ignored, not judged.
	Ignore []IgnoreRule `yaml:"ignore"`
}

// IgnoreRule matches issues to leave out. Every field set must match.
type IgnoreRule struct {
	// Title is a glob on the issue's title ("*ResizeObserver loop*"); quote it, since an unquoted
	// value starting with * is a YAML alias. * and ? are wildcards, [a-z] a class, \ escapes.
	Title string `yaml:"title"`
	Tag   string `yaml:"tag"`   // "key:glob" on the issue's tag value ("browser:Opera*")
	Level string `yaml:"level"` // exact level ("warning")
}

// RegressionsPolicy judges issues resolved before and seen again in this release. With no
// threshold set, any regression with events fails.
type RegressionsPolicy struct {
	Thresholds `yaml:",inline"`
}

// HealthPolicy judges crash-free rates once MinSessions sessions exist.
type HealthPolicy struct {
	// MinSessions is how many sessions the release needs before health is judged (default 50, as
	// Sentry's percent alerts).
	MinSessions int64 `yaml:"min_sessions"`
	// CrashFreeSessions bounds the crash-free session rate (not set: not checked).
	CrashFreeSessions *RateRule `yaml:"crash_free_sessions"`
	// CrashFreeUsers bounds the crash-free user rate (not set: not checked).
	CrashFreeUsers *RateRule `yaml:"crash_free_users"`
}

// RateRule bounds a crash-free rate, in percent.
type RateRule struct {
	// Floor fails the release when the rate is, with confidence, below it (e.g. 99.5).
	Floor float64 `yaml:"floor"`
	// MaxDrop fails it when the rate is, with confidence, more than this many percentage
	// points below the baseline's (a two-sample test, not a raw difference).
	MaxDrop float64 `yaml:"max_drop"`
}

// ContextPolicy requires context on the release's error events.
type ContextPolicy struct {
	// Required are the keys: tags or context fields ("request_id", "tenant_id", "user.id").
	Required []string `yaml:"required"`
	// MinShare is the percentage of error events that must carry each key (default 95).
	MinShare float64 `yaml:"min_share"`
	// Action is "warn" (default) or "fail".
	Action string `yaml:"action"`
}

// Duration is a time.Duration written as "30m", "2h", "1h30m" in YAML.
type Duration time.Duration
