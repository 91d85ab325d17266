package githubapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v88/github"
)

// GitHub's limits on the lists the pull request and comparison calls read.
const (
	// MaxCompareFiles is how many changed files a comparison lists (on its first page only).
	MaxCompareFiles = 300
	// MaxCompareCommits is how many commits [Client.Compare] reads; a range longer than that
	// is not a release worth tracing file by file.
	MaxCompareCommits = 10_000
	// MaxPullFiles is how many files GitHub lists of one pull request.
	MaxPullFiles = 3000
	// MaxPullCommits is how many commits GitHub lists of one pull request.
	MaxPullCommits = 250
)

// perPage is the most GitHub lists per page.
const perPage = 100

// Commit is one commit of a comparison or a pull request.
type Commit struct {
	SHA string
	// Message is the whole message: the subject, a blank line and the body.
	Message string
	// AuthorName and AuthorEmail are git's author; AuthorLogin the GitHub account GitHub tied
	// them to ("" when none).
	AuthorName, AuthorEmail, AuthorLogin string
	// Date is the author date.
	Date time.Time
	// URL is the commit's page on GitHub.
	URL string
}

// ChangedFile is one file of a comparison or a pull request.
type ChangedFile struct {
	// Path is the file's name after the change; PreviousPath its name before a rename or copy.
	Path, PreviousPath string
	// Status is added, removed, modified, renamed, copied, changed or unchanged.
	Status               string
	Additions, Deletions int
	// Patch is the file's unified diff hunks; GitHub leaves it out for binary and large files.
	Patch string
}

// Comparison is what lies between two commits (GET /repos/{owner}/{repo}/compare/{base}...{head}).
type Comparison struct {
	// Status is ahead (head descends from base), behind, identical or diverged.
	Status string
	// AheadBy and BehindBy count the commits of head not in base and of base not in head.
	AheadBy, BehindBy int
	// MergeBase is the newest commit both descend from.
	MergeBase string
	// TotalCommits is how many commits head has beyond base, as GitHub counts them.
	TotalCommits int
	// Commits are those commits, oldest first, every one unless CommitsTruncated.
	Commits []Commit
	// CommitsTruncated: the range holds more than MaxCompareCommits commits, or GitHub listed
	// fewer than it counted; Commits are the oldest ones read.
	CommitsTruncated bool
	// Files are the files changed between base and head, at most MaxCompareFiles.
	Files []ChangedFile
	// FilesTruncated: GitHub listed MaxCompareFiles files, so there may be more it did not
	// list; look at each pull request's own files instead.
	FilesTruncated bool
}

// checkSide rejects a base or head that cannot be one side of a comparison.
func checkSide(what, ref string) error {
	if err := checkRef(ref); err != nil {
		return fmt.Errorf("githubapi: the comparison's %s: %w", what, err)
	}
	return nil
}

// Compare reads what lies between base and head (commit SHAs, branch or tag names; a fork's
// branch as OWNER:BRANCH): git log base..head, oldest first, with the changed files. It pages
// through every commit (without paging GitHub lists 250 at most) up to MaxCompareCommits, and
// says in the answer when the commits or the files were cut. A base or head the repository
// does not have is ErrNotFound and ErrMisconfigured (GitHub answers 404 for it as for a
// repository the installation cannot see): check the release's commits and repository.
func (c *Client) Compare(ctx context.Context, owner, repo, base, head string) (*Comparison, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	if err := checkSide("base", base); err != nil {
		return nil, err
	}
	if err := checkSide("head", head); err != nil {
		return nil, err
	}
	cl := call{op: fmt.Sprintf("compare %s...%s in %s/%s", base, head, owner, repo)}
	ctx, a := begin(ctx, cl)
	out := &Comparison{}
	opts := &github.ListOptions{PerPage: perPage, Page: 1}
	for {
		cmp, resp, err := c.gh.Repositories.CompareCommits(ctx, owner, repo, base, head, opts)
		if err != nil {
			err = c.fail(cl, a, resp, err)
			var ae *APIError
			if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
				ae.Hint += fmt.Sprintf("; or %s or %s is not a commit of %s/%s", base, head, owner, repo)
			}
			return nil, err
		}
		if cmp == nil || cmp.Status == nil || cmp.TotalCommits == nil || cmp.Commits == nil && cmp.GetTotalCommits() > 0 {
			return nil, c.protocol(cl, resp, errors.New("the answer is not a comparison"))
		}
		if opts.Page == 1 {
			out.Status, out.AheadBy, out.BehindBy = cmp.GetStatus(), cmp.GetAheadBy(), cmp.GetBehindBy()
			out.MergeBase, out.TotalCommits = cmp.GetMergeBaseCommit().GetSHA(), cmp.GetTotalCommits()
			for _, f := range cmp.Files {
				out.Files = append(out.Files, changedFile(f))
			}
			out.FilesTruncated = len(out.Files) >= MaxCompareFiles
		}
		for _, rc := range cmp.Commits {
			cm, err := commitOf(rc)
			if err != nil {
				return nil, c.protocol(cl, resp, err)
			}
			out.Commits = append(out.Commits, cm)
		}
		if len(out.Commits) >= MaxCompareCommits {
			out.Commits = out.Commits[:MaxCompareCommits]
			break
		}
		if resp.NextPage == 0 || len(cmp.Commits) == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	out.CommitsTruncated = len(out.Commits) < out.TotalCommits
	return out, nil
}

