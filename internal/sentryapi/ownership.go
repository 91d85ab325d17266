package sentryapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Values of Ownership.AutoAssignment, exactly as Sentry spells them.
const (
	AutoAssignIssueOwner    = "Auto Assign to Issue Owner"
	AutoAssignSuspectCommit = "Auto Assign to Suspect Commits"
	AutoAssignOff           = "Turn off Auto-Assignment"
)

// Ownership is a project's ownership rules and settings.
type Ownership struct {
	// Raw is the rules text in Sentry's syntax.
	Raw                string           `json:"raw"`
	Fallthrough        bool             `json:"fallthrough"`
	AutoAssignment     string           `json:"autoAssignment"`
	CodeownersAutoSync bool             `json:"codeownersAutoSync"`
	IsActive           bool             `json:"isActive"`
	DateCreated        *time.Time       `json:"dateCreated"`
	LastUpdated        *time.Time       `json:"lastUpdated"`
	Schema             *OwnershipSchema `json:"schema"`
}

// OwnershipSchema is the parsed form of the rules that Sentry stores.
type OwnershipSchema struct {
	Version int             `json:"$version"`
	Rules   []OwnershipRule `json:"rules"`
}

// OwnershipRule is one parsed rule.
type OwnershipRule struct {
	Matcher struct {
		Type    string `json:"type"` // path, url, module, codeowners, tags.<key>
		Pattern string `json:"pattern"`
	} `json:"matcher"`
	Owners []RuleOwner `json:"owners"`
}

// RuleOwner is an owner of a rule, resolved by Sentry.
type RuleOwner struct {
	Type       string `json:"type"` // user or team
	ID         ID     `json:"id"`
	Name       string `json:"name"`
	Identifier string `json:"identifier"`
}

// OwnershipUpdate changes a project's ownership; only the fields set are sent.
type OwnershipUpdate struct {
	Raw         *string `json:"raw,omitempty"`
	Fallthrough *bool   `json:"fallthrough,omitempty"`
	// AutoAssignment is one of the AutoAssign* constants.
	AutoAssignment     string `json:"autoAssignment,omitempty"`
	CodeownersAutoSync *bool  `json:"codeownersAutoSync,omitempty"`
}

func projectNotFound(org, project string) string {
	return fmt.Sprintf("check the organization slug %q and the project slug %q", org, project)
}

// GetProjectOwnership returns a project's ownership rules.
func (c *Client) GetProjectOwnership(ctx context.Context, org, project string) (*Ownership, error) {
	cl := &call{
		op: "get project ownership", method: http.MethodGet,
		path:  []string{"projects", org, project, "ownership"},
		scope: "project:read", notFound: projectNotFound(org, project),
	}
	o := new(Ownership)
	if _, _, err := c.do(ctx, cl, o); err != nil {
		return nil, err
	}
	return o, nil
}

// UpdateProjectOwnership changes a project's ownership rules or settings and returns the result.
// Sentry validates the rules: an unknown owner or a syntax error comes back as an *APIError
// (400) whose Detail quotes Sentry's message.
func (c *Client) UpdateProjectOwnership(ctx context.Context, org, project string, u OwnershipUpdate) (*Ownership, error) {
	if u == (OwnershipUpdate{}) {
		return nil, errors.New("sentryapi: update project ownership: nothing to change")
	}
	switch u.AutoAssignment {
	case "", AutoAssignIssueOwner, AutoAssignSuspectCommit, AutoAssignOff:
	default:
		return nil, fmt.Errorf("sentryapi: update project ownership: AutoAssignment %q is not one of %q, %q, %q",
			u.AutoAssignment, AutoAssignIssueOwner, AutoAssignSuspectCommit, AutoAssignOff)
	}
	cl := &call{
		op: "update project ownership", method: http.MethodPut,
		path: []string{"projects", org, project, "ownership"},
		body: u, scope: "project:write", notFound: projectNotFound(org, project),
		// Sentry's ProjectOwnershipPermission lets project:read change the rules too.
		grantsAlso: []string{"project:read", "project:admin"},
	}
	o := new(Ownership)
	if _, _, err := c.do(ctx, cl, o); err != nil {
		return nil, err
	}
	return o, nil
}

// Team is a team of an organization.
type Team struct {
	ID          ID     `json:"id"`
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	MemberCount int    `json:"memberCount"`
	IsMember    bool   `json:"isMember"`
	HasAccess   bool   `json:"hasAccess"`
	// ExternalTeams maps the team to names in other systems (e.g. a GitHub team).
	ExternalTeams []ExternalActor `json:"externalTeams"`
}

// ExternalActor maps a Sentry user or team to a name in another system.
type ExternalActor struct {
	ID           ID     `json:"id"`
	Provider     string `json:"provider"` // github, gitlab, slack, …
	ExternalName string `json:"externalName"`
	ExternalID   string `json:"externalId"`
	UserID       ID     `json:"userId"`
	TeamID       ID     `json:"teamId"`
}

// Member is a member of an organization (or of a team, with TeamRole and TeamSlug).
type Member struct {
	ID      ID          `json:"id"`
	Email   string      `json:"email"`
	Name    string      `json:"name"`
	OrgRole string      `json:"orgRole"`
	Pending bool        `json:"pending"`
	Expired bool        `json:"expired"`
	User    *MemberUser `json:"user"` // nil for a pending invitation
	// TeamRole and TeamSlug are set by ListTeamMembers.
	TeamRole      string          `json:"teamRole"`
	TeamSlug      string          `json:"teamSlug"`
	ExternalUsers []ExternalActor `json:"externalUsers"`
}

// MemberUser is the Sentry user behind a membership.
type MemberUser struct {
	ID       ID     `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
	Email    string `json:"email"`
	IsActive bool   `json:"isActive"`
	Emails   []struct {
		Email      string `json:"email"`
		IsVerified bool   `json:"is_verified"`
	} `json:"emails"`
}

// ListTeams lists an organization's teams, a page at a time.
func (c *Client) ListTeams(ctx context.Context, org string, fn func([]Team) error) error {
	return list(ctx, c, &call{
		op: "list teams", method: http.MethodGet,
		path:  []string{"organizations", org, "teams"},
		scope: scopeOrgRead, notFound: fmt.Sprintf("check the organization slug %q", org),
	}, fn)
}

// ListProjectTeams lists the teams with access to a project, a page at a time.
func (c *Client) ListProjectTeams(ctx context.Context, org, project string, fn func([]Team) error) error {
	return list(ctx, c, &call{
		op: "list project teams", method: http.MethodGet,
		path:  []string{"projects", org, project, "teams"},
		scope: "project:read", notFound: projectNotFound(org, project),
	}, fn)
}

// ListMembers lists an organization's members, a page at a time.
func (c *Client) ListMembers(ctx context.Context, org string, fn func([]Member) error) error {
	return list(ctx, c, &call{
		op: "list members", method: http.MethodGet,
		path:  []string{"organizations", org, "members"},
		scope: "member:read", notFound: fmt.Sprintf("check the organization slug %q", org),
	}, fn)
}

// ListTeamMembers lists the members of a team, a page at a time.
func (c *Client) ListTeamMembers(ctx context.Context, org, team string, fn func([]Member) error) error {
	return list(ctx, c, &call{
		op: "list team members", method: http.MethodGet,
		path:  []string{"teams", org, team, "members"},
		scope: "team:read", notFound: fmt.Sprintf("check the organization slug %q and the team slug %q", org, team),
	}, fn)
}
