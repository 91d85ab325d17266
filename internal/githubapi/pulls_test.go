package githubapi_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
)

const compareRoute = "GET /repos/{owner}/{repo}/compare/{basehead}"

// history adds n commits c000…c(n-1) to acme/web, each changing files f<i>.ts, and returns
// their SHAs.
func history(b *bundle, n, filesEach int) []string {
	var shas []string
	var commits []githubapitest.Commit
	for i := range n {
		sha := fmt.Sprintf("c%03d", i)
		cm := githubapitest.Commit{SHA: sha, Message: fmt.Sprintf("change %d\n\nFixes WEB-%d", i, i)}
		for j := range filesEach {
			cm.Files = append(cm.Files, githubapitest.PullFile{Filename: fmt.Sprintf("src/f%d-%d.ts", i, j), Additions: 1, Patch: "@@ -0,0 +1 @@\n+x"})
		}
		commits = append(commits, cm)
		shas = append(shas, sha)
	}
	b.gh.AddCommits("acme", "web", commits...)
	return shas
}

func TestCompare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		commits, filesEach   int
		base, head           int
		status               string
		want                 int // commits listed
		filesTrunc           bool
		files, pagesRequests int
	}{
		{name: "a short release", commits: 5, filesEach: 1, base: 1, head: 4, status: "ahead", want: 3, files: 3, pagesRequests: 1},
		// Without paging GitHub would list 250; the wrapper pages and gets all 260.
		{name: "more than 250 commits", commits: 262, filesEach: 0, base: 0, head: 260, status: "ahead", want: 260, pagesRequests: 3},
		{name: "more than 300 files are said", commits: 40, filesEach: 10, base: 0, head: 39, status: "ahead", want: 39, files: githubapi.MaxCompareFiles, filesTrunc: true, pagesRequests: 1},
		{name: "head before base", commits: 5, base: 4, head: 1, status: "behind", want: 0, pagesRequests: 1},
		{name: "the same commit", commits: 3, base: 2, head: 2, status: "identical", want: 0, pagesRequests: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, githubapitest.Options{})
			shas := history(b, tc.commits, tc.filesEach)
			got, err := b.installation(t).Compare(t.Context(), "acme", "web", shas[tc.base], shas[tc.head])
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != tc.status || len(got.Commits) != tc.want || got.CommitsTruncated || got.TotalCommits != tc.want {
				t.Errorf("status %s, %d commits of %d (truncated %v); want %s, %d", got.Status, len(got.Commits), got.TotalCommits, got.CommitsTruncated, tc.status, tc.want)
			}
			if len(got.Files) != tc.files || got.FilesTruncated != tc.filesTrunc {
				t.Errorf("%d files (truncated %v); want %d (%v)", len(got.Files), got.FilesTruncated, tc.files, tc.filesTrunc)
			}
			for i, cm := range got.Commits {
				if want := shas[tc.base+1+i]; cm.SHA != want {
					t.Fatalf("commit %d is %s, want %s (oldest first)", i, cm.SHA, want)
				}
			}
			if tc.want > 0 {
				last := got.Commits[len(got.Commits)-1]
				if !strings.Contains(last.Message, fmt.Sprintf("Fixes WEB-%d", tc.head)) || last.AuthorLogin != "octocat" || last.Date.IsZero() || last.URL == "" {
					t.Errorf("the newest commit = %+v", last)
				}
			}
			if n := len(b.gh.CallsTo(compareRoute)); n != tc.pagesRequests {
				t.Errorf("%d requests; want %d", n, tc.pagesRequests)
			}
		})
	}
}

func TestCompareCapsCommits(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("reads 10,000 commits")
	}
	b := setup(t, githubapitest.Options{})
	shas := history(b, githubapi.MaxCompareCommits+2, 0)
	got, err := b.installation(t).Compare(t.Context(), "acme", "web", shas[0], shas[len(shas)-1])
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Commits) != githubapi.MaxCompareCommits || !got.CommitsTruncated || got.TotalCommits != githubapi.MaxCompareCommits+1 {
		t.Errorf("%d commits of %d, truncated %v", len(got.Commits), got.TotalCommits, got.CommitsTruncated)
	}
}

