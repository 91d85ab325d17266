package sentrycheck

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/releasegate/releasegate/internal/sentryapi"
)

// Status is the outcome of one capability's check.
type Status string

// The statuses. Every one but OK and Unreachable is the configuration's to fix.
const (
	OK Status = "ok"
	// MissingScope: the token lacks a scope the capability needs.
	MissingScope Status = "missing scope"
	// UnknownOrg, UnknownProject: Sentry does not know the organization or the project (or
	// the token cannot see it).
	UnknownOrg     Status = "unknown organization"
	UnknownProject Status = "unknown project"
	// NoAccess: the token has the scopes, but Sentry still refuses (403): the token's user is
	// not on a team with access to the project, or the organization restricts it.
	NoAccess Status = "no access"
	// Rejected: Sentry does not accept the token at all (401).
	Rejected Status = "token rejected"
	// Unreachable: Sentry could not be asked (network, 5xx, rate limits after the retries).
	Unreachable Status = "unreachable"
)

// Misconfigured says whether the status is the configuration's to fix.
func (s Status) Misconfigured() bool { return s != OK && s != Unreachable }

// Options say what to check.
type Options struct {
	Client *sentryapi.Client
	Org    string
	// Projects are the project slugs the run uses; upload, release, ownership and gate are
	// checked against each.
	Projects     []string
	Capabilities []Capability
}

// Result is one capability's outcome.
type Result struct {
	Capability Capability `json:"capability"`
	Status     Status     `json:"status"`
	// Missing are the scopes to grant (for MissingScope).
	Missing []string `json:"missing,omitempty"`
	// Detail says what is wrong and what to do; empty when ok.
	Detail string `json:"detail,omitempty"`
}

// Report is the outcome of a check.
type Report struct {
	Org      string   `json:"org"`
	Projects []string `json:"projects"`
	// Scopes are the token's scopes as Sentry reported them; ScopesKnown is false when it did
	// not say (then only the probes' answers tell a missing scope).
	Scopes      []string `json:"scopes"`
	ScopesKnown bool     `json:"scopesKnown"`
	// TokenRejected: Sentry does not accept the token at all (401).
	TokenRejected bool     `json:"tokenRejected"`
	Results       []Result `json:"results"`
	// Requests is how many requests the check made.
	Requests int `json:"requests"`
}

// Misconfigured says whether any capability is the configuration's to fix.
func (r *Report) Misconfigured() bool {
	return slices.ContainsFunc(r.Results, func(x Result) bool { return x.Status.Misconfigured() })
}

// Unreachable says whether any capability could not be checked.
func (r *Report) Unreachable() bool {
	return slices.ContainsFunc(r.Results, func(x Result) bool { return x.Status == Unreachable })
}

// probe is one request, shared by the capabilities that need it.
type probe struct {
	project string // "" for an organization-level probe
	call    func(ctx context.Context) error
	err     error
}

// Check asks Sentry, all at once: the token's scopes (the API root), and per capability one
// cheap request that the capability's own calls would need to succeed, for the organization
// and each project. Requests that several capabilities share are made once. It returns an
// error only for bad options; what Sentry answered is in the report.
func Check(ctx context.Context, opts Options) (*Report, error) {
	switch {
	case opts.Client == nil:
		return nil, errors.New("sentrycheck: no client")
	case opts.Org == "":
		return nil, errors.New("sentrycheck: no organization: set SENTRY_ORG or --org")
	}
	caps := opts.Capabilities
	if len(caps) == 0 {
		caps = All
	}
	c, org := opts.Client, opts.Org
	probes := map[string]*probe{}
	add := func(key, project string, call func(ctx context.Context) error) string {
		if probes[key] == nil {
			probes[key] = &probe{project: project, call: call}
		}
		return key
	}
	stop := func(err error) error {
		if errors.Is(err, sentryapi.ErrStop) {
			return nil
		}
		return err
	}
	projectReleases := func(p string) string {
		return add("releases "+p, p, func(ctx context.Context) error {
			return c.ListProjectReleases(ctx, org, p, 1, func([]sentryapi.Release) error { return sentryapi.ErrStop })
		})
	}
	uses := map[Capability][]string{}
	for _, cp := range caps {
		switch cp {
		case Upload:
			uses[cp] = append(uses[cp], add("chunk-upload", "", func(ctx context.Context) error {
				_, err := c.ChunkUploadOptions(ctx, org)
				return err
			}))
			for _, p := range opts.Projects {
				uses[cp] = append(uses[cp], projectReleases(p))
			}
		case Release:
			if len(opts.Projects) == 0 {
				uses[cp] = append(uses[cp], add("org releases", "", func(ctx context.Context) error {
					return stop(c.ListReleases(ctx, org, sentryapi.ReleaseQuery{PerPage: 1}, func([]sentryapi.Release) error { return sentryapi.ErrStop }))
				}))
			}
			for _, p := range opts.Projects {
				uses[cp] = append(uses[cp], projectReleases(p))
			}
		case Ownership:
			uses[cp] = append(uses[cp], add("teams", "", func(ctx context.Context) error {
				return stop(c.ListTeams(ctx, org, func([]sentryapi.Team) error { return sentryapi.ErrStop }))
			}))
			for _, p := range opts.Projects {
				uses[cp] = append(uses[cp], add("ownership "+p, p, func(ctx context.Context) error {
					_, err := c.GetProjectOwnership(ctx, org, p)
					return err
				}))
			}
		case Gate:
			uses[cp] = append(uses[cp], add("issues", "", func(ctx context.Context) error {
				return stop(c.ListIssues(ctx, org, sentryapi.IssueQuery{
					Query: "is:unresolved", Limit: 1, TimeRange: sentryapi.TimeRange{StatsPeriod: "1h"},
				}, func([]sentryapi.Issue) error { return sentryapi.ErrStop }))
			}))
			for _, p := range opts.Projects {
				uses[cp] = append(uses[cp], projectReleases(p))
			}
		default:
			return nil, fmt.Errorf("sentrycheck: unknown capability %q", cp)
		}
	}

	rep := &Report{Org: org, Projects: slices.Clone(opts.Projects)}
	var auth *sentryapi.Auth
	var authErr error
	var wg sync.WaitGroup
	wg.Go(func() { auth, authErr = c.TokenAuth(ctx) })
	for _, p := range probes {
		wg.Go(func() { p.err = stop(p.call(ctx)) })
	}
	wg.Wait()
	rep.Requests = 1 + len(probes)
	if authErr == nil {
		rep.Scopes, rep.ScopesKnown = slices.Sorted(slices.Values(auth.Scopes)), auth.Known
	}
	rep.TokenRejected = errors.Is(authErr, sentryapi.ErrUnauthorized)

	// Whether the organization exists, from the organization-level probes: a project-level
	// 404 alone cannot tell a wrong organization from a wrong project.
	org404, orgSeen := false, false
	for _, p := range probes {
		if p.project == "" {
			org404 = org404 || errors.Is(p.err, sentryapi.ErrNotFound)
			orgSeen = orgSeen || p.err == nil
		}
	}
	orgState := orgUnsure
	switch {
	case orgSeen:
		orgState = orgExists
	case org404:
		orgState = orgMissing
	}
	for _, cp := range caps {
		var errs []*probe
		for _, key := range uses[cp] {
			if probes[key].err != nil {
				errs = append(errs, probes[key])
			}
		}
		rep.Results = append(rep.Results, judge(cp, org, orgState, authErr, auth, errs))
	}
	return rep, nil
}

