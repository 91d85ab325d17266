package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/internal/sentrycheck"
	"github.com/releasegate/releasegate/internal/sentryconf"
)

func newSentryCmd(factory *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:                        "sentry",
		Short:                      "Check the Sentry connection and token",
		Args:                       unknownSubcommand,
		RunE:                       func(c *cobra.Command, _ []string) error { return c.Help() },
		SuggestionsMinimumDistance: 2,
	}
	cmd.AddCommand(newSentryCheckCmd(factory))
	return cmd
}

// SentryCheckOptions are the inputs of `releasegate sentry check`.
type SentryCheckOptions struct {
	IO     *IOStreams
	Sentry sentryFlags
	For    []string
	Format string
}

func newSentryCheckCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &SentryCheckOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Say whether the token can do what a run will ask of Sentry",
		Long: `Check, before anything is uploaded, that the auth token can do what a run will ask of
Sentry: for each capability (--for; default all) it says ok, which scope the token lacks,
or which organization or project Sentry does not know.

  upload     sourcemaps upload                 project:releases (or org:ci)
  release    release new|set-commits|deploy|…  project:releases (or org:ci)
  ownership  ownership check|sync              org:read, member:read, team:read, project:read
  gate       gate                              project:read, event:read, org:read

It asks Sentry for the token's scopes and makes one cheap read per capability, for the
organization and each project, all at once; nothing is written. docs/sentry-token.md
explains each scope.

Exit status: 0 every capability checked is ok · 2 a scope is missing, the token is
rejected, or Sentry does not know the organization or a project · 3 Sentry could not be
reached.`,
		Example: `  releasegate sentry check --org acme -p web
  releasegate sentry check --for upload,release --format json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			ctx, cancel := commandContext(c)
			defer cancel()
			return sentryCheckRun(ctx, opts)
		},
	}
	opts.Sentry.register(factory, cmd, true)
	registerTimeout(cmd, timeoutSentryCheck, "")
	cmd.Flags().StringSliceVar(&opts.For, "for", nil, "capabilities to check, comma-separated: upload, release, ownership, gate (default all)")
	cmd.Flags().StringVar(&opts.Format, "format", "human", "output: human or json")
	return cmd
}

func sentryCheckRun(ctx context.Context, opts *SentryCheckOptions) error {
	if opts.Format != "human" && opts.Format != "json" {
		return usageErrorf("unknown --format %q: use human or json", opts.Format)
	}
	caps, err := sentrycheck.ParseCapabilities(opts.For)
	if err != nil {
		return usageErrorf("--for: %v", err)
	}
	conn, err := opts.Sentry.connection(opts.IO, sentryconf.Connection{})
	if err != nil {
		return err
	}
	if err := conn.Require(true, true, false); err != nil {
		return usageErrorf("%v", err)
	}
	client, _, err := opts.Sentry.env(opts.IO).SentryClient(conn)
	if err != nil {
		return err
	}
	rep, err := sentrycheck.Check(ctx, sentrycheck.Options{Client: client, Org: conn.Org, Projects: conn.Projects, Capabilities: caps})
	if err != nil {
		return usageErrorf("%v", err)
	}
	if opts.Format == "json" {
		err = writeJSON(opts.IO.Out, rep)
	} else {
		err = renderSentryCheck(opts.IO.Out, newPalette(opts.IO, opts.IO.OutTTY), rep)
	}
	if err != nil {
		return err
	}
	return sentryCheckExit(rep)
}

// sentryCheckExit is the check's exit: 2 when the configuration must change, else 3 when
// Sentry could not be asked.
func sentryCheckExit(rep *sentrycheck.Report) error {
	var bad []string
	for _, r := range rep.Results {
		if r.Status.Misconfigured() {
			bad = append(bad, fmt.Sprintf("%s (%s)", r.Capability, r.Status))
		}
	}
	switch {
	case len(bad) > 0:
		return usageErrorf("the Sentry token or configuration cannot do %s: %s", strings.Join(bad, ", "), tokenDoc)
	case rep.Unreachable():
		return &exitError{code: exitUndecided, err: errors.New("Sentry could not be asked; nothing is known about the token")} //nolint:staticcheck // Sentry is a name
	}
	return nil
}

func renderSentryCheck(w io.Writer, pal palette, rep *sentrycheck.Report) error {
	projects := "no project"
	if len(rep.Projects) > 0 {
		projects = "projects " + strings.Join(rep.Projects, ", ")
	}
	fmt.Fprintf(w, "Sentry organization %s, %s\n", rep.Org, projects)
	switch {
	case rep.TokenRejected:
		fmt.Fprintln(w, "token scopes: none (Sentry rejects the token)")
	case !rep.ScopesKnown && rep.Unreachable():
		fmt.Fprintln(w, "token scopes: unknown (Sentry could not be asked)")
	case !rep.ScopesKnown:
		fmt.Fprintln(w, "token scopes: not reported by this Sentry (judged from its answers)")
	case len(rep.Scopes) == 0:
		fmt.Fprintln(w, "token scopes: none")
	default:
		fmt.Fprintf(w, "token scopes: %s\n", strings.Join(rep.Scopes, ", "))
	}
	width := 0
	for _, r := range rep.Results {
		width = max(width, len(r.Status))
	}
	bad := 0
	for _, r := range rep.Results {
		status := fmt.Sprintf("%-*s", width, r.Status)
		switch r.Status {
		case sentrycheck.OK:
			status = pal.Wrap("32", status)
		default:
			bad++
			status = pal.Wrap("1;31", status)
		}
		line := fmt.Sprintf("  %s  %-9s", status, r.Capability)
		if r.Detail != "" {
			line += "  " + r.Detail
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	verdict := pal.Wrap("1;32", "ok")
	if bad > 0 {
		verdict = pal.Wrap("1;31", "FAILED")
	}
	_, err := fmt.Fprintf(w, "%s: %d of %d capabilities ok (%s)\n", verdict, len(rep.Results)-bad, len(rep.Results), plural(rep.Requests, "request"))
	return err
}