func TestCompareErrors(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{}, func(o *githubapi.Options) { o.MaxRetries = 2 })
	shas := history(b, 3, 1)
	c := b.installation(t)
	ctx := t.Context()

	// An unknown commit: GitHub's 404, read as the configuration's (the release's commits are
	// not this repository's), with a hint saying so.
	_, err := c.Compare(ctx, "acme", "web", shas[0], "deadbeef")
	if !errors.Is(err, githubapi.ErrNotFound) || !errors.Is(err, githubapi.ErrMisconfigured) || !strings.Contains(err.Error(), "deadbeef is not a commit of acme/web") {
		t.Errorf("an unknown head: %v", err)
	}
	b.gh.AddCommits("acme", "other")
	if _, err := c.Compare(ctx, "acme", "other", "a", "b"); !errors.Is(err, githubapi.ErrMisconfigured) {
		t.Errorf("a repository outside the installation: %v", err)
	}
	for _, bad := range [][2]string{{"a..b", "c"}, {"a", ""}, {"a?x", "b"}} {
		if _, err := c.Compare(ctx, "acme", "web", bad[0], bad[1]); err == nil {
			t.Errorf("Compare(%q, %q) was sent", bad[0], bad[1])
		}
	}

	// A secondary rate limit is waited out and the call goes on.
	b.gh.InjectFault(withPath(githubapitest.SecondaryRateLimited(5*time.Second), "/repos/acme/web/compare/*", 1))
	got, err := c.Compare(ctx, "acme", "web", shas[0], shas[2])
	if err != nil || len(got.Commits) != 2 {
		t.Fatalf("after a secondary rate limit: %v, %+v", err, got)
	}
	if w := b.recordedWaits(); len(w) != 1 || w[0] != 5*time.Second {
		t.Errorf("waits %v; want [5s]", w)
	}
	// A fork's branch is OWNER:BRANCH; the names reach GitHub as given.
	if _, err := c.Compare(ctx, "acme", "web", "acme:"+shas[0], "someone:"+shas[2]); err != nil {
		t.Errorf("a fork's comparison: %v", err)
	}
}

func withPath(f githubapitest.Fault, path string, times int) githubapitest.Fault {
	f.Path, f.Times = path, times
	return f
}

func TestPullsOfCommit(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	b.gh.AddPull("acme", "web", githubapitest.Pull{Number: 7, Title: "Ours", Body: "Fixes WEB-1", HeadSHA: "h7", Commits: []string{"x1"}, MergeSHA: "m7", State: "closed", Author: "ana"})
	b.gh.AddPull("acme", "web", githubapitest.Pull{Number: 8, Title: "From a fork", HeadSHA: "h8", Commits: []string{"x1"}, HeadRepo: "someone/web", Author: "someone"})
	c := b.installation(t)
	prs, err := c.PullsOfCommit(t.Context(), "acme", "web", "x1")
	if err != nil {
		t.Fatal(err)
	}
	if len(prs) != 2 {
		t.Fatalf("%d pull requests; want 2", len(prs))
	}
	tests := []struct {
		name             string
		got              githubapi.PullRequest
		merged, fork     bool
		mergeSHA, head   string
		state, author    string
		baseRepo, number string
	}{
		{name: "merged, same repository", got: prs[0], merged: true, mergeSHA: "m7", head: "acme/web", state: "closed", author: "ana"},
		{name: "open, from a fork", got: prs[1], fork: true, head: "someone/web", state: "open", author: "someone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := tc.got
			if p.Merged != tc.merged || p.Fork != tc.fork || p.MergeCommitSHA != tc.mergeSHA || p.HeadRepo != tc.head ||
				p.State != tc.state || p.Author != tc.author || p.BaseRepo != "acme/web" || p.URL == "" || p.HeadSHA == "" {
				t.Errorf("got %+v", p)
			}
			if p.Merged == p.MergedAt.IsZero() {
				t.Errorf("merged %v at %v", p.Merged, p.MergedAt)
			}
		})
	}
	if none, err := c.PullsOfCommit(t.Context(), "acme", "web", "pushed-directly"); err != nil || len(none) != 0 {
		t.Errorf("a commit of no pull request: %v, %v", none, err)
	}
	got, err := c.PullRequest(t.Context(), "acme", "web", 7)
	if err != nil || got.Title != "Ours" || got.Body != "Fixes WEB-1" || !got.Merged {
		t.Errorf("PullRequest = %+v, %v", got, err)
	}
	// A missing pull request is data; a repository outside the installation is configuration.
	if _, err := c.PullRequest(t.Context(), "acme", "web", 99); !errors.Is(err, githubapi.ErrNotFound) || errors.Is(err, githubapi.ErrMisconfigured) {
		t.Errorf("a missing pull request: %v", err)
	}
	b.gh.AddPull("acme", "other", githubapitest.Pull{Number: 1, HeadSHA: "z"})
	if _, err := c.PullsOfCommit(t.Context(), "acme", "other", "z"); !errors.Is(err, githubapi.ErrMisconfigured) {
		t.Errorf("a repository outside the installation: %v", err)
	}
}

