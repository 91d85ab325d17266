package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/ownership"
	"github.com/releasegate/releasegate/sourcemaps"
)

// OwnershipSyncOptions are the inputs of `releasegate ownership sync`.
type OwnershipSyncOptions struct {
	IO     *IOStreams
	Path   string
	DryRun bool
	Format string
	Sentry sentryFlags
}

func newOwnershipSyncCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &OwnershipSyncOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "sync [PATH]",
		Short: "Make Sentry's ownership rules and settings match the repository's",
		Long: `For every sentry.properties under PATH (default: the current folder), compare the
ownership rules and settings it holds with its Sentry project's, show the difference, and
update Sentry (one PUT per project that differs). Running it again changes nothing.

Only what the file sets is synced: rules when ownership.rules, ownership.rule.<n> or
ownership.file is given (an empty list clears Sentry's rules), and fallthrough,
autoAssignment and codeownersAutoSync when their keys are given. CODEOWNERS rules are
not sent: Sentry imports CODEOWNERS itself, through its GitHub integration.

Nothing is changed if any file has a problem, or if any owner is unknown to Sentry or
has no access to the project: all of that is checked before the first update.`,
		Example: `  releasegate ownership sync --dry-run
  releasegate ownership sync services/web`,
		Args: maxOnePath,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Path = "."
			if len(args) == 1 {
				opts.Path = args[0]
			}
			ctx, cancel := commandContext(c)
			defer cancel()
			return ownershipSyncRun(ctx, opts)
		},
	}
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "show the differences, change nothing")
	cmd.Flags().StringVar(&opts.Format, "format", "human", "output: human or json")
	opts.Sentry.register(factory, cmd, true)
	registerTimeout(cmd, timeoutOwnership, "")
	return cmd
}

// syncResult is one project's outcome; the JSON output is {"dryRun", "projects": [...]}.
type syncResult struct {
	Properties string   `json:"properties"`
	Org        string   `json:"org"`
	Project    string   `json:"project"`
	Status     string   `json:"status"` // unchanged, changed (dry run), updated, skipped
	Changes    []string `json:"changes"`
	// Diff is the change to the rules text in unified diff form ("" when the rules agree).
	Diff   string `json:"diff,omitempty"`
	Reason string `json:"reason,omitempty"`

	update  sentryapi.OwnershipUpdate
	project *ownershipProject
	client  *sentryapi.Client
}

func ownershipSyncRun(ctx context.Context, opts *OwnershipSyncOptions) error {
	if opts.Format != "human" && opts.Format != "json" {
		return usageErrorf("unknown --format %q: use human or json", opts.Format)
	}
	repo, err := loadOwnershipRepo(ctx, opts.IO, opts.Path, opts.Sentry)
	if err != nil {
		return err
	}
	if err := problemsError(repo.Projects); err != nil {
		return err
	}
	var results []*syncResult
	for _, p := range repo.Projects {
		r := &syncResult{Properties: p.Label, Changes: []string{}, project: p}
		results = append(results, r)
		if !p.Config.Manages() {
			r.Status, r.Reason = "skipped", "no ownership.* keys"
			continue
		}
		if p.ConnErr != nil {
			return usageErrorf("%s: Sentry configuration: %v", p.Label, p.ConnErr)
		}
		if err := p.Conn.Require(true, true, true); err != nil {
			return usageErrorf("%s: %v", p.Label, err)
		}
		if len(p.Conn.Projects) != 1 {
			return usageErrorf("%s: give one project (defaults.project), not %d", p.Label, len(p.Conn.Projects))
		}
		r.Org, r.Project = p.Conn.Org, p.Conn.Projects[0]
		if r.client, _, err = p.factory.SentryClient(p.Conn); err != nil {
			return err
		}
		cur, err := r.client.GetProjectOwnership(ctx, r.Org, r.Project)
		if err != nil {
			return sentryFailed("reading the ownership rules of "+r.Org+"/"+r.Project, err, "")
		}
		r.plan(ownership.PlanSync(p.Config, ownership.Settings{
			Raw: cur.Raw, Fallthrough: cur.Fallthrough, AutoAssignment: cur.AutoAssignment, CodeownersAutoSync: cur.CodeownersAutoSync,
		}))
		r.Status = "unchanged"
		if len(r.Changes) > 0 {
			r.Status = "changed"
		}
	}

	// Every owner of every project that changes must be known to Sentry before anything is
	// written, so a run either updates all projects or none for that reason.
	var changing []*ownershipProject
	for _, r := range results {
		if r.Status == "changed" && r.update.Raw != nil {
			changing = append(changing, r.project)
		}
	}
	if len(changing) > 0 {
		var bad []string
		if _, err := verifyAllOwners(ctx, &ownershipRepo{Tree: repo.Tree, Projects: ownRulesOnly(changing)},
			func(_ sourcemaps.Severity, _, file string, line int, msg string) {
				bad = append(bad, fmt.Sprintf("  %s:%d: %s", file, line, msg))
			}); err != nil {
			return err
		}
		if len(bad) > 0 {
			return &exitError{code: exitNo, err: fmt.Errorf("Sentry would refuse these owners, so nothing was changed:\n%s", strings.Join(bad, "\n"))} //nolint:staticcheck // Sentry is a name
		}
	}

	if !opts.DryRun {
		for i, r := range results {
			if r.Status != "changed" {
				continue
			}
			if _, err := r.client.UpdateProjectOwnership(ctx, r.Org, r.Project, r.update); err != nil {
				done := updatedList(results[:i])
				return sentryFailed(fmt.Sprintf("updating the ownership of %s/%s (%s)", r.Org, r.Project, done), err,
					"Sentry refused the rules; run `releasegate ownership check` for details")
			}
			r.Status = "updated"
		}
	}
	if opts.Format == "json" {
		return writeJSON(opts.IO.Out, struct {
			DryRun   bool          `json:"dryRun"`
			Projects []*syncResult `json:"projects"`
		}{opts.DryRun, results})
	}
	return writeSyncHuman(opts, results)
}

