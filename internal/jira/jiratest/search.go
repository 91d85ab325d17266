package jiratest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SearchLag makes search eventually consistent, as Jira Cloud's is: a new issue is found only
// once Searches searches have run since it was created and Delay has passed (both, when both
// are set), unless the search's reconcileIssues names it. The zero value finds issues at once.
type SearchLag struct {
	Searches int
	Delay    time.Duration
}

// SetSearchLag sets the lag for the searches from now on.
func (s *Server) SetSearchLag(l SearchLag) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lag = l
}

// visible says whether a search sees the issue; under s.mu.
func (s *Server) visible(is *Issue, reconcile []int64) bool {
	id, _ := strconv.ParseInt(is.ID, 10, 64)
	if slices.Contains(reconcile, id) {
		return true
	}
	return is.searches >= s.lag.Searches && s.now().Sub(is.Created) >= s.lag.Delay
}

// clause is one condition of the JQL subset the fake understands.
type clause struct{ field, op, value string }

var (
	jqlClause  = regexp.MustCompile(`^\s*(project|labels|key|status|issuetype|summary)\s*(=|!=|~)\s*("(?:[^"\\]|\\.)*"|[^\s"]+)\s*$`)
	jqlOrderBy = regexp.MustCompile(`(?i)\s+ORDER\s+BY\s+.*$`)
	jqlAnd     = regexp.MustCompile(`(?i)\s+AND\s+`)
)

// parseJQL reads "clause AND clause … [ORDER BY …]", where a clause is a field of project,
// labels, key, status, issuetype or summary, then =, != or ~, then a value. Anything else is
// refused as Jira refuses a query it cannot parse, naming what the fake lacks.
func parseJQL(q string) ([]clause, error) {
	q = jqlOrderBy.ReplaceAllString(strings.TrimSpace(q), "")
	if q == "" {
		return nil, fmt.Errorf("unbounded JQL queries are not allowed here; add a search restriction")
	}
	var out []clause
	for _, part := range jqlAnd.Split(q, -1) {
		m := jqlClause.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("the fake Jira cannot parse %q (it knows field = value clauses joined by AND)", strings.TrimSpace(part))
		}
		v := m[3]
		if strings.HasPrefix(v, `"`) {
			v, _ = strconv.Unquote(v)
		}
		out = append(out, clause{field: strings.ToLower(m[1]), op: m[2], value: v})
	}
	return out, nil
}

func (cl clause) match(is *Issue) bool {
	var vals []string
	switch cl.field {
	case "project":
		vals = []string{is.Project}
	case "labels":
		vals = is.Labels
	case "key":
		vals = []string{is.Key}
	case "status":
		vals = []string{is.Status}
	case "issuetype":
		vals = []string{is.IssueType}
	case "summary":
		vals = []string{is.Summary}
	}
	if cl.op == "~" {
		return slices.ContainsFunc(vals, func(v string) bool { return strings.Contains(strings.ToLower(v), strings.ToLower(cl.value)) })
	}
	has := slices.ContainsFunc(vals, func(v string) bool { return strings.EqualFold(v, cl.value) })
	return has == (cl.op == "=")
}

// matching runs a search: every issue counts it, then those visible and matching are returned.
func (c *call) matching(jql string, reconcile []int64) ([]*Issue, bool) {
	clauses, err := parseJQL(jql)
	if err != nil {
		c.errors(http.StatusBadRequest, []string{err.Error()}, nil)
		return nil, false
	}
	var out []*Issue
	for _, is := range c.s.issues {
		ok := c.s.visible(is, reconcile)
		is.searches++
		for _, cl := range clauses {
			ok = ok && cl.match(is)
		}
		if ok {
			out = append(out, is)
		}
	}
	return out, true
}

// searchJQL is Cloud's /rest/api/3/search/jql, which the vendored description predates: its
// request is checked here, its issues against IssueBean.
func (c *call) searchJQL() {
	var req struct {
		JQL             *string  `json:"jql"`
		NextPageToken   *string  `json:"nextPageToken"`
		MaxResults      *int     `json:"maxResults"`
		Fields          []string `json:"fields"`
		Expand          *string  `json:"expand"`
		Properties      []string `json:"properties"`
		FieldsByKeys    *bool    `json:"fieldsByKeys"`
		FailFast        *bool    `json:"failFast"`
		ReconcileIssues []int64  `json:"reconcileIssues"`
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		c.invalid("the body is not a search/jql request: " + err.Error())
		return
	}
	switch {
	case req.JQL == nil:
		c.invalid("jql is required")
		return
	case req.MaxResults != nil && (*req.MaxResults < 1 || *req.MaxResults > 5000):
		c.invalid("maxResults must be 1 to 5000")
		return
	case len(req.ReconcileIssues) > 50:
		c.invalid("reconcileIssues takes at most 50 issue IDs")
		return
	}
	found, ok := c.matching(*req.JQL, req.ReconcileIssues)
	if !ok {
		return
	}
	start := 0
	if req.NextPageToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*req.NextPageToken)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
		if err != nil || err2 != nil || n < 0 {
			c.errors(http.StatusBadRequest, []string{"The provided next page token is invalid or expired."}, nil)
			return
		}
		start = n
	}
	size := 50
	if req.MaxResults != nil {
		size = *req.MaxResults
	}
	fields := req.Fields
	if len(fields) == 0 {
		fields = []string{"id"} // the new search returns only IDs unless fields are named
	}
	page := found[min(start, len(found)):min(start+size, len(found))]
	issues := []map[string]any{}
	for _, is := range page {
		j := c.issueJSON(is, fields)
		if err := c.s.spec.checkValue("IssueBean", roundTrip(j)); err != nil {
			c.s.invalid = append(c.s.invalid, "the fake's search/jql issue does not match IssueBean: "+err.Error())
		}
		issues = append(issues, j)
	}
	res := map[string]any{"issues": issues, "isLast": start+size >= len(found)}
	if start+size < len(found) {
		res["nextPageToken"] = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(start+size)))
	}
	c.json(http.StatusOK, res)
}

// searchDC is Data Center's /rest/api/2/search, offset paging with a total.
func (c *call) searchDC() {
	var req struct {
		JQL        string   `json:"jql"`
		StartAt    int      `json:"startAt"`
		MaxResults *int     `json:"maxResults"`
		Fields     []string `json:"fields"`
	}
	if !c.decode(&req) {
		return
	}
	found, ok := c.matching(req.JQL, nil)
	if !ok {
		return
	}
	size := 50
	if req.MaxResults != nil {
		size = max(*req.MaxResults, 0)
	}
	start := max(req.StartAt, 0)
	issues := []map[string]any{}
	for _, is := range found[min(start, len(found)):min(start+size, len(found))] {
		issues = append(issues, c.issueJSON(is, req.Fields))
	}
	c.json(http.StatusOK, map[string]any{"startAt": start, "maxResults": size, "total": len(found), "issues": issues})
}

// roundTrip turns a value into what decoding its JSON gives, for schema checks.
func roundTrip(v any) any {
	raw, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(raw, &out)
	return out
}
