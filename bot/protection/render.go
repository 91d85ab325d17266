package protection

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/ghmarkdown"
)

// fit ends comment with the report link (when there is one) and keeps the whole within
// MaxCommentLength characters, cutting the text, never the link.
func fit(comment, url string) string {
	link := ""
	if url != "" {
		link = "\n\n[Full report](" + url + ")"
	}
	budget := MaxCommentLength - utf8.RuneCountInString(link)
	if utf8.RuneCountInString(comment) > budget {
		const more = " …"
		runes := []rune(comment)
		comment = strings.TrimRight(string(runes[:max(budget-len([]rune(more)), 0)]), " \n") + more
	}
	return comment + link
}

// failingIssues lists up to n failing issues of the checks, depth first, one Markdown line each.
func failingIssues(checks []gate.Check, n int) []string {
	var out []string
	seen := map[string]bool{}
	var walk func([]gate.Check)
	walk = func(cs []gate.Check) {
		for _, c := range cs {
			if c.Status != gate.StatusFail {
				continue
			}
			for _, is := range c.Issues {
				if seen[is.ID] {
					continue
				}
				seen[is.ID] = true
				name := ghmarkdown.Text(is.ShortID)
				if is.Permalink != "" {
					name = "[" + name + "](" + is.Permalink + ")"
				}
				line := fmt.Sprintf("- %s %s — %d events, %d users", name, ghmarkdown.Text(short(is.Title, 90)), is.Events, is.Users)
				if len(is.Owners) > 0 {
					line += ", owners " + ghmarkdown.Text(strings.Join(is.Owners, ", "))
				}
				out = append(out, line)
			}
			walk(c.Children)
		}
	}
	walk(checks)
	if len(out) > n {
		out = append(out[:n], fmt.Sprintf("- and %d more", len(out)-n))
	}
	return out
}

// oneLine is s with its whitespace runs as single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// title is a reason shortened for a check run's title.
func title(reason string) string { return short(oneLine(reason), 120) }

func short(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimRight(string([]rune(s)[:n-1]), " ") + "…"
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// stamp is a time as the comments show it: UTC, to the minute.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

// durationText is a duration without zero units: 1m, 1h30m.
func durationText(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func onTimeout(p *gate.Environment) gate.Outcome { return p.WithDefaults().OnTimeout }
