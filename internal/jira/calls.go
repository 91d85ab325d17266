package jira

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/richtext"
)

// NewIssue is an issue to create.
type NewIssue struct {
	// Project is the project's key ("OPS"); IssueType the type's name ("Bug").
	Project, IssueType string
	Summary            string
	Description        richtext.Doc
	Labels             []string
	// Components and Priority are names; empty: not set.
	Components []string
	Priority   string
	// Fields are further fields by ID ("customfield_10050"), sent as given.
	Fields map[string]any
}

// IssueRef names an issue: its ID, key and API URL.
type IssueRef struct {
	ID   string `json:"id"`
	Key  string `json:"key"`
	Self string `json:"self"`
}

// CreateIssue creates an issue. It is not retried after a server error (the issue may exist by
// then); a rate limit is retried, since Jira did nothing.
func (c *Client) CreateIssue(ctx context.Context, in NewIssue) (IssueRef, error) {
	if in.Project == "" || in.IssueType == "" || strings.TrimSpace(in.Summary) == "" {
		return IssueRef{}, errkind.Errorf(errkind.Config, "jira: creating an issue needs a project, an issue type and a summary")
	}
	fields := map[string]any{}
	for k, v := range in.Fields {
		fields[k] = v
	}
	fields["project"] = map[string]string{"key": in.Project}
	fields["issuetype"] = map[string]string{"name": in.IssueType}
	fields["summary"] = summaryLine(in.Summary)
	fields["description"] = c.text(in.Description)
	if len(in.Labels) > 0 {
		fields["labels"] = in.Labels
	}
	if len(in.Components) > 0 {
		comps := make([]map[string]string, len(in.Components))
		for i, n := range in.Components {
			comps[i] = map[string]string{"name": n}
		}
		fields["components"] = comps
	}
	if in.Priority != "" {
		fields["priority"] = map[string]string{"name": in.Priority}
	}
	var out IssueRef
	err := c.do(ctx, call{method: http.MethodPost, rel: c.api() + "issue", body: map[string]any{"fields": fields}}, &out)
	if err != nil {
		return IssueRef{}, fmt.Errorf("creating a %s in Jira project %s: %w", in.IssueType, in.Project, err)
	}
	if out.Key == "" || out.ID == "" {
		return IssueRef{}, &ResponseError{Method: http.MethodPost, Path: c.api() + "issue", Status: http.StatusCreated, Err: errors.New("no id or key in the answer")}
	}
	return out, nil
}

// maxSummary is Jira's limit on a summary's length.
const maxSummary = 255

// summaryLine makes a summary Jira accepts: one line, at most 255 characters.
func summaryLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > maxSummary {
		s = string(r[:maxSummary-1]) + "…"
	}
	return s
}

// text is a document as the flavour's text fields take it.
func (c *Client) text(d richtext.Doc) any {
	if c.flavor == Cloud {
		return ADF(d)
	}
	return Wiki(d)
}

// Issue is what the bot reads of an issue.
type Issue struct {
	ID, Key string
	Summary string
	// Status is the status's name; StatusCategory its category's key ("new",
	// "indeterminate", "done").
	Status, StatusCategory string
	Labels                 []string
	// Assignee is the account ID (Cloud) or user name (Data Center); empty: unassigned.
	Assignee string
}

// issueFields are the fields the client asks for.
var issueFields = []string{"summary", "status", "labels", "assignee"}

type issueJSON struct {
	ID     string `json:"id"`
	Key    string `json:"key"`
	Fields struct {
		Summary string `json:"summary"`
		Status  *struct {
			Name           string `json:"name"`
			StatusCategory *struct {
				Key string `json:"key"`
			} `json:"statusCategory"`
		} `json:"status"`
		Labels   []string `json:"labels"`
		Assignee *struct {
			AccountID string `json:"accountId"`
			Name      string `json:"name"`
		} `json:"assignee"`
	} `json:"fields"`
}

func (j issueJSON) issue() Issue {
	is := Issue{ID: j.ID, Key: j.Key, Summary: j.Fields.Summary, Labels: j.Fields.Labels}
	if s := j.Fields.Status; s != nil {
		is.Status = s.Name
		if s.StatusCategory != nil {
			is.StatusCategory = s.StatusCategory.Key
		}
	}
	if a := j.Fields.Assignee; a != nil {
		is.Assignee = a.AccountID
		if is.Assignee == "" {
			is.Assignee = a.Name
		}
	}
	return is
}

// GetIssue reads an issue by key or ID; a missing one is an error matching ErrNotFound.
func (c *Client) GetIssue(ctx context.Context, keyOrID string) (Issue, error) {
	var out issueJSON
	q := url.Values{"fields": {strings.Join(issueFields, ",")}}
	if err := c.do(ctx, call{method: http.MethodGet, rel: c.issuePath(keyOrID, ""), query: q}, &out); err != nil {
		return Issue{}, fmt.Errorf("reading Jira issue %s: %w", keyOrID, err)
	}
	if out.ID == "" || out.Key == "" {
		return Issue{}, &ResponseError{Method: http.MethodGet, Path: c.issuePath(keyOrID, ""), Status: http.StatusOK, Err: errors.New("no id or key in the answer")}
	}
	return out.issue(), nil
}

