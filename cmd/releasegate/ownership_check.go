package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/internal/ownercheck"
	"github.com/releasegate/releasegate/internal/workflowcmd"
	"github.com/releasegate/releasegate/ownership"
	"github.com/releasegate/releasegate/sourcemaps"
)

// OwnershipCheckOptions are the inputs of `releasegate ownership check`.
type OwnershipCheckOptions struct {
	IO      *IOStreams
	Path    string
	Format  string
	Offline bool
	Strict  bool
	Sentry  sentryFlags
}

func newOwnershipCheckCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &OwnershipCheckOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "check [PATH]",
		Short: "Check every sentry.properties under PATH: syntax, dead and shadowed rules, unknown owners",
		Long: `Find every sentry.properties under PATH (default: the current folder) and check the
ownership rules and settings in it, and the CODEOWNERS it imports.

Errors (exit 1):
  syntax            a key, value or rule Sentry would refuse or read differently
  unknown-team      a #team the organization does not have
  team-no-access    a #team without access to the project (Sentry refuses the rules)
  unknown-user      an email that is not a member of the organization
  user-no-access    a member who is on no team with access to the project
Warnings:
  no-file           a path or CODEOWNERS rule that matches no file of the repository
  shadowed          a rule that never decides: later rules match everything it matches
  duplicate         the same matcher again later in the same rules
  unmapped-owner    a CODEOWNERS owner with no Sentry mapping (Sentry drops it)
  codeowners-skipped a CODEOWNERS line Sentry's import skips

Owners are checked against Sentry when a token is available (SENTRY_AUTH_TOKEN,
sentry.properties or .sentryclirc); --offline skips that. Files of the repository are
git's (tracked and not ignored) in a git work tree.`,
		Example: `  releasegate ownership check
  releasegate ownership check services/web --format json
  releasegate ownership check --offline --strict`,
		Args: maxOnePath,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Path = "."
			if len(args) == 1 {
				opts.Path = args[0]
			}
			ctx, cancel := commandContext(c)
			defer cancel()
			return ownershipCheckRun(ctx, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "human", "output: human, json or github (workflow annotations)")
	cmd.Flags().BoolVar(&opts.Offline, "offline", false, "do not ask Sentry whether the owners exist")
	cmd.Flags().BoolVar(&opts.Strict, "strict", false, "fail (exit 1) on warnings too")
	opts.Sentry.register(factory, cmd, true)
	registerTimeout(cmd, timeoutOwnership, "")
	return cmd
}

// maxOnePath accepts the optional folder.
func maxOnePath(c *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usageErrorf("%s: too many arguments (%s): give one folder\nRun '%s --help' for usage.", c.CommandPath(), strings.Join(args, " "), c.CommandPath())
	}
	return nil
}

// ownershipCheckReport is the JSON output of `ownership check` (docs/ownership.md).
type ownershipCheckReport struct {
	Projects []checkedProject     `json:"projects"`
	Findings []sourcemaps.Finding `json:"findings"`
	Errors   int                  `json:"errors"`
	Warnings int                  `json:"warnings"`
	// OwnersChecked says whether owners were checked against Sentry.
	OwnersChecked bool   `json:"ownersChecked"`
	OwnersNote    string `json:"ownersNote,omitempty"`
}

type checkedProject struct {
	Properties string `json:"properties"`
	Org        string `json:"org,omitempty"`
	Project    string `json:"project,omitempty"`
	Rules      int    `json:"rules"`
	Codeowners int    `json:"codeownersRules"`
}

