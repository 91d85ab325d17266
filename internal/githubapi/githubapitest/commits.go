package githubapitest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// GitHub's limits on what a comparison and a pull request's lists hold.
const (
	// maxCompareUnpaged is how many commits a comparison asked without paging lists: the
	// newest ones.
	maxCompareUnpaged = 250
	// maxCompareFiles is how many changed files a comparison lists, on its first page only.
	maxCompareFiles = 300
	// maxPullCommits is how many commits a pull request's commit list holds.
	maxPullCommits = 250
	// maxPullFiles is how many files a pull request's file list holds.
	maxPullFiles = 3000
)

// Commit is a commit as the server keeps it.
type Commit struct {
	SHA     string
	Message string
	// AuthorName and AuthorEmail are git's author; AuthorLogin the GitHub account they belong
	// to ("" for none: the API's author is then null). Zero: "Octo Cat", octocat.
	AuthorName, AuthorEmail, AuthorLogin string
	// Date is the author date. Zero: a minute after the previous commit.
	Date time.Time
	// Parents are the parent SHAs. Nil: the commit added before it in the repository (none for
	// the first); set it for merges and branches.
	Parents []string
	// Files are the files the commit changed, with their patches.
	Files []PullFile
}

// AddCommits appends commits to a repository's history (created if new), in order.
func (s *Server) AddCommits(owner, name string, commits ...Commit) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(owner, name)
	for _, cm := range commits {
		var prev *Commit
		if len(r.commits) > 0 {
			prev = r.commits[len(r.commits)-1]
		}
		if cm.Parents == nil && prev != nil {
			cm.Parents = []string{prev.SHA}
		}
		if cm.Date.IsZero() {
			cm.Date = appEpoch
			if prev != nil {
				cm.Date = prev.Date.Add(time.Minute)
			}
		}
		if cm.AuthorName == "" && cm.AuthorEmail == "" && cm.AuthorLogin == "" {
			cm.AuthorName, cm.AuthorEmail, cm.AuthorLogin = "Octo Cat", "octocat@example.com", "octocat"
		}
		cm.Parents = slices.Clone(cm.Parents)
		cm.Files = slices.Clone(cm.Files)
		if r.commitAt == nil {
			r.commitAt = map[string]int{}
		}
		r.commitAt[cm.SHA] = len(r.commits)
		r.commits = append(r.commits, &cm)
	}
}

func (r *repo) commit(sha string) (int, *Commit) {
	if i, ok := r.commitAt[sha]; ok {
		return i, r.commits[i]
	}
	return -1, nil
}

// ancestors is sha and every commit it descends from.
func (r *repo) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	todo := []string{sha}
	for len(todo) > 0 {
		x := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[x] {
			continue
		}
		seen[x] = true
		if _, cm := r.commit(x); cm != nil {
			todo = append(todo, cm.Parents...)
		}
	}
	return seen
}

// only lists, in history order, the commits of the set in but not in the set out.
func (r *repo) only(in, out map[string]bool) []*Commit {
	var list []*Commit
	for _, cm := range r.commits {
		if in[cm.SHA] && !out[cm.SHA] {
			list = append(list, cm)
		}
	}
	return list
}

func (c *call) commitJSON(r *repo, cm *Commit) map[string]any {
	u := fmt.Sprintf("%s/repos/%s/%s", c.baseURL(), r.owner, r.name)
	html := fmt.Sprintf("https://github.com/%s/%s/commit/", r.owner, r.name)
	gitUser := map[string]any{"name": cm.AuthorName, "email": cm.AuthorEmail, "date": cm.Date.UTC().Format(time.RFC3339)}
	var user any
	if cm.AuthorLogin != "" {
		user = simpleUser(c.baseURL(), cm.AuthorLogin, int64(len(cm.AuthorLogin))+99, "User")
	}
	parents := make([]map[string]any, 0, len(cm.Parents))
	for _, p := range cm.Parents {
		parents = append(parents, map[string]any{"sha": p, "url": u + "/commits/" + p, "html_url": html + p})
	}
	return map[string]any{
		"url": u + "/commits/" + cm.SHA, "sha": cm.SHA, "node_id": "C_" + cm.SHA, "html_url": html + cm.SHA,
		"comments_url": u + "/commits/" + cm.SHA + "/comments",
		"commit": map[string]any{
			"author": gitUser, "committer": gitUser, "comment_count": 0, "message": cm.Message,
			"tree":         map[string]any{"sha": treeSHA(cm.SHA, ""), "url": u + "/git/trees/" + treeSHA(cm.SHA, "")},
			"url":          u + "/git/commits/" + cm.SHA,
			"verification": map[string]any{"verified": false, "reason": "unsigned", "payload": nil, "signature": nil, "verified_at": nil},
		},
		"author": user, "committer": user, "parents": parents,
	}
}

