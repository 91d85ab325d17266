package sentryapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// IssueFields are the fields every serialization of an issue (a "group") carries: the issue
// list, the issue details, the answer to an update and a short-ID lookup. Each endpoint adds
// its own fields, so each has its own type ([Issue], [IssueDetails]): a field one endpoint
// lacks cannot be read, as an empty value, from its answer.
type IssueFields struct {
	ID        ID     `json:"id"`
	ShortID   string `json:"shortId"`
	Title     string `json:"title"`
	Culprit   string `json:"culprit"`
	Permalink string `json:"permalink"`
	// Level is sample, debug, info, warning, error, fatal or unknown.
	Level string `json:"level"`
	// Status is unresolved, resolved, ignored, pending_deletion, pending_merge or reprocessing.
	Status string `json:"status"`
	// Substatus is new, ongoing, regressed, escalating, archived_* or empty.
	Substatus     string         `json:"substatus"`
	IsUnhandled   bool           `json:"isUnhandled"`
	Count         Count          `json:"count"`
	UserCount     int64          `json:"userCount"`
	FirstSeen     *time.Time     `json:"firstSeen"`
	LastSeen      *time.Time     `json:"lastSeen"`
	Platform      string         `json:"platform"`
	Priority      string         `json:"priority"` // low, medium, high
	Type          string         `json:"type"`
	IssueType     string         `json:"issueType"`
	IssueCategory string         `json:"issueCategory"`
	Project       ProjectRef     `json:"project"`
	AssignedTo    *Actor         `json:"assignedTo"`
	Metadata      IssueMetadata  `json:"metadata"`
	StatusDetails map[string]any `json:"statusDetails"`
}

// Issue is an issue as the organization issue list returns it. The list has no first or last
// release and no activity: [IssueDetails] has them.
type Issue struct {
	IssueFields
	// Stats holds event-count series by period ("24h", "14d").
	Stats map[string][]StatsPoint `json:"stats"`
	// Lifetime and Filtered are the counts over all time and over the query's event filters
	// (nil without event filters).
	Lifetime *IssueCounts `json:"lifetime"`
	Filtered *IssueCounts `json:"filtered"`
}

// IssueDetails is an issue as its details endpoint returns it.
type IssueDetails struct {
	IssueFields
	// Stats holds event-count series by period ("24h", "30d").
	Stats        map[string][]StatsPoint `json:"stats"`
	FirstRelease *ReleaseRef             `json:"firstRelease"`
	LastRelease  *ReleaseRef             `json:"lastRelease"`
	Tags         []IssueTagKey           `json:"tags"`
	// Activity is the issue's history, newest first as Sentry sends it (Sentry sends the most
	// recent 100 entries). Nil when the answer had none.
	Activity []Activity `json:"activity"`
}

// Activity types releasegate reads ([Activity.Type]).
const (
	ActivityFirstSeen            = "first_seen"
	ActivitySetRegression        = "set_regression"
	ActivitySetResolved          = "set_resolved"
	ActivitySetResolvedInRelease = "set_resolved_in_release"
	ActivitySetResolvedInCommit  = "set_resolved_in_commit"
	ActivitySetResolvedByAge     = "set_resolved_by_age"
	ActivitySetUnresolved        = "set_unresolved"
	ActivitySetIgnored           = "set_ignored"
	ActivitySetEscalating        = "set_escalating"
	ActivityAutoSetOngoing       = "auto_set_ongoing"
)

// Activity is one entry of an issue's history. Sentry's API description leaves its shape open
// (an object of any fields), so Data is kept raw and read with [Activity.DataString].
type Activity struct {
	ID          ID              `json:"id"`
	Type        string          `json:"type"`
	Data        json.RawMessage `json:"data"`
	DateCreated *time.Time      `json:"dateCreated"`
}

// DataString reads a string field of Data (e.g. "version" of set_regression: the release of
// the event that reopened the issue, "" when that event had none). ok is false when Data is
// not an object or the field is missing or not a string.
func (a Activity) DataString(key string) (v string, ok bool) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(a.Data, &m); err != nil || m == nil {
		return "", false
	}
	raw, present := m[key]
	if !present || string(raw) == "null" || json.Unmarshal(raw, &v) != nil {
		return "", false
	}
	return v, true
}

