package githubapi_test

import (
	"errors"
	"testing"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
)

const releaseSHA = "2f6c1a9e0b7d4c3f2f6c1a9e0b7d4c3f2f6c1a9e"

// writable sets up a repository with one commit and an installation allowed to write it.
func writable(t *testing.T) (*bundle, *githubapi.Client) {
	t.Helper()
	b := setup(t, githubapitest.Options{AppSlug: "gatebot"}, func(o *githubapi.Options) { o.AppSlug = "gatebot" })
	perms := map[string]string{"contents": "write", "pull_requests": "write", "issues": "write", "metadata": "read"}
	b.gh.SetPermissions(b.inst, perms)
	b.gh.AddCommits("acme", "web", githubapitest.Commit{SHA: releaseSHA, Message: "release"})
	b.gh.SetFile("acme", "web", releaseSHA, "src/cart.js", []byte("const total = cart.total;\n"))
	b.gh.SetFile("acme", "web", releaseSHA, "README.md", []byte("# web\n"))
	return b, b.installation(t)
}

// TestFixPullSequence: the calls of a fix pull request, in order, each validated by the fake
// against GitHub's description; the new branch holds the base's files with the one change.
func TestFixPullSequence(t *testing.T) {
	t.Parallel()
	b, c := writable(t)
	ctx := t.Context()

	info, err := c.Repository(ctx, "acme", "web")
	if err != nil || info.DefaultBranch != "main" || info.FullName != "acme/web" {
		t.Fatalf("Repository = %+v, %v", info, err)
	}
	if _, found, err := c.BranchHead(ctx, "acme", "web", "releasegate/fix-web-1"); err != nil || found {
		t.Fatalf("BranchHead of a missing branch = %v, %v; want not found", found, err)
	}
	base, err := c.RootTree(ctx, "acme", "web", releaseSHA)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := c.CreateBlob(ctx, "acme", "web", []byte("const total = cart?.total ?? 0;\n"))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := c.CreateTree(ctx, "acme", "web", base, "src/cart.js", "", blob)
	if err != nil {
		t.Fatal(err)
	}
	commit, err := c.CreateCommit(ctx, "acme", "web", "Guard the missing cart\n\nFixes WEB-1", tree, releaseSHA)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateBranch(ctx, "acme", "web", "releasegate/fix-web-1", commit); err != nil {
		t.Fatal(err)
	}
	files := b.gh.FilesAt("acme", "web", commit)
	if string(files["src/cart.js"]) != "const total = cart?.total ?? 0;\n" || string(files["README.md"]) != "# web\n" {
		t.Errorf("the commit's files = %q; want the base's with cart.js changed", files)
	}
	if head, found, err := c.BranchHead(ctx, "acme", "web", "releasegate/fix-web-1"); err != nil || !found || head != commit {
		t.Errorf("BranchHead = %s, %v, %v; want %s", head, found, err, commit)
	}
	// The branch is never moved: a second CreateBranch is ErrBranchExists, and so is the
	// default branch.
	for _, branch := range []string{"releasegate/fix-web-1", "main"} {
		if err := c.CreateBranch(ctx, "acme", "web", branch, releaseSHA); !errors.Is(err, githubapi.ErrBranchExists) {
			t.Errorf("CreateBranch of existing %s: %v; want ErrBranchExists", branch, err)
		}
	}
	if got := b.gh.Branch("acme", "web", "releasegate/fix-web-1"); got != commit {
		t.Errorf("the branch moved to %s", got)
	}

	if p, err := c.FindPullByHead(ctx, "acme", "web", "releasegate/fix-web-1"); err != nil || p != nil {
		t.Fatalf("FindPullByHead before = %+v, %v", p, err)
	}
	b.gh.SetBranch("acme", "web", "main", releaseSHA)
	p, err := c.CreatePull(ctx, "acme", "web", githubapi.NewPull{Title: "WEB-1: cart is undefined", Body: "Fixes WEB-1", Head: "releasegate/fix-web-1", Base: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if p.HeadRef != "releasegate/fix-web-1" || p.BaseRef != "main" || p.State != "open" || p.Fork {
		t.Errorf("CreatePull = %+v", p)
	}
	if _, err := c.CreatePull(ctx, "acme", "web", githubapi.NewPull{Title: "again", Head: "releasegate/fix-web-1", Base: "main"}); !errors.Is(err, githubapi.ErrInvalid) {
		t.Errorf("a second pull request of the same branch: %v; want ErrInvalid", err)
	}
	found, err := c.FindPullByHead(ctx, "acme", "web", "releasegate/fix-web-1")
	if err != nil || found == nil || found.Number != p.Number {
		t.Fatalf("FindPullByHead = %+v, %v; want #%d", found, err, p.Number)
	}
	if err := c.RequestReviewers(ctx, "acme", "web", p.Number, []string{"alice"}, []string{"checkout"}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddAssignees(ctx, "acme", "web", p.Number, "bob"); err != nil {
		t.Fatal(err)
	}
	got := b.gh.PullsOf("acme", "web")[0]
	if len(got.Reviewers) != 1 || got.Reviewers[0] != "alice" || len(got.TeamReviewers) != 1 || got.TeamReviewers[0] != "checkout" ||
		len(got.Assignees) != 1 || got.Assignees[0] != "bob" {
		t.Errorf("recorded reviewers %v, teams %v, assignees %v", got.Reviewers, got.TeamReviewers, got.Assignees)
	}
	for _, op := range []string{"POST /repos/{owner}/{repo}/git/blobs", "POST /repos/{owner}/{repo}/git/trees", "POST /repos/{owner}/{repo}/git/commits",
		"POST /repos/{owner}/{repo}/pulls", "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
		"POST /repos/{owner}/{repo}/issues/{issue_number}/assignees"} {
		if len(b.gh.CallsTo(op)) == 0 {
			t.Errorf("no call to %s", op)
		}
	}
}

func TestReviewComment(t *testing.T) {
	t.Parallel()
	b, c := writable(t)
	ctx := t.Context()
	b.gh.AddPull("acme", "web", githubapitest.Pull{Number: 7, HeadSHA: releaseSHA, Files: []githubapitest.PullFile{
		{Filename: "src/cart.js", Status: "modified", Additions: 2, Deletions: 1, Patch: "@@ -10,3 +10,4 @@ function f() {\n a\n-b\n+c\n+d\n e"}}})
	const mark = "<!-- releasegate:suggestion:42 -->"
	if id, err := c.FindReview(ctx, "acme", "web", 7, mark); err != nil || id != 0 {
		t.Fatalf("FindReview before = %d, %v", id, err)
	}
	cases := []struct {
		name string
		lc   githubapi.LineComment
		ok   bool
	}{
		{name: "added line", lc: githubapi.LineComment{Path: "src/cart.js", Line: 11, Body: "```suggestion\nx\n```"}, ok: true},
		{name: "range in the hunk", lc: githubapi.LineComment{Path: "src/cart.js", StartLine: 10, Line: 13, Body: "y"}, ok: true},
		{name: "line outside the diff", lc: githubapi.LineComment{Path: "src/cart.js", Line: 40, Body: "z"}},
		{name: "file not in the pull request", lc: githubapi.LineComment{Path: "src/other.js", Line: 11, Body: "z"}},
	}
	for _, tc := range cases {
		_, err := c.CreateReviewComment(ctx, "acme", "web", 7, releaseSHA, mark, tc.lc)
		if tc.ok && err != nil || !tc.ok && !errors.Is(err, githubapi.ErrInvalid) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if _, err := c.CreateReviewComment(ctx, "acme", "web", 7, "", mark, githubapi.LineComment{Path: "a", Line: 0, Body: "x"}); err == nil {
		t.Error("line 0 was sent")
	}
	rvs := b.gh.ReviewsOf("acme", "web", 7)
	if len(rvs) != 2 || rvs[0].Event != "COMMENT" || rvs[0].Comments[0].Side != "RIGHT" || rvs[0].Comments[0].Line != 11 || rvs[1].Comments[0].StartLine != 10 {
		t.Fatalf("reviews = %+v", rvs)
	}
	if id, err := c.FindReview(ctx, "acme", "web", 7, mark); err != nil || id != rvs[0].ID {
		t.Errorf("FindReview = %d, %v; want %d", id, err, rvs[0].ID)
	}
}

// TestMergePullWebhook: the fake merges a pull request and gives the signed-ready payload.
func TestMergePullWebhook(t *testing.T) {
	t.Parallel()
	b, _ := writable(t)
	b.gh.AddPull("acme", "web", githubapitest.Pull{Number: 9, Title: "Fix", Body: "Fixes WEB-1", HeadRef: "fix", HeadSHA: releaseSHA})
	payload := b.gh.MergePull(t, "acme", "web", 9, b.inst)
	p := b.gh.PullsOf("acme", "web")[0]
	if p.State != "closed" || p.MergeSHA == "" || b.gh.Branch("acme", "web", "main") != p.MergeSHA {
		t.Errorf("after the merge: %+v", p)
	}
	if err := githubapitest.CheckWebhook(t, "pull-request-closed", payload); err != nil {
		t.Error(err)
	}
	d, err := githubapi.ParseVerified("pull_request", "d-1", "1", payload)
	if err != nil || d.Installation != b.inst {
		t.Errorf("ParseVerified = %+v, %v; want installation %d", d, err, b.inst)
	}
}
