package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/bot/triage"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/jira"
	"github.com/releasegate/releasegate/internal/store"
)

// A suggested fix, acted on: a review comment with a suggestion block on the open pull
// request whose deploy raised the error, and (when the repository opts in) a fix pull request.
// Each goes through the effects ledger under a key of its own (the issue, and the pull
// request for the comment), so duplicate webhooks, concurrent workers and a retry after a
// crash make one; a resumed attempt asks GitHub what its predecessor made (the fix branch and
// its pull request, the review's marker) before making anything.

// actOnSuggestion runs both, as the settings allow; on a dry run it says what it would do.
func (b *Bot) actOnSuggestion(ctx context.Context, r *TriageReport, f *found, s suggest.Result, o TriageOptions) error {
	if !s.Suggested || f.gh == nil || r.Commit == "" {
		return nil
	}
	var errs []error
	if f.settings.Comments {
		if err := b.reviewSuggestion(ctx, r, f, s, o); err != nil {
			errs = append(errs, fmt.Errorf("the suggestion's review comment: %w", err))
		}
	}
	if f.settings.FixPullRequests {
		if err := b.openFixPR(ctx, r, f, s, o); err != nil {
			errs = append(errs, fmt.Errorf("the fix pull request of %s: %w", r.ShortID, err))
		}
	}
	return errors.Join(errs...)
}

// reviewSuggestion comments the suggestion on the lines it replaces, on the open pull
// request whose head is the release's commit (its preview or staging deploy raised the
// error), once per pull request and issue.
func (b *Bot) reviewSuggestion(ctx context.Context, r *TriageReport, f *found, s suggest.Result, o TriageOptions) error {
	pulls, err := f.gh.PullsOfCommit(ctx, f.repoOwner, f.repoName, r.Commit)
	if err != nil {
		return err
	}
	var pr *githubapi.PullRequest
	for i, p := range pulls {
		if p.State == "open" && strings.EqualFold(p.HeadSHA, r.Commit) && (p.BaseRepo == "" || strings.EqualFold(p.BaseRepo, r.Repo)) {
			pr = &pulls[i]
			break
		}
	}
	if pr == nil {
		return nil // a production release: no pull request to review
	}
	files, _, err := f.gh.PullFiles(ctx, f.repoOwner, f.repoName, pr.Number)
	if err != nil {
		return err
	}
	patch, inPull := "", false
	for _, cf := range files {
		if cf.Path == s.File {
			patch, inPull = cf.Patch, true
		}
	}
	if !inPull {
		r.Notes = append(r.Notes, fmt.Sprintf("the suggestion changes %s, which #%d does not change: no review comment (GitHub takes them on the diff only)", s.File, pr.Number))
		return nil
	}
	start, end, ok, reason := triage.SuggestionLines(patch, s.Change)
	if !ok {
		r.Notes = append(r.Notes, fmt.Sprintf("no review comment on #%d: %s", pr.Number, reason))
		return nil
	}
	in := triage.ReviewSuggestion{IssueID: r.IssueID, Issue: r.Issue, Suggestion: s}
	body, comment := triage.RenderReviewBody(in), triage.RenderReviewComment(in)
	r.SuggestionReview = fmt.Sprintf("%s#%d, %s lines %d-%d", r.Repo, pr.Number, s.File, start, end)
	if o.DryRun {
		r.SuggestionReview = "would comment on " + r.SuggestionReview
		return nil
	}
	key := fmt.Sprintf("suggestion:%s:%s:%s#%d", r.Owner, r.IssueID, strings.ToLower(r.Repo), pr.Number)
	_, outcome, err := b.store.BeginEffect(ctx, key, o.Worker)
	switch {
	case err != nil:
		return err
	case outcome == store.AlreadyDone:
		return nil
	case outcome == store.HeldByOther:
		return fmt.Errorf("the review comment on #%d: %w", pr.Number, errRetryLater)
	case outcome == store.Resume:
		id, err := f.gh.FindReview(ctx, f.repoOwner, f.repoName, pr.Number, triage.SuggestionMarker(r.IssueID))
		if err != nil {
			return err
		}
		if id != 0 {
			return b.store.CompleteEffect(ctx, key, o.Worker, fmt.Appendf(nil, "%d", id))
		}
	}
	lc := githubapi.LineComment{Path: s.File, Line: end, Body: comment}
	if start < end {
		lc.StartLine = start
	}
	id, err := f.gh.CreateReviewComment(ctx, f.repoOwner, f.repoName, pr.Number, r.Commit, body, lc)
	if err != nil {
		return err
	}
	return b.store.CompleteEffect(ctx, key, o.Worker, fmt.Appendf(nil, "%d", id))
}

