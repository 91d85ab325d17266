package gate

import (
	"fmt"
	"math"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// The policy's own checks (Validate), the defaults applied to an environment, and the
// evidence graph between environments. LoadPolicy (load.go) runs them on a file.

// Validate reports every problem of the policy, each naming its field by its path in the
// file ("environments.production.new_issues.events_per_hour: must be > 0"). Fields left zero
// take their defaults; LoadPolicy also rejects a zero it finds written in the file.
func (p *Policy) Validate() []PolicyProblem {
	return p.validate(nil)
}

// policyCheck collects Validate's problems; written says which fields the file sets (nil:
// none known), so that a zero there is an error rather than "use the default".
type policyCheck struct {
	written  func(string) bool
	problems []PolicyProblem
}

func (c *policyCheck) add(field, msg string) {
	c.problems = append(c.problems, PolicyProblem{Field: field, Msg: msg})
}

func (c *policyCheck) set(field string) bool {
	return c.written != nil && c.written(field)
}

func (p *Policy) validate(written func(string) bool) []PolicyProblem {
	c := &policyCheck{written: written}
	if p.Release.Name != "" || c.set("release.name") {
		if msg := releaseTemplateProblem(p.Release.Name); msg != "" {
			c.add("release.name", msg)
		}
	}
	if len(p.Environments) == 0 {
		c.add("environments", "list at least one environment with its projects and a check, e.g. production: {projects: [web], new_issues: {events_per_hour: 10}}")
		return c.problems
	}
	names := p.environmentNames()
	for _, name := range names {
		c.environment(p, name, names)
	}
	c.evidenceCycles(p, names)
	return c.problems
}

func (p *Policy) environmentNames() []string {
	names := make([]string, 0, len(p.Environments))
	for name := range p.Environments {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

var (
	projectSlugRE = regexp.MustCompile(`^[a-z0-9_-]+$`)
	sentryLevels  = []string{"fatal", "error", "warning", "info", "debug"}
)

func (c *policyCheck) environment(p *Policy, name string, names []string) {
	f := "environments." + name
	e := p.Environments[name]
	switch {
	case name == "":
		c.add(f, "an environment needs a name")
	case strings.ContainsAny(name, " /\n\r\t\v\f"):
		c.add(f, fmt.Sprintf("%q is not a Sentry environment name: it must not contain spaces, '/' or line breaks", name))
	case len(name) > 64:
		c.add(f, "is longer than 64 characters, Sentry's limit for environment names")
	case strings.EqualFold(name, "none"):
		c.add(f, "None is not allowed as an environment name by Sentry")
	}
	if e == nil {
		c.add(f, "has no policy: give it projects and at least one check")
		return
	}

	if len(e.Projects) == 0 {
		c.add(f+".projects", "list the Sentry projects whose evidence counts, e.g. [web]")
	}
	projects := map[string]bool{}
	for i, slug := range e.Projects {
		pf := fmt.Sprintf("%s.projects[%d]", f, i)
		dup := projects[slug]
		projects[slug] = true
		switch {
		case slug == "":
			c.add(pf, "must not be empty")
		case !projectSlugRE.MatchString(slug):
			c.add(pf, fmt.Sprintf("%q is not a Sentry project slug: slugs are lower-case letters, digits, '-' and '_'", slug))
		case dup:
			c.add(pf, fmt.Sprintf("lists %q twice", slug))
		}
	}

	switch ev := e.Evidence; {
	case ev == "" && c.set(f+".evidence"):
		c.add(f+".evidence", "must name an environment; leave it out to judge "+name+" by its own evidence")
	case ev == "":
	case ev == name:
		c.add(f+".evidence", "names "+name+" itself; leave evidence out to judge it by its own evidence")
	case !hasKey(p.Environments, ev):
		msg := fmt.Sprintf("no environment %q in this policy", ev)
		if s := closestName(ev, names); s != "" {
			msg += "; did you mean " + s + "?"
		} else {
			msg += "; it has " + strings.Join(names, ", ")
		}
		c.add(f+".evidence", msg)
	}

	c.duration(f+".soak", e.Soak, policyDefaultSoak)
	c.duration(f+".deadline", e.Deadline, policyDefaultDeadline)
	c.duration(f+".window", e.Window, policyDefaultWindow)
	soak, deadline := durationOr(e.Soak, policyDefaultSoak), durationOr(e.Deadline, policyDefaultDeadline)
	if soak > 0 && deadline > 0 && soak > deadline {
		c.add(f+".soak", fmt.Sprintf("%s is longer than the deadline (%s): the gate would time out before a check could pass", policyDurationText(soak), policyDurationText(deadline)))
	}
	if e.Confidence != 0 || c.set(f+".confidence") {
		switch conf := e.Confidence; {
		case conf > 50 && conf < 100:
			c.add(f+".confidence", fmt.Sprintf("must be between 0.5 and 1 (both excluded), a fraction: write %g, not %g", conf/100, conf))
		case !(conf > 0.5 && conf < 1):
			c.add(f+".confidence", "must be between 0.5 and 1 (both excluded), e.g. 0.95")
		}
	}
	c.outcome(f+".on_error", e.OnError)
	c.outcome(f+".on_timeout", e.OnTimeout)

	if e.NewIssues == nil && e.Regressions == nil && e.Health == nil && e.Context == nil {
		c.add(f, "configure at least one check: new_issues, regressions, health or context")
	}
	if ni := e.NewIssues; ni != nil {
		nf := f + ".new_issues"
		c.thresholds(nf, ni.Thresholds)
		if !c.thresholdsGiven(nf, ni.Thresholds) && ni.Unhandled == nil {
			c.add(nf, "set events_per_hour, users_per_hour or session_share (or unhandled: with them)")
		}
		if ni.Unhandled != nil {
			c.thresholds(nf+".unhandled", *ni.Unhandled)
			if !c.thresholdsGiven(nf+".unhandled", *ni.Unhandled) {
				c.add(nf+".unhandled", "set events_per_hour, users_per_hour or session_share")
			}
		}
		for i, r := range ni.Ignore {
			c.ignoreRule(fmt.Sprintf("%s.ignore[%d]", nf, i), r)
		}
	}
	if r := e.Regressions; r != nil {
		c.thresholds(f+".regressions", r.Thresholds)
	}
	if h := e.Health; h != nil {
		hf := f + ".health"
		if h.MinSessions < 0 || (h.MinSessions == 0 && c.set(hf+".min_sessions")) {
			c.add(hf+".min_sessions", fmt.Sprintf("must be > 0 (leave it out for the default, %d)", policyDefaultMinSessions))
		}
		if h.CrashFreeSessions == nil && h.CrashFreeUsers == nil {
			c.add(hf, "set crash_free_sessions or crash_free_users, each with a floor or a max_drop")
		}
		c.rateRule(hf+".crash_free_sessions", h.CrashFreeSessions)
		c.rateRule(hf+".crash_free_users", h.CrashFreeUsers)
	}
	if x := e.Context; x != nil {
		xf := f + ".context"
		if len(x.Required) == 0 {
			c.add(xf+".required", "list the keys each error event must carry, e.g. [request_id, user.id]")
		}
		keys := map[string]bool{}
		for i, key := range x.Required {
			kf := fmt.Sprintf("%s.required[%d]", xf, i)
			dup := keys[key]
			keys[key] = true
			switch {
			case key == "":
				c.add(kf, "must not be empty")
			case strings.IndexFunc(key, func(r rune) bool { return r <= ' ' || r == 0x7f }) >= 0:
				c.add(kf, fmt.Sprintf("%q must not contain spaces or control characters", key))
			case dup:
				c.add(kf, fmt.Sprintf("lists %q twice", key))
			}
		}
		c.percent(xf+".min_share", x.MinShare)
		if x.Action != "" || c.set(xf+".action") {
			if x.Action != "warn" && x.Action != "fail" {
				c.add(xf+".action", fmt.Sprintf("must be warn or fail, not %q", x.Action))
			}
		}
	}
}

func durationOr(d Duration, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return time.Duration(d)
}

func (c *policyCheck) duration(field string, d Duration, def time.Duration) {
	if d < 0 || (d == 0 && c.set(field)) {
		c.add(field, fmt.Sprintf("must be > 0 (leave it out for the default, %s)", policyDurationText(def)))
	}
}

func (c *policyCheck) outcome(field string, o Outcome) {
	if (o != "" || c.set(field)) && o != OutcomePass && o != OutcomeFail {
		c.add(field, fmt.Sprintf("must be pass or fail, not %q", string(o)))
	}
}

// positive checks a value that must be > 0 when set (zero: not set).
func (c *policyCheck) positive(field string, v float64) {
	if v == 0 && !c.set(field) {
		return
	}
	switch {
	case math.IsNaN(v):
		c.add(field, "must be a number")
	case math.IsInf(v, 0):
		c.add(field, "must be a finite number")
	case v <= 0:
		c.add(field, "must be > 0")
	}
}

// percent checks a percentage, which must be in (0, 100] when set (zero: not set).
func (c *policyCheck) percent(field string, v float64) {
	if (v != 0 || c.set(field)) && !(v > 0 && v <= 100) {
		c.add(field, "must be a percentage: more than 0, at most 100")
	}
}

func (c *policyCheck) thresholds(field string, t Thresholds) {
	c.positive(field+".events_per_hour", t.EventsPerHour)
	c.positive(field+".users_per_hour", t.UsersPerHour)
	c.percent(field+".session_share", t.SessionShare)
	if t.PassBelow != 0 || c.set(field+".pass_below") {
		switch pb := t.PassBelow; {
		case !(pb > 0 && pb < 100):
			c.add(field+".pass_below", "must be a percentage of the thresholds: more than 0, less than 100 (leave it out for no indifference zone)")
		case t.EventsPerHour == 0 && t.UsersPerHour == 0 && !c.set(field+".events_per_hour") && !c.set(field+".users_per_hour"):
			c.add(field+".pass_below", "applies to events_per_hour and users_per_hour: set one of them with it")
		}
	}
}

// thresholdsGiven says whether any threshold is set, or written (if as zero: reported apart).
func (c *policyCheck) thresholdsGiven(field string, t Thresholds) bool {
	return t.EventsPerHour != 0 || t.UsersPerHour != 0 || t.SessionShare != 0 ||
		c.set(field+".events_per_hour") || c.set(field+".users_per_hour") || c.set(field+".session_share")
}

func (c *policyCheck) rateRule(field string, r *RateRule) {
	if r == nil {
		return
	}
	c.percent(field+".floor", r.Floor)
	c.percent(field+".max_drop", r.MaxDrop)
	if r.Floor == 0 && r.MaxDrop == 0 && !c.set(field+".floor") && !c.set(field+".max_drop") {
		c.add(field, "set floor, max_drop or both")
	}
}

func (c *policyCheck) ignoreRule(field string, r IgnoreRule) {
	if r.Title == "" && r.Tag == "" && r.Level == "" && !c.set(field+".title") && !c.set(field+".tag") && !c.set(field+".level") {
		c.add(field, "set title, tag or level: a rule with none would ignore every issue")
		return
	}
	if r.Title != "" || c.set(field+".title") {
		if r.Title == "" {
			c.add(field+".title", "must not be empty")
		} else if _, err := path.Match(r.Title, ""); err != nil {
			c.add(field+".title", fmt.Sprintf("%q is not a valid glob (a '[' without ']', or a '\\' at the end?)", r.Title))
		}
	}
	if r.Tag != "" || c.set(field+".tag") {
		key, glob, ok := strings.Cut(r.Tag, ":")
		switch {
		case !ok || key == "" || glob == "":
			c.add(field+".tag", fmt.Sprintf("must be key:glob, e.g. browser:Opera*, not %q", r.Tag))
		default:
			if _, err := path.Match(glob, ""); err != nil {
				c.add(field+".tag", fmt.Sprintf("%q is not a valid glob (a '[' without ']', or a '\\' at the end?)", glob))
			}
		}
	}
	if (r.Level != "" || c.set(field+".level")) && !slices.Contains(sentryLevels, r.Level) {
		c.add(field+".level", fmt.Sprintf("must be one of %s, not %q", strings.Join(sentryLevels, ", "), r.Level))
	}
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// evidenceCycles reports environments judged, through their evidence, by themselves: each
// cycle once, at its first name.
func (c *policyCheck) evidenceCycles(p *Policy, names []string) {
	const (
		unseen = iota
		onPath
		done
	)
	state := make(map[string]int, len(names))
	for _, start := range names {
		var chain []string
		at := map[string]int{} // position in chain
		cur := start
		for state[cur] == unseen {
			state[cur] = onPath
			at[cur] = len(chain)
			chain = append(chain, cur)
			e := p.Environments[cur]
			if e == nil || e.Evidence == "" || e.Evidence == cur || p.Environments[e.Evidence] == nil {
				break
			}
			cur = e.Evidence
		}
		if i, ok := at[cur]; ok && state[cur] == onPath && len(chain)-i > 1 && cur != chain[len(chain)-1] {
			cycle := chain[i:]
			first := slices.Index(cycle, slices.Min(cycle))
			cycle = append(cycle[first:len(cycle):len(cycle)], cycle[:first]...)
			text := strings.Join(cycle, " → ")
			if len(cycle) > 8 {
				text = strings.Join(cycle[:4], " → ") + fmt.Sprintf(" → … (%d more) → ", len(cycle)-6) + strings.Join(cycle[len(cycle)-2:], " → ")
			}
			c.add("environments."+cycle[0]+".evidence", fmt.Sprintf("evidence goes round in a cycle (%s → %s): one of them must be judged by its own evidence", text, cycle[0]))
		}
		for _, n := range chain {
			state[n] = done
		}
	}
}

// Environment is the policy of the named environment, a copy with Name set and every default
// filled in. An unknown name is an error listing the environments the policy has.
func (p *Policy) Environment(name string) (*Environment, error) {
	e := p.Environments[name]
	if e == nil {
		names := p.environmentNames()
		if len(names) == 0 {
			return nil, fmt.Errorf("the policy has no environment %q: it configures no environments", name)
		}
		msg := fmt.Sprintf("the policy has no environment %q", name)
		if s := closestName(name, names); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return nil, fmt.Errorf("%s; it configures %s", msg, strings.Join(names, ", "))
	}
	env := e.WithDefaults()
	env.Name = name
	return &env, nil
}

// WithDefaults returns a copy of e with every default filled in; the copy shares no pointer
// with e that it could change (Health, Context).
func (e *Environment) WithDefaults() Environment {
	env := *e
	if env.Health != nil {
		h := *env.Health
		env.Health = &h
	}
	if env.Context != nil {
		x := *env.Context
		env.Context = &x
	}
	env.applyPolicyDefaults()
	return env
}

// applyPolicyDefaults fills in the defaults of the fields left zero.
func (e *Environment) applyPolicyDefaults() {
	if e.Soak == 0 {
		e.Soak = Duration(policyDefaultSoak)
	}
	if e.Deadline == 0 {
		e.Deadline = Duration(policyDefaultDeadline)
	}
	if e.Confidence == 0 {
		e.Confidence = policyDefaultConfidence
	}
	if e.Window == 0 {
		e.Window = Duration(policyDefaultWindow)
	}
	if e.OnError == "" {
		e.OnError = policyDefaultOutcome
	}
	if e.OnTimeout == "" {
		e.OnTimeout = policyDefaultOutcome
	}
	if e.Health != nil && e.Health.MinSessions == 0 {
		e.Health.MinSessions = policyDefaultMinSessions
	}
	if e.Context != nil {
		if e.Context.MinShare == 0 {
			e.Context.MinShare = policyDefaultMinShare
		}
		if e.Context.Action == "" {
			e.Context.Action = policyDefaultAction
		}
	}
}
