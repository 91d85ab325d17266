package githubapitest

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// routeTable lists every operation the server answers, each one of the vendored description's
// (scripts/vendor-external's githubOperations).
func (s *Server) routeTable() []route {
	const repoPath = "/repos/{owner}/{repo}"
	return []route{
		{method: "GET", path: "/app", auth: authApp, handler: s.getApp},
		{method: "POST", path: "/app/installations/{installation_id}/access_tokens", auth: authApp, handler: s.createToken},
		{method: "GET", path: repoPath + "/installation", auth: authApp, handler: s.repoInstallation},
		{method: "POST", path: "/app-manifests/{code}/conversions", auth: authNone, handler: s.manifestConversion},
		{method: "GET", path: repoPath + "/contents/{path}", auth: authInstallation, permission: "contents:read", handler: s.getContents},
		{method: "GET", path: repoPath + "/git/trees/{tree_sha}", auth: authInstallation, permission: "contents:read", handler: s.getTree},
		{method: "POST", path: repoPath + "/actions/runs/{run_id}/deployment_protection_rule", auth: authInstallation, permission: "deployments:write", handler: s.reviewRule},
		{method: "GET", path: repoPath + "/actions/runs/{run_id}/pending_deployments", auth: authInstallation, permission: "actions:read", handler: s.pendingDeployments},
		{method: "POST", path: repoPath + "/check-runs", auth: authInstallation, permission: "checks:write", handler: s.createCheckRun},
		{method: "PATCH", path: repoPath + "/check-runs/{check_run_id}", auth: authInstallation, permission: "checks:write", handler: s.updateCheckRun},
		{method: "GET", path: repoPath + "/check-runs/{check_run_id}", auth: authInstallation, permission: "checks:read", handler: s.getCheckRun},
		{method: "GET", path: repoPath + "/commits/{ref}/check-runs", auth: authInstallation, permission: "checks:read", handler: s.listCheckRunsForRef},
		{method: "GET", path: repoPath + "/issues/{issue_number}/comments", auth: authInstallation, permission: "issues:read", handler: s.listComments},
		{method: "POST", path: repoPath + "/issues/{issue_number}/comments", auth: authInstallation, permission: "issues:write", handler: s.createComment},
		{method: "PATCH", path: repoPath + "/issues/comments/{comment_id}", auth: authInstallation, permission: "issues:write", handler: s.updateComment},
		{method: "GET", path: repoPath + "/commits/{commit_sha}/pulls", auth: authInstallation, permission: "pull_requests:read", handler: s.pullsOfCommit},
		{method: "GET", path: repoPath + "/pulls/{pull_number}", auth: authInstallation, permission: "pull_requests:read", handler: s.getPull},
		{method: "GET", path: repoPath + "/pulls/{pull_number}/files", auth: authInstallation, permission: "pull_requests:read", handler: s.listPullFiles},
		{method: "GET", path: repoPath + "/pulls/{pull_number}/commits", auth: authInstallation, permission: "pull_requests:read", handler: s.listPullCommits},
		{method: "GET", path: repoPath + "/compare/{basehead}", auth: authInstallation, permission: "contents:read", handler: s.compare},
		{method: "GET", path: repoPath, auth: authInstallation, permission: "metadata:read", handler: s.getRepo},
		{method: "GET", path: repoPath + "/git/ref/{ref}", auth: authInstallation, permission: "contents:read", handler: s.getRef},
		{method: "POST", path: repoPath + "/git/refs", auth: authInstallation, permission: "contents:write", handler: s.createRef},
		{method: "POST", path: repoPath + "/git/blobs", auth: authInstallation, permission: "contents:write", handler: s.createBlob},
		{method: "POST", path: repoPath + "/git/trees", auth: authInstallation, permission: "contents:write", handler: s.createTree},
		{method: "POST", path: repoPath + "/git/commits", auth: authInstallation, permission: "contents:write", handler: s.createGitCommit},
		{method: "GET", path: repoPath + "/pulls", auth: authInstallation, permission: "pull_requests:read", handler: s.listPulls},
		{method: "POST", path: repoPath + "/pulls", auth: authInstallation, permission: "pull_requests:write", handler: s.createPull},
		{method: "POST", path: repoPath + "/pulls/{pull_number}/requested_reviewers", auth: authInstallation, permission: "pull_requests:write", handler: s.requestReviewers},
		{method: "POST", path: repoPath + "/issues/{issue_number}/assignees", auth: authInstallation, permission: "issues:write", handler: s.addAssignees},
		{method: "POST", path: repoPath + "/pulls/{pull_number}/reviews", auth: authInstallation, permission: "pull_requests:write", handler: s.createReview},
		{method: "GET", path: repoPath + "/pulls/{pull_number}/reviews", auth: authInstallation, permission: "pull_requests:read", handler: s.listReviews},
	}
}

