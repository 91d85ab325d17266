package gitlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/releasegate/releasegate/errkind"
)

var (
	// ErrGitMissing: the git command is not installed or not on PATH.
	ErrGitMissing = errkind.New(errkind.Config, "git is not installed (or not on PATH)")
	// ErrNotRepository: the directory is not inside a git work tree.
	ErrNotRepository = errkind.New(errkind.Config, "not inside a git work tree")
	// ErrUnsafeRepository: git refuses to read a repository another user owns (safe.directory).
	ErrUnsafeRepository = errkind.New(errkind.Config, "git refuses to read a repository owned by another user")
	// ErrNoRemote: the repository has no remote of the given name.
	ErrNoRemote = errkind.New(errkind.Config, "no such git remote")
	// ErrUnknownRevision: a revision does not name a commit of the local history.
	ErrUnknownRevision = errkind.New(errkind.Config, "not a commit in the local git history")
)

// Error is a git command that failed; Stderr is what git said (its first lines).
type Error struct {
	Args     []string
	ExitCode int
	Stderr   string
	err      error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("git %s: exit %d", subcommand(e.Args), e.ExitCode)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

// Unwrap returns the sentinel the failure amounts to (ErrNotRepository, …), if any.
func (e *Error) Unwrap() error { return e.err }

// Repo is a git work tree.
type Repo struct {
	dir string
	git string
	env []string
}

// Open finds the work tree that dir is in (dir may be a subdirectory of it). Every git command
// of the Repo runs with env (KEY=VALUE entries, as exec.Cmd.Env) plus the few settings below,
// and nothing else of the process's environment: the caller decides what git sees (HOME for
// the user's configuration, GIT_CONFIG_* for safe.directory), so two callers with different
// environments can read repositories at once. The git program is the one on the process's PATH.
func Open(ctx context.Context, dir string, env []string) (*Repo, error) {
	git, err := exec.LookPath("git")
	if err != nil {
		return nil, ErrGitMissing
	}
	env = slices.Clone(env)
	probe := &Repo{dir: dir, git: git, env: env}
	out, err := probe.run(ctx, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, err
	}
	top := strings.TrimRight(string(out), "\r\n")
	if top == "" {
		// A bare repository (or the .git folder itself) has no work tree.
		return nil, &Error{Args: []string{"rev-parse", "--show-toplevel"}, Stderr: dir + " has no work tree", err: ErrNotRepository}
	}
	// Commands run at the top so that paths are relative to it whatever diff.relative says.
	return &Repo{dir: filepath.FromSlash(top), git: git, env: env}, nil
}

// Dir is the work tree's top-level directory.
func (r *Repo) Dir() string { return r.dir }

// Head returns the SHA of the checked-out commit.
func (r *Repo) Head(ctx context.Context) (string, error) { return r.Resolve(ctx, "HEAD") }

// Resolve returns the SHA of the commit a revision (a SHA, abbreviated or not, a branch, a tag,
// HEAD~2, …) names, or an error wrapping ErrUnknownRevision.
func (r *Repo) Resolve(ctx context.Context, rev string) (string, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return "", fmt.Errorf("%q: %w", rev, ErrUnknownRevision)
	}
	out, err := r.run(ctx, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		if e, ok := errors.AsType[*Error](err); ok && e.ExitCode == 1 {
			return "", fmt.Errorf("%q: %w", rev, ErrUnknownRevision)
		}
		return "", err
	}
	sha := strings.TrimSpace(string(out))
	if !isObjectName(sha) {
		return "", fmt.Errorf("git rev-parse %s: unexpected output %q", rev, clip(out))
	}
	return sha, nil
}

// HasCommit reports whether the commit is in the local history. A shallow clone lacks the
// commits older than its depth.
func (r *Repo) HasCommit(ctx context.Context, sha string) (bool, error) {
	if !isObjectName(sha) {
		return false, fmt.Errorf("%q is not a full commit SHA", sha)
	}
	_, err := r.Resolve(ctx, sha)
	if errors.Is(err, ErrUnknownRevision) {
		return false, nil
	}
	return err == nil, err
}

// ShallowBoundary returns the commits whose parents a shallow clone did not fetch; it is
// empty for a complete clone.
func (r *Repo) ShallowBoundary(ctx context.Context) (map[string]bool, error) {
	out, err := r.run(ctx, "rev-parse", "--git-path", "shallow")
	if err != nil {
		return nil, err
	}
	path := strings.TrimRight(string(out), "\r\n")
	if !filepath.IsAbs(path) {
		path = filepath.Join(r.dir, path)
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]bool{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the shallow clone's boundary: %w", err)
	}
	set := map[string]bool{}
	for _, line := range strings.Fields(string(data)) {
		set[line] = true
	}
	return set, nil
}

