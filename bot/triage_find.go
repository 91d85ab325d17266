package bot

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/bot/triage"
	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/issueowners"
	"github.com/releasegate/releasegate/internal/releasecommits"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/store"
	"github.com/releasegate/releasegate/ownership"
)

// The triage pipeline, reading half: from a Sentry issue to the pull request suspected of
// causing it, its owners, the repository's settings and playbook, duplicates and the blast
// radius. Nothing here writes anywhere; triage_write.go makes the ticket and the comment.

// Bounds on what one triage reads from GitHub.
const (
	maxRangeCommits = 100 // commits of a release whose pull requests are looked up
	maxCandidates   = 30  // pull requests whose files are read
	maxDuplicates   = 10
)

// TriageOptions shape one run of the pipeline.
type TriageOptions struct {
	// DryRun finds and renders everything and writes nothing: no store, no Jira, no GitHub
	// comment, no Sentry link.
	DryRun bool
	// Worker names who claims the issue's ticket and the PR's comment; a retry of the same
	// job must give the same name (it resumes its own claims), and two runs that may overlap
	// different names. Default: a name of this run alone.
	Worker string
}

// TriageReport is what one run found, and what it wrote or would write.
type TriageReport struct {
	Owner   string `json:"owner"`
	IssueID string `json:"issue_id"`
	ShortID string `json:"short_id"`
	// Repo is the GitHub repository of the release's commits ("" when none is known); Commit
	// the release's last commit there.
	Repo    string `json:"repo,omitempty"`
	Commit  string `json:"commit,omitempty"`
	Release string `json:"release,omitempty"`
	// Range says where the candidate commits came from.
	Range   string `json:"range,omitempty"`
	Commits int    `json:"commits"`
	// SettingsFile is where the settings were read ("" for the defaults).
	SettingsFile string       `json:"settings_file,omitempty"`
	Issue        triage.Issue `json:"-"`
	// Skipped says why the bot left the issue alone ("" when it triaged it).
	Skipped string `json:"skipped,omitempty"`
	// Notes explain what the bot could not do and why (no stack, frames outside the
	// repository, a closed or forked pull request, a release without commits).
	Notes []string `json:"notes,omitempty"`
	// Ticket is the Jira ticket written (or, on a dry run, that would be); nil when none.
	Ticket *triage.Ticket `json:"-"`
	// Suggestion is the fix suggested for the error, or why none is (nil when no repository
	// is known to read the source from).
	Suggestion *suggest.Result `json:"-"`
	// JiraKey is the ticket's key once it exists; TicketPending says Jira failed and a retry
	// of the job will open it and update the comment.
	JiraKey       string `json:"jira_key,omitempty"`
	TicketPending bool   `json:"ticket_pending,omitempty"`
	// TicketHeld says another run (the App's job, or another command) holds the issue's
	// ticket claim and is opening it; this run left it alone.
	TicketHeld bool `json:"ticket_held,omitempty"`
	// CommentPR is the pull request commented on; Comment the body (or the one it would post).
	CommentPR store.PR `json:"-"`
	Comment   string   `json:"-"`
	// FixPR is the fix pull request's page (on a dry run, what would be opened); "" when none.
	// SuggestionReview names the pull request and lines the suggestion was commented on.
	FixPR            string `json:"fix_pr,omitempty"`
	SuggestionReview string `json:"suggestion_review,omitempty"`
	DryRun           bool   `json:"dry_run"`
}

// found is what the reading half gathered, for the writing half.
type found struct {
	conn       sentryConn
	gh         *githubapi.Client // nil when no repository is known
	repoOwner  string
	repoName   string
	settings   triage.Settings
	exceptions []triage.Exception
	suspect    *triage.Candidate
	// suggestion is the suggesters' answer; zero when there was no repository to read.
	suggestion suggest.Result
}

