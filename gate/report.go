package gate

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/ghmarkdown"
	"github.com/releasegate/releasegate/internal/workflowcmd"
)

// MarkdownLimit is GitHub's cap on a pull request comment (65,536 characters); the Markdown
// report never exceeds it, so it fits a comment as well as a job summary.
const MarkdownLimit = 65536

// Render writes the decision in a format: text (a terminal), json (docs/gate-report.md),
// markdown (job summaries and pull request comments) or github (workflow annotations).
func Render(w io.Writer, d Decision, format string) error {
	var err error
	switch format {
	case "text":
		_, err = io.WriteString(w, renderText(d))
	case "json":
		err = renderJSON(w, d)
	case "markdown":
		_, err = io.WriteString(w, renderMarkdown(d))
	case "github":
		_, err = io.WriteString(w, renderGitHub(d))
	default:
		return fmt.Errorf("unknown report format %q: use text, json, markdown or github", format)
	}
	if err != nil {
		return fmt.Errorf("writing the gate's report: %w", err)
	}
	return nil
}

// --- json ---

func renderJSON(w io.Writer, d Decision) error {
	d.Checks = normalizeChecks(d.Checks)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(d)
}

// normalizeChecks copies checks with every list non-nil, so JSON shows [] rather than null.
func normalizeChecks(checks []Check) []Check {
	out := make([]Check, len(checks))
	for i, c := range checks {
		if c.Issues == nil {
			c.Issues = []IssueRef{}
		} else {
			issues := make([]IssueRef, len(c.Issues))
			for j, is := range c.Issues {
				if is.Owners == nil {
					is.Owners = []string{}
				}
				issues[j] = is
			}
			c.Issues = issues
		}
		if c.Owners == nil {
			c.Owners = []string{}
		}
		c.Children = normalizeChecks(c.Children)
		out[i] = c
	}
	return out
}

// --- values ---

// valueText writes a check's value with its bounds and threshold in the metric's units:
// "240 events/h (95%: 181–312) > 30/h over 10m".
func valueText(c Check) string {
	if c.Metric == "" || c.Metric == MetricCount && c.Value == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(metricValue(c.Metric, c.Value))
	if c.Lower != nil && c.Upper != nil {
		fmt.Fprintf(&b, " (%s: %s–%s)", percentText(c.Confidence), boundNumber(c.Metric, *c.Lower), boundNumber(c.Metric, *c.Upper))
	}
	if t := thresholdText(c); t != "" {
		b.WriteString(" " + t)
	}
	return b.String()
}

// thresholdText is "> 30/h", "floor 99.50%", "max drop 0.50 points", "min 95.00%".
func thresholdText(c Check) string {
	if c.Threshold == nil {
		return ""
	}
	t := *c.Threshold
	switch c.Metric {
	case MetricEventsPerHour, MetricUsersPerHour:
		return "vs " + trimNumber(t) + "/h"
	case MetricSessionShare:
		return "vs " + shareText(t)
	case MetricCrashFreeSessions, MetricCrashFreeUsers:
		return "floor " + shareText(t)
	case MetricCrashFreeDrop, MetricCrashFreeUserDrop:
		return "max drop " + pointsText(t)
	case MetricContextShare:
		return "min " + shareText(t)
	case MetricCount:
		return "allowed " + trimNumber(t)
	}
	return "vs " + trimNumber(t)
}

func metricValue(metric string, v *float64) string {
	if v == nil {
		return "—"
	}
	switch metric {
	case MetricEventsPerHour:
		return trimNumber(*v) + " events/h"
	case MetricUsersPerHour:
		return trimNumber(*v) + " users/h"
	case MetricCount:
		return fmt.Sprintf("%.0f", *v)
	}
	return metricNumber(metric, *v)
}

