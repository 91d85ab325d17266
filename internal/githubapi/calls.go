package githubapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v88/github"

	"github.com/releasegate/releasegate/internal/apiclient"
)

// Limits GitHub documents for what the wrappers send.
const (
	// MaxReviewComment is the longest comment of a deployment protection rule review: 1,024
	// characters for status reports (documented); decisions are held to the same, since the
	// limit for them is not stated.
	MaxReviewComment = 1024
	// MaxCheckRunText is the longest check run summary or text: 65,535 characters.
	MaxCheckRunText = 65535
	// DefaultMaxFileSize is ReadFile's cap when given 0; the contents API gives no content for
	// files above 1 MiB anyway.
	DefaultMaxFileSize = 1 << 20
)

// call describes one wrapped call, for its errors and its retries.
type call struct {
	op string
	// retrySafe marks a POST as safe to repeat after a server error.
	retrySafe bool
	// absentIsData: a 404 is about data (a file), not the repository the call names.
	absentIsData bool
}

// begin prepares ctx for cl: the attempt counter, and the retry marker.
func begin(ctx context.Context, cl call) (context.Context, *apiclient.Attempts) {
	a := &apiclient.Attempts{}
	ctx = apiclient.WithAttempts(ctx, a)
	if cl.retrySafe {
		ctx = apiclient.WithRetrySafe(ctx)
	}
	return ctx, a
}

// Wrap turns an error of a call made through [Client.REST] into this package's errors
// ([*APIError], [*NetworkError], …), so callers branch on the sentinels alone.
func (c *Client) Wrap(op string, resp *github.Response, err error) error {
	return c.fail(call{op: op}, &apiclient.Attempts{}, resp, err)
}

// fail maps what go-github returned to the package's errors.
func (c *Client) fail(cl call, a *apiclient.Attempts, resp *github.Response, err error) error {
	if err == nil {
		return nil
	}
	var hr *http.Response
	if resp != nil {
		hr = resp.Response
	}
	var er *github.ErrorResponse
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	switch {
	case errors.As(err, &er):
		hr = er.Response
	case errors.As(err, &rl):
		hr = rl.Response
	case errors.As(err, &ab):
		hr = ab.Response
	}
	var insecure *InsecureURLError
	var he *ghinstallation.HTTPError
	var te *AttemptTimeoutError
	switch {
	case errors.As(err, &insecure):
		return fmt.Errorf("githubapi: %s: %w", cl.op, insecure)
	case errors.As(err, &he) && he.Response != nil:
		// The installation token could not be minted: that call's answer is the error.
		return c.apiError(call{op: cl.op + " (minting the installation token)"}, a, he.Response)
	case hr != nil && hr.StatusCode >= 300:
		return c.apiError(cl, a, hr)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		if !errors.As(err, &te) {
			return fmt.Errorf("githubapi: %s: %w", cl.op, err)
		}
	}
	method, path := "", ""
	var ue *url.Error
	if errors.As(err, &ue) {
		method = ue.Op
		if u, perr := url.Parse(ue.URL); perr == nil {
			path = u.EscapedPath()
		}
		err = ue.Err
	}
	return &NetworkError{Op: cl.op, Method: method, Path: path, Attempts: a.N, Err: err}
}

// apiError reads a failed answer into an *APIError.
func (c *Client) apiError(cl call, a *apiclient.Attempts, resp *http.Response) *APIError {
	e := &APIError{Op: cl.op, Status: resp.StatusCode, Attempts: max(a.N, 1), absentIsData: cl.absentIsData}
	if resp.Request != nil {
		e.Method, e.Path = resp.Request.Method, resp.Request.URL.EscapedPath()
	}
	if wait, limited := rateLimitWait(resp, c.now()); limited {
		e.RateLimited, e.RetryAfter = true, wait
	}
	if resp.Body != nil {
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		e.Message = messageOf(data)
	}
	if e.Status >= 300 && e.Status < 400 {
		e.Message = ""
		if loc := resp.Header.Get("Location"); loc != "" {
			e.Message = "redirected to " + loc
		}
	}
	e.Hint = e.hint(c.base.String())
	return e
}

// checkName rejects an owner or repository name that cannot be one: it would change the path.
func checkName(what, s string) error {
	switch {
	case s == "" || s == "." || s == "..":
		return fmt.Errorf("githubapi: %q is not a valid %s name", s, what)
	case strings.ContainsAny(s, "/?#%\\ \t\r\n"):
		return fmt.Errorf("githubapi: %q is not a valid %s name (GitHub allows letters, digits, '-', '_' and '.')", s, what)
	}
	return nil
}

