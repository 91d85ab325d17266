package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/clock"
	"github.com/releasegate/releasegate/internal/gateevidence"
	"github.com/releasegate/releasegate/internal/issueowners"
	"github.com/releasegate/releasegate/internal/sentryconf"
)

// GateOptions are the inputs of `releasegate gate`.
type GateOptions struct {
	IO          *IOStreams
	Release     string
	SHA         string
	Environment string
	Baseline    string
	PolicyFile  string
	Wait        time.Duration
	Interval    time.Duration
	DryRun      bool
	OnError     string
	Format      string
	Sentry      sentryFlags
	// Now and Sleep are the clock; tests replace them.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

func newGateCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &GateOptions{IO: ios, Now: time.Now, Sleep: clock.Sleep}
	cmd := &cobra.Command{
		Use:   "gate",
		Short: "Decide from Sentry evidence whether a release may be promoted",
		Long: `Decide whether a release may be promoted to an environment, from what Sentry has seen of
it: new issues at a high rate, regressions, crash-free rates against the previous release,
and missing context on error events. The policy is .github/releasegate.yml (--policy);
docs/gate.md explains the statistics and docs/gate-policy.md every key.

The verdict is pass, fail or pending (not enough evidence yet). With --wait the gate
polls every --interval until it can decide or the wait is over.

Exit status: 0 pass (or --dry-run) · 1 fail · 2 usage or configuration error: a release,
organization or project Sentry does not know, a token it rejects or that lacks a scope
(docs/sentry-token.md), whatever on_error says · 3 still pending when the wait ended. When
Sentry cannot be reached, on_error (policy, or --on-error) decides pass or fail, and the
report says why.`,
		Example: `  releasegate gate --release web@2.0.0 --environment production
  releasegate gate --sha "$GITHUB_SHA" --environment staging --wait 30m --interval 1m
  releasegate gate --release web@2.0.0 --environment production --format markdown >> "$GITHUB_STEP_SUMMARY"`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			ctx, cancel := commandContext(c)
			defer cancel()
			return gateRun(ctx, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Release, "release", "", "the Sentry release (default: made from --sha by the policy's release.name)")
	f.StringVar(&opts.SHA, "sha", "", "the deployed commit, to name the release (default: GITHUB_SHA, else git HEAD)")
	f.StringVarP(&opts.Environment, "environment", "e", "", "the environment the release is promoted to (required)")
	f.StringVar(&opts.Baseline, "baseline", "", "the release to compare release health with (default: the previous release deployed there)")
	f.StringVar(&opts.PolicyFile, "policy", "", "the policy file (default: .github/releasegate.yml at the repository root)")
	f.DurationVar(&opts.Wait, "wait", 0, "keep checking while pending, for at most this long (e.g. 30m)")
	f.DurationVar(&opts.Interval, "interval", time.Minute, "time between checks with --wait")
	f.BoolVar(&opts.DryRun, "dry-run", false, "decide and report, but exit 0 whatever the verdict")
	f.StringVar(&opts.OnError, "on-error", "", "when Sentry cannot be asked: pass or fail (default: the policy's on_error)")
	f.StringVar(&opts.Format, "format", "text", "output: text, json, markdown or github")
	opts.Sentry.register(factory, cmd, false)
	registerTimeout(cmd, timeoutGate, "with --wait, added to it")
	return cmd
}

func gateRun(ctx context.Context, opts *GateOptions) error {
	switch opts.Format {
	case "text", "json", "markdown", "github":
	default:
		return usageErrorf("unknown --format %q: use text, json, markdown or github", opts.Format)
	}
	if opts.Environment == "" {
		return usageErrorf("missing --environment: the environment the release is promoted to (a key of the policy's environments)")
	}
	if opts.OnError != "" && opts.OnError != "pass" && opts.OnError != "fail" {
		return usageErrorf("--on-error %q: use pass or fail", opts.OnError)
	}
	if opts.Wait < 0 || opts.Interval <= 0 {
		return usageErrorf("--wait must not be negative and --interval must be positive")
	}
	env := opts.Sentry.env(opts.IO)
	policy, err := loadGatePolicy(ctx, env, opts.PolicyFile)
	if err != nil {
		return err
	}
	for _, w := range policy.Warnings {
		fmt.Fprintf(opts.IO.ErrOut, "releasegate: warning: %s\n", w)
	}
	envPolicy, err := policy.Environment(opts.Environment)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if opts.OnError != "" {
		p := *envPolicy
		p.OnError = gate.Outcome(opts.OnError)
		envPolicy = &p
	}
	evidenceEnv := opts.Environment
	if envPolicy.Evidence != "" {
		evidenceEnv = envPolicy.Evidence
	}
	release := opts.Release
	if release == "" {
		if release, err = releaseFromCommit(ctx, env, policy, opts.SHA, envPolicy.Projects); err != nil {
			return err
		}
	}

	conn, err := opts.Sentry.connection(opts.IO, sentryconf.Connection{})
	if err != nil {
		return err
	}
	if err := conn.Require(true, true, false); err != nil {
		return usageErrorf("%v", err)
	}
	client, counter, err := env.SentryClient(conn)
	if err != nil {
		return err
	}
	owners := &issueowners.Lookup{Client: client, Org: conn.Org, Load: func(ctx context.Context) issueowners.Rules {
		return ownershipRules(ctx, env, ".")
	}}
	g := &gateevidence.Gatherer{Client: client, Owners: owners.Owners}
	q := gateevidence.Query{Org: conn.Org, Projects: envPolicy.Projects, Release: release, Environment: evidenceEnv, Baseline: opts.Baseline}
	d, err := g.Poll(ctx, q, envPolicy, opts.Environment, gateevidence.Poll{
		Wait: opts.Wait, Interval: opts.Interval, Now: opts.Now, Sleep: opts.Sleep,
		Requests: counter.requests.Load,
		Waiting: func(d gate.Decision, asked bool, failures int) {
			if asked {
				fmt.Fprintf(opts.IO.ErrOut, "releasegate gate: pending: %s; checking again in %s\n", d.Reason, opts.Interval)
			} else {
				fmt.Fprintf(opts.IO.ErrOut, "releasegate gate: %s (attempt %d of %d); trying again in %s\n", d.Checks[0].Reason, failures, gateevidence.DefaultMaxFailures, opts.Interval)
			}
		},
	})
	switch {
	case errors.Is(err, gateevidence.ErrUnknownRelease):
		return errkind.WithHint(errkind.Config, err, "check --release (or the policy's release.name and --sha) and that the release was created in Sentry")
	case errkind.Of(err) == errkind.Config:
		// The user's configuration, not Sentry's health: on_error does not apply.
		return sentryError("Sentry refused the gate's questions (on_error does not apply to a configuration error)", err)
	case err != nil:
		return err // an *gateevidence.UndecidedError: cut short, exit 3
	}
	// A sentry.properties that could have named a failing issue's owners but is broken is
	// the report's to say, not to leave out quietly. Owners are looked up for failing issues
	// only, so the notes are about the decision reported.
	if notes := owners.TakeNotes(); len(notes) > 0 {
		d.Reason += " (" + strings.Join(notes, "; ") + ")"
	}
	if err := gate.Render(opts.IO.Out, d, opts.Format); err != nil {
		return err
	}
	switch {
	case opts.DryRun:
		if d.Verdict != gate.StatusPass {
			fmt.Fprintf(opts.IO.ErrOut, "releasegate gate: --dry-run: the verdict is %s, exiting 0\n", d.Verdict)
		}
		return nil
	case d.Verdict == gate.StatusFail:
		return verdictNo()
	case d.Verdict == gate.StatusPending:
		return errkind.Errorf(errkind.Undecided, "still pending: %s", d.Reason)
	}
	return nil
}

// loadGatePolicy reads --policy, or .github/releasegate.yml at the repository root (read
// through the repository's tree, as the GitHub App reads it from a commit), both from the
// working folder.
func loadGatePolicy(ctx context.Context, env *Factory, file string) (*gate.Policy, error) {
	if file == "" {
		root := env.Abs(".")
		if repo, err := env.GitRepo(ctx); err == nil {
			root = repo.Dir()
		}
		label := env.DisplayPath(filepath.Join(root, filepath.FromSlash(gate.PolicyPath)))
		p, err := gate.ReadPolicy(os.DirFS(root), gate.PolicyPath, label)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usageErrorf("no policy: %s does not exist; write one (docs/gate-policy.md has an example) or give --policy FILE", label)
		}
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		return p, nil
	}
	data, err := os.ReadFile(env.Abs(file))
	if err != nil {
		return nil, usageErrorf("reading the policy: %v", asGiven(err, file))
	}
	p, err := gate.LoadPolicy(data, env.DisplayPath(file))
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	return p, nil
}

// headCommit is the SHA of the commit checked out in the working folder, "" outside a git
// checkout.
func headCommit(ctx context.Context, env *Factory) string {
	repo, err := env.GitRepo(ctx)
	if err != nil {
		return ""
	}
	sha, err := repo.Head(ctx)
	if err != nil {
		return ""
	}
	return sha
}

// releaseFromCommit names the release from the commit as the policy says.
func releaseFromCommit(ctx context.Context, env *Factory, p *gate.Policy, sha string, projects []string) (string, error) {
	if sha == "" {
		sha = env.Getenv("GITHUB_SHA")
	}
	if sha == "" {
		sha = headCommit(ctx, env)
	}
	if sha == "" {
		return "", usageErrorf("no release: give --release, or --sha (or run inside the git checkout, or set GITHUB_SHA)")
	}
	project := ""
	if len(projects) > 0 {
		project = projects[0]
	}
	name, err := p.ReleaseName(sha, env.Getenv("GITHUB_REF_NAME"), project)
	if err != nil {
		return "", usageErrorf("naming the release: %v", err)
	}
	return name, nil
}
