package bot

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/store"
	"github.com/releasegate/releasegate/internal/testenv"
)

const (
	cartPath   = "web/src/checkout/cart.js"
	cartSource = "export function render(cart) {\n  return cart.total;\n}\n\nexport function count(cart) {\n  return cart?.items.length ?? 0;\n}\n"
	// cartPatched is the file as the rules fix it: the file already uses optional chaining.
	cartPatched = "export function render(cart) {\n  return cart?.total;\n}\n\nexport function count(cart) {\n  return cart?.items.length ?? 0;\n}\n"
	fixPolicy   = "triage:\n  fix_pull_requests: true\n  oncall_schedule: .github/oncall.yml\n"
	oncallFile  = "teams:\n  \"#checkout\":\n    github_team: checkout\n    shifts:\n      - {login: alice, from: 2026-03-09T09:00:00Z, until: 2026-03-16T09:00:00Z}\n"
)

// cartError is the event of the fix tests: V8's TypeError reading .total of an undefined cart,
// raised on line 2 of the checkout code.
var cartError = sentryapitest.Event{Release: testRelease, Environment: "production",
	Exceptions: []sentryapitest.Exception{{Type: "TypeError", Value: "Cannot read properties of undefined (reading 'total')",
		Frames: []sentryapitest.Frame{{Function: "render", Filename: "src/checkout/cart.js", AbsPath: "app:///src/checkout/cart.js", Lineno: 2, Colno: 15, InApp: true}}}}}

// newFixFixture is the triage fixture of a repository that opts in to fix pull requests, with
// an on-call schedule, an App allowed to write it, and an open pull request whose head is the
// release's commit (its preview deploy raised the error).
func newFixFixture(t *testing.T) *triageFixture {
	t.Helper()
	ev := cartError
	f := newTriageFixture(t, triageOptions{policy: fixPolicy, event: &ev})
	f.gh.SetPermissions(f.inst, map[string]string{"contents": "write", "pull_requests": "write", "issues": "write", "metadata": "read", "checks": "write"})
	f.gh.SetFile("acme", "web", testSHA, cartPath, []byte(cartSource))
	f.gh.SetFile("acme", "web", testSHA, ".github/oncall.yml", []byte(oncallFile))
	f.gh.SetBranch("acme", "web", "main", testSHA)
	f.gh.AddPull("acme", "web", githubapitest.Pull{Number: 43, Title: "Cart: show the total", Author: "jo", HeadRef: "cart-total", HeadSHA: testSHA,
		Files: []githubapitest.PullFile{{Filename: cartPath, Status: "modified", Additions: 1, Deletions: 1,
			Patch: "@@ -1,3 +1,3 @@\n export function render(cart) {\n-  return cart.items;\n+  return cart.total;\n }"}}})
	f.bot.cfg.GitHub.WebURL = "https://github.com/"
	return f
}

// triageWith runs the issue's triage as worker, the whole pipeline (dryRun: writing nothing,
// to read the report): the suggestion comes from the rules reading the file at the release's
// commit.
func (f *triageFixture) triageWith(worker string, dryRun ...bool) (TriageReport, error) {
	return f.bot.Triage(f.t.Context(), "acme", f.issueID, TriageOptions{Worker: worker, DryRun: len(dryRun) > 0 && dryRun[0]})
}

