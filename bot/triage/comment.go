package triage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/internal/ghmarkdown"
)

// CommentMarker opens every triage comment, unseen on GitHub: the bot finds its comment on a
// pull request by it and edits that one, so a pull request has one triage comment however
// many issues or webhooks arrive.
const CommentMarker = "<!-- releasegate:triage -->"

// MaxCommentLength is GitHub's limit on a comment's body, in characters.
const MaxCommentLength = 65536

// CommentIssues is how many issues a comment lists, newest first; the rest are counted.
const CommentIssues = 10

// maxDuplicates is how many likely duplicates the comment names per issue.
const maxDuplicates = 5

// IsTriageComment reports whether a comment's body is the bot's triage comment.
func IsTriageComment(body string) bool { return strings.HasPrefix(body, CommentMarker) }

// RenderComment writes the pull request's triage comment: the Sentry issues it is suspected
// of, newest first (at most CommentIssues, the rest counted), each with its numbers, release,
// owner and Jira ticket in a table, and below it why this pull request, the blast radius, the
// playbook and the likely duplicates. Every text from outside goes through ghmarkdown, so an
// issue's title cannot break the table or bring HTML; the whole stays under GitHub's limit.
func RenderComment(issues []Issue) string {
	return RenderCommentUpTo(issues, CommentIssues)
}

// RenderCommentUpTo is RenderComment listing at most limit issues (a repository's
// max_issues_per_comment, Settings.MaxIssuesPerComment); a limit below 1 is taken as 1.
func RenderCommentUpTo(issues []Issue, limit int) string {
	list := slices.Clone(issues)
	slices.SortStableFunc(list, func(a, b Issue) int {
		return cmp.Or(b.FirstSeen.Compare(a.FirstSeen), cmp.Compare(a.ShortID, b.ShortID))
	})
	shown := min(len(list), max(limit, 1))
	for {
		body := renderComment(list[:shown], len(list)-shown)
		if utf8.RuneCountInString(body) <= MaxCommentLength || shown == 0 {
			return body
		}
		shown-- // cannot happen with the caps below; kept so the limit holds whatever changes
	}
}

func renderComment(list []Issue, more int) string {
	var b strings.Builder
	b.WriteString(CommentMarker + "\n")
	b.WriteString("### Sentry issues this pull request may have caused\n\n")
	if len(list) == 0 {
		b.WriteString("None any more.\n")
	} else {
		b.WriteString("| Issue | Events | Users | First seen | Release | Owner | Jira |\n")
		b.WriteString("| --- | ---: | ---: | --- | --- | --- | --- |\n")
		for _, is := range list {
			fmt.Fprintf(&b, "| %s %s | %s | %s | %s | %s | %s | %s |\n",
				mdLink(is.ShortID, is.URL), ghmarkdown.Text(clip(is.Title, 100)), thousands(is.Events), thousands(is.Users),
				when(is.FirstSeen), releaseCell(is), dash(ghmarkdown.Text(clip(is.Team(), 60))), jiraCell(is.Jira))
		}
		for _, is := range list {
			b.WriteString("\n" + details(is))
		}
	}
	if more > 0 {
		fmt.Fprintf(&b, "\n_%s older %s not shown._\n", thousands(int64(more)), plural(more, "issue", "issues"))
	}
	b.WriteString("\n<sub>Kept up to date by releasegate. Turn it off, or set the environments and the minimum events, under `triage:` in `.github/releasegate.yml`.</sub>\n")
	return b.String()
}

