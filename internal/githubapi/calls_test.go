package githubapi_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v88/github"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
)

// bundle is what most tests need: a fake GitHub with one installation on acme/web, and a
// factory for it whose waits are recorded instead of slept.
type bundle struct {
	gh      *githubapitest.Server
	f       *githubapi.Factory
	inst    int64
	mu      sync.Mutex
	waits   []time.Duration
	limits  []githubapi.RateLimit
	options githubapi.Options
}

func setup(t *testing.T, opts githubapitest.Options, tweak ...func(*githubapi.Options)) *bundle {
	t.Helper()
	b := &bundle{gh: githubapitest.Start(t, opts)}
	b.inst = b.gh.AddInstallation("acme", []string{"web"}, nil)
	b.options = githubapi.Options{
		BaseURL: b.gh.URL(), AppID: b.gh.AppID(), PrivateKey: b.gh.PrivateKey(), UserAgent: "releasegate-test",
		Sleep: func(ctx context.Context, d time.Duration) error {
			b.mu.Lock()
			b.waits = append(b.waits, d)
			b.mu.Unlock()
			return ctx.Err()
		},
		OnRateLimit: func(rl githubapi.RateLimit) {
			b.mu.Lock()
			b.limits = append(b.limits, rl)
			b.mu.Unlock()
		},
	}
	for _, fn := range tweak {
		fn(&b.options)
	}
	f, err := githubapi.New(b.options)
	if err != nil {
		t.Fatal(err)
	}
	b.f = f
	return b
}

func (b *bundle) installation(t *testing.T) *githubapi.Client {
	t.Helper()
	c, err := b.f.Installation(b.inst)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (b *bundle) recordedWaits() []time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]time.Duration(nil), b.waits...)
}

func TestAppCalls(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{AppID: 42, AppSlug: "gate"})
	app, err := b.f.App()
	if err != nil {
		t.Fatal(err)
	}
	got, err := app.GetApp(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.GetID() != 42 || got.GetSlug() != "gate" {
		t.Errorf("GetApp = %d %q, want 42 gate", got.GetID(), got.GetSlug())
	}
	inst, err := app.RepositoryInstallation(t.Context(), "acme", "web")
	if err != nil {
		t.Fatal(err)
	}
	if inst.GetID() != b.inst {
		t.Errorf("RepositoryInstallation = %d, want %d", inst.GetID(), b.inst)
	}
	_, err = app.RepositoryInstallation(t.Context(), "acme", "elsewhere")
	if !errors.Is(err, githubapi.ErrMisconfigured) || !errors.Is(err, githubapi.ErrNotFound) {
		t.Errorf("an uninstalled repository: %v; want ErrMisconfigured and ErrNotFound", err)
	}
	if calls := b.gh.CallsTo("GET /app"); len(calls) != 1 || !strings.HasPrefix(calls[0].Header.Get("Authorization"), "Bearer ") ||
		calls[0].Header.Get("User-Agent") != "releasegate-test" {
		t.Errorf("GET /app was not sent once with the App's JWT and the user agent: %+v", calls)
	}
}

func TestInstallationTokenIsMintedOnceAndRenewed(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	b.gh.SetFile("acme", "web", "main", "README.md", []byte("hello"))
	c := b.installation(t)
	for range 3 {
		if _, err := c.ReadFile(t.Context(), "acme", "web", "README.md", "", 0); err != nil {
			t.Fatal(err)
		}
	}
	if again, _ := b.f.Installation(b.inst); again != c {
		t.Error("Installation returned a new client for the same installation")
	}
	if n := b.gh.TokensMinted(); n != 1 {
		t.Errorf("%d tokens minted for three calls; want 1 (cached)", n)
	}
	// An expired token answers 401; ghinstallation refreshes before expiry by its own clock,
	// so the fake's expiry is a revocation: the call says so, and is not retried in a loop.
	b.gh.ExpireTokens()
	_, err := c.ReadFile(t.Context(), "acme", "web", "README.md", "", 0)
	if !errors.Is(err, githubapi.ErrMisconfigured) {
		t.Errorf("a revoked token: %v; want ErrMisconfigured", err)
	}
}

