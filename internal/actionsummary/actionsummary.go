// Package actionsummary writes the GitHub Action's job summary: what a run validated, uploaded
// (with phase timings), checked and synced, and the gate's report with its chart. It takes a
// plain value, so any front door that ran those steps can write it.
package actionsummary

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/ghmarkdown"
	"github.com/releasegate/releasegate/internal/reporttext"
	"github.com/releasegate/releasegate/sourcemaps"
)

// FindingRows is how many findings the summary lists; the JSON report has them all.
const FindingRows = 50

// Summary is what a run did.
type Summary struct {
	Release  string
	Projects []string
	// Error is why the run stopped, when it did.
	Error  string
	Phases []Phase
	// The parts below are nil or empty when their phase did not run.
	Validate      *Validation
	Uploads       []Upload
	Ownership     *Ownership
	OwnershipSync []Sync
	Gate          *gate.Decision
}

// Phase is one row of the phases table.
type Phase struct {
	Name   string
	Status string // ok, failed, skipped, not run
	Millis int64
	Detail string
}

// Validation is what the source map validation found.
type Validation struct {
	Files, Errors, Warnings int
	Findings                []sourcemaps.Finding
}

// Upload is one project's upload.
type Upload struct {
	Projects                  []string
	Files, DebugIDs, Injected int
	// Bytes is the size of the bundles; BytesSent what was sent of them, in Uploaded of Total
	// chunks.
	Bytes, BytesSent int64
	Uploaded, Total  int
	// Phases are the upload's phases in order, with their time.
	Phases []Timing
}

// Timing is how long a phase took.
type Timing struct {
	Name   string
	Millis int64
}

// Ownership is what the ownership check found.
type Ownership struct {
	// Rules counts the rules (CODEOWNERS' included) in Properties sentry.properties files.
	Rules, Properties, Errors, Warnings int
	Findings                            []sourcemaps.Finding
}

// Sync is what the ownership sync did for one project.
type Sync struct {
	Project, Properties, Status string
	Changes                     []string
	// Diff is the change to the rules text, in unified diff form ("" when none).
	Diff string
}

// Write writes the summary as GitHub Markdown. GitHub caps a step's summary at 1 MiB; the parts
// are capped well below (the gate's report at gate.MarkdownLimit). It returns the first error
// writing, or rendering the gate's report.
func Write(w io.Writer, s Summary) error {
	out := &reporttext.Writer{W: w}
	title := "releasegate"
	if s.Release != "" {
		title += ": release `" + ghmarkdown.Code(s.Release) + "`"
	}
	out.Printf("## %s\n\n", title)
	if s.Error != "" {
		out.Printf("**Stopped:** %s\n\n", ghmarkdown.Text(s.Error))
	}
	if len(s.Projects) > 0 {
		out.Printf("Projects: %s\n\n", ghmarkdown.Text(strings.Join(s.Projects, ", ")))
	}
	out.Printf("| Phase | Status | Time | Detail |\n|---|---|---|---|\n")
	for _, p := range s.Phases {
		t := ""
		if p.Status == "ok" || p.Status == "failed" {
			t = reporttext.Millis(p.Millis)
		}
		out.Printf("| %s | %s | %s | %s |\n", p.Name, phaseStatusText(p.Status), t, ghmarkdown.Text(p.Detail))
	}
	out.Printf("\n")
	writeValidation(out, s.Validate)
	writeUploads(out, s.Uploads)
	writeOwnership(out, s.Ownership, s.OwnershipSync)
	if s.Gate != nil {
		var md bytes.Buffer
		if err := gate.Render(&md, *s.Gate, "markdown"); err != nil {
			return fmt.Errorf("the gate's report: %w", err)
		}
		out.Printf("%s\n", md.Bytes())
	}
	return out.Err
}

func writeValidation(out *reporttext.Writer, v *Validation) {
	if v == nil {
		return
	}
	out.Printf("### Source maps\n\n%s checked: %s, %s.\n\n", reporttext.Plural(v.Files, "file"), reporttext.Plural(v.Errors, "error"), reporttext.Plural(v.Warnings, "warning"))
	if len(v.Findings) == 0 {
		return
	}
	out.Printf("| Severity | File | Line | Code | Message |\n|---|---|---|---|---|\n")
	for i, f := range v.Findings {
		if i == FindingRows {
			out.Printf("\n… and %s: see the JSON report.\n", reporttext.Plural(len(v.Findings)-FindingRows, "more finding"))
			break
		}
		line := ""
		if f.Line > 0 {
			line = fmt.Sprint(f.Line)
		}
		out.Printf("| %s | `%s` | %s | %s | %s |\n", f.Severity, ghmarkdown.Code(f.Path), line, f.Code, ghmarkdown.Text(f.Message))
	}
	out.Printf("\n")
}

func writeUploads(out *reporttext.Writer, uploads []Upload) {
	if len(uploads) == 0 {
		return
	}
	out.Printf("### Upload\n\n| Project | Files | Debug IDs | Injected | Bundle | Sent | Phases |\n|---|---|---|---|---|---|---|\n")
	for _, u := range uploads {
		phases := make([]string, len(u.Phases))
		for i, p := range u.Phases {
			phases[i] = p.Name + " " + reporttext.Millis(p.Millis)
		}
		out.Printf("| %s | %d | %d | %d | %s | %s (%d of %d chunks) | %s |\n", ghmarkdown.Text(strings.Join(u.Projects, ", ")), u.Files, u.DebugIDs,
			u.Injected, reporttext.Bytes(u.Bytes), reporttext.Bytes(u.BytesSent), u.Uploaded, u.Total, strings.Join(phases, " · "))
	}
	out.Printf("\n")
}

func writeOwnership(out *reporttext.Writer, o *Ownership, sync []Sync) {
	if o != nil {
		out.Printf("### Ownership\n\n%s in %s: %s, %s.\n\n", reporttext.Plural(o.Rules, "rule"), reporttext.PropertiesCount(o.Properties), reporttext.Plural(o.Errors, "error"), reporttext.Plural(o.Warnings, "warning"))
		for i, f := range o.Findings {
			if i == FindingRows {
				out.Printf("- … and %d more: see the JSON report.\n", len(o.Findings)-FindingRows)
				break
			}
			out.Printf("- %s `%s:%d` %s: %s\n", f.Severity, ghmarkdown.Code(f.Path), f.Line, f.Code, ghmarkdown.Text(f.Message))
		}
		out.Printf("\n")
	}
	if len(sync) == 0 {
		return
	}
	out.Printf("### Ownership sync\n\n| Project | File | Result | Changes |\n|---|---|---|---|\n")
	for _, p := range sync {
		out.Printf("| %s | `%s` | %s | %s |\n", ghmarkdown.Text(p.Project), ghmarkdown.Code(p.Properties), p.Status, ghmarkdown.Text(strings.Join(p.Changes, "; ")))
	}
	out.Printf("\n")
	for _, p := range sync {
		if p.Diff != "" {
			out.Printf("<details><summary>%s: the rules' change</summary>\n\n```diff\n%s```\n\n</details>\n\n", ghmarkdown.Text(p.Project), strings.ReplaceAll(p.Diff, "```", `'''`))
		}
	}
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
