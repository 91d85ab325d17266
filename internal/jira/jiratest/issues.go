package jiratest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Project is a project of the fake Jira.
type Project struct {
	ID, Key, Name string
	// IssueTypes are the names of the issue types the project offers (default Bug, Task).
	IssueTypes []string
	// Components are the names of its components.
	Components []string

	issueCount int
}

// User is a user issues can be assigned to: AccountID on Cloud, Name on Data Center.
type User struct {
	AccountID, Name, DisplayName string
}

// Issue is an issue of the fake Jira, as the tests read it.
type Issue struct {
	ID, Key, Project, IssueType, Summary string
	// Description is the field as sent: an ADF object (Cloud) or a wiki-markup string (Data
	// Center), as JSON.
	Description json.RawMessage
	Labels      []string
	Components  []string
	Priority    string
	Status      string
	Assignee    string
	Comments    []Comment
	RemoteLinks []RemoteLink
	Created     time.Time
	// searches counts the searches run since the issue was created, for SearchLag.
	searches int
}

// Comment is a comment of an issue; Body as sent (ADF or string, as JSON).
type Comment struct {
	ID   string
	Body json.RawMessage
}

// RemoteLink is a remote link of an issue; Request is the last body that set it.
type RemoteLink struct {
	ID       int64
	GlobalID string
	URL      string
	Title    string
	Request  json.RawMessage
}

// Priorities are the priorities the fake knows.
var Priorities = []string{"Highest", "High", "Medium", "Low", "Lowest"}

// statuses is the fake's workflow: each status, its category, and the transition into it.
var statuses = []struct{ name, category, statusID, transitionID, transition string }{
	{"To Do", "new", "10000", "11", "To Do"},
	{"In Progress", "indeterminate", "3", "21", "Start Progress"},
	{"Done", "done", "10001", "31", "Done"},
}

// AddProject adds a project (issue types default to Bug and Task).
func (s *Server) AddProject(p Project) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(p.IssueTypes) == 0 {
		p.IssueTypes = []string{"Bug", "Task"}
	}
	if p.ID == "" {
		p.ID = itoa(s.newID())
	}
	if p.Name == "" {
		p.Name = p.Key
	}
	s.projects[p.Key] = &p
}

// AddUser adds a user who can be assigned issues.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := u.AccountID
	if s.opts.DataCenter {
		id = u.Name
	}
	s.users[id] = &u
}

// Issues returns copies of every issue, in the order created.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, len(s.issues))
	for i, is := range s.issues {
		out[i] = is.clone()
	}
	return out
}

// Issue returns a copy of the issue with that key.
func (s *Server) Issue(key string) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is := s.find(key); is != nil {
		return is.clone(), true
	}
	return Issue{}, false
}

func (is *Issue) clone() Issue {
	c := *is
	c.Labels = slices.Clone(is.Labels)
	c.Components = slices.Clone(is.Components)
	c.Comments = slices.Clone(is.Comments)
	c.RemoteLinks = slices.Clone(is.RemoteLinks)
	return c
}

// find returns the issue by key or ID; under s.mu.
func (s *Server) find(keyOrID string) *Issue {
	for _, is := range s.issues {
		if is.Key == keyOrID || is.ID == keyOrID {
			return is
		}
	}
	return nil
}

func (c *call) issue() *Issue {
	is := c.s.find(c.params["issueIdOrKey"])
	if is == nil {
		c.issueNotFound()
	}
	return is
}