func (c *call) param(name string) string { return c.r.PathValue(name) }

func (c *call) intParam(name string) (int64, bool) {
	n, err := strconv.ParseInt(c.param(name), 10, 64)
	if err != nil || n <= 0 {
		c.notFound()
		return 0, false
	}
	return n, true
}

// repo is a repository: its files at each ref.
type repo struct {
	id          int64
	owner, name string
	defaultRef  string
	files       map[string]map[string][]byte // ref → path → content
	submodules  map[string]map[string]string // ref → path → the submodule's commit
	pulls       []*Pull
	commits     []*Commit      // in the order added, which is the history's
	commitAt    map[string]int // SHA → index in commits
	git         gitData        // blobs, trees and branches made through the git data API
}

func repoKey(owner, name string) string { return strings.ToLower(owner + "/" + name) }

// repoLocked returns the repository, creating it (default branch "main") if new.
func (s *Server) repoLocked(owner, name string) *repo {
	k := repoKey(owner, name)
	if r := s.repos[k]; r != nil {
		return r
	}
	r := &repo{id: s.newID(), owner: owner, name: name, defaultRef: "main", files: map[string]map[string][]byte{}, submodules: map[string]map[string]string{}}
	s.repos[k] = r
	return r
}

// SetFile puts a file in a repository at ref (a branch, tag or commit SHA, matched as given).
func (s *Server) SetFile(owner, name, ref, path string, content []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.repoLocked(owner, name)
	if r.files[ref] == nil {
		r.files[ref] = map[string][]byte{}
	}
	r.files[ref][strings.Trim(path, "/")] = append([]byte(nil), content...)
}

// AddManifestCode makes code valid, once, for the manifest conversion.
func (s *Server) AddManifestCode(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = false
}

func simpleUser(base, login string, id int64, typ string) map[string]any {
	u := base + "/users/" + login
	return map[string]any{
		"login": login, "id": id, "node_id": fmt.Sprintf("U_%d", id), "avatar_url": "https://avatars.example.com/u/" + strconv.FormatInt(id, 10),
		"gravatar_id": "", "url": u, "html_url": "https://github.com/" + login, "followers_url": u + "/followers",
		"following_url": u + "/following{/other_user}", "gists_url": u + "/gists{/gist_id}", "starred_url": u + "/starred{/owner}{/repo}",
		"subscriptions_url": u + "/subscriptions", "organizations_url": u + "/orgs", "repos_url": u + "/repos", "events_url": u + "/events{/privacy}",
		"received_events_url": u + "/received_events", "type": typ, "site_admin": false,
	}
}

var appEpoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// integration renders the App as GET /app does.
func (c *call) integration() map[string]any {
	s := c.s
	return map[string]any{
		"id": s.opts.AppID, "slug": s.opts.AppSlug, "node_id": fmt.Sprintf("A_%d", s.opts.AppID), "client_id": "Iv1.githubapitest",
		"owner": simpleUser(c.baseURL(), "releasegate", 1, "Organization"), "name": s.opts.AppSlug, "description": "A fake App",
		"external_url": "https://releasegate.example.com", "html_url": "https://github.com/apps/" + s.opts.AppSlug,
		"created_at": appEpoch.Format(time.RFC3339), "updated_at": appEpoch.Format(time.RFC3339),
		"permissions": DefaultPermissions, "events": []string{"deployment_protection_rule", "check_run", "pull_request"},
	}
}

