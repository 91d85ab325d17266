package githubapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v88/github"
)

// The git data calls a fix pull request is made of: a blob of the changed file, a tree of the
// release's tree with it, a commit of that tree on the release's commit, a new branch at the
// commit, and the pull request, its reviewers and assignee. None of them moves an existing
// branch: CreateRef refuses a branch that exists (ErrBranchExists), and nothing here updates a
// ref, so a protected or default branch is never written.

// ErrBranchExists is returned by CreateBranch when the branch exists already (GitHub's 422
// "Reference already exists"): an earlier attempt made it, or someone else did.
var ErrBranchExists = errors.New("the branch exists already")

// RepositoryInfo is what the bot reads of a repository.
type RepositoryInfo struct {
	FullName, DefaultBranch string
	Archived                bool
}

// Repository reads a repository: its default branch, for a pull request's base.
func (c *Client) Repository(ctx context.Context, owner, repo string) (*RepositoryInfo, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	cl := call{op: fmt.Sprintf("read repository %s/%s", owner, repo)}
	ctx, a := begin(ctx, cl)
	r, resp, err := c.gh.Repositories.Get(ctx, owner, repo)
	if err != nil {
		return nil, c.fail(cl, a, resp, err)
	}
	if r.GetDefaultBranch() == "" {
		return nil, c.protocol(cl, resp, errors.New("the answer has no default branch"))
	}
	return &RepositoryInfo{FullName: r.GetFullName(), DefaultBranch: r.GetDefaultBranch(), Archived: r.GetArchived()}, nil
}

// checkBranch rejects a branch name git refuses or that would change the request's path.
func checkBranch(branch string) error {
	if err := checkRef(branch); err != nil {
		return err
	}
	if strings.HasPrefix(branch, "refs/") || strings.HasPrefix(branch, "-") || strings.ContainsAny(branch, "~^:*[") || strings.HasSuffix(branch, ".lock") {
		return fmt.Errorf("githubapi: %q is not a branch name git accepts (give it without refs/heads/)", branch)
	}
	return nil
}

// BranchHead returns the commit a branch points at; found is false when there is no such
// branch (GET /repos/{owner}/{repo}/git/ref/heads/{branch}).
func (c *Client) BranchHead(ctx context.Context, owner, repo, branch string) (sha string, found bool, err error) {
	if err := checkRepo(owner, repo); err != nil {
		return "", false, err
	}
	if err := checkBranch(branch); err != nil {
		return "", false, err
	}
	cl := call{op: fmt.Sprintf("read branch %s of %s/%s", branch, owner, repo), absentIsData: true}
	ctx, a := begin(ctx, cl)
	ref, resp, err := c.gh.Git.GetRef(ctx, owner, repo, "heads/"+branch)
	if err != nil {
		err = c.fail(cl, a, resp, err)
		if errors.Is(err, ErrNotFound) {
			return "", false, nil
		}
		return "", false, err
	}
	if ref.GetObject().GetSHA() == "" {
		return "", false, c.protocol(cl, resp, errors.New("the answer names no commit"))
	}
	return ref.GetObject().GetSHA(), true, nil
}

// RootTree returns the SHA of a commit's root tree (GET …/git/trees/{sha}, not recursive):
// the base of a tree that changes one file.
func (c *Client) RootTree(ctx context.Context, owner, repo, commit string) (string, error) {
	if err := checkRepo(owner, repo); err != nil {
		return "", err
	}
	if err := checkRef(commit); err != nil {
		return "", err
	}
	cl := call{op: fmt.Sprintf("read the tree of %s in %s/%s", commit, owner, repo), absentIsData: true}
	ctx, a := begin(ctx, cl)
	tree, resp, err := c.gh.Git.GetTree(ctx, owner, repo, commit, false)
	if err != nil {
		return "", c.fail(cl, a, resp, err)
	}
	if tree.GetSHA() == "" {
		return "", c.protocol(cl, resp, errors.New("the answer is not a tree"))
	}
	return tree.GetSHA(), nil
}

