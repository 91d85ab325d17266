package richtext

import (
	"cmp"
	"fmt"
	"strings"

	"github.com/releasegate/releasegate/internal/ghmarkdown"
)

// Markdown renders d as GitHub-flavoured Markdown: the CLI's markdown format and the golden
// files that show a document at a glance. Text is escaped, so no text becomes markup; a code
// block is fenced with more backticks than its text holds in a row.
func Markdown(d Doc) string {
	var b strings.Builder
	for i, bl := range d.Blocks {
		if i > 0 {
			b.WriteString("\n")
		}
		switch bl := bl.(type) {
		case Heading:
			level := min(max(bl.Level, 1), 6)
			fmt.Fprintf(&b, "%s %s\n", strings.Repeat("#", level), inlines(bl.Content))
		case Paragraph:
			b.WriteString(inlines(bl.Content) + "\n")
		case Code:
			fence := strings.Repeat("`", max(3, longestRun(bl.Text, '`')+1))
			text := strings.TrimRight(bl.Text, "\n")
			fmt.Fprintf(&b, "%s%s\n%s\n%s\n", fence, oneLine(bl.Language), text, fence)
		case List:
			for _, it := range bl.Items {
				b.WriteString("- " + inlines(it) + "\n")
			}
		case Tasks:
			for _, it := range bl.Items {
				box := "[ ]"
				if it.Done {
					box = "[x]"
				}
				b.WriteString("- " + box + " " + inlines(it.Content) + "\n")
			}
		}
	}
	return b.String()
}

func inlines(parts []Inline) string {
	var b strings.Builder
	for _, p := range parts {
		switch p := p.(type) {
		case Text:
			switch {
			case p.Text == "":
			case p.Code:
				b.WriteString("`" + ghmarkdown.Code(p.Text) + "`")
			case p.Strong:
				b.WriteString("**" + ghmarkdown.Text(p.Text) + "**")
			default:
				b.WriteString(ghmarkdown.Text(p.Text))
			}
		case Link:
			text := ghmarkdown.Text(cmp.Or(p.Text, p.URL))
			if safeURL(p.URL) {
				b.WriteString("[" + text + "](" + p.URL + ")")
			} else {
				b.WriteString(text)
			}
		}
	}
	return b.String()
}

// safeURL admits web URLs without characters that would end a Markdown link early.
func safeURL(u string) bool {
	return WebURL(u) && !strings.ContainsAny(u, " \t\r\n()<>\"`")
}

func longestRun(s string, c byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), "") }
