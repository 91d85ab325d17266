package sourcemaps

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testbundles"
)

// TestInjectParityWithSentryCLI builds the demo app with each real bundler, injects one copy
// with sentry-cli 3.8.0 and another with releasegate, and compares every file: generated files
// byte-identical, maps equal once decoded (debug ID, mappings, sources, names, contents), and
// the keys sentry-cli drops kept by releasegate. A second run must change nothing.
func TestInjectParityWithSentryCLI(t *testing.T) {
	t.Parallel()
	for _, bundler := range testbundles.Bundlers() {
		for _, extended := range []bool{false, true} {
			name := bundler
			if extended {
				name += "/with-x-keys"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				injectParity(t, bundler, extended)
			})
		}
	}
}

// extensionKeys are added to every map in the "with-x-keys" runs: real extension fields that
// sentry-cli drops when it re-serialises a map.
const extensionKeys = `"x_google_ignoreList":[],"x_facebook_sources":null,"x_releasegate_test":{"kept":[1,"two"]},`

func injectParity(t *testing.T, bundler string, extended bool) {
	cli := sentryCLI(t)
	dist := testbundles.Build(t, bundler)
	if extended {
		for name, data := range readFileTree(t, dist) {
			if strings.HasSuffix(name, ".map") {
				i := bytes.IndexByte(data, '{')
				data = append(append(append([]byte{}, data[:i+1]...), extensionKeys...), data[i+1:]...)
				writeFileTree(t, dist, fileTree{name: data})
			}
		}
	}
	orig := readFileTree(t, dist)

	theirsDir := copyFileTree(t, dist)
	runSentryCLIInject(t, cli, theirsDir)
	theirs := readFileTree(t, theirsDir)

	oursDir := copyFileTree(t, dist)
	plan, findings := runInject(t, oursDir, InjectOptions{})
	ours := readFileTree(t, oursDir)
	for _, f := range findings {
		t.Logf("finding: %s %s %s", f.Severity, f.Path, f.Message)
	}

	js := 0
	for name := range orig {
		if isJSName(name) {
			js++
		}
	}
	if len(plan.Injected) != js {
		t.Errorf("injected %d files, the build has %d generated files", len(plan.Injected), js)
	}
	if d := diffFileTrees(orig, ours); d == "" {
		t.Fatal("inject changed nothing")
	}
	parity(t, orig, theirs, ours, nil)

	// Report, and prove kept, what sentry-cli throws away.
	dropped := map[string]int{}
	for name, before := range orig {
		if !strings.HasSuffix(name, ".map") {
			continue
		}
		for _, k := range topLevelKeys(t, before) {
			if !slices.Contains(topLevelKeys(t, theirs[name]), k) {
				dropped[k]++
				if !slices.Contains(topLevelKeys(t, ours[name]), k) {
					t.Errorf("%s: key %q dropped by both tools", name, k)
				}
			}
		}
	}
	t.Logf("%s: keys sentry-cli dropped and releasegate kept: %v", bundler, dropped)

	if extended && dropped["x_releasegate_test"] == 0 {
		t.Errorf("sentry-cli kept the x_ keys; the test no longer shows a difference")
	}

	runInject(t, oursDir, InjectOptions{})
	if d := diffFileTrees(ours, readFileTree(t, oursDir)); d != "" {
		t.Errorf("a second inject changed files: %s", d)
	}
}

func topLevelKeys(t testing.TB, data []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte(")]}'\n")), &m); err != nil {
		t.Fatalf("map is not JSON: %v", err)
	}
	return slices.Sorted(maps.Keys(m))
}