// CreateBlob stores content as a blob and returns its SHA. Storing the same content twice
// makes the same blob, so it is retried.
func (c *Client) CreateBlob(ctx context.Context, owner, repo string, content []byte) (string, error) {
	if err := checkRepo(owner, repo); err != nil {
		return "", err
	}
	cl := call{op: fmt.Sprintf("store a blob of %d bytes in %s/%s", len(content), owner, repo), retrySafe: true}
	ctx, a := begin(ctx, cl)
	text, enc := string(content), "utf-8"
	blob, resp, err := c.gh.Git.CreateBlob(ctx, owner, repo, github.Blob{Content: &text, Encoding: &enc})
	if err != nil {
		return "", c.fail(cl, a, resp, err)
	}
	if blob.GetSHA() == "" {
		return "", c.protocol(cl, resp, errors.New("the answer has no SHA"))
	}
	return blob.GetSHA(), nil
}

// CreateTree makes a tree: baseTree's entries with the file at path set to the blob (mode
// 100644 unless mode says otherwise). The same inputs make the same tree, so it is retried.
func (c *Client) CreateTree(ctx context.Context, owner, repo, baseTree, path, mode, blob string) (string, error) {
	if err := checkRepo(owner, repo); err != nil {
		return "", err
	}
	switch {
	case baseTree == "" || blob == "":
		return "", errors.New("githubapi: a tree needs its base tree and the blob's SHA")
	case path == "" || strings.HasPrefix(path, "/") || strings.Contains(path, ".."):
		return "", fmt.Errorf("githubapi: %q is not a repository path", path)
	}
	if mode == "" {
		mode = "100644"
	}
	cl := call{op: fmt.Sprintf("make a tree changing %s in %s/%s", path, owner, repo), retrySafe: true}
	ctx, a := begin(ctx, cl)
	typ := "blob"
	tree, resp, err := c.gh.Git.CreateTree(ctx, owner, repo, baseTree, []*github.TreeEntry{{Path: &path, Mode: &mode, Type: &typ, SHA: &blob}})
	if err != nil {
		return "", c.fail(cl, a, resp, err)
	}
	if tree.GetSHA() == "" {
		return "", c.protocol(cl, resp, errors.New("the answer has no SHA"))
	}
	return tree.GetSHA(), nil
}

// CreateCommit makes a commit of tree on parent, authored by the App. It moves no branch.
// A retry after a server error makes at most an unreferenced commit, so it is retried.
func (c *Client) CreateCommit(ctx context.Context, owner, repo, message, tree, parent string) (string, error) {
	if err := checkRepo(owner, repo); err != nil {
		return "", err
	}
	if strings.TrimSpace(message) == "" || tree == "" || parent == "" {
		return "", errors.New("githubapi: a commit needs a message, a tree and a parent")
	}
	cl := call{op: fmt.Sprintf("make a commit on %s in %s/%s", parent, owner, repo), retrySafe: true}
	ctx, a := begin(ctx, cl)
	cm, resp, err := c.gh.Git.CreateCommit(ctx, owner, repo, github.Commit{Message: &message, Tree: &github.Tree{SHA: &tree},
		Parents: []*github.Commit{{SHA: &parent}}}, nil)
	if err != nil {
		return "", c.fail(cl, a, resp, err)
	}
	if cm.GetSHA() == "" {
		return "", c.protocol(cl, resp, errors.New("the answer has no SHA"))
	}
	return cm.GetSHA(), nil
}

// CreateBranch makes a new branch at sha. A branch of that name that exists already is
// ErrBranchExists: it is never moved. Not retried after a server error (the branch may have
// been made): read it with BranchHead.
func (c *Client) CreateBranch(ctx context.Context, owner, repo, branch, sha string) error {
	if err := checkRepo(owner, repo); err != nil {
		return err
	}
	if err := checkBranch(branch); err != nil {
		return err
	}
	cl := call{op: fmt.Sprintf("make branch %s at %s in %s/%s", branch, sha, owner, repo)}
	ctx, a := begin(ctx, cl)
	_, resp, err := c.gh.Git.CreateRef(ctx, owner, repo, github.CreateRef{Ref: "refs/heads/" + branch, SHA: sha})
	if err != nil {
		err = c.fail(cl, a, resp, err)
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusUnprocessableEntity && strings.Contains(ae.Message, "already exists") {
			return fmt.Errorf("githubapi: branch %s of %s/%s: %w (%w)", branch, owner, repo, ErrBranchExists, err)
		}
		return err
	}
	return nil
}

