package main

import (
	"flag"
	"path/filepath"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

// update rewrites golden files with the current output: go test ./cmd/releasegate -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden with the current output")

// assertGolden compares got with testdata/golden/<name>.golden (or rewrites it under -update).
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testenv.AssertGolden(t, filepath.Join("testdata", "golden", name+".golden"), got, *update)
}
