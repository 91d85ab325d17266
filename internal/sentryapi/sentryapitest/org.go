package sentryapitest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

type ownership struct {
	raw                *string // nil: no rules
	rules              []ownershipRule
	fallsThrough       bool
	autoAssignment     string
	codeownersAutoSync bool
	dateCreated        time.Time
	lastUpdated        time.Time
}

type ownershipRule struct {
	matcherType, pattern string
	owners               []ruleOwner
}

type ruleOwner struct {
	typ, identifier string // "user" (an email) or "team" (a slug)
	id              int
}

var autoAssignments = []string{"Auto Assign to Issue Owner", "Auto Assign to Suspect Commits", "Turn off Auto-Assignment"}

// Ownership is a snapshot of a project's ownership settings, for assertions.
type Ownership struct {
	Raw                string
	Fallthrough        bool
	AutoAssignment     string
	CodeownersAutoSync bool
}

// Ownership returns a project's ownership settings ("slug", "org/slug" or ID).
func (s *Server) Ownership(projectRef string) (Ownership, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.findProject(projectRef)
	if p == nil {
		return Ownership{}, false
	}
	own := p.ownershipOrDefault()
	out := Ownership{Fallthrough: own.fallsThrough, AutoAssignment: own.autoAssignment, CodeownersAutoSync: own.codeownersAutoSync}
	if own.raw != nil {
		out.Raw = *own.raw
	}
	return out, true
}

// ownershipOrDefault is the project's ownership, or the unsaved default Sentry shows for a
// project that never had rules (no dates, no rules).
func (p *project) ownershipOrDefault() *ownership {
	if p.ownership != nil {
		return p.ownership
	}
	return &ownership{fallsThrough: true, autoAssignment: autoAssignments[0], codeownersAutoSync: true}
}

func (own *ownership) json() map[string]any {
	var schema any
	if own.raw != nil {
		rules := []any{}
		for _, r := range own.rules {
			owners := []any{}
			for _, o := range r.owners {
				owners = append(owners, map[string]any{"type": o.typ, "name": o.identifier, "id": strconv.Itoa(o.id)})
			}
			rules = append(rules, map[string]any{"matcher": map[string]any{"type": r.matcherType, "pattern": r.pattern}, "owners": owners})
		}
		schema = map[string]any{"$version": 1, "rules": rules}
	}
	var raw any
	if own.raw != nil {
		raw = *own.raw
	}
	return map[string]any{
		"raw": raw, "fallthrough": own.fallsThrough, "dateCreated": timeOrNil(own.dateCreated),
		"lastUpdated": timeOrNil(own.lastUpdated), "isActive": true, "autoAssignment": own.autoAssignment,
		"codeownersAutoSync": own.codeownersAutoSync, "schema": schema,
	}
}

func (s *Server) getOwnership(c *call) {
	_, p, ok := c.project()
	if !ok {
		return
	}
	c.json(http.StatusOK, p.ownershipOrDefault().json())
}

// updateOwnership changes the fields sent. Rules are parsed with Sentry's grammar and every
// owner must be a team with access to the project or a member of such a team. Sentry answers
// 200 here, although its API description says 202.
func (s *Server) updateOwnership(c *call) {
	o, p, ok := c.project()
	if !ok {
		return
	}
	var in struct {
		Raw                *string `json:"raw"`
		Fallthrough        *bool   `json:"fallthrough"`
		AutoAssignment     *string `json:"autoAssignment"`
		CodeownersAutoSync *bool   `json:"codeownersAutoSync"`
	}
	if !c.decode(&in) {
		return
	}
	if in.AutoAssignment != nil && !slices.Contains(autoAssignments, *in.AutoAssignment) {
		c.fieldError("autoAssignment", "Invalid selection.")
		return
	}
	var rules []ownershipRule
	if in.Raw != nil {
		if len(*in.Raw) > 100_000 {
			c.fieldError("raw", "Raw needs to be <= 100000 characters in length")
			return
		}
		var err error
		rules, err = parseOwnership(*in.Raw)
		if err != nil {
			c.fieldError("raw", err.Error())
			return
		}
		var bad []string
		for i := range rules {
			for j := range rules[i].owners {
				ow := &rules[i].owners[j]
				switch ow.typ {
				case "team":
					t := o.team(ow.identifier)
					if t == nil || !slices.Contains(t.projects, p) {
						bad = append(bad, "#"+ow.identifier)
						continue
					}
					ow.id = t.id
				default:
					m := o.memberByRef(ow.identifier)
					if m == nil || !m.hasAccess(p) {
						bad = append(bad, ow.identifier)
						continue
					}
					ow.id = m.userID
				}
			}
		}
		if len(bad) > 0 {
			slices.Sort(bad)
			c.fieldError("raw", "Invalid rule owners: "+strings.Join(slices.Compact(bad), ", "))
			return
		}
		for _, r := range rules {
			if r.matcherType == "codeowners" {
				c.fieldError("raw", "Codeowner type paths can only be added by importing CODEOWNER files")
				return
			}
		}
	}
	own := p.ownershipOrDefault()
	changed := false
	if in.Raw != nil {
		var raw *string
		if strings.TrimSpace(*in.Raw) != "" {
			raw = in.Raw
		}
		if (raw == nil) != (own.raw == nil) || (raw != nil && *raw != *own.raw) {
			own.raw, own.rules, changed = raw, rules, true
		}
	}
	if in.Fallthrough != nil && *in.Fallthrough != own.fallsThrough {
		own.fallsThrough, changed = *in.Fallthrough, true
	}
	if in.CodeownersAutoSync != nil && *in.CodeownersAutoSync != own.codeownersAutoSync {
		own.codeownersAutoSync, changed = *in.CodeownersAutoSync, true
	}
	if in.AutoAssignment != nil && *in.AutoAssignment != own.autoAssignment {
		own.autoAssignment, changed = *in.AutoAssignment, true
	}
	if changed {
		now := s.clock()
		if own.dateCreated.IsZero() {
			own.dateCreated = now
		}
		own.lastUpdated = now
		p.ownership = own
	}
	c.json(http.StatusOK, own.json())
}

