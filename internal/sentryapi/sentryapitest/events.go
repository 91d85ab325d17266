package sentryapitest

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Event is an error event as Ingest takes it: Sentry's ingestion format, trimmed to what
// grouping, search and the API read.
type Event struct {
	// EventID is 32 hex digits; a random one is made when empty.
	EventID string
	// Timestamp is when the event happened (zero: the server's clock).
	Timestamp   time.Time
	Level       string // default "error"
	Platform    string // default "other"
	Logger      string
	Message     string
	Release     string
	Dist        string
	Environment string
	ServerName  string
	Transaction string
	RequestURL  string
	Tags        map[string]string
	User        *User
	// Exceptions are ordered as in the ingestion format: the last one is the error that was
	// raised (sentry-go puts the outermost error of a chain last).
	Exceptions []Exception
	// Fingerprint overrides the grouping ("{{ default }}" stands for the default grouping).
	Fingerprint []string
	Contexts    map[string]map[string]any
	SDKName     string
	SDKVersion  string
}

// Exception is one exception of an event.
type Exception struct {
	Type, Value, Module string
	// Mechanism is the capture mechanism ("generic", "chained", "onerror"...), empty if unknown.
	Mechanism string
	// Handled is false for crashes (unhandled errors), nil when the SDK did not say.
	Handled *bool
	// Frames are ordered oldest call first, as Sentry stores them.
	Frames []Frame
}

// Frame is one stack frame.
type Frame struct {
	Function, Module, Package string
	Filename, AbsPath         string
	Lineno, Colno             int
	InApp                     bool
	ContextLine               string
}

// User is the user an event happened to.
type User struct {
	ID, Email, Username, IPAddress, Name string
}

// IngestResult says where an event went.
type IngestResult struct {
	EventID  string
	IssueID  string
	ShortID  string
	NewIssue bool
}

// Issue is a snapshot of an issue, for assertions.
type Issue struct {
	ID, ShortID, Project string
	Title, Culprit       string
	Status, Substatus    string
	Count, UserCount     int
	FirstSeen, LastSeen  time.Time
	FirstRelease         string
	LastRelease          string
	Environments         []string
	Fingerprint          string // the grouping key, its parts joined by " | "
	AssignedTo           string // "user:<id>", "team:<id>" or empty
	ExternalIssueWebURLs []string
	EventIDs             []string // in arrival order
	LastEventTags        map[string]string
	Unhandled            bool // some event was an unhandled error
}

type storedEvent struct {
	id       string
	seq      int
	group    *group
	project  *project
	ts       time.Time
	received time.Time
	ev       Event
	tags     []tagPair // sorted by key
	release  *release
	user     string // the "user" tag value, empty when the event has no user
	size     int
	handled  *bool
	mech     string
}

type tagPair struct{ key, value string }

func (e *storedEvent) tag(key string) (string, bool) {
	for _, t := range e.tags {
		if t.key == key {
			return t.value, true
		}
	}
	return "", false
}

type group struct {
	id            int
	project       *project
	shortID       string
	key           string
	title         string
	culprit       string
	metadata      map[string]any
	level         string
	platform      string
	logger        string
	typ           string // "error" or "default"
	events        []*storedEvent
	firstRelease  *release
	status        string
	substatus     string
	regressedAt   time.Time // when the issue last regressed (for the 7 days it stays "regressed")
	statusDetails map[string]any
	resolution    *resolution
	ignore        ignoreRule
	assignee      *actor
	hasSeen       bool
	isBookmarked  bool
	isSubscribed  bool
	isPublic      bool
	priority      string
	activity      []map[string]any
	unhandled     bool
	deleted       bool
}

type resolution struct {
	kind    string // "plain", "inRelease", "inNextRelease", "inCommit"
	release *release
}

type ignoreRule struct {
	until      time.Time
	count      int // events after which the issue escalates
	countStart int
}

type actor struct {
	m *member
	t *team
}

func (a *actor) ref() string {
	if a.m != nil {
		return "user:" + strconv.Itoa(a.m.userID)
	}
	return "team:" + strconv.Itoa(a.t.id)
}

func (a *actor) json() map[string]any {
	if a.m != nil {
		return map[string]any{"type": "user", "id": strconv.Itoa(a.m.userID), "name": a.m.name, "email": a.m.email}
	}
	return map[string]any{"type": "team", "id": strconv.Itoa(a.t.id), "name": a.t.slug}
}