// RemoteURL returns the fetch URL of a remote ("origin"), or an error wrapping ErrNoRemote.
func (r *Repo) RemoteURL(ctx context.Context, name string) (string, error) {
	if name == "" || strings.HasPrefix(name, "-") {
		return "", fmt.Errorf("remote %q: %w", name, ErrNoRemote)
	}
	out, err := r.run(ctx, "remote", "get-url", name)
	if err != nil {
		if e, ok := errors.AsType[*Error](err); ok && e.ExitCode == 2 {
			return "", fmt.Errorf("remote %q: %w", name, ErrNoRemote)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// LogOptions selects the commits of [Repo.Log].
type LogOptions struct {
	// Head is the commit the walk starts from: a SHA or a revision. Empty: HEAD.
	Head string
	// Since, when set, is a commit SHA whose history is left out (the previous release's
	// commit), as in `git log Since..Head`.
	Since string
	// Max caps how many commits are returned, newest first. 0: no cap.
	Max int
}

// Log returns commits newest first (git's default order), with the files each one changed.
// Commits on a shallow clone's boundary get no files: git would list every file as added.
func (r *Repo) Log(ctx context.Context, opts LogOptions) ([]Commit, error) {
	head := opts.Head
	if head == "" {
		head = "HEAD"
	}
	if strings.HasPrefix(head, "-") {
		return nil, fmt.Errorf("%q: %w", head, ErrUnknownRevision)
	}
	args := []string{
		// A user's log.showSignature would mix GPG output into the records; log.showRoot=false
		// would hide what a root commit added.
		"-c", "log.showSignature=false", "-c", "log.showRoot=true",
		"log", "-z", "--no-color", "--no-renames", "--name-status", "--encoding=UTF-8",
		"--format=" + Format,
	}
	if opts.Max > 0 {
		args = append(args, "--max-count="+strconv.Itoa(opts.Max))
	}
	args = append(args, head)
	if opts.Since != "" {
		if !isObjectName(opts.Since) {
			return nil, fmt.Errorf("%q is not a full commit SHA", opts.Since)
		}
		args = append(args, "^"+opts.Since)
	}
	args = append(args, "--")
	out, err := r.run(ctx, args...)
	if err != nil {
		return nil, err
	}
	commits, err := Parse(out)
	if err != nil {
		return nil, err
	}
	boundary, err := r.ShallowBoundary(ctx)
	if err != nil {
		return nil, err
	}
	for i := range commits {
		if boundary[commits[i].SHA] {
			commits[i].ShallowBoundary = true
			commits[i].Files = nil
		}
	}
	return commits, nil
}

// run runs git in the work tree, with the Repo's environment, and returns its standard output.
func (r *Repo) run(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, r.git, args...)
	cmd.Dir = r.dir
	// Never prompt (for credentials, on a terminal), and keep git's messages in English so
	// that the failures below can be recognised. Later entries win, so these hold whatever
	// the caller's environment says; the list is never nil, which would mean the process's.
	cmd.Env = slices.Concat(r.env, []string{"GIT_TERMINAL_PROMPT=0", "LC_ALL=C", "LANGUAGE=", "GIT_PAGER=cat"})
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err == nil {
		return stdout.Bytes(), nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("git %s: %w", subcommand(args), ctx.Err())
	}
	if errors.Is(err, exec.ErrNotFound) {
		return nil, ErrGitMissing
	}
	ee, ok := errors.AsType[*exec.ExitError](err)
	if !ok {
		return nil, fmt.Errorf("running git %s: %w", subcommand(args), err)
	}
	e := &Error{Args: args, ExitCode: ee.ExitCode(), Stderr: firstLines(stderr.String(), 3)}
	msg := stderr.String()
	switch {
	case strings.Contains(msg, "detected dubious ownership"):
		e.err = ErrUnsafeRepository
	case strings.Contains(msg, "not a git repository"):
		e.err = ErrNotRepository
	case strings.Contains(msg, "unknown revision") || strings.Contains(msg, "bad revision") ||
		strings.Contains(msg, "does not have any commits yet") || strings.Contains(msg, "bad default revision"):
		e.err = ErrUnknownRevision
	}
	return nil, e
}

// firstLines keeps the start of git's message, which is where it says what went wrong.
func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.TrimSpace(strings.Join(lines, " "))
}

// subcommand names a git invocation in messages ("log", "rev-parse"), skipping "-c key=value"
// options; the full argument list would repeat the long --format.
func subcommand(args []string) string {
	for len(args) >= 2 && args[0] == "-c" {
		args = args[2:]
	}
	if len(args) == 0 {
		return ""
	}
	return args[0]
}
