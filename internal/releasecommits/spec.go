package releasecommits

import (
	"strings"

	"github.com/releasegate/releasegate/errkind"
)

// CommitSpec is a head commit given as REPO@[PREV..]REV: the repository's name in Sentry, the
// previous release's commit (empty when not given) and the head commit. The revisions are as
// written: a full SHA, or a name (a tag, HEAD) for a local repository to resolve.
type CommitSpec struct{ Repo, Prev, Rev string }

// ParseCommitSpec reads REPO@SHA or REPO@PREV..SHA. Its errors are usage errors and say what
// was wanted.
func ParseCommitSpec(s string) (CommitSpec, error) {
	repo, revs, ok := strings.Cut(s, "@")
	if !ok || repo == "" || revs == "" {
		return CommitSpec{}, errkind.New(errkind.Usage, "want REPO@SHA or REPO@PREV..SHA, e.g. acme/web@4f2a9c1…")
	}
	if strings.ContainsFunc(repo, func(r rune) bool { return r <= ' ' }) {
		return CommitSpec{}, errkind.Errorf(errkind.Usage, "repository %q contains spaces or control characters", repo)
	}
	spec := CommitSpec{Repo: repo, Rev: revs}
	if prev, rev, ok := strings.Cut(revs, ".."); ok {
		if prev == "" || rev == "" || strings.HasPrefix(rev, ".") {
			return CommitSpec{}, errkind.New(errkind.Usage, "want PREV..SHA with both commits (two dots)")
		}
		spec.Prev, spec.Rev = prev, rev
	}
	return spec, nil
}

// IsFullSHA tells a full commit SHA (SHA-1's 40 or SHA-256's 64 hex digits, in either case)
// from a name that needs resolving.
func IsFullSHA(s string) bool {
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
