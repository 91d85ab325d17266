package sentryapitest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// session is a release-health session (or a batch of identical ones, for aggregates).
type session struct {
	sid         string // empty for aggregates
	did         string
	started     time.Time
	release     string
	environment string
	status      string // healthy, errored, crashed, abnormal
	count       int
}

// Session is a release-health session for RecordSession.
type Session struct {
	Release     string
	Environment string
	// DistinctID identifies the user (empty: anonymous).
	DistinctID string
	// Status is the session's outcome: "healthy", "errored", "crashed" or "abnormal".
	Status string
	// Started is when the session began (zero: the server's clock).
	Started time.Time
	// Count records that many identical sessions (default 1).
	Count int
}

// RecordSession stores sessions in a project ("slug", "org/slug" or ID) as if an SDK had sent
// them; sentry-go sends none itself.
func (s *Server) RecordSession(projectRef string, sess Session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.findProject(projectRef)
	if p == nil {
		return fmt.Errorf("sentryapitest: no project %q", projectRef)
	}
	if err := validVersion(sess.Release); err != nil {
		return fmt.Errorf("sentryapitest: session release: %w", err)
	}
	if !slices.Contains([]string{"healthy", "errored", "crashed", "abnormal"}, sess.Status) {
		return fmt.Errorf("sentryapitest: session status %q is not healthy, errored, crashed or abnormal", sess.Status)
	}
	if sess.Started.IsZero() {
		sess.Started = s.clock()
	}
	p.sessions = append(p.sessions, &session{
		did: sess.DistinctID, started: sess.Started.UTC(), release: sess.Release,
		environment: sess.Environment, status: sess.Status, count: max(sess.Count, 1),
	})
	s.releaseFor(p, sess.Release, s.clock())
	return nil
}

type sessionAttrs struct {
	Release     string `json:"release"`
	Environment string `json:"environment"`
}

// storeSessionUpdate takes a "session" envelope item; later updates of a session replace it.
func (s *Server) storeSessionUpdate(p *project, payload []byte, received time.Time, drift time.Duration) error {
	var u struct {
		SID     string       `json:"sid"`
		DID     string       `json:"did"`
		Started string       `json:"started"`
		Status  string       `json:"status"`
		Errors  int          `json:"errors"`
		Attrs   sessionAttrs `json:"attrs"`
	}
	if err := json.Unmarshal(payload, &u); err != nil {
		return err
	}
	if u.Attrs.Release == "" {
		// Relay drops sessions without a release.
		return nil
	}
	started, err := time.Parse(time.RFC3339Nano, u.Started)
	if err != nil {
		started = received
	} else {
		started = started.Add(drift)
	}
	status := "healthy"
	switch {
	case u.Status == "crashed" || u.Status == "abnormal":
		status = u.Status
	case u.Status == "errored" || u.Errors > 0:
		status = "errored"
	}
	sess := &session{sid: u.SID, did: u.DID, started: started.UTC(), release: u.Attrs.Release, environment: u.Attrs.Environment, status: status, count: 1}
	for i, old := range p.sessions {
		if old.sid != "" && old.sid == u.SID {
			p.sessions[i] = sess
			return nil
		}
	}
	p.sessions = append(p.sessions, sess)
	s.releaseFor(p, sess.release, received)
	return nil
}

