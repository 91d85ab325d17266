package sentryapitest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The issue search: the query language of the issue list (is:, release:, firstRelease:,
// assigned:, times and counts), matched against the stored groups and events.

func eventsIn(events []*storedEvent, envs map[string]bool, start, end time.Time) []*storedEvent {
	var out []*storedEvent
	for _, e := range events {
		if envs != nil && !envs[e.ev.Environment] {
			continue
		}
		if !start.IsZero() && (e.ts.Before(start) || e.ts.After(end)) {
			continue
		}
		out = append(out, e)
	}
	return out
}

// issueKeys are the search keys that filter on the issue rather than on its events.
var issueKeys = map[string]bool{
	"is": true, "firstRelease": true, "first-release": true, "first_release": true,
	"assigned": true, "assigned_or_suggested": true, "timesSeen": true, "times_seen": true,
	"age": true, "firstSeen": true, "lastSeen": true, "id": true,
	"issue.category": true, "issue.type": true, "bookmarks": true,
}

var isValues = []string{"unresolved", "resolved", "ignored", "archived", "assigned", "unassigned", "for_review", "linked", "unlinked", "new", "ongoing", "regressed", "escalating", "muted", "reprocessing"}

// issueMatcher builds the filter for issue-level tokens; envEvents are the issue's events in
// the requested environments.
func (s *Server) issueMatcher(o *org, tokens []searchToken, envs map[string]bool, latest func() string) (func(g *group, envEvents []*storedEvent) bool, error) {
	now := s.clock()
	var preds []func(*group, []*storedEvent) bool
	for _, tok := range tokens {
		tok := tok
		var pred func(*group, []*storedEvent) bool
		switch tok.key {
		case "is":
			for _, v := range tok.values {
				if !slices.Contains(isValues, v) {
					return nil, fmt.Errorf("invalid value for \"is\" search, valid values are %v", isValues)
				}
			}
			pred = func(g *group, _ []*storedEvent) bool {
				for _, v := range tok.values {
					if s.groupIs(o, g, v) {
						return true
					}
				}
				return false
			}
		case "firstRelease", "first-release", "first_release":
			vals := slices.Clone(tok.values)
			for i, v := range vals {
				if v == "latest" {
					vals[i] = latest()
				}
			}
			t := tok
			t.values = vals
			pred = func(g *group, envEvents []*storedEvent) bool {
				for _, r := range firstReleases(g, envs) {
					if r != nil && t.matchAny(r.version) {
						return true
					}
				}
				return false
			}
		case "assigned", "assigned_or_suggested":
			pred = func(g *group, _ []*storedEvent) bool {
				for _, v := range tok.values {
					if assigneeMatches(o, g.assignee, v) {
						return true
					}
				}
				return false
			}
		case "timesSeen", "times_seen":
			n, err := strconv.Atoi(tok.values[0])
			if err != nil {
				return nil, fmt.Errorf("invalid number for %s: %q", tok.key, tok.values[0])
			}
			pred = func(_ *group, envEvents []*storedEvent) bool { return compareInt(len(envEvents), tok.op, n) }
		case "age", "firstSeen", "lastSeen":
			at, op, err := dateBound(tok, now)
			if err != nil {
				return nil, err
			}
			useLast := tok.key == "lastSeen"
			pred = func(_ *group, envEvents []*storedEvent) bool {
				if len(envEvents) == 0 {
					return false
				}
				st := statsOf(envEvents)
				t := st.first
				if useLast {
					t = st.last
				}
				return compareTime(t, op, at)
			}
		case "id":
			pred = func(g *group, _ []*storedEvent) bool { return tok.matchAny(strconv.Itoa(g.id)) }
		case "issue.category", "issue.type":
			pred = func(g *group, _ []*storedEvent) bool { return tok.matchAny("error") }
		case "bookmarks":
			pred = func(g *group, _ []*storedEvent) bool { return g.isBookmarked }
		}
		if tok.negate {
			inner := pred
			pred = func(g *group, ev []*storedEvent) bool { return !inner(g, ev) }
		}
		preds = append(preds, pred)
	}
	return func(g *group, envEvents []*storedEvent) bool {
		for _, p := range preds {
			if !p(g, envEvents) {
				return false
			}
		}
		return true
	}, nil
}

func (s *Server) groupIs(o *org, g *group, v string) bool {
	switch v {
	case "unresolved", "for_review":
		return g.status == "unresolved"
	case "resolved":
		return g.status == "resolved"
	case "ignored", "archived", "muted":
		return g.status == "ignored"
	case "assigned":
		return g.assignee != nil
	case "unassigned":
		return g.assignee == nil
	case "linked", "unlinked":
		linked := false
		for _, in := range o.installs {
			for _, x := range in.external {
				linked = linked || x.group == g
			}
		}
		return linked == (v == "linked")
	case "new", "ongoing", "regressed", "escalating":
		return g.status == "unresolved" && s.substatus(g) == v
	}
	return false
}

// firstReleases is the issue's first release, per requested environment when there are any
// (Sentry keeps a first release per issue and environment).
func firstReleases(g *group, envs map[string]bool) []*release {
	if envs == nil {
		return []*release{g.firstRelease}
	}
	seen := map[string]bool{}
	var out []*release
	for _, e := range g.events {
		if envs[e.ev.Environment] && !seen[e.ev.Environment] {
			seen[e.ev.Environment] = true
			out = append(out, e.release)
		}
	}
	return out
}

func assigneeMatches(o *org, a *actor, v string) bool {
	switch {
	case v == "none":
		return a == nil
	case a == nil:
		return false
	case strings.HasPrefix(v, "#"):
		return a.t != nil && a.t.slug == v[1:]
	case v == "me" || v == "my_teams":
		// A token has no user behind it here.
		return false
	}
	m := o.memberByRef(v)
	return m != nil && a.m == m
}

func compareInt(a int, op string, b int) bool {
	switch op {
	case ">":
		return a > b
	case "<":
		return a < b
	case ">=":
		return a >= b
	case "<=":
		return a <= b
	}
	return a == b
}

// dateBound reads age:-24h (first seen within the last 24 hours), firstSeen:>2024-01-01,
// lastSeen:-1h and the like into a time and a comparison.
func dateBound(tok searchToken, now time.Time) (time.Time, string, error) {
	v := tok.values[0]
	if v[0] == '-' || v[0] == '+' {
		d, err := parsePeriod(v[1:])
		if err != nil {
			return time.Time{}, "", fmt.Errorf("invalid duration for %s: %q", tok.key, v)
		}
		if v[0] == '-' {
			return now.Add(-d), ">=", nil
		}
		return now.Add(-d), "<", nil
	}
	t, err := parseISO(v)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("invalid date for %s: %q", tok.key, v)
	}
	op := tok.op
	if op == ":" {
		op = ">="
	}
	return t, op, nil
}