// FindPullByHead returns the newest pull request, open or closed, whose head is branch of
// the repository itself (GET …/pulls?head=OWNER:BRANCH&state=all); nil when there is none.
func (c *Client) FindPullByHead(ctx context.Context, owner, repo, branch string) (*PullRequest, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	if err := checkBranch(branch); err != nil {
		return nil, err
	}
	cl := call{op: fmt.Sprintf("list the pull requests of branch %s of %s/%s", branch, owner, repo)}
	ctx, a := begin(ctx, cl)
	prs, resp, err := c.gh.PullRequests.List(ctx, owner, repo, &github.PullRequestListOptions{State: "all", Head: owner + ":" + branch,
		Sort: "created", Direction: "desc", ListOptions: github.ListOptions{PerPage: perPage}})
	if err != nil {
		return nil, c.fail(cl, a, resp, err)
	}
	for _, pr := range prs {
		p, err := pullOf(pr)
		if err != nil {
			return nil, c.protocol(cl, resp, err)
		}
		if p.HeadRef == branch && !p.Fork {
			return &p, nil
		}
	}
	return nil, nil
}

// NewPull is a pull request to open.
type NewPull struct {
	Title, Body string
	// Head is a branch of the repository; Base the branch it merges into.
	Head, Base string
	Draft      bool
}

// CreatePull opens a pull request, the body cut to MaxCommentBody. Not retried after a server
// error (it may have been opened): find it with FindPullByHead.
func (c *Client) CreatePull(ctx context.Context, owner, repo string, np NewPull) (*PullRequest, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	if strings.TrimSpace(np.Title) == "" {
		return nil, errors.New("githubapi: a pull request needs a title")
	}
	for _, b := range []string{np.Head, np.Base} {
		if err := checkBranch(b); err != nil {
			return nil, err
		}
	}
	body := Truncate(np.Body, MaxCommentBody)
	cl := call{op: fmt.Sprintf("open a pull request from %s into %s of %s/%s", np.Head, np.Base, owner, repo)}
	ctx, a := begin(ctx, cl)
	pr, resp, err := c.gh.PullRequests.Create(ctx, owner, repo, &github.NewPullRequest{Title: &np.Title, Head: &np.Head, Base: &np.Base,
		Body: &body, Draft: &np.Draft})
	if err != nil {
		return nil, c.fail(cl, a, resp, err)
	}
	p, err := pullOf(pr)
	if err != nil {
		return nil, c.protocol(cl, resp, err)
	}
	return &p, nil
}

// RequestReviewers asks users (logins) and teams (slugs of the repository's organization)
// to review a pull request. Asking again is harmless, so it is retried.
func (c *Client) RequestReviewers(ctx context.Context, owner, repo string, number int, users, teams []string) error {
	if err := checkPull(owner, repo, number); err != nil {
		return err
	}
	if len(users) == 0 && len(teams) == 0 {
		return nil
	}
	cl := call{op: fmt.Sprintf("request reviewers of #%d of %s/%s", number, owner, repo), retrySafe: true}
	ctx, a := begin(ctx, cl)
	_, resp, err := c.gh.PullRequests.RequestReviewers(ctx, owner, repo, number, github.ReviewersRequest{Reviewers: users, TeamReviewers: teams})
	return c.fail(cl, a, resp, err)
}