// sentryWebhook is Sentry's "issue created" webhook for the fixture's issue, signed, through the
// App's endpoint: the delivery is stored and processed into the issue's job, which worker runs.
func (f *triageFixture) sentryWebhook(deliveryID, worker string) error {
	f.t.Helper()
	body := []byte(fmt.Sprintf(`{"action":"created","installation":{"uuid":"u-1"},"data":{"issue":{"id":%q,"shortId":"WEB-1","firstRelease":{"version":%q}}},"actor":{"type":"application","id":"sentry","name":"Sentry"}}`, f.issueID, testRelease))
	req, err := http.NewRequestWithContext(f.t.Context(), http.MethodPost, f.web.URL+"/webhooks/sentry", bytes.NewReader(body))
	if err != nil {
		return err
	}
	mac := hmac.New(sha256.New, []byte("sentry-client-secret"))
	mac.Write(body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sentry-Hook-Resource", "issue")
	req.Header.Set("Request-ID", deliveryID)
	req.Header.Set("Sentry-Hook-Signature", hex.EncodeToString(mac.Sum(nil)))
	if code := f.send(req); code != http.StatusAccepted {
		return fmt.Errorf("Sentry's webhook was answered %d", code)
	}
	if err := f.bot.process(f.t.Context(), store.DeliveryArgs{Source: store.SourceSentry, ID: deliveryID, Event: "issue", Action: "created"}); err != nil {
		return err
	}
	return f.bot.newIssue(f.t.Context(), SentryIssueArgs{Owner: "acme", IssueID: f.issueID, Release: testRelease, Source: "webhook"}, worker)
}

func (f *triageFixture) fixPulls() []githubapitest.Pull {
	var out []githubapitest.Pull
	for _, p := range f.gh.PullsOf("acme", "web") {
		if strings.HasPrefix(p.HeadRef, "releasegate/fix-") {
			out = append(out, p)
		}
	}
	return out
}

// TestFixPullRequestEndToEnd: a Sentry issue with a suggestion → a review comment on the open
// pull request and a fix pull request made through the git data API → the fix merged → the
// issue resolved in the next release and Jira told; the same issue again opens nothing more.
func TestFixPullRequestEndToEnd(t *testing.T) {
	t.Parallel()
	f := newFixFixture(t)
	// Sentry's webhook, through the App's endpoint and the job it makes.
	if err := f.sentryWebhook("req-1", "job:1"); err != nil {
		t.Fatal(err)
	}
	r, err := f.triageWith("dry:look", true)
	if err != nil {
		t.Fatal(err)
	}
	if sg := r.Suggestion; sg == nil || !sg.Suggested || sg.Suggester != suggest.ByRules || sg.Family != "js-property-of-undefined" || sg.Line != 2 {
		t.Fatalf("the rules' suggestion = %+v", sg)
	}
	pulls := f.fixPulls()
	if len(pulls) != 1 {
		t.Fatalf("%d fix pull requests, want 1; notes: %v", len(pulls), r.Notes)
	}
	p := pulls[0]
	if p.HeadRef != "releasegate/fix-web-1" || p.BaseRef != "main" || !strings.HasPrefix(p.Title, "WEB-1: TypeError") || !strings.HasSuffix(p.Body, "\nFixes WEB-1\n") {
		t.Errorf("fix pull request = %+v", p)
	}
	if len(p.TeamReviewers) != 1 || p.TeamReviewers[0] != "checkout" || len(p.Assignees) != 1 || p.Assignees[0] != "alice" {
		t.Errorf("reviewers %v, teams %v, assignees %v; want team checkout and alice", p.Reviewers, p.TeamReviewers, p.Assignees)
	}
	if got := string(f.gh.FilesAt("acme", "web", "releasegate/fix-web-1")[cartPath]); got != cartPatched {
		t.Errorf("the fix branch's %s = %q", cartPath, got)
	}
	if f.gh.Branch("acme", "web", "main") != testSHA {
		t.Error("the default branch moved")
	}
	for _, op := range []string{"POST /repos/{owner}/{repo}/git/blobs", "POST /repos/{owner}/{repo}/git/trees", "POST /repos/{owner}/{repo}/git/commits",
		"POST /repos/{owner}/{repo}/git/refs", "POST /repos/{owner}/{repo}/pulls", "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
		"POST /repos/{owner}/{repo}/issues/{issue_number}/assignees", "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews"} {
		if n := len(f.gh.CallsTo(op)); n != 1 {
			t.Errorf("%d calls to %s, want 1", n, op)
		}
	}
	testenv.AssertGolden(t, filepath.Join("testdata", "golden", "fixpr-body.md"), []byte(f.scrub(p.Body)), *update)

	reviews := f.gh.ReviewsOf("acme", "web", 43)
	if len(reviews) != 1 || len(reviews[0].Comments) != 1 || reviews[0].Comments[0].Line != 2 || reviews[0].Comments[0].Path != cartPath {
		t.Fatalf("reviews of #43 = %+v", reviews)
	}
	rc := reviews[0].Comments[0]
	testenv.AssertGolden(t, filepath.Join("testdata", "golden", "fixpr-review-comment.md"),
		[]byte(f.scrub("review: "+reviews[0].Body+"\n\ncomment on "+rc.Path+" line 2 ("+rc.Side+"):\n"+rc.Body)), *update)

	tk := f.jira.Issues()[0]
	var linked bool
	for _, l := range tk.RemoteLinks {
		linked = linked || l.GlobalID == "releasegate:fix:acme:"+f.issueID && strings.HasSuffix(l.URL, "/pull/"+strconv.Itoa(p.Number))
	}
	if !linked {
		t.Errorf("the ticket does not link the fix pull request: %+v", tk.RemoteLinks)
	}

	// The same webhook again (another delivery, another worker): nothing new.
	if err := f.sentryWebhook("req-2", "job:2"); err != nil {
		t.Fatal(err)
	}
	if n, rv := len(f.fixPulls()), len(f.gh.ReviewsOf("acme", "web", 43)); n != 1 || rv != 1 {
		t.Errorf("after the same issue again: %d fix pull requests, %d reviews; want 1 and 1", n, rv)
	}

	// The fix is merged: GitHub's webhook, signed, through the App's endpoint and its job.
	payload := f.gh.MergePull(t, "acme", "web", p.Number, f.inst)
	if status := f.send(githubapitest.Delivery(t, f.web.URL+"/webhooks/github", webhookSecret, "pull_request", "d-merge", payload)); status >= 300 {
		t.Fatalf("the merge webhook was answered %d", status)
	}
	if err := f.bot.process(t.Context(), store.DeliveryArgs{Source: store.SourceGitHub, ID: "d-merge", Event: "pull_request"}); err != nil {
		t.Fatal(err)
	}
	var resolves int
	for _, req := range f.sentry.Requests() {
		if req.Method == "PUT" && strings.Contains(req.Path, "/issues/"+f.issueID) && strings.Contains(string(req.Body), `"resolvedInNextRelease"`) {
			resolves++
		}
	}
	if resolves != 1 {
		t.Errorf("%d resolutions in the next release, want 1", resolves)
	}
	if tk := f.jira.Issues()[0]; len(tk.Comments) != 1 {
		t.Errorf("%d Jira comments, want 1 (fixed by the pull request)", len(tk.Comments))
	}
	if l, err := f.store.Link(t.Context(), "acme", f.issueID); err != nil || l.Fix.Number != p.Number {
		t.Errorf("link = %+v, %v; want fixed by #%d", l, err, p.Number)
	}
	// And once more after the merge: still one.
	if _, err := f.triageWith("job:3"); err != nil {
		t.Fatal(err)
	}
	if n := len(f.fixPulls()); n != 1 {
		t.Errorf("%d fix pull requests after the merge, want 1", n)
	}
}

// TestFixPullRequestAfterCrash: a worker that stopped between the branch and the pull request
// is retried; the retry finds the branch and opens exactly one pull request, and another
// worker meanwhile leaves it to the first.
func TestFixPullRequestAfterCrash(t *testing.T) {
	t.Parallel()
	f := newFixFixture(t)
	f.gh.InjectFault(githubapitest.Fault{Method: "POST", Path: "/repos/acme/web/pulls", Status: 502, Times: 1})
	if _, err := f.triageWith("job:1"); err == nil {
		t.Fatal("the first attempt succeeded though opening the pull request failed")
	}
	if f.gh.Branch("acme", "web", "releasegate/fix-web-1") == "" || len(f.fixPulls()) != 0 {
		t.Fatal("the first attempt should stop with the branch made and no pull request")
	}
	if _, err := f.triageWith("job:2"); !errors.Is(err, errRetryLater) {
		t.Errorf("another worker: %v; want errRetryLater", err)
	}
	r, err := f.triageWith("job:1")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.fixPulls()); n != 1 || r.FixPR == "" {
		t.Fatalf("%d fix pull requests after the retry (report %q), want 1", n, r.FixPR)
	}
	if n := len(f.gh.CallsTo("POST /repos/{owner}/{repo}/git/refs")); n != 1 {
		t.Errorf("%d branches made, want 1", n)
	}
}

