package githubapitest

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/testenv"
)

// gitData is what the git data API made in a repository: blobs by SHA, trees by SHA (each the
// whole file set, flattened), and branches by name (the tip's SHA).
type gitData struct {
	blobs    map[string][]byte
	trees    map[string]map[string][]byte
	branches map[string]string
}

func (g *gitData) init() {
	if g.blobs == nil {
		g.blobs, g.trees, g.branches = map[string][]byte{}, map[string]map[string][]byte{}, map[string]string{}
	}
}

// SetBranch points a branch at a commit (added with AddCommits or SetFile at its SHA), as a
// push would: the git data API then reads and refuses it like any existing branch.
func (s *Server) SetBranch(owner, name, branch, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(owner, name)
	r.git.init()
	r.git.branches[branch] = sha
}

// Branch returns the commit a branch points at ("" when there is no such branch).
func (s *Server) Branch(owner, name, branch string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repos[repoKey(owner, name)]
	if r == nil {
		return ""
	}
	return r.git.branches[branch]
}

// FilesAt returns the files of a repository at a ref (a commit made through the git data API,
// or a ref given to SetFile), nil when it has none.
func (s *Server) FilesAt(owner, name, ref string) map[string][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repos[repoKey(owner, name)]
	if r == nil {
		return nil
	}
	return maps.Clone(r.files[ref])
}

// objectKnown says whether sha names a commit of the repository.
func (r *repo) objectKnown(sha string) bool {
	_, cm := r.commit(sha)
	return cm != nil || r.files[sha] != nil
}

// treeFiles finds the files of a tree SHA: one made through the API, or the root tree of a
// ref the tree listing answers for.
func (r *repo) treeFiles(sha string) (map[string][]byte, bool) {
	if t, ok := r.git.trees[sha]; ok {
		return t, true
	}
	for ref, files := range r.files {
		if treeSHA(ref, "") == sha {
			return files, true
		}
	}
	return nil, false
}

func (c *call) refJSON(r *repo, branch, sha string) map[string]any {
	u := fmt.Sprintf("%s/repos/%s/%s/git", c.baseURL(), r.owner, r.name)
	return map[string]any{
		"ref": "refs/heads/" + branch, "node_id": "REF_" + branch, "url": u + "/refs/heads/" + branch,
		"object": map[string]any{"type": "commit", "sha": sha, "url": u + "/commits/" + sha},
	}
}

func (s *Server) getRepo(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	out := c.repositoryJSON(r)
	out["network_count"], out["subscribers_count"], out["has_discussions"] = 0, 0, false
	c.json(http.StatusOK, out)
}

// getRef answers GET git/ref/heads/BRANCH for the branches made or set; the default branch
// without a SetBranch is the newest commit of the history.
func (s *Server) getRef(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	branch, ok := strings.CutPrefix(c.param("ref"), "heads/")
	sha := r.git.branches[branch]
	if ok && sha == "" && branch == r.defaultRef && len(r.commits) > 0 {
		sha = r.commits[len(r.commits)-1].SHA
	}
	if !ok || sha == "" {
		c.notFound()
		return
	}
	c.json(http.StatusOK, c.refJSON(r, branch, sha))
}

// createRef makes a branch. As GitHub, a ref that exists already is 422 ("Reference already
// exists"), and so is a SHA the repository does not have.
func (s *Server) createRef(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	var b struct{ Ref, SHA string }
	if !c.decode(&b) {
		return
	}
	branch, ok := strings.CutPrefix(b.Ref, "refs/heads/")
	r.git.init()
	switch {
	case !ok || branch == "":
		c.message(http.StatusUnprocessableEntity, "Reference name must start with 'refs/heads/' here")
		return
	case r.git.branches[branch] != "" || branch == r.defaultRef:
		c.message(http.StatusUnprocessableEntity, "Reference already exists")
		return
	case !r.objectKnown(b.SHA):
		c.message(http.StatusUnprocessableEntity, "Object does not exist")
		return
	}
	r.git.branches[branch] = b.SHA
	r.files[branch] = r.files[b.SHA]
	c.json(http.StatusCreated, c.refJSON(r, branch, b.SHA))
}