// Ingest stores an event in a project ("slug" in the default organization, "org/slug", or the
// numeric ID) as if Sentry had accepted it, grouping it into an issue.
func (s *Server) Ingest(projectRef string, ev Event) (IngestResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.findProject(projectRef)
	if p == nil {
		return IngestResult{}, fmt.Errorf("sentryapitest: no project %q", projectRef)
	}
	if ev.Release != "" {
		if err := validVersion(ev.Release); err != nil {
			return IngestResult{}, fmt.Errorf("sentryapitest: event release: %w", err)
		}
	}
	se, isNew := s.store(p, ev, s.clock())
	return IngestResult{EventID: se.id, IssueID: strconv.Itoa(se.group.id), ShortID: se.group.shortID, NewIssue: isNew}, nil
}

// Issues returns a snapshot of every issue, oldest first.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Issue
	for _, o := range s.orgs {
		for _, p := range o.projects {
			for _, g := range p.groups {
				if !g.deleted {
					out = append(out, s.issueSnapshot(g))
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Issue) int {
		ai, _ := strconv.Atoi(a.ID)
		bi, _ := strconv.Atoi(b.ID)
		return cmp.Compare(ai, bi)
	})
	return out
}

func (s *Server) issueSnapshot(g *group) Issue {
	st := statsOf(g.events)
	is := Issue{
		ID: strconv.Itoa(g.id), ShortID: g.shortID, Project: g.project.slug,
		Title: g.title, Culprit: g.culprit, Status: g.status, Substatus: s.substatus(g),
		Count: st.count, UserCount: st.users, FirstSeen: st.first, LastSeen: st.last,
		Fingerprint: strings.ReplaceAll(g.key, "\x00", " | "), Unhandled: g.unhandled,
	}
	if g.firstRelease != nil {
		is.FirstRelease = g.firstRelease.version
	}
	if r := lastRelease(g.events); r != nil {
		is.LastRelease = r.version
	}
	envs := map[string]bool{}
	for _, e := range g.events {
		is.EventIDs = append(is.EventIDs, e.id)
		if e.ev.Environment != "" {
			envs[e.ev.Environment] = true
		}
	}
	for env := range envs {
		is.Environments = append(is.Environments, env)
	}
	sort.Strings(is.Environments)
	if g.assignee != nil {
		is.AssignedTo = g.assignee.ref()
	}
	for _, in := range g.project.org.installs {
		for _, x := range in.external {
			if x.group == g {
				is.ExternalIssueWebURLs = append(is.ExternalIssueWebURLs, x.webURL)
			}
		}
	}
	if n := len(g.events); n > 0 {
		is.LastEventTags = map[string]string{}
		for _, t := range g.events[n-1].tags {
			is.LastEventTags[t.key] = t.value
		}
	}
	return is
}

// store is Ingest for callers holding mu; received is when the server got the event.
func (s *Server) store(p *project, ev Event, received time.Time) (*storedEvent, bool) {
	if ev.EventID == "" {
		ev.EventID = randomHex(16)
	}
	ev.EventID = strings.ReplaceAll(strings.ToLower(ev.EventID), "-", "")
	if ev.Timestamp.IsZero() {
		ev.Timestamp = received
	}
	if ev.Level == "" {
		ev.Level = "error"
	}
	if ev.Platform == "" {
		ev.Platform = "other"
	}
	se := &storedEvent{id: ev.EventID, project: p, ts: ev.Timestamp.UTC(), received: received, ev: ev}
	se.size = 200 + len(ev.Message)
	for _, x := range ev.Exceptions {
		se.size += 100 * (1 + len(x.Frames))
	}
	if ev.Release != "" {
		se.release = s.releaseFor(p, ev.Release, received)
		if se.release.firstEvent.IsZero() || se.ts.Before(se.release.firstEvent) {
			se.release.firstEvent = se.ts
		}
		if se.ts.After(se.release.lastEvent) {
			se.release.lastEvent = se.ts
		}
	}
	for _, x := range ev.Exceptions {
		if x.Mechanism != "" {
			se.mech = x.Mechanism
		}
		if x.Handled != nil {
			h := *x.Handled
			if se.handled == nil || !h {
				se.handled = &h
			}
		}
	}
	se.user = userTag(ev.User)
	se.tags = eventTags(se)

	key, title, culprit, meta := grouping(ev)
	g := p.byKey[key]
	isNew := g == nil || g.deleted
	if isNew {
		p.shortSeq++
		g = &group{
			id: s.newID(), project: p, key: key,
			shortID: strings.ToUpper(p.slug) + "-" + shortIDSuffix(p.shortSeq),
			status:  "unresolved", substatus: "new", statusDetails: map[string]any{},
			priority: priorityFor(ev.Level), firstRelease: se.release,
		}
		p.groups = append(p.groups, g)
		p.byKey[key] = g
		g.activity = append(g.activity, s.activityEntry("first_seen", nil, se.ts))
	} else {
		s.maybeRegress(g, se)
	}
	g.title, g.culprit, g.metadata = title, culprit, meta
	g.level, g.platform, g.logger = ev.Level, ev.Platform, ev.Logger
	g.typ = "default"
	if len(ev.Exceptions) > 0 {
		g.typ = "error"
	}
	if se.handled != nil && !*se.handled {
		g.unhandled = true
	}
	se.seq = s.newID()
	se.group = g
	g.events = append(g.events, se)
	return se, isNew
}

// maybeRegress reopens a resolved issue when a new event shows the fix did not hold, and an
// ignored one when its condition is met.
func (s *Server) maybeRegress(g *group, se *storedEvent) {
	switch g.status {
	case "resolved":
		if res := g.resolution; res != nil && res.release != nil && se.release != nil {
			older := se.release.id < res.release.id
			same := se.release == res.release
			// Resolved in R: events of releases before R are expected. Resolved in the next
			// release after R: events of R itself are expected too.
			if older || (same && res.kind == "inNextRelease") {
				return
			}
		}
		// As Sentry's _handle_regression: reopened when the event is processed, and the activity
		// names the release of the event that reopened it ("" when it had none).
		version := ""
		if se.release != nil {
			version = se.release.version
		}
		g.status, g.substatus, g.statusDetails, g.resolution = "unresolved", "regressed", map[string]any{}, nil
		g.regressedAt = se.received
		g.activity = append(g.activity, s.activityEntry("set_regression", map[string]any{"event_id": se.id, "version": version}, se.received))
	case "ignored":
		ig := g.ignore
		escalate := (!ig.until.IsZero() && se.ts.After(ig.until)) ||
			(ig.count > 0 && len(g.events)+1-ig.countStart >= ig.count)
		if escalate {
			g.status, g.substatus, g.statusDetails, g.ignore = "unresolved", "escalating", map[string]any{}, ignoreRule{}
			g.activity = append(g.activity, s.activityEntry("set_escalating", nil, se.ts))
		}
	}
}

// ongoingAfter is how long Sentry keeps an issue "new" or "regressed" before its daily job
// marks it "ongoing" (auto_transition_issues_new_to_ongoing and …_regressed_to_ongoing).
const ongoingAfter = 7 * 24 * time.Hour

// substatus is the issue's substatus now: Sentry turns "new" and "regressed" into "ongoing"
// 7 days after the issue was first seen or regressed.
func (s *Server) substatus(g *group) string {
	if at, ok := s.autoOngoing(g); ok && s.clock().After(at) {
		return "ongoing"
	}
	return g.substatus
}

// autoOngoing is when the issue's substatus turns (or turned) from new or regressed to ongoing.
func (s *Server) autoOngoing(g *group) (time.Time, bool) {
	if g.status != "unresolved" {
		return time.Time{}, false
	}
	switch {
	case g.substatus == "new" && len(g.events) > 0:
		return statsOf(g.events).first.Add(ongoingAfter), true
	case g.substatus == "regressed" && !g.regressedAt.IsZero():
		return g.regressedAt.Add(ongoingAfter), true
	}
	return time.Time{}, false
}

func (s *Server) activityEntry(typ string, data map[string]any, at time.Time) map[string]any {
	if data == nil {
		data = map[string]any{}
	}
	return map[string]any{"id": strconv.Itoa(s.newID()), "type": typ, "data": data, "dateCreated": timestamp(at), "user": nil}
}

func priorityFor(level string) string {
	switch level {
	case "fatal", "error":
		return "high"
	case "warning":
		return "medium"
	}
	return "low"
}

// shortIDSuffix writes a project-local counter the way Sentry's short IDs do (base 32 without
// the letters that look like digits).
func shortIDSuffix(n int) string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 32 {
		b = append([]byte{alphabet[n%32]}, b...)
	}
	return string(b)
}

