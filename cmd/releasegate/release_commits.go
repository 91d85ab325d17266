package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/internal/gitlog"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryconf"
)

// `releasegate release set-commits`: the commits of a release, from the local git history
// (--auto) or as given (--commit).

// defaultInitialDepth is how many commits --auto attaches when there is no previous commit to
// stop at: sentry-cli's default for a first release.
const defaultInitialDepth = 20

// maxPreviousCandidates bounds the releases whose commits are read while looking for the
// previous release's commit of the repository.
const maxPreviousCandidates = 10

type setCommitsOptions struct {
	releaseRun
	Auto          bool
	Commits       []string
	IgnoreMissing bool
	InitialDepth  int
	Remote        string
	Repo          string
}

func newReleaseSetCommitsCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &setCommitsOptions{releaseRun: releaseRun{IO: ios, now: time.Now}}
	cmd := &cobra.Command{
		Use:   "set-commits [VERSION] (--auto | --commit REPO@[PREV..]SHA...)",
		Short: "Attach commits to a release, from the local git history or as head commits",
		Long: `Attach commits to a release, so that Sentry can name suspect commits and resolve issues
through commit messages.

--auto reads the commits from the local git history: those from HEAD back to the last
commit of the previous release (the newest release of the same projects, created before
this one, that has commits of this repository), as sentry-cli's --auto does without a
repository integration. The commits are sent with their authors, messages, times and the
files they changed. The repository is named after the remote (origin, or --remote, or
SENTRY_VCS_REMOTE): https://github.com/Acme/Web.git gives "acme/web" (lower-cased, as
sentry-cli names it); --repo sets the name instead. With no previous release, the last
--initial-depth commits (20) are sent.

On CI the checkout is often shallow (actions/checkout fetches one commit by default), and
then the previous release's commit is missing: the command stops and says so. Fetch the
history (fetch-depth: 0), or pass --ignore-missing to send the last --initial-depth commits
with a warning.

--commit REPO@SHA or REPO@PREV..SHA (repeatable, one per repository) gives the head commit
(and the previous release's) instead; Sentry then fetches the commits in between through
its integration with that repository, which must be connected (Settings > Integrations).
A revision other than a full SHA (a tag, HEAD) is resolved in the local repository.`,
		Example: `  releasegate release set-commits web@1.4.2 --auto
  releasegate release set-commits web@1.4.2 --auto --ignore-missing
  releasegate release set-commits web@1.4.2 --commit acme/web@$GITHUB_SHA`,
		Args: maxOneArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := commandContext(cmd)
			defer stop()
			return setCommitsRun(ctx, opts, cmd, args)
		},
	}
	opts.Sentry.registerRelease(factory, cmd, false)
	f := cmd.Flags()
	f.BoolVar(&opts.Auto, "auto", false, "attach the commits since the previous release, from the local git history")
	f.StringArrayVar(&opts.Commits, "commit", nil, "REPO@SHA or REPO@PREV..SHA: a head commit for Sentry to fetch through its integration (repeatable)")
	f.BoolVar(&opts.IgnoreMissing, "ignore-missing", false, "with --auto: when the previous release's commit is not in the local history, send the last --initial-depth commits instead of failing")
	f.IntVar(&opts.InitialDepth, "initial-depth", defaultInitialDepth, "with --auto: how many commits to send when there is no previous commit to stop at")
	f.StringVar(&opts.Remote, "remote", "", "with --auto: the git remote that names the repository (default SENTRY_VCS_REMOTE, else origin)")
	f.StringVar(&opts.Repo, "repo", "", "with --auto: the repository's name in Sentry, e.g. Acme/web (default from the remote URL)")
	// sentry-cli has kept --ignore-empty, hidden and without effect, since 1.77: finding no new
	// commits is never an error there, nor here. Accepted so its command lines work unchanged.
	f.Bool("ignore-empty", false, "no effect (finding no new commits is not an error), as in sentry-cli")
	_ = f.MarkHidden("ignore-empty")
	return cmd
}

