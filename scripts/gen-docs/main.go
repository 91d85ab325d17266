// Command gen-docs writes docs/reference from the code: the keys of .github/releasegate.yml
// and sentry.properties and the service's variables, each described by the doc comment of
// the field (or the comment above the code) that reads it. The CLI reference (cli.md) comes
// from the cobra commands, through cmd/releasegate's TestCLIReference, which this runs with
// -update. TestReferenceUpToDate (here) and TestCLIReference fail when the committed pages
// differ from what the code says.
//
// Run from the repository: go run ./scripts/gen-docs
package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen-docs:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	src, err := loadSource(root)
	if err != nil {
		return err
	}
	pages, err := references(src)
	if err != nil {
		return err
	}
	dir := filepath.Join(root, "docs", "reference")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(pages))
	for name := range pages {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(dir, name), pages[name], 0o644); err != nil {
			return err
		}
		fmt.Println("wrote docs/reference/" + name)
	}
	// cli.md needs the cobra commands, which live in package main of cmd/releasegate.
	cmd := exec.CommandContext(context.Background(), "go", "test", "./cmd/releasegate", "-run", "^(TestCLIReference|TestTroubleshootingPage)$", "-count=1", "-update")
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("writing docs/reference/cli.md and docs/troubleshooting.md (go test ./cmd/releasegate -run 'TestCLIReference|TestTroubleshootingPage' -update): %w", err)
	}
	fmt.Println("wrote docs/reference/cli.md and docs/troubleshooting.md")
	return nil
}
