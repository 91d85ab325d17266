package triage

import (
	"fmt"
	"strings"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/internal/ghmarkdown"
)

// A suggestion as a review comment: on an open pull request whose preview or staging deploy
// raised the error, the change goes on the lines it replaces, in a ```suggestion block the
// author applies with one click. GitHub takes a review comment only on lines of the diff, and
// a multi-line one only within one hunk, so SuggestionLines decides from the file's patch.

// SuggestionMarker is the hidden marker of the review holding an issue's suggestion.
func SuggestionMarker(issueID string) string {
	return "<!-- releasegate:suggestion:" + markerID(issueID) + " -->"
}

// SuggestionLines says where on the pull request's diff a suggestion's change goes: lines
// Start..End of the file as the pull request has it (the release's commit is its head, so the
// suggestion's "old file" is the diff's new side). ok is false, with the reason, when the
// change is not a replacement of lines all within one hunk's added or context lines.
func SuggestionLines(patch string, c *suggest.Change) (start, end int, ok bool, reason string) {
	switch {
	case c == nil:
		return 0, 0, false, "the suggestion has no change to place"
	case c.Start < 1 || c.End < c.Start:
		return 0, 0, false, fmt.Sprintf("the change inserts lines (before line %d) rather than replacing some: a suggestion block needs a line to replace", c.Start)
	case patch == "":
		return 0, 0, false, "GitHub gave no patch for the file (binary, or too large)"
	}
	hunks, err := ParsePatch(patch)
	if err != nil {
		return 0, 0, false, "the file's patch could not be read: " + err.Error()
	}
	for _, h := range hunks {
		// Every line of a hunk's new side is an added or a context line: both take comments.
		last := h.NewStart + h.NewLines - 1
		if c.Start >= h.NewStart && c.End <= last {
			return c.Start, c.End, true, ""
		}
	}
	return 0, 0, false, fmt.Sprintf("lines %d to %d are not within one hunk of the pull request's diff", c.Start, c.End)
}

// ReviewSuggestion is what a review comment is rendered from.
type ReviewSuggestion struct {
	IssueID    string
	Issue      Issue
	Suggestion suggest.Result
}

// RenderReviewBody is the review's own body: the marker and one line naming the issue.
func RenderReviewBody(r ReviewSuggestion) string {
	return SuggestionMarker(r.IssueID) + "\n" + fmt.Sprintf("%s was raised by this pull request's deploy: a suggested fix is on `%s`.",
		mdLink(r.Issue.ShortID, r.Issue.URL), ghmarkdown.Code(r.Suggestion.File))
}

// RenderReviewComment is the comment on the lines: who suggested it, the issue, the cause,
// and the replacement in a suggestion block.
func RenderReviewComment(r ReviewSuggestion) string {
	s := r.Suggestion
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** %s: %s\n\n", strings.TrimSuffix(suggesterLine(s), "."), mdLink(r.Issue.ShortID, r.Issue.URL), ghmarkdown.Text(clip(r.Issue.Title, 200)))
	b.WriteString(ghmarkdown.TextWithCode(strings.TrimSpace(s.Explanation)) + "\n\n")
	var repl string
	if s.Change != nil {
		repl = strings.Join(s.Change.New, "\n")
	}
	fence := ghmarkdown.Fence(repl)
	b.WriteString(fence + "suggestion\n")
	if repl != "" {
		b.WriteString(repl + "\n")
	}
	b.WriteString(fence + "\n")
	return b.String()
}
