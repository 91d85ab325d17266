package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryconf"
)

func newReleaseCmd(factory *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "release",
		Short: "Create Sentry releases, attach commits, record deploys and finalize",
		Long: `Manage a Sentry release the way getsentry/action-release does with sentry-cli:

  releasegate release new web@1.4.2 -p web -p api
  releasegate release set-commits web@1.4.2 --auto
  releasegate sourcemaps upload --release web@1.4.2 dist/
  releasegate release deploy web@1.4.2 --env production
  releasegate release finalize web@1.4.2
  releasegate release info web@1.4.2

The release name is the first argument, else SENTRY_RELEASE. The connection comes from
--sentry-url, --org, --auth-token and --project, then SENTRY_URL, SENTRY_ORG,
SENTRY_AUTH_TOKEN and SENTRY_PROJECT, then sentry.properties and .sentryclirc, as for
sentry-cli. (--url is the release's or the deploy's own URL, as in sentry-cli.)

Exit status: 0 done; 2 usage or configuration error (including a local git problem);
3 Sentry could not be reached or refused the request.`,
		Args:                       unknownSubcommand,
		RunE:                       func(c *cobra.Command, _ []string) error { return c.Help() },
		SuggestionsMinimumDistance: 2,
	}
	cmd.AddCommand(newReleaseNewCmd(factory))
	cmd.AddCommand(newReleaseSetCommitsCmd(factory))
	cmd.AddCommand(newReleaseFinalizeCmd(factory))
	cmd.AddCommand(newReleaseDeployCmd(factory))
	cmd.AddCommand(newReleaseInfoCmd(factory))
	return cmd
}

// registerRelease registers the connection flags of the release commands: those of
// sentryFlags, except that the server URL is --sentry-url, since --url is the release's (or
// the deploy's) URL there, as in sentry-cli.
func (f *sentryFlags) registerRelease(factory *Factory, cmd *cobra.Command, projects bool) {
	f.factory = factory
	cmd.Flags().StringVar(&f.URL, "sentry-url", "", "Sentry server URL (default from SENTRY_URL, sentry.properties, .sentryclirc, else https://sentry.io/)")
	cmd.Flags().StringVarP(&f.Org, "org", "o", "", "organization slug (default from SENTRY_ORG, sentry.properties, .sentryclirc or an org auth token)")
	cmd.Flags().StringVar(&f.Token, "auth-token", "", "auth token (prefer SENTRY_AUTH_TOKEN: flags show in process lists)")
	f.registerAllowInsecure(cmd)
	registerTimeout(cmd, timeoutRelease, "")
	if projects {
		cmd.Flags().StringArrayVarP(&f.Projects, "project", "p", nil, "project slug, repeatable (default from SENTRY_PROJECT, sentry.properties or .sentryclirc)")
	}
}

// releaseRun is what every release command shares: streams, connection flags, the clock.
type releaseRun struct {
	IO     *IOStreams
	Sentry sentryFlags
	now    func() time.Time
}

// connect resolves the connection and the release name (args[0], else SENTRY_RELEASE) and
// builds the Sentry client.
func (r *releaseRun) connect(args []string, needProjects bool, extra sentryconf.Connection) (sentryconf.Connection, *sentryapi.Client, error) {
	if len(args) > 0 {
		extra.Release = args[0]
		if args[0] == "" {
			return sentryconf.Connection{}, nil, usageErrorf("the release name given is empty")
		}
	}
	conn, err := r.Sentry.connection(r.IO, extra)
	if err != nil {
		return conn, nil, err
	}
	if conn.Release == "" {
		if env := r.Sentry.env(r.IO).Getenv("SENTRY_RELEASE"); env != "" {
			// sentryconf ignores an invalid SENTRY_RELEASE, as sentry-cli does; say why here.
			msg := fmt.Sprintf("SENTRY_RELEASE %q is not a valid release name (%v)", env, sentryconf.CheckRelease(env))
			if strings.HasPrefix(env, "refs/") {
				msg += "; for a tag on GitHub Actions use ${{ github.ref_name }}, not github.ref"
			}
			return conn, nil, usageErrorf("%s", msg)
		}
		return conn, nil, usageErrorf("missing the release name: give it as the first argument or set SENTRY_RELEASE")
	}
	if err := conn.Require(true, true, needProjects); err != nil {
		return conn, nil, usageErrorf("%v", err)
	}
	client, _, err := r.Sentry.env(r.IO).SentryClient(conn)
	if err != nil {
		return conn, nil, err
	}
	return conn, client, nil
}

