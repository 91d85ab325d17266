// Package testbundles builds a small demo app with real bundlers (esbuild, webpack and rollup
// from the test peers) so that tests compare releasegate against genuine bundler output rather
// than hand-written fixtures.
//
// The app lives in ./app (ES modules, classes, async code, dynamic import(), a JSON import and
// non-ASCII text, since source map columns count UTF-16 code units) and is built by ./build.mjs.
// Both are embedded, so Build works from any package's tests.
//
// Build returns a fresh dist folder; the app's sources sit beside it in ../src, which is where
// the relative "sources" of esbuild's and rollup's maps point. Layout of dist per bundler:
//
//	esbuild  esm/     code-split ESM: main-HASH.js, api-HASH.js, chunks/*-HASH.js, linked .map files
//	         inline/  app.js, one file with an inline data:application/json;base64 map
//	         cjs/     api.cjs + api.cjs.map, CommonJS, default charset (strings escaped, regexes raw)
//	webpack  js/      production build, devtool source-map, realContentHash: NAME.HASH16.js and
//	                  NAME.HASH16.chunk.js, each with a .map; api is a UMD library entry
//	rollup   esm/     code-split ESM (unminified): main-HASH.js, api-HASH.js, chunks/*-HASH.js
//	         iife/    app.js + app.js.map, the main entry with its dynamic imports inlined
//
// Output bytes do not depend on where the build ran, except the "file" field of webpack's maps:
// it names the file as hashed before realContentHash, and that hash covers absolute paths.
//
// A missing node or bundler skips the calling test, or fails it under
// RELEASEGATE_REQUIRE_PEERS=1 (see internal/testenv).
package testbundles

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/testenv"
)

//go:embed build.mjs app
var assets embed.FS

// buildTimeout bounds one bundler run; webpack, the slowest, takes about a second.
const buildTimeout = 3 * time.Minute

// snapshot is one bundler's output, built once per test binary and kept in memory so every
// caller gets its own writable copy.
type snapshot struct {
	once  sync.Once
	files map[string][]byte // keyed by slash-separated path relative to dist
	err   error
}

var snapshots = map[string]*snapshot{
	"esbuild": {},
	"rollup":  {},
	"webpack": {},
}

// Bundlers returns the names Build accepts.
func Bundlers() []string { return []string{"esbuild", "rollup", "webpack"} }

// Build returns a new folder holding the demo app built by bundler ("esbuild", "webpack" or
// "rollup"); the caller may change or delete its files. The first call per bundler in a test
// binary runs node (about a second), later calls copy the cached result.
func Build(t testing.TB, bundler string) string {
	t.Helper()
	snap, ok := snapshots[bundler]
	if !ok {
		t.Fatalf("testbundles: unknown bundler %q (known: %v)", bundler, Bundlers())
	}
	// Checked on every call, outside the Once, so each caller skips or fails on its own.
	node := testenv.Node(t)
	modules := testenv.NodeModules(t, bundler)
	snap.once.Do(func() {
		snap.files, snap.err = run(node, modules, bundler, nil)
	})
	if snap.err != nil {
		t.Fatalf("testbundles: %v", snap.err)
	}

	root := t.TempDir()
	if err := writeApp(filepath.Join(root, "src")); err != nil {
		t.Fatalf("testbundles: %v", err)
	}
	dist := filepath.Join(root, "dist")
	for name, data := range snap.files {
		if err := writeFile(filepath.Join(dist, filepath.FromSlash(name)), data); err != nil {
			t.Fatalf("testbundles: %v", err)
		}
	}
	return dist
}

// BuildEdited is Build for a changed app: edit gets the folder holding a copy of the app's
// sources and changes them before bundler runs. It builds every time (nothing is cached), so
// tests can pair the output of two versions of the app, as a stale map from an earlier build
// would. The sources beside dist are the edited ones.
func BuildEdited(t testing.TB, bundler string, edit func(appDir string) error) string {
	t.Helper()
	if _, ok := snapshots[bundler]; !ok {
		t.Fatalf("testbundles: unknown bundler %q (known: %v)", bundler, Bundlers())
	}
	node := testenv.Node(t)
	modules := testenv.NodeModules(t, bundler)
	files, err := run(node, modules, bundler, edit)
	if err != nil {
		t.Fatalf("testbundles: %v", err)
	}
	root := t.TempDir()
	src := filepath.Join(root, "src")
	if err := writeApp(src); err != nil {
		t.Fatalf("testbundles: %v", err)
	}
	if err := edit(src); err != nil {
		t.Fatalf("testbundles: editing the app: %v", err)
	}
	dist := filepath.Join(root, "dist")
	for name, data := range files {
		if err := writeFile(filepath.Join(dist, filepath.FromSlash(name)), data); err != nil {
			t.Fatalf("testbundles: %v", err)
		}
	}
	return dist
}

// run builds the app into a scratch folder laid out like Build's result (src/ beside dist/), so
// the relative source paths in the maps are the same wherever the build ran, and returns the
// contents of dist. A non-nil edit changes the app's sources first.
func run(node, modules, bundler string, edit func(appDir string) error) (map[string][]byte, error) {
	work, err := os.MkdirTemp("", "testbundles-"+bundler+"-")
	if err != nil {
		return nil, fmt.Errorf("creating a build folder: %w", err)
	}
	defer os.RemoveAll(work)

	src := filepath.Join(work, "src")
	if err := writeApp(src); err != nil {
		return nil, err
	}
	if edit != nil {
		if err := edit(src); err != nil {
			return nil, fmt.Errorf("editing the app: %w", err)
		}
	}
	script, err := assets.ReadFile("build.mjs")
	if err != nil {
		return nil, fmt.Errorf("reading the embedded build script: %w", err)
	}
	scriptPath := filepath.Join(work, "build.mjs")
	if err := writeFile(scriptPath, script); err != nil {
		return nil, err
	}

	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	dist := filepath.Join(work, "dist")
	cmd := exec.CommandContext(ctx, node, scriptPath,
		"--bundler", bundler, "--src", src, "--out", dist, "--node-modules", modules)
	cmd.Dir = work
	var output bytes.Buffer
	cmd.Stdout = &output
	cmd.Stderr = &output
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("building with %s: %w\n%s", bundler, err, output.Bytes())
	}

	files := make(map[string][]byte)
	err = filepath.WalkDir(dist, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dist, path)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s output: %w", bundler, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s wrote no files\n%s", bundler, output.Bytes())
	}
	return files, nil
}

// writeApp copies the embedded app sources into dir.
func writeApp(dir string) error {
	app, err := fs.Sub(assets, "app")
	if err != nil {
		return fmt.Errorf("opening the embedded app: %w", err)
	}
	if err := os.CopyFS(dir, app); err != nil {
		return fmt.Errorf("writing the app sources: %w", err)
	}
	return nil
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(path), err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
