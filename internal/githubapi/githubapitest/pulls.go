package githubapitest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Pull is a pull request as the server keeps it.
type Pull struct {
	Number int
	Title  string
	Body   string
	Author string
	// State is "open" or "closed"; MergeSHA, when set, makes it merged.
	State    string
	MergeSHA string
	// HeadRef and HeadSHA are the branch and its tip; BaseRef the target ("main").
	HeadRef, HeadSHA, BaseRef string
	// HeadRepo is the fork ("owner/name") the head branch lives in; "" for the repository
	// itself. (GitHub's description has no null head.repo, so a deleted fork is not served.)
	HeadRepo string
	// Commits are the SHAs the pull request holds (HeadSHA is always one).
	Commits []string
	// Files are the changed files, with their patches.
	Files []PullFile
	// Reviewers and TeamReviewers are the requested reviewers (logins, team slugs); Assignees
	// the assigned logins; Reviews the reviews posted. The server records them as they come.
	Reviewers, TeamReviewers, Assignees []string
	Reviews                             []Review
}

// PullFile is a changed file of a pull request.
type PullFile struct {
	Filename, Status     string // status: added, modified, removed, renamed, …
	Additions, Deletions int
	Patch                string
	PreviousFilename     string
}

// AddPull adds a pull request to a repository (created if new). Zero fields get defaults:
// state open, base main, the author "octocat".
func (s *Server) AddPull(owner, name string, p Pull) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(owner, name)
	if p.State == "" {
		p.State = "open"
	}
	if p.BaseRef == "" {
		p.BaseRef = r.defaultRef
	}
	if p.Author == "" {
		p.Author = "octocat"
	}
	if p.HeadRef == "" {
		p.HeadRef = "topic-" + strconv.Itoa(p.Number)
	}
	if !slices.Contains(p.Commits, p.HeadSHA) {
		p.Commits = append(p.Commits, p.HeadSHA)
	}
	p.Files = slices.Clone(p.Files)
	r.pulls = append(r.pulls, &p)
}

func (c *call) repositoryJSON(r *repo) map[string]any {
	base := c.baseURL()
	u := fmt.Sprintf("%s/repos/%s/%s", base, r.owner, r.name)
	html := fmt.Sprintf("https://github.com/%s/%s", r.owner, r.name)
	when := appEpoch.Format(time.RFC3339)
	out := map[string]any{
		"id": r.id, "node_id": fmt.Sprintf("R_%d", r.id), "name": r.name, "full_name": r.owner + "/" + r.name,
		"owner": simpleUser(base, r.owner, r.id+1, "Organization"), "private": false, "html_url": html, "description": nil,
		"fork": false, "url": u, "homepage": nil, "language": nil, "license": nil, "mirror_url": nil,
		"default_branch": r.defaultRef, "clone_url": html + ".git", "git_url": "git://github.com/" + r.owner + "/" + r.name + ".git",
		"ssh_url": "git@github.com:" + r.owner + "/" + r.name + ".git", "svn_url": html,
		"forks": 0, "forks_count": 0, "open_issues": 0, "open_issues_count": 0, "size": 1, "stargazers_count": 0, "watchers": 0, "watchers_count": 0,
		"has_downloads": true, "has_issues": true, "has_projects": true, "has_wiki": true, "has_pages": false, "archived": false, "disabled": false,
		"pushed_at": when, "created_at": when, "updated_at": when,
	}
	for k, suffix := range map[string]string{
		"archive_url": "/{archive_format}{/ref}", "assignees_url": "/assignees{/user}", "blobs_url": "/git/blobs{/sha}",
		"branches_url": "/branches{/branch}", "collaborators_url": "/collaborators{/collaborator}", "comments_url": "/comments{/number}",
		"commits_url": "/commits{/sha}", "compare_url": "/compare/{base}...{head}", "contents_url": "/contents/{+path}",
		"contributors_url": "/contributors", "deployments_url": "/deployments", "downloads_url": "/downloads", "events_url": "/events",
		"forks_url": "/forks", "git_commits_url": "/git/commits{/sha}", "git_refs_url": "/git/refs{/sha}", "git_tags_url": "/git/tags{/sha}",
		"hooks_url": "/hooks", "issue_comment_url": "/issues/comments{/number}", "issue_events_url": "/issues/events{/number}",
		"issues_url": "/issues{/number}", "keys_url": "/keys{/key_id}", "labels_url": "/labels{/name}", "languages_url": "/languages",
		"merges_url": "/merges", "milestones_url": "/milestones{/number}", "notifications_url": "/notifications{?since,all,participating}",
		"pulls_url": "/pulls{/number}", "releases_url": "/releases{/id}", "stargazers_url": "/stargazers", "statuses_url": "/statuses/{sha}",
		"subscribers_url": "/subscribers", "subscription_url": "/subscription", "tags_url": "/tags", "teams_url": "/teams", "trees_url": "/git/trees{/sha}",
	} {
		out[k] = u + suffix
	}
	return out
}