// AddAssignees assigns logins to an issue or pull request. Assigning again is harmless, so
// it is retried. GitHub silently leaves out a login that cannot be assigned.
func (c *Client) AddAssignees(ctx context.Context, owner, repo string, number int, logins ...string) error {
	if err := checkPull(owner, repo, number); err != nil {
		return err
	}
	if len(logins) == 0 {
		return nil
	}
	cl := call{op: fmt.Sprintf("assign #%d of %s/%s", number, owner, repo), retrySafe: true}
	ctx, a := begin(ctx, cl)
	_, resp, err := c.gh.Issues.AddAssignees(ctx, owner, repo, number, logins)
	return c.fail(cl, a, resp, err)
}

// LineComment is a review comment on lines StartLine..Line of a file's new side (RIGHT);
// StartLine 0 comments on Line alone. The lines must lie within one hunk of the diff.
type LineComment struct {
	Path            string
	StartLine, Line int
	Body            string
}

// CreateReviewComment posts a review (event COMMENT) holding one comment on lines of the
// pull request's diff, at commit (its head when the comment was rendered; "" for the current
// head). A review rather than a lone review comment: it needs no commit, and the review's body
// carries a marker that FindReview finds after a crash. Not retried after a server error.
// A line outside the diff is ErrInvalid.
func (c *Client) CreateReviewComment(ctx context.Context, owner, repo string, number int, commit, body string, lc LineComment) (int64, error) {
	if err := checkPull(owner, repo, number); err != nil {
		return 0, err
	}
	if lc.Path == "" || lc.Line <= 0 || lc.StartLine < 0 || lc.StartLine > lc.Line || strings.TrimSpace(lc.Body) == "" {
		return 0, fmt.Errorf("githubapi: a review comment needs a path, a line ≥ 1 (start line ≤ line) and a body, not %+v", lc)
	}
	event, side := "COMMENT", "RIGHT"
	comment := &github.DraftReviewComment{Path: &lc.Path, Line: &lc.Line, Side: &side, Body: github.Ptr(Truncate(lc.Body, MaxCommentBody))}
	if lc.StartLine > 0 && lc.StartLine < lc.Line {
		comment.StartLine, comment.StartSide = &lc.StartLine, &side
	}
	req := &github.PullRequestReviewRequest{Body: github.Ptr(Truncate(body, MaxCommentBody)), Event: &event, Comments: []*github.DraftReviewComment{comment}}
	if commit != "" {
		req.CommitID = &commit
	}
	cl := call{op: fmt.Sprintf("review #%d of %s/%s", number, owner, repo)}
	ctx, a := begin(ctx, cl)
	rv, resp, err := c.gh.PullRequests.CreateReview(ctx, owner, repo, number, req)
	if err != nil {
		return 0, c.fail(cl, a, resp, err)
	}
	if rv.GetID() == 0 {
		return 0, c.protocol(cl, resp, errors.New("the answer has no review ID"))
	}
	return rv.GetID(), nil
}

// FindReview returns the ID of the App's oldest review of a pull request whose body holds
// marker (a hidden HTML comment), 0 when there is none; every page is read.
func (c *Client) FindReview(ctx context.Context, owner, repo string, number int, marker string) (int64, error) {
	if err := checkPull(owner, repo, number); err != nil {
		return 0, err
	}
	if err := checkMarker(marker); err != nil {
		return 0, err
	}
	if c.factory == nil {
		return 0, errors.New("githubapi: FindReview needs a client of a Factory")
	}
	login, err := c.factory.BotLogin(ctx)
	if err != nil {
		return 0, err
	}
	cl := call{op: fmt.Sprintf("list the reviews of #%d of %s/%s", number, owner, repo)}
	ctx, a := begin(ctx, cl)
	opts := &github.ListOptions{PerPage: perPage}
	for {
		page, resp, err := c.gh.PullRequests.ListReviews(ctx, owner, repo, number, opts)
		if err != nil {
			return 0, c.fail(cl, a, resp, err)
		}
		for _, rv := range page {
			if strings.EqualFold(rv.GetUser().GetLogin(), login) && strings.Contains(rv.GetBody(), marker) {
				return rv.GetID(), nil
			}
		}
		if resp.NextPage == 0 {
			return 0, nil
		}
		opts.Page = resp.NextPage
	}
}
