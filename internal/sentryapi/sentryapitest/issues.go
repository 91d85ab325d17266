package sentryapitest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// org resolves the organization_id_or_slug parameter, answering 404 when it is unknown.
func (c *call) org() (*org, bool) {
	o := c.s.findOrg(c.param("organization_id_or_slug"))
	if o == nil {
		c.notFound()
		return nil, false
	}
	return o, true
}

// project resolves the organization and project_id_or_slug parameters.
func (c *call) project() (*org, *project, bool) {
	o, ok := c.org()
	if !ok {
		return nil, nil, false
	}
	p := o.project(c.param("project_id_or_slug"))
	if p == nil {
		c.notFound()
		return nil, nil, false
	}
	return o, p, true
}

// group resolves issue_id: a numeric ID or a short ID (PROJ-1A), as Sentry accepts both.
func (c *call) group() (*org, *group, bool) {
	o, ok := c.org()
	if !ok {
		return nil, nil, false
	}
	g := o.groupByRef(c.param("issue_id"))
	if g == nil {
		c.notFound()
		return nil, nil, false
	}
	return o, g, true
}

func (o *org) groupByRef(ref string) *group {
	for _, p := range o.projects {
		for _, g := range p.groups {
			if !g.deleted && (strconv.Itoa(g.id) == ref || strings.EqualFold(g.shortID, ref)) {
				return g
			}
		}
	}
	return nil
}

func (o *org) allGroups(only map[*project]bool) []*group {
	var out []*group
	for _, p := range o.projects {
		if only != nil && !only[p] {
			continue
		}
		for _, g := range p.groups {
			if !g.deleted {
				out = append(out, g)
			}
		}
	}
	return out
}

// latestRelease is what "latest" means in a query: the most recently created release of the
// given projects (all of the organization's when nil).
func (o *org) latestRelease(only map[*project]bool) string {
	var best *release
	for _, r := range o.releases {
		if only != nil && !slices.ContainsFunc(r.projects, func(p *project) bool { return only[p] }) {
			continue
		}
		if best == nil || !r.dateCreated.Before(best.dateCreated) {
			best = r
		}
	}
	if best == nil {
		return ""
	}
	return best.version
}

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

type issueHit struct {
	g         *group
	envEvents []*storedEvent // in the requested environments, all time
	window    []*storedEvent // ... and in the time window
	matched   []*storedEvent // ... and matching the event-level filters
}

var issueSorts = []string{"date", "new", "freq", "user", "trends", "inbox", "recommended", "priority"}

