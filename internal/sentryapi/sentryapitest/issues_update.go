package sentryapitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Updating issues: one, or many at once (status, resolution details, assignment, bookmarks),
// and deleting them, as Sentry validates and records it.

// updateIssue changes one issue and answers with the issue.
func (s *Server) updateIssue(c *call) {
	o, g, ok := c.group()
	if !ok {
		return
	}
	var body map[string]json.RawMessage
	if !c.decode(&body) {
		return
	}
	if _, ok := s.applyUpdate(c, o, []*group{g}, body); !ok {
		return
	}
	j := s.groupBaseJSON(c, o, g, statsOf(g.events))
	c.json(http.StatusOK, j)
}

// bulkUpdateIssues changes the issues named by id= (or found by the query) and answers with
// what changed; 204 when nothing matched.
func (s *Server) bulkUpdateIssues(c *call) {
	o, ok := c.org()
	if !ok {
		return
	}
	var groups []*group
	if ids := c.queryAll("id"); len(ids) > 0 {
		if len(ids) > 1000 {
			c.detail(http.StatusBadRequest, "Too many IDs (max 1000)")
			return
		}
		for _, id := range ids {
			if g := o.groupByRef(id); g != nil {
				groups = append(groups, g)
			}
		}
	} else {
		hits, _, ok := c.searchIssues(o, "is:unresolved")
		if !ok {
			return
		}
		for _, h := range hits {
			groups = append(groups, h.g)
		}
	}
	if len(groups) == 0 {
		c.noContent()
		return
	}
	var body map[string]json.RawMessage
	if !c.decode(&body) {
		return
	}
	result, ok := s.applyUpdate(c, o, groups, body)
	if !ok {
		return
	}
	c.json(http.StatusOK, result)
}

// deleteIssue removes an issue; Sentry answers 202 and deletes in the background.
func (s *Server) deleteIssue(c *call) {
	_, g, ok := c.group()
	if !ok {
		return
	}
	g.deleted = true
	c.w.WriteHeader(http.StatusAccepted)
}

