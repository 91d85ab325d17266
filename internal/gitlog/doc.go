// Package gitlog reads a local git repository's history by running the git command, for
// attaching commits to Sentry releases the way sentry-cli's `releases set-commits --auto` does.
//
// The package has two halves. [Parse] and [RepoName] are pure: they turn the output of
// `git log` (in the NUL-separated [Format]) and a remote URL into values, and are fuzz-tested.
// [Repo] runs git (os/exec) in a work tree, with the caller's context and environment (never
// the process's), and never changes the repository or the user's git configuration.
//
// git rather than a Go git library: the git installed on a CI machine already understands the
// checkout's quirks (shallow clones, partial clones, worktrees, safe.directory), and only a
// handful of read-only plumbing commands are needed.
package gitlog
