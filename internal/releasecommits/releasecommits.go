// Package releasecommits works out which commits belong to a release: where the previous
// release of the same projects ended in a repository (asked of Sentry alone, so the GitHub App,
// which has no checkout, can ask too), the commits since then read from a local git history,
// the commits in the form Sentry takes them, and the REPO@[PREV..]SHA head-commit notation.
//
// It decides and returns values and typed errors; it prints nothing. The CLI's
// `release set-commits` words the results and maps the errors to exit codes.
package releasecommits

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/gitlog"
	"github.com/releasegate/releasegate/internal/sentryapi"
)

// DefaultInitialDepth is how many commits are attached when there is no previous commit to
// stop at: sentry-cli's default for a first release.
const DefaultInitialDepth = 20

// maxPreviousCandidates bounds the releases whose commits are read while looking for the
// previous release's commit of the repository.
const maxPreviousCandidates = 10

// Previous is where the release before another ended in one repository.
type Previous struct {
	Version string
	// SHA is its head commit of the repository, lower-cased; empty when no earlier release
	// has commits of the repository.
	SHA string
}

// PreviousCommit finds where the previous release of rel ended in the repository (by its
// name in Sentry, compared without case: sentry-cli lower-cases the names it derives, a name
// set by hand may not be), the way Sentry's previous-with-commits endpoint picks the release:
// the newest other release of the same projects, dated (released, else created) no later
// than rel, with commits; its head commit of the repository is the first one of that
// repository in its commit list. Only the newest page of releases (100) is looked at, and
// the commits of at most 10 of them. It needs Sentry only, no git.
func PreviousCommit(ctx context.Context, client *sentryapi.Client, org string, rel *sentryapi.Release, repo string) (Previous, error) {
	var ids []string
	for _, p := range rel.Projects {
		if p.ID != "" {
			ids = append(ids, string(p.ID))
		}
	}
	if len(ids) == 0 {
		return Previous{}, nil
	}
	start := ReleaseDate(rel)
	var candidates []sentryapi.Release
	err := client.ListReleases(ctx, org, sentryapi.ReleaseQuery{Projects: ids, PerPage: 100}, func(page []sentryapi.Release) error {
		for _, r := range page {
			d := ReleaseDate(&r)
			if r.Version == rel.Version || r.CommitCount == 0 || d == nil || (start != nil && d.After(*start)) {
				continue
			}
			candidates = append(candidates, r)
		}
		return sentryapi.ErrStop
	})
	if err != nil {
		return Previous{}, err
	}
	slices.SortStableFunc(candidates, func(a, b sentryapi.Release) int { return ReleaseDate(&b).Compare(*ReleaseDate(&a)) })
	if len(candidates) > maxPreviousCandidates {
		candidates = candidates[:maxPreviousCandidates]
	}
	for _, c := range candidates {
		var sha string
		err := client.ListReleaseCommits(ctx, org, c.Version, func(page []sentryapi.ReleaseCommit) error {
			for _, rc := range page {
				if rc.Repository != nil && strings.EqualFold(rc.Repository.Name, repo) {
					sha = rc.ID
					return sentryapi.ErrStop
				}
			}
			return nil
		})
		if err != nil {
			return Previous{}, err
		}
		if sha != "" {
			return Previous{Version: c.Version, SHA: strings.ToLower(sha)}, nil
		}
	}
	return Previous{}, nil
}

// ReleaseDate is when Sentry considers a release to have happened: released, else created.
func ReleaseDate(r *sentryapi.Release) *time.Time {
	if r.DateReleased != nil {
		return r.DateReleased
	}
	return r.DateCreated
}

// Basis is what a pick of commits was measured from.
type Basis int

const (
	// FromStart: no earlier release has commits of the repository, so the last
	// InitialDepth commits.
	FromStart Basis = iota
	// SincePrevious: the commits after the previous release's.
	SincePrevious
	// MissingPrevious: the previous release's commit is not in the local history and
	// IgnoreMissing was set, so the last InitialDepth commits.
	MissingPrevious
)

// PickOptions say how many commits to take without a previous commit to stop at, and
// whether a previous commit missing from the history is an error.
type PickOptions struct {
	InitialDepth  int // at least 1
	IgnoreMissing bool
}

// Picked are the commits chosen, newest first, and what they were measured from.
type Picked struct {
	Commits []gitlog.Commit
	Basis   Basis
	// Missing says why the previous commit was passed over, when Basis is MissingPrevious.
	Missing *MissingError
}

// MissingError is the previous release's commit missing from the local git history. It is a
// usage error: the checkout needs its history, or the caller must accept the fallback.
type MissingError struct {
	Previous Previous
	Repo     string
	// Shallow: the clone is shallow (CI checkouts fetch one commit by default); otherwise the
	// commit was probably amended, squashed or force-pushed away.
	Shallow bool
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("commit %s, the last of %s in release %s, is not in the local git history",
		Short(e.Previous.SHA), e.Repo, e.Previous.Version)
}

// ErrorKind is errkind.Usage.
func (e *MissingError) ErrorKind() errkind.Kind { return errkind.Usage }

// Pick chooses the commits of the repository (name is its name in Sentry) from head back to the
// previous release's commit, or the last opts.InitialDepth when there is none (or, with
// opts.IgnoreMissing, when the history lacks it). A missing previous commit is a
// *MissingError; git's failures are gitlog's errors, returned as they are.
func Pick(ctx context.Context, repo *gitlog.Repo, head, name string, prev Previous, opts PickOptions) (Picked, error) {
	if opts.InitialDepth < 1 {
		return Picked{}, errkind.Errorf(errkind.Usage, "releasecommits: initial depth %d, want at least 1", opts.InitialDepth)
	}
	recent := func(basis Basis, missing *MissingError) (Picked, error) {
		commits, err := repo.Log(ctx, gitlog.LogOptions{Head: head, Max: opts.InitialDepth})
		if err != nil {
			return Picked{}, err
		}
		return Picked{Commits: commits, Basis: basis, Missing: missing}, nil
	}
	if prev.SHA == "" {
		return recent(FromStart, nil)
	}
	found, err := repo.HasCommit(ctx, prev.SHA)
	if err != nil {
		return Picked{}, err
	}
	if found {
		commits, err := repo.Log(ctx, gitlog.LogOptions{Head: head, Since: prev.SHA})
		if err != nil {
			return Picked{}, err
		}
		return Picked{Commits: commits, Basis: SincePrevious}, nil
	}
	boundary, err := repo.ShallowBoundary(ctx)
	if err != nil {
		return Picked{}, err
	}
	missing := &MissingError{Previous: prev, Repo: name, Shallow: len(boundary) > 0}
	if !opts.IgnoreMissing {
		return Picked{}, missing
	}
	return recent(MissingPrevious, missing)
}

// ToSentry turns the log into Sentry's commit list, newest first as git lists them: Sentry
// takes the first commit of a repository as the release's head commit.
func ToSentry(commits []gitlog.Commit, repo string) []sentryapi.Commit {
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

// Short abbreviates a SHA the way people read them.
func Short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
