package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/releasegate/releasegate/internal/workflowcmd"
	"github.com/releasegate/releasegate/sourcemaps"
)

type validateRenderFunc func(ios *IOStreams, r *sourcemaps.Report) error

func validateRenderer(format string) (validateRenderFunc, error) {
	switch format {
	case "human", "":
		return renderValidateHuman, nil
	case "json":
		return renderValidateJSON, nil
	case "github":
		return renderValidateGitHub, nil
	}
	return nil, usageErrorf("unknown --format %q: use human, json or github", format)
}

func renderValidateJSON(ios *IOStreams, r *sourcemaps.Report) error {
	enc := json.NewEncoder(ios.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// palette colours severities on a terminal only (and never when NO_COLOR is set).
type palette struct{ on bool }

func newPalette(ios *IOStreams, tty bool) palette {
	return palette{on: tty && !ios.NoColor}
}

func (p palette) wrap(code, s string) string {
	if !p.on {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p palette) severity(s sourcemaps.Severity) string {
	if s == sourcemaps.SeverityError {
		return p.wrap("1;31", "error  ")
	}
	return p.wrap("33", "warning")
}

func (p palette) bold(s string) string { return p.wrap("1", s) }
func (p palette) dim(s string) string  { return p.wrap("2", s) }

// renderValidateHuman prints findings grouped by file, then a one-line verdict.
func renderValidateHuman(ios *IOStreams, r *sourcemaps.Report) error {
	w := ios.Out
	pal := newPalette(ios, ios.OutTTY)
	writeFindingsGrouped(w, pal, r.Findings)
	withMap := 0
	for _, f := range r.Files {
		if f.MapKind != sourcemaps.MapNone && f.MapKind != sourcemaps.MapOrphan {
			withMap++
		}
	}
	verdict := pal.wrap("1;32", "ok")
	if r.Broken() {
		verdict = pal.wrap("1;31", "FAILED")
	}
	_, err := fmt.Fprintf(w, "%s: %s, %s in %s (%d with a map)\n", verdict,
		plural(r.Errors, "error"), plural(r.Warnings, "warning"), plural(len(r.Files), "file"), withMap)
	return err
}

// writeFindingsGrouped prints findings under their file, one line each, in the layout of
// ESLint's default formatter that JavaScript engineers know: position, severity, message, code.
func writeFindingsGrouped(w io.Writer, pal palette, findings []sourcemaps.Finding) {
	current := "\x00"
	for _, f := range findings {
		if f.Path != current {
			if current != "\x00" {
				fmt.Fprintln(w)
			}
			current = f.Path
			fmt.Fprintln(w, pal.bold(f.Path))
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
		fmt.Fprintf(w, "  %-8s %s  %s  %s\n", pos, pal.severity(f.Severity), msg, pal.dim(f.Code))
	}
	if current != "\x00" {
		fmt.Fprintln(w)
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// renderValidateGitHub prints workflow-command annotations (errors first, each level capped as
// GitHub caps it), then every finding as plain log lines and the verdict, so nothing is lost.
func renderValidateGitHub(ios *IOStreams, r *sourcemaps.Report) error {
	w := ios.Out
	held, err := writeAnnotations(w, r.Findings)
	if err != nil {
		return err
	}
	if len(r.Findings) > 0 {
		fmt.Fprintln(w, "::group::All source map findings")
		writeFindingsGrouped(w, palette{}, r.Findings)
		fmt.Fprintln(w, "::endgroup::")
	}
	verdict := "ok"
	if r.Broken() {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "releasegate sourcemaps validate: %s: %s, %s in %s", verdict,
		plural(r.Errors, "error"), plural(r.Warnings, "warning"), plural(len(r.Files), "file"))
	if held > 0 {
		fmt.Fprintf(w, " (%s not annotated: GitHub shows %d errors and %d warnings per step; all are listed above)", plural(held, "finding"), workflowcmd.PerLevelCap, workflowcmd.PerLevelCap)
	}
	_, err = fmt.Fprintln(w)
	return err
}

// writeAnnotations prints findings as workflow-command annotations, errors and warnings
// each capped as GitHub caps them (workflowcmd.Capped), and returns how many it held back.
func writeAnnotations(w io.Writer, findings []sourcemaps.Finding) (held int, err error) {
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
