package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/sentryconf"
	"github.com/releasegate/releasegate/internal/upload"
	"github.com/releasegate/releasegate/sourcemaps"
)

// sentryFlags are the connection flags shared by commands that talk to Sentry.
type sentryFlags struct {
	URL, Org, Token string
	Projects        []string
	// AllowInsecure allows a plain http:// Sentry URL on another machine.
	AllowInsecure bool
	// factory is the command's environment, set by register (nil in options built by hand:
	// the process's own environment is used).
	factory *Factory
}

// env is the factory the flags were registered with, or the process's own.
func (f *sentryFlags) env(ios *IOStreams) *Factory {
	if f.factory != nil {
		return f.factory
	}
	return newFactory(ios)
}

// connection resolves the Sentry connection of the command (see Factory.SentryConnection).
func (f *sentryFlags) connection(ios *IOStreams, extra sentryconf.Connection) (sentryconf.Connection, error) {
	return f.env(ios).SentryConnection(*f, extra)
}

func (f *sentryFlags) register(factory *Factory, cmd *cobra.Command, projects bool) {
	f.factory = factory
	cmd.Flags().StringVar(&f.URL, "url", "", "Sentry server URL (default from SENTRY_URL, sentry.properties, .sentryclirc, else https://sentry.io/)")
	cmd.Flags().StringVarP(&f.Org, "org", "o", "", "organization slug (default from SENTRY_ORG, sentry.properties, .sentryclirc or an org auth token)")
	cmd.Flags().StringVar(&f.Token, "auth-token", "", "auth token (prefer SENTRY_AUTH_TOKEN: flags show in process lists)")
	f.registerAllowInsecure(cmd)
	if projects {
		cmd.Flags().StringArrayVarP(&f.Projects, "project", "p", nil, "project slug, repeatable (default from SENTRY_PROJECT, sentry.properties or .sentryclirc)")
	}
}

func (f *sentryFlags) registerAllowInsecure(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.AllowInsecure, "allow-insecure", false, "allow a plain http:// Sentry URL on another machine (the token then crosses the network unencrypted; loopback needs no flag)")
}

// countingTransport counts the requests an HTTP client makes and the request bytes it sends.
type countingTransport struct {
	next     http.RoundTripper
	requests atomic.Int64
	bytes    atomic.Int64
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.requests.Add(1)
	if r.ContentLength > 0 {
		t.bytes.Add(r.ContentLength)
	}
	return t.next.RoundTrip(r)
}

// UploadOptions are the inputs of `releasegate sourcemaps upload`.
type UploadOptions struct {
	IO          *IOStreams
	Paths       []string
	Sentry      sentryFlags
	Discover    discoverFlags
	Release     string
	Dist        string
	URLPrefix   string
	StripPrefix []string
	// StripCommonPrefix also strips the prefix every source name of the build shares.
	StripCommonPrefix bool
	NoValidate        bool
	NoInject          bool
	Wait              bool
	WaitTimeout       time.Duration
	Format            string
	now               func() time.Time
}

func newUploadCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &UploadOptions{IO: ios, now: time.Now}
	cmd := &cobra.Command{
		Use:   "upload PATH...",
		Short: "Validate, inject and upload source maps to Sentry",
		Long: `Upload a build's generated files and source maps to Sentry as one artifact bundle,
the way sentry-cli does, but checked first:

  discover → validate (errors stop the upload; --no-validate skips) → inject debug IDs
  where missing (files are rewritten in place, atomically) → artifact bundle → chunks →
  ask Sentry which chunks it lacks → upload only those, several at once → assemble.

The command reports success only when Sentry says the bundle is assembled ("ok").
A closing line gives the time of each phase and the bytes sent; --format json prints
one object (see docs/upload.md).

Connection settings come from flags, then SENTRY_URL, SENTRY_ORG, SENTRY_PROJECT,
SENTRY_AUTH_TOKEN, SENTRY_RELEASE, SENTRY_DIST, then sentry.properties (nearest up the
tree) and .sentryclirc (project, then home), as sentry-cli reads them.

The build is validated exactly as ` + "`releasegate sourcemaps validate`" + ` validates it: whatever
makes validate exit 1 stops the upload before any request is sent. A PATH holding no
generated file is such an error unless --allow-empty is given (then nothing is sent and
the command succeeds).

Exit status: 0 uploaded and assembled (or nothing to upload with --allow-empty); 1
validation or inject found errors (nothing was written or uploaded); 2 usage or
configuration error; 3 Sentry could not be reached or did not accept the bundle.`,
		Example: `  SENTRY_AUTH_TOKEN=... releasegate sourcemaps upload --org acme --project web --release web@1.4.2 dist/
  releasegate sourcemaps upload --url-prefix '~/static/js' build/static/js`,
		Args: minArgs(1, "PATH (the build output to upload)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			ctx, cancel := commandContext(cmd)
			defer cancel()
			return uploadRun(ctx, opts)
		},
	}
	opts.Sentry.register(factory, cmd, true)
	opts.Discover.register(factory, cmd)
	registerTimeout(cmd, timeoutUpload, "")
	cmd.Flags().StringVarP(&opts.Release, "release", "r", "", "release the files belong to (default SENTRY_RELEASE; optional with debug IDs)")
	cmd.Flags().StringVarP(&opts.Dist, "dist", "d", "", "distribution within the release (needs --release)")
	cmd.Flags().StringVarP(&opts.URLPrefix, "url-prefix", "u", "~", "URL prefix of the files, e.g. '~/static/js' or 'app:///'")
	cmd.Flags().StringArrayVar(&opts.StripPrefix, "strip-prefix", nil, "remove this prefix from the maps' source paths in what is sent, repeatable (e.g. ../../ or webpack://app/)")
	cmd.Flags().BoolVar(&opts.StripCommonPrefix, "strip-common-prefix", false, "also remove the prefix that every source path of the maps shares (e.g. ../../src/), as sentry-cli does")
	cmd.Flags().BoolVar(&opts.NoValidate, "no-validate", false, "upload without validating first")
	cmd.Flags().BoolVar(&opts.NoInject, "no-inject", false, "do not inject debug IDs into files that lack them")
	cmd.Flags().BoolVar(&opts.Wait, "wait", true, "wait until Sentry has assembled the bundle (success is only reported then)")
	cmd.Flags().DurationVar(&opts.WaitTimeout, "wait-timeout", 5*time.Minute, "how long to wait for Sentry to assemble the bundle")
	cmd.Flags().StringVar(&opts.Format, "format", "human", "output format: human or json")
	return cmd
}

// uploadReport is the JSON contract of `upload --format json`.
type uploadReport struct {
	Release  string           `json:"release"`
	Dist     string           `json:"dist"`
	Projects []string         `json:"projects"`
	Bundles  []upload.Bundle  `json:"bundles"`
	Chunks   upload.Chunks    `json:"chunks"`
	Requests int64            `json:"requests"`
	Phases   map[string]int64 `json:"phases"`
	// Injected counts the files debug IDs were injected into by this run; DebugIDs the distinct
	// debug IDs the uploaded files carry.
	Injected int `json:"injected"`
	DebugIDs int `json:"debugIds"`
}

