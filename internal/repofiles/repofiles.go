// Package repofiles lists the files of a repository and finds the sentry.properties files in
// it, for the ownership commands.
//
// Inside a git work tree the list is git's: tracked files plus untracked ones that are not
// ignored, so build output and node_modules do not count as "files of the repository".
// Elsewhere it walks the folder, skipping .git and node_modules. git rather than a Go git
// library for the same reasons as internal/gitlog.
package repofiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// Tree is a repository's files.
type Tree struct {
	// Root is the repository's top folder: git's top level, or the folder walked.
	Root string
	// Files are the paths of every file, slash-separated and relative to Root, sorted.
	Files []string
	// Git says whether the list came from git.
	Git bool
}

// skipDirs are folders a walk does not enter: they are never a service's own code.
var skipDirs = []string{".git", "node_modules"}

// Load lists the files of the repository that holds dir. In a git work tree it is the whole
// repository; otherwise it is dir itself. git runs with env (KEY=VALUE entries, as
// exec.Cmd.Env) and nothing of the process's environment, as internal/gitlog runs it.
func Load(ctx context.Context, dir string, env []string) (*Tree, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	// Never nil, which would hand git the process's environment.
	env = append([]string{}, env...)
	if root, ok := gitTopLevel(ctx, abs, env); ok {
		files, err := gitFiles(ctx, root, env)
		if err != nil {
			return nil, err
		}
		return &Tree{Root: root, Files: files, Git: true}, nil
	}
	files, err := walk(abs)
	if err != nil {
		return nil, err
	}
	return &Tree{Root: abs, Files: files}, nil
}

// Rel returns path (absolute or relative to the working directory) relative to the root,
// slash-separated; ok is false when it is outside the tree.
func (t *Tree) Rel(path string) (string, bool) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(t.Root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// Find returns the files called name under the folder sub (relative to Root, "" or "." for
// all), in path order.
func (t *Tree) Find(sub, name string) []string {
	sub = strings.Trim(filepath.ToSlash(sub), "/")
	if sub == "." {
		sub = ""
	}
	var out []string
	for _, f := range t.Files {
		if sub != "" && f != sub && !strings.HasPrefix(f, sub+"/") {
			continue
		}
		if f == name || strings.HasSuffix(f, "/"+name) {
			out = append(out, f)
		}
	}
	return out
}

// Has reports whether the tree has the file rel.
func (t *Tree) Has(rel string) bool {
	_, ok := slices.BinarySearch(t.Files, rel)
	return ok
}

func gitTopLevel(ctx context.Context, dir string, env []string) (string, bool) {
	if _, err := exec.LookPath("git"); err != nil {
		return "", false
	}
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--show-toplevel")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return "", false
	}
	return filepath.Clean(strings.TrimSpace(string(out))), true
}

func gitFiles(ctx context.Context, root string, env []string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the files of %s with git ls-files: %w: %s", root, err, strings.TrimSpace(stderr.String()))
	}
	var files []string
	for f := range bytes.SplitSeq(out, []byte{0}) {
		if len(f) > 0 {
			files = append(files, string(f))
		}
	}
	slices.Sort(files)
	// ls-files lists a path twice during a merge conflict.
	return slices.Compact(files), nil
}

func walk(root string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrPermission) && p != root {
				return nil // an unreadable folder holds no file we could check
			}
			return err
		}
		if d.IsDir() {
			if p != root && slices.Contains(skipDirs, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0 {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the files of %s: %w", root, err)
	}
	slices.Sort(files)
	return files, nil
}
