package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/releasegate/releasegate/sourcemaps"
)

// sampleReport is a fixed report exercising every rendering feature: several files, positions
// present and absent, a map reference, both severities.
func sampleReport(extraErrors int) *sourcemaps.Report {
	r := &sourcemaps.Report{
		Files: []sourcemaps.FileReport{
			{Path: "dist/app.js", Map: "dist/app.js.map", MapKind: sourcemaps.MapExternal},
			{Path: "dist/inline.js", MapKind: sourcemaps.MapInline},
			{Path: "dist/plain.js", MapKind: sourcemaps.MapNone},
		},
		Findings: []sourcemaps.Finding{
			{Code: "mapping-generated-column-out-of-range", Severity: sourcemaps.SeverityError, Path: "dist/app.js", Line: 3, Column: 120, Map: "dist/app.js.map",
				Message: "the map has a mapping at column 120 of generated line 3, which is only 80 characters long (UTF-16); rebuild both"},
			{Code: "map-file-mismatch", Severity: sourcemaps.SeverityWarning, Path: "dist/app.js.map",
				Message: `the map's "file" is "app.pre.js", but it belongs to app.js, with a comma: and colon`},
			{Code: "js-without-map", Severity: sourcemaps.SeverityWarning, Path: "dist/plain.js", Message: "no source map found\nsecond line"},
		},
		Errors: 1, Warnings: 2,
	}
	for i := range extraErrors {
		r.Findings = append(r.Findings, sourcemaps.Finding{Code: "vlq-invalid-character", Severity: sourcemaps.SeverityError,
			Path: fmt.Sprintf("dist/chunk-%02d.js", i), Line: 1, Column: i + 1, Message: "invalid character"})
		r.Errors++
	}
	return r
}

func TestValidateRenderers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, format string
		tty          bool
		extra        int
	}{
		{"human", "human", false, 0},
		{"human-tty", "human", true, 0},
		{"json", "json", false, 0},
		{"github", "github", false, 0},
		{"github-capped", "github", false, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			render, err := validateRenderer(tt.format)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := render(&IOStreams{Out: &out, OutTTY: tt.tty}, sampleReport(tt.extra)); err != nil {
				t.Fatal(err)
			}
			assertGolden(t, "validate-"+tt.name, out.Bytes())
		})
	}
}
