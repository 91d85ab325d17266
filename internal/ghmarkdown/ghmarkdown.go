// Package ghmarkdown makes text from outside (issue titles, reasons, file names, error
// messages) safe to put into the GitHub-flavoured Markdown that releasegate writes: job
// summaries, the gate's report, and, next, pull request comments. There is one escaper, so a
// title cannot break a table row in one place and not in another.
package ghmarkdown

import "strings"

var (
	textEscaper = strings.NewReplacer("\r", " ", "\n", " ", "|", `\|`, "<", "&lt;", ">", "&gt;",
		"`", "'", "[", `\[`, "]", `\]`, "*", `\*`, "_", `\_`)
	codeEscaper = strings.NewReplacer("`", "'", "\n", " ", "\r", " ", "|", `\|`)
)

// Text makes s safe as running text or a table cell: no line breaks, no column separators, no
// HTML, and no code span, link or emphasis that could swallow the rest of the row.
func Text(s string) string { return textEscaper.Replace(s) }

// Code makes s safe inside a backtick code span (which shows it as written, but still ends at
// a backtick or, in a table, at a column separator).
func Code(s string) string { return codeEscaper.Replace(s) }

// Fenced puts s in a fenced code block tagged lang, its fence longer than any run of
// backticks in s so nothing in it can close the block early; s shows as written.
func Fenced(lang, s string) string {
	fence := Fence(s)
	return fence + lang + "\n" + strings.TrimSuffix(s, "\n") + "\n" + fence + "\n"
}

// Fence is a code fence for s: three backticks, or one more than the longest run of them in s.
func Fence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// TextWithCode is Text for a paragraph that marks code with backticks (an explanation naming
// `cart?.total`): the code spans stay code spans, on one line and shown as written (not for
// table cells, where a | would end the cell), and the rest is made safe with Text. Unpaired
// backticks make it all Text.
func TextWithCode(s string) string {
	parts := strings.Split(s, "`")
	if len(parts)%2 == 0 {
		return Text(s)
	}
	var b strings.Builder
	for i, p := range parts {
		if i%2 == 0 {
			b.WriteString(Text(p))
			continue
		}
		if strings.TrimSpace(p) == "" {
			b.WriteString(Text(p))
			continue
		}
		b.WriteString("`" + strings.NewReplacer("\n", " ", "\r", " ").Replace(p) + "`")
	}
	return b.String()
}
