package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/sourcemaps"
)

// sampleInjectReport exercises every line the renderers print: each map kind, a reused ID, a
// skipped file and findings of both severities.
func sampleInjectReport(kind string) *injectReport {
	r := &injectReport{
		Injected: []sourcemaps.InjectedFile{
			{Path: "dist/app.js", Map: "dist/app.js.map", MapKind: sourcemaps.MapExternal, DebugID: "73674be5-8740-5d36-9d31-a47412fdcf98", IDFrom: sourcemaps.IDFromPair},
			{Path: "dist/inline.js", MapKind: sourcemaps.MapInline, DebugID: "bc01340d-36a2-5a19-8991-9f8693101987", IDFrom: sourcemaps.IDFromPair},
			{Path: "dist/kept.js", Map: "dist/kept.js.map", MapKind: sourcemaps.MapExternal, DebugID: "a0242606-ff70-57bd-98bd-2f04986d755f", IDFrom: sourcemaps.IDFromMap},
			{Path: "dist/cli.js", MapKind: sourcemaps.MapNone, DebugID: "2e0a37f1-9a37-5ae5-becd-743ae559e8a3", IDFrom: sourcemaps.IDFromJS},
		},
		Skipped: []sourcemaps.SkippedFile{
			{Path: "dist/old.js", Reason: "already has a //# debugId= comment", DebugID: "089f5a52-c74a-5aa2-b532-9154150c2d45"},
		},
		Findings: []sourcemaps.Finding{
			{Code: "js-without-map", Severity: sourcemaps.SeverityWarning, Path: "dist/cli.js", Message: "no source map found"},
		},
		Warnings: 1,
		Elapsed:  1234567 * time.Microsecond,
	}
	switch kind {
	case "ok":
		r.Written = true
	case "dry-run":
		r.DryRun = true
	case "blocked":
		r.Findings = append(r.Findings, sourcemaps.Finding{Code: "map-not-json", Severity: sourcemaps.SeverityError, Path: "dist/page.js.map", Line: 1, Column: 1,
			Message: "the map is not JSON but looks like HTML or XML (an error page saved as a .map?) (nothing was injected: fix this map first)"})
		r.Errors = 1
	case "nothing":
		r.Injected, r.Findings, r.Warnings, r.Written = []sourcemaps.InjectedFile{}, []sourcemaps.Finding{}, 0, true
		r.Elapsed = 800 * time.Microsecond
	}
	return r
}

func TestInjectRenderers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, format, kind string
		tty                bool
	}{
		{"human", "human", "ok", false},
		{"human-tty", "human", "ok", true},
		{"human-dry-run", "human", "dry-run", false},
		{"human-blocked", "human", "blocked", false},
		{"human-nothing", "human", "nothing", false},
		{"json", "json", "ok", false},
		{"json-blocked", "json", "blocked", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			render, err := injectRenderer(tc.format)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := render(&IOStreams{Out: &out, OutTTY: tc.tty}, sampleInjectReport(tc.kind)); err != nil {
				t.Fatal(err)
			}
			assertGolden(t, "inject-"+tc.name, out.Bytes())
		})
	}
}

// TestInjectReadOnlyFolder: a folder inject cannot write to makes it fail with exit 1, an error
// naming the file, and the build left exactly as it was. Root ignores permissions, so as root
// the folder is made immutable instead (chattr +i), which binds root too.
func TestInjectReadOnlyFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"dist/a.js":         "a();\n//# sourceMappingURL=a.js.map\n",
		"dist/a.js.map":     `{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA"}`,
		"dist/ro/b.js":      "b();\n//# sourceMappingURL=b.js.map\n",
		"dist/ro/b.js.map":  `{"version":3,"sources":["b.js"],"names":[],"mappings":"AAAA"}`,
		"dist/zz/c.js":      "c();\n",
		"dist/zz/other.txt": "not touched",
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, content)
	}
	ro := filepath.Join(dir, "dist", "ro")
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", ro).CombinedOutput(); err != nil {
			t.Skipf("running as root and chattr +i is unavailable (%v: %s); sourcemaps.TestInjectUnwritableWritesNothing covers this with a simulated full disk", err, out)
		}
		t.Cleanup(func() { exec.Command("chattr", "-i", ro).Run() })
	} else {
		if err := os.Chmod(ro, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(ro, 0o755) })
	}
	before := snapshot(t, dir)

	var stdout, stderr bytes.Buffer
	code := Main([]string{"sourcemaps", "inject", filepath.Join(dir, "dist")}, strings.NewReader(""), &stdout, &stderr)
	if code != exitNo {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitNo, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"cannot write " + filepath.Join(ro, "b.js"), "nothing was changed", "make its folder writable", "inject-write-failed", "FAILED: 1 error, 3 warnings; nothing was written"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("the build changed:\nbefore %s\nafter  %s", before, after)
	}
}

// snapshot describes every file under dir (name, mode, content) in one string.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b.WriteString(rel + " " + info.Mode().String() + " " + string(data) + "\n")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