// TestFixPullRequestDryRunAndOptIn: a dry run says what it would open and opens nothing; a
// repository that does not opt in gets the review comment only.
func TestFixPullRequestDryRunAndOptIn(t *testing.T) {
	t.Parallel()
	f := newFixFixture(t)
	r, err := f.bot.Triage(t.Context(), "acme", f.issueID, TriageOptions{DryRun: true, Worker: "dry"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.FixPR, "would open") || !strings.Contains(r.SuggestionReview, "would comment on acme/web#43") {
		t.Errorf("dry run said %q and %q", r.FixPR, r.SuggestionReview)
	}
	if len(f.fixPulls()) != 0 || len(f.gh.ReviewsOf("acme", "web", 43)) != 0 || len(f.gh.CallsTo("POST /repos/{owner}/{repo}/git/blobs")) != 0 {
		t.Error("the dry run wrote to GitHub")
	}

	off := newFixFixture(t)
	off.gh.SetFile("acme", "web", testSHA, ".github/releasegate.yml", []byte("triage:\n  min_events: 1\n"))
	if _, err := off.triageWith("job:1"); err != nil {
		t.Fatal(err)
	}
	if n, rv := len(off.fixPulls()), len(off.gh.ReviewsOf("acme", "web", 43)); n != 0 || rv != 1 {
		t.Errorf("without fix_pull_requests: %d fix pull requests, %d reviews; want 0 and 1", n, rv)
	}
}
