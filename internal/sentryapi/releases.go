package sentryapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Release is a Sentry release, as the releases endpoints return it.
type Release struct {
	ID           ID         `json:"id"`
	Version      string     `json:"version"`
	ShortVersion string     `json:"shortVersion"`
	Status       string     `json:"status"` // "open" or "archived"
	Ref          string     `json:"ref"`
	URL          string     `json:"url"`
	DateCreated  *time.Time `json:"dateCreated"`
	// DateReleased is nil until the release is finalized.
	DateReleased *time.Time `json:"dateReleased"`
	DateStarted  *time.Time `json:"dateStarted"`
	FirstEvent   *time.Time `json:"firstEvent"`
	LastEvent    *time.Time `json:"lastEvent"`
	// NewGroups counts the issues first seen in this release.
	NewGroups   int              `json:"newGroups"`
	CommitCount int              `json:"commitCount"`
	DeployCount int              `json:"deployCount"`
	LastDeploy  *Deploy          `json:"lastDeploy"`
	Projects    []ReleaseProject `json:"projects"`
}

// ReleaseProject is a project of a release, with health data when asked for.
type ReleaseProject struct {
	ID            ID          `json:"id"`
	Slug          string      `json:"slug"`
	Name          string      `json:"name"`
	Platform      string      `json:"platform"`
	NewGroups     int         `json:"newGroups"`
	HasHealthData bool        `json:"hasHealthData"`
	HealthData    *HealthData `json:"healthData"`
}

// HealthData is the release health summary of one project (percentages are 0–100).
type HealthData struct {
	CrashFreeUsers    *float64 `json:"crashFreeUsers"`
	CrashFreeSessions *float64 `json:"crashFreeSessions"`
	TotalUsers        int64    `json:"totalUsers"`
	TotalSessions     int64    `json:"totalSessions"`
	SessionsCrashed   int64    `json:"sessionsCrashed"`
	SessionsErrored   int64    `json:"sessionsErrored"`
	Adoption          *float64 `json:"adoption"`
	SessionsAdoption  *float64 `json:"sessionsAdoption"`
	HasHealthData     bool     `json:"hasHealthData"`
}

// NewRelease is the body of a release creation.
type NewRelease struct {
	// Version is the release name, at most 200 characters, without "/". Required.
	Version string `json:"version"`
	// Projects are the slugs of the projects the release belongs to. Required.
	Projects []string `json:"projects"`
	Ref      string   `json:"ref,omitempty"`
	URL      string   `json:"url,omitempty"`
	// DateReleased, when set, creates the release finalized.
	DateReleased *time.Time `json:"dateReleased,omitempty"`
	Commits      []Commit   `json:"commits,omitempty"`
	Refs         []Ref      `json:"refs,omitempty"`
}

// ReleaseUpdate is the body of a release update; only the fields set are changed.
type ReleaseUpdate struct {
	Ref string `json:"ref,omitempty"`
	URL string `json:"url,omitempty"`
	// DateReleased finalizes the release.
	DateReleased *time.Time `json:"dateReleased,omitempty"`
	Commits      []Commit   `json:"commits,omitempty"`
	Refs         []Ref      `json:"refs,omitempty"`
}

// Ref names the head commit of a repository for a release; Sentry fetches the commits between
// PreviousCommit (or the previous release's head) and Commit through its repository integration.
type Ref struct {
	// Repository is the repository's name in Sentry, e.g. "acme/web".
	Repository     string `json:"repository"`
	Commit         string `json:"commit"`
	PreviousCommit string `json:"previousCommit,omitempty"`
}

// Commit is a commit given explicitly (when Sentry has no integration for the repository).
type Commit struct {
	ID          string       `json:"id"`
	Repository  string       `json:"repository,omitempty"`
	Message     string       `json:"message,omitempty"`
	AuthorName  string       `json:"author_name,omitempty"`
	AuthorEmail string       `json:"author_email,omitempty"`
	Timestamp   *time.Time   `json:"timestamp,omitempty"`
	PatchSet    []PatchEntry `json:"patch_set,omitempty"`
}

// PatchEntry is one file a commit changed; Type is "A", "M" or "D".
type PatchEntry struct {
	Path string `json:"path"`
	Type string `json:"type"`
}