// judge decides one capability from the token's scopes and its probes' failures. The token
// rejected outright comes first, then what the configuration names wrongly, then the scopes,
// then an outage.
// What the organization-level probes said of the organization.
const (
	orgUnsure = iota
	orgExists
	orgMissing
)

func judge(cp Capability, org string, orgState int, authErr error, auth *sentryapi.Auth, failed []*probe) Result {
	r := Result{Capability: cp, Status: OK}
	if errors.Is(authErr, sentryapi.ErrUnauthorized) || slices.ContainsFunc(failed, func(p *probe) bool { return errors.Is(p.err, sentryapi.ErrUnauthorized) }) {
		r.Status, r.Detail = Rejected, "Sentry rejects the token (401): check SENTRY_AUTH_TOKEN; it must be a valid, unrevoked token for this Sentry server"
		return r
	}
	for _, p := range failed {
		if ae, ok := errors.AsType[*sentryapi.APIError](p.err); ok && ae.Status == http.StatusNotFound {
			if p.project != "" && orgState != orgMissing {
				r.Status = UnknownProject
				r.Detail = fmt.Sprintf("Sentry has no project %q in organization %q, or the token cannot see it: check the project slug (SENTRY_PROJECT, --project, defaults.project)", p.project, org)
				if orgState == orgUnsure {
					r.Detail += " and the organization (SENTRY_ORG, --org, defaults.org)"
				}
			} else {
				r.Status = UnknownOrg
				r.Detail = fmt.Sprintf("Sentry has no organization %q, or the token cannot see it: check SENTRY_ORG (--org, defaults.org) and SENTRY_URL (a region such as https://de.sentry.io/ for EU organizations)", org)
			}
			return r
		}
	}
	var missing []Need
	if auth != nil && auth.Known {
		missing = Missing(cp, auth.Scopes)
	}
	for _, p := range failed {
		// A 403 that the token's reported scopes do not explain: the scope the call asks for,
		// or no access to the project (a team-restricted token or user).
		if ae, ok := errors.AsType[*sentryapi.APIError](p.err); ok && ae.Status == http.StatusForbidden && len(missing) == 0 {
			r.Status = MissingScope
			if auth != nil && auth.Known && sentryapi.Grants(auth.Scopes, ae.Scopes) {
				r.Status = NoAccess
			} else if len(ae.Scopes) > 0 {
				r.Missing = []string{ae.Scopes[0]}
			}
			r.Detail = fmt.Sprintf("Sentry refused to %s (403): %s", ae.Op, ae.Hint)
			return r
		}
	}
	if len(missing) > 0 {
		r.Status = MissingScope
		var parts []string
		for _, n := range missing {
			r.Missing = append(r.Missing, n.Scope)
			alt := ""
			if len(n.Grants) > 1 {
				alt = " (or " + strings.Join(n.Grants[1:], ", ") + ")"
			}
			parts = append(parts, fmt.Sprintf("%s%s for %s", n.Scope, alt, n.For))
		}
		r.Detail = "the token lacks " + strings.Join(parts, "; ")
		if cp == Gate || cp == Ownership {
			if auth != nil && slices.Equal(auth.Scopes, []string{"org:ci"}) {
				r.Detail += "; an organization token (org:ci) cannot do this: use an internal integration token with these scopes"
			}
		}
		return r
	}
	for _, p := range failed {
		r.Status, r.Detail = Unreachable, fmt.Sprintf("Sentry could not be asked: %v", p.err)
		return r
	}
	if authErr != nil && !refused(authErr) {
		r.Status, r.Detail = Unreachable, fmt.Sprintf("Sentry could not be asked for the token's scopes: %v", authErr)
	}
	return r
}

// refused says whether err is an answer that Sentry gave on purpose (a 4xx other than 429):
// for the API root, which needs no scope, that only means the scopes stay unknown (a proxy or
// an old server), not that Sentry is down.
func refused(err error) bool {
	ae, ok := errors.AsType[*sentryapi.APIError](err)
	return ok && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests
}