// pullJSON renders a pull request; full adds the fields GET pulls/{n} has beyond the lists'.
func (c *call) pullJSON(r *repo, p *Pull, full bool) map[string]any {
	u := fmt.Sprintf("%s/repos/%s/%s", c.baseURL(), r.owner, r.name)
	html := fmt.Sprintf("https://github.com/%s/%s/pull/%d", r.owner, r.name, p.Number)
	id := r.id*1000 + int64(p.Number)
	when := appEpoch.Format(time.RFC3339)
	link := func(h string) map[string]string { return map[string]string{"href": h} }
	repoJSON := c.repositoryJSON(r)
	ref := func(name, sha string) map[string]any {
		return map[string]any{"label": r.owner + ":" + name, "ref": name, "sha": sha, "repo": repoJSON, "user": simpleUser(c.baseURL(), r.owner, r.id+1, "Organization")}
	}
	head := ref(p.HeadRef, p.HeadSHA)
	if p.HeadRepo != "" {
		head = c.forkRef(r, p)
	}
	var mergedAt, closedAt, mergeSHA any
	if p.MergeSHA != "" {
		mergedAt, mergeSHA = when, p.MergeSHA
	}
	if p.State == "closed" {
		closedAt = when
	}
	out := map[string]any{
		"url": fmt.Sprintf("%s/pulls/%d", u, p.Number), "id": id, "node_id": fmt.Sprintf("PR_%d", id), "html_url": html,
		"diff_url": html + ".diff", "patch_url": html + ".patch", "issue_url": fmt.Sprintf("%s/issues/%d", u, p.Number),
		"commits_url": fmt.Sprintf("%s/pulls/%d/commits", u, p.Number), "review_comments_url": fmt.Sprintf("%s/pulls/%d/comments", u, p.Number),
		"review_comment_url": u + "/pulls/comments{/number}", "comments_url": fmt.Sprintf("%s/issues/%d/comments", u, p.Number),
		"statuses_url": u + "/statuses/" + p.HeadSHA, "number": p.Number, "state": p.State, "locked": false, "title": p.Title,
		"user": simpleUser(c.baseURL(), p.Author, int64(len(p.Author))+99, "User"), "body": p.Body, "labels": []any{}, "milestone": nil,
		"created_at": when, "updated_at": when, "closed_at": closedAt, "merged_at": mergedAt, "merge_commit_sha": mergeSHA,
		"assignee": nil, "head": head, "base": ref(p.BaseRef, p.Commits[0]), "author_association": "MEMBER", "auto_merge": nil,
		"_links": map[string]any{
			"self": link(fmt.Sprintf("%s/pulls/%d", u, p.Number)), "html": link(html), "issue": link(fmt.Sprintf("%s/issues/%d", u, p.Number)),
			"comments": link(fmt.Sprintf("%s/issues/%d/comments", u, p.Number)), "review_comments": link(fmt.Sprintf("%s/pulls/%d/comments", u, p.Number)),
			"review_comment": link(u + "/pulls/comments{/number}"), "commits": link(fmt.Sprintf("%s/pulls/%d/commits", u, p.Number)),
			"statuses": link(u + "/statuses/" + p.HeadSHA),
		},
	}
	if full {
		adds, dels := 0, 0
		for _, f := range p.Files {
			adds, dels = adds+f.Additions, dels+f.Deletions
		}
		var mergedBy any
		if p.MergeSHA != "" {
			mergedBy = simpleUser(c.baseURL(), p.Author, int64(len(p.Author))+99, "User")
		}
		for k, v := range map[string]any{
			"merged": p.MergeSHA != "", "mergeable": nil, "mergeable_state": "unknown", "merged_by": mergedBy, "comments": 0,
			"review_comments": 0, "maintainer_can_modify": false, "commits": len(p.Commits), "additions": adds, "deletions": dels,
			"changed_files": len(p.Files),
		} {
			out[k] = v
		}
	}
	return out
}