func (c *call) createIssue() {
	var req struct {
		Fields map[string]json.RawMessage `json:"fields"`
	}
	if !c.decode(&req) {
		return
	}
	f := req.Fields
	errs := map[string]string{}
	var named struct {
		Key  string `json:"key"`
		Name string `json:"name"`
	}
	var project *Project
	if json.Unmarshal(f["project"], &named) == nil {
		project = c.s.projects[named.Key]
	}
	if project == nil {
		errs["project"] = "valid project is required"
	}
	named.Name = ""
	issueType := ""
	if json.Unmarshal(f["issuetype"], &named) == nil && project != nil && slices.Contains(project.IssueTypes, named.Name) {
		issueType = named.Name
	} else {
		errs["issuetype"] = "Specify a valid issue type"
	}
	var summary string
	if json.Unmarshal(f["summary"], &summary) != nil || strings.TrimSpace(summary) == "" {
		errs["summary"] = "You must specify a summary of the issue."
	} else if strings.Contains(summary, "\n") || len([]rune(summary)) > 255 {
		errs["summary"] = "Summary must be less than 255 characters."
	}
	var labels []string
	if raw, ok := f["labels"]; ok {
		if json.Unmarshal(raw, &labels) != nil {
			errs["labels"] = "labels must be an array of strings"
		}
		for _, l := range labels {
			if strings.ContainsAny(l, " \t") || l == "" {
				errs["labels"] = fmt.Sprintf("The label '%s' contains spaces which is invalid.", l)
			}
		}
	}
	var components []string
	if raw, ok := f["components"]; ok {
		var comps []struct {
			Name string `json:"name"`
		}
		_ = json.Unmarshal(raw, &comps)
		for _, comp := range comps {
			if project == nil || !slices.Contains(project.Components, comp.Name) {
				errs["components"] = fmt.Sprintf("Component name '%s' is not valid", comp.Name)
			}
			components = append(components, comp.Name)
		}
	}
	priority := "Medium"
	if raw, ok := f["priority"]; ok {
		named.Name = ""
		if json.Unmarshal(raw, &named) != nil || !slices.Contains(Priorities, named.Name) {
			errs["priority"] = "Specify the Priority (name) in the string format"
		}
		priority = named.Name
	}
	if raw, ok := f["description"]; ok {
		if err := c.s.checkText("description", raw); err != nil {
			c.invalid(err.Error())
			return
		}
	}
	if len(errs) > 0 {
		c.errors(http.StatusBadRequest, nil, errs)
		return
	}
	id := c.s.newID()
	project.issueCount++
	is := &Issue{
		ID: itoa(id), Key: fmt.Sprintf("%s-%d", project.Key, project.issueCount), Project: project.Key, IssueType: issueType,
		Summary: summary, Description: f["description"], Labels: labels, Components: components, Priority: priority,
		Status: statuses[0].name, Created: c.s.now(),
	}
	c.s.issues = append(c.s.issues, is)
	c.json(http.StatusCreated, map[string]string{"id": is.ID, "key": is.Key, "self": c.issueSelf(is)})
}

func (c *call) issueSelf(is *Issue) string { return c.baseURL() + c.s.api() + "/issue/" + is.ID }

