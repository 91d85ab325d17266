package gate

import (
	"fmt"
	"strings"
)

// The release-health and context checks: crash-free floors, the drop against the baseline,
// and the context error events must carry.

// health judges crash-free sessions and users: a floor and the drop against the baseline.
func (j *judge) health() Check {
	hp := j.pol.Health
	c := Check{Name: CheckHealth, Issues: []IssueRef{}, Owners: []string{}, Children: []Check{}}
	type rule struct {
		name     string
		r        *RateRule
		ok, n    func(SessionStats) int64
		unit     string
		drop     string
		floorMet string
	}
	rules := []rule{
		{MetricCrashFreeSessions, hp.CrashFreeSessions, func(s SessionStats) int64 { return s.Sessions - s.CrashedSessions }, func(s SessionStats) int64 { return s.Sessions }, "session", MetricCrashFreeDrop, MetricCrashFreeSessions},
		{MetricCrashFreeUsers, hp.CrashFreeUsers, func(s SessionStats) int64 { return s.Users - s.CrashedUsers }, func(s SessionStats) int64 { return s.Users }, "user", MetricCrashFreeUserDrop, MetricCrashFreeUsers},
	}
	for _, r := range rules {
		if r.r == nil {
			continue
		}
		rc := Check{Name: r.name, Metric: r.name, Issues: []IssueRef{}, Owners: []string{}, Children: []Check{}}
		h := j.ev.Health
		switch {
		case h == nil:
			rc.Status, rc.Reason = StatusSkipped, "no release health: the projects send no sessions"
		case h.Release.Sessions < hp.MinSessions || r.n(h.Release) <= 0:
			rc.Status = StatusPending
			rc.Reason = fmt.Sprintf("%s of the %d needed before crash-free rates are judged", plural(int(h.Release.Sessions), "session"), hp.MinSessions)
		default:
			if r.r.Floor > 0 {
				rc.Children = append(rc.Children, j.floor(r.floorMet, r.ok(h.Release), r.n(h.Release), r.r.Floor/100, r.unit))
			}
			if r.r.MaxDrop > 0 {
				rc.Children = append(rc.Children, j.drop(r.drop, h, r.ok, r.n, r.r.MaxDrop/100, r.unit))
			}
			rc.Status = j.group(rc.Children)
			if rc.Status == StatusPending && allDecided(rc.Children) {
				rc.Reason = j.soakLeft()
			} else {
				rc.Reason = firstReason(rc.Children, rc.Status)
			}
			rc.Metric, rc.Value, rc.Lower, rc.Upper = r.name, finite(float64(r.ok(h.Release))/float64(r.n(h.Release))), nil, nil
		}
		c.Children = append(c.Children, rc)
	}
	c.Status = j.group(c.Children)
	switch {
	case c.Status == StatusPending && allDecided(c.Children):
		c.Reason = "crash-free rates are within the policy so far; " + j.soakLeft()
	case c.Status == StatusPass:
		c.Reason = "crash-free rates are within the policy with " + percentText(j.conf()) + " confidence"
	default:
		c.Reason = firstReason(c.Children, c.Status)
	}
	return c
}

// allDecided says whether no child is pending (a group pending then waits only for the soak).
func allDecided(children []Check) bool {
	for _, c := range children {
		if c.Status == StatusPending {
			return false
		}
	}
	return true
}

// firstReason is the reason of the first child with the status, else of the first child.
func firstReason(children []Check, s Status) string {
	for _, c := range children {
		if c.Status == s {
			return c.Reason
		}
	}
	if len(children) > 0 {
		return children[0].Reason
	}
	return ""
}

// floor judges a crash-free rate against a floor: it fails when the upper bound is below it.
func (j *judge) floor(metric string, ok, n int64, floor float64, unit string) Check {
	b := ProportionBounds(ok, n, j.conf())
	c := metricCheck(metric, b, floor, j.span.age, j.conf())
	c.Name = "floor"
	conf := percentText(j.conf())
	observed := fmt.Sprintf("crash-free %ss %s (%d of %d)", unit, shareText(b.Estimate), ok, n)
	switch {
	case b.Upper < floor:
		c.Status = StatusFail
		c.Reason = fmt.Sprintf("%s: at most %s with %s confidence, below the floor of %s", observed, shareText(b.Upper), conf, shareText(floor))
	case b.Lower >= floor:
		c.Status = StatusPass
		c.Reason = fmt.Sprintf("%s: at least %s with %s confidence, above the floor of %s", observed, shareText(b.Lower), conf, shareText(floor))
	default:
		c.Status = StatusPending
		c.Reason = fmt.Sprintf("%s: between %s and %s with %s confidence: not yet known whether below the floor of %s",
			observed, shareText(b.Lower), shareText(b.Upper), conf, shareText(floor))
	}
	return c
}

