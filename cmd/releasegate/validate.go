package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/sourcemaps"
)

// discoverFlags are the file-selection flags shared by the sourcemaps commands.
type discoverFlags struct {
	Extensions         []string
	Ignore             []string
	IncludeNodeModules bool
	MaxFileSizeMiB     int64
	MaxSources         int
	AllowEmpty         bool
	AllowOutsideRoot   bool
	// factory is the command's environment, whose working folder relative PATHs are taken
	// against (nil in options built by hand: the process's folder).
	factory *Factory
}

func (f *discoverFlags) register(factory *Factory, cmd *cobra.Command) {
	f.factory = factory
	cmd.Flags().StringSliceVarP(&f.Extensions, "ext", "x", nil, "generated-file extensions to process, repeatable (default js,cjs,mjs; maps are always found)")
	cmd.Flags().StringArrayVarP(&f.Ignore, "ignore", "i", nil, "skip files and folders matching this glob, repeatable (a glob without / matches names at any depth)")
	cmd.Flags().BoolVar(&f.IncludeNodeModules, "include-node-modules", false, "also walk node_modules folders (skipped by default)")
	cmd.Flags().Int64Var(&f.MaxFileSizeMiB, "max-file-size", sourcemaps.DefaultMaxFileSize>>20, "largest file to read, in MiB; larger files are reported, not read")
	cmd.Flags().IntVar(&f.MaxSources, "max-sources", sourcemaps.DefaultMaxSources, "most sources one map may name")
	cmd.Flags().BoolVar(&f.AllowEmpty, "allow-empty", false, "succeed when a PATH holds no generated file (by default that fails: the step is probably pointed at the wrong folder)")
	cmd.Flags().BoolVar(&f.AllowOutsideRoot, "allow-outside-root", false, "let map references and symlinks lead outside the PATHs given (refused by default: nothing outside the build is read, rewritten or uploaded)")
}

// limits are the parsing limits the flags set (checked by options).
func (f *discoverFlags) limits() sourcemaps.Limits {
	return sourcemaps.Limits{MaxSources: f.MaxSources}
}

func (f *discoverFlags) options() (sourcemaps.DiscoverOptions, error) {
	if f.MaxFileSizeMiB <= 0 {
		return sourcemaps.DiscoverOptions{}, usageErrorf("--max-file-size must be a positive number of MiB, not %d", f.MaxFileSizeMiB)
	}
	if f.MaxSources <= 0 {
		return sourcemaps.DiscoverOptions{}, usageErrorf("--max-sources must be positive, not %d", f.MaxSources)
	}
	exts := make([]string, 0, len(f.Extensions))
	for _, e := range f.Extensions {
		e = strings.TrimPrefix(strings.TrimSpace(e), ".")
		if e == "" {
			return sourcemaps.DiscoverOptions{}, usageErrorf("--ext needs an extension such as js")
		}
		exts = append(exts, e)
	}
	return sourcemaps.DiscoverOptions{
		Extensions:         exts,
		Ignore:             f.Ignore,
		IncludeNodeModules: f.IncludeNodeModules,
		MaxFileSize:        f.MaxFileSizeMiB << 20,
		AllowEmpty:         f.AllowEmpty,
		AllowOutsideRoot:   f.AllowOutsideRoot,
		Dir:                f.dir(),
	}, nil
}

// dir is the folder relative paths are taken against ("": the process's).
func (f *discoverFlags) dir() string {
	if f.factory == nil {
		return ""
	}
	return f.factory.workDir()
}

// abs is a path given on the command line taken against the working folder (see Factory.Abs).
func (f *discoverFlags) abs(p string) string {
	if f.factory == nil {
		return p
	}
	return f.factory.Abs(p)
}

// validate runs the checks of `releasegate sourcemaps validate` on a discovered build. It is
// the one validation of the sourcemaps commands: validate reports it, and inject and upload run
// it first and refuse when the report is Broken, so whatever makes validate exit 1 stops them
// too, and a check added to sourcemaps.Validate stops all three.
func (f *discoverFlags) validate(d *sourcemaps.Discovery) *sourcemaps.Report {
	return sourcemaps.Validate(d, sourcemaps.ValidateOptions{Limits: f.limits()})
}

// ValidateOptions are the inputs of `releasegate sourcemaps validate`.
type ValidateOptions struct {
	IO       *IOStreams
	Paths    []string
	Discover discoverFlags
	Format   string
}

func newValidateCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &ValidateOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "validate PATH...",
		Short: "Check source maps against the spec and what Sentry needs",
		Long: `Check every generated file and source map under PATH against the source map spec
(ECMA-426) and against what Sentry needs to symbolicate: references that resolve,
strict VLQ, every segment inside the generated file as it is on disk (columns in UTF-16
units) and inside its source's content, sourcesContent present, matching debug IDs,
well-formed index maps, and size limits.

Each finding has a stable code, a severity, the file and, where known, the line and
column. A PATH that holds no generated file is an error (no-generated-files): a step
pointed at the wrong folder must not pass; --allow-empty makes it a warning.

Exit status: 0 when no errors were found (warnings allowed), 1 when any error was found,
2 for usage errors. inject and upload refuse exactly when validate exits 1.

Formats: human (default; grouped by file, colour on a terminal), json (one object; see
docs/output.md), github (workflow annotations within GitHub's caps, then a summary).`,
		Example: `  releasegate sourcemaps validate dist/
  releasegate sourcemaps validate --format json build/static/js`,
		Args: minArgs(1, "PATH (the build output to check)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			return validateRun(opts)
		},
	}
	opts.Discover.register(factory, cmd)
	cmd.Flags().StringVar(&opts.Format, "format", "human", "output format: human, json or github")
	return cmd
}

func validateRun(opts *ValidateOptions) error {
	render, err := validateRenderer(opts.Format)
	if err != nil {
		return err
	}
	dopts, err := opts.Discover.options()
	if err != nil {
		return err
	}
	// Validation reads each pair once, so reading it when its turn comes costs nothing and keeps
	// memory to a few pairs whatever the size of the build.
	dopts.Lazy = true
	d := sourcemaps.Discover(opts.Paths, dopts)
	report := opts.Discover.validate(d)
	if err := render(opts.IO, report); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if report.Broken() {
		return verdictNo()
	}
	return nil
}