// fileJSON renders a changed file (diff-entry) at a commit.
func (c *call) fileJSON(r *repo, sha string, f PullFile) map[string]any {
	blob := fmt.Sprintf("https://github.com/%s/%s/blob/%s/%s", r.owner, r.name, sha, f.Filename)
	entry := map[string]any{
		"sha": blobSHA([]byte(f.Filename + f.Patch)), "filename": f.Filename, "status": cmpOr(f.Status, "modified"),
		"additions": f.Additions, "deletions": f.Deletions, "changes": f.Additions + f.Deletions,
		"blob_url": blob, "raw_url": strings.Replace(blob, "/blob/", "/raw/", 1),
		"contents_url": fmt.Sprintf("%s/repos/%s/%s/contents/%s?ref=%s", c.baseURL(), r.owner, r.name, f.Filename, sha),
	}
	if f.Patch != "" {
		entry["patch"] = f.Patch
	}
	if f.PreviousFilename != "" {
		entry["previous_filename"] = f.PreviousFilename
	}
	return entry
}

// compare answers BASE...HEAD as GitHub does: the commits of HEAD not in BASE, oldest first;
// without paging the newest 250, with paging every one; changed files (at most 300) on the
// first page only. A SHA the repository does not know is 404.
func (s *Server) compare(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	base, head, ok := strings.Cut(c.param("basehead"), "...")
	// A fork's branch is OWNER:REF; the fake keeps one repository's history.
	_, base, _ = cutLast(base, ":")
	_, head, _ = cutLast(head, ":")
	_, baseCommit := r.commit(base)
	_, headCommit := r.commit(head)
	if !ok || baseCommit == nil || headCommit == nil {
		c.notFound()
		return
	}
	inHead, inBase := r.ancestors(head), r.ancestors(base)
	ahead, behind := r.only(inHead, inBase), r.only(inBase, inHead)
	status := "diverged"
	switch {
	case len(ahead) == 0 && len(behind) == 0:
		status = "identical"
	case len(behind) == 0:
		status = "ahead"
	case len(ahead) == 0:
		status = "behind"
	}
	mergeBase := baseCommit
	for _, cm := range r.commits {
		if inHead[cm.SHA] && inBase[cm.SHA] {
			mergeBase = cm // the newest common ancestor, as history order goes
		}
	}
	q := c.r.URL.Query()
	paged := q.Has("page") || q.Has("per_page")
	list, firstPage := ahead, true
	if paged {
		page, _ := strconv.Atoi(q.Get("page"))
		firstPage = page <= 1
		lo, hi := c.page(len(ahead))
		list = ahead[lo:hi]
	} else if len(list) > maxCompareUnpaged {
		list = list[len(list)-maxCompareUnpaged:]
	}
	commits := make([]map[string]any, 0, len(list))
	for _, cm := range list {
		commits = append(commits, c.commitJSON(r, cm))
	}
	u := fmt.Sprintf("%s/repos/%s/%s", c.baseURL(), r.owner, r.name)
	html := fmt.Sprintf("https://github.com/%s/%s/compare/%s", r.owner, r.name, c.param("basehead"))
	out := map[string]any{
		"url": u + "/compare/" + c.param("basehead"), "html_url": html, "diff_url": html + ".diff", "patch_url": html + ".patch",
		"permalink_url": fmt.Sprintf("https://github.com/%s/%s/compare/%s:%s...%s:%s", r.owner, r.name, r.owner, base, r.owner, head),
		"base_commit":   c.commitJSON(r, baseCommit), "merge_base_commit": c.commitJSON(r, mergeBase), "status": status,
		"ahead_by": len(ahead), "behind_by": len(behind), "total_commits": len(ahead), "commits": commits,
	}
	if firstPage {
		files := []map[string]any{}
		seen := map[string]int{}
		for _, cm := range ahead {
			for _, f := range cm.Files {
				if i, dup := seen[f.Filename]; dup {
					files[i] = c.fileJSON(r, head, f)
					continue
				}
				if len(files) == maxCompareFiles {
					continue
				}
				seen[f.Filename] = len(files)
				files = append(files, c.fileJSON(r, head, f))
			}
		}
		out["files"] = files
	}
	c.json(http.StatusOK, out)
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return "", s, false
}

// listPullCommits lists a pull request's commits, oldest first, at most 250 as GitHub does. A
// SHA added with AddCommits carries its message and author; any other is a stand-in.
func (s *Server) listPullCommits(c *call) {
	r, p := s.findPull(c)
	if p == nil {
		return
	}
	all := make([]*Commit, 0, len(p.Commits))
	for i, sha := range p.Commits {
		if _, cm := r.commit(sha); cm != nil {
			all = append(all, cm)
			continue
		}
		all = append(all, &Commit{
			SHA: sha, Message: "Commit " + sha, AuthorName: p.Author, AuthorEmail: p.Author + "@example.com", AuthorLogin: p.Author,
			Date: appEpoch.Add(time.Duration(i) * time.Minute),
		})
	}
	all = all[:min(len(all), maxPullCommits)]
	lo, hi := c.page(len(all))
	out := make([]map[string]any, 0, hi-lo)
	for _, cm := range all[lo:hi] {
		out = append(out, c.commitJSON(r, cm))
	}
	c.json(http.StatusOK, out)
}
