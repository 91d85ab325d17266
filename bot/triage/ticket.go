package triage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/releasegate/releasegate/internal/richtext"
)

// Exception is one exception of the event, its frames oldest call first (as Sentry sends
// them), already source-mapped where Sentry could.
type Exception struct {
	Type   string
	Value  string
	Frames []Frame
}

// TicketInput is what the Jira ticket says.
type TicketInput struct {
	Issue Issue
	// Exceptions are the event's, oldest cause first (as Sentry sends them).
	Exceptions []Exception
	// StackResolved says the frames are source-mapped or otherwise resolved to source.
	StackResolved bool
	// OwnerAssigned says the ticket has an assignee from the owner → Jira account mapping.
	OwnerAssigned bool
}

// Ticket is a Jira ticket's words: its summary and its description, as a format-neutral
// document the Jira client renders (ADF on Cloud, wiki markup on Data Center).
type Ticket struct {
	Summary string
	Body    richtext.Doc
}

// MaxSummary is Jira's limit on a summary, in characters.
const MaxSummary = 255

// maxFrames is how many frames per exception the ticket shows, newest first.
const maxFrames = 30

// NewTicket writes the ticket for a triaged issue: the issue and its release, the playbook
// first when one matches, the suspect pull request or the candidates, owners, blast radius,
// duplicates, the stack trace, and the guide's triage checklist with what the bot did ticked.
func NewTicket(in TicketInput) Ticket {
	is := in.Issue
	t := Ticket{Summary: clip(is.ShortID+": "+is.Title, MaxSummary)}
	var d []richtext.Block
	add := func(b ...richtext.Block) { d = append(d, b...) }

	intro := []richtext.Inline{richtext.Plain("Sentry issue "), richtext.Link{Text: is.ShortID, URL: is.URL},
		richtext.Plain(fmt.Sprintf(": %s events, %s, first seen %s", thousands(is.Events), countWord(is.Users, "user"), when(is.FirstSeen)))}
	if is.Release != "" {
		intro = append(intro, richtext.Plain(" in release "), richtext.Mono(is.Release))
	}
	if is.Environment != "" {
		intro = append(intro, richtext.Plain(" ("+is.Environment+")"))
	}
	add(richtext.Paragraph{Content: append(intro, richtext.Plain("."))})
	if is.Culprit != "" {
		add(richtext.Para(richtext.Plain("Culprit: "), richtext.Mono(is.Culprit)))
	}

	if p := is.Playbook; p != nil {
		add(richtext.Title(2, "Known problem: "+p.Name))
		var parts []richtext.Inline
		if p.Runbook != "" {
			parts = append(parts, richtext.Plain("Follow the runbook: "), richtext.Link{Text: p.Runbook, URL: p.Runbook}, richtext.Plain(". "))
		}
		if p.Owner != "" {
			parts = append(parts, richtext.Plain("Owner: "), richtext.Strong(p.Owner), richtext.Plain("."))
		}
		if len(parts) > 0 {
			add(richtext.Paragraph{Content: parts})
		}
	}

	add(suspectBlocks(is)...)
	add(suggestionBlocks(is)...)

	add(richtext.Title(2, "Owners"))
	if len(is.Owners) == 0 {
		add(richtext.Para(richtext.Plain("No ownership rule names an owner for the frames of this error.")))
	} else {
		add(richtext.Para(richtext.Plain("By the ownership rules at the release's commit: "), richtext.Strong(strings.Join(is.Owners, ", ")), richtext.Plain(".")))
	}

	add(richtext.Title(2, "Blast radius"))
	if bl := is.Blast; bl == nil {
		add(richtext.Para(richtext.Plain("Not measured.")))
	} else {
		items := [][]richtext.Inline{
			{richtext.Plain(tenantsText(bl))},
			{richtext.Plain(usersText(bl))},
			{richtext.Plain(rate(bl.EventsPerHour) + " events an hour since first seen (" + thousands(bl.Events) + " in all)")},
			{richtext.Plain("first seen " + when(bl.FirstSeen) + ", last seen " + when(bl.LastSeen))},
		}
		if bl.TenantsKnown && bl.WithoutTenant > 0 {
			items = append(items, []richtext.Inline{richtext.Plain(countWord(bl.WithoutTenant, "event") + " name no tenant")})
		}
		add(richtext.List{Items: items})
	}

	add(richtext.Title(2, "Likely duplicates"))
	switch {
	case !is.DuplicatesChecked:
		add(richtext.Para(richtext.Plain("Not checked.")))
	case len(is.Duplicates) == 0:
		add(richtext.Para(richtext.Plain("None: no open issue has the same exception type and top in-app frame.")))
	default:
		var items [][]richtext.Inline
		for _, dup := range is.Duplicates {
			line := []richtext.Inline{richtext.Link{Text: dup.Key, URL: dup.URL}}
			if dup.Title != "" {
				line = append(line, richtext.Plain(" "+clip(dup.Title, 120)))
			}
			items = append(items, line)
		}
		add(richtext.List{Items: items})
	}

	if st := stackText(in.Exceptions); st != "" {
		title := "Stack trace"
		if in.StackResolved {
			title += " (source-mapped)"
		}
		add(richtext.Title(2, title), richtext.Code{Language: "text", Text: st})
	}

	add(richtext.Title(2, "Triage checklist"))
	add(richtext.Tasks{Items: []richtext.Task{
		task(in.OwnerAssigned, "Owner assigned"),
		task(true, "Known problems checked (playbooks)"),
		task(is.DuplicatesChecked, "Duplicates checked"),
		task(is.Blast != nil, "Blast radius measured"),
		task(in.StackResolved, "Stack trace resolved"),
		task(false, "Cause confirmed with the suspect change's author"),
		task(is.FixedBy != 0, "Fix merged, its pull request saying \"Fixes "+is.ShortID+"\""),
		task(is.FixedBy != 0, "Issue resolved in Sentry in the next release"),
	}})
	t.Body = richtext.Doc{Blocks: d}
	return t
}

