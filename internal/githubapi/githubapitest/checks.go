package githubapitest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// CheckRun is a check run as the server keeps it.
type CheckRun struct {
	ID                     int64
	Owner, Repo            string
	Installation           int64
	Name, HeadSHA          string
	Status, Conclusion     string
	DetailsURL, ExternalID string
	Title, Summary, Text   string
	StartedAt, CompletedAt time.Time
	// Updates counts the PATCHes it received.
	Updates int
}

// CheckRuns returns the check runs, in order of creation.
func (s *Server) CheckRuns() []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CheckRun, len(s.checkRuns))
	for i, r := range s.checkRuns {
		out[i] = *r
	}
	return out
}

// maxOutputText is the longest check run summary or text GitHub takes.
const maxOutputText = 65535

type checkRunBody struct {
	Name        *string `json:"name"`
	HeadSHA     string  `json:"head_sha"`
	Status      *string `json:"status"`
	Conclusion  *string `json:"conclusion"`
	DetailsURL  *string `json:"details_url"`
	ExternalID  *string `json:"external_id"`
	StartedAt   *string `json:"started_at"`
	CompletedAt *string `json:"completed_at"`
	Output      *struct {
		Title   string  `json:"title"`
		Summary string  `json:"summary"`
		Text    *string `json:"text"`
	} `json:"output"`
}

// apply sets what b says on r, or answers 422 as GitHub does.
func (c *call) apply(r *CheckRun, b *checkRunBody) bool {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&r.Name, b.Name)
	set(&r.Status, b.Status)
	set(&r.Conclusion, b.Conclusion)
	set(&r.DetailsURL, b.DetailsURL)
	set(&r.ExternalID, b.ExternalID)
	if b.Conclusion != nil {
		r.Status = "completed"
	}
	for _, ts := range []struct {
		v   *string
		dst *time.Time
	}{{b.StartedAt, &r.StartedAt}, {b.CompletedAt, &r.CompletedAt}} {
		if ts.v != nil {
			t, err := time.Parse(time.RFC3339, *ts.v)
			if err != nil {
				c.validation("Invalid time: " + *ts.v)
				return false
			}
			*ts.dst = t
		}
	}
	if r.Status == "completed" && r.Conclusion == "" {
		c.validation("Conclusion can't be blank when status is completed")
		return false
	}
	if r.Status == "completed" && r.CompletedAt.IsZero() {
		r.CompletedAt = time.Now().UTC().Truncate(time.Second)
	}
	if o := b.Output; o != nil {
		if utf8.RuneCountInString(o.Summary) > maxOutputText || o.Text != nil && utf8.RuneCountInString(*o.Text) > maxOutputText {
			c.validation(fmt.Sprintf("Output summary and text are limited to %d characters", maxOutputText))
			return false
		}
		r.Title, r.Summary = o.Title, o.Summary
		if o.Text != nil {
			r.Text = *o.Text
		}
	}
	return true
}

func (c *call) checkRunJSON(r *CheckRun) map[string]any {
	base := fmt.Sprintf("%s/repos/%s/%s", c.baseURL(), r.Owner, r.Repo)
	nullable := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	nullTime := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		return t.UTC().Format(time.RFC3339)
	}
	return map[string]any{
		"id": r.ID, "node_id": fmt.Sprintf("CR_%d", r.ID), "head_sha": r.HeadSHA, "name": r.Name,
		"url": fmt.Sprintf("%s/check-runs/%d", base, r.ID), "html_url": fmt.Sprintf("https://github.com/%s/%s/runs/%d", r.Owner, r.Repo, r.ID),
		"details_url": nullable(r.DetailsURL), "external_id": nullable(r.ExternalID), "status": r.Status, "conclusion": nullable(r.Conclusion),
		"started_at": nullTime(r.StartedAt), "completed_at": nullTime(r.CompletedAt),
		"output": map[string]any{
			"title": nullable(r.Title), "summary": nullable(r.Summary), "text": nullable(r.Text),
			"annotations_count": 0, "annotations_url": fmt.Sprintf("%s/check-runs/%d/annotations", base, r.ID),
		},
		"check_suite": map[string]any{"id": r.ID + 1}, "app": c.integration(), "pull_requests": []any{},
	}
}

func (s *Server) createCheckRun(c *call) {
	var b checkRunBody
	if !c.decode(&b) {
		return
	}
	if b.Name == nil || *b.Name == "" || b.HeadSHA == "" {
		c.validation("name and head_sha are required")
		return
	}
	r := &CheckRun{
		ID: s.newID(), Owner: c.param("owner"), Repo: c.param("repo"), Installation: c.inst.ID, HeadSHA: b.HeadSHA,
		Status: "queued", StartedAt: time.Now().UTC().Truncate(time.Second),
	}
	if !c.apply(r, &b) {
		return
	}
	s.checkRuns = append(s.checkRuns, r)
	c.json(http.StatusCreated, c.checkRunJSON(r))
}

func (s *Server) findCheckRun(c *call) *CheckRun {
	id, ok := c.intParam("check_run_id")
	if !ok {
		return nil
	}
	for _, r := range s.checkRuns {
		if r.ID == id && strings.EqualFold(r.Owner, c.param("owner")) && strings.EqualFold(r.Repo, c.param("repo")) {
			return r
		}
	}
	c.notFound()
	return nil
}

func (s *Server) updateCheckRun(c *call) {
	r := s.findCheckRun(c)
	if r == nil {
		return
	}
	var b checkRunBody
	if !c.decode(&b) {
		return
	}
	next := *r
	if !c.apply(&next, &b) {
		return
	}
	next.Updates++
	*r = next
	c.json(http.StatusOK, c.checkRunJSON(r))
}

