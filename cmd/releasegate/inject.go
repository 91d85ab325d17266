package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/sourcemaps"
)

// InjectOptions are the inputs of `releasegate sourcemaps inject`.
type InjectOptions struct {
	IO       *IOStreams
	Paths    []string
	Discover discoverFlags
	DryRun   bool
	// NoValidate skips the validation run first, leaving only inject's own checks.
	NoValidate bool
	Format     string
	LegacyKey  bool
	// now is the clock for the elapsed time in the summary (tests fix it).
	now func() time.Time
	// ctx stops the writing on SIGINT/SIGTERM (nil: never).
	ctx context.Context
}

func newInjectCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &InjectOptions{IO: ios, now: time.Now}
	cmd := &cobra.Command{
		Use:   "inject PATH...",
		Short: "Add Sentry debug IDs to generated files and their maps, as sentry-cli does",
		Long: `Add a Sentry debug ID to every generated JavaScript file under PATH and to its source
map, byte for byte as ` + "`sentry-cli sourcemaps inject`" + ` 3.8.0 does: the same IDs, the same
snippet in the same place, the same "//# debugId=" comment, and maps whose mappings are
shifted the same way. Unlike sentry-cli, maps keep every field (x_google_ignoreList and
other x_* keys, unknown keys, formatting); docs/inject.md lists every difference.

The build is first checked exactly as ` + "`releasegate sourcemaps validate`" + ` checks it: any
error that validate reports (exit 1) stops the run with nothing written. --no-validate
skips that check (as sentry-cli does not check); inject's own checks still apply: a map
that cannot be parsed, a map shared by several files or a file that cannot be read stops
the run with nothing written. Files are then written atomically: all new files go to
temporary files first and are renamed into place only when every one was written.

Files that already carry a "//# debugId=" comment are skipped, so running inject twice
changes nothing.

Formats: human (default) or json (see docs/inject.md for the contract).
Exit status: 0 done (or nothing to do), 1 errors prevented injecting (nothing was
written), 2 usage error. A PATH holding no generated file is an error unless
--allow-empty is given.`,
		Example: `  releasegate sourcemaps inject dist/
  releasegate sourcemaps inject --dry-run build/static/js
  releasegate sourcemaps inject --format json --legacy-debug-id-key dist/`,
		Args: minArgs(1, "PATH (the build output to inject)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			ctx, cancel := commandContext(cmd)
			defer cancel()
			opts.ctx = ctx
			return injectRun(opts)
		},
	}
	opts.Discover.register(factory, cmd)
	cmd.Flags().BoolVarP(&opts.DryRun, "dry-run", "n", false, "show what would change; write nothing")
	cmd.Flags().BoolVar(&opts.NoValidate, "no-validate", false, "inject even when validate would report errors (inject's own checks still apply)")
	cmd.Flags().StringVar(&opts.Format, "format", "human", "output format: human or json")
	cmd.Flags().BoolVar(&opts.LegacyKey, "legacy-debug-id-key", false, `also write the map's ID under "debug_id", the key sentry-cli 2.x wrote (for older self-hosted Sentry and tools; see docs/inject.md)`)
	return cmd
}

// injectReport is what inject renders: the plan, the findings and whether files were written.
// Its JSON form is the documented contract of --format json.
type injectReport struct {
	Injected []sourcemaps.InjectedFile `json:"injected"`
	Skipped  []sourcemaps.SkippedFile  `json:"skipped"`
	Findings []sourcemaps.Finding      `json:"findings"`
	Errors   int                       `json:"errors"`
	Warnings int                       `json:"warnings"`
	DryRun   bool                      `json:"dryRun"`
	Written  bool                      `json:"written"`
	// Recovered lists the files whose replacement an interrupted earlier run had begun, and
	// this run finished before planning (absent when there were none).
	Recovered []string `json:"recovered,omitempty"`
	// Elapsed is the wall time, shown by the human format only.
	Elapsed time.Duration `json:"-"`
}