// details is one issue's paragraph: why, blast radius, playbook, duplicates, fix.
func details(is Issue) string {
	var b strings.Builder
	head := "**" + mdLink(is.ShortID, is.URL) + "**"
	if w := whyMarkdown(is.Suspicion); w != "" {
		head += " — " + w
	}
	b.WriteString(head + "\n")
	if bl := is.Blast; bl != nil {
		fmt.Fprintf(&b, "- Blast radius: %s, %s, %s events an hour since first seen, last seen %s\n",
			ghmarkdown.Text(tenantsText(bl)), usersText(bl), rate(bl.EventsPerHour), when(bl.LastSeen))
	}
	if p := is.Playbook; p != nil {
		line := "- Playbook: " + mdLink(clip(p.Name, 80), p.Runbook)
		if p.Owner != "" {
			line += " (owner " + ghmarkdown.Text(clip(p.Owner, 60)) + ")"
		}
		b.WriteString(line + "\n")
	}
	if len(is.Duplicates) > 0 {
		var ds []string
		for _, d := range is.Duplicates[:min(len(is.Duplicates), maxDuplicates)] {
			ds = append(ds, mdLink(d.Key, d.URL))
		}
		if n := len(is.Duplicates) - maxDuplicates; n > 0 {
			ds = append(ds, fmt.Sprintf("%d more", n))
		}
		b.WriteString("- Likely duplicates: " + strings.Join(ds, ", ") + "\n")
	}
	if is.FixedBy != 0 {
		fmt.Fprintf(&b, "- Fixed by #%d: resolved in Sentry in the next release\n", is.FixedBy)
	}
	b.WriteString(suggestionMarkdown(is))
	return b.String()
}

// maxCommentDiff bounds a suggestion's diff in the comment; a longer one is left to the fix
// pull request or `releasegate suggest`.
const maxCommentDiff = 3000

// suggestionMarkdown is the issue's suggested fix in the comment: who suggested it, how sure,
// why, and the diff folded away; or, when none is safe, why not.
func suggestionMarkdown(is Issue) string {
	s := is.Suggestion
	if s == nil {
		return ""
	}
	if !s.Suggested {
		return "- No fix suggested: " + ghmarkdown.Text(clip(s.AbstainReason, 300)) + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "- Suggested fix by %s (confidence %s)", suggesterName(s.Suggester), s.Confidence)
	if is.FixPR != nil {
		b.WriteString(", proposed in " + mdLink(is.FixPR.Key, is.FixPR.URL))
	}
	b.WriteString(": " + ghmarkdown.TextWithCode(clip(s.Explanation, 800)) + "\n")
	if s.Diff != "" && len(s.Diff) <= maxCommentDiff {
		b.WriteString("\n  <details><summary>The change</summary>\n\n")
		for _, l := range strings.SplitAfter(ghmarkdown.Fenced("diff", s.Diff), "\n") {
			if l != "" {
				b.WriteString("  " + l)
			}
		}
		b.WriteString("\n  </details>\n")
	}
	return b.String()
}

// suggesterName says who suggested a fix, so a model's answer is never taken for a rule's.
func suggesterName(by string) string {
	if by == suggest.ByModel {
		return "a model (review it carefully)"
	}
	return "releasegate's rules"
}

func whyMarkdown(s *Suspicion) string {
	if s == nil || s.Suspect == nil {
		return ""
	}
	c := s.Suspect
	file := "`" + ghmarkdown.Code(clip(c.Path, 200)) + "`"
	switch c.Confidence {
	case ConfidenceLine:
		return fmt.Sprintf("line %d of %s is a line this pull request added or changed", c.Line, file)
	case ConfidenceHunk:
		return fmt.Sprintf("line %d of %s is beside a change this pull request made", c.Line, file)
	default:
		return "this pull request changed " + file + ", the file the error was raised in"
	}
}

func releaseCell(is Issue) string {
	s := ""
	if is.Release != "" {
		s = "`" + ghmarkdown.Code(clip(is.Release, 80)) + "`"
	}
	if is.Environment != "" {
		s = strings.TrimSpace(s + " " + ghmarkdown.Text(clip(is.Environment, 40)))
	}
	return dash(s)
}

func jiraCell(l *Link) string {
	if l == nil {
		return "—"
	}
	return mdLink(l.Key, l.URL)
}

// mdLink is text linked to url, or the text alone when url is not a plain http(s) URL.
func mdLink(text, url string) string {
	text = ghmarkdown.Text(clip(text, 120))
	if !plainURL(url) {
		return text
	}
	return "[" + text + "](" + url + ")"
}

// plainURL admits absolute http(s) URLs with nothing that could end a Markdown link early.
func plainURL(u string) bool {
	return (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) && len(u) <= 500 &&
		!strings.ContainsAny(u, " \t\r\n()<>[]\"'`|\\")
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