// listCheckRunsForRef lists a commit's check runs (the ref must be a SHA here), filtered by
// check_name, in one page.
func (s *Server) listCheckRunsForRef(c *call) {
	name := c.r.URL.Query().Get("check_name")
	runs := []map[string]any{}
	for _, r := range s.checkRuns {
		if r.HeadSHA == c.param("ref") && strings.EqualFold(r.Owner, c.param("owner")) && strings.EqualFold(r.Repo, c.param("repo")) &&
			(name == "" || r.Name == name) {
			runs = append(runs, c.checkRunJSON(r))
		}
	}
	c.json(http.StatusOK, map[string]any{"total_count": len(runs), "check_runs": runs})
}

func (s *Server) getCheckRun(c *call) {
	if r := s.findCheckRun(c); r != nil {
		c.json(http.StatusOK, c.checkRunJSON(r))
	}
}

// Comment is an issue or pull request comment.
type Comment struct {
	ID          int64
	Owner, Repo string
	Issue       int
	// Author is the login: "<slug>[bot]" for the App's comments, or as AddComment says.
	Author    string
	Body      string
	Created   time.Time
	Updated   time.Time
	Revisions int
}

// Comments returns the comments, in order of creation.
func (s *Server) Comments() []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Comment, len(s.comments))
	for i, c := range s.comments {
		out[i] = *c
	}
	return out
}

// AddComment adds a comment by someone else (a person, another bot) to an issue or PR.
func (s *Server) AddComment(owner, repo string, issue int, author, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now().UTC().Truncate(time.Second)
	cm := &Comment{ID: s.newID(), Owner: owner, Repo: repo, Issue: issue, Author: author, Body: body, Created: now, Updated: now}
	s.comments = append(s.comments, cm)
	return cm.ID
}

func (c *call) commentJSON(cm *Comment) map[string]any {
	base := fmt.Sprintf("%s/repos/%s/%s", c.baseURL(), cm.Owner, cm.Repo)
	typ := "User"
	if strings.HasSuffix(cm.Author, "[bot]") {
		typ = "Bot"
	}
	return map[string]any{
		"id": cm.ID, "node_id": fmt.Sprintf("IC_%d", cm.ID), "url": fmt.Sprintf("%s/issues/comments/%d", base, cm.ID), "body": cm.Body,
		"html_url":  fmt.Sprintf("https://github.com/%s/%s/pull/%d#issuecomment-%d", cm.Owner, cm.Repo, cm.Issue, cm.ID),
		"issue_url": fmt.Sprintf("%s/issues/%d", base, cm.Issue), "user": simpleUser(c.baseURL(), cm.Author, int64(len(cm.Author))+7, typ),
		"created_at": cm.Created.Format(time.RFC3339), "updated_at": cm.Updated.Format(time.RFC3339), "author_association": "NONE",
	}
}

// maxCommentBody is the longest comment body GitHub takes.
const maxCommentBody = 65536

func (s *Server) listComments(c *call) {
	issue, err := strconv.Atoi(c.param("issue_number"))
	if err != nil {
		c.notFound()
		return
	}
	var all []*Comment
	for _, cm := range s.comments {
		if cm.Issue == issue && strings.EqualFold(cm.Owner, c.param("owner")) && strings.EqualFold(cm.Repo, c.param("repo")) {
			all = append(all, cm)
		}
	}
	lo, hi := c.page(len(all))
	out := make([]map[string]any, 0, hi-lo)
	for _, cm := range all[lo:hi] {
		out = append(out, c.commentJSON(cm))
	}
	c.json(http.StatusOK, out)
}

func (s *Server) createComment(c *call) {
	issue, err := strconv.Atoi(c.param("issue_number"))
	if err != nil {
		c.notFound()
		return
	}
	var b struct {
		Body string `json:"body"`
	}
	if !c.decode(&b) {
		return
	}
	if utf8.RuneCountInString(b.Body) > maxCommentBody {
		c.validation(fmt.Sprintf("Body is too long (maximum is %d characters)", maxCommentBody))
		return
	}
	now := time.Now().UTC().Truncate(time.Second)
	cm := &Comment{ID: s.newID(), Owner: c.param("owner"), Repo: c.param("repo"), Issue: issue, Author: s.opts.AppSlug + "[bot]", Body: b.Body, Created: now, Updated: now}
	s.comments = append(s.comments, cm)
	c.json(http.StatusCreated, c.commentJSON(cm))
}

func (s *Server) updateComment(c *call) {
	id, ok := c.intParam("comment_id")
	if !ok {
		return
	}
	var b struct {
		Body string `json:"body"`
	}
	if !c.decode(&b) {
		return
	}
	for _, cm := range s.comments {
		if cm.ID == id && strings.EqualFold(cm.Owner, c.param("owner")) && strings.EqualFold(cm.Repo, c.param("repo")) {
			if cm.Author != s.opts.AppSlug+"[bot]" {
				c.message(http.StatusForbidden, "Resource not accessible by integration")
				return
			}
			if utf8.RuneCountInString(b.Body) > maxCommentBody {
				c.validation(fmt.Sprintf("Body is too long (maximum is %d characters)", maxCommentBody))
				return
			}
			cm.Body, cm.Updated = b.Body, time.Now().UTC().Truncate(time.Second)
			cm.Revisions++
			c.json(http.StatusOK, c.commentJSON(cm))
			return
		}
	}
	c.notFound()
}