func injectRun(opts *InjectOptions) error {
	render, err := injectRenderer(opts.Format)
	if err != nil {
		return err
	}
	dopts, err := opts.Discover.options()
	if err != nil {
		return err
	}
	// Pairs are read when planned and again when written, never all held at once, so memory
	// stays at a few pairs whatever the size of the build (about 20 MiB where holding a 69 MB
	// build took 151 MiB; docs/benchmarks.md), for a fraction more time.
	dopts.Lazy = true
	start := opts.now()
	d := sourcemaps.Discover(opts.Paths, dopts)
	var rec *sourcemaps.Recovery
	if !opts.DryRun {
		// An interrupted earlier run is finished first: a pair it left half-replaced would
		// otherwise look injected and be skipped.
		if rec, err = sourcemaps.RecoverInject(d); err != nil {
			return errkind.Wrap(errkind.Verdict, err)
		}
		if rec.Changed() {
			d = sourcemaps.Discover(opts.Paths, dopts)
		}
	}
	r, plan, apply := planInjectRun(d, opts)
	if rec != nil {
		r.Recovered = rec.Completed
		r.Findings = append(r.Findings, rec.Findings...)
		if rec.Changed() || rec.StaleTemps > 0 {
			fmt.Fprintf(opts.IO.ErrOut, "releasegate: an earlier inject was interrupted: finished replacing %s, removed %s\n",
				plural(len(rec.Completed), "file"), plural(rec.StaleTemps, "temporary file"))
		}
	}
	if apply && !opts.DryRun {
		if err := sourcemaps.ApplyInjectContext(cmp.Or(opts.ctx, context.Background()), plan); err != nil {
			if ie := (*sourcemaps.InterruptedError)(nil); errors.As(err, &ie) {
				r.Written = false
				fmt.Fprintf(opts.IO.ErrOut, "releasegate: %v\n", err)
				return &exitError{code: exitUndecided, err: nil}
			}
			f := sourcemaps.Finding{Code: sourcemaps.CodeWriteFailed, Severity: sourcemaps.SeverityError, Message: err.Error()}
			var ae *sourcemaps.ApplyError
			if errors.As(err, &ae) {
				f.Path = ae.Path
				r.Written = ae.Replaced > 0
			}
			r.Findings = append(r.Findings, f)
			sourcemaps.SortFindings(r.Findings)
		} else {
			r.Written = true
		}
	}
	for _, f := range r.Findings {
		if f.Severity == sourcemaps.SeverityError {
			r.Errors++
		} else {
			r.Warnings++
		}
	}
	r.Elapsed = opts.now().Sub(start)
	if r.Injected == nil {
		r.Injected = []sourcemaps.InjectedFile{}
	}
	if r.Skipped == nil {
		r.Skipped = []sourcemaps.SkippedFile{}
	}
	if r.Findings == nil {
		r.Findings = []sourcemaps.Finding{}
	}
	if err := render(opts.IO, r); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	if r.Errors > 0 {
		return verdictNo()
	}
	return nil
}

// planInjectRun validates the build as validate does (unless --no-validate) and plans the
// injection. The report holds the plan and the findings of both steps; apply says whether the
// plan may be written: not when validation found the build Broken, nor when the plan is
// Blocked. The plan is still made for a broken build, to show what inject would do.
func planInjectRun(d *sourcemaps.Discovery, opts *InjectOptions) (r *injectReport, plan *sourcemaps.InjectPlan, apply bool) {
	r = &injectReport{DryRun: opts.DryRun}
	var checked []sourcemaps.Finding
	broken := false
	if !opts.NoValidate {
		v := opts.Discover.validate(d)
		checked, broken = v.Findings, v.Broken()
	}
	plan, findings := sourcemaps.PlanInject(d, sourcemaps.InjectOptions{
		Limits:           opts.Discover.limits(),
		LegacyDebugIDKey: opts.LegacyKey,
	})
	r.Injected, r.Skipped = plan.Injected, plan.Skipped
	r.Findings = mergeFindings(checked, findings)
	return r, plan, !broken && !plan.Blocked()
}