func commitOf(rc *github.RepositoryCommit) (Commit, error) {
	if rc.GetSHA() == "" || rc.Commit == nil {
		return Commit{}, errors.New("a commit has no SHA or no git commit")
	}
	g := rc.GetCommit()
	return Commit{
		SHA: rc.GetSHA(), Message: g.GetMessage(), AuthorName: g.GetAuthor().GetName(), AuthorEmail: g.GetAuthor().GetEmail(),
		AuthorLogin: rc.GetAuthor().GetLogin(), Date: g.GetAuthor().GetDate().Time, URL: rc.GetHTMLURL(),
	}, nil
}

func changedFile(f *github.CommitFile) ChangedFile {
	return ChangedFile{
		Path: f.GetFilename(), PreviousPath: f.GetPreviousFilename(), Status: f.GetStatus(),
		Additions: f.GetAdditions(), Deletions: f.GetDeletions(), Patch: f.GetPatch(),
	}
}

// PullRequest is a pull request as the triage bot reads it.
type PullRequest struct {
	Number      int
	Title, Body string
	// State is open or closed; a merged pull request is closed and Merged.
	State  string
	Merged bool
	// MergedAt is zero unless Merged; MergeCommitSHA is the commit the merge made on the base
	// branch (for an open pull request GitHub gives a test merge's, which means nothing).
	MergedAt       time.Time
	MergeCommitSHA string
	Draft          bool
	// Author is the opener's login; URL the pull request's page.
	Author, URL string
	// BaseRef and BaseRepo ("owner/name") are where it merges to; HeadRef, HeadSHA and
	// HeadRepo where its commits come from. HeadRepo is "" when the fork was deleted.
	BaseRef, BaseRepo          string
	HeadRef, HeadSHA, HeadRepo string
	// Fork: the head branch lives in another repository (or a deleted one). A fork's pull
	// request gets read-only tokens in Actions and its branch is not the App's to push to.
	Fork bool
}

func pullOf(pr *github.PullRequest) (PullRequest, error) {
	if pr.GetNumber() <= 0 || pr.Base == nil || pr.Head == nil {
		return PullRequest{}, errors.New("a pull request has no number, base or head")
	}
	p := PullRequest{
		Number: pr.GetNumber(), Title: pr.GetTitle(), Body: pr.GetBody(), State: pr.GetState(),
		Merged: pr.GetMerged() || pr.MergedAt != nil, MergedAt: pr.GetMergedAt().Time, MergeCommitSHA: pr.GetMergeCommitSHA(),
		Draft: pr.GetDraft(), Author: pr.GetUser().GetLogin(), URL: pr.GetHTMLURL(),
		BaseRef: pr.GetBase().GetRef(), BaseRepo: pr.GetBase().GetRepo().GetFullName(),
		HeadRef: pr.GetHead().GetRef(), HeadSHA: pr.GetHead().GetSHA(), HeadRepo: pr.GetHead().GetRepo().GetFullName(),
	}
	if !p.Merged {
		p.MergeCommitSHA = ""
	}
	p.Fork = p.HeadRepo == "" || p.BaseRepo != "" && !strings.EqualFold(p.HeadRepo, p.BaseRepo)
	return p, nil
}