// sentryFailed reports a Sentry call that failed: exit 2 when Sentry refused the configuration
// (401, 403, 404 of the organization, project or release, or a 400 that hint400 explains), else
// exit 3 (see sentryError). The
// client's error already says what to check for 401 (the token), 403 (its scopes) and 404 (the
// slugs, the release); hint400 adds what a 400 means for this call.
func sentryFailed(what string, err error, hint400 string) error {
	if ae, ok := errors.AsType[*sentryapi.APIError](err); ok && ae.Status == http.StatusBadRequest && hint400 != "" {
		// The hint says which input Sentry refused (a project it does not know, …): the
		// user's to fix, so exit 2 as for the other refusals of the configuration.
		return errkind.WithHint(errkind.Config, fmt.Errorf("%s: %w", what, err), hint400)
	}
	return sentryError(what, err)
}

// maxOneArg accepts the optional release name.
func maxOneArg(c *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usageErrorf("%s: too many arguments (%s): give one release name\nRun '%s --help' for usage.", c.CommandPath(), strings.Join(args, " "), c.CommandPath())
	}
	return nil
}

func projectSlugs(ps []sentryapi.ReleaseProject) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Slug)
	}
	return out
}

// --- release new -----------------------------------------------------------------------------

type releaseNewOptions struct {
	releaseRun
	URL      string
	Finalize bool
}

func newReleaseNewCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &releaseNewOptions{releaseRun: releaseRun{IO: ios, now: time.Now}}
	cmd := &cobra.Command{
		Use:   "new [VERSION]",
		Short: "Create a release for one or more projects (an existing release is fine)",
		Long: `Create a release in Sentry for the projects given with --project (repeatable), or the one
from SENTRY_PROJECT, sentry.properties or .sentryclirc.

If the release already exists, that is fine: Sentry adds the projects to it and the command
says so. --finalize marks it released now (see 'release finalize').`,
		Example: `  releasegate release new web@1.4.2 -p web -p api
  SENTRY_RELEASE=web@1.4.2 releasegate release new --url https://github.com/acme/web/releases/tag/v1.4.2`,
		Args: maxOneArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := commandContext(cmd)
			defer stop()
			return releaseNewRun(ctx, opts, args)
		},
	}
	opts.Sentry.registerRelease(factory, cmd, true)
	cmd.Flags().StringVar(&opts.URL, "url", "", "URL of the release (a changelog or tag page)")
	cmd.Flags().BoolVar(&opts.Finalize, "finalize", false, "also finalize the release (released now)")
	return cmd
}

func releaseNewRun(ctx context.Context, opts *releaseNewOptions, args []string) error {
	conn, client, err := opts.connect(args, true, sentryconf.Connection{})
	if err != nil {
		return err
	}
	rel, created, err := client.CreateRelease(ctx, conn.Org, sentryapi.NewRelease{
		Version: conn.Release, Projects: conn.Projects, URL: opts.URL,
	})
	if err != nil {
		return sentryFailed(fmt.Sprintf("creating release %s", conn.Release), err,
			fmt.Sprintf("check that the projects (%s) exist in organization %q", strings.Join(conn.Projects, ", "), conn.Org))
	}
	if !created && opts.URL != "" && rel.URL != opts.URL {
		// Sentry keeps an existing release's fields on create; set the URL asked for.
		if rel, err = client.UpdateRelease(ctx, conn.Org, conn.Release, sentryapi.ReleaseUpdate{URL: opts.URL}); err != nil {
			return sentryFailed(fmt.Sprintf("release %s exists, but setting its URL failed", conn.Release), err, "")
		}
	}
	projects := projectSlugs(rel.Projects)
	if len(projects) == 0 {
		projects = conn.Projects // Sentry may answer 208 without a body
	}
	var line string
	if created {
		line = fmt.Sprintf("created release %s for %s", conn.Release, plural(len(projects), "project"))
	} else {
		line = fmt.Sprintf("release %s already exists; it has %s", conn.Release, plural(len(projects), "project"))
	}
	line += " (" + strings.Join(projects, ", ") + ")"
	if opts.Finalize {
		if rel.DateReleased != nil {
			line += fmt.Sprintf("; already finalized at %s", rel.DateReleased.UTC().Format(time.RFC3339))
		} else {
			at := opts.now().UTC().Truncate(time.Second)
			if _, err := client.FinalizeRelease(ctx, conn.Org, conn.Release, at); err != nil {
				return sentryFailed(fmt.Sprintf("release %s was created, but finalizing it failed", conn.Release), err, "")
			}
			line += fmt.Sprintf("; finalized at %s", at.Format(time.RFC3339))
		}
	}
	_, err = fmt.Fprintln(opts.IO.Out, line)
	return err
}

