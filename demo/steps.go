package demo

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/releasegate/releasegate/bot/triage"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
)

// The simulated history: v1 went to staging three hours ago and its users ran into a few
// aborted requests in its first hour; v2 went out an hour ago and its checkout has been
// failing since. The events carry those times; they are sent now.
const (
	v1DeployedAgo = 3 * time.Hour
	v2DeployedAgo = time.Hour
	suspectPR     = 7
)

func (s *scenario) run(ctx context.Context) error {
	o := s.o
	s.say("releasegate demo: two releases of a sample web app, from the build to the fix pull request.")
	s.say("Sentry, GitHub and Jira are local stand-ins running in this process (the fakes releasegate's tests use), not the real services.")

	s.step(1, "Starting the stand-ins and the service")
	now := o.Now()
	s.w = startFakes(s.rep, now.Add(-v1DeployedAgo))
	w := s.w
	s.say("Sentry stand-in (sentryapitest): %s — organization %s, project %s, team #%s", w.sentry.URL(), org, project, team)
	s.say("GitHub stand-in (githubapitest): %s — the App installed on %s", w.github.URL(), repository)
	s.say("Jira stand-in (jiratest): %s — project %s", w.jira.URL(), jiraKey)
	log := slog.New(slog.DiscardHandler)
	if o.Verbose {
		log = slog.New(slog.NewTextHandler(o.ErrOut, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if err := w.startService(ctx, s.rep, o.Dir, o.Listen, log); err != nil {
		return err
	}
	s.out.ServiceURL = w.serviceURL
	s.say("releasegate serve: %s (store: %s, in %s)", w.serviceURL, w.store.Engine(), o.Dir)

	s.step(2, "The repository on GitHub")
	if err := s.seedRepository(); err != nil {
		return err
	}
	for _, p := range w.github.PullsOf(org, repoName) {
		files := make([]string, 0, len(p.Files))
		for _, f := range p.Files {
			files = append(files, f.Filename)
		}
		s.say("%s: #%d %q by @%s, merged as %s, changed %s", repository, p.Number, p.Title, p.Author, p.MergeSHA[:12], strings.Join(files, ", "))
	}

	for i, v := range versions {
		deployed := now.Add(-v1DeployedAgo)
		if i == 1 {
			deployed = now.Add(-v2DeployedAgo)
		}
		if err := s.release(ctx, 3+i*3, i, v, deployed); err != nil {
			return err
		}
	}
	return s.triage(ctx, 9)
}

// seedRepository puts both commits' files on GitHub, v2 merged from a pull request that
// changed the checkout code, and main at v2.
func (s *scenario) seedRepository() error {
	w := s.w
	var before map[string][]byte
	for _, v := range versions {
		files, err := repositoryFiles(v)
		if err != nil {
			return err
		}
		for _, p := range slices.Sorted(maps.Keys(files)) {
			w.github.SetFile(org, repoName, v.SHA, p, files[p])
		}
		if before == nil {
			w.github.AddCommits(org, repoName, githubapitest.Commit{SHA: v.SHA, Message: "Checkout: the cart and its total", AuthorLogin: "jo",
				AuthorName: "Jo", AuthorEmail: "jo@example.com"})
		} else {
			var changed []githubapitest.PullFile
			for _, p := range changedFiles(before, files) {
				changed = append(changed, githubapitest.PullFile{Filename: p, Status: "modified", Additions: 1, Deletions: 1,
					Patch: wholeFilePatch(string(before[p]), string(files[p]))})
			}
			w.github.AddCommits(org, repoName, githubapitest.Commit{SHA: v.SHA, Message: fmt.Sprintf("Merge pull request #%d from acme/cart-coupon", suspectPR),
				AuthorLogin: "jo", AuthorName: "Jo", AuthorEmail: "jo@example.com", Files: changed})
			w.github.AddPull(org, repoName, githubapitest.Pull{Number: suspectPR, Title: "Checkout: name the cart's coupon", Author: "jo",
				State: "closed", MergeSHA: v.SHA, HeadRef: "cart-coupon", HeadSHA: v.SHA, BaseRef: "main", Commits: []string{v.SHA}, Files: changed})
		}
		w.github.SetBranch(org, repoName, "main", v.SHA)
		before = files
	}
	return nil
}

// release takes one version from its build to the gate and the protection rule.
func (s *scenario) release(ctx context.Context, n, i int, v version, deployed time.Time) error {
	w := s.w
	dir := s.workspaceDir(v)
	if err := workspace(dir, v); err != nil {
		return err
	}
	s.step(n, fmt.Sprintf("%s (%s): the GitHub Action's phases", v.Name, v.Release()))
	// Sentry stamps the deploy with its clock, set to the simulated time of the deploy.
	w.sentry.SetNow(deployed)
	inputs := map[string]string{
		"release": v.Release(), "sourcemaps": "dist", "environment": "staging",
		"set_commits": "manual", "repo": repository, "commit": v.SHA, "ownership": "sync",
	}
	if i > 0 {
		inputs["previous_commit"] = versions[i-1].SHA
	}
	s.say("simulated history: Sentry's clock is set to %s ago, when this deploy to staging happens", s.o.Now().Sub(deployed).Round(time.Minute))
	report, err := s.action(ctx, v, dir, inputs)
	for _, ph := range report.Phases {
		line := fmt.Sprintf("%-15s %s", ph.Name, ph.Status)
		if ph.Detail != "" {
			line += " — " + ph.Detail
		}
		s.out.Phases[v.Name] = append(s.out.Phases[v.Name], line)
		s.say("  %s", line)
	}
	if err != nil {
		return err
	}

	s.step(n+1, fmt.Sprintf("%s: the users' errors, through sentry-go", v.Name))
	tr, err := s.traffic(v, dir, deployed)
	if err != nil {
		return err
	}
	w.sentry.SetNow(tr.Until)
	sent, err := send(w.sentry.DSN(project), v, "staging", tr)
	if err != nil {
		return err
	}
	s.say("sent %d events (timestamped over the hour after the deploy, sent now; Sentry's clock moved to the hour's end) from %d tenants, with request_id, tenant_id and user.id on each scope", sent, len(tr.Tenants))
	for _, is := range w.sentry.Issues() {
		if is.FirstRelease == v.Release() {
			s.say("Sentry: %s %q — %d events, %d users, first seen in %s", is.ShortID, is.Title, is.Count, is.UserCount, is.FirstRelease)
		}
	}

	s.step(n+2, fmt.Sprintf("%s: the gate, then the deployment protection rule for production", v.Name))
	d, err := s.gate(ctx, v, dir)
	if err != nil {
		return err
	}
	s.out.Gate[v.Name] = d
	s.say("releasegate gate --environment production: %s — %s", strings.ToUpper(string(d.Verdict)), d.Reason)
	if d.Verdict != gate.StatusPass {
		s.say("\n--- the gate's report ---")
		if err := gate.Render(s.o.Out, d, "text"); err != nil {
			return err
		}
		s.say("--- end of the report ---\n")
	}
	runID := int64(1000 + i)
	review, status, err := w.protectionRule(ctx, s.rep, v, runID)
	s.out.Reviews[v.Name] = Review{State: review.State, Comment: review.Comment, Status: status}
	if err != nil {
		return err
	}
	s.say("GitHub's signed deployment_protection_rule webhook (run %d → production): the service answered %d, then %s the deployment:", runID, status, review.State)
	for _, line := range strings.Split(strings.TrimSpace(review.Comment), "\n") {
		s.say("  > %s", line)
	}
	if i == 1 {
		s.out.DecisionPage = w.decisionPage(v.SHA)
	}
	return nil
}

// actionReport is the part of the action's JSON report the demo reads.
type actionReport struct {
	Phases []struct {
		Name, Status, Detail string
	} `json:"phases"`
	Error string `json:"error"`
}

// action runs `releasegate action` as a workflow step would: the inputs as INPUT_*, the
// Sentry connection as SENTRY_*, the run as GITHUB_*; its report is read back.
func (s *scenario) action(ctx context.Context, v version, dir string, inputs map[string]string) (actionReport, error) {
	runnerTemp := filepath.Join(s.o.Dir, "runner-"+v.Name)
	if err := os.MkdirAll(runnerTemp, 0o755); err != nil {
		return actionReport{}, err
	}
	env := s.sentryEnv()
	for k, val := range map[string]string{
		"GITHUB_WORKSPACE": dir, "GITHUB_SHA": v.SHA, "GITHUB_REF_NAME": "main", "GITHUB_REPOSITORY": repository, "RUNNER_TEMP": runnerTemp,
	} {
		env[k] = val
	}
	for k, val := range inputs {
		env["INPUT_"+strings.ToUpper(k)] = val
	}
	code, runErr := s.exec(ctx, Invocation{Args: []string{"action"}, Dir: dir, Env: env})
	var rep actionReport
	data, err := os.ReadFile(filepath.Join(runnerTemp, "releasegate-report.json"))
	if err == nil {
		err = json.Unmarshal(data, &rep)
	}
	switch {
	case code != 0:
		return rep, fmt.Errorf("the action of %s exited %d (%s): %w", v.Name, code, cmp.Or(rep.Error, "it wrote no report"), runErr)
	case err != nil:
		return rep, fmt.Errorf("reading the action's report: %w", err)
	}
	return rep, nil
}

// gate runs `releasegate gate` for production, on staging's evidence, as the action's gate
// phase runs it.
func (s *scenario) gate(ctx context.Context, v version, dir string) (gate.Decision, error) {
	var out bytes.Buffer
	code, err := s.exec(ctx, Invocation{Args: []string{"gate", "--release", v.Release(), "--environment", "production", "--format", "json"},
		Dir: dir, Env: s.sentryEnv(), Out: &out})
	var d gate.Decision
	if jerr := json.Unmarshal(out.Bytes(), &d); jerr != nil {
		return d, fmt.Errorf("releasegate gate exited %d without a decision: %w", code, errors.Join(err, jerr))
	}
	return d, nil
}

// exec runs a command line, its output to Out when verbose.
func (s *scenario) exec(ctx context.Context, inv Invocation) (int, error) {
	log := io.Discard
	if s.o.Verbose {
		log = s.o.Out
	}
	if inv.Out == nil {
		inv.Out = log
	} else if s.o.Verbose {
		inv.Out = io.MultiWriter(inv.Out, log)
	}
	inv.ErrOut = log
	return s.o.Releasegate(ctx, inv)
}

func (s *scenario) sentryEnv() map[string]string {
	return map[string]string{"SENTRY_URL": s.w.sentry.URL(), "SENTRY_AUTH_TOKEN": s.w.sentry.Token(), "SENTRY_ORG": org}
}

// traffic is what each version's users run into in the hour after its deploy. v1: a few
// aborted requests, below any threshold. v2: the checkout reads the code of a coupon most carts
// do not have — a TypeError raised where the deployed build reads it, resolved through its map.
func (s *scenario) traffic(v version, dir string, deployed time.Time) (traffic, error) {
	if v.Name == "v1" {
		return traffic{
			Exception: sentry.Exception{Type: "AbortError", Value: "The user aborted a request."},
			Events:    4, Tenants: []string{"globex", "initech", "umbrella", "hooli"}, Users: 1,
			From: deployed, Until: deployed.Add(time.Hour),
		}, nil
	}
	site, err := findThrowSite(dir, ".code")
	if err != nil {
		return traffic{}, err
	}
	s.say("the browser throws at %s:%d:%d; the uploaded map resolves it to %s:%d:%d (%s)",
		site.Generated, site.Line, site.Column, site.Source, site.SourceLine, site.SourceColumn, strings.TrimSpace(site.SourceLineText))
	s.say("(the Sentry stand-in does not apply maps itself: the frames are sent resolved, as Sentry would show them)")
	return traffic{
		Exception: sentry.Exception{Type: "TypeError", Value: "Cannot read properties of undefined (reading 'code')",
			Stacktrace: &sentry.Stacktrace{Frames: []sentry.Frame{site.frame("couponNote")}}},
		Events: 96, Tenants: []string{"globex", "initech", "umbrella"}, Users: 12,
		From: deployed, Until: deployed.Add(time.Hour),
	}, nil
}

// triage sends Sentry's webhook for v2's new issue and reports what the service made of it.
func (s *scenario) triage(ctx context.Context, n int) error {
	w := s.w
	v := versions[1]
	s.step(n, "Sentry's webhook for the new issue: owner, Jira, comment, fix pull request")
	var issue *sentryIssue
	for _, is := range w.sentry.Issues() {
		if is.FirstRelease == v.Release() && strings.HasPrefix(is.Title, "TypeError") {
			issue = &sentryIssue{ID: is.ID, ShortID: is.ShortID, Count: is.Count}
			status, err := w.sentryIssueWebhook(ctx, is, v.Release())
			if err != nil {
				return err
			}
			s.say("Sentry's signed issue webhook for %s: the service answered %d", is.ShortID, status)
		}
	}
	if issue == nil {
		return fmt.Errorf("no TypeError issue first seen in %s in the Sentry stand-in", v.Release())
	}
	s.out.IssueShortID, s.out.IssueEvents = issue.ShortID, issue.Count
	r, err := w.waitForTriage(ctx, issue.ID)
	if err != nil {
		return err
	}
	s.out.JiraKey, s.out.JiraTickets = r.Ticket.Key, len(w.jira.Issues())
	s.out.Comment, s.out.CommentPR = r.Comment.Body, r.Comment.Issue
	s.out.FixPR, s.out.FixPRBranch, s.out.SentryLinks = r.FixPull.Number, r.FixPull.HeadRef, r.Linked
	s.out.FixPRURL = fmt.Sprintf("%s%s/pull/%d", w.github.URL(), repository, r.FixPull.Number)
	s.out.TriageComment, s.out.FixPRs = s.count()
	for _, op := range []string{"blobs", "trees", "commits", "refs"} {
		s.out.GitDataCalls += len(w.github.CallsTo("POST /repos/{owner}/{repo}/git/" + op))
	}
	s.say("Jira: %s %q, assigned to %s, %d remote links", r.Ticket.Key, r.Ticket.Summary, r.Ticket.Assignee, len(r.Ticket.RemoteLinks))
	s.say("Sentry: %s linked to %s", issue.ShortID, strings.Join(r.Linked, ", "))
	s.say("GitHub: fix pull request #%d %q from %s (%d git data API calls), reviewers %s, assigned to %s",
		r.FixPull.Number, r.FixPull.Title, r.FixPull.HeadRef, s.out.GitDataCalls, strings.Join(append(r.FixPull.Reviewers, r.FixPull.TeamReviewers...), ", "), strings.Join(r.FixPull.Assignees, ", "))
	s.say("GitHub: the triage comment on #%d:\n\n--- the PR comment ---\n%s\n--- end of the comment ---", r.Comment.Issue, strings.TrimSpace(r.Comment.Body))

	page := s.out.DecisionPage
	if page == "" {
		return fmt.Errorf("no check run of %s links to a decision page", v.SHA)
	}
	status, err := getStatus(ctx, page)
	if err != nil {
		return err
	}
	s.out.DecisionPageStatus = status
	s.say("\nThe decision page of %s (production): %s (answers %d)", v.Release(), page, status)
	return nil
}

type sentryIssue struct {
	ID, ShortID string
	Count       int
}

// count is how many triage comments and fix pull requests exist (one each, once).
func (s *scenario) count() (comments, fixes int) {
	for _, c := range s.w.github.Comments() {
		if triage.IsTriageComment(c.Body) {
			comments++
		}
	}
	for _, p := range s.w.github.PullsOf(org, repoName) {
		if strings.HasPrefix(p.HeadRef, "releasegate/fix-") {
			fixes++
		}
	}
	return comments, fixes
}

func getStatus(ctx context.Context, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", url, err)
	}
	res.Body.Close()
	return res.StatusCode, nil
}