// Triage runs the pipeline once for an issue of owner's Sentry (its numeric ID or short ID).
func (b *Bot) Triage(ctx context.Context, owner, issue string, o TriageOptions) (TriageReport, error) {
	r, f, err := b.find(ctx, owner, issue)
	r.DryRun = o.DryRun
	if err != nil || r.Skipped != "" {
		return r, err
	}
	if o.Worker == "" {
		o.Worker = "run:" + rand.Text()
	}
	return b.write(ctx, r, f, o)
}

func (b *Bot) find(ctx context.Context, owner, issue string) (TriageReport, *found, error) {
	r := TriageReport{Owner: owner}
	conn, ok := b.sentry(owner)
	if !ok {
		return r, nil, errkind.Errorf(errkind.Config, "the service has no Sentry connection for %s: add it under installations: in the service's configuration file (docs/app.md)", owner)
	}
	f := &found{conn: conn, settings: triage.DefaultSettings()}
	det, err := conn.client.LookupIssue(ctx, conn.org, issue)
	if err != nil {
		return r, nil, fmt.Errorf("looking up Sentry issue %s of %s: %w", issue, conn.org, err)
	}
	r.IssueID, r.ShortID = string(det.ID), det.ShortID
	ev, err := conn.client.IssueEvent(ctx, conn.org, r.IssueID, sentryapi.LatestEvent)
	if err != nil {
		return r, nil, fmt.Errorf("reading the latest event of %s: %w", r.ShortID, err)
	}
	excs, err := ev.Exceptions()
	if err != nil {
		return r, nil, err
	}
	is := triage.Issue{ShortID: det.ShortID, Title: det.Title, URL: det.Permalink, Culprit: det.Culprit, Level: det.Level,
		Events: int64(det.Count), Users: det.UserCount, Environment: eventTag(ev, "environment")}
	if det.FirstSeen != nil {
		is.FirstSeen = *det.FirstSeen
	}
	switch {
	case ev.Release != nil && ev.Release.Version != "":
		is.Release = ev.Release.Version
	case det.FirstRelease != nil:
		is.Release = det.FirstRelease.Version
	}
	r.Release = is.Release
	frames := make([][]triage.Frame, len(excs))
	for i, e := range excs {
		te := triage.Exception{Type: e.Type, Value: e.Value}
		if e.Stacktrace != nil {
			for _, fr := range e.Stacktrace.Frames {
				tf := triage.Frame{Filename: fr.Filename, AbsPath: fr.AbsPath, Module: fr.Module, Function: fr.Function,
					Platform: fr.Platform, LineNo: fr.LineNo, InApp: fr.InApp}
				te.Frames = append(te.Frames, tf)
				frames[i] = append(frames[i], tf)
			}
		}
		f.exceptions = append(f.exceptions, te)
	}

	prs, head, err := b.changeOf(ctx, &r, f, owner, is.Release)
	if err != nil {
		return r, nil, err
	}
	if f.gh != nil {
		s, err := readTriageSettings(ctx, f.gh, f.repoOwner, f.repoName, head)
		if err != nil {
			return r, nil, err
		}
		if s != nil {
			f.settings, r.SettingsFile = *s, s.File
		}
	}
	if !f.settings.Covers(is.Environment, int(is.Events)) {
		r.Skipped = skipReason(f.settings, is, r.SettingsFile)
		r.Issue = is
		return r, f, nil
	}

	// The top frame and the suspect.
	var sus triage.Suspicion
	if f.gh != nil {
		entries, err := f.gh.CommitTree(ctx, f.repoOwner, f.repoName, head)
		if err != nil {
			return r, nil, fmt.Errorf("listing the files of %s at %s: %w", r.Repo, shortRef(head), err)
		}
		paths := githubapi.Paths(entries)
		root := serviceFolder(ctx, f.gh, f.repoOwner, f.repoName, head, paths, det.Project.Slug)
		loc, skipped, ok := triage.NewFiles(paths).TopFrame(frames, root)
		switch {
		case ok:
			sus = triage.FindSuspect(loc, prs)
		case len(loc.Ambiguous) > 0:
			sus.Evidence = append(sus.Evidence, fmt.Sprintf("the top in-app frame could be any of %s; no suspect is named on a guess", strings.Join(loc.Ambiguous, ", ")))
		case !hasFrames(frames):
			sus.Evidence = append(sus.Evidence, "the latest event has no stack trace, so no file to look for in the pull requests")
		default:
			sus.Evidence = append(sus.Evidence, fmt.Sprintf("none of the event's %d in-app frames is a file of %s (vendored or generated code?), so no suspect", skipped, r.Repo))
		}
		if !ok {
			for _, p := range prs {
				sus.Candidates = append(sus.Candidates, triage.Candidate{Number: p.Number, Title: p.Title, Author: p.Author, URL: p.URL,
					MergeCommit: p.MergeCommit, MergedAt: p.MergedAt, Confidence: triage.ConfidenceNone})
			}
		}
		f.suspect = sus.Suspect
		is.Suspicion = &sus
		res, err := b.suggestion(ctx, ev, f, paths, root, head)
		if err != nil {
			r.Notes = append(r.Notes, "no fix could be suggested: "+err.Error())
		} else {
			f.suggestion, r.Suggestion = res, &res
			is.Suggestion = &res
		}
		lookup := &issueowners.Lookup{Client: f.conn.client, Org: f.conn.org, Load: func(ctx context.Context) issueowners.Rules {
			return b.ownershipAt(ctx, f.gh, f.repoOwner, f.repoName, head)
		}}
		owners, err := lookup.Owners(ctx, gate.Issue{ID: r.IssueID, ShortID: r.ShortID, Project: det.Project.Slug})
		if err != nil {
			r.Notes = append(r.Notes, "owners could not be read: "+err.Error())
		}
		is.Owners = owners
		r.Notes = append(r.Notes, lookup.TakeNotes()...)
	}

	var excType string
	if len(excs) > 0 {
		excType = excs[len(excs)-1].Type
	}
	is.Playbook = triage.MatchPlaybook(f.settings.Playbooks, triage.IssueFacts{Title: is.Title, Culprit: is.Culprit,
		ExceptionType: excType, Level: is.Level, Tags: eventTags(ev)})

	if cr, err := ev.Crash(); err == nil && cr != nil && cr.Type != "" {
		dups, err := conn.client.FindDuplicates(ctx, conn.org, sentryapi.DuplicateQuery{IssueID: det.ID, ExceptionType: cr.Type, Frame: cr.Frame, Limit: maxDuplicates})
		if err != nil {
			r.Notes = append(r.Notes, "duplicates could not be searched: "+err.Error())
		} else {
			is.DuplicatesChecked = true
			for _, d := range dups {
				is.Duplicates = append(is.Duplicates, triage.Link{Key: d.ShortID, URL: d.Permalink, Title: d.Title})
			}
		}
	}

	blast, err := b.blast(ctx, conn, det)
	if err != nil {
		r.Notes = append(r.Notes, "the blast radius could not be measured: "+err.Error())
	} else {
		is.Blast = blast
	}
	r.Issue = is
	return r, f, nil
}