// --- release finalize ----------------------------------------------------------------------

type releaseFinalizeOptions struct {
	releaseRun
	Released time.Time
}

func newReleaseFinalizeCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &releaseFinalizeOptions{releaseRun: releaseRun{IO: ios, now: time.Now}}
	cmd := &cobra.Command{
		Use:   "finalize [VERSION]",
		Short: "Mark a release as released (now, or at --released)",
		Long: `Finalize a release: set the date it was released, now or at --released (Unix seconds or
RFC 3339). Sentry counts a finalized release as the one that "resolved in the next release"
issues move to, and shows it as released. Finalizing again sets the date again.`,
		Example: `  releasegate release finalize web@1.4.2
  releasegate release finalize web@1.4.2 --released 2024-05-01T12:00:00Z`,
		Args: maxOneArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := commandContext(cmd)
			defer stop()
			return releaseFinalizeRun(ctx, opts, args)
		},
	}
	opts.Sentry.registerRelease(factory, cmd, false)
	cmd.Flags().Var(timeValue{&opts.Released}, "released", "when the release was released: Unix seconds or RFC 3339 (default now)")
	return cmd
}

func releaseFinalizeRun(ctx context.Context, opts *releaseFinalizeOptions, args []string) error {
	conn, client, err := opts.connect(args, false, sentryconf.Connection{})
	if err != nil {
		return err
	}
	at := opts.Released
	if at.IsZero() {
		at = opts.now().UTC().Truncate(time.Second)
	}
	rel, err := client.FinalizeRelease(ctx, conn.Org, conn.Release, at)
	if err != nil {
		return sentryFailed(fmt.Sprintf("finalizing release %s", conn.Release), err, "")
	}
	if rel.DateReleased != nil {
		at = *rel.DateReleased
	}
	_, err = fmt.Fprintf(opts.IO.Out, "finalized release %s (released %s)\n", conn.Release, at.UTC().Format(time.RFC3339))
	return err
}

// --- release deploy ------------------------------------------------------------------------

type releaseDeployOptions struct {
	releaseRun
	Env      string
	Name     string
	URL      string
	Started  time.Time
	Finished time.Time
	Projects []string
}

func newReleaseDeployCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &releaseDeployOptions{releaseRun: releaseRun{IO: ios, now: time.Now}}
	cmd := &cobra.Command{
		Use:   "deploy [VERSION] --env ENV",
		Short: "Record a deploy of a release to an environment",
		Long: `Record that a release was deployed to an environment (--env, else SENTRY_ENVIRONMENT).
Sentry shows deploys on the release, e-mails the authors of its commits, and uses the
environment to tell where an issue was first seen.

--started and --finished take Unix seconds or RFC 3339; --finished defaults to now (set by
Sentry). --project limits the deploy to some of the release's projects (default: all).`,
		Example: `  releasegate release deploy web@1.4.2 --env production
  releasegate release deploy web@1.4.2 --env staging --name "run 812" --url https://ci.example.com/runs/812 --started 1714564800`,
		Args: maxOneArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := commandContext(cmd)
			defer stop()
			return releaseDeployRun(ctx, opts, args)
		},
	}
	opts.Sentry.registerRelease(factory, cmd, false)
	f := cmd.Flags()
	f.StringVarP(&opts.Env, "env", "e", "", "environment deployed to, e.g. production (default SENTRY_ENVIRONMENT)")
	f.StringVarP(&opts.Name, "name", "n", "", "name of the deploy, e.g. the CI run")
	f.StringVarP(&opts.URL, "url", "u", "", "URL of the deploy, e.g. the CI run or the deployed site")
	f.Var(timeValue{&opts.Started}, "started", "when the deploy started: Unix seconds or RFC 3339")
	f.Var(timeValue{&opts.Finished}, "finished", "when the deploy finished: Unix seconds or RFC 3339 (default now)")
	// Not the connection's projects: a default project from sentry.properties would silently
	// narrow the deploy, which otherwise covers every project of the release.
	f.StringArrayVarP(&opts.Projects, "project", "p", nil, "limit the deploy to this project of the release (repeatable; default all)")
	return cmd
}