// grouping returns the grouping key, title, culprit and metadata of an event. The default key
// is the raised exception's type and its top in-app frame (function and module or file); an
// event without exceptions groups by message.
func grouping(ev Event) (key, title, culprit string, meta map[string]any) {
	meta = map[string]any{}
	var top *Frame
	var exc *Exception
	if n := len(ev.Exceptions); n > 0 {
		exc = &ev.Exceptions[n-1]
		top = topFrame(ev.Exceptions)
	}
	def := ""
	switch {
	case exc != nil && top != nil:
		def = "exc\x00" + exc.Type + "\x00" + top.Function + "\x00" + cmp.Or(top.Module, top.Filename, top.AbsPath)
	case exc != nil:
		def = "exc\x00" + exc.Type + "\x00" + exc.Value
	default:
		def = "msg\x00" + ev.Message
	}
	key = def
	if len(ev.Fingerprint) > 0 && !(len(ev.Fingerprint) == 1 && ev.Fingerprint[0] == "{{ default }}") {
		parts := make([]string, len(ev.Fingerprint))
		for i, f := range ev.Fingerprint {
			parts[i] = f
			if f == "{{ default }}" {
				parts[i] = def
			}
		}
		key = "fp\x00" + strings.Join(parts, "\x00")
	}

	if exc != nil {
		value, _, _ := strings.Cut(exc.Value, "\n")
		title = exc.Type
		if value != "" {
			title += ": " + value
		}
		meta["type"] = exc.Type
		meta["value"] = exc.Value
		if top != nil {
			meta["filename"] = cmp.Or(top.Filename, top.AbsPath)
			meta["function"] = top.Function
		}
		meta["in_app_frame_mix"] = frameMix(ev.Exceptions)
	} else {
		first, _, _ := strings.Cut(ev.Message, "\n")
		title = cmp.Or(first, "<unlabeled event>")
		meta["title"] = title
	}
	switch {
	case ev.Transaction != "":
		culprit = ev.Transaction
	case top != nil:
		where := cmp.Or(top.Module, top.Filename, top.AbsPath)
		culprit = where
		if top.Function != "" {
			culprit = strings.TrimSpace(where + " in " + top.Function)
		}
	}
	return key, title, culprit, meta
}