// maxSuggestSource bounds the file a suggestion reads: the rules refuse minified files anyway.
const maxSuggestSource = 2 << 20

// suggestion runs the suggesters on the event with the sources at the release's commit; the
// suspected pull request is the blame when its evidence is the frame's line.
func (b *Bot) suggestion(ctx context.Context, ev *sentryapi.Event, f *found, paths []string, root, head string) (suggest.Result, error) {
	read := func(ctx context.Context, p string) ([]byte, error) {
		data, err := f.gh.ReadFile(ctx, f.repoOwner, f.repoName, p, head, maxSuggestSource)
		if errors.Is(err, githubapi.ErrNotFound) {
			return nil, fmt.Errorf("%s at %s: %w", p, shortRef(head), os.ErrNotExist)
		}
		return data, err
	}
	o := SuggestOptions{Root: root, Model: b.model}
	if s := f.suspect; s != nil {
		o.Blame = func(p string, line int) *suggest.Blame {
			return &suggest.Blame{Number: s.Number, Title: s.Title, URL: s.URL,
				LineChanged: s.Confidence == triage.ConfidenceLine && s.Path == p}
		}
	}
	return SuggestFor(ctx, ev, paths, read, o)
}

// changeOf finds the repository and the release's candidate pull requests: the release's
// commits in Sentry, else the previous release's last commit to this one's through GitHub's
// compare. It returns the release's last commit ("" when none is known).
func (b *Bot) changeOf(ctx context.Context, r *TriageReport, f *found, owner, release string) ([]triage.PullRequest, string, error) {
	if release == "" {
		r.Notes = append(r.Notes, "the event names no release, so no commits and no candidate pull requests")
		return nil, "", nil
	}
	var mine []sentryapi.ReleaseCommit
	var repo string
	err := f.conn.client.ListReleaseCommits(ctx, f.conn.org, release, func(page []sentryapi.ReleaseCommit) error {
		for _, c := range page {
			if c.Repository == nil {
				continue
			}
			name := c.Repository.Name
			o, _, ok := strings.Cut(name, "/")
			if !ok || !strings.EqualFold(o, owner) {
				continue
			}
			if repo == "" {
				repo = name
			}
			if strings.EqualFold(name, repo) {
				mine = append(mine, c)
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, sentryapi.ErrNotFound) {
		return nil, "", fmt.Errorf("listing the commits of release %s: %w", release, err)
	}
	if repo == "" {
		r.Notes = append(r.Notes, fmt.Sprintf("release %s has no commits of a repository of %s in Sentry (associate them: sentry-cli releases set-commits), so no candidate pull requests", release, owner))
		return nil, "", nil
	}
	r.Repo = repo
	f.repoOwner, f.repoName, _ = strings.Cut(repo, "/")
	gh, err := b.installationClient(ctx, f.repoOwner, f.repoName)
	if err != nil {
		return nil, "", err
	}
	f.gh = gh
	head := strings.ToLower(mine[0].ID)
	r.Commit = head
	shas := make([]string, 0, len(mine))
	for _, c := range mine {
		shas = append(shas, c.ID)
	}
	r.Range = fmt.Sprintf("the %d commits of release %s in Sentry", len(shas), release)
	if len(mine) == 1 {
		// Sentry knows only the head: the range starts at the previous release's last commit.
		rel, err := f.conn.client.GetRelease(ctx, f.conn.org, release, sentryapi.ReleaseOptions{})
		if err != nil {
			return nil, "", fmt.Errorf("reading release %s: %w", release, err)
		}
		prev, err := releasecommits.PreviousCommit(ctx, f.conn.client, f.conn.org, rel, repo)
		if err != nil {
			return nil, "", fmt.Errorf("finding the release before %s: %w", release, err)
		}
		if prev.SHA != "" && prev.SHA != head {
			cmp, err := gh.Compare(ctx, f.repoOwner, f.repoName, prev.SHA, head)
			if err != nil {
				return nil, "", fmt.Errorf("comparing %s (release %s) with %s: %w", shortRef(prev.SHA), prev.Version, shortRef(head), err)
			}
			shas = shas[:0]
			for _, c := range cmp.Commits {
				shas = append(shas, c.SHA)
			}
			r.Range = fmt.Sprintf("%s (the last commit of release %s) to %s", shortRef(prev.SHA), prev.Version, shortRef(head))
		}
	}
	if len(shas) > maxRangeCommits {
		r.Notes = append(r.Notes, fmt.Sprintf("the range has %d commits; the pull requests of the newest %d are looked at", len(shas), maxRangeCommits))
		shas = shas[len(shas)-maxRangeCommits:]
	}
	r.Commits = len(shas)
	prs, err := b.pullsOf(ctx, r, gh, f.repoOwner, f.repoName, shas)
	return prs, head, err
}

// pullsOf lists the merged pull requests of the commits, with their files.
func (b *Bot) pullsOf(ctx context.Context, r *TriageReport, gh *githubapi.Client, owner, repo string, shas []string) ([]triage.PullRequest, error) {
	seen := map[int]bool{}
	var out []triage.PullRequest
	for _, sha := range shas {
		pulls, err := gh.PullsOfCommit(ctx, owner, repo, sha)
		if err != nil {
			return nil, fmt.Errorf("listing the pull requests of %s: %w", shortRef(sha), err)
		}
		for _, p := range pulls {
			if seen[p.Number] {
				continue
			}
			seen[p.Number] = true
			switch {
			case !p.Merged:
				r.Notes = append(r.Notes, fmt.Sprintf("#%d holds one of the release's commits but was %s without merging; not a candidate", p.Number, p.State))
				continue
			case p.BaseRepo != "" && !strings.EqualFold(p.BaseRepo, owner+"/"+repo):
				continue
			case len(out) == maxCandidates:
				r.Notes = append(r.Notes, fmt.Sprintf("more than %d pull requests; #%d and later are not read", maxCandidates, p.Number))
				continue
			}
			if p.Fork {
				r.Notes = append(r.Notes, fmt.Sprintf("#%d came from a fork (%s); it is a candidate like any other, and its comment goes on %s/%s", p.Number, p.HeadRepo, owner, repo))
			}
			files, truncated, err := gh.PullFiles(ctx, owner, repo, p.Number)
			if err != nil {
				return nil, fmt.Errorf("listing the files of #%d: %w", p.Number, err)
			}
			if truncated {
				r.Notes = append(r.Notes, fmt.Sprintf("#%d changes more files than GitHub lists; only the first %d are looked at", p.Number, len(files)))
			}
			tp := triage.PullRequest{Number: p.Number, Title: p.Title, Author: p.Author, URL: p.URL, MergeCommit: p.MergeCommitSHA, MergedAt: p.MergedAt}
			for _, cf := range files {
				tp.Files = append(tp.Files, triage.ChangedFile{Path: cf.Path, PreviousPath: cf.PreviousPath, Patch: cf.Patch})
			}
			out = append(out, tp)
		}
	}
	return out, nil
}

// installationClient is the App's client for a repository it is installed on.
func (b *Bot) installationClient(ctx context.Context, owner, repo string) (*githubapi.Client, error) {
	app, err := b.github.App()
	if err != nil {
		return nil, errkind.Wrap(errkind.Config, err)
	}
	inst, err := app.RepositoryInstallation(ctx, owner, repo)
	switch {
	case errors.Is(err, githubapi.ErrNotFound), errors.Is(err, githubapi.ErrMisconfigured):
		return nil, errkind.WithHint(errkind.Config, fmt.Errorf("the App is not installed on %s/%s: %w", owner, repo, err), "install the App on the repository (docs/app.md)")
	case err != nil:
		return nil, err
	}
	return b.github.Installation(inst.GetID())
}

// blast measures the blast radius from the issue's tenant_id and user tags.
func (b *Bot) blast(ctx context.Context, conn sentryConn, det *sentryapi.IssueDetails) (*triage.BlastRadius, error) {
	in := triage.BlastInput{Events: int64(det.Count), UserCount: det.UserCount, Now: b.now()}
	if det.FirstSeen != nil {
		in.FirstSeen = *det.FirstSeen
	}
	if det.LastSeen != nil {
		in.LastSeen = *det.LastSeen
	}
	for _, t := range []struct {
		key string
		out **triage.TagDistribution
	}{{"tenant_id", &in.Tenants}, {"user", &in.Users}} {
		td, err := conn.client.GetIssueTag(ctx, conn.org, string(det.ID), t.key)
		if errors.Is(err, sentryapi.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		d := &triage.TagDistribution{Key: t.key, UniqueValues: td.UniqueValues, TotalValues: td.TotalValues}
		for _, v := range td.TopValues {
			tv := triage.TagValue{Value: v.Value, Count: v.Count}
			if v.FirstSeen != nil {
				tv.FirstSeen = *v.FirstSeen
			}
			if v.LastSeen != nil {
				tv.LastSeen = *v.LastSeen
			}
			d.Top = append(d.Top, tv)
		}
		*t.out = d
	}
	br := triage.Blast(in)
	return &br, nil
}

// readTriageSettings reads triage: and playbooks: at the commit, else from the owner's
// .github repository, as the policy is read; nil when neither has the file.
func readTriageSettings(ctx context.Context, gh fileReader, owner, repo, sha string) (*triage.Settings, error) {
	places := []struct{ repo, path, ref string }{{repo, gate.PolicyPath, sha}, {orgPolicyRepo, orgPolicyPath, ""}}
	for _, p := range places {
		label := fmt.Sprintf("%s/%s@%s:%s", owner, p.repo, shortRef(p.ref), p.path)
		data, err := gh.ReadFile(ctx, owner, p.repo, p.path, p.ref, maxPolicySize)
		switch {
		case errors.Is(err, githubapi.ErrNotFound) && !errors.Is(err, githubapi.ErrMisconfigured):
			continue
		case err != nil:
			return nil, fmt.Errorf("reading the triage settings in %s: %w", label, err)
		}
		s, err := triage.LoadSettings(data, label)
		if err != nil {
			return nil, errkind.Wrap(errkind.Config, err)
		}
		return s, nil
	}
	return nil, nil
}

func skipReason(s triage.Settings, is triage.Issue, file string) string {
	where := file
	if where == "" {
		where = "the defaults"
	}
	switch {
	case !s.Enabled:
		return "triage is turned off (triage.enabled: false in " + where + ")"
	case int(is.Events) < s.MinEvents:
		return fmt.Sprintf("%d events, fewer than triage.min_events (%d, %s); a later alert or the reconcile poll looks again", is.Events, s.MinEvents, where)
	}
	return fmt.Sprintf("environment %q is not one of triage.environments in %s", is.Environment, where)
}

func hasFrames(frames [][]triage.Frame) bool {
	for _, f := range frames {
		if len(f) > 0 {
			return true
		}
	}
	return false
}

func eventTag(ev *sentryapi.Event, key string) string {
	for _, t := range ev.Tags {
		if t.Key == key {
			return t.Value
		}
	}
	return ""
}

func eventTags(ev *sentryapi.Event) map[string]string {
	m := make(map[string]string, len(ev.Tags)+1)
	for _, t := range ev.Tags {
		m[t.Key] = t.Value
	}
	if ev.User != nil && ev.User.ID != "" {
		m["user.id"] = ev.User.ID
	}
	return m
}

// serviceFolder is the folder of the sentry.properties that names the issue's Sentry project
// ("" when none does, or several): in a monorepo a frame's file is looked for there first, so
// web/src/cart.js and mobile/src/cart.js are told apart by the project that raised the error.
func serviceFolder(ctx context.Context, gh *githubapi.Client, owner, repo, sha string, paths []string, project string) string {
	if project == "" {
		return ""
	}
	tree := ownership.Tree{FS: githubapi.CommitFS(ctx, gh, owner, repo, sha, maxOwnershipFile), Files: paths}
	projects, err := ownership.LoadProjects(tree, tree.FindProperties(""))
	if err != nil {
		return ""
	}
	dir, found := "", 0
	for _, p := range projects {
		if p.DefaultProject == project {
			dir, found = p.Dir, found+1
		}
	}
	if found != 1 {
		return ""
	}
	return dir
}
