package main

import (
	"github.com/releasegate/releasegate/internal/reporttext"
	"github.com/releasegate/releasegate/internal/validatereport"
	"github.com/releasegate/releasegate/sourcemaps"
)

// The findings' layout, the palette and the annotations are validatereport's, shared by the
// commands that list findings (validate, inject, ownership check, upload); the words for
// counts, durations and sizes are reporttext's, shared with the action's job summary.

type palette = validatereport.Palette

// newPalette colours the stream only when it is a terminal and NO_COLOR is not set.
func newPalette(ios *IOStreams, tty bool) palette {
	return validatereport.NewPalette(tty && !ios.NoColor)
}

var (
	writeFindingsGrouped = validatereport.WriteFindings
	writeAnnotations     = validatereport.WriteAnnotations

	plural          = reporttext.Plural
	fmtMillis       = reporttext.Millis
	humanBytes      = reporttext.Bytes
	propertiesCount = reporttext.PropertiesCount
)

type validateRenderFunc func(ios *IOStreams, r *sourcemaps.Report) error

// validateRenderer is the renderer of validate's --format.
func validateRenderer(format string) (validateRenderFunc, error) {
	switch format {
	case "human", "":
		return renderValidateHuman, nil
	case "json":
		return func(ios *IOStreams, r *sourcemaps.Report) error { return validatereport.JSON(ios.Out, r) }, nil
	case "github":
		return renderValidateGitHub, nil
	}
	return nil, usageErrorf("unknown --format %q: use human, json or github", format)
}

func renderValidateHuman(ios *IOStreams, r *sourcemaps.Report) error {
	return validatereport.Human(ios.Out, newPalette(ios, ios.OutTTY), r)
}

func renderValidateGitHub(ios *IOStreams, r *sourcemaps.Report) error {
	return validatereport.GitHub(ios.Out, r)
}