func checkRepo(owner, repo string) error {
	if err := checkName("owner", owner); err != nil {
		return err
	}
	return checkName("repository", repo)
}

// GetApp returns the App as GitHub knows it (GET /app); the App client only.
func (c *Client) GetApp(ctx context.Context) (*github.App, error) {
	cl := call{op: "get the app"}
	ctx, a := begin(ctx, cl)
	app, resp, err := c.gh.Apps.Get(ctx, "")
	if err != nil {
		return nil, c.fail(cl, a, resp, err)
	}
	if app.GetID() == 0 || app.GetSlug() == "" {
		return nil, c.protocol(cl, resp, errors.New("the app has no id or slug"))
	}
	return app, nil
}

// RepositoryInstallation returns the App's installation on a repository; the App client only.
// A 404 (ErrMisconfigured too) means the App is not installed there.
func (c *Client) RepositoryInstallation(ctx context.Context, owner, repo string) (*github.Installation, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	cl := call{op: "find the app's installation on " + owner + "/" + repo}
	ctx, a := begin(ctx, cl)
	inst, resp, err := c.gh.Apps.GetRepositoryInstallation(ctx, owner, repo)
	if err != nil {
		return nil, c.fail(cl, a, resp, err)
	}
	if inst.GetID() == 0 {
		return nil, c.protocol(cl, resp, errors.New("the installation has no id"))
	}
	return inst, nil
}

// protocol makes a ProtocolError of a 2xx answer without what the call needs.
func (c *Client) protocol(cl call, resp *github.Response, err error) error {
	e := &ProtocolError{Op: cl.op, Err: err}
	if resp != nil && resp.Request != nil {
		e.Method, e.Path = resp.Request.Method, resp.Request.URL.EscapedPath()
	}
	return e
}

// FileTooLargeError is a file above ReadFile's cap. It is ErrMisconfigured: the file is the
// repository's to fix.
type FileTooLargeError struct {
	Path string
	Size int64
	Max  int64
}

func (e *FileTooLargeError) Error() string {
	return fmt.Sprintf("githubapi: %s is %d bytes, more than the %d allowed; keep it smaller", e.Path, e.Size, e.Max)
}

// Is makes a FileTooLargeError ErrMisconfigured.
func (e *FileTooLargeError) Is(target error) bool { return target == ErrMisconfigured }

// NotAFileError is a path that names a directory, a symlink or a submodule. It is
// ErrMisconfigured.
type NotAFileError struct{ Path, Type string }

func (e *NotAFileError) Error() string {
	return fmt.Sprintf("githubapi: %s is a %s, not a file", e.Path, e.Type)
}

// Is makes a NotAFileError ErrMisconfigured.
func (e *NotAFileError) Is(target error) bool { return target == ErrMisconfigured }

