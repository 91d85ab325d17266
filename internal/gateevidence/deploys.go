package gateevidence

import (
	"net/url"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/sentryapi"
)

// When a release started taking traffic (its deploys), the time ranges and intervals the
// evidence is asked for, and the release's link in Sentry.

// deployTime is when a deploy made the release take traffic: when it finished, else when it
// started.
func deployTime(d sentryapi.Deploy) (time.Time, bool) {
	switch {
	case d.DateFinished != nil:
		return d.DateFinished.UTC(), true
	case d.DateStarted != nil:
		return d.DateStarted.UTC(), true
	}
	return time.Time{}, false
}

func deployedTo(d sentryapi.Deploy, env string) bool { return env == "" || d.Environment == env }

// firstDeploy is the earliest deploy to env that is not in the future.
func firstDeploy(deploys []sentryapi.Deploy, env string, now time.Time) (time.Time, bool) {
	var best time.Time
	for _, d := range deploys {
		t, ok := deployTime(d)
		if !ok || !deployedTo(d, env) || t.After(now) {
			continue
		}
		if best.IsZero() || t.Before(best) {
			best = t
		}
	}
	return best, !best.IsZero()
}

// lastDeployBefore is the latest deploy to env strictly before t.
func lastDeployBefore(deploys []sentryapi.Deploy, env string, t time.Time) (time.Time, bool) {
	var best time.Time
	for _, d := range deploys {
		dt, ok := deployTime(d)
		if !ok || !deployedTo(d, env) || !dt.Before(t) {
			continue
		}
		if dt.After(best) {
			best = dt
		}
	}
	return best, !best.IsZero()
}

// intervalFor is the bucket size of the series for a release that has run for age.
func intervalFor(age time.Duration) time.Duration {
	switch {
	case age <= time.Hour:
		return time.Minute
	case age <= 6*time.Hour:
		return 5 * time.Minute
	}
	return time.Hour
}

// timeRange is [from, to] in whole seconds, as Sentry's parameters take them: from rounded
// down, to rounded up, and never empty.
func timeRange(from, to time.Time) sentryapi.TimeRange {
	from = from.UTC().Truncate(time.Second)
	end := to.UTC().Truncate(time.Second)
	if end.Before(to) {
		end = end.Add(time.Second)
	}
	if !end.After(from) {
		end = from.Add(time.Second)
	}
	return sentryapi.TimeRange{Start: from, End: end}
}

// quote writes a search value, quoting it when Sentry's search syntax would otherwise split
// or misread it.
func quote(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\"\\,:[]()") && !strings.HasPrefix(v, "!") {
		return v
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(v) + `"`
}

func releaseURL(c *sentryapi.Client, org, version, env string) string {
	u := c.BaseURL() + "organizations/" + url.PathEscape(org) + "/releases/" + url.PathEscape(version) + "/"
	if env != "" {
		u += "?environment=" + url.QueryEscape(env)
	}
	return u
}