// ReleaseCommit is a commit as Sentry lists it for a release.
type ReleaseCommit struct {
	ID                string      `json:"id"`
	Message           string      `json:"message"`
	DateCreated       *time.Time  `json:"dateCreated"`
	SuspectCommitType string      `json:"suspectCommitType"`
	Repository        *Repository `json:"repository"`
	Author            *Author     `json:"author"`
}

// Repository is a repository connected to Sentry.
type Repository struct {
	ID   ID     `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Author is a commit author as Sentry knows them.
type Author struct {
	ID       ID     `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Username string `json:"username"`
}

// Deploy is a deploy of a release to an environment.
type Deploy struct {
	ID           ID         `json:"id"`
	Environment  string     `json:"environment"`
	Name         string     `json:"name"`
	URL          string     `json:"url"`
	DateStarted  *time.Time `json:"dateStarted"`
	DateFinished *time.Time `json:"dateFinished"`
}

// NewDeploy is the body of a deploy creation.
type NewDeploy struct {
	// Environment is required, at most 64 characters.
	Environment string `json:"environment"`
	Name        string `json:"name,omitempty"`
	URL         string `json:"url,omitempty"`
	// DateStarted and DateFinished default to now on the server.
	DateStarted  *time.Time `json:"dateStarted,omitempty"`
	DateFinished *time.Time `json:"dateFinished,omitempty"`
	// Projects limits the deploy to some of the release's projects (slugs).
	Projects []string `json:"projects,omitempty"`
}

// ReleaseOptions are the optional parameters of GetRelease.
type ReleaseOptions struct {
	// Project (ID) selects the project whose health data is returned.
	Project string
	// Health adds healthData to each project, over HealthStatsPeriod and SummaryStatsPeriod
	// (each one of 1h, 24h, 1d, 2d, 48h, 7d, 14d, 30d, 90d).
	Health             bool
	HealthStatsPeriod  string
	SummaryStatsPeriod string
	// AdoptionStages adds adoption stages per project.
	AdoptionStages bool
}

// ReleaseQuery filters ListReleases.
type ReleaseQuery struct {
	Projects     []string // project IDs
	Environments []string
	// Query matches a substring of the version.
	Query   string
	PerPage int // at most 100
}

const (
	scopeReleases = "project:releases"
)

func releaseNotFound(org, version string) string {
	return fmt.Sprintf("check the organization slug %q and that release %q exists (create it first)", org, version)
}

