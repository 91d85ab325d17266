// Package testenv finds what the tests compare against: the shared conformance data beside the
// repository and the peers (node, npm packages) that .ci/install-peers puts into .peers/.
//
// A test whose peer is missing is skipped with a message that says how to install it, unless
// RELEASEGATE_REQUIRE_PEERS=1 is set (as .ci/run does), in which case it fails: CI must never
// pass by skipping the comparisons that prove correctness.
package testenv

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// RequirePeers reports whether a missing peer must fail the test instead of skipping it.
func RequirePeers() bool { return os.Getenv("RELEASEGATE_REQUIRE_PEERS") == "1" }

// Missing skips t (or fails it under RELEASEGATE_REQUIRE_PEERS=1) because a peer is absent.
func Missing(t testing.TB, what string) {
	t.Helper()
	msg := what + " is not installed; run `bash .ci/install-peers` (needs node and npm) to enable this test"
	if RequirePeers() {
		t.Fatal(msg + " (RELEASEGATE_REQUIRE_PEERS=1 makes this an error)")
	}
	t.Skip(msg)
}

var (
	rootOnce sync.Once
	rootDir  string
)

// RepoRoot returns the directory holding go.mod, found by walking up from the working directory
// (go test runs each package in its own folder).
func RepoRoot(t testing.TB) string {
	t.Helper()
	rootOnce.Do(func() {
		dir, err := os.Getwd()
		if err != nil {
			return
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				rootDir = dir
				return
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return
			}
			dir = parent
		}
	})
	if rootDir == "" {
		t.Fatal("testenv: cannot find the repository root (no go.mod above the working directory)")
	}
	return rootDir
}

// SharedTestdata returns the path of a file or folder inside the shared test data
// ($RELEASEGATE_TESTDATA, else ../shared/testdata beside the repository). The shared data is
// part of every checkout's surroundings, so its absence is a failure, not a skip.
func SharedTestdata(t testing.TB, elem ...string) string {
	t.Helper()
	base := os.Getenv("RELEASEGATE_TESTDATA")
	if base == "" {
		base = filepath.Join(RepoRoot(t), "..", "shared", "testdata")
	}
	p := filepath.Join(append([]string{base}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("shared test data %s is missing (set RELEASEGATE_TESTDATA to its folder): %v", p, err)
	}
	return p
}

// PeersDir is where .ci/install-peers installs npm packages ($RELEASEGATE_PEERS overrides).
func PeersDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("RELEASEGATE_PEERS"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(t), ".peers")
}

// Node returns the path of the node binary, or skips/fails when it is absent.
func Node(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("node")
	if err != nil {
		Missing(t, "node")
	}
	return p
}

// NodeModules returns the node_modules folder holding the npm peers, after checking that each
// named package is installed there.
func NodeModules(t testing.TB, packages ...string) string {
	t.Helper()
	nm := filepath.Join(PeersDir(t), "node_modules")
	for _, pkg := range packages {
		if _, err := os.Stat(filepath.Join(nm, filepath.FromSlash(pkg), "package.json")); err != nil {
			Missing(t, "npm package "+pkg)
		}
	}
	return nm
}

// Act returns the path of nektos/act, which .ci/install-peers builds into .peers/bin.
func Act(t testing.TB) string {
	t.Helper()
	p := filepath.Join(PeersDir(t), "bin", "act")
	if _, err := os.Stat(p); err != nil {
		Missing(t, "act (github.com/nektos/act)")
	}
	return p
}

// SentryCLI returns the path of the sentry-cli binary shipped by the @sentry/cli npm package.
func SentryCLI(t testing.TB) string {
	t.Helper()
	nm := NodeModules(t, "@sentry/cli")
	p := filepath.Join(nm, ".bin", "sentry-cli")
	if _, err := os.Stat(p); err != nil {
		Missing(t, "sentry-cli (npm package @sentry/cli)")
	}
	return p
}

// AssertGolden compares got with the golden file at path (relative to the test's package), or,
// with update (each package's -update flag), rewrites the file.
func AssertGolden(t testing.TB, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing golden file %s: rerun the test with -update to create it", path)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (rerun with -update if the change is intended)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}