// storeSessionAggregates takes a "sessions" envelope item (counts per start time).
func (s *Server) storeSessionAggregates(p *project, payload []byte, received time.Time, drift time.Duration) error {
	var agg struct {
		Aggregates []struct {
			Started  string `json:"started"`
			DID      string `json:"did"`
			Exited   int    `json:"exited"`
			Errored  int    `json:"errored"`
			Abnormal int    `json:"abnormal"`
			Crashed  int    `json:"crashed"`
		} `json:"aggregates"`
		Attrs sessionAttrs `json:"attrs"`
	}
	if err := json.Unmarshal(payload, &agg); err != nil {
		return err
	}
	if agg.Attrs.Release == "" {
		return nil
	}
	for _, a := range agg.Aggregates {
		started, err := time.Parse(time.RFC3339Nano, a.Started)
		if err != nil {
			started = received
		} else {
			started = started.Add(drift)
		}
		for status, n := range map[string]int{"healthy": a.Exited, "errored": a.Errored, "abnormal": a.Abnormal, "crashed": a.Crashed} {
			if n > 0 {
				p.sessions = append(p.sessions, &session{did: a.DID, started: started.UTC(), release: agg.Attrs.Release, environment: agg.Attrs.Environment, status: status, count: n})
			}
		}
	}
	s.releaseFor(p, agg.Attrs.Release, received)
	return nil
}

func (p *project) hasSessions(release string) bool {
	return slices.ContainsFunc(p.sessions, func(x *session) bool { return x.release == release })
}

func (p *project) sessionCount(start, end time.Time) int {
	n := 0
	for _, x := range p.sessions {
		if !x.started.Before(start) && x.started.Before(end) {
			n += x.count
		}
	}
	return n
}

// sessionTally counts sessions and users by outcome.
type sessionTally struct {
	total, errored, crashed, abnormal int // errored includes crashed and abnormal, as in Sentry
	users                             map[string]string
}

func (t *sessionTally) add(x *session) {
	t.total += x.count
	if x.status != "healthy" {
		t.errored += x.count
	}
	switch x.status {
	case "crashed":
		t.crashed += x.count
	case "abnormal":
		t.abnormal += x.count
	}
	if x.did != "" {
		if t.users == nil {
			t.users = map[string]string{}
		}
		// A user's outcome is their worst session's.
		if cur, ok := t.users[x.did]; !ok || statusRank[x.status] > statusRank[cur] {
			t.users[x.did] = x.status
		}
	}
}

var statusRank = map[string]int{"healthy": 1, "errored": 2, "abnormal": 3, "crashed": 4}

// userCount counts the users whose worst session had the outcome (all users for "").
func (t *sessionTally) userCount(status string) int {
	n := 0
	for _, st := range t.users {
		if status == "" || st == status {
			n++
		}
	}
	return n
}

// sessions counts the sessions with the outcome (all outcomes when status is empty).
// Sentry's "errored" status group excludes crashed and abnormal sessions.
func (t *sessionTally) sessions(status string) int {
	switch status {
	case "":
		return t.total
	case "healthy":
		return t.total - t.errored
	case "errored":
		return t.errored - t.crashed - t.abnormal
	case "crashed":
		return t.crashed
	}
	return t.abnormal
}

var sessionFields = []string{"sum(session)", "count_unique(user)", "crash_rate(session)", "crash_rate(user)", "crash_free_rate(session)", "crash_free_rate(user)"}

// value computes one field; rates are fractions (0–1) and null without data.
func (t *sessionTally) value(field, status string) any {
	rate := func(bad, all int, free bool) any {
		if all == 0 {
			return nil
		}
		r := float64(bad) / float64(all)
		if free {
			r = 1 - r
		}
		return r
	}
	switch field {
	case "sum(session)":
		return t.sessions(status)
	case "count_unique(user)":
		return t.userCount(status)
	case "crash_rate(session)", "crash_free_rate(session)":
		return rate(t.crashed, t.total, strings.HasPrefix(field, "crash_free"))
	default:
		return rate(t.userCount("crashed"), len(t.users), strings.HasPrefix(field, "crash_free"))
	}
}

