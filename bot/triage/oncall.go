package triage

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Who a fix pull request goes to: the owning team as requested reviewers, and the on-call
// engineer as assignee. The on-call comes from the repository's schedule file (the path in
// triage.oncall_schedule), else from an owner that is a GitHub login.
//
// The schedule file lists, per team (the owner as the ownership rules write it: "#checkout"),
// the GitHub team to ask for reviews and the shifts, each a login and an RFC 3339 interval:
//
//	teams:
//	  "#checkout":
//	    github_team: checkout
//	    shifts:
//	      - {login: alice, from: 2026-03-09T09:00:00Z, until: 2026-03-16T09:00:00Z}
//
// Explicit shifts rather than a rotation rule: paging tools export them, an override is one
// more shift, and nothing about time zones or weekdays is left to guess.

// Schedule is an on-call schedule file, read by ParseSchedule.
type Schedule struct {
	Teams map[string]ScheduleTeam
}

// ScheduleTeam is one team's entry.
type ScheduleTeam struct {
	// GitHubTeam is a team slug of the repository's organization, "" when not given.
	GitHubTeam string
	Shifts     []Shift
}

// Shift is one engineer on call from From until Until (excluded).
type Shift struct {
	Login       string
	From, Until time.Time
}

// maxScheduleSize bounds the schedule file the bot reads.
const maxScheduleSize = 256 << 10

var (
	loginRE = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38}$`)
	slugRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,99}$`)
)

// ParseSchedule reads a schedule file strictly: unknown keys, missing or malformed values and
// a shift that ends before it starts are errors naming file:line. file names it in messages.
func ParseSchedule(data []byte, file string) (*Schedule, error) {
	if len(data) > maxScheduleSize {
		return nil, fmt.Errorf("%s: the on-call schedule is %d bytes, more than the %d read: split it, or keep past shifts out", file, len(data), maxScheduleSize)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the on-call schedule is empty: write teams: with each team's shifts (docs/bot.md)", file)
		}
		return nil, fmt.Errorf("%s: not YAML: %w", file, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: the on-call schedule must be one YAML document", file)
	}
	p := &scheduleParser{file: file}
	s := p.root(&doc)
	if len(p.problems) > 0 {
		return nil, errors.New(strings.Join(p.problems, "\n"))
	}
	return s, nil
}

type scheduleParser struct {
	file     string
	problems []string
}

func (p *scheduleParser) problem(n *yaml.Node, field, format string, args ...any) {
	p.problems = append(p.problems, fmt.Sprintf("%s:%d: %s: %s", p.file, n.Line, field, fmt.Sprintf(format, args...)))
}

// mapping returns the key-value pairs of a mapping node, reporting unknown and repeated keys.
func (p *scheduleParser) mapping(n *yaml.Node, field string, known ...string) map[string]*yaml.Node {
	if n.Kind != yaml.MappingNode {
		p.problem(n, field, "must be a mapping")
		return nil
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := field + "." + k.Value
		switch {
		case known != nil && !slices.Contains(known, k.Value):
			p.problem(k, name, "unknown key: write %s", strings.Join(known, ", "))
		case out[k.Value] != nil:
			p.problem(k, name, "written twice")
		default:
			out[k.Value] = v
		}
	}
	return out
}

func (p *scheduleParser) root(doc *yaml.Node) *Schedule {
	s := &Schedule{Teams: map[string]ScheduleTeam{}}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		p.problem(doc, "schedule", "must be a mapping with teams:")
		return s
	}
	top := p.mapping(doc.Content[0], "schedule", "teams")
	teams := top["teams"]
	if teams == nil {
		p.problem(doc.Content[0], "teams", "missing: list each team's shifts under teams:")
		return s
	}
	byName := p.mapping(teams, "teams")
	for i := 0; i+1 < len(teams.Content); i += 2 {
		name, v := teams.Content[i].Value, teams.Content[i+1]
		if byName[name] != v {
			continue // a repeated key, reported
		}
		field := "teams." + name
		if !validOwner(name) {
			p.problem(v, field, "%q is not an owner: write it as the ownership rules do (#team-slug, or @org/team)", name)
			continue
		}
		s.Teams[name] = p.team(v, field)
	}
	return s
}

func validOwner(s string) bool {
	if slug, ok := strings.CutPrefix(s, "#"); ok {
		return slugRE.MatchString(slug)
	}
	if rest, ok := strings.CutPrefix(s, "@"); ok {
		org, team, isTeam := strings.Cut(rest, "/")
		return loginRE.MatchString(org) && (!isTeam || slugRE.MatchString(team))
	}
	return false
}