func metricNumber(metric string, v float64) string {
	switch metric {
	case MetricSessionShare, MetricContextShare, MetricCrashFreeSessions, MetricCrashFreeUsers:
		return shareText(v)
	case MetricCrashFreeDrop, MetricCrashFreeUserDrop:
		return pointsText(v)
	}
	return trimNumber(v)
}

// boundNumber is metricNumber without the unit of a drop, which the value already names.
func boundNumber(metric string, v float64) string {
	if metric == MetricCrashFreeDrop || metric == MetricCrashFreeUserDrop {
		return fmt.Sprintf("%.2f", 100*v)
	}
	return metricNumber(metric, v)
}

func verdictWord(s Status) string {
	switch s {
	case StatusFail:
		return "FAIL"
	case StatusPass:
		return "PASS"
	case StatusPending:
		return "PENDING"
	}
	return strings.ToUpper(string(s))
}

func statusMark(s Status) string {
	switch s {
	case StatusFail:
		return "[FAIL]"
	case StatusPass:
		return "[pass]"
	case StatusPending:
		return "[pending]"
	case StatusWarn:
		return "[warn]"
	}
	return "[skip]"
}

func statusEmoji(s Status) string {
	switch s {
	case StatusFail:
		return "❌"
	case StatusPass:
		return "✅"
	case StatusPending:
		return "⏳"
	case StatusWarn:
		return "⚠️"
	}
	return "➖"
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// timeline is the line of times and counts under the verdict.
func timeline(d Decision) string {
	var parts []string
	if !d.Start.IsZero() {
		parts = append(parts, "started "+clock(d.Start), "soak ends "+clock(d.SoakEnds), "deadline "+clock(d.Deadline))
	}
	parts = append(parts, "decided "+clock(d.DecidedAt))
	if d.Baseline != "" {
		parts = append(parts, "baseline "+d.Baseline)
	}
	parts = append(parts, plural(d.Requests, "request")+" to Sentry")
	return strings.Join(parts, " · ")
}

func where(d Decision) string {
	s := d.Release + " in " + d.Environment
	if d.EvidenceEnvironment != "" {
		s += " (evidence: " + d.EvidenceEnvironment + ")"
	}
	return s
}

// isIssueGroup says whether a check's children are issues.
func isIssueGroup(c Check) bool { return c.Name == CheckNewIssues || c.Name == CheckRegressions }

// --- text ---

func renderText(d Decision) string {
	var b strings.Builder
	fmt.Fprintf(&b, "releasegate gate: %s %s\n", verdictWord(d.Verdict), where(d))
	if d.Reason != "" {
		fmt.Fprintf(&b, "%s\n", d.Reason)
	}
	fmt.Fprintf(&b, "%s\n", timeline(d))
	if d.ReleaseURL != "" {
		fmt.Fprintf(&b, "release: %s\n", d.ReleaseURL)
	}
	b.WriteString("\n")
	for _, c := range d.Checks {
		writeTextCheck(&b, c, 0)
	}
	return b.String()
}

func writeTextCheck(b *strings.Builder, c Check, depth int) {
	indent := strings.Repeat("  ", depth)
	line := fmt.Sprintf("%s%-9s %s", indent, statusMark(c.Status), c.Name)
	if len(c.Issues) == 1 && depth > 0 && c.Issues[0].Title != "" {
		line += " " + oneLine(c.Issues[0].Title, 80)
	}
	if v := valueText(c); v != "" {
		line += ": " + v
		if c.Window != "" && (c.Metric == MetricEventsPerHour || c.Metric == MetricUsersPerHour) {
			line += " over " + shortDuration(c.Window)
		}
	}
	fmt.Fprintln(b, line)
	detail := indent + strings.Repeat(" ", 10)
	if c.Reason != "" {
		fmt.Fprintf(b, "%s%s\n", detail, c.Reason)
	}
	if len(c.Owners) > 0 && depth > 0 {
		fmt.Fprintf(b, "%sowners: %s\n", detail, strings.Join(c.Owners, ", "))
	}
	if len(c.Issues) == 1 && depth > 0 {
		for _, tv := range topValueLines(c.Issues[0]) {
			fmt.Fprintf(b, "%s%s\n", detail, tv)
		}
		if p := c.Issues[0].Permalink; p != "" && c.Status == StatusFail {
			fmt.Fprintf(b, "%s%s\n", detail, p)
		}
	}
	if len(c.Issues) == 1 && depth > 0 {
		// An issue's node already shows its deciding rate; list every rate only when it has
		// several, one line each.
		if len(c.Children) > 1 {
			for _, m := range c.Children {
				fmt.Fprintf(b, "%s  %-9s %s: %s\n", indent, statusMark(m.Status), m.Name, cmp.Or(valueText(m), m.Reason))
			}
		}
		return
	}
	if !isIssueGroup(c) {
		for _, ch := range c.Children {
			writeTextCheck(b, ch, depth+1)
		}
		return
	}
	// An issue group shows its failing and pending issues in full and counts the rest, so a
	// release with a thousand harmless issues stays readable.
	rest := map[Status]int{}
	others := 0
	for _, ch := range c.Children {
		if ch.Status == StatusFail || ch.Status == StatusPending {
			writeTextCheck(b, ch, depth+1)
			continue
		}
		rest[ch.Status]++
		others++
	}
	if others > 0 {
		fmt.Fprintf(b, "%s  %s\n", indent, restText(others, rest))
	}
}

func restText(n int, by map[Status]int) string {
	var parts []string
	for _, s := range []Status{StatusWarn, StatusPass, StatusSkipped} {
		if by[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", by[s], statusName(s)))
		}
	}
	word := "issues"
	if n == 1 {
		word = "issue"
	}
	return fmt.Sprintf("and %d more %s: %s", n, word, strings.Join(parts, ", "))
}

func statusName(s Status) string {
	if s == StatusSkipped {
		return "ignored or not counted"
	}
	return string(s)
}

func topValueLines(is IssueRef) []string {
	var out []string
	for _, key := range sortedKeys(is.TopValues) {
		var vals []string
		for _, v := range is.TopValues[key] {
			vals = append(vals, fmt.Sprintf("%s (%d)", v.Value, v.Count))
			if len(vals) == 3 {
				break
			}
		}
		if len(vals) > 0 {
			out = append(out, "top "+key+": "+strings.Join(vals, ", "))
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

// shortDuration writes a Go duration string the way people say it: 10m0s → 10m.
func shortDuration(s string) string {
	d, err := time.ParseDuration(s)
	if err != nil {
		return s
	}
	return policyDurationText(d)
}

// --- markdown ---

// mdText makes user text (titles, reasons) safe in the report's Markdown (ghmarkdown.Text).
func mdText(s string) string { return ghmarkdown.Text(s) }

func mdLink(text, url string) string {
	if url == "" || strings.ContainsAny(url, " ()<>\n") {
		return text
	}
	return "[" + text + "](" + url + ")"
}

func renderMarkdown(d Decision) string {
	var head, issues, chart, details strings.Builder
	release := "`" + strings.ReplaceAll(d.Release, "`", "'") + "`"
	if d.ReleaseURL != "" {
		release = mdLink(release, d.ReleaseURL)
	}
	fmt.Fprintf(&head, "### %s releasegate gate: %s — %s → %s\n\n", statusEmoji(d.Verdict), d.Verdict, release, mdText(d.Environment))
	if d.Reason != "" {
		fmt.Fprintf(&head, "**Why:** %s\n\n", mdText(d.Reason))
	}
	tl := timeline(d)
	if d.EvidenceEnvironment != "" {
		tl = "evidence from " + d.EvidenceEnvironment + " · " + tl
	}
	fmt.Fprintf(&head, "%s\n\n", mdText(tl))

	var shown, hidden []Check
	for _, c := range d.Checks {
		if c.Status == StatusPass || c.Status == StatusSkipped {
			hidden = append(hidden, c)
		} else {
			shown = append(shown, c)
		}
	}
	writeCheckTable := func(b *strings.Builder, checks []Check) {
		b.WriteString("| | Check | Value | Reason |\n|---|---|---|---|\n")
		for _, c := range checks {
			writeCheckRows(b, c, 0)
		}
		b.WriteString("\n")
	}
	if len(shown) > 0 {
		writeCheckTable(&head, shown)
	}

	// The failing and pending issues, the part people act on.
	var rows []string
	for _, c := range d.Checks {
		if !isIssueGroup(c) {
			continue
		}
		for _, ch := range c.Children {
			if (ch.Status == StatusFail || ch.Status == StatusPending) && len(ch.Issues) == 1 {
				rows = append(rows, issueRow(ch))
			}
		}
	}
	if len(rows) > 0 {
		issues.WriteString("#### Failing and pending issues\n\n| | Issue | Title | Events | Users | Rate | First seen | Owners |\n|---|---|---|---|---|---|---|---|\n")
	}

	if d.Chart != nil && len(d.Chart.Series) > 0 {
		writeChart(&chart, d)
	}
	if len(hidden) > 0 {
		details.WriteString("<details><summary>Passing and skipped checks</summary>\n\n")
		writeCheckTable(&details, hidden)
		details.WriteString("</details>\n")
	}

	// Fit the limit: issue rows go first (from the end), then the details, then the chart.
	fixed := head.Len() + issues.Len() + chart.Len() + details.Len()
	budget := MarkdownLimit - fixed - 200
	if budget < 0 {
		details.Reset()
		budget = MarkdownLimit - head.Len() - issues.Len() - chart.Len() - 200
		if budget < 0 {
			chart.Reset()
			budget = MarkdownLimit - head.Len() - issues.Len() - 200
		}
	}
	var body strings.Builder
	used := 0
	for i, r := range rows {
		if used+len(r) > budget {
			fmt.Fprintf(&body, "\n… and %s: see the JSON report (`--format json`).\n", plural(len(rows)-i, "more issue"))
			break
		}
		body.WriteString(r)
		used += len(r)
	}
	if len(rows) > 0 {
		issues.WriteString(body.String())
		issues.WriteString("\n")
	}
	out := head.String() + issues.String() + chart.String() + details.String()
	if len(out) > MarkdownLimit {
		// Only an enormous head (thousands of checks) gets here.
		out = truncateUTF8(out, MarkdownLimit-60) + "\n\n… (cut at GitHub's limit; see the JSON report)\n"
	}
	return out
}

func truncateUTF8(s string, n int) string {
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func writeCheckRows(b *strings.Builder, c Check, depth int) {
	name := strings.Repeat("&nbsp;&nbsp;", depth) + mdText(c.Name)
	fmt.Fprintf(b, "| %s | %s | %s | %s |\n", statusEmoji(c.Status), name, mdText(valueText(c)), mdText(c.Reason))
	if isIssueGroup(c) {
		return // issues have their own table
	}
	for _, ch := range c.Children {
		writeCheckRows(b, ch, depth+1)
	}
}

func issueRow(c Check) string {
	is := c.Issues[0]
	id := mdLink(mdText(is.ShortID), is.Permalink)
	title := mdText(oneLine(is.Title, 100))
	if tv := topValueLines(is); len(tv) > 0 {
		title += "<br>" + mdText(strings.Join(tv, "; "))
	}
	rate := mdText(valueText(c))
	owners := "—"
	if len(is.Owners) > 0 {
		owners = mdText(strings.Join(is.Owners, ", "))
	}
	return fmt.Sprintf("| %s | %s | %s | %d | %d | %s | %s | %s |\n", statusEmoji(c.Status), id, title, is.Events, is.Users, rate,
		is.FirstSeen.UTC().Format("2006-01-02 15:04"), owners)
}

// chartPoints is the most points a chart line has; longer series are summed in groups.
const chartPoints = 60

func writeChart(b *strings.Builder, d Decision) {
	n := 0
	for _, s := range d.Chart.Series {
		n = max(n, len(s.Counts))
	}
	if n == 0 {
		return
	}
	interval, err := time.ParseDuration(d.Chart.Interval)
	if err != nil || interval <= 0 {
		interval = time.Minute
	}
	group := (n + chartPoints - 1) / chartPoints
	points := (n + group - 1) / group
	step := interval * time.Duration(group)
	labels := make([]string, points)
	for i := range labels {
		labels[i] = fmt.Sprintf("%q", chartLabel(step*time.Duration(i)))
	}
	fmt.Fprintf(b, "#### Events per %s since the start\n\n```mermaid\nxychart-beta\n  title \"Events per %s\"\n  x-axis \"since the start\" [%s]\n  y-axis \"events\"\n",
		policyDurationText(step), policyDurationText(step), strings.Join(labels, ", "))
	var names []string
	for _, s := range d.Chart.Series {
		vals := make([]string, points)
		for i := range vals {
			var sum int64
			for j := i * group; j < (i+1)*group && j < len(s.Counts); j++ {
				sum += s.Counts[j]
			}
			vals[i] = fmt.Sprint(sum)
		}
		fmt.Fprintf(b, "  line [%s]\n", strings.Join(vals, ", "))
		name := s.Name
		if name == "baseline" && d.Baseline != "" {
			name = "baseline (" + d.Baseline + ", from its own start)"
		}
		names = append(names, mdText(name))
	}
	fmt.Fprintf(b, "```\n\nLines, in order (Mermaid charts have no legend): %s.\n\n", strings.Join(names, ", "))
}

// chartLabel writes an offset from the start in minutes and hours: 0m, 5m, 1h, 1h30m.
func chartLabel(d time.Duration) string {
	if d < time.Minute {
		return "0m"
	}
	return policyDurationText(d.Truncate(time.Minute))
}

// --- github ---

func renderGitHub(d Decision) string {
	var b strings.Builder
	out := workflowcmd.NewCapped(&b)
	emit := func(level, title, msg string) {
		out.Write(workflowcmd.Annotation{Level: level, Title: title, Message: msg})
	}
	var walk func(c Check, depth int)
	walk = func(c Check, depth int) {
		issue := len(c.Issues) == 1 && depth > 0
		switch {
		case issue && c.Status == StatusFail:
			msg := c.Reason
			if v := valueText(c); v != "" {
				msg += " [" + v + "]"
			}
			if len(c.Owners) > 0 {
				msg += "; owners: " + strings.Join(c.Owners, ", ")
			}
			if p := c.Issues[0].Permalink; p != "" {
				msg += " " + p
			}
			emit("error", "releasegate gate: "+c.Name, msg)
			return
		case issue:
			return
		case c.Status == StatusFail && len(c.Children) == 0:
			emit("error", "releasegate gate: "+c.Name, c.Reason)
		case c.Status == StatusWarn && len(c.Children) == 0:
			emit("warning", "releasegate gate: "+c.Name, c.Reason)
		}
		for _, ch := range c.Children {
			walk(ch, depth+1)
		}
	}
	for _, c := range d.Checks {
		walk(c, 0)
	}
	level := map[Status]string{StatusPass: "notice", StatusFail: "error", StatusPending: "warning"}[d.Verdict]
	if level == "" {
		level = "notice"
	}
	msg := fmt.Sprintf("%s %s: %s", verdictWord(d.Verdict), where(d), d.Reason)
	if out.Held > 0 {
		msg += fmt.Sprintf(" (%s left out: GitHub shows %d errors and %d warnings per step; the report has them all)", plural(out.Held, "more annotation"), workflowcmd.PerLevelCap, workflowcmd.PerLevelCap)
	}
	out.WriteAlways(workflowcmd.Annotation{Level: level, Title: "releasegate gate", Message: msg})
	return b.String()
}
