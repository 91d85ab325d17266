package sentryapi

import (
	"net/http"
	"slices"
)

// The token scopes that grant each kind of call, as Sentry's permission classes map them per
// method (their scope_map, which the API description publishes as each operation's security):
// any one scope of a set grants the call. The first of a set is the one to ask for.
var (
	grantsReleaseRead  = []string{scopeReleases, "org:ci", "project:read", "project:write", "project:admin"}
	grantsReleaseWrite = []string{scopeReleases, "org:ci", "project:write", "project:admin"}
	grantsEventRead    = []string{scopeEventRead, "event:write", "event:admin"}
	grantsEventWrite   = []string{scopeEventWrite, "event:admin"}
	grantsEventAdmin   = []string{scopeEventAdmin}
	grantsOrgRead      = []string{scopeOrgRead, "org:write", "org:admin"}
	grantsProjectRead  = []string{"project:read", "project:write", "project:admin"}
	grantsProjectWrite = []string{"project:write", "project:admin"}
	grantsMemberRead   = []string{"member:read", "member:write", "member:admin"}
	grantsTeamRead     = []string{"team:read", "team:write", "team:admin"}
)

// The triage bot's calls and the scope each asks for (the first of its set):
//
//	LookupIssue, IssueByShortID, GetIssue     event:read
//	IssueEvent (latest, with its frames)      event:read
//	GetIssueTag, ListIssueTagValues           event:read
//	FindDuplicates (the issue search)         event:read
//	ListIssueExternalIssues                   event:read
//	ResolveInNextRelease, UpdateIssue         event:write
//	LinkExternalIssue                         event:write (that scope alone)
//	UnlinkExternalIssue                       event:admin
//
// A token without the scope is refused with 403, an ErrMisconfigured: a configuration error,
// never an outage. Organization tokens (org:ci) have none of these.

// grants is the set of scopes that grant c: c.grantsAlso with c.scope when the call sets it,
// else the set of c.scope for c.method.
func (c *call) grants() []string {
	if c.grantsAlso != nil {
		return append([]string{c.scope}, c.grantsAlso...)
	}
	switch c.scope {
	case scopeReleases:
		if c.method == http.MethodGet {
			return grantsReleaseRead
		}
		return grantsReleaseWrite
	case scopeEventRead:
		return grantsEventRead
	case scopeEventWrite:
		return grantsEventWrite
	case scopeEventAdmin:
		return grantsEventAdmin
	case scopeOrgRead:
		return grantsOrgRead
	case "project:read":
		return grantsProjectRead
	case "project:write":
		return grantsProjectWrite
	case "member:read":
		return grantsMemberRead
	case "team:read":
		return grantsTeamRead
	case "":
		return nil
	}
	return []string{c.scope}
}

// Grants reports whether a token with scopes may make a call that any one of grants allows.
func Grants(scopes, grants []string) bool {
	return slices.ContainsFunc(grants, func(s string) bool { return slices.Contains(scopes, s) })
}
