package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// TestSourcemapsCommandsInWorkDir: validate, resolve (both forms), inject and upload read their
// relative PATHs, FILE and TRACE from the factory's working folder, not the process's, and name
// them as given. For the commands that only read, the working folder mirrors the repository's
// layout (a copy of the sample build at ../../testdata/sample-build from it), so the committed
// golden files are the expected output; before the copy is made the same command lines must
// fail, although the process's folder has that path: nothing is read from there. inject and
// upload write, so they get a copy at a path the process's folder does not have (dist): a
// regression then fails instead of injecting the committed build.
func TestSourcemapsCommandsInWorkDir(t *testing.T) { //nolint:tparallel // the subtests share one working folder, which each prepares for the next, and run in order
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{})
	e := sentryEnv(t, srv)
	root := t.TempDir()
	e.Dir = filepath.Join(root, "cmd", "releasegate")
	if err := os.MkdirAll(e.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	main := sampleBuild + "/main-7CDP6YMD.js"

	t.Run("nothing there yet", func(t *testing.T) {
		for _, tt := range []struct {
			args []string
			code int
			want string // in stdout or stderr
		}{
			{[]string{"validate", sampleBuild}, exitNo, sampleBuild + " does not exist"},
			{[]string{"inject", "--dry-run", sampleBuild}, exitNo, sampleBuild + " does not exist"},
			{[]string{"resolve", main, "1:100"}, exitUsage, main + " does not exist"},
			{[]string{"resolve", "--stacktrace", "-", sampleBuild}, exitUsage, sampleBuild + " does not exist"},
			{[]string{"resolve", "--stacktrace", "trace.txt", sampleBuild}, exitUsage, "cannot read the stack trace: open trace.txt: no such file"},
		} {
			code, out, errOut := e.run(t, chromeTrace, append([]string{"sourcemaps"}, tt.args...)...)
			if code != tt.code || !strings.Contains(out+errOut, tt.want) || strings.Contains(out+errOut, root) {
				t.Errorf("%v: exit %d, want %d naming the path as given (%q):\n%s%s", tt.args, code, tt.code, tt.want, out, errOut)
			}
		}
	})

	if err := os.CopyFS(filepath.Join(root, "testdata", "sample-build"), os.DirFS(sampleBuild)); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(e.Dir, "trace.txt"), firefoxTrace)
	var build []string // the files of the build, slash-separated below it
	filepath.WalkDir(sampleBuild, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(sampleBuild, p)
			build = append(build, filepath.ToSlash(rel))
		}
		return err
	})
	positions := []string{"1:100", "1:560", "1:1", "1:99999", "5:1"}

	t.Run("resolve", func(t *testing.T) {
		for _, tt := range []struct {
			golden, stdin string
			args          []string
		}{
			{"resolve-human", "", append([]string{"sourcemaps", "resolve", main}, positions...)},
			{"resolve-human-map", "", []string{"sourcemaps", "resolve", main + ".map", "1:100"}},
			{"resolve-json", "", append([]string{"sourcemaps", "resolve", "--format", "json", main}, positions...)},
			{"resolve-stacktrace-chrome", chromeTrace, []string{"sourcemaps", "resolve", "--stacktrace", "-", sampleBuild}},
			{"resolve-stacktrace-firefox", "", []string{"sourcemaps", "resolve", "--stacktrace", "trace.txt", sampleBuild}},
			{"resolve-stacktrace-json", chromeTrace, []string{"sourcemaps", "resolve", "--stacktrace", "-", "--format", "json", sampleBuild}},
		} {
			code, out, errOut := e.run(t, tt.stdin, tt.args...)
			if code != exitOK || strings.Contains(errOut, root) {
				t.Fatalf("%v: exit %d, stderr %q", tt.args, code, errOut)
			}
			assertGolden(t, tt.golden, []byte(out))
		}
	})

	t.Run("validate", func(t *testing.T) {
		// The same build read from the process's folder is the reference (validate writes
		// nothing, so reading the committed build is safe).
		_, want, _ := newCLIEnv(t, nil).run(t, "", "sourcemaps", "validate", "--format", "json", sampleBuild)
		code, got, errOut := e.run(t, "", "sourcemaps", "validate", "--format", "json", sampleBuild)
		if code != exitOK || got != want {
			t.Errorf("exit %d, stderr %q; the report differs from the process's folder's:\n%s\nwant:\n%s", code, errOut, got, want)
		}
	})

	if _, err := os.Stat("dist"); err == nil {
		t.Fatal("the process's folder has a dist/: inject and upload could write there")
	}
	dist := filepath.Join(e.Dir, "dist")
	if err := os.CopyFS(dist, os.DirFS(sampleBuild)); err != nil {
		t.Fatal(err)
	}

	t.Run("inject", func(t *testing.T) {
		code, out, errOut := e.run(t, "", "sourcemaps", "inject", "--format", "json", "dist")
		if code != exitOK {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		var rep injectReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Injected) != len(build)/2 {
			t.Fatalf("want the %d generated files injected: %v\n%s", len(build)/2, err, out)
		}
		for _, f := range rep.Injected {
			if !strings.HasPrefix(f.Path, "dist/") || !strings.HasPrefix(f.Map, "dist/") {
				t.Errorf("injected %s (map %s), want paths as given under dist/", f.Path, f.Map)
			}
		}
		copied, err := os.ReadFile(filepath.Join(dist, "main-7CDP6YMD.js"))
		if err != nil || !bytes.Contains(copied, []byte("//# debugId=")) {
			t.Errorf("the copy in the working folder was not injected (%v)", err)
		}
		committed, err := os.ReadFile(main)
		if err != nil || bytes.Contains(committed, []byte("//# debugId=")) {
			t.Errorf("the committed sample build was injected (%v)", err)
		}
	})

	t.Run("upload", func(t *testing.T) {
		code, out, errOut := e.run(t, "", "sourcemaps", "upload", "--org", "acme", "--project", "web", "--release", "web@1.0.0", "--format", "json", "dist")
		if code != exitOK {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
		}
		bundles := srv.Bundles()
		if len(bundles) != 1 {
			t.Fatalf("server has %d bundles, want 1", len(bundles))
		}
		files := bundles[0].Files
		if len(files) != len(build) {
			t.Errorf("bundle holds %d files, want the %d of the build", len(files), len(build))
		}
		for _, rel := range build {
			onDisk, err := os.ReadFile(filepath.Join(dist, filepath.FromSlash(rel)))
			if f, ok := files["~/"+rel]; err != nil || !ok || !bytes.Equal(f.Content, onDisk) {
				t.Errorf("~/%s is missing from the bundle or is not the working folder's file (%v)", rel, err)
			}
		}
	})
}