func (s *Server) getApp(c *call) { c.json(http.StatusOK, c.integration()) }

func (s *Server) createToken(c *call) {
	id, ok := c.intParam("installation_id")
	if !ok {
		return
	}
	inst := s.insts[id]
	switch {
	case inst == nil:
		c.notFound()
		return
	case inst.Suspended:
		c.message(http.StatusForbidden, "This installation has been suspended")
		return
	}
	tok, expires := s.mintToken(inst)
	c.json(http.StatusCreated, map[string]any{
		"token": tok, "expires_at": expires.Format(time.RFC3339), "permissions": inst.Permissions, "repository_selection": "selected",
	})
}

func (c *call) installationJSON(inst *Installation) map[string]any {
	base := c.baseURL()
	return map[string]any{
		"id": inst.ID, "app_id": c.s.opts.AppID, "app_slug": c.s.opts.AppSlug, "target_id": inst.ID + 1, "target_type": "Organization",
		"account": simpleUser(base, inst.Account, inst.ID+1, "Organization"), "single_file_name": nil, "repository_selection": "selected",
		"access_tokens_url": fmt.Sprintf("%s/app/installations/%d/access_tokens", base, inst.ID),
		"html_url":          fmt.Sprintf("https://github.com/organizations/%s/settings/installations/%d", inst.Account, inst.ID),
		"repositories_url":  base + "/installation/repositories", "events": []string{"deployment_protection_rule"},
		"permissions": inst.Permissions, "created_at": appEpoch.Format(time.RFC3339), "updated_at": appEpoch.Format(time.RFC3339),
		"suspended_by": nil, "suspended_at": nil,
	}
}

func (s *Server) repoInstallation(c *call) {
	owner, name := c.param("owner"), c.param("repo")
	ids := make([]int64, 0, len(s.insts))
	for id := range s.insts {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if inst := s.insts[id]; strings.EqualFold(inst.Account, owner) && containsFold(inst.Repos, name) {
			c.json(http.StatusOK, c.installationJSON(inst))
			return
		}
	}
	c.notFound()
}

func (s *Server) manifestConversion(c *call) {
	code := c.param("code")
	used, ok := s.codes[code]
	if !ok || used {
		c.notFound()
		return
	}
	s.codes[code] = true
	app := c.integration()
	app["client_id"], app["client_secret"], app["webhook_secret"], app["pem"] = "Iv1.githubapitest", "client-secret-"+code, "webhook-secret-"+code, string(s.key)
	c.json(http.StatusCreated, app)
}

// maxContentSize is the largest file the contents API returns the content of.
const maxContentSize = 1 << 20

func (s *Server) getContents(c *call) {
	r := s.repos[repoKey(c.param("owner"), c.param("repo"))]
	ref := c.r.URL.Query().Get("ref")
	if ref == "" {
		ref = r.defaultRef
	}
	path := strings.Trim(c.param("path"), "/")
	files := r.files[ref]
	base := fmt.Sprintf("%s/repos/%s/%s", c.baseURL(), r.owner, r.name)
	if data, ok := files[path]; ok {
		sum := blobSHA(data)
		self := fmt.Sprintf("%s/contents/%s?ref=%s", base, path, ref)
		html := fmt.Sprintf("https://github.com/%s/%s/blob/%s/%s", r.owner, r.name, ref, path)
		content, encoding := wrap64(data), "base64"
		if len(data) > maxContentSize {
			content, encoding = "", "none"
		}
		c.json(http.StatusOK, map[string]any{
			"type": "file", "encoding": encoding, "size": len(data), "name": path[strings.LastIndex(path, "/")+1:], "path": path,
			"content": content, "sha": sum, "url": self, "git_url": base + "/git/blobs/" + sum, "html_url": html,
			"download_url": fmt.Sprintf("https://raw.githubusercontent.com/%s/%s/%s/%s", r.owner, r.name, ref, path),
			"_links":       map[string]any{"self": self, "git": base + "/git/blobs/" + sum, "html": html},
		})
		return
	}
	var entries []map[string]any
	for p, data := range files {
		if rest, ok := strings.CutPrefix(p, path+"/"); ok && !strings.Contains(rest, "/") {
			sum := blobSHA(data)
			self := fmt.Sprintf("%s/contents/%s?ref=%s", base, p, ref)
			entries = append(entries, map[string]any{
				"type": "file", "size": len(data), "name": rest, "path": p, "sha": sum, "url": self,
				"git_url": base + "/git/blobs/" + sum, "html_url": nil, "download_url": nil,
				"_links": map[string]any{"self": self, "git": base + "/git/blobs/" + sum, "html": nil},
			})
		}
	}
	if entries == nil {
		c.notFound()
		return
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i]["name"].(string) < entries[j]["name"].(string) })
	c.json(http.StatusOK, entries)
}