// issueJSON is an issue as Jira answers it, with the fields asked for ("" or "*all": all).
func (c *call) issueJSON(is *Issue, fields []string) map[string]any {
	all := map[string]any{
		"summary":    is.Summary,
		"issuetype":  map[string]any{"name": is.IssueType},
		"project":    map[string]any{"key": is.Project},
		"labels":     nonNil(is.Labels),
		"priority":   map[string]any{"name": is.Priority},
		"created":    is.Created.UTC().Format(jiraTime),
		"assignee":   nil,
		"components": componentsJSON(is.Components),
	}
	if len(is.Description) > 0 {
		all["description"] = is.Description
	} else {
		all["description"] = nil
	}
	for _, st := range statuses {
		if st.name == is.Status {
			all["status"] = map[string]any{"name": st.name, "id": st.statusID, "statusCategory": map[string]any{"key": st.category}}
		}
	}
	if u := c.s.users[is.Assignee]; u != nil {
		if c.s.opts.DataCenter {
			all["assignee"] = map[string]any{"name": u.Name, "displayName": u.DisplayName}
		} else {
			all["assignee"] = map[string]any{"accountId": u.AccountID, "displayName": u.DisplayName}
		}
	}
	// Jira sends unset fields as null, but its description's fields (an empty schema, not
	// nullable) forbid null: the fake leaves them out, which clients must take the same way.
	for k, v := range all {
		if v == nil {
			delete(all, k)
		}
	}
	out := map[string]any{}
	if len(fields) == 0 || slices.Contains(fields, "*all") {
		out = all
	} else {
		for _, f := range fields {
			if v, ok := all[f]; ok {
				out[f] = v
			}
		}
	}
	return map[string]any{"id": is.ID, "key": is.Key, "self": c.issueSelf(is), "fields": out}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func componentsJSON(names []string) []map[string]string {
	out := []map[string]string{}
	for _, n := range names {
		out = append(out, map[string]string{"name": n})
	}
	return out
}

func splitFields(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (c *call) getIssue() {
	if is := c.issue(); is != nil {
		c.json(http.StatusOK, c.issueJSON(is, splitFields(c.r.URL.Query().Get("fields"))))
	}
}

func (c *call) addComment() {
	is := c.issue()
	if is == nil {
		return
	}
	var req struct {
		Body json.RawMessage `json:"body"`
	}
	if !c.decode(&req) {
		return
	}
	if len(req.Body) == 0 {
		c.errors(http.StatusBadRequest, nil, map[string]string{"comment": "Comment body can not be empty!"})
		return
	}
	if err := c.s.checkText("body", req.Body); err != nil {
		c.invalid(err.Error())
		return
	}
	cm := Comment{ID: itoa(c.s.newID()), Body: req.Body}
	is.Comments = append(is.Comments, cm)
	now := c.s.now().UTC().Format(jiraTime)
	c.json(http.StatusCreated, map[string]any{
		"self": c.issueSelf(is) + "/comment/" + cm.ID, "id": cm.ID, "body": req.Body, "created": now, "updated": now,
	})
}

func (c *call) getRemoteLinks() {
	is := c.issue()
	if is == nil {
		return
	}
	want := c.r.URL.Query().Get("globalId")
	out := []json.RawMessage{}
	for _, l := range is.RemoteLinks {
		if want != "" && l.GlobalID != want {
			continue
		}
		var m map[string]any
		_ = json.Unmarshal(l.Request, &m)
		m["id"] = l.ID
		m["self"] = c.issueSelf(is) + "/remotelink/" + itoa(l.ID)
		raw, _ := json.Marshal(m)
		out = append(out, raw)
	}
	c.json(http.StatusOK, out)
}

func (c *call) upsertRemoteLink() {
	is := c.issue()
	if is == nil {
		return
	}
	var req struct {
		GlobalID string `json:"globalId"`
		Object   *struct {
			URL   string `json:"url"`
			Title string `json:"title"`
		} `json:"object"`
	}
	if !c.decode(&req) {
		return
	}
	switch {
	case req.Object == nil || req.Object.URL == "":
		c.errors(http.StatusBadRequest, nil, map[string]string{"url": "'url' is required."})
		return
	case req.Object.Title == "":
		c.errors(http.StatusBadRequest, nil, map[string]string{"title": "'title' is required."})
		return
	case len(req.GlobalID) > 255:
		c.errors(http.StatusBadRequest, nil, map[string]string{"globalId": "'globalId' must be less than 255 characters."})
		return
	}
	link := RemoteLink{GlobalID: req.GlobalID, URL: req.Object.URL, Title: req.Object.Title, Request: json.RawMessage(c.body)}
	status := http.StatusCreated
	if i := slices.IndexFunc(is.RemoteLinks, func(l RemoteLink) bool { return req.GlobalID != "" && l.GlobalID == req.GlobalID }); i >= 0 {
		// Found by globalId: replaced whole (fields left out become null), same ID.
		link.ID = is.RemoteLinks[i].ID
		is.RemoteLinks[i] = link
		status = http.StatusOK
	} else {
		link.ID = c.s.newID()
		is.RemoteLinks = append(is.RemoteLinks, link)
	}
	c.json(status, map[string]any{"id": link.ID, "self": c.issueSelf(is) + "/remotelink/" + itoa(link.ID)})
}

func (c *call) assign() {
	is := c.issue()
	if is == nil {
		return
	}
	var req map[string]json.RawMessage
	if !c.decode(&req) {
		return
	}
	field := "accountId"
	if c.s.opts.DataCenter {
		field = "name"
	}
	raw, ok := req[field]
	if !ok {
		c.invalid(fmt.Sprintf("the assignee must be given by %s on this Jira", field))
		return
	}
	var user *string
	_ = json.Unmarshal(raw, &user)
	if user == nil {
		is.Assignee = ""
		c.noContent()
		return
	}
	if c.s.users[*user] == nil {
		c.errors(http.StatusBadRequest, nil, map[string]string{"assignee": fmt.Sprintf("User '%s' cannot be assigned issues.", *user)})
		return
	}
	is.Assignee = *user
	c.noContent()
}

func (c *call) getTransitions() {
	is := c.issue()
	if is == nil {
		return
	}
	out := []map[string]any{}
	for _, st := range statuses {
		if st.name == is.Status {
			continue
		}
		out = append(out, map[string]any{"id": st.transitionID, "name": st.transition,
			"to": map[string]any{"name": st.name, "id": st.statusID, "statusCategory": map[string]any{"key": st.category}}})
	}
	c.json(http.StatusOK, map[string]any{"transitions": out})
}

func (c *call) doTransition() {
	is := c.issue()
	if is == nil {
		return
	}
	var req struct {
		Transition *struct {
			ID string `json:"id"`
		} `json:"transition"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Transition == nil {
		c.errors(http.StatusBadRequest, []string{"Missing 'transition' identifier"}, nil)
		return
	}
	for _, st := range statuses {
		if st.transitionID == req.Transition.ID && st.name != is.Status {
			is.Status = st.name
			c.noContent()
			return
		}
	}
	c.errors(http.StatusBadRequest, []string{fmt.Sprintf("Transition id '%s' is not valid for this issue.", req.Transition.ID)}, nil)
}

// jiraTime is how the fake writes times: RFC 3339 with milliseconds, as the description's
// date-time format requires (Jira itself writes the offset without a colon, "+0000").
const jiraTime = "2006-01-02T15:04:05.000Z07:00"
