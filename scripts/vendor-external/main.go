// Command vendor-external copies the public data sets the tests read from the shared originals
// (../shared/testdata beside the repository, on the team's machines) into testdata/external/,
// trimmed to what the tests use, so that a plain clone's `go test ./...` needs nothing outside the
// repository.
//
//	go run ./scripts/vendor-external [-from ../shared/testdata] [-to testdata/external]
//
// It is deterministic: running it again on the same originals writes the same bytes, and
// TestVendoredCopiesAreCurrent fails when the copy in the repository has drifted from what this
// command would write.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	from := flag.String("from", filepath.Join("..", "shared", "testdata"), "folder holding the originals")
	to := flag.String("to", filepath.Join("testdata", "external"), "folder to write the trimmed copies to")
	flag.Parse()
	if err := vendorAll(*from, *to); err != nil {
		fmt.Fprintln(os.Stderr, "vendor-external:", err)
		os.Exit(1)
	}
}

// vendorAll writes every data set into to, each into its own folder, replacing what was there.
// A data set is first written to a temporary folder beside its destination and renamed into
// place, so a failure leaves the previous copy whole.
func vendorAll(from, to string) error {
	for _, ds := range dataSets {
		files, err := ds.build(filepath.Join(from, ds.origin))
		if err != nil {
			return fmt.Errorf("%s: %w", ds.name, err)
		}
		if err := replaceFolder(filepath.Join(to, ds.name), files); err != nil {
			return fmt.Errorf("%s: %w", ds.name, err)
		}
	}
	return nil
}

func replaceFolder(dst string, files map[string][]byte) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), "."+filepath.Base(dst)+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for name, data := range files {
		p := filepath.Join(tmp, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	old := dst + ".old"
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		if err := os.Rename(dst, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return os.RemoveAll(old)
}