// applyUpdate is Sentry's update_groups for the fields releasegate uses: status (with
// resolution in a release, the next release or a commit, and archiving), assignment, priority
// and the per-user flags. It answers 400 itself when the input is invalid.
func (s *Server) applyUpdate(c *call, o *org, groups []*group, body map[string]json.RawMessage) (map[string]any, bool) {
	result := map[string]any{}
	now := s.clock()
	str := func(k string) (string, bool, bool) {
		raw, present := body[k]
		if !present {
			return "", false, true
		}
		var v *string
		if err := json.Unmarshal(raw, &v); err != nil {
			c.fieldError(k, "Not a valid string.")
			return "", true, false
		}
		if v == nil {
			return "", true, true
		}
		return *v, true, true
	}
	boolean := func(k string) (bool, bool, bool) {
		raw, present := body[k]
		if !present {
			return false, false, true
		}
		var v bool
		if err := json.Unmarshal(raw, &v); err != nil {
			c.fieldError(k, "Must be a valid boolean.")
			return false, true, false
		}
		return v, true, true
	}
	for _, k := range []string{"merge", "discard"} {
		if v, present, ok := boolean(k); !ok {
			return nil, false
		} else if present && v {
			c.detail(http.StatusBadRequest, "sentryapitest does not "+k+" issues")
			return nil, false
		}
	}

	// Validate everything before changing anything, as Sentry's serializer does.
	status, hasStatus, ok := str("status")
	if !ok {
		return nil, false
	}
	if hasStatus && !slices.Contains([]string{"resolved", "unresolved", "ignored", "resolvedInNextRelease", "muted", "reprocessing"}, status) {
		c.fieldError("status", fmt.Sprintf("%q is not a valid choice.", status))
		return nil, false
	}
	var details struct {
		InNextRelease    bool                                 `json:"inNextRelease"`
		InRelease        string                               `json:"inRelease"`
		InCommit         *struct{ Commit, Repository string } `json:"inCommit"`
		IgnoreDuration   int                                  `json:"ignoreDuration"`
		IgnoreCount      int                                  `json:"ignoreCount"`
		IgnoreWindow     int                                  `json:"ignoreWindow"`
		IgnoreUserCount  int                                  `json:"ignoreUserCount"`
		IgnoreUserWindow int                                  `json:"ignoreUserWindow"`
	}
	if raw, present := body["statusDetails"]; present && string(raw) != "null" {
		if err := json.Unmarshal(raw, &details); err != nil {
			c.fieldError("statusDetails", "Invalid data: "+err.Error())
			return nil, false
		}
	}
	if status == "resolvedInNextRelease" {
		status, details.InNextRelease = "resolved", true
	}
	if status == "muted" {
		status = "ignored"
	}
	substatus, hasSub, ok := str("substatus")
	if !ok {
		return nil, false
	}
	var resRelease *release
	var commit *commit
	if hasStatus && status == "resolved" {
		projects := map[*project]bool{}
		for _, g := range groups {
			projects[g.project] = true
		}
		needsRelease := details.InNextRelease || details.InRelease != ""
		if needsRelease && len(projects) > 1 {
			c.detail(http.StatusBadRequest, "Cannot set resolved in release for multiple projects.")
			return nil, false
		}
		switch {
		case details.InNextRelease || details.InRelease == "latest":
			v := o.latestRelease(projects)
			if v == "" {
				field := "inRelease"
				if details.InNextRelease {
					field = "inNextRelease"
				}
				c.json(http.StatusBadRequest, map[string]any{"statusDetails": map[string][]string{
					field: {"No release data present in the system to form a basis for 'Next Release'"},
				}})
				return nil, false
			}
			resRelease = o.release(v)
		case details.InRelease != "":
			resRelease = o.release(details.InRelease)
			if resRelease == nil {
				c.json(http.StatusBadRequest, map[string]any{"statusDetails": map[string][]string{"inRelease": {"Unable to find a release with version " + details.InRelease}}})
				return nil, false
			}
		case details.InCommit != nil:
			repo := o.repository(s, details.InCommit.Repository, "")
			if repo == nil {
				c.json(http.StatusBadRequest, map[string]any{"statusDetails": map[string][]string{"inCommit": {"Unable to find the given repository."}}})
				return nil, false
			}
			commit = o.commitFor(s, repo, details.InCommit.Commit)
		}
	}
	assigneeRaw, hasAssignee := body["assignedTo"]
	var assignee *actor
	if hasAssignee && string(assigneeRaw) != "null" {
		var ref string
		if err := json.Unmarshal(assigneeRaw, &ref); err != nil {
			c.fieldError("assignedTo", "Unknown actor input")
			return nil, false
		}
		if ref != "" {
			a, msg := resolveActor(o, ref)
			if a == nil {
				c.fieldError("assignedTo", msg)
				return nil, false
			}
			for _, g := range groups {
				if a.m != nil && !a.m.hasAccess(g.project) {
					c.fieldError("assignedTo", "Cannot assign to non-team member")
					return nil, false
				}
				if a.t != nil && !slices.Contains(a.t.projects, g.project) {
					c.fieldError("assignedTo", "Cannot assign to a team without access to the project")
					return nil, false
				}
			}
			assignee = a
		}
	}
	priority, hasPriority, ok := str("priority")
	if !ok {
		return nil, false
	}
	if hasPriority && !slices.Contains([]string{"low", "medium", "high"}, priority) {
		c.fieldError("priority", fmt.Sprintf("%q is not a valid choice.", priority))
		return nil, false
	}
	flags := map[string]bool{}
	for _, k := range []string{"hasSeen", "isBookmarked", "isSubscribed", "isPublic", "inbox"} {
		v, present, ok := boolean(k)
		if !ok {
			return nil, false
		}
		if present {
			flags[k] = v
		}
	}

	// Apply.
	for _, g := range groups {
		if hasStatus {
			switch status {
			case "resolved":
				g.status, g.substatus = "resolved", ""
				g.statusDetails = map[string]any{}
				g.resolution = &resolution{kind: "plain"}
				data := map[string]any{}
				switch {
				case details.InNextRelease:
					g.statusDetails["inNextRelease"] = true
					g.resolution = &resolution{kind: "inNextRelease", release: resRelease}
				case resRelease != nil:
					g.statusDetails["inRelease"] = resRelease.version
					g.resolution = &resolution{kind: "inRelease", release: resRelease}
					data["version"] = resRelease.version
				case commit != nil:
					g.statusDetails["inCommit"] = commit.json(o)
					g.resolution = &resolution{kind: "inCommit"}
				}
				typ := "set_resolved"
				if g.resolution.kind != "plain" {
					typ = "set_resolved_in_release"
				}
				g.activity = append(g.activity, s.activityEntry(typ, data, now))
			case "unresolved":
				g.status, g.substatus, g.statusDetails, g.resolution, g.ignore = "unresolved", "ongoing", map[string]any{}, nil, ignoreRule{}
				g.activity = append(g.activity, s.activityEntry("set_unresolved", nil, now))
			case "ignored":
				g.status, g.statusDetails, g.resolution = "ignored", map[string]any{}, nil
				g.ignore = ignoreRule{}
				g.substatus = "archived_until_escalating"
				if details.IgnoreDuration > 0 {
					g.ignore.until = now.Add(time.Duration(details.IgnoreDuration) * time.Minute)
					g.statusDetails["ignoreUntil"] = timestamp(g.ignore.until)
					g.substatus = "archived_until_condition_met"
				}
				if details.IgnoreCount > 0 {
					g.ignore.count, g.ignore.countStart = details.IgnoreCount, len(g.events)
					g.statusDetails["ignoreCount"] = details.IgnoreCount
					if details.IgnoreWindow > 0 {
						g.statusDetails["ignoreWindow"] = details.IgnoreWindow
					}
					g.substatus = "archived_until_condition_met"
				}
				if details.IgnoreUserCount > 0 {
					g.statusDetails["ignoreUserCount"] = details.IgnoreUserCount
					if details.IgnoreUserWindow > 0 {
						g.statusDetails["ignoreUserWindow"] = details.IgnoreUserWindow
					}
					g.substatus = "archived_until_condition_met"
				}
				if hasSub && strings.HasPrefix(substatus, "archived_") {
					g.substatus = substatus
				}
				g.activity = append(g.activity, s.activityEntry("set_ignored", nil, now))
			}
		}
		if hasAssignee {
			if assignee == nil {
				if g.assignee != nil {
					g.activity = append(g.activity, s.activityEntry("unassigned", nil, now))
				}
			} else {
				g.activity = append(g.activity, s.activityEntry("assigned", map[string]any{"assignee": assignee.ref()}, now))
			}
			g.assignee = assignee
		}
		if hasPriority {
			g.priority = priority
			g.activity = append(g.activity, s.activityEntry("set_priority", map[string]any{"priority": priority}, now))
		}
		for k, v := range flags {
			switch k {
			case "hasSeen":
				g.hasSeen = v
			case "isBookmarked":
				g.isBookmarked = v
			case "isSubscribed":
				g.isSubscribed = v
			case "isPublic":
				g.isPublic = v
			}
		}
	}
	g := groups[0]
	if hasStatus {
		result["status"] = g.status
		result["statusDetails"] = g.statusDetails
		if sub := s.substatus(g); sub != "" {
			result["substatus"] = sub
		}
	}
	if hasAssignee {
		if assignee != nil {
			result["assignedTo"] = assignee.json()
		} else {
			result["assignedTo"] = nil
		}
	}
	if hasPriority {
		result["priority"] = priority
	}
	for k, v := range flags {
		result[k] = v
	}
	return result, true
}

// resolveActor reads an assignee as Sentry does: "user:<id>", "team:<id>", a user ID, a
// username or an email.
func resolveActor(o *org, ref string) (*actor, string) {
	if id, ok := strings.CutPrefix(ref, "team:"); ok {
		for _, t := range o.teams {
			if strconv.Itoa(t.id) == id {
				return &actor{t: t}, ""
			}
		}
		return nil, "Unknown actor input"
	}
	ref = strings.TrimPrefix(ref, "user:")
	for _, m := range o.members {
		if strconv.Itoa(m.userID) == ref || strings.EqualFold(m.email, ref) {
			return &actor{m: m}, ""
		}
	}
	return nil, "Unknown actor input"
}
