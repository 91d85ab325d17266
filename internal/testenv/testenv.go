// Package testenv finds what the tests compare against: the public data sets vendored under
// testdata/external/ and the peers (node, npm packages, act) that .ci/install-peers puts into
// .peers/.
//
// A test whose peer is missing is skipped with a message that says how to install it, unless
// RELEASEGATE_REQUIRE_PEERS=1 is set (as .ci/run does), in which case it fails: CI must never
// pass by skipping the comparisons that prove correctness.
package testenv

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// T is what the helpers here and the fakes (sentryapitest, githubapitest, jiratest) need of a
// test: testing.TB satisfies it, and so does a program's own reporter (the demo runs the fakes
// without package testing, collecting their complaints as its own failures). Fatal, Fatalf and
// Skip must not return.
type T interface {
	Helper()
	Cleanup(func())
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Fatal(args ...any)
	Skip(args ...any)
	Context() context.Context
}

// RequirePeers reports whether a missing peer must fail the test instead of skipping it.
func RequirePeers() bool { return os.Getenv("RELEASEGATE_REQUIRE_PEERS") == "1" }

// How to get each kind of peer, for the skip messages.
const (
	installNode = "install Node.js 20 or later so that `node` is on PATH"
	installNPM  = "run `bash .ci/install-peers` (needs node and npm)"
	installAct  = "build it with `GOBIN=$PWD/.peers/bin go install github.com/nektos/act@v0.2.89` (needs only Go), or run `bash .ci/install-peers`"
)

// Missing skips t (or fails it under RELEASEGATE_REQUIRE_PEERS=1) because a peer is absent;
// how says what to do to enable the test.
func Missing(t T, what, how string) {
	t.Helper()
	msg := what + " is not installed; " + how + " to enable this test"
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
func RepoRoot(t T) string {
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

// External returns the path of a file or folder inside testdata/external/, the public data
// sets vendored into the repository (each with its SOURCE and LICENSE; rebuilt from the shared
// originals by `go run ./scripts/vendor-external`). They are part of every clone, so their
// absence is a failure, not a skip.
func External(t T, elem ...string) string {
	t.Helper()
	p := filepath.Join(append([]string{RepoRoot(t), "testdata", "external"}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("vendored test data %s is missing: it is part of the repository; restore it with git checkout, or rebuild it with `go run ./scripts/vendor-external`: %v", p, err)
	}
	return p
}

// PeersDir is where .ci/install-peers installs npm packages ($RELEASEGATE_PEERS overrides).
func PeersDir(t T) string {
	t.Helper()
	if d := os.Getenv("RELEASEGATE_PEERS"); d != "" {
		return d
	}
	return filepath.Join(RepoRoot(t), ".peers")
}

// Node returns the path of the node binary, or skips/fails when it is absent.
func Node(t T) string {
	t.Helper()
	p, err := exec.LookPath("node")
	if err != nil {
		Missing(t, "node", installNode)
	}
	return p
}

// NodeModules returns the node_modules folder holding the npm peers, after checking that each
// named package is installed there.
func NodeModules(t T, packages ...string) string {
	t.Helper()
	nm := filepath.Join(PeersDir(t), "node_modules")
	for _, pkg := range packages {
		if _, err := os.Stat(filepath.Join(nm, filepath.FromSlash(pkg), "package.json")); err != nil {
			Missing(t, "npm package "+pkg, installNPM)
		}
	}
	return nm
}

// Act returns the path of nektos/act, which .ci/install-peers builds into .peers/bin.
func Act(t T) string {
	t.Helper()
	p := filepath.Join(PeersDir(t), "bin", "act")
	if _, err := os.Stat(p); err != nil {
		Missing(t, "act (github.com/nektos/act)", installAct)
	}
	return p
}

// SentryCLI returns the path of the sentry-cli binary shipped by the @sentry/cli npm package.
func SentryCLI(t T) string {
	t.Helper()
	nm := NodeModules(t, "@sentry/cli")
	p := filepath.Join(nm, ".bin", "sentry-cli")
	if _, err := os.Stat(p); err != nil {
		Missing(t, "sentry-cli (npm package @sentry/cli)", installNPM)
	}
	return p
}

// AssertGolden compares got with the golden file at path (relative to the test's package), or,
// with update (each package's -update flag), rewrites the file.
func AssertGolden(t T, path string, got []byte, update bool) {
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

// FirstDifference finds the first line where two texts differ: its number (1-based) and the
// line in each ("" past the end of one); line 0 when they are the same.
func FirstDifference(a, b string) (line int, inA, inB string) {
	as, bs := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range max(len(as), len(bs)) {
		var x, y string
		if i < len(as) {
			x = as[i]
		}
		if i < len(bs) {
			y = bs[i]
		}
		if x != y {
			return i + 1, x, y
		}
	}
	return 0, "", ""
}
