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
