package gitlog

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/testenv"
)

// gitRepo is a real repository in a temporary folder, with a fixed author and clock so that
// commits are reproducible, and without the machine's git configuration.
type gitRepo struct {
	t    *testing.T
	dir  string
	tick int
}

func newGitRepo(t *testing.T) *gitRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		testenv.Missing(t, "git", "install git")
	}
	r := &gitRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	return r
}

func (r *gitRepo) git(args ...string) string {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.dir
	date := fmt.Sprintf("2024-05-01T12:%02d:00+02:00", r.tick)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=CI", "GIT_COMMITTER_EMAIL=ci@example.com", "GIT_COMMITTER_DATE="+date)
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit writes files (an empty content deletes the file) and commits them; it returns the SHA.
func (r *gitRepo) commit(msg string, files map[string]string) string {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, filepath.FromSlash(name))
		if content == "" {
			r.git("rm", "-q", "--", name)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
		r.git("add", "--", name)
	}
	r.tick++
	r.git("commit", "-q", "--allow-empty", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// isolated is the environment the tests run git with: none of the machine's configuration.
var isolated = []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}

func open(t *testing.T, dir string) *Repo {
	t.Helper()
	repo, err := Open(context.Background(), dir, isolated)
	if err != nil {
		t.Fatal(err)
	}
	return repo
}

func TestLogRealRepository(t *testing.T) {
	t.Parallel()
	g := newGitRepo(t)
	c1 := g.commit("first\n\nwith a body", map[string]string{"a.txt": "a\n", "src/b.js": "b\n"})
	c2 := g.commit("second", map[string]string{"a.txt": "a2\n", "src/b.js": "", "dir/new file.txt": "n\n", "caf\u00e9.md": "x\n"})
	g.git("mv", "a.txt", "renamed.txt")
	c3 := g.commit("rename (git log would show R100 with rename detection)", nil)
	g.git("checkout", "-q", "-b", "side", c2)
	side := g.commit("on a branch", map[string]string{"side.txt": "s\n"})
	g.git("checkout", "-q", "main")
	g.tick++
	g.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
	merge := g.git("rev-parse", "HEAD")
	// The user's configuration must not change the records.
	g.git("config", "log.showSignature", "true")
	g.git("config", "diff.renames", "copies")
	g.git("config", "log.showRoot", "false")

	sub := filepath.Join(g.dir, "dir")
	repo := open(t, sub) // Open from a subdirectory finds the top.
	ctx := context.Background()
	head, err := repo.Head(ctx)
	if err != nil || head != merge {
		t.Fatalf("Head = %q, %v; want %s", head, err, merge)
	}

	all, err := repo.Log(ctx, LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var shas []string
	for _, c := range all {
		shas = append(shas, c.SHA)
	}
	if want := []string{merge, side, c3, c2, c1}; !slices.Equal(shas, want) {
		t.Fatalf("log order %v, want %v", shas, want)
	}
	byID := map[string]Commit{}
	for _, c := range all {
		byID[c.SHA] = c
	}
	first := byID[c1]
	if first.Message != "first\n\nwith a body" || first.AuthorName != "Ada Lovelace" || first.AuthorEmail != "ada@example.com" ||
		len(first.Parents) != 0 || !first.AuthorTime.Equal(time.Date(2024, 5, 1, 10, 1, 0, 0, time.UTC)) {
		t.Errorf("first commit: %+v", first)
	}
	wantFiles := map[string][]FileChange{
		c1:    {{"A", "a.txt"}, {"A", "src/b.js"}},
		c2:    {{"M", "a.txt"}, {"A", "caf\u00e9.md"}, {"A", "dir/new file.txt"}, {"D", "src/b.js"}},
		c3:    {{"D", "a.txt"}, {"A", "renamed.txt"}},
		side:  {{"A", "side.txt"}},
		merge: nil,
	}
	for sha, want := range wantFiles {
		if got := byID[sha].Files; !slices.Equal(got, want) {
			t.Errorf("%s (%s): files %v, want %v", sha[:7], byID[sha].Message, got, want)
		}
	}
	if len(byID[merge].Parents) != 2 {
		t.Errorf("merge parents %v", byID[merge].Parents)
	}

	since, err := repo.Log(ctx, LogOptions{Since: c2})
	if err != nil {
		t.Fatal(err)
	}
	if got := shasOf(since); !slices.Equal(got, []string{merge, side, c3}) {
		t.Errorf("Log(Since c2) = %v", got)
	}
	capped, err := repo.Log(ctx, LogOptions{Max: 2, Head: c3})
	if err != nil {
		t.Fatal(err)
	}
	if got := shasOf(capped); !slices.Equal(got, []string{c3, c2}) {
		t.Errorf("Log(Head c3, Max 2) = %v", got)
	}
	none, err := repo.Log(ctx, LogOptions{Since: head})
	if err != nil || len(none) != 0 {
		t.Errorf("Log(Since HEAD) = %v, %v; want nothing", none, err)
	}
}

func shasOf(cs []Commit) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.SHA)
	}
	return out
}

