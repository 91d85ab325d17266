package demo

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// appFiles is the sample app: common/ (sentry.properties with the ownership rules, the policy
// and triage settings, the on-call schedule) and each version's sources and esbuild output
// (v1/, v2/; demo/app/build.mjs made the output).
//
//go:embed all:app/common app/v1 app/v2
var appFiles embed.FS

// version is one release of the sample app.
type version struct {
	Name string // "v1", "v2"
	SHA  string // its commit
}

// Release is the release's name, as the policy's release.name ("web@{short_sha}") makes it.
func (v version) Release() string { return "web@" + v.SHA[:12] }

// workspace writes the version's checkout (the common files, its sources and its build) into
// dir, as a CI job would have it after the build.
func workspace(dir string, v version) error {
	for _, root := range []string{"app/common", "app/" + v.Name} {
		err := fs.WalkDir(appFiles, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := appFiles.ReadFile(p)
			if err != nil {
				return err
			}
			dst := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(p, root+"/")))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return err
			}
			return os.WriteFile(dst, data, 0o644)
		})
		if err != nil {
			return fmt.Errorf("writing the sample app's %s into %s: %w", v.Name, dir, err)
		}
	}
	return nil
}

// repositoryFiles are the files of the app's repository at the version's commit, as GitHub
// serves them: everything but the build output, which is not committed.
func repositoryFiles(v version) (map[string][]byte, error) {
	files := map[string][]byte{}
	for _, root := range []string{"app/common", "app/" + v.Name} {
		err := fs.WalkDir(appFiles, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel := strings.TrimPrefix(p, root+"/")
			if strings.HasPrefix(rel, "dist/") {
				return nil
			}
			data, err := appFiles.ReadFile(p)
			files[rel] = data
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("reading the sample app's %s: %w", v.Name, err)
		}
	}
	return files, nil
}

// changedFiles are the paths whose content differs between two commits' files.
func changedFiles(before, after map[string][]byte) []string {
	var out []string
	for p, data := range after {
		if string(before[p]) != string(data) {
			out = append(out, p)
		}
	}
	return out
}

// wholeFilePatch is a unified diff hunk rewriting a file from before to after, as GitHub lists
// a pull request's change: every line of both, the unchanged ones as context.
func wholeFilePatch(before, after string) string {
	old := strings.Split(strings.TrimSuffix(before, "\n"), "\n")
	cur := strings.Split(strings.TrimSuffix(after, "\n"), "\n")
	var b strings.Builder
	fmt.Fprintf(&b, "@@ -1,%d +1,%d @@", len(old), len(cur))
	i, j := 0, 0
	for i < len(old) || j < len(cur) {
		switch {
		case i < len(old) && j < len(cur) && old[i] == cur[j]:
			b.WriteString("\n " + old[i])
			i, j = i+1, j+1
		default:
			if i < len(old) {
				b.WriteString("\n-" + old[i])
				i++
			}
			if j < len(cur) {
				b.WriteString("\n+" + cur[j])
				j++
			}
		}
	}
	return b.String()
}

// minifiedFiles are the generated JavaScript files of a workspace's build, slash-separated
// and relative to it.
func minifiedFiles(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(filepath.Join(dir, "dist"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".js" {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	return out, err
}
