package testenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryFuzzTargetKeepsItsCorpus: every parser is fuzzed, and the inputs the fuzzer found
// interesting are kept in testdata/fuzz/<FuzzName> beside the test, so that plain `go test`
// replays them in CI. A new fuzz target without a kept corpus fails here.
func TestEveryFuzzTargetKeepsItsCorpus(t *testing.T) {
	t.Parallel()
	root := RepoRoot(t)
	fuzzFunc := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(`)
	targets := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "testdata") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzzFunc.FindAllSubmatch(src, -1) {
			targets++
			corpus := filepath.Join(filepath.Dir(path), "testdata", "fuzz", string(m[1]))
			entries, err := os.ReadDir(corpus)
			if err != nil || len(entries) == 0 {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s: %s has no kept corpus in %s; run `go test -fuzz=^%s$ -fuzztime=20s ./%s` and copy the interesting inputs from $(go env GOCACHE)/fuzz/... there",
					rel, m[1], filepath.Join(filepath.Dir(rel), "testdata", "fuzz", string(m[1])), m[1], filepath.Dir(rel))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if targets < 15 {
		t.Fatalf("found only %d fuzz targets; has the layout changed?", targets)
	}
}
