package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/bot"
	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/bot/triage"
	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/ghmarkdown"
	"github.com/releasegate/releasegate/internal/richtext"
	"github.com/releasegate/releasegate/internal/serveconf"
	"github.com/releasegate/releasegate/internal/store"
)

// TriageOptions are the inputs of `releasegate triage`.
type TriageOptions struct {
	Factory *Factory
	Flags   serveconf.Flags
	Issue   string
	Owner   string
	DryRun  bool
	Format  string
	// now fixes the clock the blast radius is measured against (tests).
	now func() time.Time
}

func newTriageCmd(f *Factory) *cobra.Command {
	opts := &TriageOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "triage --issue WEB-123",
		Short: "Triage one Sentry issue by hand, as the App does: suspect PR, owners, ticket, comment",
		Long: `Run the App's triage once for an existing Sentry issue, through the same code the
service runs: to backfill issues from before the App was installed, or to try a
repository's settings.

It prints the pull request suspected of causing the issue with the evidence for it, the
owners, the matching playbook, duplicates, the blast radius, and the PR comment and Jira
ticket it wrote — or, with --dry-run, would write (a dry run writes nothing anywhere).

The configuration is serve's (flags, RELEASEGATE_* variables and the installations file,
docs/app.md); --format json is a documented contract (docs/output.md).`,
		Example: `  releasegate triage --config releasegate-serve.yml --issue WEB-123 --dry-run
  releasegate triage --issue WEB-123 --owner acme --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := commandContext(cmd)
			defer stop()
			return triageRun(ctx, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Issue, "issue", "", "the Sentry issue: its short ID (WEB-123) or numeric ID")
	fl.StringVar(&opts.Owner, "owner", "", "the GitHub owner whose Sentry has the issue (default: the only one configured)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "find and render everything, write nothing (no ticket, comment, link or store)")
	fl.StringVarP(&opts.Format, "format", "f", "text", "output: text, json or markdown")
	fl.StringVar(&opts.Flags.DatabaseURL, "database-url", "", "SQLite file or postgres:// URL serve uses (default releasegate.db; env RELEASEGATE_DATABASE_URL)")
	fl.StringVar(&opts.Flags.Config, "config", "", "the installations file (env RELEASEGATE_CONFIG)")
	fl.StringVar(&opts.Flags.PublicURL, "public-url", "", "where people reach the service, for links (env RELEASEGATE_PUBLIC_URL)")
	return cmd
}

type triageRenderFunc func(w io.Writer, out triageOutput) error

func triageRenderer(format string) (triageRenderFunc, error) {
	switch format {
	case "text", "":
		return renderTriageText, nil
	case "json":
		return renderTriageJSON, nil
	case "markdown":
		return renderTriageMarkdown, nil
	}
	return nil, usageErrorf("unknown --format %q: use text, json or markdown", format)
}

func triageRun(ctx context.Context, opts *TriageOptions) error {
	f := opts.Factory
	render, err := triageRenderer(opts.Format)
	if err != nil {
		return err
	}
	if opts.Issue == "" {
		return usageErrorf("--issue is required: the Sentry issue's short ID (WEB-123) or numeric ID")
	}
	cfg, err := loadAppConfig(f, opts.Flags)
	if err != nil {
		return err
	}
	owner, err := triageOwner(cfg, opts.Owner)
	if err != nil {
		return err
	}
	b, err := newAppBot(f, cfg, bot.NewMetrics(nil), nil, opts.now)
	if err != nil {
		return err
	}
	// The claims that keep one ticket and one comment per issue live in the service's store,
	// so a run by hand and the service never both write them; a dry run reads it too, for the
	// other issues already on the suspect's comment.
	st, err := openAppStore(ctx, f, cfg, store.Options{Logger: f.Logger})
	if err != nil {
		return err
	}
	defer func() { _ = st.Close() }()
	b.SetStore(st)
	// One name per issue: running the command again after a failure (Jira down) resumes its
	// own claim on the ticket and the comment instead of waiting out the lease.
	worker := "cli:" + owner + ":" + opts.Issue
	r, runErr := b.Triage(ctx, owner, opts.Issue, bot.TriageOptions{DryRun: opts.DryRun, Worker: worker})
	if r.IssueID != "" {
		if err := render(f.IO.Out, newTriageOutput(r)); err != nil {
			return err
		}
	}
	if runErr != nil {
		if errkind.Of(runErr) == errkind.Unknown {
			return errkind.Wrap(errkind.Undecided, runErr)
		}
		return runErr
	}
	return nil
}

// triageOwner is --owner, or the only owner configured.
func triageOwner(cfg *serveconf.Config, owner string) (string, error) {
	owners := cfg.Owners()
	if owner != "" {
		if _, ok := cfg.Installation(owner); !ok {
			return "", errkind.Errorf(errkind.Config, "--owner %s: the installations file has no Sentry for it (configured: %s)", owner, strings.Join(owners, ", "))
		}
		return owner, nil
	}
	if len(owners) != 1 {
		return "", errkind.Errorf(errkind.Config, "%d owners are configured (%s): name one with --owner", len(owners), strings.Join(owners, ", "))
	}
	return owners[0], nil
}

func renderTriageJSON(w io.Writer, out triageOutput) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func renderTriageText(w io.Writer, o triageOutput) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n", o.Issue.ShortID, o.Issue.Title)
	fmt.Fprintf(&b, "  %s\n", o.Issue.URL)
	fmt.Fprintf(&b, "  %s events, %s users, release %s", fmtCount(o.Issue.Events), fmtCount(o.Issue.Users), orDash(o.Issue.Release))
	if o.Repo != "" {
		fmt.Fprintf(&b, " (%s, %s)", o.Repo, plural(o.Commits, "commit"))
	}
	b.WriteString("\n")
	if o.DryRun {
		b.WriteString("  dry run: nothing was written\n")
	}
	if o.Skipped != "" {
		fmt.Fprintf(&b, "\nSkipped: %s\n", o.Skipped)
	}
	b.WriteString("\nSuspect: ")
	if s := o.Suspect; s != nil {
		fmt.Fprintf(&b, "#%d %s by @%s (confidence: %s)\n  %s\n", s.Number, s.Title, s.Author, s.Confidence, s.URL)
		for _, e := range s.Evidence {
			fmt.Fprintf(&b, "  - %s\n", e)
		}
	} else {
		b.WriteString("none\n")
	}
	for _, e := range o.Evidence {
		fmt.Fprintf(&b, "  - %s\n", e)
	}
	fmt.Fprintf(&b, "Owners: %s\n", orDash(strings.Join(o.Owners, ", ")))
	if p := o.Playbook; p != nil {
		fmt.Fprintf(&b, "Playbook: %s %s\n", p.Name, p.Runbook)
	}
	switch {
	case len(o.Duplicates) > 0:
		b.WriteString("Duplicates:\n")
		for _, d := range o.Duplicates {
			fmt.Fprintf(&b, "  - %s %s %s\n", d.Key, d.Title, d.URL)
		}
	case o.DuplicatesChecked:
		b.WriteString("Duplicates: none\n")
	}
	if br := o.BlastRadius; br != nil {
		fmt.Fprintf(&b, "Blast radius: %s events, %s users", fmtCount(br.Events), fmtCount(br.Users))
		if br.TenantsKnown {
			fmt.Fprintf(&b, ", %s", plural(int(br.Tenants), "tenant"))
		}
		fmt.Fprintf(&b, ", %.1f events/hour\n", br.EventsPerHour)
	}
	if sg := o.Suggestion; sg != nil {
		if sg.Suggested {
			fmt.Fprintf(&b, "Suggested fix (%s, %s, confidence %s) at %s:%d: %s\n", sg.Suggester, sg.Family, sg.Confidence, sg.File, sg.Line, sg.Explanation)
			b.WriteString(indent(sg.Diff))
		} else {
			fmt.Fprintf(&b, "No fix suggested: %s\n", sg.AbstainReason)
		}
	}
	for _, n := range o.Notes {
		fmt.Fprintf(&b, "Note: %s\n", n)
	}
	if t := o.Ticket; t != nil {
		fmt.Fprintf(&b, "\nJira ticket %s: %s\n", ticketState(t, o.DryRun), t.Summary)
		b.WriteString(indent(t.Body))
	}
	if c := o.Comment; c != nil {
		verb := "posted on"
		if o.DryRun {
			verb = "would be posted on"
		}
		fmt.Fprintf(&b, "\nComment %s %s#%d:\n", verb, c.Repo, c.Number)
		b.WriteString(indent(c.Body))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func renderTriageMarkdown(w io.Writer, o triageOutput) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# [%s](%s) %s\n\n", o.Issue.ShortID, o.Issue.URL, o.Issue.Title)
	if o.DryRun {
		b.WriteString("_Dry run: nothing was written._\n\n")
	}
	if o.Skipped != "" {
		fmt.Fprintf(&b, "Skipped: %s\n\n", o.Skipped)
	}
	b.WriteString("## Suspect\n\n")
	if s := o.Suspect; s != nil {
		fmt.Fprintf(&b, "[#%d %s](%s) by @%s — confidence: %s\n\n", s.Number, s.Title, s.URL, s.Author, s.Confidence)
		for _, e := range s.Evidence {
			fmt.Fprintf(&b, "- %s\n", e)
		}
	} else {
		b.WriteString("None.\n")
	}
	for _, e := range o.Evidence {
		fmt.Fprintf(&b, "- %s\n", e)
	}
	fmt.Fprintf(&b, "\n**Owners:** %s\n", orDash(strings.Join(o.Owners, ", ")))
	if p := o.Playbook; p != nil {
		fmt.Fprintf(&b, "\n**Playbook:** [%s](%s)\n", p.Name, p.Runbook)
	}
	if len(o.Duplicates) > 0 {
		b.WriteString("\n**Duplicates:**\n\n")
		for _, d := range o.Duplicates {
			fmt.Fprintf(&b, "- [%s](%s) %s\n", d.Key, d.URL, d.Title)
		}
	}
	if sg := o.Suggestion; sg != nil {
		if sg.Suggested {
			fmt.Fprintf(&b, "\n**Suggested fix** (%s, %s, confidence %s) at `%s:%d`: %s\n\n%s", sg.Suggester, sg.Family, sg.Confidence, sg.File, sg.Line, sg.Explanation, ghmarkdown.Fenced("diff", sg.Diff))
		} else {
			fmt.Fprintf(&b, "\n**No fix suggested:** %s\n", sg.AbstainReason)
		}
	}
	if len(o.Notes) > 0 {
		b.WriteString("\n## Notes\n\n")
		for _, n := range o.Notes {
			fmt.Fprintf(&b, "- %s\n", n)
		}
	}
	if t := o.Ticket; t != nil {
		fmt.Fprintf(&b, "\n## Jira ticket %s: %s\n\n%s", ticketState(t, o.DryRun), t.Summary, t.Body)
	}
	if c := o.Comment; c != nil {
		fmt.Fprintf(&b, "\n## Comment on %s#%d\n\n%s\n", c.Repo, c.Number, c.Body)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func ticketState(t *triageTicket, dryRun bool) string {
	switch {
	case t.Key != "":
		return t.Key
	case t.Pending:
		return "(pending: Jira failed; run again)"
	case t.Held:
		return "(being opened by another run — the App's job or another command — which links it and updates the comment)"
	case dryRun:
		return "(would be opened)"
	}
	return "(not opened)"
}

func indent(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if strings.TrimSpace(line) == "" {
			b.WriteString("\n")
			continue
		}
		b.WriteString("    " + strings.TrimRight(line, "\n") + "\n")
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func fmtCount(n int64) string { return fmt.Sprint(n) }

// The JSON contract of `triage --format json` (docs/output.md). Field names are fixed here,
// not taken from the bot's types, so renaming a Go field never breaks a consumer.

type triageOutput struct {
	Schema            string             `json:"schema"`
	Owner             string             `json:"owner"`
	Issue             triageIssue        `json:"issue"`
	Repo              string             `json:"repo"`
	Commit            string             `json:"commit"`
	Range             string             `json:"range"`
	Commits           int                `json:"commits"`
	SettingsFile      string             `json:"settings_file"`
	Skipped           string             `json:"skipped"`
	Suspect           *triageCandidate   `json:"suspect"`
	Candidates        []triageCandidate  `json:"candidates"`
	Evidence          []string           `json:"evidence"`
	Owners            []string           `json:"owners"`
	Playbook          *triagePlaybook    `json:"playbook"`
	Duplicates        []triageLink       `json:"duplicates"`
	DuplicatesChecked bool               `json:"duplicates_checked"`
	BlastRadius       *triageBlastRadius `json:"blast_radius"`
	Suggestion        *suggest.Result    `json:"suggestion"`
	Notes             []string           `json:"notes"`
	Ticket            *triageTicket      `json:"ticket"`
	Comment           *triageComment     `json:"comment"`
	DryRun            bool               `json:"dry_run"`
}

const triageSchema = "releasegate.triage/v1"

type triageIssue struct {
	ID          string    `json:"id"`
	ShortID     string    `json:"short_id"`
	Title       string    `json:"title"`
	URL         string    `json:"url"`
	Culprit     string    `json:"culprit"`
	Level       string    `json:"level"`
	Events      int64     `json:"events"`
	Users       int64     `json:"users"`
	FirstSeen   time.Time `json:"first_seen"`
	Release     string    `json:"release"`
	Environment string    `json:"environment"`
}

type triageCandidate struct {
	Number      int       `json:"number"`
	Title       string    `json:"title"`
	Author      string    `json:"author"`
	URL         string    `json:"url"`
	MergeCommit string    `json:"merge_commit"`
	MergedAt    time.Time `json:"merged_at"`
	Confidence  string    `json:"confidence"`
	Path        string    `json:"path"`
	Line        int       `json:"line"`
	Evidence    []string  `json:"evidence"`
}

type triagePlaybook struct {
	Name    string `json:"name"`
	Runbook string `json:"runbook"`
	Owner   string `json:"owner"`
	Ticket  bool   `json:"ticket"`
}

type triageLink struct {
	Key   string `json:"key"`
	URL   string `json:"url"`
	Title string `json:"title"`
}

type triageBlastRadius struct {
	Events        int64     `json:"events"`
	Users         int64     `json:"users"`
	UsersFrom     string    `json:"users_from"`
	Tenants       int64     `json:"tenants"`
	TenantsKnown  bool      `json:"tenants_known"`
	WithoutTenant int64     `json:"without_tenant"`
	TopTenants    []tenant  `json:"top_tenants"`
	FirstSeen     time.Time `json:"first_seen"`
	LastSeen      time.Time `json:"last_seen"`
	EventsPerHour float64   `json:"events_per_hour"`
}

type tenant struct {
	Tenant  string  `json:"tenant"`
	Events  int64   `json:"events"`
	Percent float64 `json:"percent"`
}

type triageTicket struct {
	Key     string `json:"key"`
	URL     string `json:"url"`
	Summary string `json:"summary"`
	// Body is the ticket's description as Markdown; Jira gets it as ADF or wiki markup.
	Body    string `json:"body"`
	Pending bool   `json:"pending"`
	// Held says another run holds the ticket's claim and is opening it.
	Held bool `json:"held"`
}

type triageComment struct {
	Repo   string `json:"repo"`
	Number int    `json:"number"`
	Body   string `json:"body"`
}

func newTriageOutput(r bot.TriageReport) triageOutput {
	is := r.Issue
	o := triageOutput{
		Schema: triageSchema, Owner: r.Owner, Repo: r.Repo, Commit: r.Commit, Range: r.Range, Commits: r.Commits,
		SettingsFile: r.SettingsFile, Skipped: r.Skipped, DryRun: r.DryRun, DuplicatesChecked: is.DuplicatesChecked,
		Issue: triageIssue{ID: r.IssueID, ShortID: r.ShortID, Title: is.Title, URL: is.URL, Culprit: is.Culprit, Level: is.Level,
			Events: is.Events, Users: is.Users, FirstSeen: is.FirstSeen, Release: is.Release, Environment: is.Environment},
		Owners: nonNil(is.Owners), Notes: nonNil(r.Notes), Evidence: []string{}, Candidates: []triageCandidate{}, Duplicates: []triageLink{},
	}
	if s := is.Suspicion; s != nil {
		if s.Suspect != nil {
			c := newTriageCandidate(*s.Suspect)
			o.Suspect = &c
		}
		for _, c := range s.Candidates {
			o.Candidates = append(o.Candidates, newTriageCandidate(c))
		}
		o.Evidence = nonNil(s.Evidence)
	}
	o.Suggestion = r.Suggestion
	if p := is.Playbook; p != nil {
		o.Playbook = &triagePlaybook{Name: p.Name, Runbook: p.Runbook, Owner: p.Owner, Ticket: p.OpensTicket()}
	}
	for _, d := range is.Duplicates {
		o.Duplicates = append(o.Duplicates, triageLink(d))
	}
	if br := is.Blast; br != nil {
		ob := &triageBlastRadius{Events: br.Events, Users: br.Users, UsersFrom: br.UsersFrom, Tenants: br.Tenants, TenantsKnown: br.TenantsKnown,
			WithoutTenant: br.WithoutTenant, TopTenants: []tenant{}, FirstSeen: br.FirstSeen, LastSeen: br.LastSeen, EventsPerHour: br.EventsPerHour}
		for _, s := range br.TopTenants {
			ob.TopTenants = append(ob.TopTenants, tenant(s))
		}
		o.BlastRadius = ob
	}
	if t := r.Ticket; t != nil || r.JiraKey != "" || r.TicketPending {
		ot := &triageTicket{Key: r.JiraKey, Pending: r.TicketPending, Held: r.TicketHeld}
		if is.Jira != nil {
			ot.URL = is.Jira.URL
		}
		if t != nil {
			ot.Summary, ot.Body = t.Summary, richtext.Markdown(t.Body)
		}
		o.Ticket = ot
	}
	if r.Comment != "" {
		o.Comment = &triageComment{Repo: r.CommentPR.Repo, Number: r.CommentPR.Number, Body: r.Comment}
	}
	return o
}

func newTriageCandidate(c triage.Candidate) triageCandidate {
	return triageCandidate{Number: c.Number, Title: c.Title, Author: c.Author, URL: c.URL, MergeCommit: c.MergeCommit, MergedAt: c.MergedAt,
		Confidence: string(c.Confidence), Path: c.Path, Line: c.Line, Evidence: nonNil(c.Evidence)}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