func ownershipCheckRun(ctx context.Context, opts *OwnershipCheckOptions) error {
	switch opts.Format {
	case "human", "json", "github":
	default:
		return usageErrorf("unknown --format %q: use human, json or github", opts.Format)
	}
	repo, err := loadOwnershipRepo(ctx, opts.IO, opts.Path, opts.Sentry)
	if err != nil {
		return err
	}
	rep := &ownershipCheckReport{Findings: []sourcemaps.Finding{}}
	add := func(sev sourcemaps.Severity, code, file string, line int, msg string) {
		rep.Findings = append(rep.Findings, sourcemaps.Finding{Code: code, Severity: sev, Path: file, Line: line, Message: msg})
	}
	files := ownership.IndexFiles(repo.Tree.Files)
	for _, p := range repo.Projects {
		cp := checkedProject{Properties: p.Label, Org: p.Conn.Org}
		if len(p.Conn.Projects) == 1 {
			cp.Project = p.Conn.Projects[0]
		}
		for _, pr := range p.Problems {
			add(sourcemaps.SeverityError, "syntax", pr.File, pr.Line, pr.Msg)
		}
		if p.Config != nil {
			cp.Rules = len(p.Config.Rules)
		}
		if p.Import != nil {
			cp.Codeowners = len(p.Import.Rules)
			for _, u := range p.Import.Unmapped {
				add(sourcemaps.SeverityWarning, "unmapped-owner", u.File, u.Line, fmt.Sprintf(
					"CODEOWNERS owner %s has no Sentry owner, so Sentry drops it: add ownership.codeowners.owner.%s = #team-or-email to %s",
					u.Name, strings.ToLower(u.Name), p.Label))
			}
			unmapped := map[int]bool{}
			for _, u := range p.Import.Unmapped {
				unmapped[u.Line] = true
			}
			for _, s := range p.Import.Skipped {
				if !unmapped[s.Line] { // the unmapped-owner finding already says why, and what to do
					add(sourcemaps.SeverityWarning, "codeowners-skipped", s.File, s.Line, s.Msg)
				}
			}
		}
		rep.Projects = append(rep.Projects, cp)
		if p.Config == nil {
			continue
		}
		for _, f := range ownership.Check(ownership.CheckInput{Rules: p.Config.Rules, Codeowners: p.importedRules(), Index: files}) {
			sev := sourcemaps.SeverityWarning
			if f.Severity == ownership.SeverityError {
				sev = sourcemaps.SeverityError
			}
			add(sev, f.Code, f.Rule.File, f.Rule.Line, f.Message)
		}
	}
	if !opts.Offline {
		rep.OwnersChecked, rep.OwnersNote = true, ""
		notes, err := verifyAllOwners(ctx, repo, add)
		if err != nil {
			return err
		}
		if len(notes) > 0 {
			rep.OwnersChecked = false
			rep.OwnersNote = strings.Join(notes, "; ")
		}
	} else {
		rep.OwnersNote = "not checked (--offline)"
	}

	// The same CODEOWNERS problem is found once per project importing it.
	slices.SortStableFunc(rep.Findings, func(a, b sourcemaps.Finding) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	rep.Findings = slices.CompactFunc(rep.Findings, func(a, b sourcemaps.Finding) bool { return a == b })
	for _, f := range rep.Findings {
		if f.Severity == sourcemaps.SeverityError {
			rep.Errors++
		} else {
			rep.Warnings++
		}
	}
	if err := renderOwnershipCheck(opts, rep); err != nil {
		return err
	}
	if rep.Errors > 0 || (opts.Strict && rep.Warnings > 0) {
		return verdictNo()
	}
	return nil
}

func (p *ownershipProject) importedRules() []ownership.Rule {
	if p.Import == nil {
		return nil
	}
	return p.Import.Rules
}

func renderOwnershipCheck(opts *OwnershipCheckOptions, rep *ownershipCheckReport) error {
	ios := opts.IO
	switch opts.Format {
	case "json":
		return writeJSON(ios.Out, rep)
	case "github":
		held, err := writeAnnotations(ios.Out, rep.Findings)
		if err != nil {
			return err
		}
		if len(rep.Findings) > 0 {
			fmt.Fprintln(ios.Out, "::group::All ownership findings")
			if err := writeFindingsGrouped(ios.Out, palette{}, rep.Findings); err != nil {
				return err
			}
			fmt.Fprintln(ios.Out, "::endgroup::")
		}
		if held > 0 {
			fmt.Fprintf(ios.Out, "(%s not annotated: GitHub shows %d errors and %d warnings per step; all are listed above)\n", plural(held, "finding"), workflowcmd.PerLevelCap, workflowcmd.PerLevelCap)
		}
	default:
		if err := writeFindingsGrouped(ios.Out, newPalette(ios, ios.OutTTY), rep.Findings); err != nil {
			return err
		}
	}
	pal := newPalette(ios, ios.OutTTY && opts.Format == "human")
	verdict := pal.Wrap("1;32", "ok")
	if rep.Errors > 0 || (opts.Strict && rep.Warnings > 0) {
		verdict = pal.Wrap("1;31", "FAILED")
	}
	rules := 0
	for _, p := range rep.Projects {
		rules += p.Rules + p.Codeowners
	}
	owners := "owners checked against Sentry"
	if !rep.OwnersChecked {
		owners = "owners " + rep.OwnersNote
	}
	_, err := fmt.Fprintf(ios.Out, "%s: %s, %s in %s (%s; %s)\n", verdict, plural(rep.Errors, "error"), plural(rep.Warnings, "warning"),
		propertiesCount(len(rep.Projects)), plural(rules, "rule"), owners)
	return err
}

// verifyAllOwners checks every owner of every rule against Sentry (internal/ownercheck). It
// returns notes saying why owners could not be checked (no token, no org or project), and an
// error when Sentry could not be asked.
func verifyAllOwners(ctx context.Context, repo *ownershipRepo, add func(sourcemaps.Severity, string, string, int, string)) ([]string, error) {
	var notes []string
	checker := ownercheck.NewChecker()
	for _, p := range repo.Projects {
		rules := p.Rules()
		if len(rules) == 0 {
			continue
		}
		if p.ConnErr != nil {
			return nil, usageErrorf("%s: Sentry configuration: %v", p.Label, p.ConnErr)
		}
		if p.Conn.Token == "" {
			notes = append(notes, "not checked (no auth token: set SENTRY_AUTH_TOKEN, or use --offline)")
			continue
		}
		if p.Conn.Org == "" || len(p.Conn.Projects) != 1 {
			notes = append(notes, fmt.Sprintf("not checked for %s (set defaults.org and defaults.project in it)", p.Label))
			continue
		}
		client, _, err := p.factory.SentryClient(p.Conn)
		if err != nil {
			return nil, err
		}
		findings, err := checker.Check(ctx, ownercheck.Project{
			Client: client, Server: p.Conn.URL, Org: p.Conn.Org, Project: p.Conn.Projects[0], Label: p.Label, Rules: rules,
		})
		if se, ok := errors.AsType[*ownercheck.SentryError](err); ok {
			return nil, sentryFailed(se.What, se.Err, "")
		}
		if err != nil {
			return nil, err
		}
		for _, f := range findings {
			add(sourcemaps.SeverityError, f.Code, f.File, f.Line, f.Message)
		}
	}
	return slices.Compact(notes), nil
}