var matcherTypes = []string{"url", "path", "module", "codeowners"}

// parseOwnership reads ownership rules: per line an optional "type:" (url, path, module,
// codeowners or tags.<key>), a pattern (quoted when it has spaces), then owners (#team or an
// email). Comments and blank lines are skipped; a rule without a type is a path rule.
func parseOwnership(raw string) ([]ownershipRule, error) {
	var rules []ownershipRule
	for n, line := range strings.Split(strings.ReplaceAll(raw, "\r\n", "\n"), "\n") {
		text := strings.TrimLeft(line, " ")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		col := len(line) - len(text) + 1
		perr := func() error { return fmt.Errorf("Parse error: matcher (line %d, column %d)", n+1, col) }
		r := ownershipRule{matcherType: "path"}
		if typ, rest, ok := strings.Cut(text, ":"); ok && (slices.Contains(matcherTypes, typ) || (strings.HasPrefix(typ, "tags.") && len(typ) > 5 && !strings.ContainsAny(typ, " \t"))) {
			r.matcherType, text = typ, rest
			col += len(typ) + 1
		}
		if strings.HasPrefix(text, `"`) {
			v, rest, err := readQuoted(text)
			if err != nil {
				return nil, perr()
			}
			r.pattern, text = v, rest
		} else {
			end := strings.IndexAny(text, " \t")
			if end < 0 {
				end = len(text)
			}
			r.pattern, text = text[:end], text[end:]
		}
		if r.pattern == "" {
			return nil, perr()
		}
		for _, f := range strings.Fields(text) {
			if team, ok := strings.CutPrefix(f, "#"); ok {
				if team == "" {
					return nil, perr()
				}
				r.owners = append(r.owners, ruleOwner{typ: "team", identifier: team})
			} else {
				r.owners = append(r.owners, ruleOwner{typ: "user", identifier: strings.ToLower(f)})
			}
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// projectSummaryJSON is a project as team listings show it.
func (p *project) summaryJSON() map[string]any {
	j := map[string]any{
		"id": strconv.Itoa(p.id), "slug": p.slug, "name": p.name, "platform": p.platform,
		"dateCreated": timestamp(p.dateCreated), "features": []string{}, "firstEvent": nil,
		"access": []string{}, "hasAccess": true, "isMember": true,
		"avatar": map[string]any{"avatarType": "letter_avatar", "avatarUuid": nil}, "color": "#3f70bf", "status": "active",
	}
	for _, k := range []string{
		"isBookmarked", "firstTransactionEvent", "hasFeedbacks", "hasFlags", "hasMinifiedStackTrace",
		"hasMonitors", "hasNewFeedbacks", "hasProfiles", "hasReplays", "hasInsightsHttp", "hasInsightsDb",
		"hasInsightsAssets", "hasInsightsAppStart", "hasInsightsScreenLoad", "hasInsightsVitals",
		"hasInsightsCaches", "hasInsightsQueues", "hasInsightsAgentMonitoring", "hasInsightsMCP",
		"hasLogs", "hasTraceMetrics", "isInternal", "isPublic",
	} {
		j[k] = false
	}
	j["hasSessions"] = len(p.sessions) > 0
	if first := p.firstEvent(); !first.IsZero() {
		j["firstEvent"] = timestamp(first)
	}
	return j
}

func (p *project) firstEvent() time.Time {
	var first time.Time
	for _, g := range p.groups {
		for _, e := range g.events {
			if first.IsZero() || e.ts.Before(first) {
				first = e.ts
			}
		}
	}
	return first
}

func (o *org) teamJSON(t *team, withProjects bool) map[string]any {
	n := 0
	for _, m := range o.members {
		if slices.Contains(m.teams, t) {
			n++
		}
	}
	j := map[string]any{
		"id": strconv.Itoa(t.id), "slug": t.slug, "name": t.name, "dateCreated": timestamp(t.dateCreated),
		"isMember": false, "teamRole": nil, "flags": map[string]any{"idp:provisioned": false},
		"access": []string{}, "hasAccess": true, "isPending": false, "memberCount": n,
		"avatar": map[string]any{"avatarType": "letter_avatar", "avatarUuid": nil},
	}
	if withProjects {
		projects := []any{}
		for _, p := range t.projects {
			projects = append(projects, p.summaryJSON())
		}
		j["projects"] = projects
		j["externalTeams"] = []any{}
	}
	return j
}

func (m *member) json() map[string]any {
	return map[string]any{
		"id": strconv.Itoa(m.id), "email": m.email, "name": m.name, "user": m.userJSON(),
		"orgRole": m.role, "role": m.role, "roleName": "Member", "pending": false, "expired": false,
		"flags": map[string]any{
			"idp:provisioned": false, "idp:role-restricted": false, "sso:linked": false,
			"sso:invalid": false, "member-limit:restricted": false, "partnership:restricted": false,
		},
		"dateCreated": timestamp(m.dateCreated), "inviteStatus": "approved", "inviterName": nil,
		"externalUsers": []any{},
	}
}

// listTeams lists the organization's teams with their projects (detailed=0 leaves them out).
func (s *Server) listTeams(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	q := strings.ToLower(c.query("query"))
	var list []*team
	for _, t := range o.teams {
		if q == "" || strings.Contains(t.slug, q) || strings.Contains(strings.ToLower(t.name), q) {
			list = append(list, t)
		}
	}
	servePage(c, len(list), "per_page", 100, 100, func(i int) any { return o.teamJSON(list[i], c.query("detailed") != "0") })
}

func (s *Server) listProjectTeams(c *call) {
	o, p, ok := c.project()
	if !ok {
		return
	}
	servePage(c, len(p.teams), "per_page", 100, 100, func(i int) any { return o.teamJSON(p.teams[i], false) })
}

func (s *Server) listTeamMembers(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	t := o.team(c.param("team_id_or_slug"))
	if t == nil {
		c.notFound()
		return
	}
	var list []*member
	for _, m := range o.members {
		if slices.Contains(m.teams, t) {
			list = append(list, m)
		}
	}
	servePage(c, len(list), "per_page", 100, 100, func(i int) any {
		j := list[i].json()
		j["teamRole"], j["teamSlug"] = nil, t.slug
		return j
	})
}

// listMembers lists the organization's members; query matches email or name.
func (s *Server) listMembers(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	q := strings.ToLower(c.query("query"))
	var list []*member
	for _, m := range o.members {
		if q == "" || strings.Contains(m.email, q) || strings.Contains(strings.ToLower(m.name), q) {
			list = append(list, m)
		}
	}
	servePage(c, len(list), "per_page", 100, 100, func(i int) any { return list[i].json() })
}

func (s *Server) getMember(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	var m *member
	for _, x := range o.members {
		if strconv.Itoa(x.id) == c.param("member_id") {
			m = x
		}
	}
	if m == nil {
		c.notFound()
		return
	}
	j := m.json()
	teams, roles := []string{}, []any{}
	for _, t := range m.teams {
		teams = append(teams, t.slug)
		roles = append(roles, map[string]any{"teamSlug": t.slug, "role": nil})
	}
	j["teams"], j["teamRoles"] = teams, roles
	j["invite_link"], j["isOnlyOwner"] = nil, false
	j["orgRoleList"], j["teamRoleList"] = []any{}, []any{}
	c.json(http.StatusOK, j)
}

// listProjectMembers lists the members of teams with access to the project.
func (s *Server) listProjectMembers(c *call) {
	o, p, ok := c.project()
	if !ok {
		return
	}
	out := []any{}
	for _, m := range o.members {
		if m.hasAccess(p) {
			out = append(out, m.json())
		}
	}
	c.json(http.StatusOK, out)
}