// listIssues is the organization issue search.
func (s *Server) listIssues(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	hits, eventFiltered, ok := c.searchIssues(o, "is:unresolved")
	if !ok {
		return
	}
	sortBy := cmp.Or(c.query("sort"), "date")
	if !slices.Contains(issueSorts, sortBy) {
		c.detail(http.StatusBadRequest, "Invalid sort: "+sortBy)
		return
	}
	statsPeriod := "24h"
	if c.r.URL.Query().Has("groupStatsPeriod") {
		statsPeriod = c.query("groupStatsPeriod")
	}
	if !slices.Contains([]string{"", "24h", "14d", "auto"}, statsPeriod) {
		c.detail(http.StatusBadRequest, "Invalid groupStatsPeriod: "+statsPeriod)
		return
	}
	slices.SortStableFunc(hits, func(a, b issueHit) int {
		am, bm := statsOf(a.matched), statsOf(b.matched)
		var r int
		switch sortBy {
		case "new":
			r = statsOf(b.envEvents).first.Compare(statsOf(a.envEvents).first)
		case "freq":
			r = cmp.Compare(bm.count, am.count)
		case "user":
			r = cmp.Compare(bm.users, am.users)
		default:
			r = bm.last.Compare(am.last)
		}
		return cmp.Or(r, cmp.Compare(b.g.id, a.g.id))
	})
	lo, hi, ok := c.pageOf(len(hits), "limit", 100, 100)
	if !ok {
		return
	}
	start, end, _ := c.timeWindow(0)
	out := make([]map[string]any, 0, hi-lo)
	for _, h := range hits[lo:hi] {
		out = append(out, s.listIssueJSON(c, o, h, eventFiltered, statsPeriod, start, end))
	}
	c.json(http.StatusOK, out)
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

// groupBaseJSON has the fields every serialization of an issue carries.
func (s *Server) groupBaseJSON(c *call, o *org, g *group, st seenStats) map[string]any {
	p := g.project
	var assigned any
	if g.assignee != nil {
		assigned = g.assignee.json()
	}
	return map[string]any{
		"id":                               strconv.Itoa(g.id),
		"shareId":                          nil,
		"shortId":                          g.shortID,
		"title":                            g.title,
		"culprit":                          strOrNil(g.culprit),
		"permalink":                        fmt.Sprintf("%s/organizations/%s/issues/%d/", c.baseURL(), o.slug, g.id),
		"logger":                           strOrNil(g.logger),
		"level":                            g.level,
		"status":                           g.status,
		"statusDetails":                    g.statusDetails,
		"substatus":                        strOrNil(s.substatus(g)),
		"isPublic":                         g.isPublic,
		"platform":                         g.platform,
		"priority":                         g.priority,
		"priorityLockedAt":                 nil,
		"seerFixabilityScore":              nil,
		"seerAutofixLastTriggered":         nil,
		"seerExplorerAutofixLastTriggered": nil,
		"project":                          map[string]any{"id": strconv.Itoa(p.id), "name": p.name, "slug": p.slug, "platform": p.platform},
		"type":                             g.typ,
		"issueType":                        "error",
		"issueCategory":                    "error",
		"metadata":                         g.metadata,
		"numComments":                      0,
		"assignedTo":                       assigned,
		"isBookmarked":                     g.isBookmarked,
		"isSubscribed":                     g.isSubscribed,
		"subscriptionDetails":              nil,
		"hasSeen":                          g.hasSeen,
		"annotations":                      []any{},
		"isUnhandled":                      g.unhandled,
		"count":                            strconv.Itoa(st.count),
		"userCount":                        st.users,
		"firstSeen":                        timeOrNil(st.first),
		"lastSeen":                         timeOrNil(st.last),
		"derivedData": map[string]any{
			"blocker": "", "progress": "", "status": "", "viewCount": 0, "hasOpenFixPr": false,
			"isAssigned": g.assignee != nil, "hasRootCause": false, "lastCompletedAutofixStep": "",
			"lastProgressedAt": nil,
		},
	}
}

// listIssueJSON is an issue as the search returns it, with Sentry's three sets of numbers:
// the top-level ones cover the time window in the requested environments (firstSeen is the
// issue's first sighting in those environments when some are requested); lifetime covers all
// time in them; filtered covers the events the query's event filters kept (null without such
// filters).
func (s *Server) listIssueJSON(c *call, o *org, h issueHit, eventFiltered bool, statsPeriod string, start, end time.Time) map[string]any {
	g := h.g
	win := statsOf(h.window)
	life := statsOf(h.envEvents)
	if c.environmentFilter() != nil {
		win.first = life.first
	}
	j := s.groupBaseJSON(c, o, g, win)
	stats := map[string]any{}
	if statsPeriod != "" {
		stats[statsPeriod] = s.sparkline(h.envEvents, statsPeriod, start, end)
	}
	j["stats"] = stats
	j["lifetime"] = map[string]any{
		"count": strconv.Itoa(life.count), "userCount": life.users,
		"firstSeen": timeOrNil(life.first), "lastSeen": timeOrNil(life.last), "stats": nil,
	}
	j["filtered"] = nil
	if eventFiltered {
		m := statsOf(h.matched)
		fstats := map[string]any{}
		if statsPeriod != "" {
			fstats[statsPeriod] = s.sparkline(h.matched, statsPeriod, start, end)
		}
		j["filtered"] = map[string]any{
			"count": strconv.Itoa(m.count), "userCount": m.users,
			"firstSeen": timeOrNil(m.first), "lastSeen": timeOrNil(m.last), "stats": fstats,
		}
	}
	j["sessionCount"] = g.project.sessionCount(start, end)
	j["inbox"] = map[string]any{"reason": 0, "reason_details": nil, "date_added": timeOrNil(life.first)}
	j["owners"] = nil
	j["integrationIssues"] = []any{}
	j["sentryAppIssues"] = s.sentryAppIssuesJSON(o, g)
	j["latestEventHasAttachments"] = false
	j["matchingEventId"] = nil
	j["matchingEventEnvironment"] = nil
	if eventFiltered && len(h.matched) > 0 {
		last := h.matched[len(h.matched)-1]
		j["matchingEventId"] = last.id
		j["matchingEventEnvironment"] = strOrNil(last.ev.Environment)
	}
	return j
}

// sparkline is an issue's event counts as [[unix seconds, count], …]: 24 hourly buckets for
// "24h", 14 daily ones for "14d", 30 for "30d"; "auto" fits the query's window.
func (s *Server) sparkline(events []*storedEvent, period string, start, end time.Time) [][2]float64 {
	now := s.clock()
	var step time.Duration
	var n int
	switch period {
	case "24h":
		step, n = time.Hour, 24
	case "14d":
		step, n = 24*time.Hour, 14
	case "30d":
		step, n = 24*time.Hour, 30
	default:
		step = time.Hour
		if end.Sub(start) > 48*time.Hour {
			step = 24 * time.Hour
		}
		now = end
		n = int(end.Sub(start)/step) + 1
	}
	last := now.Truncate(step)
	first := last.Add(-time.Duration(n-1) * step)
	out := make([][2]float64, n)
	for i := range out {
		out[i][0] = float64(first.Add(time.Duration(i) * step).Unix())
	}
	for _, e := range events {
		if e.ts.Before(first) || !e.ts.Before(last.Add(step)) {
			continue
		}
		out[int(e.ts.Sub(first)/step)][1]++
	}
	return out
}

func (s *Server) sentryAppIssuesJSON(o *org, g *group) []map[string]any {
	out := []map[string]any{}
	for _, in := range o.installs {
		for _, x := range in.external {
			if x.group == g {
				out = append(out, x.json())
			}
		}
	}
	return out
}

func (x *externalIssue) json() map[string]any {
	return map[string]any{
		"id": strconv.Itoa(x.id), "issueId": strconv.Itoa(x.group.id),
		"serviceType": x.serviceType, "displayName": x.name, "webUrl": x.webURL,
	}
}

// getIssue is the issue detail, in the requested environments when any are given.
func (s *Server) getIssue(c *call) {
	o, g, ok := c.group()
	if !ok {
		return
	}
	c.json(http.StatusOK, s.issueDetailJSON(c, o, g))
}

// maxActivity is how many activity entries the issue details carry.
const maxActivity = 100

func (s *Server) issueDetailJSON(c *call, o *org, g *group) map[string]any {
	envs := c.environmentFilter()
	envEvents := eventsIn(g.events, envs, time.Time{}, time.Time{})
	j := s.groupBaseJSON(c, o, g, statsOf(envEvents))
	var first, last any
	if rs := firstReleases(g, envs); len(rs) > 0 && rs[0] != nil {
		first = rs[0].shortJSON()
	}
	if r := lastRelease(envEvents); r != nil {
		last = r.shortJSON()
	}
	j["firstRelease"], j["lastRelease"] = first, last
	j["tags"] = tagKeysJSON(envEvents)
	now := s.clock()
	j["stats"] = map[string]any{
		"24h": s.sparkline(envEvents, "24h", now.Add(-24*time.Hour), now),
		"30d": s.sparkline(envEvents, "30d", now.Add(-30*24*time.Hour), now),
	}
	// Newest first, the latest 100 only (GroupDetailsEndpoint reads get_activities_for_group
	// with num=100).
	activity := slices.Clone(g.activity)
	slices.Reverse(activity)
	j["activity"] = activity[:min(len(activity), maxActivity)]
	j["seenBy"] = []any{}
	j["participants"] = []any{}
	j["userReportCount"] = 0
	j["inbox"] = nil
	j["owners"] = nil
	j["integrationIssues"] = []any{}
	j["sentryAppIssues"] = s.sentryAppIssuesJSON(o, g)
	j["latestEventHasAttachments"] = false
	return j
}

// tagKeysJSON lists an issue's tag keys with the number of events carrying each.
func tagKeysJSON(events []*storedEvent) []map[string]any {
	counts := map[string]int{}
	for _, e := range events {
		for _, t := range e.tags {
			counts[t.key]++
		}
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		out = append(out, map[string]any{"key": k, "name": tagLabel(k), "totalValues": counts[k]})
	}
	return out
}

// tagLabel is Sentry's display name for a tag key: a few fixed labels, else the key in title
// case with underscores as spaces.
func tagLabel(key string) string {
	switch key {
	case "user":
		return "User"
	case "release":
		return "Release"
	case "dist":
		return "Distribution"
	case "os":
		return "OS"
	case "url":
		return "URL"
	case "server_name":
		return "Server"
	}
	r := []rune(strings.ReplaceAll(key, "_", " "))
	upper := true
	for i, ch := range r {
		if upper {
			r[i] = unicode.ToUpper(ch)
		} else {
			r[i] = unicode.ToLower(ch)
		}
		upper = !unicode.IsLetter(ch)
	}
	return string(r)
}

// updateIssue changes one issue and answers with the issue.
func (s *Server) updateIssue(c *call) {
	o, g, ok := c.group()
	if !ok {
		return
	}
	var body map[string]json.RawMessage
	if !c.decode(&body) {
		return
	}
	if _, ok := s.applyUpdate(c, o, []*group{g}, body); !ok {
		return
	}
	j := s.groupBaseJSON(c, o, g, statsOf(g.events))
	c.json(http.StatusOK, j)
}

// bulkUpdateIssues changes the issues named by id= (or found by the query) and answers with
// what changed; 204 when nothing matched.
func (s *Server) bulkUpdateIssues(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	var groups []*group
	if ids := c.queryAll("id"); len(ids) > 0 {
		if len(ids) > 1000 {
			c.detail(http.StatusBadRequest, "Too many IDs (max 1000)")
			return
		}
		for _, id := range ids {
			if g := o.groupByRef(id); g != nil {
				groups = append(groups, g)
			}
		}
	} else {
		hits, _, ok := c.searchIssues(o, "is:unresolved")
		if !ok {
			return
		}
		for _, h := range hits {
			groups = append(groups, h.g)
		}
	}
	if len(groups) == 0 {
		c.noContent()
		return
	}
	var body map[string]json.RawMessage
	if !c.decode(&body) {
		return
	}
	result, ok := s.applyUpdate(c, o, groups, body)
	if !ok {
		return
	}
	c.json(http.StatusOK, result)
}

// deleteIssue removes an issue; Sentry answers 202 and deletes in the background.
func (s *Server) deleteIssue(c *call) {
	_, g, ok := c.group()
	if !ok {
		return
	}
	g.deleted = true
	c.w.WriteHeader(http.StatusAccepted)
}

// applyUpdate is Sentry's update_groups for the fields releasegate uses: status (with
// resolution in a release, the next release or a commit, and archiving), assignment, priority
// and the per-user flags. It answers 400 itself when the input is invalid.
func (s *Server) applyUpdate(c *call, o *org, groups []*group, body map[string]json.RawMessage) (map[string]any, bool) {
	result := map[string]any{}
	now := s.clock()
	str := func(k string) (string, bool, bool) {
		raw, present := body[k]
		if !present {
			return "", false, true
		}
		var v *string
		if err := json.Unmarshal(raw, &v); err != nil {
			c.fieldError(k, "Not a valid string.")
			return "", true, false
		}
		if v == nil {
			return "", true, true
		}
		return *v, true, true
	}
	boolean := func(k string) (bool, bool, bool) {
		raw, present := body[k]
		if !present {
			return false, false, true
		}
		var v bool
		if err := json.Unmarshal(raw, &v); err != nil {
			c.fieldError(k, "Must be a valid boolean.")
			return false, true, false
		}
		return v, true, true
	}
	for _, k := range []string{"merge", "discard"} {
		if v, present, ok := boolean(k); !ok {
			return nil, false
		} else if present && v {
			c.detail(http.StatusBadRequest, "sentryapitest does not "+k+" issues")
			return nil, false
		}
	}

	// Validate everything before changing anything, as Sentry's serializer does.
	status, hasStatus, ok := str("status")
	if !ok {
		return nil, false
	}
	if hasStatus && !slices.Contains([]string{"resolved", "unresolved", "ignored", "resolvedInNextRelease", "muted", "reprocessing"}, status) {
		c.fieldError("status", fmt.Sprintf("%q is not a valid choice.", status))
		return nil, false
	}
	var details struct {
		InNextRelease    bool                                 `json:"inNextRelease"`
		InRelease        string                               `json:"inRelease"`
		InCommit         *struct{ Commit, Repository string } `json:"inCommit"`
		IgnoreDuration   int                                  `json:"ignoreDuration"`
		IgnoreCount      int                                  `json:"ignoreCount"`
		IgnoreWindow     int                                  `json:"ignoreWindow"`
		IgnoreUserCount  int                                  `json:"ignoreUserCount"`
		IgnoreUserWindow int                                  `json:"ignoreUserWindow"`
	}
	if raw, present := body["statusDetails"]; present && string(raw) != "null" {
		if err := json.Unmarshal(raw, &details); err != nil {
			c.fieldError("statusDetails", "Invalid data: "+err.Error())
			return nil, false
		}
	}
	if status == "resolvedInNextRelease" {
		status, details.InNextRelease = "resolved", true
	}
	if status == "muted" {
		status = "ignored"
	}
	substatus, hasSub, ok := str("substatus")
	if !ok {
		return nil, false
	}
	var resRelease *release
	var commit *commit
	if hasStatus && status == "resolved" {
		projects := map[*project]bool{}
		for _, g := range groups {
			projects[g.project] = true
		}
		needsRelease := details.InNextRelease || details.InRelease != ""
		if needsRelease && len(projects) > 1 {
			c.detail(http.StatusBadRequest, "Cannot set resolved in release for multiple projects.")
			return nil, false
		}
		switch {
		case details.InNextRelease || details.InRelease == "latest":
			v := o.latestRelease(projects)
			if v == "" {
				field := "inRelease"
				if details.InNextRelease {
					field = "inNextRelease"
				}
				c.json(http.StatusBadRequest, map[string]any{"statusDetails": map[string][]string{
					field: {"No release data present in the system to form a basis for 'Next Release'"},
				}})
				return nil, false
			}
			resRelease = o.release(v)
		case details.InRelease != "":
			resRelease = o.release(details.InRelease)
			if resRelease == nil {
				c.json(http.StatusBadRequest, map[string]any{"statusDetails": map[string][]string{"inRelease": {"Unable to find a release with version " + details.InRelease}}})
				return nil, false
			}
		case details.InCommit != nil:
			repo := o.repository(s, details.InCommit.Repository, "")
			if repo == nil {
				c.json(http.StatusBadRequest, map[string]any{"statusDetails": map[string][]string{"inCommit": {"Unable to find the given repository."}}})
				return nil, false
			}
			commit = o.commitFor(s, repo, details.InCommit.Commit)
		}
	}
	assigneeRaw, hasAssignee := body["assignedTo"]
	var assignee *actor
	if hasAssignee && string(assigneeRaw) != "null" {
		var ref string
		if err := json.Unmarshal(assigneeRaw, &ref); err != nil {
			c.fieldError("assignedTo", "Unknown actor input")
			return nil, false
		}
		if ref != "" {
			a, msg := resolveActor(o, ref)
			if a == nil {
				c.fieldError("assignedTo", msg)
				return nil, false
			}
			for _, g := range groups {
				if a.m != nil && !a.m.hasAccess(g.project) {
					c.fieldError("assignedTo", "Cannot assign to non-team member")
					return nil, false
				}
				if a.t != nil && !slices.Contains(a.t.projects, g.project) {
					c.fieldError("assignedTo", "Cannot assign to a team without access to the project")
					return nil, false
				}
			}
			assignee = a
		}
	}
	priority, hasPriority, ok := str("priority")
	if !ok {
		return nil, false
	}
	if hasPriority && !slices.Contains([]string{"low", "medium", "high"}, priority) {
		c.fieldError("priority", fmt.Sprintf("%q is not a valid choice.", priority))
		return nil, false
	}
	flags := map[string]bool{}
	for _, k := range []string{"hasSeen", "isBookmarked", "isSubscribed", "isPublic", "inbox"} {
		v, present, ok := boolean(k)
		if !ok {
			return nil, false
		}
		if present {
			flags[k] = v
		}
	}

	// Apply.
	for _, g := range groups {
		if hasStatus {
			switch status {
			case "resolved":
				g.status, g.substatus = "resolved", ""
				g.statusDetails = map[string]any{}
				g.resolution = &resolution{kind: "plain"}
				data := map[string]any{}
				switch {
				case details.InNextRelease:
					g.statusDetails["inNextRelease"] = true
					g.resolution = &resolution{kind: "inNextRelease", release: resRelease}
				case resRelease != nil:
					g.statusDetails["inRelease"] = resRelease.version
					g.resolution = &resolution{kind: "inRelease", release: resRelease}
					data["version"] = resRelease.version
				case commit != nil:
					g.statusDetails["inCommit"] = commit.json(o)
					g.resolution = &resolution{kind: "inCommit"}
				}
				typ := "set_resolved"
				if g.resolution.kind != "plain" {
					typ = "set_resolved_in_release"
				}
				g.activity = append(g.activity, s.activityEntry(typ, data, now))
			case "unresolved":
				g.status, g.substatus, g.statusDetails, g.resolution, g.ignore = "unresolved", "ongoing", map[string]any{}, nil, ignoreRule{}
				g.activity = append(g.activity, s.activityEntry("set_unresolved", nil, now))
			case "ignored":
				g.status, g.statusDetails, g.resolution = "ignored", map[string]any{}, nil
				g.ignore = ignoreRule{}
				g.substatus = "archived_until_escalating"
				if details.IgnoreDuration > 0 {
					g.ignore.until = now.Add(time.Duration(details.IgnoreDuration) * time.Minute)
					g.statusDetails["ignoreUntil"] = timestamp(g.ignore.until)
					g.substatus = "archived_until_condition_met"
				}
				if details.IgnoreCount > 0 {
					g.ignore.count, g.ignore.countStart = details.IgnoreCount, len(g.events)
					g.statusDetails["ignoreCount"] = details.IgnoreCount
					if details.IgnoreWindow > 0 {
						g.statusDetails["ignoreWindow"] = details.IgnoreWindow
					}
					g.substatus = "archived_until_condition_met"
				}
				if details.IgnoreUserCount > 0 {
					g.statusDetails["ignoreUserCount"] = details.IgnoreUserCount
					if details.IgnoreUserWindow > 0 {
						g.statusDetails["ignoreUserWindow"] = details.IgnoreUserWindow
					}
					g.substatus = "archived_until_condition_met"
				}
				if hasSub && strings.HasPrefix(substatus, "archived_") {
					g.substatus = substatus
				}
				g.activity = append(g.activity, s.activityEntry("set_ignored", nil, now))
			}
		}
		if hasAssignee {
			if assignee == nil {
				if g.assignee != nil {
					g.activity = append(g.activity, s.activityEntry("unassigned", nil, now))
				}
			} else {
				g.activity = append(g.activity, s.activityEntry("assigned", map[string]any{"assignee": assignee.ref()}, now))
			}
			g.assignee = assignee
		}
		if hasPriority {
			g.priority = priority
			g.activity = append(g.activity, s.activityEntry("set_priority", map[string]any{"priority": priority}, now))
		}
		for k, v := range flags {
			switch k {
			case "hasSeen":
				g.hasSeen = v
			case "isBookmarked":
				g.isBookmarked = v
			case "isSubscribed":
				g.isSubscribed = v
			case "isPublic":
				g.isPublic = v
			}
		}
	}
	g := groups[0]
	if hasStatus {
		result["status"] = g.status
		result["statusDetails"] = g.statusDetails
		if sub := s.substatus(g); sub != "" {
			result["substatus"] = sub
		}
	}
	if hasAssignee {
		if assignee != nil {
			result["assignedTo"] = assignee.json()
		} else {
			result["assignedTo"] = nil
		}
	}
	if hasPriority {
		result["priority"] = priority
	}
	for k, v := range flags {
		result[k] = v
	}
	return result, true
}

// resolveActor reads an assignee as Sentry does: "user:<id>", "team:<id>", a user ID, a
// username or an email.
func resolveActor(o *org, ref string) (*actor, string) {
	if id, ok := strings.CutPrefix(ref, "team:"); ok {
		for _, t := range o.teams {
			if strconv.Itoa(t.id) == id {
				return &actor{t: t}, ""
			}
		}
		return nil, "Unknown actor input"
	}
	ref = strings.TrimPrefix(ref, "user:")
	for _, m := range o.members {
		if strconv.Itoa(m.userID) == ref || strings.EqualFold(m.email, ref) {
			return &actor{m: m}, ""
		}
	}
	return nil, "Unknown actor input"
}

// listIssueEvents lists an issue's events, newest first.
func (s *Server) listIssueEvents(c *call) {
	o, g, ok := c.group()
	if !ok {
		return
	}
	start, end, ok := c.timeWindow(0)
	if !ok {
		return
	}
	tokens, err := parseSearch(c.query("query"))
	if err != nil {
		c.detail(http.StatusBadRequest, "Error parsing search query: "+err.Error())
		return
	}
	match, err := eventMatcher(tokens, func() string { return o.latestRelease(map[*project]bool{g.project: true}) })
	if err != nil {
		c.detail(http.StatusBadRequest, err.Error())
		return
	}
	var events []*storedEvent
	for _, e := range eventsIn(g.events, c.environmentFilter(), start, end) {
		if match(e) {
			events = append(events, e)
		}
	}
	slices.SortStableFunc(events, func(a, b *storedEvent) int { return cmp.Or(b.ts.Compare(a.ts), cmp.Compare(b.seq, a.seq)) })
	lo, hi, ok := c.pageOf(len(events), "per_page", 100, 100)
	if !ok {
		return
	}
	out := make([]map[string]any, 0, hi-lo)
	for _, e := range events[lo:hi] {
		out = append(out, map[string]any{
			"id": e.id, "event.type": g.typ, "groupID": strconv.Itoa(g.id), "eventID": e.id,
			"projectID": strconv.Itoa(e.project.id), "message": eventMessage(e), "title": g.title,
			"location": strOrNil(eventLocation(e)), "culprit": strOrNil(g.culprit), "user": userJSON(e.ev.User),
			"tags": tagsJSON(e.tags), "platform": e.ev.Platform, "dateCreated": timestamp(e.ts),
			"crashFile": nil, "metadata": g.metadata,
		})
	}
	c.json(http.StatusOK, out)
}

// getIssueEvent answers one event of an issue: an ID, or latest, oldest or recommended.
func (s *Server) getIssueEvent(c *call) {
	_, g, ok := c.group()
	if !ok {
		return
	}
	events := eventsIn(g.events, c.environmentFilter(), time.Time{}, time.Time{})
	slices.SortStableFunc(events, func(a, b *storedEvent) int { return cmp.Or(a.ts.Compare(b.ts), cmp.Compare(a.seq, b.seq)) })
	idx := -1
	switch ref := c.param("event_id"); ref {
	case "latest", "recommended":
		// Sentry's recommended event favours recent, complete events; every stored event is
		// complete here, so it is the latest one.
		idx = len(events) - 1
	case "oldest":
		if len(events) > 0 {
			idx = 0
		}
	default:
		ref = strings.ReplaceAll(strings.ToLower(ref), "-", "")
		idx = slices.IndexFunc(events, func(e *storedEvent) bool { return e.id == ref })
	}
	if idx < 0 {
		c.notFound()
		return
	}
	j := s.eventJSON(events[idx])
	j["previousEventID"], j["nextEventID"] = nil, nil
	if idx > 0 {
		j["previousEventID"] = events[idx-1].id
	}
	if idx < len(events)-1 {
		j["nextEventID"] = events[idx+1].id
	}
	c.json(http.StatusOK, j)
}

func eventMessage(e *storedEvent) string {
	if e.ev.Message != "" {
		return e.ev.Message
	}
	return e.group.title
}

func eventLocation(e *storedEvent) string {
	if top := topFrame(e.ev.Exceptions); top != nil {
		return cmp.Or(top.Filename, top.AbsPath, top.Module)
	}
	return ""
}

func userJSON(u *User) any {
	if u == nil {
		return nil
	}
	return map[string]any{
		"id": strOrNil(u.ID), "email": strOrNil(u.Email), "username": strOrNil(u.Username),
		"ip_address": strOrNil(u.IPAddress), "name": strOrNil(u.Name), "geo": nil, "data": nil,
	}
}

func tagsJSON(tags []tagPair) []map[string]string {
	out := make([]map[string]string, 0, len(tags))
	for _, t := range tags {
		out = append(out, map[string]string{"key": t.key, "value": t.value})
	}
	return out
}

// eventJSON is an event as the Web API shows it (camelCase, entries).
func (s *Server) eventJSON(e *storedEvent) map[string]any {
	g := e.group
	var entries []any
	if len(e.ev.Exceptions) > 0 {
		var values []any
		hasSystem := false
		for _, x := range e.ev.Exceptions {
			var frames []any
			for _, f := range x.Frames {
				hasSystem = hasSystem || !f.InApp
				var context any = []any{}
				if f.ContextLine != "" {
					context = []any{[]any{f.Lineno, f.ContextLine}}
				}
				frames = append(frames, map[string]any{
					"filename": strOrNil(f.Filename), "absPath": strOrNil(f.AbsPath), "module": strOrNil(f.Module),
					"package": strOrNil(f.Package), "platform": nil, "instructionAddr": nil, "symbolAddr": nil,
					"function": strOrNil(f.Function), "rawFunction": nil, "symbol": nil, "context": context,
					"lineNo": intOrNil(f.Lineno), "colNo": intOrNil(f.Colno), "inApp": f.InApp,
					"trust": nil, "errors": nil, "lock": nil, "sourceLink": nil, "vars": nil,
				})
			}
			var mech any
			if x.Mechanism != "" || x.Handled != nil {
				m := map[string]any{"type": cmp.Or(x.Mechanism, "generic")}
				if x.Handled != nil {
					m["handled"] = *x.Handled
				}
				mech = m
			}
			var st any
			if len(frames) > 0 {
				st = map[string]any{"frames": frames, "framesOmitted": nil, "registers": nil, "hasSystemFrames": hasSystem}
			}
			values = append(values, map[string]any{
				"type": x.Type, "value": x.Value, "module": strOrNil(x.Module), "threadId": nil,
				"mechanism": mech, "stacktrace": st, "rawStacktrace": nil,
			})
		}
		entries = append(entries, map[string]any{"type": "exception", "data": map[string]any{"values": values, "excOmitted": nil, "hasSystemFrames": hasSystem}})
	}
	if e.ev.Message != "" {
		entries = append(entries, map[string]any{"type": "message", "data": map[string]any{"formatted": e.ev.Message}})
	}
	if e.ev.RequestURL != "" {
		entries = append(entries, map[string]any{"type": "request", "data": map[string]any{"url": e.ev.RequestURL, "method": nil, "headers": []any{}}})
	}
	if entries == nil {
		entries = []any{}
	}
	contexts := map[string]any{}
	for k, v := range e.ev.Contexts {
		contexts[k] = v
	}
	var sdk any
	if e.ev.SDKName != "" {
		sdk = map[string]any{"name": e.ev.SDKName, "version": strOrNil(e.ev.SDKVersion)}
	}
	var rel any
	if e.release != nil {
		rel = e.release.eventJSON()
	}
	fingerprints := e.ev.Fingerprint
	if len(fingerprints) == 0 {
		fingerprints = []string{"{{ default }}"}
	}
	return map[string]any{
		"id": e.id, "groupID": strconv.Itoa(g.id), "eventID": e.id, "projectID": strconv.Itoa(e.project.id),
		"message": eventMessage(e), "title": g.title, "location": strOrNil(eventLocation(e)),
		"culprit": strOrNil(g.culprit), "user": userJSON(e.ev.User), "tags": tagsJSON(e.tags),
		"platform": e.ev.Platform, "dateReceived": timestamp(e.received), "dateCreated": timestamp(e.ts),
		"contexts": contexts, "size": e.size, "entries": entries, "dist": strOrNil(e.ev.Dist),
		"sdk": sdk, "context": map[string]any{}, "packages": map[string]any{}, "type": g.typ,
		"metadata": g.metadata, "errors": []any{}, "occurrence": nil, "_meta": map[string]any{},
		"crashFile": nil, "fingerprints": fingerprints,
		"groupingConfig": map[string]any{"id": "newstyle:2023-01-11", "enhancements": ""},
		"release":        rel, "userReport": nil, "sdkUpdates": []any{}, "resolvedWith": []string{},
	}
}

func intOrNil(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// tagValue aggregates one value of a tag over an issue's events.
type tagValue struct {
	value       string
	count       int
	first, last time.Time
	order       int
	user        *User
}

func tagValues(events []*storedEvent, key string) []*tagValue {
	byValue := map[string]*tagValue{}
	var out []*tagValue
	for _, e := range events {
		v, ok := e.tag(key)
		if !ok {
			continue
		}
		tv := byValue[v]
		if tv == nil {
			tv = &tagValue{value: v, first: e.ts, last: e.ts, order: len(out)}
			byValue[v] = tv
			out = append(out, tv)
		}
		tv.count++
		if e.ts.Before(tv.first) {
			tv.first = e.ts
		}
		if e.ts.After(tv.last) {
			tv.last = e.ts
		}
		if key == "user" && e.ev.User != nil {
			tv.user = e.ev.User
		}
	}
	return out
}

func (tv *tagValue) json(key string) map[string]any {
	name := tv.value
	j := map[string]any{"key": key, "value": tv.value, "count": tv.count, "firstSeen": timestamp(tv.first), "lastSeen": timestamp(tv.last)}
	if key == "user" {
		if u := tv.user; u != nil {
			name = cmp.Or(u.Email, u.Username, u.ID, u.IPAddress)
		}
		kind, v, _ := strings.Cut(tv.value, ":")
		field := map[string]string{"id": "user.id", "email": "user.email", "username": "user.username", "ip": "user.ip"}[kind]
		if field != "" {
			j["query"] = fmt.Sprintf("%s:%q", field, v)
		}
	}
	j["name"] = name
	return j
}

// getIssueTag answers a tag's distribution over an issue: the top values and the totals.
func (s *Server) getIssueTag(c *call) {
	_, g, ok := c.group()
	if !ok {
		return
	}
	key := c.param("key")
	events := eventsIn(g.events, c.environmentFilter(), time.Time{}, time.Time{})
	values := tagValues(events, key)
	if len(values) == 0 {
		c.detail(http.StatusNotFound, "Tag key not found.")
		return
	}
	total := 0
	for _, v := range values {
		total += v.count
	}
	slices.SortStableFunc(values, func(a, b *tagValue) int { return cmp.Or(cmp.Compare(b.count, a.count), b.last.Compare(a.last)) })
	top := []map[string]any{}
	for _, v := range values[:min(len(values), 9)] {
		top = append(top, v.json(key))
	}
	c.json(http.StatusOK, map[string]any{
		"key": key, "name": tagLabel(key), "uniqueValues": len(values), "totalValues": total, "topValues": top,
	})
}

// listIssueTagValues lists a tag's values over an issue (sort: count, date, age or id, "-"
// for descending; Sentry's default is -id).
func (s *Server) listIssueTagValues(c *call) {
	_, g, ok := c.group()
	if !ok {
		return
	}
	key := c.param("key")
	values := tagValues(eventsIn(g.events, c.environmentFilter(), time.Time{}, time.Time{}), key)
	if len(values) == 0 {
		c.detail(http.StatusNotFound, "Tag key not found.")
		return
	}
	sortBy := cmp.Or(c.query("sort"), "-id")
	field, desc := strings.TrimPrefix(sortBy, "-"), strings.HasPrefix(sortBy, "-")
	if !slices.Contains([]string{"count", "date", "age", "id"}, field) {
		c.detail(http.StatusBadRequest, "Invalid sort: "+sortBy)
		return
	}
	slices.SortStableFunc(values, func(a, b *tagValue) int {
		var r int
		switch field {
		case "count":
			r = cmp.Compare(a.count, b.count)
		case "date":
			r = a.last.Compare(b.last)
		case "age":
			r = a.first.Compare(b.first)
		default:
			r = cmp.Compare(a.order, b.order)
		}
		if desc {
			r = -r
		}
		return cmp.Or(r, cmp.Compare(a.order, b.order))
	})
	servePage(c, len(values), "per_page", 100, 1000, func(i int) any { return values[i].json(key) })
}

// resolveShortID answers which issue a short ID names.
func (s *Server) resolveShortID(c *call) {
	o, g, ok := c.group()
	if !ok {
		return
	}
	c.json(http.StatusOK, map[string]any{
		"organizationSlug": o.slug, "projectSlug": g.project.slug, "groupId": strconv.Itoa(g.id),
		"shortId": g.shortID, "group": s.groupBaseJSON(c, o, g, statsOf(g.events)),
	})
}

// listExternalIssues lists the external issues (Jira tickets and such) linked to an issue.
func (s *Server) listExternalIssues(c *call) {
	o, g, ok := c.group()
	if !ok {
		return
	}
	c.json(http.StatusOK, s.sentryAppIssuesJSON(o, g))
}

func (s *Server) listInstallations(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	out := []map[string]any{}
	for _, in := range o.installs {
		out = append(out, map[string]any{
			"app":          map[string]any{"uuid": in.appUUID, "slug": in.appSlug, "sentryAppId": in.appID},
			"organization": map[string]any{"slug": o.slug},
			"uuid":         in.uuid,
			"status":       "installed",
		})
	}
	c.json(http.StatusOK, out)
}

// createExternalIssue links an issue to a ticket of a Sentry app; a second call for the same
// issue and installation updates the link.
func (s *Server) createExternalIssue(c *call) {
	var in *installation
	var o *org
	for _, org := range s.orgs {
		if x := org.installation(c.param("uuid")); x != nil {
			in, o = x, org
		}
	}
	if in == nil {
		c.notFound()
		return
	}
	var body struct {
		IssueID    json.Number `json:"issueId"`
		WebURL     string      `json:"webUrl"`
		Project    string      `json:"project"`
		Identifier string      `json:"identifier"`
	}
	if !c.decode(&body) {
		return
	}
	errs := map[string][]string{}
	for k, v := range map[string]string{"issueId": body.IssueID.String(), "webUrl": body.WebURL, "project": body.Project, "identifier": body.Identifier} {
		if v == "" {
			errs[k] = []string{"This field is required."}
		}
	}
	if len(errs) > 0 {
		c.json(http.StatusBadRequest, errs)
		return
	}
	g := o.groupByRef(body.IssueID.String())
	if g == nil {
		c.notFound()
		return
	}
	name := body.Project + "#" + body.Identifier
	for _, x := range in.external {
		if x.group == g {
			x.webURL, x.project, x.ident, x.name = body.WebURL, body.Project, body.Identifier, name
			c.json(http.StatusOK, x.json())
			return
		}
	}
	x := &externalIssue{
		id: s.newID(), install: in, group: g, webURL: body.WebURL, project: body.Project,
		ident: body.Identifier, serviceType: in.appSlug, name: name,
	}
	in.external = append(in.external, x)
	c.json(http.StatusOK, x.json())
}

func (s *Server) deleteExternalIssue(c *call) {
	for _, o := range s.orgs {
		in := o.installation(c.param("uuid"))
		if in == nil {
			continue
		}
		for i, x := range in.external {
			if strconv.Itoa(x.id) == c.param("external_issue_id") {
				in.external = slices.Delete(in.external, i, i+1)
				c.noContent()
				return
			}
		}
	}
	c.notFound()
}