// ReadFile returns the content of a file at ref (a commit SHA, branch or tag; "" for the
// default branch) through the contents API. A missing file is ErrNotFound (and not
// ErrMisconfigured); a file larger than maxSize (0: DefaultMaxFileSize) is a
// *FileTooLargeError.
func (c *Client) ReadFile(ctx context.Context, owner, repo, path, ref string, maxSize int64) ([]byte, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	path = strings.Trim(path, "/")
	if path == "" || strings.Contains(path, "..") || strings.ContainsAny(path, "\\\x00") {
		return nil, fmt.Errorf("githubapi: %q is not a file path in a repository", path)
	}
	if maxSize <= 0 {
		maxSize = DefaultMaxFileSize
	}
	cl := call{op: fmt.Sprintf("read %s at %s in %s/%s", path, cmpOr(ref, "the default branch"), owner, repo), absentIsData: true}
	ctx, a := begin(ctx, cl)
	file, dir, resp, err := c.gh.Repositories.GetContents(ctx, owner, repo, path, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		return nil, c.fail(cl, a, resp, err)
	}
	switch {
	case file == nil && dir != nil:
		return nil, &NotAFileError{Path: path, Type: "directory"}
	case file == nil:
		return nil, c.protocol(cl, resp, errors.New("no file and no directory"))
	case file.GetType() != "file":
		return nil, &NotAFileError{Path: path, Type: cmpOr(file.GetType(), "thing of no type")}
	case int64(file.GetSize()) > maxSize:
		return nil, &FileTooLargeError{Path: path, Size: int64(file.GetSize()), Max: maxSize}
	case file.GetEncoding() == "none":
		// The contents API gives no content above 1 MiB.
		return nil, &FileTooLargeError{Path: path, Size: int64(file.GetSize()), Max: DefaultMaxFileSize}
	}
	content, err := file.GetContent()
	if err != nil {
		return nil, c.protocol(cl, resp, err)
	}
	if int64(len(content)) != int64(file.GetSize()) {
		return nil, c.protocol(cl, resp, fmt.Errorf("the content has %d bytes where the size says %d", len(content), file.GetSize()))
	}
	return []byte(content), nil
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// ReviewState is a deployment protection rule decision.
type ReviewState string

// The states of a review; the empty state posts a status report without deciding.
const (
	Approved     ReviewState = "approved"
	Rejected     ReviewState = "rejected"
	StatusReport ReviewState = ""
)

// Review is one answer to a deployment protection rule.
type Review struct {
	// CallbackURL is the payload's deployment_callback_url: the review endpoint of the run.
	// It must be on the configured API, since the installation token goes there.
	CallbackURL string
	// Environment is the payload's environment.
	Environment string
	// State decides (Approved, Rejected) or, empty, reports progress (at most 10 reports per
	// deployment, GitHub's limit).
	State ReviewState
	// Comment is Markdown, cut to MaxReviewComment characters. Required for a status report.
	Comment string
}

var callbackPath = regexp.MustCompile(`^repos/([^/]+)/([^/]+)/actions/runs/([0-9]+)/deployment_protection_rule$`)

// ProtectionRuleRun reads the repository and run ID from a deployment_callback_url, checking
// that it is on the configured API (a *ForeignURLError otherwise).
func (c *Client) ProtectionRuleRun(callbackURL string) (owner, repo string, runID int64, err error) {
	u, err := url.Parse(callbackURL)
	if err != nil {
		return "", "", 0, fmt.Errorf("githubapi: the deployment callback URL %q is not a URL: %w", callbackURL, err)
	}
	rest, under := strings.CutPrefix(u.EscapedPath(), c.base.EscapedPath())
	if apiclient.OriginOf(u) != apiclient.OriginOf(c.base) || !under || u.User != nil {
		return "", "", 0, &ForeignURLError{URL: u.Redacted(), Base: c.base.String()}
	}
	m := callbackPath.FindStringSubmatch(rest)
	if m == nil {
		return "", "", 0, fmt.Errorf("githubapi: the deployment callback URL %s is not a run's deployment_protection_rule endpoint", u.Redacted())
	}
	runID, err = strconv.ParseInt(m[3], 10, 64)
	if err != nil || runID <= 0 {
		return "", "", 0, fmt.Errorf("githubapi: the deployment callback URL %s has no valid run ID", u.Redacted())
	}
	owner, _ = url.PathUnescape(m[1])
	repo, _ = url.PathUnescape(m[2])
	if err := checkRepo(owner, repo); err != nil {
		return "", "", 0, err
	}
	return owner, repo, runID, nil
}

// ReviewDeploymentProtectionRule approves or rejects a deployment waiting on the App's rule,
// or posts a status report (State empty). It is not retried after a server error, since
// GitHub may have taken the decision; a rate limit or a failed connection is retried.
func (c *Client) ReviewDeploymentProtectionRule(ctx context.Context, r Review) error {
	owner, repo, runID, err := c.ProtectionRuleRun(r.CallbackURL)
	if err != nil {
		return err
	}
	switch {
	case r.Environment == "":
		return errors.New("githubapi: a protection rule review needs the environment name (the payload's environment)")
	case r.State != Approved && r.State != Rejected && r.State != StatusReport:
		return fmt.Errorf("githubapi: review state %q is neither approved nor rejected", r.State)
	case r.State == StatusReport && strings.TrimSpace(r.Comment) == "":
		return errors.New("githubapi: a status report needs a comment")
	}
	// go-github's request type has no omitempty on state, and a report must not send one.
	body := map[string]string{"environment_name": r.Environment}
	if r.State != StatusReport {
		body["state"] = string(r.State)
	}
	if r.Comment != "" {
		body["comment"] = Truncate(r.Comment, MaxReviewComment)
	}
	what := map[ReviewState]string{Approved: "approve", Rejected: "reject", StatusReport: "report on"}[r.State]
	cl := call{op: fmt.Sprintf("%s the deployment protection rule of run %d in %s/%s (%s)", what, runID, owner, repo, r.Environment)}
	ctx, a := begin(ctx, cl)
	req, err := c.gh.NewRequest(ctx, http.MethodPost, fmt.Sprintf("repos/%s/%s/actions/runs/%d/deployment_protection_rule", owner, repo, runID), body)
	if err != nil {
		return fmt.Errorf("githubapi: %s: %w", cl.op, err)
	}
	resp, err := c.gh.Do(req, nil)
	if err != nil {
		return c.fail(cl, a, resp, err)
	}
	if resp.StatusCode != http.StatusNoContent && resp.StatusCode != http.StatusOK {
		return c.protocol(cl, resp, fmt.Errorf("status %d where 204 No Content was expected", resp.StatusCode))
	}
	return nil
}

// Truncate cuts s to at most n characters, ending in "…" when it cut.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-1]) + "…"
}