func TestPullFilesAndCommits(t *testing.T) {
	t.Parallel()
	files := func(n int) []githubapitest.PullFile {
		var out []githubapitest.PullFile
		for i := range n {
			out = append(out, githubapitest.PullFile{Filename: fmt.Sprintf("f%04d.ts", i), Additions: 1})
		}
		return out
	}
	tests := []struct {
		name      string
		files     []githubapitest.PullFile
		want      int
		truncated bool
		requests  int
	}{
		{name: "one page", files: files(3), want: 3, requests: 1},
		{name: "three pages", files: files(250), want: 250, requests: 3},
		{name: "more than GitHub lists", files: files(githubapi.MaxPullFiles + 5), want: githubapi.MaxPullFiles, truncated: true, requests: 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, githubapitest.Options{})
			b.gh.AddPull("acme", "web", githubapitest.Pull{Number: 4, HeadSHA: "h", Files: tc.files})
			got, truncated, err := b.installation(t).PullFiles(t.Context(), "acme", "web", 4)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want || truncated != tc.truncated {
				t.Errorf("%d files, truncated %v; want %d, %v", len(got), truncated, tc.want, tc.truncated)
			}
			if n := len(b.gh.CallsTo("GET /repos/{owner}/{repo}/pulls/{pull_number}/files")); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
		})
	}

	b := setup(t, githubapitest.Options{})
	b.gh.AddPull("acme", "web", githubapitest.Pull{Number: 5, HeadSHA: "h", Files: []githubapitest.PullFile{
		{Filename: "src/new.ts", PreviousFilename: "src/old.ts", Status: "renamed", Additions: 1, Patch: "@@ -1 +1 @@\n-a\n+b"},
	}})
	c := b.installation(t)
	got, _, err := c.PullFiles(t.Context(), "acme", "web", 5)
	if want := (githubapi.ChangedFile{Path: "src/new.ts", PreviousPath: "src/old.ts", Status: "renamed", Additions: 1, Patch: "@@ -1 +1 @@\n-a\n+b"}); err != nil || len(got) != 1 || got[0] != want {
		t.Errorf("PullFiles = %+v, %v", got, err)
	}
	if _, _, err := c.PullFiles(t.Context(), "acme", "web", 6); !errors.Is(err, githubapi.ErrNotFound) || errors.Is(err, githubapi.ErrMisconfigured) {
		t.Errorf("the files of a missing pull request: %v", err)
	}

	// Commits: known ones carry their message and author; at most 250 are listed.
	shas := history(b, 3, 0)
	many := append([]string{}, shas...)
	for i := range 300 {
		many = append(many, fmt.Sprintf("s%03d", i))
	}
	b.gh.AddPull("acme", "web", githubapitest.Pull{Number: 10, HeadSHA: shas[2], Commits: shas, Author: "ana"})
	b.gh.AddPull("acme", "web", githubapitest.Pull{Number: 11, HeadSHA: "s000", Commits: many})
	commits, truncated, err := c.PullCommits(t.Context(), "acme", "web", 10)
	if err != nil || truncated || len(commits) != 3 || commits[1].SHA != shas[1] || !strings.Contains(commits[1].Message, "Fixes WEB-1") {
		t.Errorf("PullCommits = %+v, %v, %v", commits, truncated, err)
	}
	commits, truncated, err = c.PullCommits(t.Context(), "acme", "web", 11)
	if err != nil || !truncated || len(commits) != githubapi.MaxPullCommits {
		t.Errorf("PullCommits of a long pull request: %d, %v, %v", len(commits), truncated, err)
	}
	if _, _, err := c.PullCommits(t.Context(), "acme", "web", 0); err == nil {
		t.Error("pull request 0 was asked for")
	}
}