func compareTime(a time.Time, op string, b time.Time) bool {
	switch op {
	case ">":
		return a.After(b)
	case "<":
		return a.Before(b)
	case "<=":
		return !a.After(b)
	}
	return !a.Before(b)
}

// searchIssues applies the query (default when the parameter is absent), projects,
// environments and time window. eventFiltered says whether event-level filters were given.
func (c *call) searchIssues(o *org, defaultQuery string) (hits []issueHit, eventFiltered bool, ok bool) {
	s := c.s
	projects, ok := c.projectFilter(o)
	if !ok {
		return nil, false, false
	}
	envs := c.environmentFilter()
	start, end, ok := c.timeWindow(0)
	if !ok {
		return nil, false, false
	}
	q := defaultQuery
	if c.r.URL.Query().Has("query") {
		q = c.query("query")
	}
	tokens, err := parseSearch(q)
	if err != nil {
		c.detail(http.StatusBadRequest, "Error parsing search query: "+err.Error())
		return nil, false, false
	}
	var issueToks, eventToks []searchToken
	var shortID string
	for _, t := range tokens {
		switch {
		case t.key == "environment" && !t.negate:
			// Sentry takes environment in the query as it takes the parameter.
			if envs == nil {
				envs = map[string]bool{}
			}
			for _, v := range t.values {
				envs[v] = true
			}
		case issueKeys[t.key]:
			issueToks = append(issueToks, t)
		default:
			if t.key == "" && c.query("shortIdLookup") == "1" && o.groupByRef(t.text) != nil {
				shortID = t.text
				continue
			}
			eventToks = append(eventToks, t)
		}
	}
	latest := func() string { return o.latestRelease(projects) }
	evMatch, err := eventMatcher(eventToks, latest)
	if err != nil {
		c.detail(http.StatusBadRequest, err.Error())
		return nil, false, false
	}
	isMatch, err := s.issueMatcher(o, issueToks, envs, latest)
	if err != nil {
		c.detail(http.StatusBadRequest, err.Error())
		return nil, false, false
	}
	for _, g := range o.allGroups(projects) {
		if shortID != "" {
			if strings.EqualFold(g.shortID, shortID) {
				all := eventsIn(g.events, nil, time.Time{}, time.Time{})
				hits = append(hits, issueHit{g: g, envEvents: all, window: all, matched: all})
			}
			continue
		}
		h := issueHit{g: g, envEvents: eventsIn(g.events, envs, time.Time{}, time.Time{})}
		h.window = eventsIn(h.envEvents, nil, start, end)
		for _, e := range h.window {
			if evMatch(e) {
				h.matched = append(h.matched, e)
			}
		}
		if len(h.matched) > 0 && isMatch(g, h.envEvents) {
			hits = append(hits, h)
		}
	}
	return hits, len(eventToks) > 0, true
}