// sessionsQuery is GET organizations/{org}/sessions/.
func (s *Server) sessionsQuery(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	fields := c.queryAll("field")
	if len(fields) == 0 {
		c.detail(http.StatusBadRequest, `Request is missing a "field"`)
		return
	}
	for _, f := range fields {
		if !slices.Contains(sessionFields, f) {
			c.detail(http.StatusBadRequest, fmt.Sprintf("Invalid field: %q", f))
			return
		}
	}
	groupBy := c.queryAll("groupBy")
	for _, g := range groupBy {
		if !slices.Contains([]string{"project", "release", "environment", "session.status"}, g) {
			c.detail(http.StatusBadRequest, fmt.Sprintf("Invalid groupBy: %q", g))
			return
		}
		if g == "session.status" {
			for _, f := range fields {
				if strings.Contains(f, "rate(") {
					c.detail(http.StatusBadRequest, fmt.Sprintf("Cannot group field %s by session.status", f))
					return
				}
			}
		}
	}
	interval := time.Hour
	if v := c.query("interval"); v != "" {
		d, err := parsePeriod(v)
		if err != nil {
			c.detail(http.StatusBadRequest, "Invalid interval: "+v)
			return
		}
		if d > 24*time.Hour {
			c.detail(http.StatusBadRequest, "The interval has to be less than one day.")
			return
		}
		if (24*time.Hour)%d != 0 {
			c.detail(http.StatusBadRequest, "The interval should divide one day without a remainder.")
			return
		}
		// Sessions are kept at hourly resolution here.
		interval = max(d, time.Hour)
	}
	start, end, ok := c.timeWindow(0)
	if !ok {
		return
	}
	// Sentry rounds the range out to whole intervals.
	if e := end.Truncate(interval); e.Before(end) {
		end = e.Add(interval)
	}
	start = start.Truncate(interval)
	n := int(end.Sub(start) / interval)
	if n*max(1, len(fields)) > 10000 {
		c.detail(http.StatusBadRequest, "Your interval and date range would create too many results. Use a larger interval, or a smaller date range.")
		return
	}
	projects, ok := c.projectFilter(o)
	if !ok {
		return
	}
	envs := c.environmentFilter()
	tokens, err := parseSearch(c.query("query"))
	if err != nil {
		c.detail(http.StatusBadRequest, "Error parsing search query: "+err.Error())
		return
	}
	for _, t := range tokens {
		if !slices.Contains([]string{"release", "environment", "project"}, t.key) {
			c.detail(http.StatusBadRequest, fmt.Sprintf("Invalid search filter: %s", cmp.Or(t.key, t.text)))
			return
		}
	}
	latest := func() string { return o.latestRelease(projects) }
	match := func(p *project, x *session) bool {
		for _, t := range tokens {
			var ok bool
			switch t.key {
			case "release":
				tt := t
				tt.values = slices.Clone(t.values)
				for i, v := range tt.values {
					if v == "latest" {
						tt.values[i] = latest()
					}
				}
				ok = tt.matchAny(x.release)
			case "environment":
				ok = t.matchAny(x.environment)
			case "project":
				ok = t.matchAny(p.slug) || t.matchAny(strconv.Itoa(p.id))
			}
			if ok == t.negate {
				return false
			}
		}
		return true
	}

	type groupAcc struct {
		by     map[string]any
		total  sessionTally
		series []sessionTally
		status string
	}
	groups := map[string]*groupAcc{}
	var order []string
	statuses := []string{""}
	if slices.Contains(groupBy, "session.status") {
		statuses = []string{"abnormal", "crashed", "errored", "healthy"}
	}
	for _, p := range o.projects {
		if projects != nil && !projects[p] {
			continue
		}
		for _, x := range p.sessions {
			if x.started.Before(start) || !x.started.Before(end) || (envs != nil && !envs[x.environment]) || !match(p, x) {
				continue
			}
			bucket := int(x.started.Sub(start) / interval)
			for _, st := range statuses {
				by := map[string]any{}
				var key []string
				for _, g := range groupBy {
					var v any
					switch g {
					case "project":
						v = p.id
					case "release":
						v = x.release
					case "environment":
						v = x.environment
					case "session.status":
						v = st
					}
					by[g] = v
					key = append(key, fmt.Sprint(v))
				}
				k := strings.Join(key, "\x00")
				acc := groups[k]
				if acc == nil {
					acc = &groupAcc{by: by, series: make([]sessionTally, n), status: st}
					groups[k] = acc
					order = append(order, k)
				}
				acc.total.add(x)
				acc.series[bucket].add(x)
			}
		}
	}
	if len(groupBy) == 0 && len(order) == 0 {
		groups[""] = &groupAcc{by: map[string]any{}, series: make([]sessionTally, n)}
		order = append(order, "")
	}
	if ob := c.query("orderBy"); ob != "" {
		field := strings.TrimPrefix(ob, "-")
		if !slices.Contains(fields, field) {
			c.detail(http.StatusBadRequest, "'orderBy' must be one of the provided 'fields'")
			return
		}
		num := func(v any) float64 {
			switch x := v.(type) {
			case int:
				return float64(x)
			case float64:
				return x
			}
			return math.Inf(-1)
		}
		slices.SortStableFunc(order, func(a, b string) int {
			r := cmp.Compare(num(groups[a].total.value(field, groups[a].status)), num(groups[b].total.value(field, groups[b].status)))
			if strings.HasPrefix(ob, "-") {
				r = -r
			}
			return r
		})
	}
	if v := c.query("per_page"); v != "" {
		if pp, err := strconv.Atoi(v); err == nil && pp > 0 && pp < len(order) {
			order = order[:pp]
		}
	}
	includeTotals, includeSeries := c.query("includeTotals") != "0", c.query("includeSeries") != "0"
	outGroups := []any{}
	for _, k := range order {
		acc := groups[k]
		totals, series := map[string]any{}, map[string]any{}
		for _, f := range fields {
			if includeTotals {
				totals[f] = acc.total.value(f, acc.status)
			}
			if includeSeries {
				vals := make([]any, n)
				for i := range acc.series {
					vals[i] = acc.series[i].value(f, acc.status)
				}
				series[f] = vals
			}
		}
		outGroups = append(outGroups, map[string]any{"by": acc.by, "totals": totals, "series": series})
	}
	intervals := make([]string, 0, n)
	for i := 0; i < n; i++ {
		intervals = append(intervals, start.Add(time.Duration(i)*interval).UTC().Format("2006-01-02T15:04:05Z"))
	}
	if !includeSeries {
		intervals = []string{}
	}
	c.json(http.StatusOK, map[string]any{
		"start": start.UTC().Format("2006-01-02T15:04:05Z"), "end": end.UTC().Format("2006-01-02T15:04:05Z"),
		"intervals": intervals, "groups": outGroups, "query": c.query("query"),
	})
}