// topFrame is the newest in-app frame of the newest exception that has one, else the newest
// frame at all.
func topFrame(excs []Exception) *Frame {
	for i := len(excs) - 1; i >= 0; i-- {
		fr := excs[i].Frames
		for j := len(fr) - 1; j >= 0; j-- {
			if fr[j].InApp {
				return &fr[j]
			}
		}
	}
	for i := len(excs) - 1; i >= 0; i-- {
		if fr := excs[i].Frames; len(fr) > 0 {
			return &fr[len(fr)-1]
		}
	}
	return nil
}

func frameMix(excs []Exception) string {
	in, sys := false, false
	for _, x := range excs {
		for _, f := range x.Frames {
			if f.InApp {
				in = true
			} else {
				sys = true
			}
		}
	}
	switch {
	case in && sys:
		return "mixed"
	case in:
		return "in-app-only"
	}
	return "system-only"
}

// userTag encodes a user as Sentry's "user" tag does: the first of id, email, username, IP.
func userTag(u *User) string {
	switch {
	case u == nil:
		return ""
	case u.ID != "":
		return "id:" + u.ID
	case u.Email != "":
		return "email:" + u.Email
	case u.Username != "":
		return "username:" + u.Username
	case u.IPAddress != "":
		return "ip:" + u.IPAddress
	}
	return ""
}

// eventTags lists the tags Sentry indexes for an event: the built-in ones it derives from the
// event and its contexts, then the SDK's tags (which cannot override built-ins).
func eventTags(se *storedEvent) []tagPair {
	ev := se.ev
	m := map[string]string{}
	for k, v := range ev.Tags {
		if k != "" && v != "" {
			m[k] = v
		}
	}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("level", ev.Level)
	set("environment", ev.Environment)
	set("release", ev.Release)
	set("dist", ev.Dist)
	set("server_name", ev.ServerName)
	set("transaction", ev.Transaction)
	set("url", ev.RequestURL)
	set("user", se.user)
	set("mechanism", se.mech)
	if se.handled != nil {
		m["handled"] = map[bool]string{true: "yes", false: "no"}[*se.handled]
	}
	if rt := ev.Contexts["runtime"]; rt != nil {
		name, _ := rt["name"].(string)
		version, _ := rt["version"].(string)
		set("runtime.name", name)
		set("runtime", strings.TrimSpace(name+" "+version))
	}
	if osc := ev.Contexts["os"]; osc != nil {
		name, _ := osc["name"].(string)
		version, _ := osc["version"].(string)
		set("os.name", name)
		set("os", strings.TrimSpace(name+" "+version))
	}
	out := make([]tagPair, 0, len(m))
	for k, v := range m {
		out = append(out, tagPair{k, v})
	}
	slices.SortFunc(out, func(a, b tagPair) int { return strings.Compare(a.key, b.key) })
	return out
}

// seenStats are an issue's numbers over a set of its events.
type seenStats struct {
	count, users int
	first, last  time.Time
}

func statsOf(events []*storedEvent) seenStats {
	var st seenStats
	users := map[string]bool{}
	for _, e := range events {
		st.count++
		if e.user != "" {
			users[e.user] = true
		}
		if st.first.IsZero() || e.ts.Before(st.first) {
			st.first = e.ts
		}
		if e.ts.After(st.last) {
			st.last = e.ts
		}
	}
	st.users = len(users)
	return st
}

// lastRelease is the release of the most recent event that has one.
func lastRelease(events []*storedEvent) *release {
	var best *storedEvent
	for _, e := range events {
		if e.release != nil && (best == nil || !e.ts.Before(best.ts)) {
			best = e
		}
	}
	if best == nil {
		return nil
	}
	return best.release
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("sentryapitest: no randomness: %v", err))
	}
	return hex.EncodeToString(b)
}
