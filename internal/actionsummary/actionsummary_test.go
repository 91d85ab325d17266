package actionsummary

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/testenv"
	"github.com/releasegate/releasegate/sourcemaps"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden with the current output")

// sample is a run with every part: a failed phase, findings past the row limit, an upload,
// the ownership check and sync (a diff with a code fence in it), and the gate's report; its
// texts carry Markdown that must be escaped.
func sample() Summary {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := Summary{
		Release:  "web@1.2.3 `x`",
		Projects: []string{"web", "api|admin"},
		Error:    "gate failed: the gate says fail: 1 new issue <script>",
		Phases: []Phase{
			{Name: "validate", Status: "ok", Millis: 850, Detail: "3 files: 0 errors, 1 warning"},
			{Name: "upload", Status: "ok", Millis: 12345, Detail: "3 files, 2 debug IDs"},
			{Name: "gate", Status: "failed", Millis: 2000, Detail: "fail: a *new* issue | TypeError"},
			{Name: "finalize", Status: "not run"},
			{Name: "deploy", Status: "skipped", Detail: "no environment"},
		},
		Validate: &Validation{Files: 3, Warnings: 1, Findings: []sourcemaps.Finding{
			{Code: "js-without-map", Severity: sourcemaps.SeverityWarning, Path: "dist/a|b.js", Message: "no source map [found](x)"},
		}},
		Uploads: []Upload{{Projects: []string{"web"}, Files: 3, DebugIDs: 2, Injected: 1, Bytes: 3 << 20, BytesSent: 1536, Uploaded: 1, Total: 2,
			Phases: []Timing{{"discover", 5}, {"upload", 1500}}}},
		Ownership: &Ownership{Rules: 4, Properties: 1, Errors: 1, Findings: []sourcemaps.Finding{
			{Code: "no-file", Severity: sourcemaps.SeverityError, Path: "sentry.properties", Line: 3, Message: "path:src/old/* matches no file"},
		}},
		OwnershipSync: []Sync{{Project: "web", Properties: "sentry.properties", Status: "updated", Changes: []string{"+1 rule", "-1 rule"},
			Diff: "-path:src/old/* #web\n+path:src/new/* #web\n ```\n"}},
		Gate: &gate.Decision{Verdict: gate.StatusFail, Release: "web@1.2.3", Environment: "production", DecidedAt: at, Start: at.Add(-time.Hour),
			Reason: "1 new issue over the limit"},
	}
	for i := range FindingRows + 2 {
		s.Validate.Findings = append(s.Validate.Findings, sourcemaps.Finding{Code: "vlq-invalid-character", Severity: sourcemaps.SeverityError,
			Path: fmt.Sprintf("dist/chunk-%02d.js", i), Line: i, Message: "invalid character"})
		s.Validate.Errors++
	}
	return s
}

func TestWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		s    Summary
	}{
		{"full", sample()},
		{"nothing-ran", Summary{Phases: []Phase{{Name: "inputs", Status: "failed", Detail: "sourcemaps: no such folder"}}, Error: "bad inputs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			if err := Write(&out, tt.s); err != nil {
				t.Fatal(err)
			}
			testenv.AssertGolden(t, filepath.Join("testdata", "golden", tt.name+".golden"), out.Bytes(), *update)
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

// TestWriteReturnsWriteErrors: a write failing anywhere (the title, the tables, the gate's
// report at the end) is returned, not a summary cut short reported as written.
func TestWriteReturnsWriteErrors(t *testing.T) {
	t.Parallel()
	var full bytes.Buffer
	if err := Write(&full, sample()); err != nil {
		t.Fatal(err)
	}
	gateAt := strings.LastIndex(full.String(), "\n\n") // inside the gate's report
	tests := []struct {
		name string
		at   int
	}{
		{"the first write", 0},
		{"in the phases", strings.Index(full.String(), "| upload |")},
		{"in the findings", full.Len() / 3},
		{"in the gate's report", gateAt},
		{"the last byte", full.Len() - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := Write(&failingWriter{n: tt.at}, sample()); !errors.Is(err, errDiskFull) {
				t.Errorf("a write failing after %d of %d bytes: got %v", tt.at, full.Len(), err)
			}
		})
	}
}