func setCommitsRun(ctx context.Context, opts *setCommitsOptions, cmd *cobra.Command, args []string) error {
	switch {
	case opts.Auto && len(opts.Commits) > 0:
		return usageErrorf("give either --auto or --commit, not both")
	case !opts.Auto && len(opts.Commits) == 0:
		return usageErrorf("say which commits: --auto (from the local git history) or --commit REPO@[PREV..]SHA")
	case opts.InitialDepth < 1:
		return usageErrorf("--initial-depth must be at least 1 (got %d)", opts.InitialDepth)
	}
	if !opts.Auto {
		for _, name := range []string{"ignore-missing", "initial-depth", "remote", "repo"} {
			if cmd.Flags().Changed(name) {
				return usageErrorf("--%s goes with --auto, not --commit", name)
			}
		}
	}
	// Check the flags before any network or git work.
	specs := make([]commitSpec, 0, len(opts.Commits))
	for _, s := range opts.Commits {
		spec, err := parseCommitSpec(s)
		if err != nil {
			return usageErrorf("--commit %q: %v", s, err)
		}
		if slices.ContainsFunc(specs, func(o commitSpec) bool { return o.repo == spec.repo }) {
			return usageErrorf("--commit: repository %s is given twice; give one head commit per repository", spec.repo)
		}
		specs = append(specs, spec)
	}
	conn, client, err := opts.connect(args, false, sentryconf.Connection{})
	if err != nil {
		return err
	}
	if opts.Auto {
		return opts.auto(ctx, conn, client)
	}
	return opts.manual(ctx, conn, client, specs)
}

// auto attaches the commits since the previous release's, read from the local history.
func (opts *setCommitsOptions) auto(ctx context.Context, conn sentryconf.Connection, client *sentryapi.Client) error {
	env := opts.Sentry.env(opts.IO)
	if env.WorkDir == nil {
		return usageErrorf("cannot tell the current directory: no working folder was given")
	}
	dir, err := env.WorkDir()
	if err != nil {
		return usageErrorf("cannot tell the current directory: %v", err)
	}
	repo, err := gitlog.Open(ctx, dir, env.environ())
	if err != nil {
		return gitProblem(dir, err)
	}
	name := opts.Repo
	if name == "" {
		remote := cmp.Or(opts.Remote, opts.Sentry.env(opts.IO).Getenv("SENTRY_VCS_REMOTE"), "origin")
		u, err := repo.RemoteURL(ctx, remote)
		if errors.Is(err, gitlog.ErrNoRemote) {
			return usageErrorf("the git repository in %s has no remote %q to name the repository after: add it, choose another with --remote, or name the repository with --repo owner/name", repo.Dir(), remote)
		}
		if err != nil {
			return gitProblem(repo.Dir(), err)
		}
		if name, err = gitlog.RepoName(u); err != nil {
			return usageErrorf("remote %q: %v; name the repository with --repo owner/name", remote, err)
		}
	}
	head, err := repo.Head(ctx)
	if err != nil {
		return gitProblem(repo.Dir(), err)
	}
	rel, err := client.GetRelease(ctx, conn.Org, conn.Release, sentryapi.ReleaseOptions{})
	if err != nil {
		return sentryFailed(fmt.Sprintf("reading release %s", conn.Release), err, "")
	}
	prev, err := previousCommit(ctx, client, conn.Org, rel, name)
	if err != nil {
		return sentryFailed(fmt.Sprintf("looking for the release before %s", conn.Release), err, "")
	}
	commits, since, err := opts.pickCommits(ctx, repo, head, name, prev)
	if err != nil {
		return err
	}
	if len(commits) == 0 {
		_, err := fmt.Fprintf(opts.IO.Out, "no new commits of %s since %s of release %s (HEAD is %s); nothing attached to release %s\n",
			name, short(prev.sha), prev.version, short(head), conn.Release)
		return err
	}
	if _, err := client.SetReleaseCommits(ctx, conn.Org, conn.Release, nil, toSentryCommits(commits, name)); err != nil {
		return sentryFailed(fmt.Sprintf("attaching %s to release %s", plural(len(commits), "commit"), conn.Release), err, "")
	}
	_, err = fmt.Fprintf(opts.IO.Out, "attached %s of %s (%s..%s) to release %s: %s\n",
		plural(len(commits), "commit"), name, short(commits[len(commits)-1].SHA), short(commits[0].SHA), conn.Release, since)
	return err
}

