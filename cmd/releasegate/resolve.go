package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/errkind"
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
	return cmd
}

// parsePosition parses "LINE:COLUMN", both 1-based decimal numbers.
func parsePosition(s string) (line, col int, err error) {
	l, c, ok := strings.Cut(s, ":")
	line, err1 := strconv.Atoi(l)
	col, err2 := strconv.Atoi(c)
	if !ok || err1 != nil || err2 != nil || !isDigits(l) || !isDigits(c) {
		return 0, 0, usageErrorf("bad position %q: want LINE:COLUMN, two 1-based numbers as in a stack trace, e.g. 1:2345", s)
	}
	if line < 1 || col < 1 {
		return 0, 0, usageErrorf("bad position %q: lines and columns start at 1 (as browsers print them), e.g. 1:2345", s)
	}
	return line, col, nil
}

func isDigits(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func isPosition(s string) bool { _, _, err := parsePosition(s); return err == nil }

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
		l, c, err := parsePosition(p)
		if err != nil {
			return err
		}
		queries[i] = query{l, c}
	}
	if opts.Discover.MaxFileSizeMiB <= 0 {
		return usageErrorf("--max-file-size must be a positive number of MiB, not %d", opts.Discover.MaxFileSizeMiB)
	}
	m, mapPath, err := sourcemaps.LoadMapFor(opts.File, opts.Discover.MaxFileSizeMiB<<20)
	if err != nil {
		return loadMapError(err)
	}
	results := make([]sourcemaps.Resolution, len(queries))
	for i, q := range queries {
		results[i] = sourcemaps.Resolve(m, q.line, q.col)
	}
	if opts.Format == "json" {
		out := make([]resolutionJSON, len(results))
		for i, r := range results {
			out[i] = newResolutionJSON(r)
		}
		return writeJSON(opts.IO.Out, out)
	}
	w := opts.IO.Out
	pal := newPalette(opts.IO, opts.IO.OutTTY)
	if mapPath != opts.File {
		fmt.Fprintln(w, pal.Dim(fmt.Sprintf("%s (map: %s)", opts.File, mapPath)))
	}
	for i, r := range results {
		if i > 0 || mapPath != opts.File {
			fmt.Fprintln(w)
		}
		writeResolutionHuman(w, pal, opts.File, mapPath, r)
	}
	return nil
}

// resolutionJSON is one element of `resolve --format json`: a documented contract
// (docs/resolve.md). Keys are always present; null means "not known" or "unmapped".
type resolutionJSON struct {
	Line           int     `json:"line"`
	Column         int     `json:"column"`
	Source         *string `json:"source"`
	SourceResolved *string `json:"sourceResolved"`
	OriginalLine   *int    `json:"originalLine"`
	OriginalColumn *int    `json:"originalColumn"`
	Name           *string `json:"name"`
	Context        *string `json:"context"`
}

func newResolutionJSON(r sourcemaps.Resolution) resolutionJSON {
	j := resolutionJSON{Line: r.Line, Column: r.Column}
	if !r.Mapped {
		return j
	}
	if !r.SourceIsNull {
		j.Source, j.SourceResolved = &r.Source, &r.SourceResolved
	}
	j.OriginalLine, j.OriginalColumn = &r.OriginalLine, &r.OriginalColumn
	if r.HasName {
		j.Name = &r.Name
	}
	if r.HasContext {
		j.Context = &r.Context
	}
	return j
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

// writeResolutionHuman prints one block: "FILE:LINE:COL → source:line:column name", then the
// original line with a caret under the column. A relative source is shown as a path from the
// working directory (see sourcemaps.LocalSourcePath); --format json has the raw values.
func writeResolutionHuman(w io.Writer, pal palette, file, mapPath string, r sourcemaps.Resolution) {
	gen := fmt.Sprintf("%s:%d:%d", file, r.Line, r.Column)
	if !r.Mapped {
		fmt.Fprintf(w, "%s → %s\n", gen, pal.Wrap("33", "unmapped"))
		fmt.Fprintf(w, "  %s\n", pal.Dim(fmt.Sprintf("no mapping with a source at or before column %d of line %d", r.Column, r.Line)))
		return
	}
	src := sourcemaps.LocalSourcePath(mapPath, r.SourceResolved)
	if r.SourceIsNull {
		src = "(null source)"
	}
	loc := fmt.Sprintf("%s:%d:%d", src, r.OriginalLine, r.OriginalColumn)
	if r.HasName {
		loc += " " + r.Name
	}
	fmt.Fprintf(w, "%s → %s\n", gen, pal.Bold(loc))
	if !r.HasContext {
		fmt.Fprintf(w, "  %s\n", pal.Dim("(the map has no sourcesContent for this source)"))
		return
	}
	text, caret := contextWindow(r.Context, r.OriginalColumn)
	num := strconv.Itoa(r.OriginalLine)
	gutter := strings.Repeat(" ", len(num))
	fmt.Fprintf(w, "  %s %s %s\n", pal.Dim(num), pal.Dim("|"), text)
	fmt.Fprintf(w, "  %s %s %s%s\n", gutter, pal.Dim("|"), caret, pal.Wrap("1;31", "^"))
}

// contextWidth is how many characters of a long original line are shown around the column.
const contextWidth = 100

// contextWindow returns the part of line to show and the blanks that put a caret under the
// 1-based UTF-16 column col. Tabs are kept in the blanks so the caret lines up however the
// terminal expands them; a long line is cut around the column, marked with "…".
func contextWindow(line string, col int) (text, pad string) {
	runes := []rune(strings.ToValidUTF8(line, "\uFFFD"))
	// Find the rune at UTF-16 column col-1.
	at, units := 0, 0
	for at < len(runes) && units < col-1 {
		units += utf16Units(runes[at])
		at++
	}
	start, end := 0, len(runes)
	prefix, suffix := "", ""
	if len(runes) > contextWidth {
		start = max(0, at-contextWidth/2)
		end = min(len(runes), start+contextWidth)
		start = max(0, end-contextWidth)
		if start > 0 {
			prefix = "…"
		}
		if end < len(runes) {
			suffix = "…"
		}
	}
	var b strings.Builder
	if prefix != "" {
		b.WriteByte(' ')
	}
	for _, r := range runes[start:min(at, end)] {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteString(strings.Repeat(" ", cellWidth(r)))
		}
	}
	return prefix + string(runes[start:end]) + suffix, b.String()
}

