package main

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/ghmarkdown"
)

// summaryFindingRows is how many findings the job summary lists; the JSON report has them all.
const summaryFindingRows = 50

// summary is the job summary: what was validated, uploaded (with phase timings), checked and
// synced, and the gate's report with its chart. GitHub caps a step's summary at 1 MiB; the
// parts are capped well below (the gate's report at gate.MarkdownLimit).
func (r *actionRunner) summary() string {
	var b strings.Builder
	rep := &r.report
	title := "releasegate"
	if rep.Release != "" {
		title += ": release `" + ghmarkdown.Code(rep.Release) + "`"
	}
	fmt.Fprintf(&b, "## %s\n\n", title)
	if rep.Error != "" {
		fmt.Fprintf(&b, "**Stopped:** %s\n\n", ghmarkdown.Text(rep.Error))
	}
	if len(rep.Projects) > 0 {
		fmt.Fprintf(&b, "Projects: %s\n\n", ghmarkdown.Text(strings.Join(rep.Projects, ", ")))
	}
	b.WriteString("| Phase | Status | Time | Detail |\n|---|---|---|---|\n")
	for _, p := range rep.Phases {
		t := ""
		if p.Status == "ok" || p.Status == "failed" {
			t = fmtMillis(p.Millis)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", p.Name, phaseStatusText(p.Status), t, ghmarkdown.Text(p.Detail))
	}
	b.WriteString("\n")

	if v := rep.Validate; v != nil {
		fmt.Fprintf(&b, "### Source maps\n\n%s checked: %s, %s.\n\n", plural(v.Files, "file"), plural(v.Errors, "error"), plural(v.Warnings, "warning"))
		if len(v.Findings) > 0 {
			b.WriteString("| Severity | File | Line | Code | Message |\n|---|---|---|---|---|\n")
			for i, f := range v.Findings {
				if i == summaryFindingRows {
					fmt.Fprintf(&b, "\n… and %s: see the JSON report.\n", plural(len(v.Findings)-summaryFindingRows, "more finding"))
					break
				}
				line := ""
				if f.Line > 0 {
					line = fmt.Sprint(f.Line)
				}
				fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s |\n", f.Severity, ghmarkdown.Code(f.Path), line, f.Code, ghmarkdown.Text(f.Message))
			}
			b.WriteString("\n")
		}
	}
	if len(rep.Uploads) > 0 {
		b.WriteString("### Upload\n\n| Project | Files | Debug IDs | Injected | Bundle | Sent | Phases |\n|---|---|---|---|---|---|---|\n")
		for _, u := range rep.Uploads {
			var size int64
			for _, bu := range u.Bundles {
				size += bu.Bytes
			}
			var phases []string
			for _, name := range uploadPhaseOrder {
				if ms, ok := u.Phases[name]; ok {
					phases = append(phases, name+" "+fmtMillis(ms))
				}
			}
			fmt.Fprintf(&b, "| %s | %d | %d | %d | %s | %s (%d of %d chunks) | %s |\n", ghmarkdown.Text(strings.Join(u.Projects, ", ")), bundleFiles(u), u.DebugIDs,
				u.Injected, humanBytes(size), humanBytes(u.Chunks.BytesSent), u.Chunks.Uploaded, u.Chunks.Total, strings.Join(phases, " · "))
		}
		b.WriteString("\n")
	}
	if o := rep.Ownership; o != nil {
		rules := 0
		for _, p := range o.Projects {
			rules += p.Rules + p.Codeowners
		}
		fmt.Fprintf(&b, "### Ownership\n\n%s in %s: %s, %s.\n\n", plural(rules, "rule"), propertiesCount(len(o.Projects)), plural(o.Errors, "error"), plural(o.Warnings, "warning"))
		for i, f := range o.Findings {
			if i == summaryFindingRows {
				fmt.Fprintf(&b, "- … and %d more: see the JSON report.\n", len(o.Findings)-summaryFindingRows)
				break
			}
			fmt.Fprintf(&b, "- %s `%s:%d` %s: %s\n", f.Severity, ghmarkdown.Code(f.Path), f.Line, f.Code, ghmarkdown.Text(f.Message))
		}
		b.WriteString("\n")
	}
	if len(rep.OwnershipSync) > 0 {
		b.WriteString("### Ownership sync\n\n| Project | File | Result | Changes |\n|---|---|---|---|\n")
		for _, p := range rep.OwnershipSync {
			fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", ghmarkdown.Text(p.Project), ghmarkdown.Code(p.Properties), p.Status, ghmarkdown.Text(strings.Join(p.Changes, "; ")))
		}
		b.WriteString("\n")
		for _, p := range rep.OwnershipSync {
			if p.Diff != "" {
				fmt.Fprintf(&b, "<details><summary>%s: the rules' change</summary>\n\n```diff\n%s```\n\n</details>\n\n", ghmarkdown.Text(p.Project), strings.ReplaceAll(p.Diff, "```", `'''`))
			}
		}
	}
	if d := rep.Gate; d != nil {
		var md bytes.Buffer
		if err := gate.Render(&md, *d, "markdown"); err == nil {
			b.WriteString(md.String())
			b.WriteString("\n")
		}
	}
	return b.String()
}

func phaseStatusText(s string) string {
	switch s {
	case "ok":
		return "✅ ok"
	case "failed":
		return "❌ failed"
	case "not run":
		return "not run"
	}
	return "skipped"
}