// drop judges how far a crash-free rate fell against the baseline's, with a two-sample bound.
func (j *judge) drop(metric string, h *Health, ok, n func(SessionStats) int64, maxDrop float64, unit string) Check {
	c := Check{Name: "drop", Metric: metric, Threshold: ptr(maxDrop), Issues: []IssueRef{}, Owners: []string{}, Children: []Check{}}
	base := h.Baseline
	switch {
	case base == nil || j.ev.Baseline == "":
		c.Status, c.Reason = StatusSkipped, "no baseline release to compare with"
		return c
	case base.Sessions < j.pol.Health.MinSessions || n(*base) <= 0:
		c.Status = StatusSkipped
		c.Reason = fmt.Sprintf("the baseline %s has %s, fewer than the %d needed to compare with", j.ev.Baseline, plural(int(base.Sessions), "session"), j.pol.Health.MinSessions)
		return c
	}
	b := ProportionDrop(ok(*base), n(*base), ok(h.Release), n(h.Release), j.conf())
	c = metricCheck(metric, b, maxDrop, j.span.age, j.conf())
	c.Name = "drop"
	conf := percentText(j.conf())
	observed := fmt.Sprintf("crash-free %ss %s against %s for %s", unit,
		shareText(float64(ok(h.Release))/float64(n(h.Release))), shareText(float64(ok(*base))/float64(n(*base))), j.ev.Baseline)
	switch {
	case b.Lower > maxDrop:
		c.Status = StatusFail
		c.Reason = fmt.Sprintf("%s: a drop of at least %s with %s confidence, more than the %s allowed", observed, pointsText(b.Lower), conf, pointsText(maxDrop))
	case b.Upper <= maxDrop:
		c.Status = StatusPass
		c.Reason = fmt.Sprintf("%s: a drop of at most %s with %s confidence, within the %s allowed", observed, pointsText(max(b.Upper, 0)), conf, pointsText(maxDrop))
	default:
		c.Status = StatusPending
		c.Reason = fmt.Sprintf("%s: a drop between %s and %s with %s confidence: not yet known whether more than the %s allowed",
			observed, pointsText(b.Lower), pointsText(b.Upper), conf, pointsText(maxDrop))
	}
	return c
}

// context judges the share of error events carrying each required key. With action warn the
// point estimate decides between warn and pass (a hint, never blocking); with action fail the
// bounds decide like every other check.
func (j *judge) context() Check {
	cp := j.pol.Context
	c := Check{Name: CheckContext, Issues: []IssueRef{}, Owners: []string{}, Children: []Check{}}
	minShare := cp.MinShare / 100
	cov := j.ev.Context
	if cov == nil || cov.Events == 0 {
		c.Status = StatusSkipped
		c.Reason = "no error events in the release to judge"
		if cov == nil {
			c.Reason = "no context coverage was gathered"
		}
		return c
	}
	conf := percentText(j.conf())
	for _, key := range cp.Required {
		with := min(cov.With[key], cov.Events)
		b := ProportionBounds(with, cov.Events, j.conf())
		k := metricCheck(MetricContextShare, b, minShare, j.span.age, j.conf())
		k.Name = key
		observed := fmt.Sprintf("%s on %d of %d error events (%s)", key, with, cov.Events, shareText(b.Estimate))
		if cp.Action == "fail" {
			switch {
			case b.Upper < minShare:
				k.Status = StatusFail
				k.Reason = fmt.Sprintf("%s: at most %s with %s confidence, below the %s required", observed, shareText(b.Upper), conf, shareText(minShare))
			case b.Lower >= minShare:
				k.Status = StatusPass
				k.Reason = fmt.Sprintf("%s: at least %s with %s confidence", observed, shareText(b.Lower), conf)
			default:
				k.Status = StatusPending
				k.Reason = fmt.Sprintf("%s: between %s and %s with %s confidence: not yet known whether below the %s required",
					observed, shareText(b.Lower), shareText(b.Upper), conf, shareText(minShare))
			}
		} else if b.Estimate < minShare {
			k.Status = StatusWarn
			k.Reason = fmt.Sprintf("%s, below the %s required (action: warn)", observed, shareText(minShare))
		} else {
			k.Status = StatusPass
			k.Reason = observed
		}
		c.Children = append(c.Children, k)
	}
	if cp.Action == "fail" {
		c.Status = j.group(c.Children)
	} else {
		c.Status = StatusPass
		for _, k := range c.Children {
			if k.Status == StatusWarn {
				c.Status = StatusWarn
			}
		}
	}
	switch {
	case c.Status == StatusPending && allDecided(c.Children):
		c.Reason = "required context is present so far; " + j.soakLeft()
	case c.Status == StatusPass:
		c.Reason = "every error event sample carries the required context: " + strings.Join(cp.Required, ", ")
	default:
		c.Reason = firstReason(c.Children, c.Status)
	}
	return c
}