func uploadRun(ctx context.Context, opts *UploadOptions) error {
	if opts.Format != "human" && opts.Format != "json" {
		return usageErrorf("unknown --format %q: use human or json", opts.Format)
	}
	if !opts.Wait {
		return usageErrorf("--wait=false is not supported: releasegate reports success only once Sentry has assembled the bundle")
	}
	dopts, err := opts.Discover.options()
	if err != nil {
		return err
	}
	// Files are read pair by pair as each step needs them, so memory holds a few pairs and the
	// bundle's window, never the whole build.
	dopts.Lazy = true
	conn, err := opts.Sentry.connection(opts.IO, sentryconf.Connection{Release: opts.Release, Dist: opts.Dist})
	if err != nil {
		return err
	}
	if err := conn.Require(true, true, true); err != nil {
		return usageErrorf("%v", err)
	}
	if conn.Dist != "" && conn.Release == "" {
		return usageErrorf("--dist needs --release: Sentry matches a dist only within a release")
	}
	client, counter, err := opts.Sentry.env(opts.IO).SentryClient(conn)
	if err != nil {
		return err
	}
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()

	phases := map[string]time.Duration{}
	timed := func(name string, f func()) {
		start := opts.now()
		f()
		phases[name] += opts.now().Sub(start)
	}
	var d *sourcemaps.Discovery
	timed("discover", func() { d = sourcemaps.Discover(opts.Paths, dopts) })
	limits := opts.Discover.limits()
	if !opts.NoValidate {
		// The validation of `validate` itself: whatever makes it exit 1 stops the upload.
		var r *sourcemaps.Report
		timed("validate", func() { r = opts.Discover.validate(d) })
		if r.Broken() {
			if err := writeFindingsGrouped(opts.IO.ErrOut, newPalette(opts.IO, opts.IO.ErrTTY), r.Findings); err != nil {
				return errkind.Wrap(errkind.Verdict, err) // the verdict stands; it could not be listed
			}
			fmt.Fprintf(opts.IO.ErrOut, "releasegate: %s in the build; nothing was uploaded (fix them, or --no-validate to upload anyway)\n", plural(r.Errors, "error"))
			return verdictNo()
		}
	} else {
		// Without validation, what discovery could not read or pair still stops the upload:
		// a bundle without those files would be reported as a success.
		var errs []sourcemaps.Finding
		for _, f := range d.Findings {
			if f.Severity == sourcemaps.SeverityError {
				errs = append(errs, f)
			}
		}
		if len(errs) > 0 {
			if err := writeFindingsGrouped(opts.IO.ErrOut, newPalette(opts.IO, opts.IO.ErrTTY), errs); err != nil {
				return errkind.Wrap(errkind.Verdict, err) // the verdict stands; it could not be listed
			}
			fmt.Fprintf(opts.IO.ErrOut, "releasegate: %s in the build that --no-validate does not skip; nothing was uploaded\n", plural(len(errs), "error"))
			return verdictNo()
		}
	}
	var plan *sourcemaps.InjectPlan
	if !opts.NoInject {
		var findings []sourcemaps.Finding
		var applyErr error
		timed("inject", func() {
			// An interrupted earlier inject is finished first, as `sourcemaps inject` does.
			rec, err := sourcemaps.RecoverInject(d)
			if err != nil {
				applyErr = err
				plan = &sourcemaps.InjectPlan{}
				return
			}
			if rec.Changed() {
				fmt.Fprintf(opts.IO.ErrOut, "releasegate: an earlier inject was interrupted: finished replacing %s\n", plural(len(rec.Completed), "file"))
				d = sourcemaps.Discover(opts.Paths, dopts)
			}
			plan, findings = sourcemaps.PlanInject(d, sourcemaps.InjectOptions{Limits: limits})
			if !plan.Blocked() && len(plan.Injected) > 0 {
				applyErr = sourcemaps.ApplyInjectContext(ctx, plan)
			}
		})
		if plan.Blocked() {
			if err := writeFindingsGrouped(opts.IO.ErrOut, newPalette(opts.IO, opts.IO.ErrTTY), findings); err != nil {
				return errkind.Wrap(errkind.Verdict, err) // the verdict stands; it could not be listed
			}
			fmt.Fprintf(opts.IO.ErrOut, "releasegate: debug IDs cannot be injected (%s); nothing was written or uploaded\n", plural(plan.Errors, "error"))
			return verdictNo()
		}
		if ie := (*sourcemaps.InterruptedError)(nil); errors.As(applyErr, &ie) {
			return fmt.Errorf("%w; nothing was uploaded", applyErr) // undecided, exit 3
		}
		if applyErr != nil {
			return errkind.Wrap(errkind.Verdict, fmt.Errorf("injecting debug IDs: %w", applyErr))
		}
	}
	strip := opts.StripPrefix
	if opts.StripCommonPrefix {
		prefix, err := d.CommonSourcePrefix()
		if err != nil {
			return &exitError{code: exitNo, err: fmt.Errorf("--strip-common-prefix: %w; nothing was uploaded", err)}
		}
		if prefix != "" {
			strip = append(slices.Clone(strip), prefix)
		}
	}
	files, err := sourcemaps.BundleFiles(d, opts.Paths, sourcemaps.BundleFilesOptions{URLPrefix: opts.URLPrefix, StripPrefixes: strip})
	if err != nil {
		return errkind.Wrap(errkind.Verdict, fmt.Errorf("%w; nothing was uploaded", err))
	}
	if len(files) == 0 {
		// Only --allow-empty gets here: without it, discovery's no-generated-files error has
		// stopped the run above. Nothing is sent, not even a request.
		return renderNothingUploaded(opts, conn)
	}
	injected := 0
	if plan != nil {
		injected = len(plan.Injected)
	}
	bar := newProgressBar(opts.IO)
	res, err := upload.Upload(ctx, client, files, upload.Options{
		Org: conn.Org, Projects: conn.Projects, Release: conn.Release, Dist: conn.Dist,
		WaitTimeout: opts.WaitTimeout, Progress: bar.update, Now: opts.now,
	})
	bar.done()
	if errors.Is(err, upload.ErrNeedsRelease) {
		if injected > 0 {
			err = fmt.Errorf("%w (debug IDs were injected into %s; running the upload again reuses them)", err, plural(injected, "file"))
		}
		return usageErrorf("%v", err)
	}
	if err != nil {
		if injected > 0 {
			// The build on disk has changed; say so, since the next run will find it injected.
			err = fmt.Errorf("%w (debug IDs were injected into %s before the upload; running the upload again reuses them)", err, plural(injected, "file"))
		}
		return sentryError("upload failed", err)
	}
	for k, v := range res.Phases {
		phases[k] += v
	}
	report := uploadReport{
		Release: conn.Release, Dist: conn.Dist, Projects: conn.Projects, Bundles: res.Bundles, Chunks: res.Chunks,
		Requests: counter.requests.Load(), Phases: map[string]int64{}, Injected: injected, DebugIDs: sourcemaps.DistinctDebugIDs(files),
	}
	for k, v := range phases {
		report.Phases[k] = v.Milliseconds()
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(report)
	}
	return renderUploadHuman(opts.IO, report, injected, res.Legacy)
}

