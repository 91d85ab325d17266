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
	"github.com/releasegate/releasegate/internal/releasecommits"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryconf"
)

// `releasegate release set-commits`: the commits of a release, from the local git history
// (--auto) or as given (--commit).

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
	f.IntVar(&opts.InitialDepth, "initial-depth", releasecommits.DefaultInitialDepth, "with --auto: how many commits to send when there is no previous commit to stop at")
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
	specs := make([]releasecommits.CommitSpec, 0, len(opts.Commits))
	for _, s := range opts.Commits {
		spec, err := releasecommits.ParseCommitSpec(s)
		if err != nil {
			return usageErrorf("--commit %q: %v", s, err)
		}
		if slices.ContainsFunc(specs, func(o releasecommits.CommitSpec) bool { return o.Repo == spec.Repo }) {
			return usageErrorf("--commit: repository %s is given twice; give one head commit per repository", spec.Repo)
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
	prev, err := releasecommits.PreviousCommit(ctx, client, conn.Org, rel, name)
	if err != nil {
		return sentryFailed(fmt.Sprintf("looking for the release before %s", conn.Release), err, "")
	}
	commits, since, err := opts.pickCommits(ctx, repo, head, name, prev)
	if err != nil {
		return err
	}
	if len(commits) == 0 {
		_, err := fmt.Fprintf(opts.IO.Out, "no new commits of %s since %s of release %s (HEAD is %s); nothing attached to release %s\n",
			name, short(prev.SHA), prev.Version, short(head), conn.Release)
		return err
	}
	if _, err := client.SetReleaseCommits(ctx, conn.Org, conn.Release, nil, releasecommits.ToSentry(commits, name)); err != nil {
		return sentryFailed(fmt.Sprintf("attaching %s to release %s", plural(len(commits), "commit"), conn.Release), err, "")
	}
	_, err = fmt.Fprintf(opts.IO.Out, "attached %s of %s (%s..%s) to release %s: %s\n",
		plural(len(commits), "commit"), name, short(commits[len(commits)-1].SHA), short(commits[0].SHA), conn.Release, since)
	return err
}

// pickCommits chooses the commits to send (releasecommits.Pick) and words what they were
// measured from, for the result line; it warns when --ignore-missing passes over the previous
// release's commit.
func (opts *setCommitsOptions) pickCommits(ctx context.Context, repo *gitlog.Repo, head, name string, prev releasecommits.Previous) (commits []gitlog.Commit, note string, err error) {
	picked, err := releasecommits.Pick(ctx, repo, head, name, prev, releasecommits.PickOptions{InitialDepth: opts.InitialDepth, IgnoreMissing: opts.IgnoreMissing})
	if me, ok := errors.AsType[*releasecommits.MissingError](err); ok {
		why, fix := missingWhy(me)
		return nil, "", usageErrorf("%v: %s; %s to send the last %d commits instead", me, why, fix, opts.InitialDepth)
	}
	if err != nil {
		return nil, "", gitProblem(repo.Dir(), err)
	}
	switch picked.Basis {
	case releasecommits.SincePrevious:
		note = fmt.Sprintf("since %s of release %s", short(prev.SHA), prev.Version)
	case releasecommits.MissingPrevious:
		why, _ := missingWhy(picked.Missing)
		fmt.Fprintf(opts.IO.ErrOut, "releasegate: warning: %v (%s); sending the last %d commits instead\n", picked.Missing, why, opts.InitialDepth)
		note = fmt.Sprintf("release %s's commit %s is not in the local history, so the last %d at most", prev.Version, short(prev.SHA), opts.InitialDepth)
	default:
		note = fmt.Sprintf("no earlier release has commits of %s, so the last %d at most", name, opts.InitialDepth)
	}
	return picked.Commits, note, nil
}

// missingWhy says why the previous release's commit is missing, and what to do about it.
func missingWhy(me *releasecommits.MissingError) (why, fix string) {
	if me.Shallow {
		return "this is a shallow clone (CI checkouts fetch one commit by default)",
			"fetch the history (actions/checkout with fetch-depth: 0, or git fetch --unshallow), or pass --ignore-missing"
	}
	return "it was probably amended, squashed or force-pushed away", "pass --ignore-missing"
}

// manual sets the head commits; Sentry fetches the commits between through its integration.
func (opts *setCommitsOptions) manual(ctx context.Context, conn sentryconf.Connection, client *sentryapi.Client, specs []releasecommits.CommitSpec) error {
	var repo *gitlog.Repo
	resolve := func(rev string) (string, error) {
		if releasecommits.IsFullSHA(rev) {
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
		rev, err := resolve(s.Rev)
		if err != nil {
			return err
		}
		ref := sentryapi.Ref{Repository: s.Repo, Commit: rev}
		part := s.Repo + "@" + short(rev)
		if s.Prev != "" {
			if ref.PreviousCommit, err = resolve(s.Prev); err != nil {
				return err
			}
			part = s.Repo + "@" + short(ref.PreviousCommit) + ".." + short(rev)
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

// short abbreviates a SHA the way people read them.
func short(sha string) string { return releasecommits.Short(sha) }

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