// PullsOfCommit lists the pull requests of a commit (GET …/commits/{sha}/pulls): the merged one
// that brought it to the default branch, or, for a commit not there yet, the open ones and
// merged ones holding it. Every page is read. An empty list is no pull request (a direct
// push), not an error.
func (c *Client) PullsOfCommit(ctx context.Context, owner, repo, sha string) ([]PullRequest, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	if err := checkRef(sha); err != nil {
		return nil, err
	}
	cl := call{op: fmt.Sprintf("list the pull requests of %s in %s/%s", sha, owner, repo)}
	ctx, a := begin(ctx, cl)
	var out []PullRequest
	opts := &github.ListOptions{PerPage: perPage}
	for {
		prs, resp, err := c.gh.PullRequests.ListPullRequestsWithCommit(ctx, owner, repo, sha, opts)
		if err != nil {
			return nil, c.fail(cl, a, resp, err)
		}
		if prs == nil {
			return nil, c.protocol(cl, resp, errors.New("the answer is not a list"))
		}
		for _, pr := range prs {
			p, err := pullOf(pr)
			if err != nil {
				return nil, c.protocol(cl, resp, err)
			}
			out = append(out, p)
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// PullRequest reads one pull request. A number the repository does not have is ErrNotFound
// (and not ErrMisconfigured: a "Fixes #12" may name anything).
func (c *Client) PullRequest(ctx context.Context, owner, repo string, number int) (*PullRequest, error) {
	if err := checkPull(owner, repo, number); err != nil {
		return nil, err
	}
	cl := call{op: fmt.Sprintf("read pull request #%d of %s/%s", number, owner, repo), absentIsData: true}
	ctx, a := begin(ctx, cl)
	pr, resp, err := c.gh.PullRequests.Get(ctx, owner, repo, number)
	if err != nil {
		return nil, c.fail(cl, a, resp, err)
	}
	p, err := pullOf(pr)
	if err != nil {
		return nil, c.protocol(cl, resp, err)
	}
	if p.Number != number {
		return nil, c.protocol(cl, resp, fmt.Errorf("the answer is pull request #%d", p.Number))
	}
	return &p, nil
}

func checkPull(owner, repo string, number int) error {
	if err := checkRepo(owner, repo); err != nil {
		return err
	}
	if number <= 0 {
		return fmt.Errorf("githubapi: %d is not a pull request number", number)
	}
	return nil
}

// PullFiles lists a pull request's changed files, every page. truncated says GitHub listed
// MaxPullFiles, its most: there may be more it did not list. A missing pull request is
// ErrNotFound.
func (c *Client) PullFiles(ctx context.Context, owner, repo string, number int) (files []ChangedFile, truncated bool, err error) {
	if err := checkPull(owner, repo, number); err != nil {
		return nil, false, err
	}
	cl := call{op: fmt.Sprintf("list the files of pull request #%d of %s/%s", number, owner, repo), absentIsData: true}
	ctx, a := begin(ctx, cl)
	opts := &github.ListOptions{PerPage: perPage}
	for {
		page, resp, err := c.gh.PullRequests.ListFiles(ctx, owner, repo, number, opts)
		if err != nil {
			return nil, false, c.fail(cl, a, resp, err)
		}
		if page == nil {
			return nil, false, c.protocol(cl, resp, errors.New("the answer is not a list"))
		}
		for _, f := range page {
			if f.GetFilename() == "" {
				return nil, false, c.protocol(cl, resp, errors.New("a file has no name"))
			}
			files = append(files, changedFile(f))
		}
		if resp.NextPage == 0 || len(files) >= MaxPullFiles {
			return files, len(files) >= MaxPullFiles, nil
		}
		opts.Page = resp.NextPage
	}
}

// PullCommits lists a pull request's commits, oldest first, every page: for "Fixes WEB-123" in
// their messages. truncated says GitHub listed MaxPullCommits, its most. A missing pull
// request is ErrNotFound.
func (c *Client) PullCommits(ctx context.Context, owner, repo string, number int) (commits []Commit, truncated bool, err error) {
	if err := checkPull(owner, repo, number); err != nil {
		return nil, false, err
	}
	cl := call{op: fmt.Sprintf("list the commits of pull request #%d of %s/%s", number, owner, repo), absentIsData: true}
	ctx, a := begin(ctx, cl)
	opts := &github.ListOptions{PerPage: perPage}
	for {
		page, resp, err := c.gh.PullRequests.ListCommits(ctx, owner, repo, number, opts)
		if err != nil {
			return nil, false, c.fail(cl, a, resp, err)
		}
		if page == nil {
			return nil, false, c.protocol(cl, resp, errors.New("the answer is not a list"))
		}
		for _, rc := range page {
			cm, err := commitOf(rc)
			if err != nil {
				return nil, false, c.protocol(cl, resp, err)
			}
			commits = append(commits, cm)
		}
		if resp.NextPage == 0 || len(commits) >= MaxPullCommits {
			return commits, len(commits) >= MaxPullCommits, nil
		}
		opts.Page = resp.NextPage
	}
}
