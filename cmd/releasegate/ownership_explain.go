package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/internal/issueowners"
	"github.com/releasegate/releasegate/ownership"
)

// OwnershipExplainOptions are the inputs of `releasegate ownership explain`.
type OwnershipExplainOptions struct {
	IO            *IOStreams
	Target        string
	EventFile     string
	Issue         string
	Dir           string
	Format        string
	FramePriority bool
	Sentry        sentryFlags
}

func newOwnershipExplainCmd(factory *Factory) *cobra.Command {
	ios := factory.IO
	opts := &OwnershipExplainOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "explain [TARGET]",
		Short: "Show which rules match a file, URL or event, and who owns it",
		Long: `Show every ownership rule that matches TARGET, in the order Sentry evaluates them
(CODEOWNERS rules first, then the ownership rules, each top to bottom), and the owners
that result: the last matching rule decides and its first owner is the assignee.

TARGET is a file of the repository (its project is the nearest sentry.properties above
it) or a URL (http:// or https://), tested as an event's request URL. Instead of TARGET,
--event FILE reads a Sentry event as JSON (the API's format or the format SDKs send, "-"
for stdin) and --issue ID fetches an issue's latest event (numeric ID or short ID such as
WEB-1A). For URLs and events the project is the only sentry.properties under --dir, or the
one whose defaults.project is --project.

A file is tested as stack frames show it: its path below its service folder as the frame's
filename, and its path in the repository (after the CODEOWNERS code mapping, if any) as
its abs_path.`,
		Example: `  releasegate ownership explain services/web/src/api/users.ts
  releasegate ownership explain https://shop.example.com/checkout --project web
  releasegate ownership explain --event event.json --format json
  releasegate ownership explain --issue WEB-1A`,
		Args: func(c *cobra.Command, args []string) error {
			given := 0
			if len(args) > 1 {
				return usageErrorf("%s: too many arguments (%s): give one target\nRun '%s --help' for usage.", c.CommandPath(), strings.Join(args, " "), c.CommandPath())
			}
			for _, set := range []bool{len(args) == 1, opts.EventFile != "", opts.Issue != ""} {
				if set {
					given++
				}
			}
			if given != 1 {
				return usageErrorf("%s: give exactly one of TARGET, --event FILE or --issue ID\nRun '%s --help' for usage.", c.CommandPath(), c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 1 {
				opts.Target = args[0]
			}
			ctx, cancel := commandContext(c)
			defer cancel()
			return ownershipExplainRun(ctx, opts)
		},
	}
	cmd.Flags().StringVar(&opts.EventFile, "event", "", "a Sentry event as JSON (API or SDK format); - reads stdin")
	cmd.Flags().StringVar(&opts.Issue, "issue", "", "a Sentry issue ID or short ID: explain its latest event")
	cmd.Flags().StringVar(&opts.Dir, "dir", ".", "the folder whose sentry.properties apply")
	cmd.Flags().StringVar(&opts.Format, "format", "human", "output: human or json")
	cmd.Flags().BoolVar(&opts.FramePriority, "frame-priority", false, "rank matches by stack frame, as Sentry's newest code does (docs/ownership.md)")
	opts.Sentry.register(factory, cmd, true)
	registerTimeout(cmd, timeoutOwnership, "")
	cmd.Flags().Lookup("project").Usage = "with several sentry.properties: the one whose defaults.project this is"
	return cmd
}

// explanation is the JSON output of `ownership explain` (docs/ownership.md).
type explanation struct {
	Target     string         `json:"target"`
	Properties string         `json:"properties"`
	Project    string         `json:"project,omitempty"`
	Matches    []explainMatch `json:"matches"`
	Owners     []string       `json:"owners"`
	Assignee   *string        `json:"assignee"`
	// Rule is the deciding rule's position ("file:line"); null when no rule matched.
	Rule *string `json:"rule"`
}

type explainMatch struct {
	File   string   `json:"file"`
	Line   int      `json:"line"`
	Rule   string   `json:"rule"`
	Owners []string `json:"owners"`
	// Value is what the rule matched: a frame's path or module, the URL, or a tag value.
	Value string `json:"value"`
}

func ownershipExplainRun(ctx context.Context, opts *OwnershipExplainOptions) error {
	if opts.Format != "human" && opts.Format != "json" {
		return usageErrorf("unknown --format %q: use human or json", opts.Format)
	}
	isURL := strings.HasPrefix(opts.Target, "http://") || strings.HasPrefix(opts.Target, "https://")
	// Paths are read from the working folder; messages name them as given.
	env := opts.Sentry.env(opts.IO)
	dir, target := env.Abs(opts.Dir), env.Abs(opts.Target)
	if opts.Target != "" && !isURL {
		info, err := os.Stat(target)
		if err != nil {
			return usageErrorf("%v: TARGET must be a file of the repository or a URL starting with http:// or https://", asGiven(err, opts.Target))
		}
		dir = target
		if !info.IsDir() {
			dir = filepath.Dir(target)
		}
	}
	// --project picks one of the files found; each file still names its own project.
	conn := opts.Sentry
	conn.Projects = nil
	repo, err := loadOwnershipRepo(ctx, opts.IO, opts.Dir, conn)
	if err != nil {
		return err
	}
	p, err := pickProject(repo, dir, opts)
	if err != nil {
		return err
	}
	if err := problemsError([]*ownershipProject{p}); err != nil {
		return err
	}

	var ev ownership.Event
	switch {
	case isURL:
		ev.URL = opts.Target
		target = opts.Target
	case opts.Target != "":
		rel, ok := repo.Tree.Rel(target)
		if !ok {
			return usageErrorf("%s is outside the repository at %s", opts.Target, repo.Tree.Root)
		}
		target = rel
		ev.Frames = []ownership.Frame{p.FileFrame(rel)}
	case opts.EventFile != "":
		ev, err = readEventFile(opts.IO, env, opts.EventFile)
		if err != nil {
			return err
		}
		target = opts.EventFile
	default:
		ev, target, err = fetchIssueEvent(ctx, p, opts.Issue)
		if err != nil {
			return err
		}
	}

	d := ownership.Owners(p.Rules(), ev, ownership.Options{FramePriority: opts.FramePriority})
	out := explanation{Target: target, Properties: p.Label, Matches: []explainMatch{}, Owners: []string{}}
	if len(p.Conn.Projects) == 1 {
		out.Project = p.Conn.Projects[0]
	}
	for _, m := range d.Matches {
		out.Matches = append(out.Matches, explainMatch{File: m.Rule.File, Line: m.Rule.Line, Rule: m.Rule.String(), Owners: ownerStrings(m.Rule.Owners), Value: m.Value})
	}
	out.Owners = ownerStrings(d.Owners)
	if d.Assignee != nil {
		a := d.Assignee.String()
		out.Assignee = &a
	}
	if d.Rule != nil {
		pos := d.Rule.Position()
		out.Rule = &pos
	}
	if opts.Format == "json" {
		return writeJSON(opts.IO.Out, out)
	}
	return writeExplanation(opts.IO.Out, newPalette(opts.IO, opts.IO.OutTTY), out)
}

// pickProject chooses the sentry.properties that applies: for a file, the nearest one above
// it; otherwise the only one, or the one naming --project.
func pickProject(repo *ownershipRepo, dir string, opts *OwnershipExplainOptions) (*ownershipProject, error) {
	if opts.Target != "" && !strings.Contains(opts.Target, "://") {
		rel, ok := repo.Tree.Rel(dir)
		if !ok {
			return nil, usageErrorf("%s is outside the repository at %s", opts.Target, repo.Tree.Root)
		}
		var best *ownershipProject
		for _, p := range repo.Projects {
			if (p.Dir == "" || rel == p.Dir || strings.HasPrefix(rel, p.Dir+"/")) && (best == nil || len(p.Dir) > len(best.Dir)) {
				best = p
			}
		}
		if best == nil {
			return nil, usageErrorf("no sentry.properties applies to %s: none is in its folder or a folder above it, within %s", opts.Target, opts.Dir)
		}
		return best, nil
	}
	if len(repo.Projects) == 1 {
		return repo.Projects[0], nil
	}
	var names []string
	for _, p := range repo.Projects {
		if len(p.Conn.Projects) == 1 {
			if len(opts.Sentry.Projects) == 1 && p.Conn.Projects[0] == opts.Sentry.Projects[0] {
				return p, nil
			}
			names = append(names, p.Conn.Projects[0])
		}
	}
	if len(opts.Sentry.Projects) == 1 {
		return nil, usageErrorf("no sentry.properties under %s names project %q (found: %s)", opts.Dir, opts.Sentry.Projects[0], strings.Join(names, ", "))
	}
	return nil, usageErrorf("%s holds %d sentry.properties: choose one with --project (%s) or --dir", opts.Dir, len(repo.Projects), strings.Join(names, ", "))
}

func readEventFile(ios *IOStreams, env *Factory, name string) (ownership.Event, error) {
	var data []byte
	var err error
	if name == "-" {
		data, err = io.ReadAll(io.LimitReader(ios.In, 64<<20))
	} else {
		data, err = os.ReadFile(env.Abs(name))
		err = asGiven(err, name)
	}
	if err != nil {
		return ownership.Event{}, usageErrorf("reading the event: %v", err)
	}
	ev, err := ownership.DecodeEvent(data)
	if err != nil {
		return ownership.Event{}, usageErrorf("%s: %v; give a Sentry event as JSON (the API's event or what an SDK sends)", name, err)
	}
	return ev, nil
}

// fetchIssueEvent fetches an issue's latest event and reads it as ownership needs it.
func fetchIssueEvent(ctx context.Context, p *ownershipProject, issue string) (ownership.Event, string, error) {
	if p.ConnErr != nil {
		return ownership.Event{}, "", usageErrorf("%s: Sentry configuration: %v", p.Label, p.ConnErr)
	}
	if err := p.Conn.Require(true, true, false); err != nil {
		return ownership.Event{}, "", usageErrorf("--issue needs Sentry: %v", err)
	}
	client, _, err := p.factory.SentryClient(p.Conn)
	if err != nil {
		return ownership.Event{}, "", err
	}
	ev, eventID, err := issueowners.IssueEvent(ctx, client, p.Conn.Org, issue)
	if fe, ok := errors.AsType[*issueowners.FetchError](err); ok {
		return ownership.Event{}, "", sentryFailed(fe.What, fe.Err, "")
	}
	if err != nil {
		return ownership.Event{}, "", err
	}
	return ev, fmt.Sprintf("issue %s (event %s)", issue, eventID), nil
}

func ownerStrings(owners []ownership.Owner) []string {
	out := make([]string, len(owners))
	for i, o := range owners {
		out[i] = o.String()
	}
	return out
}

func writeExplanation(w io.Writer, pal palette, e explanation) error {
	project := e.Properties
	if e.Project != "" {
		project = fmt.Sprintf("project %s, %s", e.Project, e.Properties)
	}
	fmt.Fprintf(w, "%s  (%s)\n", pal.Bold(e.Target), project)
	if len(e.Matches) == 0 {
		fmt.Fprintln(w, "no rule matches")
	} else {
		fmt.Fprintln(w, "matching rules, in the order Sentry evaluates them:")
		width := 0
		for _, m := range e.Matches {
			width = max(width, len(fmt.Sprintf("%s:%d", m.File, m.Line)))
		}
		for _, m := range e.Matches {
			pos := fmt.Sprintf("%s:%d", m.File, m.Line)
			mark := "  "
			if e.Rule != nil && *e.Rule == pos {
				mark = pal.Wrap("1;32", "→ ")
			}
			fmt.Fprintf(w, "%s%-*s  %s  %s\n", mark, width, pos, m.Rule, pal.Dim("matched "+m.Value))
		}
	}
	owners := "none"
	if len(e.Owners) > 0 {
		owners = strings.Join(e.Owners, ", ")
	}
	fmt.Fprintf(w, "owners:   %s\n", owners)
	assignee := "none"
	if e.Assignee != nil {
		assignee = *e.Assignee
	}
	if e.Rule != nil {
		assignee += " (decided by " + *e.Rule + ")"
	}
	_, err := fmt.Fprintf(w, "assignee: %s\n", assignee)
	return err
}