// healthData is a project's release health in release details (health=1): crash-free rates in
// percent, as Sentry shows them there.
func (s *Server) healthData(c *call, p *project, version string) map[string]any {
	now := s.clock()
	summary, err := parsePeriod(cmp.Or(c.query("summaryStatsPeriod"), "14d"))
	if err != nil {
		summary = 14 * 24 * time.Hour
	}
	var all, day sessionTally
	for _, x := range p.sessions {
		if x.release != version {
			continue
		}
		if !x.started.Before(now.Add(-summary)) {
			all.add(x)
		}
		if !x.started.Before(now.Add(-24 * time.Hour)) {
			day.add(x)
		}
	}
	pct := func(v any) any {
		if f, ok := v.(float64); ok {
			return f * 100
		}
		return nil
	}
	stats := map[string]any{}
	period := cmp.Or(c.query("healthStatsPeriod"), "24h")
	step, n := time.Hour, 24
	if period != "24h" && period != "1d" {
		if d, err := parsePeriod(period); err == nil {
			step, n = 24*time.Hour, int(d/(24*time.Hour))
		}
	}
	points := make([][2]float64, max(n, 1))
	first := now.Truncate(step).Add(-time.Duration(len(points)-1) * step)
	for i := range points {
		points[i][0] = float64(first.Add(time.Duration(i) * step).Unix())
	}
	for _, x := range p.sessions {
		if x.release == version && !x.started.Before(first) && x.started.Before(now.Truncate(step).Add(step)) {
			points[int(x.started.Sub(first)/step)][1] += float64(x.count)
		}
	}
	stats[period] = points
	return map[string]any{
		"durationP50": nil, "durationP90": nil,
		"crashFreeUsers": pct(all.value("crash_free_rate(user)", "")), "crashFreeSessions": pct(all.value("crash_free_rate(session)", "")),
		"totalUsers": len(all.users), "totalUsers24h": len(day.users), "totalProjectUsers24h": nil,
		"totalSessions": all.total, "totalSessions24h": day.total, "totalProjectSessions24h": nil,
		"adoption": nil, "sessionsAdoption": nil,
		"sessionsCrashed": all.crashed, "sessionsErrored": all.errored - all.crashed - all.abnormal,
		"hasHealthData": all.total > 0, "stats": stats,
	}
}