func (c *Client) issuePath(keyOrID, sub string) string {
	p := c.api() + "issue/" + url.PathEscape(keyOrID)
	if sub != "" {
		p += "/" + sub
	}
	return p
}

// AddComment adds a comment to an issue and returns its ID. It is not retried after a server
// error (the comment may exist by then).
func (c *Client) AddComment(ctx context.Context, keyOrID string, body richtext.Doc) (string, error) {
	var out struct {
		ID string `json:"id"`
	}
	err := c.do(ctx, call{method: http.MethodPost, rel: c.issuePath(keyOrID, "comment"), body: map[string]any{"body": c.text(body)}}, &out)
	if err != nil {
		return "", fmt.Errorf("commenting on Jira issue %s: %w", keyOrID, err)
	}
	return out.ID, nil
}

// RemoteLink is a link from an issue to something outside Jira (a Sentry issue, a pull
// request). Jira finds an existing link by GlobalID and replaces it whole, so every field is
// sent each time.
type RemoteLink struct {
	// GlobalID identifies the linked thing across calls (at most 255 characters), e.g.
	// "system=https://github.com/acme/web&id=pr-42".
	GlobalID string
	// Application groups links in Jira's panel ("com.github" / "GitHub").
	AppType, AppName string
	// Relationship labels the link ("caused by", "Sentry issue").
	Relationship string
	URL, Title   string
	Summary      string
	// IconURL is a 16×16 icon; IconTitle its tooltip.
	IconURL, IconTitle string
	// Resolved shows the link struck through (a merged pull request, a resolved issue).
	Resolved bool
}

// maxGlobalID is Jira's limit on a remote link's globalId.
const maxGlobalID = 255

// UpsertRemoteLink creates the remote link, or replaces the one with its GlobalID, and returns
// the link's ID. It is safe to retry: the same GlobalID lands on the same link.
func (c *Client) UpsertRemoteLink(ctx context.Context, keyOrID string, l RemoteLink) (int64, error) {
	switch {
	case l.GlobalID == "":
		return 0, errkind.Errorf(errkind.Config, "jira: a remote link needs a globalId, or repeating it would add a second link")
	case len(l.GlobalID) > maxGlobalID:
		return 0, errkind.Errorf(errkind.Config, "jira: the remote link's globalId is %d characters; Jira takes at most %d", len(l.GlobalID), maxGlobalID)
	case l.URL == "" || l.Title == "":
		return 0, errkind.Errorf(errkind.Config, "jira: a remote link needs a URL and a title")
	}
	obj := map[string]any{"url": l.URL, "title": l.Title, "summary": l.Summary,
		"status": map[string]any{"resolved": l.Resolved}}
	if l.IconURL != "" {
		obj["icon"] = map[string]string{"url16x16": l.IconURL, "title": l.IconTitle}
	}
	body := map[string]any{"globalId": l.GlobalID, "object": obj}
	if l.AppType != "" || l.AppName != "" {
		body["application"] = map[string]string{"type": l.AppType, "name": l.AppName}
	}
	if l.Relationship != "" {
		body["relationship"] = l.Relationship
	}
	var out struct {
		ID int64 `json:"id"`
	}
	if err := c.do(ctx, call{method: http.MethodPost, rel: c.issuePath(keyOrID, "remotelink"), body: body, retrySafe: true}, &out); err != nil {
		return 0, fmt.Errorf("linking Jira issue %s to %s: %w", keyOrID, l.URL, err)
	}
	return out.ID, nil
}

// Assign sets the issue's assignee: an account ID on Cloud, a user name on Data Center; ""
// unassigns it.
func (c *Client) Assign(ctx context.Context, keyOrID, user string) error {
	var body map[string]any
	switch c.flavor {
	case Cloud:
		body = map[string]any{"accountId": nullable(user)}
	default:
		body = map[string]any{"name": nullable(user)}
	}
	if err := c.do(ctx, call{method: http.MethodPut, rel: c.issuePath(keyOrID, "assignee"), body: body}, nil); err != nil {
		return fmt.Errorf("assigning Jira issue %s to %q: %w", keyOrID, user, err)
	}
	return nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Transition moves the issue through the workflow's transition of that name (or the one
// leading to a status of that name), compared without case. A name the issue does not offer
// now is a *TransitionNotFoundError; an issue already in the status named is left alone.
func (c *Client) Transition(ctx context.Context, keyOrID, name string) error {
	var list struct {
		Transitions []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
			To   *struct {
				Name string `json:"name"`
			} `json:"to"`
		} `json:"transitions"`
	}
	if err := c.do(ctx, call{method: http.MethodGet, rel: c.issuePath(keyOrID, "transitions")}, &list); err != nil {
		return fmt.Errorf("listing the transitions of Jira issue %s: %w", keyOrID, err)
	}
	id := ""
	var names []string
	for _, t := range list.Transitions {
		names = append(names, t.Name)
		if strings.EqualFold(t.Name, name) {
			id = t.ID
			break
		}
	}
	if id == "" {
		for _, t := range list.Transitions {
			if t.To != nil && strings.EqualFold(t.To.Name, name) {
				id = t.ID
				break
			}
		}
	}
	if id == "" {
		is, err := c.GetIssue(ctx, keyOrID)
		if err == nil && strings.EqualFold(is.Status, name) {
			return nil
		}
		return &TransitionNotFoundError{Issue: keyOrID, Name: name, Available: names}
	}
	body := map[string]any{"transition": map[string]string{"id": id}}
	if err := c.do(ctx, call{method: http.MethodPost, rel: c.issuePath(keyOrID, "transitions"), body: body}, nil); err != nil {
		return fmt.Errorf("moving Jira issue %s through %q: %w", keyOrID, name, err)
	}
	return nil
}