func TestReadFile(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	policy := []byte("gate:\n  environment: production\n")
	b.gh.SetFile("acme", "web", "0123abc", ".github/releasegate.yml", policy)
	b.gh.SetFile("acme", "web", "0123abc", "big.bin", make([]byte, 2<<20))
	b.gh.SetFile("acme", "web", "0123abc", "medium.txt", []byte(strings.Repeat("x", 5000)))
	c := b.installation(t)
	tests := []struct {
		name, path, ref string
		max             int64
		want            []byte
		is              []error
		isNot           []error
	}{
		{name: "file at a commit", path: ".github/releasegate.yml", ref: "0123abc", want: policy},
		{name: "leading slash", path: "/.github/releasegate.yml", ref: "0123abc", want: policy},
		{name: "missing file", path: ".github/nope.yml", ref: "0123abc", is: []error{githubapi.ErrNotFound}, isNot: []error{githubapi.ErrMisconfigured, githubapi.ErrUnavailable}},
		{name: "missing ref", path: ".github/releasegate.yml", ref: "fff", is: []error{githubapi.ErrNotFound}},
		{name: "directory", path: ".github", ref: "0123abc", is: []error{githubapi.ErrMisconfigured}},
		{name: "over the contents API's 1 MiB", path: "big.bin", ref: "0123abc", max: 4 << 20, is: []error{githubapi.ErrMisconfigured}},
		{name: "over the caller's cap", path: "medium.txt", ref: "0123abc", max: 4096, is: []error{githubapi.ErrMisconfigured}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.ReadFile(t.Context(), "acme", "web", tc.path, tc.ref, tc.max)
			for _, target := range tc.is {
				if !errors.Is(err, target) {
					t.Errorf("error %v; want %v", err, target)
				}
			}
			for _, target := range tc.isNot {
				if errors.Is(err, target) {
					t.Errorf("error %v is %v", err, target)
				}
			}
			if tc.want != nil && (err != nil || string(got) != string(tc.want)) {
				t.Errorf("ReadFile = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestReviewDeploymentProtectionRule(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	c := b.installation(t)
	callback := b.gh.URL() + "repos/acme/web/actions/runs/77/deployment_protection_rule"
	long := strings.Repeat("é", 2000)
	for _, r := range []githubapi.Review{
		{CallbackURL: callback, Environment: "production", Comment: "Waiting for Sentry: 3 of 10 minutes."},
		{CallbackURL: callback, Environment: "production", State: githubapi.Approved, Comment: long},
	} {
		if err := c.ReviewDeploymentProtectionRule(t.Context(), r); err != nil {
			t.Fatal(err)
		}
	}
	got := b.gh.Reviews()
	if len(got) != 2 {
		t.Fatalf("%d reviews recorded, want 2", len(got))
	}
	if got[0].State != "" || got[0].RunID != 77 || got[0].Environment != "production" || got[0].Installation != b.inst {
		t.Errorf("status report = %+v", got[0])
	}
	if got[1].State != "approved" || len([]rune(got[1].Comment)) != githubapi.MaxReviewComment || !strings.HasSuffix(got[1].Comment, "…") {
		t.Errorf("decision = state %q, %d characters; want approved, cut to %d", got[1].State, len([]rune(got[1].Comment)), githubapi.MaxReviewComment)
	}
	if body := string(b.gh.CallsTo("POST /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule")[0].Body); strings.Contains(body, "state") {
		t.Errorf("a status report sent a state: %s", body)
	}

	bad := []struct {
		name string
		r    githubapi.Review
		is   error
	}{
		{"callback on another host", githubapi.Review{CallbackURL: "https://evil.example/repos/acme/web/actions/runs/1/deployment_protection_rule", Environment: "p", State: githubapi.Approved}, githubapi.ErrMisconfigured},
		{"callback to another endpoint", githubapi.Review{CallbackURL: b.gh.URL() + "repos/acme/web/actions/runs/1/approve", Environment: "p", State: githubapi.Approved}, nil},
		{"no environment", githubapi.Review{CallbackURL: callback, State: githubapi.Rejected}, nil},
		{"report without comment", githubapi.Review{CallbackURL: callback, Environment: "p"}, nil},
		{"unknown state", githubapi.Review{CallbackURL: callback, Environment: "p", State: "maybe"}, nil},
	}
	for _, tc := range bad {
		err := c.ReviewDeploymentProtectionRule(t.Context(), tc.r)
		if err == nil || tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if n := len(b.gh.Reviews()); n != 2 {
		t.Errorf("refused reviews reached GitHub: %d recorded", n)
	}
}

func TestReviewWithoutPermissionIsMisconfigured(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	b.gh.SetPermissions(b.inst, map[string]string{"contents": "read", "deployments": "read"})
	c := b.installation(t)
	err := c.ReviewDeploymentProtectionRule(t.Context(), githubapi.Review{
		CallbackURL: b.gh.URL() + "repos/acme/web/actions/runs/5/deployment_protection_rule", Environment: "production", State: githubapi.Approved,
	})
	if !errors.Is(err, githubapi.ErrMisconfigured) || errors.Is(err, githubapi.ErrUnavailable) {
		t.Fatalf("review without deployments:write: %v; want ErrMisconfigured only", err)
	}
	if !strings.Contains(err.Error(), "permission") {
		t.Errorf("the error does not say what to fix: %v", err)
	}
}

func TestCheckRuns(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	c := b.installation(t)
	id, err := c.CreateCheckRun(t.Context(), "acme", "web", githubapi.CheckRun{
		Name: "releasegate", HeadSHA: "0123abc", Status: "in_progress", DetailsURL: "https://gate.example/decisions/1",
		Title: "Waiting for evidence", Summary: "Pending",
	})
	if err != nil {
		t.Fatal(err)
	}
	huge := strings.Repeat("x", githubapi.MaxCheckRunText+10)
	if err := c.UpdateCheckRun(t.Context(), "acme", "web", id, githubapi.CheckRun{
		Name: "releasegate", Conclusion: "failure", Title: "Gate failed", Summary: huge, Text: "details",
	}); err != nil {
		t.Fatal(err)
	}
	runs := b.gh.CheckRuns()
	if len(runs) != 1 {
		t.Fatalf("%d check runs, want 1", len(runs))
	}
	r := runs[0]
	if r.ID != id || r.Status != "completed" || r.Conclusion != "failure" || r.CompletedAt.IsZero() ||
		len([]rune(r.Summary)) != githubapi.MaxCheckRunText || r.Text != "details" || r.DetailsURL != "https://gate.example/decisions/1" {
		t.Errorf("check run = %+v (summary %d characters)", r, len([]rune(r.Summary)))
	}
	for _, bad := range []githubapi.CheckRun{
		{HeadSHA: "0123abc"},
		{Name: "x"},
		{Name: "x", HeadSHA: "1", Title: "only a title"},
		{Name: "x", HeadSHA: "1", Status: "queued", Conclusion: "success"},
	} {
		if _, err := c.CreateCheckRun(t.Context(), "acme", "web", bad); err == nil {
			t.Errorf("CreateCheckRun(%+v) succeeded", bad)
		}
	}
	if err := c.UpdateCheckRun(t.Context(), "acme", "web", id+1000, githubapi.CheckRun{Name: "x"}); !errors.Is(err, githubapi.ErrNotFound) {
		t.Errorf("updating a missing check run: %v", err)
	}
}

func TestCompleteManifest(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{AppID: 7, AppSlug: "made"})
	b.gh.AddManifestCode("abc123")
	creds, err := b.f.Anonymous().CompleteManifest(t.Context(), "abc123")
	if err != nil {
		t.Fatal(err)
	}
	if creds.ID != 7 || creds.Slug != "made" || !strings.Contains(creds.PEM, "PRIVATE KEY") || creds.WebhookSecret == "" {
		t.Errorf("credentials = %+v", creds)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(verb, *creds); strings.Contains(s, creds.WebhookSecret) || strings.Contains(s, "PRIVATE KEY") {
			t.Errorf("%s shows a secret: %s", verb, s)
		}
	}
	if calls := b.gh.CallsTo("POST /app-manifests/{code}/conversions"); len(calls) != 1 || calls[0].Header.Get("Authorization") != "" {
		t.Errorf("the conversion was not sent once without credentials: %+v", calls)
	}
	// A code works once.
	if _, err := b.f.Anonymous().CompleteManifest(t.Context(), "abc123"); !errors.Is(err, githubapi.ErrNotFound) {
		t.Errorf("a used code: %v", err)
	}
	if _, err := b.f.Anonymous().CompleteManifest(t.Context(), "../app"); err == nil {
		t.Error("a code with a path in it was sent")
	}
}

func TestRESTEscapeHatch(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	c := b.installation(t)
	gh := c.REST()
	body := "<!-- releasegate -->\nhello"
	cm, resp, err := gh.Issues.CreateComment(t.Context(), "acme", "web", 12, &github.IssueComment{Body: &body})
	if err != nil {
		t.Fatal(c.Wrap("create comment", resp, err))
	}
	if got := b.gh.Comments(); len(got) != 1 || got[0].Body != body || got[0].ID != cm.GetID() {
		t.Errorf("comments = %+v", got)
	}
	// A repository outside the installation: go-github's error, wrapped into the package's.
	_, resp, err = gh.Issues.CreateComment(t.Context(), "acme", "other", 1, &github.IssueComment{Body: &body})
	if err := c.Wrap("create comment", resp, err); !errors.Is(err, githubapi.ErrMisconfigured) {
		t.Errorf("Wrap = %v; want ErrMisconfigured", err)
	}
}

// TestPullRequestsThroughREST: the PR bot's reads (pull requests of a commit, one pull
// request, its files, our comments), made with go-github through the client's transport,
// are served as GitHub describes them, pages included.
func TestPullRequestsThroughREST(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	b.gh.AddPull("acme", "web", githubapitest.Pull{
		Number: 12, Title: "Fix the checkout", HeadSHA: "c0ffee", Commits: []string{"beef01"}, MergeSHA: "m3rg3", State: "closed",
		Files: []githubapitest.PullFile{
			{Filename: "src/cart.ts", Additions: 3, Deletions: 1, Patch: "@@ -1,2 +1,4 @@\n-a\n+b\n+c\n+d"},
			{Filename: "src/new.ts", Status: "added", Additions: 1, Patch: "@@ -0,0 +1 @@\n+x"},
			{Filename: "src/renamed.ts", Status: "renamed", PreviousFilename: "src/old.ts"},
		},
	})
	b.gh.AddPull("acme", "web", githubapitest.Pull{Number: 13, Title: "Other", HeadSHA: "aaaa"})
	gh := b.installation(t).REST()
	ctx := t.Context()

	for _, sha := range []string{"beef01", "c0ffee", "m3rg3"} {
		prs, _, err := gh.PullRequests.ListPullRequestsWithCommit(ctx, "acme", "web", sha, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(prs) != 1 || prs[0].GetNumber() != 12 {
			t.Errorf("pull requests of %s: %d", sha, len(prs))
		}
	}
	pr, _, err := gh.PullRequests.Get(ctx, "acme", "web", 12)
	if err != nil {
		t.Fatal(err)
	}
	if !pr.GetMerged() || pr.GetChangedFiles() != 3 || pr.GetHead().GetSHA() != "c0ffee" || pr.GetMergeCommitSHA() != "m3rg3" {
		t.Errorf("pull request = merged %v, %d files, head %s", pr.GetMerged(), pr.GetChangedFiles(), pr.GetHead().GetSHA())
	}
	var files []string
	opts := &github.ListOptions{PerPage: 2}
	for {
		page, resp, err := gh.PullRequests.ListFiles(ctx, "acme", "web", 12, opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page {
			files = append(files, f.GetFilename()+":"+f.GetStatus())
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	if got := strings.Join(files, ","); got != "src/cart.ts:modified,src/new.ts:added,src/renamed.ts:renamed" {
		t.Errorf("files = %s", got)
	}
	if _, _, err := gh.PullRequests.Get(ctx, "acme", "web", 99); !errors.Is(b.installation(t).Wrap("get pull", nil, err), githubapi.ErrNotFound) {
		t.Errorf("a missing pull request: %v", err)
	}

	// Our comment among others', found across pages and updated in place.
	for i := range 3 {
		b.gh.AddComment("acme", "web", 12, "someone", fmt.Sprintf("comment %d", i))
	}
	body := "<!-- releasegate -->\nfirst"
	mine, _, err := gh.Issues.CreateComment(ctx, "acme", "web", 12, &github.IssueComment{Body: &body})
	if err != nil {
		t.Fatal(err)
	}
	var found int64
	lopts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 2}}
	for {
		page, resp, err := gh.Issues.ListComments(ctx, "acme", "web", 12, lopts)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			if strings.HasPrefix(c.GetBody(), "<!-- releasegate -->") && c.GetUser().GetType() == "Bot" {
				found = c.GetID()
			}
		}
		if resp.NextPage == 0 {
			break
		}
		lopts.Page = resp.NextPage
	}
	if found != mine.GetID() {
		t.Fatalf("our comment %d not found (found %d)", mine.GetID(), found)
	}
	body = "<!-- releasegate -->\nsecond"
	if _, _, err := gh.Issues.EditComment(ctx, "acme", "web", found, &github.IssueComment{Body: &body}); err != nil {
		t.Fatal(err)
	}
	comments := b.gh.Comments()
	if last := comments[len(comments)-1]; last.Body != body || last.Revisions != 1 || len(comments) != 4 {
		t.Errorf("comments after the edit: %+v", comments)
	}
}

// TestEnterpriseServer: a GitHub Enterprise Server serves the API under /api/v3/; every call,
// the installation token's included, goes there, and a callback URL must be under it.
func TestEnterpriseServer(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{Prefix: "/api/v3"})
	if !strings.HasSuffix(b.f.BaseURL(), "/api/v3/") {
		t.Fatalf("BaseURL %s", b.f.BaseURL())
	}
	b.gh.SetFile("acme", "web", "v1.0.0", "a.txt", []byte("a"))
	c := b.installation(t)
	if got, err := c.ReadFile(t.Context(), "acme", "web", "a.txt", "v1.0.0", 0); err != nil || string(got) != "a" {
		t.Fatalf("ReadFile = %q, %v", got, err)
	}
	if err := c.ReviewDeploymentProtectionRule(t.Context(), githubapi.Review{
		CallbackURL: b.gh.URL() + "repos/acme/web/actions/runs/3/deployment_protection_rule", Environment: "production", State: githubapi.Rejected, Comment: "no",
	}); err != nil {
		t.Fatal(err)
	}
	outside := strings.Replace(b.gh.URL(), "/api/v3/", "/", 1) + "repos/acme/web/actions/runs/3/deployment_protection_rule"
	if _, _, _, err := c.ProtectionRuleRun(outside); !errors.Is(err, githubapi.ErrMisconfigured) {
		t.Errorf("a callback outside /api/v3/: %v", err)
	}
	for _, call := range b.gh.Calls() {
		if call.Route == "" {
			t.Errorf("%s %s reached no route", call.Method, call.Path)
		}
	}
}