// CheckRun is the content of a check run. Summary and Text are Markdown, cut to
// MaxCheckRunText characters.
type CheckRun struct {
	// Name and HeadSHA are required to create; Name is required to update.
	Name, HeadSHA string
	// Status is queued, in_progress or completed; Conclusion (success, failure, neutral,
	// cancelled, skipped, timed_out, action_required) requires completed.
	Status, Conclusion string
	// DetailsURL links the decision page; ExternalID is the caller's reference.
	DetailsURL, ExternalID string
	// Title, Summary and Text are the output; Title and Summary are required when any is set.
	Title, Summary, Text string
	// StartedAt and CompletedAt: zero leaves them to GitHub (CompletedAt is set with a
	// conclusion when zero).
	StartedAt, CompletedAt time.Time
}

func (r CheckRun) output() *github.CheckRunOutput {
	if r.Title == "" && r.Summary == "" && r.Text == "" {
		return nil
	}
	out := &github.CheckRunOutput{Title: github.Ptr(r.Title), Summary: github.Ptr(Truncate(r.Summary, MaxCheckRunText))}
	if r.Text != "" {
		out.Text = github.Ptr(Truncate(r.Text, MaxCheckRunText))
	}
	return out
}

func (r CheckRun) check(create bool, now time.Time) (completedAt *github.Timestamp, err error) {
	switch {
	case r.Name == "":
		return nil, errors.New("githubapi: a check run needs a name")
	case create && r.HeadSHA == "":
		return nil, errors.New("githubapi: a check run needs the commit SHA")
	case (r.Title != "" || r.Summary != "" || r.Text != "") && (r.Title == "" || r.Summary == ""):
		return nil, errors.New("githubapi: a check run's output needs both a title and a summary")
	case r.Conclusion != "" && r.Status != "" && r.Status != "completed":
		return nil, fmt.Errorf("githubapi: a check run with a conclusion is completed, not %s", r.Status)
	}
	if !r.CompletedAt.IsZero() {
		return &github.Timestamp{Time: r.CompletedAt}, nil
	}
	if r.Conclusion != "" {
		return &github.Timestamp{Time: now}, nil
	}
	return nil, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// CreateCheckRun creates a check run on a commit and returns its ID. Not retried after a
// server error (a second run would appear); rate limits and failed connections are.
func (c *Client) CreateCheckRun(ctx context.Context, owner, repo string, r CheckRun) (int64, error) {
	if err := checkRepo(owner, repo); err != nil {
		return 0, err
	}
	completed, err := r.check(true, c.now())
	if err != nil {
		return 0, err
	}
	opts := github.CreateCheckRunOptions{
		Name: r.Name, HeadSHA: r.HeadSHA, DetailsURL: optional(r.DetailsURL), ExternalID: optional(r.ExternalID),
		Status: optional(r.Status), Conclusion: optional(r.Conclusion), CompletedAt: completed, Output: r.output(),
	}
	if !r.StartedAt.IsZero() {
		opts.StartedAt = &github.Timestamp{Time: r.StartedAt}
	}
	cl := call{op: fmt.Sprintf("create check run %q on %s in %s/%s", r.Name, r.HeadSHA, owner, repo)}
	ctx, a := begin(ctx, cl)
	run, resp, err := c.gh.Checks.CreateCheckRun(ctx, owner, repo, opts)
	if err != nil {
		return 0, c.fail(cl, a, resp, err)
	}
	if run.GetID() == 0 {
		return 0, c.protocol(cl, resp, errors.New("the check run has no id"))
	}
	return run.GetID(), nil
}

// UpdateCheckRun replaces what r sets of a check run. Safe to repeat, so it is retried.
func (c *Client) UpdateCheckRun(ctx context.Context, owner, repo string, id int64, r CheckRun) error {
	if err := checkRepo(owner, repo); err != nil {
		return err
	}
	if id <= 0 {
		return fmt.Errorf("githubapi: check run id %d is not valid", id)
	}
	completed, err := r.check(false, c.now())
	if err != nil {
		return err
	}
	opts := github.UpdateCheckRunOptions{
		Name: r.Name, DetailsURL: optional(r.DetailsURL), ExternalID: optional(r.ExternalID),
		Status: optional(r.Status), Conclusion: optional(r.Conclusion), CompletedAt: completed, Output: r.output(),
	}
	cl := call{op: fmt.Sprintf("update check run %d in %s/%s", id, owner, repo), retrySafe: true}
	ctx, a := begin(ctx, cl)
	run, resp, err := c.gh.Checks.UpdateCheckRun(ctx, owner, repo, id, opts)
	if err != nil {
		return c.fail(cl, a, resp, err)
	}
	if run.GetID() != id {
		return c.protocol(cl, resp, fmt.Errorf("the answer is check run %d, not %d", run.GetID(), id))
	}
	return nil
}

// AppCredentials are what the manifest flow gives: the new App's identity and secrets.
// Printing it (any fmt verb, slog) never shows the secrets.
type AppCredentials struct {
	ID                  int64
	Slug, Name, HTMLURL string
	ClientID            string
	ClientSecret        string `json:"-"`
	WebhookSecret       string `json:"-"`
	PEM                 string `json:"-"`
}

// String names the App without its secrets.
func (a AppCredentials) String() string {
	return fmt.Sprintf("githubapi.AppCredentials{ID: %d, Slug: %q, ClientID: %q, secrets: [redacted]}", a.ID, a.Slug, a.ClientID)
}

// Format makes every fmt verb print String.
func (a AppCredentials) Format(f fmt.State, _ rune) { _, _ = fmt.Fprint(f, a.String()) }

// CompleteManifest exchanges the code of GitHub's manifest flow for the new App's credentials
// (POST /app-manifests/{code}/conversions, within an hour of the flow's start). Use the
// Anonymous client. A code works once, so the call is never repeated after a server error.
func (c *Client) CompleteManifest(ctx context.Context, code string) (*AppCredentials, error) {
	if code == "" || strings.ContainsAny(code, "/?#%\\ \r\n") {
		return nil, fmt.Errorf("githubapi: %q is not a manifest code (the code parameter of the redirect)", code)
	}
	cl := call{op: "complete the app manifest flow"}
	ctx, a := begin(ctx, cl)
	cfg, resp, err := c.gh.Apps.CompleteAppManifest(ctx, code)
	if err != nil {
		return nil, c.fail(cl, a, resp, err)
	}
	creds := &AppCredentials{
		ID: cfg.GetID(), Slug: cfg.GetSlug(), Name: cfg.GetName(), HTMLURL: cfg.GetHTMLURL(),
		ClientID: cfg.GetClientID(), ClientSecret: cfg.GetClientSecret(), WebhookSecret: cfg.GetWebhookSecret(), PEM: cfg.GetPEM(),
	}
	if creds.ID == 0 || creds.PEM == "" || creds.WebhookSecret == "" {
		return nil, c.protocol(cl, resp, errors.New("the answer lacks the app's id, private key or webhook secret"))
	}
	return creds, nil
}

// FindCheckRun looks for the App's check run named name with externalID on a commit: after a
// crash between creating a check run and recording it, the creator asks before creating
// another. found is false when there is none.
func (c *Client) FindCheckRun(ctx context.Context, owner, repo, sha, name, externalID string) (id int64, found bool, err error) {
	if err := checkRepo(owner, repo); err != nil {
		return 0, false, err
	}
	if err := checkRef(sha); err != nil {
		return 0, false, err
	}
	cl := call{op: fmt.Sprintf("list check runs %q on %s in %s/%s", name, sha, owner, repo), retrySafe: true}
	ctx, a := begin(ctx, cl)
	opts := &github.ListCheckRunsOptions{CheckName: github.Ptr(name), Filter: github.Ptr("all"), ListOptions: github.ListOptions{PerPage: 100}}
	for {
		res, resp, err := c.gh.Checks.ListCheckRunsForRef(ctx, owner, repo, sha, opts)
		if err != nil {
			return 0, false, c.fail(cl, a, resp, err)
		}
		for _, r := range res.CheckRuns {
			if r.GetExternalID() == externalID && r.GetName() == name {
				return r.GetID(), true, nil
			}
		}
		if resp.NextPage == 0 {
			return 0, false, nil
		}
		opts.Page = resp.NextPage
	}
}