// renderNothingUploaded reports an empty build that --allow-empty lets pass.
func renderNothingUploaded(opts *UploadOptions, conn sentryconf.Connection) error {
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(uploadReport{Release: conn.Release, Dist: conn.Dist, Projects: conn.Projects,
			Bundles: []upload.Bundle{}, Phases: map[string]int64{}})
	}
	_, err := fmt.Fprintf(opts.IO.Out, "ok: nothing to upload: no generated files or maps under %s (--allow-empty)\n", strings.Join(opts.Paths, ", "))
	return err
}

var uploadPhaseOrder = []string{"discover", "validate", "inject", "bundle", "hash", "upload", "assemble"}

func renderUploadHuman(ios *IOStreams, r uploadReport, injected int, legacy bool) error {
	w := ios.Out
	if injected > 0 {
		fmt.Fprintf(w, "injected debug IDs into %s\n", plural(injected, "file"))
	}
	files := 0
	var size int64
	for _, b := range r.Bundles {
		files += b.Files
		size += b.Bytes
	}
	target := strings.Join(r.Projects, ", ")
	if r.Release != "" {
		target += " release " + r.Release
		if r.Dist != "" {
			target += " dist " + r.Dist
		}
	}
	kind := "artifact bundle"
	if legacy {
		kind = "release bundle (this server has no artifact bundles)"
	}
	fmt.Fprintf(w, "uploaded %s in a %s of %s to %s\n", plural(files, "file"), kind, humanBytes(size), target)
	if r.Chunks.Uploaded == 0 {
		fmt.Fprintf(w, "Sentry already had all %s; nothing was sent again\n", plural(r.Chunks.Total, "chunk"))
	}
	var parts []string
	seen := map[string]bool{}
	for _, p := range uploadPhaseOrder {
		if ms, ok := r.Phases[p]; ok {
			parts = append(parts, fmt.Sprintf("%s %s", p, fmtMillis(ms)))
			seen[p] = true
		}
	}
	var rest []string
	for p := range r.Phases {
		if !seen[p] {
			rest = append(rest, p)
		}
	}
	sort.Strings(rest)
	for _, p := range rest {
		parts = append(parts, fmt.Sprintf("%s %s", p, fmtMillis(r.Phases[p])))
	}
	_, err := fmt.Fprintf(w, "ok: %d/%s sent (%s) in %s · %s\n", r.Chunks.Uploaded, plural(r.Chunks.Total, "chunk"),
		humanBytes(r.Chunks.BytesSent), plural(int(r.Requests), "request"), strings.Join(parts, " · "))
	return err
}

// progressBar draws upload progress on a terminal's stderr, and nothing elsewhere.
type progressBar struct {
	ios  *IOStreams
	mu   sync.Mutex
	last time.Time
	drew bool
}

func newProgressBar(ios *IOStreams) *progressBar { return &progressBar{ios: ios} }

func (b *progressBar) update(p upload.Progress) {
	if !b.ios.ErrTTY {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if time.Since(b.last) < 100*time.Millisecond && p.Done < p.Total {
		return
	}
	b.last = time.Now()
	line := p.Phase + "…"
	if p.Phase == upload.PhaseUpload && p.Total > 0 {
		const width = 30
		filled := int(int64(width) * p.Done / p.Total)
		line = fmt.Sprintf("uploading [%s%s] %s / %s", strings.Repeat("█", filled), strings.Repeat("·", width-filled), humanBytes(p.Done), humanBytes(p.Total))
	} else if p.Phase == upload.PhaseAssemble {
		line = "waiting for Sentry to assemble the bundle…"
	}
	fmt.Fprintf(b.ios.ErrOut, "\r\x1b[K%s", line)
	b.drew = true
}

func (b *progressBar) done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drew {
		fmt.Fprint(b.ios.ErrOut, "\r\x1b[K")
	}
}