// suggestionBlocks is the ticket's "Suggested fix" section: the explanation, the diff and
// the fix pull request; or why no fix is suggested.
func suggestionBlocks(is Issue) []richtext.Block {
	s := is.Suggestion
	if s == nil {
		return nil
	}
	out := []richtext.Block{richtext.Title(2, "Suggested fix")}
	if !s.Suggested {
		return append(out, richtext.Para(richtext.Plain("None: "+s.AbstainReason+".")))
	}
	out = append(out, richtext.Para(richtext.Plain(fmt.Sprintf("By %s, confidence %s: ", suggesterName(s.Suggester), s.Confidence)),
		richtext.Plain(s.Explanation)))
	if is.FixPR != nil {
		out = append(out, richtext.Para(richtext.Plain("Proposed in "), richtext.Link{Text: is.FixPR.Key, URL: is.FixPR.URL}, richtext.Plain(".")))
	}
	if s.Diff != "" {
		out = append(out, richtext.Code{Language: "diff", Text: s.Diff})
	}
	return out
}

func task(done bool, text string) richtext.Task {
	return richtext.Task{Done: done, Content: []richtext.Inline{richtext.Plain(text)}}
}

func suspectBlocks(is Issue) []richtext.Block {
	out := []richtext.Block{richtext.Title(2, "Suspect pull request")}
	s := is.Suspicion
	if s == nil {
		return append(out, richtext.Para(richtext.Plain("Not looked for: the event has no in-app frame in the repository.")))
	}
	if c := s.Suspect; c != nil {
		out = append(out, richtext.Paragraph{Content: []richtext.Inline{prLink(*c), richtext.Plain(prBy(*c) + ", confidence: " + string(c.Confidence) + ".")}})
		var items [][]richtext.Inline
		for _, e := range append(slices.Clone(s.Evidence), c.Evidence...) {
			items = append(items, []richtext.Inline{richtext.Plain(e)})
		}
		return append(out, richtext.List{Items: items})
	}
	release := "the release"
	if is.Release != "" {
		release = "release " + is.Release
	}
	out = append(out, richtext.Para(richtext.Plain(fmt.Sprintf("No pull request of %s changes %s, so none is suspected and no pull request was commented on.", release, s.Location.Path))))
	if len(s.Candidates) > 0 {
		var items [][]richtext.Inline
		for _, c := range s.Candidates {
			items = append(items, []richtext.Inline{prLink(c), richtext.Plain(prBy(c))})
		}
		out = append(out, richtext.Para(richtext.Plain("The release's pull requests, newest first:")), richtext.List{Items: items})
	}
	return out
}

func prLink(c Candidate) richtext.Inline {
	return richtext.Link{Text: fmt.Sprintf("#%d %s", c.Number, clip(c.Title, 120)), URL: c.URL}
}

func prBy(c Candidate) string {
	s := ""
	if c.Author != "" {
		s += " by @" + c.Author
	}
	if !c.MergedAt.IsZero() {
		s += ", merged " + when(c.MergedAt)
	}
	return s
}

// stackText writes the exceptions as a trace, outermost first and each exception's newest
// frame first, at most maxFrames per exception.
func stackText(excs []Exception) string {
	var b strings.Builder
	for i := len(excs) - 1; i >= 0; i-- {
		e := excs[i]
		if i < len(excs)-1 {
			b.WriteString("\ncaused by: ")
		}
		b.WriteString(strings.TrimSpace(e.Type + ": " + e.Value))
		b.WriteString("\n")
		shown := 0
		for j := len(e.Frames) - 1; j >= 0 && shown < maxFrames; j-- {
			f := e.Frames[j]
			loc := cmp.Or(f.Filename, f.AbsPath, f.Module, "?")
			if f.LineNo > 0 {
				loc += fmt.Sprintf(":%d", f.LineNo)
			}
			fn := cmp.Or(f.Function, "?")
			mark := "  "
			if f.InApp {
				mark = "> "
			}
			fmt.Fprintf(&b, "%sat %s (%s)\n", mark, fn, loc)
			shown++
		}
		if n := len(e.Frames) - shown; n > 0 {
			fmt.Fprintf(&b, "  … %d older frames\n", n)
		}
	}
	return b.String()
}