func TestResolveAndHasCommit(t *testing.T) {
	t.Parallel()
	g := newGitRepo(t)
	c1 := g.commit("one", map[string]string{"a": "1"})
	c2 := g.commit("two", map[string]string{"a": "2"})
	g.git("tag", "-a", "v1", "-m", "annotated", c1)
	repo := open(t, g.dir)
	ctx := context.Background()
	for rev, want := range map[string]string{"HEAD": c2, "HEAD~1": c1, "v1": c1, c2[:8]: c2, "main": c2} {
		if got, err := repo.Resolve(ctx, rev); err != nil || got != want {
			t.Errorf("Resolve(%q) = %q, %v; want %s", rev, got, err, want)
		}
	}
	for _, rev := range []string{"nope", "--all", "", strings.Repeat("0", 40)} {
		if _, err := repo.Resolve(ctx, rev); !errors.Is(err, ErrUnknownRevision) {
			t.Errorf("Resolve(%q) err = %v, want ErrUnknownRevision", rev, err)
		}
	}
	if ok, err := repo.HasCommit(ctx, c1); !ok || err != nil {
		t.Errorf("HasCommit(c1) = %v, %v", ok, err)
	}
	if ok, err := repo.HasCommit(ctx, strings.Repeat("ab", 20)); ok || err != nil {
		t.Errorf("HasCommit(missing) = %v, %v", ok, err)
	}
	if _, err := repo.HasCommit(ctx, "HEAD"); err == nil {
		t.Error("HasCommit accepted a revision that is not a SHA")
	}
}

