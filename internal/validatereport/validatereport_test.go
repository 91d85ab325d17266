package validatereport

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
	"github.com/releasegate/releasegate/sourcemaps"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden with the current output")

func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testenv.AssertGolden(t, filepath.Join("testdata", "golden", name+".golden"), got, *update)
}

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

// renderers are the report's renderers by the name of their --format.
var renderers = map[string]func(w io.Writer, tty bool, r *sourcemaps.Report) error{
	"human":  func(w io.Writer, tty bool, r *sourcemaps.Report) error { return Human(w, NewPalette(tty), r) },
	"json":   func(w io.Writer, _ bool, r *sourcemaps.Report) error { return JSON(w, r) },
	"github": func(w io.Writer, _ bool, r *sourcemaps.Report) error { return GitHub(w, r) },
}

func TestRenderers(t *testing.T) {
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
			var out bytes.Buffer
			if err := renderers[tt.format](&out, tt.tty, sampleReport(tt.extra)); err != nil {
				t.Fatal(err)
			}
			assertGolden(t, tt.name, out.Bytes())
		})
	}
}

// failingWriter accepts n bytes, then fails every write.
type failingWriter struct{ n int }

var errDiskFull = errors.New("no space left on device")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

// TestRenderersReturnWriteErrors: whichever write fails, at the start, in the findings or at
// the verdict, the renderer returns the error rather than reporting success.
func TestRenderersReturnWriteErrors(t *testing.T) {
	t.Parallel()
	write := map[string]func(w io.Writer) error{
		"findings":    func(w io.Writer) error { return WriteFindings(w, Palette{}, sampleReport(0).Findings) },
		"annotations": func(w io.Writer) error { _, err := WriteAnnotations(w, sampleReport(0).Findings); return err },
	}
	for name, render := range renderers {
		write[name] = func(w io.Writer) error { return render(w, false, sampleReport(12)) }
	}
	for name, render := range write {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var full bytes.Buffer
			if err := render(&full); err != nil {
				t.Fatal(err)
			}
			for _, at := range []int{0, full.Len() / 2, full.Len() - 1} {
				if err := render(&failingWriter{n: at}); !errors.Is(err, errDiskFull) {
					t.Errorf("a write failing after %d of %d bytes: got %v, want the write error", at, full.Len(), err)
				}
			}
		})
	}
}