// forkRef renders the head of a pull request from a fork: the fork's owner and repository.
func (c *call) forkRef(r *repo, p *Pull) map[string]any {
	owner, name, _ := strings.Cut(p.HeadRepo, "/")
	if owner == "" {
		owner = p.Author
	}
	fork := &repo{id: r.id + 500, owner: owner, name: cmpOr(name, r.name), defaultRef: r.defaultRef}
	repoJSON := c.repositoryJSON(fork)
	repoJSON["fork"] = true
	return map[string]any{
		"label": owner + ":" + p.HeadRef, "ref": p.HeadRef, "sha": p.HeadSHA, "repo": repoJSON,
		"user": simpleUser(c.baseURL(), owner, fork.id+1, "User"),
	}
}

func (s *Server) findPull(c *call) (*repo, *Pull) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	n, err := strconv.Atoi(c.param("pull_number"))
	if err == nil {
		for _, p := range r.pulls {
			if p.Number == n {
				return r, p
			}
		}
	}
	c.notFound()
	return nil, nil
}

func (s *Server) pullsOfCommit(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	sha := c.param("commit_sha")
	out := []map[string]any{}
	for _, p := range r.pulls {
		if slices.Contains(p.Commits, sha) || p.MergeSHA == sha || p.HeadRef == sha {
			out = append(out, c.pullJSON(r, p, false))
		}
	}
	c.json(http.StatusOK, out)
}

func (s *Server) getPull(c *call) {
	if r, p := s.findPull(c); p != nil {
		c.json(http.StatusOK, c.pullJSON(r, p, true))
	}
}

// listPullFiles lists a pull request's files, at most 3,000 as GitHub does.
func (s *Server) listPullFiles(c *call) {
	r, p := s.findPull(c)
	if p == nil {
		return
	}
	files := p.Files[:min(len(p.Files), maxPullFiles)]
	lo, hi := c.page(len(files))
	out := make([]map[string]any, 0, hi-lo)
	for _, f := range files[lo:hi] {
		out = append(out, c.fileJSON(r, p.HeadSHA, f))
	}
	c.json(http.StatusOK, out)
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// page cuts a list of n items by per_page (default 30, at most 100) and page, setting GitHub's
// Link header when more follow.
func (c *call) page(n int) (lo, hi int) {
	perPage, page := 30, 1
	q := c.r.URL.Query()
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	lo, hi = min((page-1)*perPage, n), min(page*perPage, n)
	if hi < n {
		next := *c.r.URL
		nq := next.Query()
		nq.Set("page", strconv.Itoa(page+1))
		nq.Set("per_page", strconv.Itoa(perPage))
		c.w.Header().Set("Link", fmt.Sprintf(`<http://%s%s%s?%s>; rel="next"`, c.r.Host, c.s.opts.Prefix, next.Path, nq.Encode()))
	}
	return lo, hi
}
