package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/resolvereport"
	"github.com/releasegate/releasegate/sourcemaps"
)

// ResolveOptions are the inputs of `releasegate sourcemaps resolve`.
type ResolveOptions struct {
	IO *IOStreams
	// File and Positions: the positional form (FILE LINE:COLUMN...).
	File      string
	Positions []string
	// StackTrace is the trace file ("-": standard input); Paths are where its files are.
	StackTrace string
	Paths      []string
	Discover   discoverFlags
	Format     string
}

// maxTraceSize bounds a pasted stack trace: real ones are kilobytes.
const maxTraceSize = 16 << 20

func newResolveCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &ResolveOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "resolve FILE LINE:COLUMN... | resolve --stacktrace TRACE PATH...",
		Short: "Map minified positions or a whole stack trace back to the original source",
		Long: `Resolve generated (minified) positions to the original source, line, column and name,
using the file's source map.

  releasegate sourcemaps resolve FILE LINE:COLUMN...

FILE is a generated file or a source map. A generated file's map is the one its last
sourceMappingURL comment names (inline data: maps included), else FILE.map beside it.
LINE and COLUMN are 1-based, as browsers print them in stack traces and Sentry shows them
in frames; the original line and column are printed 1-based too. The map is checked
strictly first: a map the spec rejects is an error, not a source of wrong answers.

  releasegate sourcemaps resolve --stacktrace TRACE PATH...

TRACE is a file holding a stack trace as Chrome, Edge, Node, Firefox or Safari print it
("-" reads standard input). Each frame's URL is matched to the generated file under PATH
whose path shares the longest tail with the URL's path (at least the file name), and the
frame is rewritten with the original position. Frames that cannot be resolved are kept
and marked "[unresolved: reason]"; every other line is kept as it is.

Formats: human (default) or json (see docs/resolve.md for the contract).
Exit status: 0 ok (unmapped positions are not errors), 1 the map is invalid,
2 usage error or no map found.`,
		Example: `  releasegate sourcemaps resolve dist/main.js 1:2345
  releasegate sourcemaps resolve --format json dist/main.js.map 1:2345 1:8012
  pbpaste | releasegate sourcemaps resolve --stacktrace - dist/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.StackTrace != "" {
				if len(args) == 0 {
					return usageErrorf("%s: --stacktrace needs the build output the trace came from, e.g. --stacktrace trace.txt dist/\nRun '%s --help' for usage.", cmd.CommandPath(), cmd.CommandPath())
				}
				opts.Paths = args
				return resolveTraceRun(opts)
			}
			if len(args) < 2 {
				missing := "LINE:COLUMN (1-based, e.g. 1:2345)"
				if len(args) == 0 || isPosition(args[0]) {
					missing = "FILE (a generated file or its map)"
				}
				return usageErrorf("%s: missing %s\nRun '%s --help' for usage.", cmd.CommandPath(), missing, cmd.CommandPath())
			}
			opts.File, opts.Positions = args[0], args[1:]
			return resolveRun(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Format, "format", "human", "output format: human or json")
	f.StringVar(&opts.StackTrace, "stacktrace", "", "rewrite the stack trace in this file (\"-\": standard input) with original positions")
	f.StringSliceVarP(&opts.Discover.Extensions, "ext", "x", nil, "with --stacktrace: generated-file extensions to match, repeatable (default js,cjs,mjs)")
	f.StringArrayVarP(&opts.Discover.Ignore, "ignore", "i", nil, "with --stacktrace: skip files and folders matching this glob, repeatable")
	f.BoolVar(&opts.Discover.IncludeNodeModules, "include-node-modules", false, "with --stacktrace: also search node_modules folders")
	f.Int64Var(&opts.Discover.MaxFileSizeMiB, "max-file-size", sourcemaps.DefaultMaxFileSize>>20, "largest file to read, in MiB (the map, the generated file, and with --stacktrace every file searched)")
	opts.Discover.MaxSources = sourcemaps.DefaultMaxSources
	opts.Discover.factory = factory
	return cmd
}

// isPosition reports whether s reads as LINE:COLUMN, to say which argument is missing.
func isPosition(s string) bool { _, _, err := sourcemaps.ParsePosition(s); return err == nil }

// loadMapError gives a LoadMapFor error its kind: a map the spec rejects is a verdict (its
// own kind, exit 1); a missing, unreadable or oversized file or map is a usage problem (2).
func loadMapError(err error) error {
	if _, ok := errors.AsType[*sourcemaps.MapError](err); ok {
		return err
	}
	return errkind.Wrap(errkind.Usage, err)
}

func resolveRun(opts *ResolveOptions) error {
	if opts.Format != "human" && opts.Format != "json" {
		return usageErrorf("unknown --format %q: use human or json", opts.Format)
	}
	type query struct{ line, col int }
	queries := make([]query, len(opts.Positions))
	for i, p := range opts.Positions {
		l, c, err := sourcemaps.ParsePosition(p)
		if err != nil {
			return usageErrorf("%v", err)
		}
		queries[i] = query{l, c}
	}
	if opts.Discover.MaxFileSizeMiB <= 0 {
		return usageErrorf("--max-file-size must be a positive number of MiB, not %d", opts.Discover.MaxFileSizeMiB)
	}
	m, mapPath, err := sourcemaps.LoadMapFor(opts.File, sourcemaps.LoadMapOptions{Dir: opts.Discover.dir(), MaxFileSize: opts.Discover.MaxFileSizeMiB << 20})
	if err != nil {
		return loadMapError(err)
	}
	results := make([]sourcemaps.Resolution, len(queries))
	for i, q := range queries {
		results[i] = sourcemaps.Resolve(m, q.line, q.col)
	}
	if opts.Format == "json" {
		return writeJSON(opts.IO.Out, resolvereport.Resolutions(results))
	}
	if err := resolvereport.WriteResolutions(opts.IO.Out, resolveStyle(newPalette(opts.IO, opts.IO.OutTTY)), opts.File, mapPath, results); err != nil {
		return fmt.Errorf("writing the output: %w", err)
	}
	return nil
}

// resolveStyle marks resolve's human output with the command's palette.
func resolveStyle(pal palette) resolvereport.Style {
	return resolvereport.Style{
		Bold: pal.Bold, Dim: pal.Dim,
		Warn:  func(s string) string { return pal.Wrap("33", s) },
		Caret: func(s string) string { return pal.Wrap("1;31", s) },
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("writing the output: %w", err)
	}
	return nil
}

// resolveTraceRun rewrites a pasted stack trace.
func resolveTraceRun(opts *ResolveOptions) error {
	if opts.Format != "human" && opts.Format != "json" {
		return usageErrorf("unknown --format %q: use human or json", opts.Format)
	}
	for _, p := range opts.Paths {
		if isPosition(p) {
			return usageErrorf("with --stacktrace, positions come from the trace: give the build output instead of %q (e.g. dist/)", p)
		}
	}
	dopts, err := opts.Discover.options()
	if err != nil {
		return err
	}
	text, err := readTrace(opts)
	if err != nil {
		return err
	}
	lines := sourcemaps.ParseStackTrace(text)
	if sourcemaps.CountFrames(lines) == 0 {
		return usageErrorf("no stack frames found in %s: expected Chrome or Node lines such as \"    at fn (https://example.com/app.js:1:2345)\" or Firefox or Safari lines such as \"fn@https://example.com/app.js:1:2345\"", traceName(opts.StackTrace))
	}
	// An empty build is resolve's own usage error below, worded for a trace.
	dopts.AllowEmpty = true
	files, findings := sourcemaps.FindGeneratedFiles(opts.Paths, dopts)
	for _, f := range findings {
		if f.Severity == sourcemaps.SeverityError {
			return usageErrorf("%s", f.Message)
		}
	}
	if files.Len() == 0 {
		return usageErrorf("no generated files (%s) under %s: give the build output the trace came from, or set --ext", strings.Join(extsOrDefault(dopts.Extensions), ", "), strings.Join(opts.Paths, ", "))
	}
	r := &sourcemaps.TraceResolver{Files: files, MaxFileSize: opts.Discover.MaxFileSizeMiB << 20}
	out := r.ResolveTrace(lines)
	if opts.Format == "json" {
		if err := writeJSON(opts.IO.Out, resolvereport.TraceFrames(out)); err != nil {
			return err
		}
	} else if err := resolvereport.WriteTrace(opts.IO.Out, out); err != nil {
		return fmt.Errorf("writing the trace: %w", err)
	}
	resolved, unresolved := sourcemaps.Tally(out)
	for _, err := range r.LoadErrors() {
		fmt.Fprintf(opts.IO.ErrOut, "releasegate: %v\n", err)
	}
	if unresolved > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "releasegate: resolved %d of %s; %d left as printed, marked [unresolved: …]\n", resolved, plural(resolved+unresolved, "frame"), unresolved)
	}
	return nil
}

func extsOrDefault(exts []string) []string {
	if len(exts) == 0 {
		exts = sourcemaps.DefaultExtensions
	}
	out := make([]string, len(exts))
	for i, e := range exts {
		out[i] = "." + e
	}
	return out
}

func traceName(arg string) string {
	if arg == "-" {
		return "standard input"
	}
	return arg
}

func readTrace(opts *ResolveOptions) (string, error) {
	var r io.Reader
	if opts.StackTrace == "-" {
		r = opts.IO.In
	} else {
		f, err := os.Open(opts.Discover.abs(opts.StackTrace))
		if err != nil {
			return "", usageErrorf("cannot read the stack trace: %v", asGiven(err, opts.StackTrace))
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxTraceSize+1))
	if err != nil {
		if opts.StackTrace != "-" {
			err = asGiven(err, opts.StackTrace)
		}
		return "", usageErrorf("cannot read the stack trace from %s: %v", traceName(opts.StackTrace), err)
	}
	if len(data) > maxTraceSize {
		return "", usageErrorf("the stack trace in %s is over %d MiB; that is not a stack trace", traceName(opts.StackTrace), maxTraceSize>>20)
	}
	return string(data), nil
}
