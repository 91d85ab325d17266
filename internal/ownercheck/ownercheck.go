// Package ownercheck checks the owners of ownership rules against Sentry, as Sentry checks
// them when rules are saved (sentry-api.md §5.1): the organization must have the team or the
// member, and the team (or one of the member's teams) must have access to the project.
// `ownership check` and `ownership sync` ask it before anything is written; the GitHub App
// can ask it of rules read from a commit.
//
// Values in (a client, the organization, the project, the rules), findings out; the caller
// words the report and decides what a finding costs.
package ownercheck

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/ownership"
)

// Finding is an owner Sentry would refuse, or a project it does not have. Every finding is an
// error: Sentry refuses the rules.
type Finding struct {
	// Code is unknown-team, team-no-access, unknown-user, user-no-access or unknown-project.
	Code string
	// File and Line are the rule's; for unknown-project, the Label given and line 0.
	File    string
	Line    int
	Message string
}

// SentryError is Sentry failing or refusing a question the check needed. What says what was
// being asked, so the caller can word its message.
type SentryError struct {
	What string
	Err  error
}

func (e *SentryError) Error() string { return e.What + ": " + e.Err.Error() }
func (e *SentryError) Unwrap() error { return e.Err }

// ErrorKind is errkind.Config when Sentry refused the configuration (the token, its scopes,
// the organization), else errkind.Undecided.
func (e *SentryError) ErrorKind() errkind.Kind {
	if errors.Is(e.Err, sentryapi.ErrMisconfigured) {
		return errkind.Config
	}
	return errkind.Undecided
}

// Project is one project's rules to check.
type Project struct {
	Client *sentryapi.Client
	// Server names the Sentry the client talks to (its URL); with Org, it keys what the
	// Checker remembers.
	Server  string
	Org     string
	Project string
	// Label names the project's configuration (its sentry.properties), for an
	// unknown-project finding.
	Label string
	Rules []ownership.Rule
}

// Checker checks projects' owners, fetching each organization's teams and members once, and
// each team's members once. It is for one run, by one goroutine.
type Checker struct {
	dirs map[string]*directory
}

// NewChecker returns a Checker that remembers nothing yet.
func NewChecker() *Checker { return &Checker{dirs: map[string]*directory{}} }

// Check checks every owner of every rule of p. A project Sentry does not have is a finding,
// not an error; Sentry's other failures are a *SentryError.
func (c *Checker) Check(ctx context.Context, p Project) ([]Finding, error) {
	key := p.Server + " " + p.Org
	dir := c.dirs[key]
	if dir == nil {
		var err error
		if dir, err = fetchDirectory(ctx, p.Client, p.Org); err != nil {
			return nil, &SentryError{What: "checking owners in organization " + p.Org, Err: err}
		}
		c.dirs[key] = dir
	}
	var projectTeams []string
	if err := p.Client.ListProjectTeams(ctx, p.Org, p.Project, func(ts []sentryapi.Team) error {
		for _, t := range ts {
			projectTeams = append(projectTeams, t.Slug)
		}
		return nil
	}); err != nil {
		if ae, ok := errors.AsType[*sentryapi.APIError](err); ok && ae.Status == http.StatusNotFound {
			return []Finding{{Code: "unknown-project", File: p.Label, Message: fmt.Sprintf(
				"organization %s has no project %q: fix defaults.project, or create the project in Sentry", p.Org, p.Project)}}, nil
		}
		return nil, &SentryError{What: "listing the teams of project " + p.Org + "/" + p.Project, Err: err}
	}
	withAccess := map[string]bool{} // member IDs on a team of the project
	for _, slug := range projectTeams {
		ids, err := dir.membersOf(ctx, p.Client, p.Org, slug)
		if err != nil {
			return nil, &SentryError{What: "listing the members of team #" + slug, Err: err}
		}
		for id := range ids {
			withAccess[id] = true
		}
	}
	var out []Finding
	for _, r := range p.Rules {
		for _, o := range r.Owners {
			if code, msg := dir.judge(o, p.Org, p.Project, projectTeams, withAccess); code != "" {
				out = append(out, Finding{Code: code, File: r.File, Line: r.Line, Message: msg})
			}
		}
	}
	return out, nil
}

// directory is what Sentry knows of an organization's teams and members.
type directory struct {
	teams   map[string]bool             // slugs
	members map[string]sentryapi.Member // by lower-cased email, every email of the user
	// teamMembers are the member IDs of each team, fetched when a project needs them.
	teamMembers map[string]map[string]bool
}

func fetchDirectory(ctx context.Context, client *sentryapi.Client, org string) (*directory, error) {
	dir := &directory{teams: map[string]bool{}, members: map[string]sentryapi.Member{}, teamMembers: map[string]map[string]bool{}}
	if err := client.ListTeams(ctx, org, func(ts []sentryapi.Team) error {
		for _, t := range ts {
			dir.teams[t.Slug] = true
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if err := client.ListMembers(ctx, org, func(ms []sentryapi.Member) error {
		for _, m := range ms {
			if m.Pending || m.Expired {
				continue // an invitation is not yet a member Sentry can assign
			}
			dir.members[strings.ToLower(m.Email)] = m
			if m.User != nil {
				dir.members[strings.ToLower(m.User.Email)] = m
				for _, e := range m.User.Emails {
					dir.members[strings.ToLower(e.Email)] = m
				}
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	return dir, nil
}

func (d *directory) membersOf(ctx context.Context, client *sentryapi.Client, org, team string) (map[string]bool, error) {
	if ids, ok := d.teamMembers[team]; ok {
		return ids, nil
	}
	ids := map[string]bool{}
	if err := client.ListTeamMembers(ctx, org, team, func(ms []sentryapi.Member) error {
		for _, m := range ms {
			ids[string(m.ID)] = true
		}
		return nil
	}); err != nil {
		return nil, err
	}
	d.teamMembers[team] = ids
	return ids, nil
}

// judge says what is wrong with one owner, or "" when Sentry would accept it.
func (d *directory) judge(o ownership.Owner, org, project string, projectTeams []string, withAccess map[string]bool) (code, msg string) {
	if o.Type == ownership.Team {
		switch {
		case !d.teams[o.Identifier]:
			return "unknown-team", fmt.Sprintf("team #%s does not exist in organization %s: create it, or fix the slug (Sentry refuses rules with unknown owners)", o.Identifier, org)
		case !slices.Contains(projectTeams, o.Identifier):
			return "team-no-access", fmt.Sprintf("team #%s has no access to project %s: add it under the project's Settings › Teams (Sentry refuses the rules otherwise)", o.Identifier, project)
		}
		return "", ""
	}
	m, ok := d.members[o.Identifier]
	switch {
	case !ok:
		return "unknown-user", fmt.Sprintf("%s is not a member of organization %s: invite them, or use the email of their Sentry account", o.Identifier, org)
	case !withAccess[string(m.ID)]:
		return "user-no-access", fmt.Sprintf("%s is on no team with access to project %s: add them to one of its teams (%s)", o.Identifier, project, teamList(projectTeams))
	}
	return "", ""
}

func teamList(slugs []string) string {
	if len(slugs) == 0 {
		return "it has none"
	}
	out := make([]string, len(slugs))
	for i, s := range slugs {
		out[i] = "#" + s
	}
	return strings.Join(out, ", ")
}