// ownRulesOnly strips imported CODEOWNERS rules: sync sends only the ownership rules.
func ownRulesOnly(ps []*ownershipProject) []*ownershipProject {
	out := make([]*ownershipProject, len(ps))
	for i, p := range ps {
		c, own := *p, *p.Project // the project is shared: copy it before changing it
		own.Import = nil
		c.Project = &own
		out[i] = &c
	}
	return out
}

func updatedList(done []*syncResult) string {
	var names []string
	for _, r := range done {
		if r.Status == "updated" {
			names = append(names, r.Org+"/"+r.Project)
		}
	}
	if len(names) == 0 {
		return "no project was updated"
	}
	return "already updated: " + strings.Join(names, ", ")
}

// plan takes ownership's plan as the project's update.
func (r *syncResult) plan(p ownership.SyncPlan) {
	r.update = sentryapi.OwnershipUpdate{Raw: p.Raw, Fallthrough: p.Fallthrough, AutoAssignment: p.AutoAssignment, CodeownersAutoSync: p.CodeownersAutoSync}
	r.Changes = append(r.Changes, p.Changes...)
	r.Diff = p.Diff
}

func writeSyncHuman(opts *OwnershipSyncOptions, results []*syncResult) error {
	w := opts.IO.Out
	pal := newPalette(opts.IO, opts.IO.OutTTY)
	counts := map[string]int{}
	for _, r := range results {
		counts[r.Status]++
		name := r.Properties
		if r.Project != "" {
			name = r.Org + "/" + r.Project + " (" + r.Properties + ")"
		}
		switch r.Status {
		case "skipped":
			fmt.Fprintf(w, "%s: skipped, %s\n", name, r.Reason)
			continue
		case "unchanged":
			fmt.Fprintf(w, "%s: up to date\n", name)
			continue
		case "changed":
			fmt.Fprintf(w, "%s: %s\n", pal.Bold(name), pal.Wrap("33", "would change (dry run)"))
		case "updated":
			fmt.Fprintf(w, "%s: %s\n", pal.Bold(name), pal.Wrap("32", "updated"))
		}
		for _, c := range r.Changes {
			fmt.Fprintf(w, "  %s\n", c)
		}
		if r.Diff != "" {
			for l := range strings.SplitSeq(strings.TrimRight(r.Diff, "\n"), "\n") {
				switch {
				case strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++"):
					l = pal.Wrap("32", l)
				case strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "---"):
					l = pal.Wrap("31", l)
				}
				fmt.Fprintf(w, "    %s\n", l)
			}
		}
	}
	summary := fmt.Sprintf("%d updated, %d up to date", counts["updated"], counts["unchanged"])
	if opts.DryRun {
		summary = fmt.Sprintf("dry run: %d would change, %d up to date", counts["changed"], counts["unchanged"])
	}
	if counts["skipped"] > 0 {
		summary += fmt.Sprintf(", %d skipped", counts["skipped"])
	}
	_, err := fmt.Fprintln(w, summary)
	return err
}
