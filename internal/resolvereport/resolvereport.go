// Package resolvereport renders what `releasegate sourcemaps resolve` finds: resolved
// positions and rewritten stack traces, as text for a person (human) or as the values of the
// documented JSON contract (docs/resolve.md). The CLI writes them to a terminal; the GitHub App
// can put the same text into a comment. Colours are the caller's: a Style says how to mark
// each piece, and its zero value leaves text plain.
package resolvereport

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/releasegate/releasegate/sourcemaps"
)

// Style marks the pieces of the human output (cmd fills it from its palette). A nil function
// leaves its pieces plain.
type Style struct {
	// Bold marks the original location; Dim the notes, the map line and the gutter; Warn the
	// word "unmapped"; Caret the caret under the column.
	Bold, Dim, Warn, Caret func(string) string
}

func mark(f func(string) string, s string) string {
	if f == nil {
		return s
	}
	return f(s)
}

// WriteResolutions prints the answers for positions of file, whose map is mapPath (file itself
// for a map or an inline map): a line naming the map when it is another file, then one block
// per position. It returns the first write error.
func WriteResolutions(w io.Writer, st Style, file, mapPath string, rs []sourcemaps.Resolution) error {
	ew := &errWriter{w: w}
	if mapPath != file {
		fmt.Fprintln(ew, mark(st.Dim, fmt.Sprintf("%s (map: %s)", file, mapPath)))
	}
	for i, r := range rs {
		if i > 0 || mapPath != file {
			fmt.Fprintln(ew)
		}
		writeResolution(ew, st, file, mapPath, r)
	}
	return ew.err
}

// writeResolution prints one block: "FILE:LINE:COL → source:line:column name", then the
// original line with a caret under the column. A relative source is shown as a path from where
// the map was named (see sourcemaps.LocalSourcePath); the JSON has the raw values.
func writeResolution(w io.Writer, st Style, file, mapPath string, r sourcemaps.Resolution) {
	gen := fmt.Sprintf("%s:%d:%d", file, r.Line, r.Column)
	if !r.Mapped {
		fmt.Fprintf(w, "%s → %s\n", gen, mark(st.Warn, "unmapped"))
		fmt.Fprintf(w, "  %s\n", mark(st.Dim, fmt.Sprintf("no mapping with a source at or before column %d of line %d", r.Column, r.Line)))
		return
	}
	src := sourcemaps.LocalSourcePath(mapPath, r.SourceResolved)
	if r.SourceIsNull {
		src = "(null source)"
	}
	loc := fmt.Sprintf("%s:%d:%d", src, r.OriginalLine, r.OriginalColumn)
	if r.HasName {
		loc += " " + r.Name
	}
	fmt.Fprintf(w, "%s → %s\n", gen, mark(st.Bold, loc))
	if !r.HasContext {
		fmt.Fprintf(w, "  %s\n", mark(st.Dim, "(the map has no sourcesContent for this source)"))
		return
	}
	text, caret := ContextWindow(r.Context, r.OriginalColumn)
	num := strconv.Itoa(r.OriginalLine)
	gutter := strings.Repeat(" ", len(num))
	fmt.Fprintf(w, "  %s %s %s\n", mark(st.Dim, num), mark(st.Dim, "|"), text)
	fmt.Fprintf(w, "  %s %s %s%s\n", gutter, mark(st.Dim, "|"), caret, mark(st.Caret, "^"))
}

// WriteTrace prints a resolved trace as the human output shows it: every line as rewritten,
// with its own line terminator, in one write.
func WriteTrace(w io.Writer, lines []sourcemaps.ResolvedLine) error {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.Text)
		b.WriteString(l.EOL)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// errWriter keeps the first write error, so a block of Fprintf calls is checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// contextWidth is how many characters of a long original line are shown around the column.
const contextWidth = 100

// ContextWindow returns the part of line to show and the blanks that put a caret under the
// 1-based UTF-16 column col. Tabs are kept in the blanks so the caret lines up however the
// terminal expands them; a long line is cut around the column, marked with "…".
func ContextWindow(line string, col int) (text, pad string) {
	runes := []rune(strings.ToValidUTF8(line, "\uFFFD"))
	// Find the rune at UTF-16 column col-1.
	at, units := 0, 0
	for at < len(runes) && units < col-1 {
		units += utf16Units(runes[at])
		at++
	}
	start, end := 0, len(runes)
	prefix, suffix := "", ""
	if len(runes) > contextWidth {
		start = max(0, at-contextWidth/2)
		end = min(len(runes), start+contextWidth)
		start = max(0, end-contextWidth)
		if start > 0 {
			prefix = "…"
		}
		if end < len(runes) {
			suffix = "…"
		}
	}
	var b strings.Builder
	if prefix != "" {
		b.WriteByte(' ')
	}
	for _, r := range runes[start:min(at, end)] {
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteString(strings.Repeat(" ", cellWidth(r)))
		}
	}
	return prefix + string(runes[start:end]) + suffix, b.String()
}

func utf16Units(r rune) int {
	if r >= 0x10000 && r <= utf8.MaxRune {
		return 2
	}
	return 1
}

// cellWidth is how many terminal cells r takes: 0 for combining marks and joiners, 2 for wide
// East Asian characters and emoji, else 1. Close enough to put the caret under the right
// character in the lines real sources have.
func cellWidth(r rune) int {
	switch {
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == 0x200D || r == 0xFE0F:
		return 0
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0xA4CF, r >= 0xAC00 && r <= 0xD7A3,
		r >= 0xF900 && r <= 0xFAFF, r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6,
		r >= 0x1F300 && r <= 0x1FAFF, r >= 0x20000 && r <= 0x3FFFD:
		return 2
	}
	return 1
}