func blobSHA(data []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(data))
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))
}

// wrap64 encodes as the contents API does: base64 in lines of 60 characters.
func wrap64(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60])
		b.WriteByte('\n')
		enc = enc[60:]
	}
	b.WriteString(enc)
	b.WriteByte('\n')
	return b.String()
}

// ProtectionReview is one review of a deployment protection rule, as the server received it.
type ProtectionReview struct {
	Owner, Repo  string
	RunID        int64
	Installation int64
	Environment  string
	// State is "approved", "rejected", or "" for a status report.
	State   string
	Comment string
}

// RefusedReviews returns the decisions refused because the rule was already decided.
func (s *Server) RefusedReviews() []ProtectionReview {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ProtectionReview(nil), s.refused...)
}

// Reviews returns the reviews received, in order.
func (s *Server) Reviews() []ProtectionReview {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ProtectionReview(nil), s.reviews...)
}

// maxReports is how many status reports GitHub takes per deployment; maxReportLen the longest.
const (
	maxReports   = 10
	maxReportLen = 1024
)

func (s *Server) reviewRule(c *call) {
	runID, ok := c.intParam("run_id")
	if !ok {
		return
	}
	var body struct {
		EnvironmentName string  `json:"environment_name"`
		State           *string `json:"state"`
		Comment         *string `json:"comment"`
	}
	if !c.decode(&body) {
		return
	}
	rv := ProtectionReview{Owner: c.param("owner"), Repo: c.param("repo"), RunID: runID, Installation: c.inst.ID, Environment: body.EnvironmentName}
	if body.Comment != nil {
		rv.Comment = *body.Comment
	}
	if body.State != nil {
		rv.State = *body.State
	}
	if rv.State != "" {
		// A decision ends the wait: nothing is left for a second one to decide. GitHub's answer
		// to it is not documented; refusing is the model the client is written against (a
		// resumed review that finds the rule decided takes its own first call to have landed),
		// and the refusals are kept so a test can count the attempts.
		for _, r := range s.reviews {
			if r.RunID == runID && r.Environment == rv.Environment && r.State != "" {
				s.refused = append(s.refused, rv)
				c.validation("the deployment protection rule for this environment has already been reviewed")
				return
			}
		}
	}
	if rv.State == "" {
		reports := 0
		for _, r := range s.reviews {
			if r.RunID == runID && r.Environment == rv.Environment && r.State == "" {
				reports++
			}
		}
		switch {
		case reports >= maxReports:
			c.validation(fmt.Sprintf("At most %d status reports may be posted for a deployment", maxReports))
			return
		case utf8.RuneCountInString(rv.Comment) > maxReportLen:
			c.validation(fmt.Sprintf("comment is too long (maximum is %d characters)", maxReportLen))
			return
		}
	}
	s.reviews = append(s.reviews, rv)
	c.w.WriteHeader(http.StatusNoContent)
}

func (s *Server) pendingDeployments(c *call) {
	// The App's own rules are not listed here (only required reviewers' are), so a fake run
	// has none.
	c.json(http.StatusOK, []any{})
}