// pickCommits chooses the commits to send: those after the previous release's commit, or the
// last --initial-depth when there is none (or, with --ignore-missing, when the local history
// lacks it). note says which, for the result line.
func (opts *setCommitsOptions) pickCommits(ctx context.Context, repo *gitlog.Repo, head, name string, prev previousRelease) (commits []gitlog.Commit, note string, err error) {
	recent := func() ([]gitlog.Commit, error) {
		return repo.Log(ctx, gitlog.LogOptions{Head: head, Max: opts.InitialDepth})
	}
	if prev.sha == "" {
		commits, err = recent()
		note = fmt.Sprintf("no earlier release has commits of %s, so the last %d at most", name, opts.InitialDepth)
	} else if found, herr := repo.HasCommit(ctx, prev.sha); herr != nil {
		err = herr
	} else if found {
		commits, err = repo.Log(ctx, gitlog.LogOptions{Head: head, Since: prev.sha})
		note = fmt.Sprintf("since %s of release %s", short(prev.sha), prev.version)
	} else {
		boundary, berr := repo.ShallowBoundary(ctx)
		if berr != nil {
			return nil, "", gitProblem(repo.Dir(), berr)
		}
		why := "it was probably amended, squashed or force-pushed away"
		fix := "pass --ignore-missing"
		if len(boundary) > 0 {
			why = "this is a shallow clone (CI checkouts fetch one commit by default)"
			fix = "fetch the history (actions/checkout with fetch-depth: 0, or git fetch --unshallow), or pass --ignore-missing"
		}
		if !opts.IgnoreMissing {
			return nil, "", usageErrorf("commit %s, the last of %s in release %s, is not in the local git history: %s; %s to send the last %d commits instead",
				short(prev.sha), name, prev.version, why, fix, opts.InitialDepth)
		}
		fmt.Fprintf(opts.IO.ErrOut, "releasegate: warning: commit %s, the last of %s in release %s, is not in the local git history (%s); sending the last %d commits instead\n",
			short(prev.sha), name, prev.version, why, opts.InitialDepth)
		commits, err = recent()
		note = fmt.Sprintf("release %s's commit %s is not in the local history, so the last %d at most", prev.version, short(prev.sha), opts.InitialDepth)
	}
	if err != nil {
		return nil, "", gitProblem(repo.Dir(), err)
	}
	return commits, note, nil
}

// toSentryCommits turns the log into Sentry's commit list, newest first as git lists them:
// Sentry takes the first commit of a repository as the release's head commit.
func toSentryCommits(commits []gitlog.Commit, repo string) []sentryapi.Commit {
	out := make([]sentryapi.Commit, 0, len(commits))
	for _, c := range commits {
		sc := sentryapi.Commit{ID: c.SHA, Repository: repo, Message: c.Message, AuthorName: c.AuthorName, AuthorEmail: c.AuthorEmail}
		if !c.AuthorTime.IsZero() {
			t := c.AuthorTime
			sc.Timestamp = &t
		}
		for _, f := range c.Files {
			sc.PatchSet = append(sc.PatchSet, sentryapi.PatchEntry{Path: f.Path, Type: f.Status})
		}
		out = append(out, sc)
	}
	return out
}

// previousRelease is the release whose commit --auto stops at.
type previousRelease struct {
	version string
	sha     string // its head commit of the repository; empty when there is none
}

// previousCommit finds where the previous release of rel ended in the repository, the way
// Sentry's previous-with-commits endpoint picks the release: the newest other release of the
// same projects, dated (released, else created) no later than rel, with commits; its head
// commit of the repository is the first one of that repository in its commit list. Only the
// newest page of releases (100) is looked at.
func previousCommit(ctx context.Context, client *sentryapi.Client, org string, rel *sentryapi.Release, repo string) (previousRelease, error) {
	var ids []string
	for _, p := range rel.Projects {
		if p.ID != "" {
			ids = append(ids, string(p.ID))
		}
	}
	if len(ids) == 0 {
		return previousRelease{}, nil
	}
	start := releaseDate(rel)
	var candidates []sentryapi.Release
	err := client.ListReleases(ctx, org, sentryapi.ReleaseQuery{Projects: ids, PerPage: 100}, func(page []sentryapi.Release) error {
		for _, r := range page {
			d := releaseDate(&r)
			if r.Version == rel.Version || r.CommitCount == 0 || d == nil || (start != nil && d.After(*start)) {
				continue
			}
			candidates = append(candidates, r)
		}
		return sentryapi.ErrStop
	})
	if err != nil {
		return previousRelease{}, err
	}
	slices.SortStableFunc(candidates, func(a, b sentryapi.Release) int { return releaseDate(&b).Compare(*releaseDate(&a)) })
	if len(candidates) > maxPreviousCandidates {
		candidates = candidates[:maxPreviousCandidates]
	}
	for _, c := range candidates {
		var sha string
		err := client.ListReleaseCommits(ctx, org, c.Version, func(page []sentryapi.ReleaseCommit) error {
			for _, rc := range page {
				// sentry-cli lower-cases the names it derives; a name set by hand may not be.
				if rc.Repository != nil && strings.EqualFold(rc.Repository.Name, repo) {
					sha = rc.ID
					return sentryapi.ErrStop
				}
			}
			return nil
		})
		if err != nil {
			return previousRelease{}, err
		}
		if sha != "" {
			return previousRelease{version: c.Version, sha: strings.ToLower(sha)}, nil
		}
	}
	return previousRelease{}, nil
}