// Actor is a user or team an issue is assigned to.
type Actor struct {
	Type  string `json:"type"` // "user" or "team"
	ID    ID     `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// IssueMetadata is what Sentry extracted from the first event (exception type and value, file).
type IssueMetadata struct {
	Type     string `json:"type"`
	Value    string `json:"value"`
	Filename string `json:"filename"`
	Function string `json:"function"`
	Title    string `json:"title"`
}

// IssueCounts are an issue's counts over some scope.
type IssueCounts struct {
	Count     Count      `json:"count"`
	UserCount int64      `json:"userCount"`
	FirstSeen *time.Time `json:"firstSeen"`
	LastSeen  *time.Time `json:"lastSeen"`
}

// ReleaseRef is the short release object embedded in issue details.
type ReleaseRef struct {
	Version      string     `json:"version"`
	ShortVersion string     `json:"shortVersion"`
	DateCreated  *time.Time `json:"dateCreated"`
	DateReleased *time.Time `json:"dateReleased"`
}

// IssueTagKey is a tag key seen on an issue's events.
type IssueTagKey struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	TotalValues int64  `json:"totalValues"`
}

// StatsPoint is one bucket of a time series, sent by Sentry as [unix seconds, count].
type StatsPoint struct {
	Time  time.Time
	Count float64
}

// UnmarshalJSON decodes a [timestamp, count] pair.
func (p *StatsPoint) UnmarshalJSON(b []byte) error {
	var pair []*float64
	if err := json.Unmarshal(b, &pair); err != nil {
		return fmt.Errorf("stats point: %w", err)
	}
	if len(pair) != 2 || pair[0] == nil {
		return fmt.Errorf("stats point: want [timestamp, count], got %s", b)
	}
	p.Time = time.Unix(int64(*pair[0]), 0).UTC()
	p.Count = 0
	if pair[1] != nil {
		p.Count = *pair[1]
	}
	return nil
}

// Issue sort orders.
const (
	SortDate        = "date" // last seen
	SortNew         = "new"  // first seen
	SortFreq        = "freq" // events
	SortUser        = "user" // users
	SortTrends      = "trends"
	SortInbox       = "inbox"
	SortRecommended = "recommended"
)

// IssueQuery selects issues of an organization.
type IssueQuery struct {
	// Query is Sentry search syntax, e.g. "is:unresolved firstRelease:api@1.4.2". It is always
	// sent: an empty Query matches issues of every status (Sentry applies is:unresolved only when
	// the parameter is missing).
	Query string
	// Projects are project IDs (or slugs); empty: every project the token can see.
	Projects []string
	// Environments filter events by environment.
	Environments []string
	TimeRange
	// Sort is one of the Sort* constants; empty: Sentry's default (date).
	Sort string
	// Limit is the page size, at most 100; 0: Sentry's default (100).
	Limit int
	// Expand adds data (inbox, integrationIssues, latestEventHasAttachments, owners,
	// sentryAppIssues, sessions); Collapse drops some (base, filtered, lifetime, stats, unhandled).
	Expand, Collapse []string
	// GroupStatsPeriod chooses the Stats series: "", "24h", "14d" or "auto".
	GroupStatsPeriod string
}

func (iq IssueQuery) values() (url.Values, error) {
	q := url.Values{}
	q.Set("query", iq.Query)
	addAll(q, "project", iq.Projects)
	addAll(q, "environment", iq.Environments)
	if err := iq.TimeRange.encode(q); err != nil {
		return nil, err
	}
	if iq.Sort != "" {
		if !slices.Contains([]string{SortDate, SortNew, SortFreq, SortUser, SortTrends, SortInbox, SortRecommended}, iq.Sort) {
			return nil, fmt.Errorf("sort %q is not one of date, new, freq, user, trends, inbox, recommended", iq.Sort)
		}
		q.Set("sort", iq.Sort)
	}
	if iq.Limit < 0 || iq.Limit > 100 {
		return nil, fmt.Errorf("limit %d is outside 1..100", iq.Limit)
	}
	if iq.Limit > 0 {
		q.Set("limit", strconv.Itoa(iq.Limit))
	}
	addAll(q, "expand", iq.Expand)
	addAll(q, "collapse", iq.Collapse)
	if iq.GroupStatsPeriod != "" {
		q.Set("groupStatsPeriod", iq.GroupStatsPeriod)
	}
	return q, nil
}

const (
	scopeEventRead  = "event:read"
	scopeEventWrite = "event:write"
	scopeEventAdmin = "event:admin"
)

func issueNotFound(org, issueID string) string {
	return fmt.Sprintf("check the organization slug %q and that issue %s exists and the token can see its project", org, issueID)
}

// ListIssues searches an organization's issues, a page at a time.
func (c *Client) ListIssues(ctx context.Context, org string, iq IssueQuery, fn func([]Issue) error) error {
	q, err := iq.values()
	if err != nil {
		return fmt.Errorf("sentryapi: list issues: %w", err)
	}
	return list(ctx, c, &call{
		op: "list issues", method: http.MethodGet,
		path:  []string{"organizations", org, "issues"},
		query: q, scope: scopeEventRead,
		notFound: fmt.Sprintf("check the organization slug %q (and the project IDs %q)", org, iq.Projects),
	}, fn)
}

// GetIssue returns an issue's details; environments (optional) scope its counts and its first
// and last release.
func (c *Client) GetIssue(ctx context.Context, org, issueID string, environments ...string) (*IssueDetails, error) {
	q := url.Values{}
	addAll(q, "environment", environments)
	cl := &call{
		op: "get issue", method: http.MethodGet,
		path:  []string{"organizations", org, "issues", issueID},
		query: q, scope: scopeEventRead, notFound: issueNotFound(org, issueID),
		absentIsData: true,
	}
	is := new(IssueDetails)
	if _, _, err := c.do(ctx, cl, is); err != nil {
		return nil, err
	}
	return is, nil
}

// Issue statuses for IssueUpdate.Status.
const (
	StatusResolved              = "resolved"
	StatusResolvedInNextRelease = "resolvedInNextRelease"
	StatusUnresolved            = "unresolved"
	StatusIgnored               = "ignored"
)

// IssueUpdate changes an issue; only the fields set are sent.
type IssueUpdate struct {
	// Status is one of the Status* constants.
	Status string `json:"status,omitempty"`
	// Substatus qualifies an ignored (archived) issue, e.g. "archived_until_escalating".
	Substatus     string         `json:"substatus,omitempty"`
	StatusDetails *StatusDetails `json:"statusDetails,omitempty"`
	// AssignedTo assigns the issue: "user:<id>", "team:<id>", a username or an email. A pointer
	// to "" unassigns it (believed to work; not confirmed by Sentry's documentation).
	AssignedTo *string `json:"assignedTo,omitempty"`
	// Priority is low, medium or high.
	Priority string `json:"priority,omitempty"`
	HasSeen  *bool  `json:"hasSeen,omitempty"`
}

// StatusDetails says in what a resolution takes effect, or for how long an issue is ignored.
type StatusDetails struct {
	InNextRelease bool       `json:"inNextRelease,omitempty"`
	InRelease     string     `json:"inRelease,omitempty"`
	InCommit      *CommitRef `json:"inCommit,omitempty"`
	// IgnoreDuration is in minutes; the windows too.
	IgnoreDuration   int `json:"ignoreDuration,omitempty"`
	IgnoreCount      int `json:"ignoreCount,omitempty"`
	IgnoreWindow     int `json:"ignoreWindow,omitempty"`
	IgnoreUserCount  int `json:"ignoreUserCount,omitempty"`
	IgnoreUserWindow int `json:"ignoreUserWindow,omitempty"`
}

// CommitRef names a commit in a repository known to Sentry.
type CommitRef struct {
	Commit     string `json:"commit"`
	Repository string `json:"repository"`
}

// UpdateIssue changes an issue's status, assignment or priority and returns the issue (the
// fields common to every serialization: Sentry's answer has no stats or counts by scope).
func (c *Client) UpdateIssue(ctx context.Context, org, issueID string, u IssueUpdate) (*IssueFields, error) {
	if u == (IssueUpdate{}) {
		return nil, errors.New("sentryapi: update issue: nothing to change")
	}
	cl := &call{
		op: "update issue", method: http.MethodPut,
		path: []string{"organizations", org, "issues", issueID},
		body: u, scope: scopeEventWrite, notFound: issueNotFound(org, issueID),
		absentIsData: true,
	}
	is := new(IssueFields)
	if _, _, err := c.do(ctx, cl, is); err != nil {
		return nil, err
	}
	return is, nil
}

// EventSelector picks an event of an issue: one of the constants, or a 32-hex event ID.
type EventSelector string

const (
	// LatestEvent is the issue's most recent event.
	LatestEvent EventSelector = "latest"
	// OldestEvent is the issue's first event.
	OldestEvent EventSelector = "oldest"
	// RecommendedEvent is the event Sentry shows first: recent, with a stack trace, replay or
	// trace where possible.
	RecommendedEvent EventSelector = "recommended"
)

// IssueEvent returns one event of an issue; environments (optional) restrict the choice.
func (c *Client) IssueEvent(ctx context.Context, org, issueID string, which EventSelector, environments ...string) (*Event, error) {
	if which == "" {
		which = LatestEvent
	}
	q := url.Values{}
	addAll(q, "environment", environments)
	cl := &call{
		op: fmt.Sprintf("get %s event of issue", which), method: http.MethodGet,
		path:  []string{"organizations", org, "issues", issueID, "events", string(which)},
		query: q, scope: scopeEventRead,
		notFound:     issueNotFound(org, issueID) + " (and has events in the environments asked for)",
		absentIsData: true,
	}
	ev := new(Event)
	if _, _, err := c.do(ctx, cl, ev); err != nil {
		return nil, err
	}
	return ev, nil
}

// TagDetails summarizes one tag of an issue, with its most common values.
type TagDetails struct {
	Key          string     `json:"key"`
	Name         string     `json:"name"`
	UniqueValues int64      `json:"uniqueValues"`
	TotalValues  int64      `json:"totalValues"`
	TopValues    []TagValue `json:"topValues"`
}

// TagValue is one value of a tag and how often it was seen. The values of the user tag are
// encoded identifiers such as "id:42", "email:a@b.c" or "ip:10.0.0.1".
type TagValue struct {
	Key       string     `json:"key"`
	Name      string     `json:"name"`
	Value     string     `json:"value"`
	Count     int64      `json:"count"`
	FirstSeen *time.Time `json:"firstSeen"`
	LastSeen  *time.Time `json:"lastSeen"`
}

// GetIssueTag returns the distribution summary of one tag of an issue.
func (c *Client) GetIssueTag(ctx context.Context, org, issueID, key string, environments ...string) (*TagDetails, error) {
	q := url.Values{}
	addAll(q, "environment", environments)
	cl := &call{
		op: "get issue tag", method: http.MethodGet,
		path:  []string{"organizations", org, "issues", issueID, "tags", key},
		query: q, scope: scopeEventRead,
		notFound:     issueNotFound(org, issueID) + fmt.Sprintf(" and that its events carry the tag %q", key),
		absentIsData: true,
	}
	td := new(TagDetails)
	if _, _, err := c.do(ctx, cl, td); err != nil {
		return nil, err
	}
	return td, nil
}

// TagValuesQuery orders and filters ListIssueTagValues.
type TagValuesQuery struct {
	// Sort is age, count, date or id; Sentry also takes a "-" prefix for descending order
	// ("-count", the most common values first), which its published description omits.
	Sort         string
	Environments []string
}

// ListIssueTagValues lists the values of one tag of an issue (Sentry stops at 1000), a page at
// a time.
func (c *Client) ListIssueTagValues(ctx context.Context, org, issueID, key string, tq TagValuesQuery, fn func([]TagValue) error) error {
	q := url.Values{}
	if tq.Sort != "" {
		q.Set("sort", tq.Sort)
	}
	addAll(q, "environment", tq.Environments)
	return list(ctx, c, &call{
		op: "list issue tag values", method: http.MethodGet,
		path:  []string{"organizations", org, "issues", issueID, "tags", key, "values"},
		query: q, scope: scopeEventRead,
		notFound:     issueNotFound(org, issueID) + fmt.Sprintf(" and that its events carry the tag %q", key),
		absentIsData: true,
	}, fn)
}

// ShortIDLookup is the answer to ResolveShortID.
type ShortIDLookup struct {
	OrganizationSlug string      `json:"organizationSlug"`
	ProjectSlug      string      `json:"projectSlug"`
	GroupID          ID          `json:"groupId"`
	ShortID          string      `json:"shortId"`
	Group            IssueFields `json:"group"`
}

// ResolveShortID finds the issue of a short ID such as "WEB-1A2".
func (c *Client) ResolveShortID(ctx context.Context, org, shortID string) (*ShortIDLookup, error) {
	cl := &call{
		op: "resolve short ID", method: http.MethodGet,
		path:     []string{"organizations", org, "shortids", shortID},
		scope:    scopeEventRead,
		notFound: fmt.Sprintf("check the organization slug %q and the short ID %q", org, shortID),
	}
	r := new(ShortIDLookup)
	if _, _, err := c.do(ctx, cl, r); err != nil {
		return nil, err
	}
	return r, nil
}

// ExternalIssue is a link from a Sentry issue to an issue in another system, made by a Sentry
// integration.
type ExternalIssue struct {
	ID          ID     `json:"id"`
	IssueID     ID     `json:"issueId"`
	ServiceType string `json:"serviceType"`
	DisplayName string `json:"displayName"`
	WebURL      string `json:"webUrl"`
}

// ExternalIssueLink is the body of LinkExternalIssue.
type ExternalIssueLink struct {
	// IssueID is the Sentry issue's numeric ID.
	IssueID int64 `json:"issueId"`
	// WebURL is the external issue's page.
	WebURL string `json:"webUrl"`
	// Project and Identifier name the external issue (e.g. a Jira project key and issue key);
	// Sentry shows them as "Project#Identifier".
	Project    string `json:"project"`
	Identifier string `json:"identifier"`
}

// ListIssueExternalIssues lists the external issues linked to an issue by Sentry integrations.
func (c *Client) ListIssueExternalIssues(ctx context.Context, org, issueID string) ([]ExternalIssue, error) {
	return collect[ExternalIssue](ctx, c, &call{
		op: "list external issues", method: http.MethodGet,
		path:  []string{"organizations", org, "issues", issueID, "external-issues"},
		scope: scopeEventRead, notFound: issueNotFound(org, issueID),
		absentIsData: true,
	})
}

// LinkExternalIssue creates or updates the link from a Sentry issue to an external issue, as the
// Sentry integration installed with installationUUID (each webhook carries it). Sentry keeps one
// link per issue and integration, so repeating the call is harmless and it is retried like a PUT.
func (c *Client) LinkExternalIssue(ctx context.Context, installationUUID string, l ExternalIssueLink) (*ExternalIssue, error) {
	switch {
	case l.IssueID <= 0:
		return nil, errors.New("sentryapi: link external issue: IssueID is not set")
	case l.WebURL == "" || l.Project == "" || l.Identifier == "":
		return nil, errors.New("sentryapi: link external issue: WebURL, Project and Identifier are all required")
	}
	cl := &call{
		op: "link external issue", method: http.MethodPost,
		path: []string{"sentry-app-installations", installationUUID, "external-issues"},
		body: l, scope: scopeEventWrite, retrySafe: true,
		grantsAlso:   []string{}, // the installation's permission class takes event:write alone
		notFound:     fmt.Sprintf("check the integration installation %q (is it still installed?) and issue %d", installationUUID, l.IssueID),
		absentIsData: true,
	}
	ei := new(ExternalIssue)
	if _, _, err := c.do(ctx, cl, ei); err != nil {
		return nil, err
	}
	return ei, nil
}

// UnlinkExternalIssue removes a link made by LinkExternalIssue (by the ExternalIssue's ID).
func (c *Client) UnlinkExternalIssue(ctx context.Context, installationUUID, externalIssueID string) error {
	_, _, err := c.do(ctx, &call{
		op: "unlink external issue", method: http.MethodDelete,
		path:         []string{"sentry-app-installations", installationUUID, "external-issues", externalIssueID},
		scope:        scopeEventAdmin,
		notFound:     fmt.Sprintf("check the integration installation %q and the external issue %s (already unlinked?)", installationUUID, externalIssueID),
		absentIsData: true,
	}, nil)
	return err
}