// Search is a JQL search.
type Search struct {
	JQL string
	// Reconcile are IDs of issues just created or changed, which Cloud's eventually consistent
	// search then includes if they match (at most 50; Data Center's search has no such lag
	// and ignores them).
	Reconcile []string
	// Limit caps the issues returned (default 1000): a search that matches more is cut short.
	Limit int
	// PageSize is the issues asked for per page (default 100).
	PageSize int
}

// maxReconcile is Jira's limit on reconcileIssues.
const maxReconcile = 50

// Search returns the issues the JQL matches, reading every page up to s.Limit: on Cloud
// through /rest/api/3/search/jql (token paging), on Data Center through /rest/api/2/search.
func (c *Client) Search(ctx context.Context, s Search) ([]Issue, error) {
	if strings.TrimSpace(s.JQL) == "" {
		return nil, errkind.Errorf(errkind.Config, "jira: a search needs a JQL query")
	}
	if len(s.Reconcile) > maxReconcile {
		return nil, errkind.Errorf(errkind.Config, "jira: at most %d issues can be reconciled in one search, not %d", maxReconcile, len(s.Reconcile))
	}
	if s.Limit <= 0 {
		s.Limit = 1000
	}
	if s.PageSize <= 0 {
		s.PageSize = 100
	}
	var out []Issue
	var err error
	if c.flavor == Cloud {
		out, err = c.searchCloud(ctx, s)
	} else {
		out, err = c.searchDC(ctx, s)
	}
	if err != nil {
		return out, fmt.Errorf("searching Jira for %q: %w", s.JQL, err)
	}
	return out, nil
}

func (c *Client) searchCloud(ctx context.Context, s Search) ([]Issue, error) {
	var reconcile []int64
	for _, id := range s.Reconcile {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, errkind.Errorf(errkind.Config, "jira: reconcile takes issue IDs (numbers), not %q", id)
		}
		reconcile = append(reconcile, n)
	}
	var out []Issue
	token := ""
	for page := 0; ; page++ {
		body := map[string]any{"jql": s.JQL, "fields": issueFields, "maxResults": min(s.PageSize, s.Limit-len(out))}
		if token != "" {
			body["nextPageToken"] = token
		}
		if len(reconcile) > 0 {
			body["reconcileIssues"] = reconcile
		}
		var res struct {
			Issues        []issueJSON `json:"issues"`
			NextPageToken *string     `json:"nextPageToken"`
			IsLast        *bool       `json:"isLast"`
		}
		if err := c.do(ctx, call{method: http.MethodPost, rel: "rest/api/3/search/jql", body: body, retrySafe: true}, &res); err != nil {
			return out, err
		}
		for _, j := range res.Issues {
			out = append(out, j.issue())
		}
		last := res.NextPageToken == nil || *res.NextPageToken == "" || (res.IsLast != nil && *res.IsLast)
		if last || len(out) >= s.Limit {
			return out, nil
		}
		if *res.NextPageToken == token || len(res.Issues) == 0 {
			return out, &ResponseError{Method: http.MethodPost, Path: "rest/api/3/search/jql", Status: http.StatusOK,
				Err: fmt.Errorf("page %d repeats its token or is empty without being the last", page+1)}
		}
		token = *res.NextPageToken
	}
}

func (c *Client) searchDC(ctx context.Context, s Search) ([]Issue, error) {
	var out []Issue
	for {
		body := map[string]any{"jql": s.JQL, "fields": issueFields, "startAt": len(out), "maxResults": min(s.PageSize, s.Limit-len(out))}
		var res struct {
			Issues []issueJSON `json:"issues"`
			Total  int         `json:"total"`
		}
		if err := c.do(ctx, call{method: http.MethodPost, rel: "rest/api/2/search", body: body, retrySafe: true}, &res); err != nil {
			return out, err
		}
		for _, j := range res.Issues {
			out = append(out, j.issue())
		}
		if len(res.Issues) == 0 || len(out) >= res.Total || len(out) >= s.Limit {
			return out, nil
		}
	}
}
