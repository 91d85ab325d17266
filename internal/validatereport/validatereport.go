// Package validatereport renders a source map validation report, and the findings that other
// commands (inject, ownership check, upload) list in the same layout: for a terminal, in the
// layout of ESLint's default formatter and coloured only on a terminal; as JSON; and as GitHub
// workflow commands, the annotations capped as GitHub caps them. Every renderer returns the
// first error writing its output.
package validatereport

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/releasegate/releasegate/internal/reporttext"
	"github.com/releasegate/releasegate/internal/workflowcmd"
	"github.com/releasegate/releasegate/sourcemaps"
)

// JSON writes the report as indented JSON (the contract of docs/validate.md).
func JSON(w io.Writer, r *sourcemaps.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// Palette colours text on a terminal; the zero Palette leaves it plain.
type Palette struct{ on bool }

// NewPalette colours when on: a terminal, and NO_COLOR not set.
func NewPalette(on bool) Palette { return Palette{on: on} }

// Wrap puts s between the SGR escape code and a reset.
func (p Palette) Wrap(code, s string) string {
	if !p.on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// Severity is the severity's word, padded to one width: red for an error, yellow for a warning.
func (p Palette) Severity(s sourcemaps.Severity) string {
	if s == sourcemaps.SeverityError {
		return p.Wrap("1;31", "error  ")
	}
	return p.Wrap("33", "warning")
}

// Bold is bold text, for a finding's file.
func (p Palette) Bold(s string) string { return p.Wrap("1", s) }

// Dim is faint text, for what matters less (a finding's code).
func (p Palette) Dim(s string) string { return p.Wrap("2", s) }

// Human prints findings grouped by file, then a one-line verdict.
func Human(w io.Writer, pal Palette, r *sourcemaps.Report) error {
	if err := WriteFindings(w, pal, r.Findings); err != nil {
		return err
	}
	withMap := 0
	for _, f := range r.Files {
		if f.MapKind != sourcemaps.MapNone && f.MapKind != sourcemaps.MapOrphan {
			withMap++
		}
	}
	verdict := pal.Wrap("1;32", "ok")
	if r.Broken() {
		verdict = pal.Wrap("1;31", "FAILED")
	}
	_, err := fmt.Fprintf(w, "%s: %s, %s in %s (%d with a map)\n", verdict,
		reporttext.Plural(r.Errors, "error"), reporttext.Plural(r.Warnings, "warning"), reporttext.Plural(len(r.Files), "file"), withMap)
	return err
}

// WriteFindings prints findings under their file, one line each, in the layout of ESLint's
// default formatter that JavaScript engineers know: position, severity, message, code.
func WriteFindings(w io.Writer, pal Palette, findings []sourcemaps.Finding) error {
	out := &reporttext.Writer{W: w}
	current := "\x00"
	for _, f := range findings {
		if f.Path != current {
			if current != "\x00" {
				out.Printf("\n")
			}
			current = f.Path
			out.Printf("%s\n", pal.Bold(f.Path))
		}
		pos := ""
		if f.Line > 0 {
			pos = fmt.Sprintf("%d", f.Line)
			if f.Column > 0 {
				pos += fmt.Sprintf(":%d", f.Column)
			}
		}
		msg := strings.ReplaceAll(f.Message, "\n", " ")
		if f.Map != "" {
			msg += " (map: " + f.Map + ")"
		}
		out.Printf("  %-8s %s  %s  %s\n", pos, pal.Severity(f.Severity), msg, pal.Dim(f.Code))
	}
	if current != "\x00" {
		out.Printf("\n")
	}
	return out.Err
}

// GitHub prints workflow-command annotations (errors first, each level capped as GitHub caps
// it), then every finding as plain log lines and the verdict, so nothing is lost.
func GitHub(w io.Writer, r *sourcemaps.Report) error {
	held, err := WriteAnnotations(w, r.Findings)
	if err != nil {
		return err
	}
	out := &reporttext.Writer{W: w}
	if len(r.Findings) > 0 {
		out.Printf("::group::All source map findings\n")
		if out.Err == nil {
			out.Err = WriteFindings(w, Palette{}, r.Findings)
		}
		out.Printf("::endgroup::\n")
	}
	verdict := "ok"
	if r.Broken() {
		verdict = "FAILED"
	}
	out.Printf("releasegate sourcemaps validate: %s: %s, %s in %s", verdict,
		reporttext.Plural(r.Errors, "error"), reporttext.Plural(r.Warnings, "warning"), reporttext.Plural(len(r.Files), "file"))
	if held > 0 {
		out.Printf(" (%s not annotated: GitHub shows %d errors and %d warnings per step; all are listed above)", reporttext.Plural(held, "finding"), workflowcmd.PerLevelCap, workflowcmd.PerLevelCap)
	}
	out.Printf("\n")
	return out.Err
}

// WriteAnnotations prints findings as workflow-command annotations, errors and warnings each
// capped as GitHub caps them (workflowcmd.Capped), and returns how many it held back.
func WriteAnnotations(w io.Writer, findings []sourcemaps.Finding) (held int, err error) {
	out := workflowcmd.NewCapped(w)
	for _, f := range findings {
		level := "error"
		if f.Severity == sourcemaps.SeverityWarning {
			level = "warning"
		}
		out.Write(workflowcmd.Annotation{Level: level, Title: "releasegate: " + f.Code, File: f.Path, Line: f.Line, Col: f.Column, Message: f.Message})
	}
	return out.Held, out.Err()
}