// releaseDate is when Sentry considers a release to have happened: released, else created.
func releaseDate(r *sentryapi.Release) *time.Time {
	if r.DateReleased != nil {
		return r.DateReleased
	}
	return r.DateCreated
}

// commitSpec is one --commit REPO@[PREV..]REV.
type commitSpec struct{ repo, prev, rev string }

func parseCommitSpec(s string) (commitSpec, error) {
	repo, revs, ok := strings.Cut(s, "@")
	if !ok || repo == "" || revs == "" {
		return commitSpec{}, errors.New("want REPO@SHA or REPO@PREV..SHA, e.g. acme/web@4f2a9c1…")
	}
	if strings.ContainsFunc(repo, func(r rune) bool { return r <= ' ' }) {
		return commitSpec{}, fmt.Errorf("repository %q contains spaces or control characters", repo)
	}
	spec := commitSpec{repo: repo, rev: revs}
	if prev, rev, ok := strings.Cut(revs, ".."); ok {
		if prev == "" || rev == "" || strings.HasPrefix(rev, ".") {
			return commitSpec{}, errors.New("want PREV..SHA with both commits (two dots)")
		}
		spec.prev, spec.rev = prev, rev
	}
	return spec, nil
}

// manual sets the head commits; Sentry fetches the commits between through its integration.
func (opts *setCommitsOptions) manual(ctx context.Context, conn sentryconf.Connection, client *sentryapi.Client, specs []commitSpec) error {
	var repo *gitlog.Repo
	resolve := func(rev string) (string, error) {
		if isFullSHA(rev) {
			return strings.ToLower(rev), nil
		}
		if repo == nil {
			r, err := opts.Sentry.env(opts.IO).GitRepo(ctx)
			if err != nil {
				return "", usageErrorf("%q is not a full commit SHA, and it cannot be resolved here (%v): give the 40-character SHA", rev, err)
			}
			repo = r
		}
		sha, err := repo.Resolve(ctx, rev)
		if err != nil {
			return "", usageErrorf("%q is not a full commit SHA, and the local git history does not have it: %v", rev, err)
		}
		return sha, nil
	}
	refs := make([]sentryapi.Ref, 0, len(specs))
	var parts []string
	for _, s := range specs {
		rev, err := resolve(s.rev)
		if err != nil {
			return err
		}
		ref := sentryapi.Ref{Repository: s.repo, Commit: rev}
		part := s.repo + "@" + short(rev)
		if s.prev != "" {
			if ref.PreviousCommit, err = resolve(s.prev); err != nil {
				return err
			}
			part = s.repo + "@" + short(ref.PreviousCommit) + ".." + short(rev)
		}
		refs = append(refs, ref)
		parts = append(parts, part)
	}
	if _, err := client.SetReleaseCommits(ctx, conn.Org, conn.Release, refs, nil); err != nil {
		return sentryFailed(fmt.Sprintf("setting the head commits of release %s", conn.Release), err,
			"a head commit needs its repository connected to Sentry (Settings > Integrations) under exactly that name; without an integration, use --auto to send the commits from the local git history")
	}
	_, err := fmt.Fprintf(opts.IO.Out, "set the head commits of release %s: %s; Sentry fetches the commits in between through its repository integration\n",
		conn.Release, strings.Join(parts, ", "))
	return err
}

func isFullSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, r := range strings.ToLower(s) {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// short abbreviates a SHA the way people read them.
func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// gitProblem reports a failure to read the local repository (exit 2: the setup needs fixing).
func gitProblem(dir string, err error) error {
	switch {
	case errors.Is(err, gitlog.ErrGitMissing):
		return usageErrorf("--auto reads the commits from the local git history, but %v: install git, or use --commit REPO@SHA", err)
	case errors.Is(err, gitlog.ErrUnsafeRepository):
		return usageErrorf("git refuses to read %s, which another user owns: run `git config --global --add safe.directory %s` first (%w)", dir, dir, err)
	case errors.Is(err, gitlog.ErrNotRepository):
		return usageErrorf("%s is not inside a git repository: run the command in the checkout, or use --commit REPO@SHA (%w)", dir, err)
	case errors.Is(err, gitlog.ErrUnknownRevision):
		return usageErrorf("the git repository in %s has no commit checked out: %w", dir, err)
	}
	return usageErrorf("reading the git history in %s: %w", dir, err)
}
