package sentryapitest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// An issue's events and tags: the event list, one event in the API's format, and the tag
// distributions.

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