func TestShallowClone(t *testing.T) {
	t.Parallel()
	g := newGitRepo(t)
	old := g.commit("old", map[string]string{"a": "1", "b": "1"})
	g.commit("middle", map[string]string{"a": "2"})
	head := g.commit("head", map[string]string{"b": "2"})
	clone := t.TempDir()
	cmd := exec.Command("git", "clone", "-q", "--depth", "2", "file://"+g.dir, clone)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	repo := open(t, clone)
	ctx := context.Background()
	boundary, err := repo.ShallowBoundary(ctx)
	if err != nil || len(boundary) != 1 {
		t.Fatalf("ShallowBoundary = %v, %v; want one commit", boundary, err)
	}
	if ok, err := repo.HasCommit(ctx, old); ok || err != nil {
		t.Errorf("HasCommit(old) in a depth-2 clone = %v, %v; want false", ok, err)
	}
	commits, err := repo.Log(ctx, LogOptions{Max: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(commits) != 2 || commits[0].SHA != head {
		t.Fatalf("log of the shallow clone: %v", shasOf(commits))
	}
	if commits[0].ShallowBoundary || !slices.Equal(commits[0].Files, []FileChange{{"M", "b"}}) {
		t.Errorf("head: %+v", commits[0])
	}
	// git sees the boundary as a root commit that adds every file; that is not what it changed.
	if !commits[1].ShallowBoundary || commits[1].Files != nil || !boundary[commits[1].SHA] {
		t.Errorf("boundary commit: %+v", commits[1])
	}

	full := open(t, g.dir)
	if b, err := full.ShallowBoundary(ctx); err != nil || len(b) != 0 {
		t.Errorf("ShallowBoundary of a full clone = %v, %v", b, err)
	}
}

func TestRemoteURL(t *testing.T) {
	t.Parallel()
	g := newGitRepo(t)
	g.commit("one", map[string]string{"a": "1"})
	g.git("remote", "add", "origin", "git@github.com:Acme/Web.git")
	repo := open(t, g.dir)
	ctx := context.Background()
	u, err := repo.RemoteURL(ctx, "origin")
	if err != nil || u != "git@github.com:Acme/Web.git" {
		t.Fatalf("RemoteURL = %q, %v", u, err)
	}
	if _, err := repo.RemoteURL(ctx, "upstream"); !errors.Is(err, ErrNoRemote) {
		t.Errorf("RemoteURL(upstream) err = %v, want ErrNoRemote", err)
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := append(slices.Clone(isolated), "GIT_CEILING_DIRECTORIES="+os.TempDir())
	if _, err := Open(ctx, t.TempDir(), env); !errors.Is(err, ErrNotRepository) {
		t.Errorf("Open(plain folder) err = %v, want ErrNotRepository", err)
	}
	empty := newGitRepo(t)
	repo := open(t, empty.dir)
	if _, err := repo.Head(ctx); !errors.Is(err, ErrUnknownRevision) {
		t.Errorf("Head of a repository without commits: err = %v, want ErrUnknownRevision", err)
	}
	if _, err := repo.Log(ctx, LogOptions{}); !errors.Is(err, ErrUnknownRevision) {
		t.Errorf("Log of a repository without commits: err = %v, want ErrUnknownRevision", err)
	}
}

// TestOpenRunsGitWithTheCallersEnvironment: what git sees is the env given, so a caller's
// setting changes what git finds (here GIT_CEILING_DIRECTORIES stops the search for the work
// tree below it) and another caller's does not.
func TestOpenRunsGitWithTheCallersEnvironment(t *testing.T) {
	t.Parallel()
	g := newGitRepo(t)
	g.commit("one", map[string]string{"sub/a": "1"})
	sub := filepath.Join(g.dir, "sub")
	ctx := context.Background()
	tests := []struct {
		name    string
		env     []string
		wantErr error
	}{
		{"the tests' environment", isolated, nil},
		{"no environment at all", nil, nil},
		{"a ceiling at the work tree", append(slices.Clone(isolated), "GIT_CEILING_DIRECTORIES="+g.dir), ErrNotRepository},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			repo, err := Open(ctx, sub, tt.env)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Open(%s) err = %v, want %v", sub, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if _, err := repo.Head(ctx); err != nil {
				t.Errorf("Head: %v", err)
			}
		})
	}
}

// TestOpenIgnoresTheProcessEnvironment: the process's variables do not reach git (a ceiling
// set there changes nothing); only git itself is found on the process's PATH.
func TestOpenIgnoresTheProcessEnvironment(t *testing.T) { //nolint:paralleltest // sets the process's environment, which is what it tests
	g := newGitRepo(t)
	g.commit("one", map[string]string{"sub/a": "1"})
	ctx := context.Background()
	t.Setenv("GIT_CEILING_DIRECTORIES", g.dir)
	repo, err := Open(ctx, filepath.Join(g.dir, "sub"), isolated)
	if err != nil {
		t.Fatalf("Open with a ceiling in the process's environment only: %v", err)
	}
	if _, err := repo.Head(ctx); err != nil {
		t.Errorf("Head: %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := Open(ctx, g.dir, isolated); !errors.Is(err, ErrGitMissing) {
		t.Errorf("Open without git on PATH: err = %v, want ErrGitMissing", err)
	}
}

func TestLogCancelled(t *testing.T) {
	t.Parallel()
	g := newGitRepo(t)
	g.commit("one", map[string]string{"a": "1"})
	repo := open(t, g.dir)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := repo.Log(ctx, LogOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("Log with a cancelled context: err = %v", err)
	}
}