func utf16Units(r rune) int {
	if r >= 0x10000 && r <= utf8.MaxRune {
		return 2
	}
	return 1
}

// cellWidth is how many terminal cells r takes: 0 for combining marks and joiners, 2 for wide
// East Asian characters and emoji, else 1. Close enough to put the caret under the right
// character in the lines real sources have.
func cellWidth(r rune) int {
	switch {
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == 0x200D || r == 0xFE0F:
		return 0
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
		r >= 0xF900 && r <= 0xFAFF, r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x1F300 && r <= 0x1FAFF, r >= 0x20000 && r <= 0x3FFFD:
		return 2
	}
	return 1
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
	frames := 0
	for _, l := range lines {
		if l.Frame != nil {
			frames++
		}
	}
	if frames == 0 {
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
		if err := writeTraceJSON(opts.IO.Out, out); err != nil {
			return err
		}
	} else {
		var b strings.Builder
		for _, l := range out {
			b.WriteString(l.Text)
			b.WriteString(l.EOL)
		}
		if _, err := io.WriteString(opts.IO.Out, b.String()); err != nil {
			return fmt.Errorf("writing the trace: %w", err)
		}
	}
	resolved, unresolved := 0, 0
	for _, l := range out {
		switch {
		case l.Frame == nil || l.Frame.Skipped:
		case l.Frame.Resolved():
			resolved++
		default:
			unresolved++
		}
	}
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
		f, err := os.Open(opts.StackTrace)
		if err != nil {
			return "", usageErrorf("cannot read the stack trace: %v", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxTraceSize+1))
	if err != nil {
		return "", usageErrorf("cannot read the stack trace from %s: %v", traceName(opts.StackTrace), err)
	}
	if len(data) > maxTraceSize {
		return "", usageErrorf("the stack trace in %s is over %d MiB; that is not a stack trace", traceName(opts.StackTrace), maxTraceSize>>20)
	}
	return string(data), nil
}

// traceFrameJSON is one frame of `resolve --stacktrace --format json`.
type traceFrameJSON struct {
	Text string `json:"text"`
	// Rewritten is the line as printed in human output.
	Rewritten string  `json:"rewritten"`
	Function  *string `json:"function"`
	URL       *string `json:"url"`
	Line      *int    `json:"line"`
	Column    *int    `json:"column"`
	// File is the local generated file matched, Map its map.
	File     *string         `json:"file"`
	Map      *string         `json:"map"`
	Resolved *resolutionJSON `json:"resolved"`
	// OriginalFunction is the function's original name when known.
	OriginalFunction *string `json:"originalFunction"`
	Status           string  `json:"status"` // resolved, unresolved or skipped
	Reason           *string `json:"reason"`
}

func writeTraceJSON(w io.Writer, lines []sourcemaps.ResolvedLine) error {
	out := []traceFrameJSON{}
	for _, l := range lines {
		rf := l.Frame
		if rf == nil {
			continue
		}
		f := rf.Frame
		j := traceFrameJSON{Text: l.TraceLine.Text, Rewritten: l.Text}
		if f.Function != "" {
			j.Function = &f.Function
		}
		if f.URL != "" {
			j.URL = &f.URL
		}
		if f.Line > 0 {
			j.Line = &f.Line
		}
		if f.Column > 0 {
			j.Column = &f.Column
		}
		if rf.File != "" {
			j.File = &rf.File
		}
		if rf.MapPath != "" {
			j.Map = &rf.MapPath
		}
		if rf.Function != "" {
			j.OriginalFunction = &rf.Function
		}
		switch {
		case rf.Skipped:
			j.Status = "skipped"
		case rf.Resolved():
			j.Status = "resolved"
			res := newResolutionJSON(rf.Resolution)
			j.Resolved = &res
		default:
			j.Status = "unresolved"
			reason := rf.Err.Error()
			j.Reason = &reason
		}
		out = append(out, j)
	}
	return writeJSON(w, out)
}