// CreateRelease creates a release. created is false when the release already existed (Sentry
// answers 208 Already Reported); the returned release is then the existing one.
func (c *Client) CreateRelease(ctx context.Context, org string, r NewRelease) (rel *Release, created bool, err error) {
	switch {
	case r.Version == "":
		return nil, false, errors.New("sentryapi: create release: the version is empty")
	case len(r.Projects) == 0:
		return nil, false, fmt.Errorf("sentryapi: create release %q: no projects given", r.Version)
	}
	if err := checkSegment(r.Version); err != nil {
		return nil, false, fmt.Errorf("sentryapi: create release: version %w", err)
	}
	cl := &call{
		op: "create release", method: http.MethodPost,
		path:     []string{"organizations", org, "releases"},
		body:     r,
		scope:    scopeReleases,
		notFound: fmt.Sprintf("check the organization slug %q and the project slugs (%s)", org, strings.Join(r.Projects, ", ")),
	}
	rel = new(Release)
	_, status, err := c.do(ctx, cl, rel)
	if status == http.StatusAlreadyReported && errors.Is(err, errEmptyBody) {
		// Some servers answer 208 without a body; the release exists all the same.
		return &Release{Version: r.Version}, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return rel, status != http.StatusAlreadyReported, nil
}

// GetRelease returns a release.
func (c *Client) GetRelease(ctx context.Context, org, version string, opts ReleaseOptions) (*Release, error) {
	q := url.Values{}
	if opts.Project != "" {
		q.Set("project", opts.Project)
	}
	if opts.Health {
		q.Set("health", "1")
	}
	if opts.HealthStatsPeriod != "" {
		q.Set("healthStatsPeriod", opts.HealthStatsPeriod)
	}
	if opts.SummaryStatsPeriod != "" {
		q.Set("summaryStatsPeriod", opts.SummaryStatsPeriod)
	}
	if opts.AdoptionStages {
		q.Set("adoptionStages", "1")
	}
	cl := &call{
		op: "get release", method: http.MethodGet,
		path:  []string{"organizations", org, "releases", version},
		query: q, scope: scopeReleases, notFound: releaseNotFound(org, version),
	}
	rel := new(Release)
	if _, _, err := c.do(ctx, cl, rel); err != nil {
		return nil, err
	}
	return rel, nil
}

// UpdateRelease changes a release (ref, url, commits, refs, release date).
func (c *Client) UpdateRelease(ctx context.Context, org, version string, u ReleaseUpdate) (*Release, error) {
	return c.updateRelease(ctx, "update release", org, version, u)
}

// FinalizeRelease marks a release as released at the given time (Sentry's "finalize").
func (c *Client) FinalizeRelease(ctx context.Context, org, version string, at time.Time) (*Release, error) {
	if at.IsZero() {
		return nil, errors.New("sentryapi: finalize release: the release time is zero")
	}
	at = at.UTC()
	return c.updateRelease(ctx, "finalize release", org, version, ReleaseUpdate{DateReleased: &at})
}

// SetReleaseCommits associates commits with a release: refs (head commits per repository, for
// repositories Sentry has an integration for) and/or explicit commits.
func (c *Client) SetReleaseCommits(ctx context.Context, org, version string, refs []Ref, commits []Commit) (*Release, error) {
	if len(refs) == 0 && len(commits) == 0 {
		return nil, errors.New("sentryapi: set release commits: no refs or commits given")
	}
	return c.updateRelease(ctx, "set release commits", org, version, ReleaseUpdate{Refs: refs, Commits: commits})
}

func (c *Client) updateRelease(ctx context.Context, op, org, version string, u ReleaseUpdate) (*Release, error) {
	cl := &call{
		op: op, method: http.MethodPut,
		path: []string{"organizations", org, "releases", version},
		body: u, scope: scopeReleases, notFound: releaseNotFound(org, version),
	}
	rel := new(Release)
	if _, _, err := c.do(ctx, cl, rel); err != nil {
		return nil, err
	}
	return rel, nil
}

// ListReleases lists an organization's releases, newest first, a page at a time.
func (c *Client) ListReleases(ctx context.Context, org string, rq ReleaseQuery, fn func([]Release) error) error {
	q := url.Values{}
	addAll(q, "project", rq.Projects)
	addAll(q, "environment", rq.Environments)
	if rq.Query != "" {
		q.Set("query", rq.Query)
	}
	if rq.PerPage > 0 {
		q.Set("per_page", strconv.Itoa(rq.PerPage))
	}
	return list(ctx, c, &call{
		op: "list releases", method: http.MethodGet,
		path:  []string{"organizations", org, "releases"},
		query: q, scope: scopeReleases, notFound: fmt.Sprintf("check the organization slug %q", org),
	}, fn)
}

// ListReleaseCommits lists the commits of a release, a page at a time.
func (c *Client) ListReleaseCommits(ctx context.Context, org, version string, fn func([]ReleaseCommit) error) error {
	return list(ctx, c, &call{
		op: "list release commits", method: http.MethodGet,
		path:  []string{"organizations", org, "releases", version, "commits"},
		scope: scopeReleases, notFound: releaseNotFound(org, version),
	}, fn)
}

// CreateDeploy records a deploy of a release. It is not retried on server errors, since the
// deploy may have been recorded.
func (c *Client) CreateDeploy(ctx context.Context, org, version string, d NewDeploy) (*Deploy, error) {
	if d.Environment == "" {
		return nil, fmt.Errorf("sentryapi: create deploy of %q: the environment is empty", version)
	}
	cl := &call{
		op: "create deploy", method: http.MethodPost,
		path: []string{"organizations", org, "releases", version, "deploys"},
		body: d, scope: scopeReleases, notFound: releaseNotFound(org, version),
	}
	dep := new(Deploy)
	if _, _, err := c.do(ctx, cl, dep); err != nil {
		return nil, err
	}
	return dep, nil
}

// ListDeploys lists the deploys of a release, a page at a time.
func (c *Client) ListDeploys(ctx context.Context, org, version string, fn func([]Deploy) error) error {
	return list(ctx, c, &call{
		op: "list deploys", method: http.MethodGet,
		path:  []string{"organizations", org, "releases", version, "deploys"},
		scope: scopeReleases, notFound: releaseNotFound(org, version),
	}, fn)
}
