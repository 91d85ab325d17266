package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestExitCodes pins the documented exit codes: scripts and the Action branch on them.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	broken := t.TempDir()
	writeFile(t, filepath.Join(broken, "app.js"), "x\n//# sourceMappingURL=app.js.map\n")
	writeFile(t, filepath.Join(broken, "app.js.map"), "{not json")
	sample := filepath.Join("..", "..", "testdata", "sample-build")
	tests := []struct {
		name string
		args []string
		code int
		// stderrHas must appear on stderr (empty: stderr must be empty).
		stderrHas string
	}{
		{"version", []string{"--version"}, exitOK, ""},
		{"clean build", []string{"sourcemaps", "validate", sample}, exitOK, ""},
		{"errors found", []string{"sourcemaps", "validate", broken}, exitNo, ""},
		{"errors found, json", []string{"sourcemaps", "validate", "--format", "json", broken}, exitNo, ""},
		{"missing path argument", []string{"sourcemaps", "validate"}, exitUsage, "missing PATH"},
		{"unknown format", []string{"sourcemaps", "validate", "--format", "yaml", sample}, exitUsage, "unknown --format"},
		{"unknown flag", []string{"sourcemaps", "validate", "--bogus", sample}, exitUsage, "unknown flag"},
		{"unknown command", []string{"nope"}, exitUsage, "unknown command"},
		{"unknown subcommand", []string{"sourcemaps", "upload-all", sample}, exitUsage, "unknown command"},
		{"bad max size", []string{"sourcemaps", "validate", "--max-file-size", "0", sample}, exitUsage, "--max-file-size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			code := Main(tt.args, strings.NewReader(""), &out, &errOut)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out.String(), errOut.String())
			}
			if tt.stderrHas == "" && errOut.Len() > 0 {
				t.Errorf("unexpected stderr: %s", errOut.String())
			}
			if tt.stderrHas != "" && !strings.Contains(errOut.String(), tt.stderrHas) {
				t.Errorf("stderr %q does not mention %q", errOut.String(), tt.stderrHas)
			}
			if tt.code == exitUsage && out.Len() > 0 {
				t.Errorf("a usage error printed on stdout: %s", out.String())
			}
		})
	}
}
