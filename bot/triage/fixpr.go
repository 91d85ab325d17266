package triage

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/internal/ghmarkdown"
)

// A fix pull request: the suggestion applied on a branch of the release's commit, opened
// against the default branch, saying "Fixes <SHORT-ID>" so that Sentry resolves the issue in
// the release that ships it. Rendering only: bot/fixpr.go makes the calls.

// FixBranchPrefix starts every fix branch's name.
const FixBranchPrefix = "releasegate/fix-"

// maxFixTitle bounds a fix pull request's title: GitHub shows about 70 characters in lists.
const maxFixTitle = 72

// FixPull is what a fix pull request is rendered from.
type FixPull struct {
	// IssueID is the Sentry issue's numeric ID (in the hidden marker); Issue its short ID,
	// title and page.
	IssueID string
	Issue   Issue
	// Jira is the ticket, nil when there is none.
	Jira *Link
	// Suspect is the pull request suspected of causing it, nil when none was named.
	Suspect *Candidate
	// Suggestion is the fix: Suggested, with its File, Line, Diff and Explanation.
	Suggestion suggest.Result
	// Release and Commit are the release the branch starts from and its commit.
	Release, Commit string
}

// FixBranch is the branch of an issue's fix pull request: one name per issue, so a second
// run finds the first's branch instead of making another.
func FixBranch(shortID string) string {
	return FixBranchPrefix + strings.ToLower(branchUnsafe.ReplaceAllString(shortID, "-"))
}

// branchUnsafe is what git or a URL would not take in a branch name; short IDs are letters,
// digits and '-' anyway.
var branchUnsafe = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// FixMarker is the hidden marker of an issue's fix pull request.
func FixMarker(issueID string) string { return "<!-- releasegate:fix:" + markerID(issueID) + " -->" }

// markerID keeps an issue ID from ending its HTML comment.
func markerID(id string) string { return branchUnsafe.ReplaceAllString(id, "_") }

// FixTitle is the pull request's title: "WEB-123: TypeError: cart is undefined", clipped.
func FixTitle(f FixPull) string {
	return clip(f.Issue.ShortID+": "+f.Issue.Title, maxFixTitle)
}

// FixCommitMessage is the commit's message: the title, then Fixes, which Sentry also reads
// in commits.
func FixCommitMessage(f FixPull) string {
	return FixTitle(f) + "\n\n" + suggesterLine(f.Suggestion) + "\n\nFixes " + f.Issue.ShortID + "\n"
}

// suggesterLine says who made the suggestion, so a reviewer knows how hard to look.
func suggesterLine(r suggest.Result) string {
	if r.Suggester == suggest.ByModel {
		return "Suggested by a model (review carefully)."
	}
	return "Suggested by releasegate's rules."
}

// RenderFixBody is the pull request's body: the marker, who suggested it, the cause, the
// change, the links, and "Fixes <SHORT-ID>" on its own line.
func RenderFixBody(f FixPull) string {
	var b strings.Builder
	s := f.Suggestion
	b.WriteString(FixMarker(f.IssueID) + "\n")
	fmt.Fprintf(&b, "**%s**", strings.TrimSuffix(suggesterLine(s), "."))
	var about []string
	if s.Family != "" {
		about = append(about, s.Family)
	}
	if s.Confidence != "" {
		about = append(about, string(s.Confidence)+" confidence")
	}
	if len(about) > 0 {
		fmt.Fprintf(&b, " (%s)", ghmarkdown.Text(strings.Join(about, ", ")))
	}
	b.WriteString("\n\n")
	fmt.Fprintf(&b, "%s: %s", mdLink(f.Issue.ShortID, f.Issue.URL), ghmarkdown.Text(clip(f.Issue.Title, 200)))
	if f.Issue.Environment != "" {
		fmt.Fprintf(&b, ", seen in `%s`", ghmarkdown.Code(clip(f.Issue.Environment, 64)))
	}
	if f.Release != "" {
		fmt.Fprintf(&b, ", in release `%s`", ghmarkdown.Code(clip(f.Release, 80)))
	}
	b.WriteString(".\n\n## Cause\n\n")
	b.WriteString(ghmarkdown.TextWithCode(strings.TrimSpace(s.Explanation)) + "\n\n")
	b.WriteString("## Change\n\n")
	fmt.Fprintf(&b, "%s\n\n", DiffSummary(s))
	if s.Diff != "" {
		b.WriteString(ghmarkdown.Fenced("diff", s.Diff) + "\n")
	}
	b.WriteString("## Links\n\n")
	fmt.Fprintf(&b, "- Sentry: %s\n", mdLink(f.Issue.ShortID, f.Issue.URL))
	if f.Jira != nil {
		fmt.Fprintf(&b, "- Jira: %s\n", mdLink(f.Jira.Key, f.Jira.URL))
	}
	if f.Suspect != nil {
		fmt.Fprintf(&b, "- Suspected pull request: #%d %s\n", f.Suspect.Number, ghmarkdown.Text(clip(f.Suspect.Title, 100)))
	}
	if f.Commit != "" {
		fmt.Fprintf(&b, "- Branched from `%s`, the release's commit; check it still applies to the base branch.\n", ghmarkdown.Code(shortSHA(f.Commit)))
	}
	b.WriteString("\nFixes " + f.Issue.ShortID + "\n")
	return b.String()
}

// DiffSummary says in one line what the change does: the file, the line and the count of
// lines removed and added.
func DiffSummary(r suggest.Result) string {
	removed, added := 0, 0
	for _, l := range strings.Split(r.Diff, "\n") {
		switch {
		case strings.HasPrefix(l, "---") || strings.HasPrefix(l, "+++"):
		case strings.HasPrefix(l, "-"):
			removed++
		case strings.HasPrefix(l, "+"):
			added++
		}
	}
	return fmt.Sprintf("`%s` at line %d: %d %s removed, %d added.", ghmarkdown.Code(r.File), r.Line, removed, plural(removed, "line", "lines"), added)
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