func (s *Server) createBlob(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	var b struct{ Content, Encoding string }
	if !c.decode(&b) {
		return
	}
	data := []byte(b.Content)
	if b.Encoding == "base64" {
		var err error
		if data, err = base64.StdEncoding.DecodeString(b.Content); err != nil {
			c.validation("content is not valid base64")
			return
		}
	}
	r.git.init()
	sum := blobSHA(data)
	r.git.blobs[sum] = data
	c.json(http.StatusCreated, map[string]any{"sha": sum, "url": fmt.Sprintf("%s/repos/%s/%s/git/blobs/%s", c.baseURL(), r.owner, r.name, sum)})
}

// createTree makes a tree of base_tree's files with the entries' blobs put in (a null sha
// deletes the path). Only files are taken: a test has no use for submodules or folders.
func (s *Server) createTree(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	var b struct {
		BaseTree string `json:"base_tree"`
		Tree     []struct {
			Path, Mode, Type string
			SHA              *string
			Content          *string
		}
	}
	if !c.decode(&b) {
		return
	}
	r.git.init()
	files := map[string][]byte{}
	if b.BaseTree != "" {
		base, ok := r.treeFiles(b.BaseTree)
		if !ok {
			c.validation("base_tree " + b.BaseTree + " is not a tree of the repository")
			return
		}
		maps.Copy(files, base)
	}
	for _, e := range b.Tree {
		switch {
		case e.Type != "blob":
			c.validation("the fake takes blob entries only, not " + e.Type)
			return
		case e.Content != nil:
			files[e.Path] = []byte(*e.Content)
		case e.SHA == nil:
			delete(files, e.Path)
		default:
			data, ok := r.git.blobs[*e.SHA]
			if !ok {
				c.validation("tree.sha " + *e.SHA + " is not a blob of the repository")
				return
			}
			files[e.Path] = data
		}
	}
	sum := filesSHA(files)
	r.git.trees[sum] = files
	u := fmt.Sprintf("%s/repos/%s/%s/git", c.baseURL(), r.owner, r.name)
	paths := slices.Sorted(maps.Keys(files))
	entries := make([]map[string]any, 0, len(paths))
	for _, p := range paths {
		bs := blobSHA(files[p])
		entries = append(entries, map[string]any{"path": p, "mode": "100644", "type": "blob", "sha": bs, "size": len(files[p]), "url": u + "/blobs/" + bs})
	}
	c.json(http.StatusCreated, map[string]any{"sha": sum, "url": u + "/trees/" + sum, "tree": entries, "truncated": false})
}

