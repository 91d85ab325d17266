package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// newDocsCmd is the hidden `releasegate docs`: what scripts/build-release.sh runs to put the
// man pages and shell completions in the release archives. It is hidden because a user has
// no use for it: the archives carry its output.
func newDocsCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:    "docs",
		Short:  "Write the man pages and shell completions (release builds)",
		Hidden: true,
		Args:   unknownSubcommand,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "man DIR",
		Short: "Write a man page (section 1) per command into DIR",
		Args:  minArgs(1, "the folder to write the man pages to"),
		RunE: func(c *cobra.Command, args []string) error {
			return writeManPages(c.Root(), f.Abs(args[0]))
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "completions DIR",
		Short: "Write the bash, zsh, fish and PowerShell completion scripts into DIR",
		Args:  minArgs(1, "the folder to write the completion scripts to"),
		RunE: func(c *cobra.Command, args []string) error {
			return writeCompletions(c.Root(), f.Abs(args[0]))
		},
	})
	return cmd
}

// writeManPages writes releasegate.1, releasegate-serve.1, ... for every visible command.
func writeManPages(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	root.DisableAutoGenTag = true // the pages must not depend on the day they were built
	header := &doc.GenManHeader{Title: "RELEASEGATE", Section: "1", Source: "releasegate " + buildVersion(), Manual: "releasegate manual"}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return fmt.Errorf("writing the man pages to %s: %w", dir, err)
	}
	return nil
}

// completionFiles are the completion scripts written for the archives, by shell, with the
// names each shell's packaging expects.
var completionFiles = []struct {
	shell, file string
	write       func(c *cobra.Command, path string) error
}{
	{"bash", "releasegate.bash", func(c *cobra.Command, p string) error { return c.GenBashCompletionFileV2(p, true) }},
	{"zsh", "_releasegate", func(c *cobra.Command, p string) error { return c.GenZshCompletionFile(p) }},
	{"fish", "releasegate.fish", func(c *cobra.Command, p string) error { return c.GenFishCompletionFile(p, true) }},
	{"powershell", "releasegate.ps1", func(c *cobra.Command, p string) error { return c.GenPowerShellCompletionFileWithDesc(p) }},
}

func writeCompletions(root *cobra.Command, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	for _, cf := range completionFiles {
		if err := cf.write(root, filepath.Join(dir, cf.file)); err != nil {
			return fmt.Errorf("writing the %s completion to %s: %w", cf.shell, dir, err)
		}
	}
	return nil
}