// mergeFindings joins validation's findings with inject's, dropping inject's repeats of what
// validation already reported (discovery's findings, a map that does not parse).
func mergeFindings(checked, planned []sourcemaps.Finding) []sourcemaps.Finding {
	type key struct {
		code, path   string
		line, column int
	}
	seen := make(map[key]bool, len(checked))
	out := append([]sourcemaps.Finding{}, checked...)
	for _, f := range checked {
		seen[key{f.Code, f.Path, f.Line, f.Column}] = true
	}
	for _, f := range planned {
		if !seen[key{f.Code, f.Path, f.Line, f.Column}] {
			out = append(out, f)
		}
	}
	sourcemaps.SortFindings(out)
	return out
}

type injectRenderFunc func(ios *IOStreams, r *injectReport) error

func injectRenderer(format string) (injectRenderFunc, error) {
	switch format {
	case "human", "":
		return renderInjectHuman, nil
	case "json":
		return func(ios *IOStreams, r *injectReport) error { return writeJSON(ios.Out, r) }, nil
	}
	return nil, usageErrorf("unknown --format %q: use human or json", format)
}

// renderInjectHuman prints one line per generated file, the findings, then a summary.
func renderInjectHuman(ios *IOStreams, r *injectReport) error {
	w := ios.Out
	pal := newPalette(ios, ios.OutTTY)
	verb := "injected"
	if r.DryRun || !r.Written {
		verb = "would inject"
	}
	for _, f := range r.Injected {
		detail := "no map: snippet at the end, ID from the file"
		switch {
		case f.MapKind == sourcemaps.MapInline:
			detail = "inline map"
		case f.Map != "":
			detail = "map " + f.Map
		}
		if f.IDFrom == sourcemaps.IDFromMap {
			detail += ", kept the map's ID"
		}
		fmt.Fprintf(w, "%-12s %s  %s  %s\n", verb, pal.Dim(f.DebugID), f.Path, pal.Dim("("+detail+")"))
	}
	for _, s := range r.Skipped {
		id := s.DebugID
		if id == "" {
			id = strings.Repeat(" ", 36)
		}
		fmt.Fprintf(w, "%-12s %s  %s  %s\n", "skipped", pal.Dim(id), s.Path, pal.Dim("("+s.Reason+")"))
	}
	if len(r.Injected)+len(r.Skipped) > 0 && len(r.Findings) > 0 {
		fmt.Fprintln(w)
	}
	if err := writeFindingsGrouped(w, pal, r.Findings); err != nil {
		return err
	}
	return writeInjectSummary(w, pal, r)
}

func writeInjectSummary(w io.Writer, pal palette, r *injectReport) error {
	withMap := 0
	for _, f := range r.Injected {
		if f.MapKind != sourcemaps.MapNone {
			withMap++
		}
	}
	counts := fmt.Sprintf("%s (%d with a map), %d skipped, %s", plural(len(r.Injected), "file"), withMap, len(r.Skipped), plural(r.Warnings, "warning"))
	took := r.Elapsed.Round(time.Millisecond)
	if took == 0 {
		took = r.Elapsed.Round(time.Microsecond)
	}
	var err error
	switch {
	case r.Errors == 0 && len(r.Injected) == 0:
		_, err = fmt.Fprintf(w, "%s: nothing to inject (%d skipped, %s), in %v\n", pal.Wrap("1;32", "ok"), len(r.Skipped), plural(r.Warnings, "warning"), took)
	case r.Errors > 0 && r.Written:
		_, err = fmt.Fprintf(w, "%s: %s, %s; some files were already replaced (see above), in %v\n", pal.Wrap("1;31", "FAILED"), plural(r.Errors, "error"), plural(r.Warnings, "warning"), took)
	case r.Errors > 0:
		_, err = fmt.Fprintf(w, "%s: %s, %s; nothing was written, in %v\n", pal.Wrap("1;31", "FAILED"), plural(r.Errors, "error"), plural(r.Warnings, "warning"), took)
	case r.DryRun:
		_, err = fmt.Fprintf(w, "%s: would inject %s; nothing was written, in %v\n", pal.Wrap("1;33", "dry run"), counts, took)
	default:
		_, err = fmt.Fprintf(w, "%s: injected %s, in %v\n", pal.Wrap("1;32", "ok"), counts, took)
	}
	return err
}