func releaseDeployRun(ctx context.Context, opts *releaseDeployOptions, args []string) error {
	if !opts.Started.IsZero() && !opts.Finished.IsZero() && opts.Started.After(opts.Finished) {
		return usageErrorf("--started (%s) is after --finished (%s)", opts.Started.Format(time.RFC3339), opts.Finished.Format(time.RFC3339))
	}
	// Sentry would answer 400; say so before anything is sent.
	if err := sentryapi.CheckDeployName(opts.Name); err != nil {
		return usageErrorf("--name: %v: give a shorter one", err)
	}
	conn, client, err := opts.connect(args, false, sentryconf.Connection{Environment: opts.Env})
	if err != nil {
		return err
	}
	if conn.Environment == "" {
		return usageErrorf("missing the environment: give --env (e.g. --env production) or set SENTRY_ENVIRONMENT")
	}
	if err := sentryapi.CheckEnvironment(conn.Environment); err != nil {
		return usageErrorf("%v: choose another --env", err)
	}
	d := sentryapi.NewDeploy{Environment: conn.Environment, Name: opts.Name, URL: opts.URL, Projects: opts.Projects}
	if !opts.Started.IsZero() {
		d.DateStarted = &opts.Started
	}
	if !opts.Finished.IsZero() {
		d.DateFinished = &opts.Finished
	}
	dep, err := client.CreateDeploy(ctx, conn.Org, conn.Release, d)
	if err != nil {
		return sentryFailed(fmt.Sprintf("recording the deploy of release %s to %s", conn.Release, conn.Environment), err,
			"Sentry's answer names the field it refused (a --project must be one of the release's projects)")
	}
	var details []string
	if dep.Name != "" {
		details = append(details, fmt.Sprintf("name %q", dep.Name))
	}
	if dep.DateStarted != nil {
		details = append(details, "started "+dep.DateStarted.UTC().Format(time.RFC3339))
	}
	if dep.DateFinished != nil {
		details = append(details, "finished "+dep.DateFinished.UTC().Format(time.RFC3339))
	}
	if dep.URL != "" {
		details = append(details, dep.URL)
	}
	line := fmt.Sprintf("recorded deploy of release %s to %s", conn.Release, dep.Environment)
	if len(details) > 0 {
		line += " (" + strings.Join(details, ", ") + ")"
	}
	_, err = fmt.Fprintln(opts.IO.Out, line)
	return err
}

// timeValue is a flag holding a time given as Unix seconds or RFC 3339, as action-release's
// started_at is.
type timeValue struct{ t *time.Time }

func (v timeValue) String() string {
	if v.t == nil || v.t.IsZero() {
		return ""
	}
	return v.t.Format(time.RFC3339)
}

func (v timeValue) Set(s string) error {
	t, err := parseTimeArg(s)
	if err != nil {
		return err
	}
	*v.t = t
	return nil
}

func (v timeValue) Type() string { return "time" }

func parseTimeArg(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		// Beyond year 9999 is a typo (milliseconds, most likely), not a date.
		if n <= 0 || n > 253402300799 {
			return time.Time{}, fmt.Errorf("%d is not a plausible time in Unix seconds (milliseconds?)", n)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, errors.New("want Unix seconds (1714564800) or RFC 3339 (2024-05-01T12:00:00Z)")
	}
	return t.UTC(), nil
}

// --- release info --------------------------------------------------------------------------

type releaseInfoOptions struct {
	releaseRun
	Format string
}

func newReleaseInfoCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &releaseInfoOptions{releaseRun: releaseRun{IO: ios, now: time.Now}}
	cmd := &cobra.Command{
		Use:   "info [VERSION]",
		Short: "Show a release: projects, dates, commits, deploys",
		Long: `Show a release as Sentry has it: its projects, when it was created and released
(finalized), how many commits and new issues it has, and its last deploy.
--format json prints one object (see docs/release.md).`,
		Example: `  releasegate release info web@1.4.2
  releasegate release info web@1.4.2 --format json | jq .dateReleased`,
		Args: maxOneArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := commandContext(cmd)
			defer stop()
			return releaseInfoRun(ctx, opts, args)
		},
	}
	opts.Sentry.registerRelease(factory, cmd, false)
	cmd.Flags().StringVar(&opts.Format, "format", "human", "output format: human or json")
	return cmd
}

// releaseInfo is the JSON contract of `release info --format json`.
type releaseInfo struct {
	Version      string      `json:"version"`
	Status       string      `json:"status"`
	Projects     []string    `json:"projects"`
	URL          string      `json:"url"`
	DateCreated  *time.Time  `json:"dateCreated"`
	DateReleased *time.Time  `json:"dateReleased"`
	Finalized    bool        `json:"finalized"`
	CommitCount  int         `json:"commitCount"`
	NewIssues    int         `json:"newIssues"`
	DeployCount  int         `json:"deployCount"`
	LastDeploy   *deployInfo `json:"lastDeploy"`
}

type deployInfo struct {
	Environment  string     `json:"environment"`
	Name         string     `json:"name"`
	URL          string     `json:"url"`
	DateStarted  *time.Time `json:"dateStarted"`
	DateFinished *time.Time `json:"dateFinished"`
}

func releaseInfoRun(ctx context.Context, opts *releaseInfoOptions, args []string) error {
	if opts.Format != "human" && opts.Format != "json" {
		return usageErrorf("unknown --format %q: use human or json", opts.Format)
	}
	conn, client, err := opts.connect(args, false, sentryconf.Connection{})
	if err != nil {
		return err
	}
	rel, err := client.GetRelease(ctx, conn.Org, conn.Release, sentryapi.ReleaseOptions{})
	if err != nil {
		return sentryFailed(fmt.Sprintf("reading release %s", conn.Release), err, "")
	}
	info := newReleaseInfo(rel)
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	return renderReleaseInfo(opts.IO.Out, info)
}

func newReleaseInfo(rel *sentryapi.Release) releaseInfo {
	info := releaseInfo{
		Version: rel.Version, Status: rel.Status, Projects: projectSlugs(rel.Projects), URL: rel.URL,
		DateCreated: utc(rel.DateCreated), DateReleased: utc(rel.DateReleased), Finalized: rel.DateReleased != nil,
		CommitCount: rel.CommitCount, NewIssues: rel.NewGroups, DeployCount: rel.DeployCount,
	}
	if d := rel.LastDeploy; d != nil {
		info.LastDeploy = &deployInfo{Environment: d.Environment, Name: d.Name, URL: d.URL,
			DateStarted: utc(d.DateStarted), DateFinished: utc(d.DateFinished)}
	}
	return info
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func renderReleaseInfo(w io.Writer, info releaseInfo) error {
	stamp := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.Format(time.RFC3339)
	}
	var b strings.Builder
	row := func(label, value string) { fmt.Fprintf(&b, "%-11s %s\n", label, value) }
	row("release", info.Version)
	row("status", info.Status)
	projects := strings.Join(info.Projects, ", ")
	if projects == "" {
		projects = "-"
	}
	row("projects", projects)
	row("created", stamp(info.DateCreated))
	if info.Finalized {
		row("released", stamp(info.DateReleased))
	} else {
		row("released", "not finalized (releasegate release finalize)")
	}
	if info.URL != "" {
		row("url", info.URL)
	}
	row("commits", strconv.Itoa(info.CommitCount))
	row("new issues", strconv.Itoa(info.NewIssues))
	row("deploys", strconv.Itoa(info.DeployCount))
	if d := info.LastDeploy; d != nil {
		parts := []string{d.Environment}
		if d.DateStarted != nil {
			parts = append(parts, "started "+stamp(d.DateStarted))
		}
		parts = append(parts, "finished "+stamp(d.DateFinished))
		if d.Name != "" {
			parts = append(parts, strconv.Quote(d.Name))
		}
		if d.URL != "" {
			parts = append(parts, d.URL)
		}
		row("last deploy", strings.Join(parts, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