// filesSHA stands for a tree's SHA: the same files give the same SHA.
func filesSHA(files map[string][]byte) string {
	h := sha1.New()
	for _, p := range slices.Sorted(maps.Keys(files)) {
		fmt.Fprintf(h, "%s\x00%s\n", p, blobSHA(files[p]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// createGitCommit makes a commit of a tree made before; it joins the history, so the pull
// requests and comparisons of the fake see it.
func (s *Server) createGitCommit(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	var b struct {
		Message, Tree string
		Parents       []string
	}
	if !c.decode(&b) {
		return
	}
	r.git.init()
	files, ok := r.treeFiles(b.Tree)
	if !ok {
		c.validation("tree " + b.Tree + " is not a tree of the repository")
		return
	}
	for _, p := range b.Parents {
		if !r.objectKnown(p) {
			c.validation("parent " + p + " is not a commit of the repository")
			return
		}
	}
	h := sha1.Sum([]byte("commit\x00" + b.Tree + "\x00" + strings.Join(b.Parents, ",") + "\x00" + b.Message))
	sha := hex.EncodeToString(h[:])
	cm := &Commit{SHA: sha, Message: b.Message, Parents: slices.Clone(b.Parents), AuthorName: s.opts.AppSlug + "[bot]",
		AuthorEmail: s.opts.AppSlug + "@users.noreply.github.com", Date: time.Now().UTC().Truncate(time.Second)}
	for _, p := range b.Parents {
		cm.Files = append(cm.Files, changedFiles(r.files[p], files)...)
	}
	if r.commitAt == nil {
		r.commitAt = map[string]int{}
	}
	if _, dup := r.commitAt[sha]; !dup {
		r.commitAt[sha] = len(r.commits)
		r.commits = append(r.commits, cm)
	}
	r.files[sha] = files
	u := fmt.Sprintf("%s/repos/%s/%s/git", c.baseURL(), r.owner, r.name)
	who := map[string]any{"name": cm.AuthorName, "email": cm.AuthorEmail, "date": cm.Date.Format(time.RFC3339)}
	parents := make([]map[string]any, 0, len(b.Parents))
	for _, p := range b.Parents {
		parents = append(parents, map[string]any{"sha": p, "url": u + "/commits/" + p, "html_url": fmt.Sprintf("https://github.com/%s/%s/commit/%s", r.owner, r.name, p)})
	}
	c.json(http.StatusCreated, map[string]any{
		"sha": sha, "node_id": "C_" + sha, "url": u + "/commits/" + sha, "html_url": fmt.Sprintf("https://github.com/%s/%s/commit/%s", r.owner, r.name, sha),
		"author": who, "committer": who, "message": b.Message, "tree": map[string]any{"sha": b.Tree, "url": u + "/trees/" + b.Tree},
		"parents":      parents,
		"verification": map[string]any{"verified": false, "reason": "unsigned", "payload": nil, "signature": nil, "verified_at": nil},
	})
}

// changedFiles lists what changed from one file set to the other, each patch one hunk of the
// whole file (enough for a test; GitHub's hunks are tighter).
func changedFiles(before, after map[string][]byte) []PullFile {
	var out []PullFile
	paths := map[string]bool{}
	for p := range before {
		paths[p] = true
	}
	for p := range after {
		paths[p] = true
	}
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		old, had := before[p]
		now, has := after[p]
		if had && has && string(old) == string(now) {
			continue
		}
		f := PullFile{Filename: p, Status: "modified"}
		oldLines, newLines := splitLines(old), splitLines(now)
		switch {
		case !had:
			f.Status = "added"
		case !has:
			f.Status = "removed"
		}
		f.Additions, f.Deletions = len(newLines), len(oldLines)
		var b strings.Builder
		fmt.Fprintf(&b, "@@ -%s +%s @@", hunkRange(len(oldLines)), hunkRange(len(newLines)))
		for _, l := range oldLines {
			b.WriteString("\n-" + l)
		}
		for _, l := range newLines {
			b.WriteString("\n+" + l)
		}
		f.Patch = b.String()
		out = append(out, f)
	}
	return out
}

func splitLines(data []byte) []string {
	if len(data) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

func hunkRange(n int) string {
	if n == 0 {
		return "0,0"
	}
	return fmt.Sprintf("1,%d", n)
}

// listPulls lists pull requests, filtered by state (default open) and head ("owner:branch").
func (s *Server) listPulls(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	q := c.r.URL.Query()
	state := cmpOr(q.Get("state"), "open")
	var head string
	if h := q.Get("head"); h != "" {
		owner, branch, ok := strings.Cut(h, ":")
		if !ok || !strings.EqualFold(owner, r.owner) {
			c.json(http.StatusOK, []any{})
			return
		}
		head = branch
	}
	var list []*Pull
	for _, p := range r.pulls {
		if (state == "all" || p.State == state) && (head == "" || p.HeadRef == head && p.HeadRepo == "") {
			list = append(list, p)
		}
	}
	lo, hi := c.page(len(list))
	out := make([]map[string]any, 0, hi-lo)
	for _, p := range list[lo:hi] {
		out = append(out, c.pullJSON(r, p, false))
	}
	c.json(http.StatusOK, out)
}

// createPull opens a pull request from a branch of the repository. As GitHub: a head or base
// that is not a branch is 422, and so is a second open pull request of the same head and base.
func (s *Server) createPull(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	var b struct {
		Title, Head, Base, Body string
		Draft                   bool
	}
	if !c.decode(&b) {
		return
	}
	r.git.init()
	head := b.Head
	if owner, branch, ok := strings.Cut(b.Head, ":"); ok && strings.EqualFold(owner, r.owner) {
		head = branch
	}
	headSHA := r.git.branches[head]
	baseSHA := r.git.branches[b.Base]
	if baseSHA == "" && b.Base == r.defaultRef && len(r.commits) > 0 {
		baseSHA = r.commits[len(r.commits)-1].SHA
	}
	switch {
	case headSHA == "":
		c.validation("head: " + b.Head + " is not a branch of the repository")
		return
	case baseSHA == "":
		c.validation("base: " + b.Base + " is not a branch of the repository")
		return
	}
	for _, p := range r.pulls {
		if p.State == "open" && p.HeadRef == head && p.BaseRef == b.Base && p.HeadRepo == "" {
			c.validation(fmt.Sprintf("A pull request already exists for %s:%s.", r.owner, head))
			return
		}
	}
	n := 1
	for _, p := range r.pulls {
		n = max(n, p.Number+1)
	}
	for _, cm := range s.comments {
		if repoKey(cm.Owner, cm.Repo) == repoKey(r.owner, r.name) {
			n = max(n, cm.Issue+1)
		}
	}
	p := &Pull{Number: n, Title: b.Title, Body: b.Body, Author: s.opts.AppSlug + "[bot]", State: "open", HeadRef: head, HeadSHA: headSHA,
		BaseRef: b.Base, Commits: []string{headSHA}}
	if _, cm := r.commit(headSHA); cm != nil {
		p.Files = slices.Clone(cm.Files)
	}
	r.pulls = append(r.pulls, p)
	c.json(http.StatusCreated, c.pullJSON(r, p, true))
}

func (s *Server) requestReviewers(c *call) {
	r, p := s.findPull(c)
	if p == nil {
		return
	}
	var b struct {
		Reviewers     []string `json:"reviewers"`
		TeamReviewers []string `json:"team_reviewers"`
	}
	if !c.decode(&b) {
		return
	}
	if slices.ContainsFunc(b.Reviewers, func(l string) bool { return strings.EqualFold(l, p.Author) }) {
		c.validation("Review cannot be requested from pull request author.")
		return
	}
	p.Reviewers = appendNew(p.Reviewers, b.Reviewers...)
	p.TeamReviewers = appendNew(p.TeamReviewers, b.TeamReviewers...)
	c.json(http.StatusCreated, c.pullJSON(r, p, false))
}

func appendNew(list []string, more ...string) []string {
	for _, m := range more {
		if !slices.Contains(list, m) {
			list = append(list, m)
		}
	}
	return list
}

// addAssignees assigns logins to an issue or pull request (pull requests only, in the fake).
func (s *Server) addAssignees(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	var p *Pull
	for _, x := range r.pulls {
		if fmt.Sprint(x.Number) == c.param("issue_number") {
			p = x
		}
	}
	if p == nil {
		c.notFound()
		return
	}
	var b struct {
		Assignees []string `json:"assignees"`
	}
	if !c.decode(&b) {
		return
	}
	p.Assignees = appendNew(p.Assignees, b.Assignees...)
	u := fmt.Sprintf("%s/repos/%s/%s", c.baseURL(), r.owner, r.name)
	when := appEpoch.Format(time.RFC3339)
	assignees := make([]map[string]any, 0, len(p.Assignees))
	for _, a := range p.Assignees {
		assignees = append(assignees, simpleUser(c.baseURL(), a, int64(len(a))+99, "User"))
	}
	var closedAt any
	if p.State == "closed" {
		closedAt = when
	}
	c.json(http.StatusCreated, map[string]any{
		"id": r.id*1000 + int64(p.Number), "node_id": fmt.Sprintf("I_%d", p.Number), "number": p.Number, "title": p.Title, "body": p.Body,
		"state": p.State, "locked": false, "url": fmt.Sprintf("%s/issues/%d", u, p.Number), "repository_url": u,
		"labels_url": fmt.Sprintf("%s/issues/%d/labels{/name}", u, p.Number), "comments_url": fmt.Sprintf("%s/issues/%d/comments", u, p.Number),
		"events_url": fmt.Sprintf("%s/issues/%d/events", u, p.Number), "html_url": fmt.Sprintf("https://github.com/%s/%s/pull/%d", r.owner, r.name, p.Number),
		"user": simpleUser(c.baseURL(), p.Author, int64(len(p.Author))+99, "User"), "labels": []any{}, "assignee": assignees[0], "assignees": assignees,
		"milestone": nil, "comments": 0, "created_at": when, "updated_at": when, "closed_at": closedAt, "author_association": "MEMBER",
		"pull_request": map[string]any{"url": fmt.Sprintf("%s/pulls/%d", u, p.Number), "html_url": fmt.Sprintf("https://github.com/%s/%s/pull/%d", r.owner, r.name, p.Number),
			"diff_url": nil, "patch_url": nil},
	})
}

// Review is a pull request review as the server received it.
type Review struct {
	ID       int64
	Author   string
	CommitID string
	Body     string
	Event    string
	Comments []ReviewComment
}

// ReviewComment is one comment of a review, on a line of the diff.
type ReviewComment struct {
	Path string
	// Line and StartLine (0 for one line) are lines of the file on Side (RIGHT: the new file).
	Line, StartLine int
	Side            string
	Body            string
}

// ReviewsOf returns the reviews posted on a pull request, in order.
func (s *Server) ReviewsOf(owner, name string, number int) []Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.repos[repoKey(owner, name)]; r != nil {
		for _, p := range r.pulls {
			if p.Number == number {
				return slices.Clone(p.Reviews)
			}
		}
	}
	return nil
}

// PullsOf returns the pull requests of a repository (AddPull's and those opened through the
// API), in order.
func (s *Server) PullsOf(owner, name string) []Pull {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repos[repoKey(owner, name)]
	if r == nil {
		return nil
	}
	out := make([]Pull, len(r.pulls))
	for i, p := range r.pulls {
		out[i] = *p
	}
	return out
}

// createReview posts a review. A comment on a line outside the file's diff is 422, as on
// GitHub ("Line could not be resolved"); a multi-line comment must lie within one hunk.
func (s *Server) createReview(c *call) {
	r, p := s.findPull(c)
	if p == nil {
		return
	}
	var b struct {
		CommitID string `json:"commit_id"`
		Body     string `json:"body"`
		Event    string `json:"event"`
		Comments []struct {
			Path      string `json:"path"`
			Line      int    `json:"line"`
			StartLine int    `json:"start_line"`
			Side      string `json:"side"`
			Body      string `json:"body"`
		} `json:"comments"`
	}
	if !c.decode(&b) {
		return
	}
	rv := Review{ID: s.newID(), Author: s.opts.AppSlug + "[bot]", CommitID: cmpOr(b.CommitID, p.HeadSHA), Body: b.Body, Event: b.Event}
	for _, cm := range b.Comments {
		side := cmpOr(cm.Side, "RIGHT")
		if !p.lineInDiff(cm.Path, side, cmpOr0(cm.StartLine, cm.Line), cm.Line) {
			c.json(http.StatusUnprocessableEntity, map[string]any{"message": "Unprocessable Entity", "documentation_url": docsURL,
				"errors": []string{"Line could not be resolved"}})
			return
		}
		rv.Comments = append(rv.Comments, ReviewComment{Path: cm.Path, Line: cm.Line, StartLine: cm.StartLine, Side: side, Body: cm.Body})
	}
	p.Reviews = append(p.Reviews, rv)
	c.json(http.StatusOK, c.reviewJSON(r, p, rv))
}

func cmpOr0(n, def int) int {
	if n == 0 {
		return def
	}
	return n
}

// lineInDiff says whether lines from..to of path's side lie within one hunk of its patch.
func (p *Pull) lineInDiff(path, side string, from, to int) bool {
	for _, f := range p.Files {
		if f.Filename != path {
			continue
		}
		for _, l := range strings.Split(f.Patch, "\n") {
			m := hunkHeader.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			start, n := atoiOr(m[3], 0), atoiOr(m[4], 1)
			if side == "LEFT" {
				start, n = atoiOr(m[1], 0), atoiOr(m[2], 1)
			}
			if from >= start && to < start+n && from <= to {
				return true
			}
		}
	}
	return false
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@`)

func atoiOr(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

func (c *call) reviewJSON(r *repo, p *Pull, rv Review) map[string]any {
	html := fmt.Sprintf("https://github.com/%s/%s/pull/%d#pullrequestreview-%d", r.owner, r.name, p.Number, rv.ID)
	pr := fmt.Sprintf("%s/repos/%s/%s/pulls/%d", c.baseURL(), r.owner, r.name, p.Number)
	state := map[string]string{"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED", "": "PENDING"}[rv.Event]
	return map[string]any{
		"id": rv.ID, "node_id": fmt.Sprintf("PRR_%d", rv.ID), "user": simpleUser(c.baseURL(), rv.Author, 7, "Bot"), "body": rv.Body,
		"state": cmpOr(state, "COMMENTED"), "html_url": html, "pull_request_url": pr, "commit_id": rv.CommitID,
		"submitted_at": appEpoch.Format(time.RFC3339), "author_association": "NONE",
		"_links": map[string]any{"html": map[string]string{"href": html}, "pull_request": map[string]string{"href": pr}},
	}
}

func (s *Server) listReviews(c *call) {
	r, p := s.findPull(c)
	if p == nil {
		return
	}
	lo, hi := c.page(len(p.Reviews))
	out := make([]map[string]any, 0, hi-lo)
	for _, rv := range p.Reviews[lo:hi] {
		out = append(out, c.reviewJSON(r, p, rv))
	}
	c.json(http.StatusOK, out)
}

// MergePull merges an open pull request into its base, as the merge button does with a merge
// commit, and returns the pull_request "closed" webhook GitHub then sends (checked against
// GitHub's webhook schema; the published example's shape, this pull request's fields), for
// Delivery to sign. installation is the App's installation named in the payload.
func (s *Server) MergePull(t testenv.T, owner, name string, number int, installation int64) []byte {
	t.Helper()
	s.mu.Lock()
	r := s.repos[repoKey(owner, name)]
	var p *Pull
	if r != nil {
		for _, x := range r.pulls {
			if x.Number == number {
				p = x
			}
		}
	}
	if p == nil || p.State != "open" {
		s.mu.Unlock()
		t.Fatalf("githubapitest: %s/%s has no open pull request #%d to merge", owner, name, number)
	}
	r.git.init()
	h := sha1.Sum([]byte(fmt.Sprintf("merge\x00%s\x00%d", p.HeadSHA, p.Number)))
	mergeSHA := hex.EncodeToString(h[:])
	parents := []string{p.HeadSHA}
	if base := r.git.branches[p.BaseRef]; base != "" {
		parents = []string{base, p.HeadSHA}
	}
	cm := &Commit{SHA: mergeSHA, Message: fmt.Sprintf("Merge pull request #%d from %s/%s\n\n%s", p.Number, owner, p.HeadRef, p.Title),
		Parents: parents, AuthorName: "Octo Cat", AuthorEmail: "octocat@example.com", AuthorLogin: "octocat", Date: time.Now().UTC().Truncate(time.Second)}
	if r.commitAt == nil {
		r.commitAt = map[string]int{}
	}
	r.commitAt[mergeSHA] = len(r.commits)
	r.commits = append(r.commits, cm)
	r.files[mergeSHA] = r.files[p.HeadSHA]
	r.git.branches[p.BaseRef] = mergeSHA
	p.State, p.MergeSHA = "closed", mergeSHA
	host := strings.TrimPrefix(s.ts.URL, "http://")
	c := &call{s: s, r: &http.Request{Host: host}}
	pull := c.pullJSON(r, p, true)
	s.mu.Unlock()

	raw, err := os.ReadFile(testenv.External(t, "github-webhook-examples", "pull_request.closed.3.json"))
	if err != nil {
		t.Fatal(err)
	}
	var example map[string]any
	if err := json.Unmarshal([]byte(strings.ReplaceAll(string(raw), "Codertocat/Hello-World", owner+"/"+name)), &example); err != nil {
		t.Fatal(err)
	}
	ep := example["pull_request"].(map[string]any)
	for _, k := range []string{"url", "html_url", "number", "state", "title", "body", "closed_at", "merged_at", "merge_commit_sha", "merged",
		"commits", "additions", "deletions", "changed_files"} {
		ep[k] = pull[k]
	}
	for _, side := range []string{"head", "base"} {
		ours, theirs := pull[side].(map[string]any), ep[side].(map[string]any)
		theirs["ref"], theirs["sha"], theirs["label"] = ours["ref"], ours["sha"], ours["label"]
	}
	ep["merged_by"] = ep["user"]
	repo := example["repository"].(map[string]any)
	repo["name"], repo["full_name"] = name, owner+"/"+name
	repo["owner"].(map[string]any)["login"] = owner
	example["number"] = number
	example["installation"] = map[string]any{"id": installation, "node_id": fmt.Sprintf("MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u%d", installation)}
	data, err := json.Marshal(example)
	if err != nil {
		t.Fatal(err)
	}
	ValidateWebhook(t, "pull-request-closed", data)
	return data
}
