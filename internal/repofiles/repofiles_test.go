package repofiles

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

func write(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadWalk(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "b/sentry.properties", "a.js", "node_modules/x/sentry.properties", "c/d/sentry.properties", ".git/config")
	tree, err := Load(context.Background(), root, nil)
	if err != nil {
		t.Fatal(err)
	}
	if tree.Git {
		t.Error("a temp folder was taken for a git work tree")
	}
	want := []string{"a.js", "b/sentry.properties", "c/d/sentry.properties"}
	if !reflect.DeepEqual(tree.Files, want) {
		t.Errorf("files %q, want %q", tree.Files, want)
	}
	if got := tree.Find("", "sentry.properties"); !reflect.DeepEqual(got, want[1:]) {
		t.Errorf("Find all: %q", got)
	}
	if got := tree.Find("c", "sentry.properties"); !reflect.DeepEqual(got, want[2:]) {
		t.Errorf("Find under c: %q", got)
	}
	if !tree.Has("a.js") || tree.Has("b") {
		t.Error("Has")
	}
	if rel, ok := tree.Rel(filepath.Join(root, "c", "d")); !ok || rel != "c/d" {
		t.Errorf("Rel = %q, %v", rel, ok)
	}
	if _, ok := tree.Rel(filepath.Dir(root)); ok {
		t.Error("Rel accepted a folder above the root")
	}
}

func TestLoadGit(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		testenv.Missing(t, "git", "install git")
	}
	root := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", root}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	write(t, root, ".gitignore", "svc/sentry.properties", "svc/src/a.js", "dist/bundle.js", "untracked.txt")
	if err := os.WriteFile(filepath.Join(root, ".gitignore"), []byte("dist/\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".gitignore", "svc")
	// Loading from a subfolder still lists the whole repository.
	tree, err := Load(context.Background(), filepath.Join(root, "svc", "src"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".gitignore", "svc/sentry.properties", "svc/src/a.js", "untracked.txt"}
	if !tree.Git || !reflect.DeepEqual(tree.Files, want) {
		t.Errorf("git=%v files %q, want %q", tree.Git, tree.Files, want)
	}
	if real, _ := filepath.EvalSymlinks(root); tree.Root != root && tree.Root != real {
		t.Errorf("root %q, want %q", tree.Root, root)
	}

	// git runs with the environment given: with a ceiling at the repository, git finds no work
	// tree above svc, so the folder itself is walked.
	tree, err = Load(context.Background(), filepath.Join(root, "svc"), []string{"GIT_CEILING_DIRECTORIES=" + root})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"sentry.properties", "src/a.js"}; tree.Git || !reflect.DeepEqual(tree.Files, want) {
		t.Errorf("with a ceiling: git=%v files %q, want a walk finding %q", tree.Git, tree.Files, want)
	}
}

func TestLoadNotAFolder(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	write(t, root, "f")
	if _, err := Load(context.Background(), filepath.Join(root, "f"), nil); err == nil {
		t.Error("a file was accepted as a repository")
	}
	if _, err := Load(context.Background(), filepath.Join(root, "missing"), nil); err == nil {
		t.Error("a missing folder was accepted")
	}
}