// openFixPR opens the issue's one fix pull request: a new branch from the release's commit
// with the patched file, against the default branch, with the owning team as reviewers and
// the on-call engineer as assignee, linked from the Jira ticket. No existing branch is ever
// written: the branch is made new, and an existing one is only reused when no pull request
// holds it yet (an earlier attempt stopped between the branch and the pull request).
func (b *Bot) openFixPR(ctx context.Context, r *TriageReport, f *found, s suggest.Result, o TriageOptions) error {
	if s.Patched == nil || s.File == "" {
		r.Notes = append(r.Notes, "the suggestion has no patched file, so no fix pull request")
		return nil
	}
	fp := triage.FixPull{IssueID: r.IssueID, Issue: r.Issue, Jira: r.Issue.Jira, Suspect: f.suspect, Suggestion: s, Release: r.Release, Commit: r.Commit}
	branch, title := triage.FixBranch(r.ShortID), triage.FixTitle(fp)
	if o.DryRun {
		r.FixPR = fmt.Sprintf("would open %q in %s from a new branch %s at %s, changing %s", title, r.Repo, branch, shortRef(r.Commit), s.File)
		return nil
	}
	if l, err := b.store.Link(ctx, r.Owner, r.IssueID); err == nil && !l.Fix.IsZero() {
		r.Notes = append(r.Notes, fmt.Sprintf("%s is fixed by %s already: no fix pull request", r.ShortID, l.Fix))
		return nil
	}
	key := "fix-pr:" + r.Owner + ":" + r.IssueID
	eff, outcome, err := b.store.BeginEffect(ctx, key, o.Worker)
	switch {
	case err != nil:
		return err
	case outcome == store.AlreadyDone:
		r.FixPR = string(eff.Result)
		return nil
	case outcome == store.HeldByOther:
		return errRetryLater
	}
	pr, err := f.gh.FindPullByHead(ctx, f.repoOwner, f.repoName, branch)
	if err != nil {
		return err
	}
	if pr == nil {
		if pr, err = b.createFixPull(ctx, f, r, fp, branch, title); err != nil {
			return err
		}
	}
	r.FixPR = pr.URL
	b.fixPeople(ctx, r, f, pr.Number)
	if r.Issue.Jira != nil && r.Issue.Jira.Key != "" {
		in, _ := b.cfg.Installation(r.Owner)
		jc, err := b.jiraClient(in)
		if err != nil {
			return err
		}
		if _, err := jc.UpsertRemoteLink(ctx, r.Issue.Jira.Key, jira.RemoteLink{GlobalID: "releasegate:fix:" + r.Owner + ":" + r.IssueID,
			URL: pr.URL, Title: fmt.Sprintf("%s#%d", r.Repo, pr.Number), Summary: title, AppName: "GitHub", Relationship: "fix pull request"}); err != nil {
			return fmt.Errorf("linking the fix pull request from %s: %w", r.Issue.Jira.Key, err)
		}
	}
	return b.store.CompleteEffect(ctx, key, o.Worker, []byte(pr.URL))
}

// createFixPull makes the branch (unless an earlier attempt did) and opens the pull request.
func (b *Bot) createFixPull(ctx context.Context, f *found, r *TriageReport, fp triage.FixPull, branch, title string) (*githubapi.PullRequest, error) {
	gh, owner, repo := f.gh, f.repoOwner, f.repoName
	_, exists, err := gh.BranchHead(ctx, owner, repo, branch)
	if err != nil {
		return nil, err
	}
	if !exists {
		root, err := gh.RootTree(ctx, owner, repo, r.Commit)
		if err != nil {
			return nil, err
		}
		blob, err := gh.CreateBlob(ctx, owner, repo, fp.Suggestion.Patched)
		if err != nil {
			return nil, err
		}
		tree, err := gh.CreateTree(ctx, owner, repo, root, fp.Suggestion.File, "", blob)
		if err != nil {
			return nil, err
		}
		commit, err := gh.CreateCommit(ctx, owner, repo, triage.FixCommitMessage(fp), tree, r.Commit)
		if err != nil {
			return nil, err
		}
		// Another worker that made it first is fine: its branch holds the same change.
		if err := gh.CreateBranch(ctx, owner, repo, branch, commit); err != nil && !errors.Is(err, githubapi.ErrBranchExists) {
			return nil, err
		}
	}
	info, err := gh.Repository(ctx, owner, repo)
	if err != nil {
		return nil, err
	}
	return gh.CreatePull(ctx, owner, repo, githubapi.NewPull{Title: title, Body: triage.RenderFixBody(fp), Head: branch, Base: info.DefaultBranch})
}

// fixPeople asks the owning team for review and assigns the on-call engineer. Neither is
// worth failing the pull request for (a team the repository lacks is GitHub's 422): a note
// says what went wrong.
func (b *Bot) fixPeople(ctx context.Context, r *TriageReport, f *found, number int) {
	var schedule *triage.Schedule
	if path := f.settings.OnCallSchedule; path != "" {
		data, err := f.gh.ReadFile(ctx, f.repoOwner, f.repoName, path, r.Commit, maxPolicySize)
		if err == nil {
			schedule, err = triage.ParseSchedule(data, fmt.Sprintf("%s@%s:%s", r.Repo, shortRef(r.Commit), path))
		}
		if err != nil {
			r.Notes = append(r.Notes, "the on-call schedule could not be read: "+err.Error())
		}
	}
	self, _ := b.github.BotLogin(ctx)
	owners := r.Issue.Owners
	if team := r.Issue.Team(); team != "" {
		owners = append([]string{team}, owners...)
	}
	people := triage.PeopleFor(owners, f.repoOwner, schedule, b.now(), strings.TrimSuffix(self, "[bot]"))
	if err := f.gh.RequestReviewers(ctx, f.repoOwner, f.repoName, number, people.Users, people.Teams); err != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("reviewers %v and teams %v could not be requested on #%d: %v", people.Users, people.Teams, number, err))
	}
	if people.Assignee == "" {
		r.Notes = append(r.Notes, fmt.Sprintf("no on-call engineer is known for %v (set triage.oncall_schedule, docs/bot.md): #%d is unassigned", owners, number))
		return
	}
	if err := f.gh.AddAssignees(ctx, f.repoOwner, f.repoName, number, people.Assignee); err != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("%s (from %s) could not be assigned #%d: %v", people.Assignee, people.AssigneeFrom, number, err))
	}
}