// incompleteAfter is Sentry's assumed ingestion delay: buckets ending later are incomplete.
const incompleteAfter = 90 * time.Second

// eventsTimeseries is GET organizations/{org}/events-timeseries/ for the errors dataset.
func (s *Server) eventsTimeseries(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	switch ds := c.query("dataset"); ds {
	case "errors":
	case "":
		c.detail(http.StatusBadRequest, "dataset is required")
		return
	case "logs", "profile_functions", "spans", "tracemetrics", "uptime_results":
		c.detail(http.StatusBadRequest, "sentryapitest only keeps the errors dataset, not "+ds)
		return
	default:
		c.detail(http.StatusBadRequest, fmt.Sprintf("%s is not a valid dataset", ds))
		return
	}
	axes := c.queryAll("yAxis")
	if len(axes) == 0 {
		axes = []string{"count()"}
	}
	for _, a := range axes {
		if !slices.Contains([]string{"count()", "count_unique(user)", "count_unique(user.id)"}, a) {
			c.detail(http.StatusBadRequest, fmt.Sprintf("sentryapitest: unsupported yAxis %q (count() and count_unique(user) are kept)", a))
			return
		}
	}
	start, end, ok := c.timeWindow(0)
	if !ok {
		return
	}
	interval := time.Hour
	if end.Sub(start) > 14*24*time.Hour {
		interval = 24 * time.Hour
	}
	if v := c.query("interval"); v != "" {
		d, err := parsePeriod(v)
		if err != nil || d <= 0 {
			c.detail(http.StatusBadRequest, "Invalid interval: "+v)
			return
		}
		if d < end.Sub(start) {
			interval = d
		}
	}
	start = start.Truncate(interval)
	n := int((end.Sub(start) + interval - 1) / interval)
	if n*len(axes) > 10000 {
		c.detail(http.StatusBadRequest, "Your interval and date range would create too many results. Use a larger interval, or a smaller date range.")
		return
	}
	projects, ok := c.projectFilter(o)
	if !ok {
		return
	}
	envs := c.environmentFilter()
	tokens, err := parseSearch(c.query("query"))
	if err != nil {
		c.detail(http.StatusBadRequest, "Error parsing search query: "+err.Error())
		return
	}
	match, err := eventMatcher(tokens, func() string { return o.latestRelease(projects) })
	if err != nil {
		c.detail(http.StatusBadRequest, err.Error())
		return
	}
	var events []*storedEvent
	for _, g := range o.allGroups(projects) {
		for _, e := range g.events {
			if e.ts.Before(start) || !e.ts.Before(end) || (envs != nil && !envs[e.ev.Environment]) || !match(e) {
				continue
			}
			events = append(events, e)
		}
	}

	top := 0
	if v := c.query("topEvents"); v != "" {
		top, err = strconv.Atoi(v)
		switch {
		case err != nil:
			c.detail(http.StatusBadRequest, "topEvents must be an integer")
			return
		case top > 10:
			c.detail(http.StatusBadRequest, "Can only get up to 10 top events")
			return
		case top <= 0:
			c.detail(http.StatusBadRequest, "topEvents needs to be at least 1")
			return
		}
	}
	groupBy := c.queryAll("groupBy")
	if top > 0 && len(groupBy) == 0 {
		c.detail(http.StatusBadRequest, "groupBy is a required parameter when doing topEvents")
		return
	}
	now := s.clock()
	series := func(evs []*storedEvent, axis string) []map[string]any {
		counts := make([]map[string]bool, n)
		values := make([]map[string]any, n)
		for i := range values {
			ts := start.Add(time.Duration(i) * interval)
			values[i] = map[string]any{"timestamp": ts.UnixMilli(), "value": 0, "incomplete": false}
			if ts.Add(interval).After(now.Add(-incompleteAfter)) {
				values[i]["incomplete"] = true
				values[i]["incompleteReason"] = "INCOMPLETE_BUCKET"
			}
			counts[i] = map[string]bool{}
		}
		for _, e := range evs {
			i := int(e.ts.Sub(start) / interval)
			if axis == "count()" {
				values[i]["value"] = values[i]["value"].(int) + 1
			} else if e.user != "" {
				counts[i][e.user] = true
				values[i]["value"] = len(counts[i])
			}
		}
		return values
	}
	meta := map[string]any{"valueType": "integer", "valueUnit": nil, "interval": interval.Milliseconds()}
	var out []any
	if top == 0 {
		for _, a := range axes {
			out = append(out, map[string]any{"yAxis": a, "values": series(events, a), "meta": meta})
		}
	} else {
		type bucket struct {
			by     []map[string]any
			events []*storedEvent
		}
		byKey := map[string]*bucket{}
		var keys []string
		for _, e := range events {
			var parts []string
			var by []map[string]any
			for _, g := range groupBy {
				v := groupValue(e, g)
				parts = append(parts, v)
				by = append(by, map[string]any{"key": g, "value": v})
			}
			k := strings.Join(parts, "\x00")
			if byKey[k] == nil {
				byKey[k] = &bucket{by: by}
				keys = append(keys, k)
			}
			byKey[k].events = append(byKey[k].events, e)
		}
		slices.SortStableFunc(keys, func(a, b string) int { return cmp.Compare(len(byKey[b].events), len(byKey[a].events)) })
		if c.query("sort") != "" && !strings.HasPrefix(c.query("sort"), "-") {
			slices.Reverse(keys)
		}
		var other []*storedEvent
		for i, k := range keys {
			if i >= top {
				other = append(other, byKey[k].events...)
				continue
			}
			for _, a := range axes {
				m := map[string]any{"valueType": "integer", "valueUnit": nil, "interval": interval.Milliseconds(), "order": i, "isOther": false}
				out = append(out, map[string]any{"yAxis": a, "values": series(byKey[k].events, a), "meta": m, "groupBy": byKey[k].by})
			}
		}
		if len(other) > 0 && c.query("excludeOther") != "1" {
			for _, a := range axes {
				m := map[string]any{"valueType": "integer", "valueUnit": nil, "interval": interval.Milliseconds(), "order": top, "isOther": true}
				out = append(out, map[string]any{"yAxis": a, "values": series(other, a), "meta": m, "groupBy": []any{}})
			}
		}
	}
	if out == nil {
		out = []any{}
	}
	c.json(http.StatusOK, map[string]any{
		"meta":       map[string]any{"dataset": "errors", "start": start.UnixMilli(), "end": end.UnixMilli()},
		"timeSeries": out,
	})
}

// groupValue is an event's value for a groupBy field of events-timeseries.
func groupValue(e *storedEvent, field string) string {
	switch field {
	case "issue.id":
		return strconv.Itoa(e.group.id)
	case "issue":
		return e.group.shortID
	case "project":
		return e.project.slug
	case "title":
		return e.group.title
	}
	v, _ := e.tag(tagKey(field))
	return v
}