func (p *scheduleParser) team(n *yaml.Node, field string) ScheduleTeam {
	var t ScheduleTeam
	m := p.mapping(n, field, "github_team", "shifts")
	if v := m["github_team"]; v != nil {
		if v.Kind != yaml.ScalarNode || !slugRE.MatchString(v.Value) {
			p.problem(v, field+".github_team", "%q is not a team slug (lower-case letters, digits, '-', '_', '.')", v.Value)
		} else {
			t.GitHubTeam = v.Value
		}
	}
	shifts := m["shifts"]
	if shifts == nil {
		if m != nil {
			p.problem(n, field+".shifts", "missing: list the shifts, each {login, from, until}")
		}
		return t
	}
	if shifts.Kind != yaml.SequenceNode {
		p.problem(shifts, field+".shifts", "must be a list of {login, from, until}")
		return t
	}
	for i, sn := range shifts.Content {
		f := fmt.Sprintf("%s.shifts[%d]", field, i)
		sm := p.mapping(sn, f, "login", "from", "until")
		if sm == nil {
			continue
		}
		sh, ok := p.shift(sn, sm, f)
		if ok {
			t.Shifts = append(t.Shifts, sh)
		}
	}
	return t
}

func (p *scheduleParser) shift(n *yaml.Node, m map[string]*yaml.Node, field string) (Shift, bool) {
	var sh Shift
	ok := true
	login := m["login"]
	switch {
	case login == nil:
		p.problem(n, field+".login", "missing: the GitHub login on call")
		ok = false
	case login.Kind != yaml.ScalarNode || !loginRE.MatchString(strings.TrimPrefix(login.Value, "@")):
		p.problem(login, field+".login", "%q is not a GitHub login", login.Value)
		ok = false
	default:
		sh.Login = strings.TrimPrefix(login.Value, "@")
	}
	for _, k := range []struct {
		key string
		to  *time.Time
	}{{"from", &sh.From}, {"until", &sh.Until}} {
		v := m[k.key]
		if v == nil {
			p.problem(n, field+"."+k.key, "missing: an RFC 3339 time with its offset, e.g. 2026-03-09T09:00:00Z")
			ok = false
			continue
		}
		t, err := time.Parse(time.RFC3339, v.Value)
		if v.Kind != yaml.ScalarNode || err != nil {
			p.problem(v, field+"."+k.key, "%q is not an RFC 3339 time with its offset, e.g. 2026-03-09T09:00:00Z", v.Value)
			ok = false
			continue
		}
		*k.to = t
	}
	if ok && !sh.Until.After(sh.From) {
		p.problem(n, field, "until (%s) must be after from (%s)", sh.Until.Format(time.RFC3339), sh.From.Format(time.RFC3339))
		ok = false
	}
	return sh, ok
}

// OnCall is the login on call for team at now: of the shifts covering now, the one that
// started last (an override written over a longer shift wins). ok is false when none does.
func OnCall(s *Schedule, team string, now time.Time) (login string, ok bool) {
	if s == nil {
		return "", false
	}
	var best *Shift
	for i, sh := range s.Teams[team].Shifts {
		if !now.Before(sh.From) && now.Before(sh.Until) && (best == nil || sh.From.After(best.From)) {
			best = &s.Teams[team].Shifts[i]
		}
	}
	if best == nil {
		return "", false
	}
	return best.Login, true
}

// FixPeople are who a fix pull request goes to.
type FixPeople struct {
	// Users and Teams are the requested reviewers: logins and team slugs of org.
	Users, Teams []string
	// Assignee is the on-call engineer's login, "" when none is known; AssigneeFrom says where
	// it came from.
	Assignee, AssigneeFrom string
}

// PeopleFor picks a fix pull request's reviewers and assignee from the owners (the
// team first): "@org/team" of the repository's org is a team reviewer, "@login" a user
// reviewer, "#team" the schedule's github_team. The assignee is the first owner's on-call
// engineer in the schedule, else the first owner that is a login. author (the App's bot
// login) is never a reviewer.
func PeopleFor(owners []string, org string, s *Schedule, now time.Time, author string) FixPeople {
	var p FixPeople
	addUser := func(l string) {
		if !strings.EqualFold(l, author) && !slices.ContainsFunc(p.Users, func(u string) bool { return strings.EqualFold(u, l) }) {
			p.Users = append(p.Users, l)
		}
	}
	addTeam := func(t string) {
		if !slices.Contains(p.Teams, t) {
			p.Teams = append(p.Teams, t)
		}
	}
	for _, o := range owners {
		if login, ok := OnCall(s, o, now); ok && p.Assignee == "" {
			p.Assignee, p.AssigneeFrom = login, "the on-call schedule of "+o
		}
	}
	for _, o := range owners {
		if s != nil {
			if t, ok := s.Teams[o]; ok && t.GitHubTeam != "" {
				addTeam(t.GitHubTeam)
			}
		}
		rest, ok := strings.CutPrefix(o, "@")
		if !ok {
			continue
		}
		if owner, team, isTeam := strings.Cut(rest, "/"); isTeam {
			if strings.EqualFold(owner, org) && slugRE.MatchString(team) {
				addTeam(team)
			}
			continue
		}
		if loginRE.MatchString(rest) && !strings.EqualFold(rest, author) {
			addUser(rest)
			if p.Assignee == "" {
				p.Assignee, p.AssigneeFrom = rest, "the owner "+o
			}
		}
	}
	return p
}
