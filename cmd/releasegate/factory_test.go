package main

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/sourcemaps"
)

// TestFactoryPaths: relative paths are anchored in WorkDir and shown relative to it; a factory
// that does not know its folder keeps them as given rather than guessing the process's.
func TestFactoryPaths(t *testing.T) {
	t.Parallel()
	wd := filepath.FromSlash("/work/repo")
	known := &Factory{WorkDir: func() (string, error) { return wd, nil }}
	failing := &Factory{WorkDir: func() (string, error) { return "", errors.New("gone") }}
	unset := &Factory{}
	tests := []struct {
		name          string
		f             *Factory
		path          string
		abs, displays string
	}{
		{"relative", known, "dist/app.js", filepath.Join(wd, "dist", "app.js"), filepath.Join("dist", "app.js")},
		{"dot", known, ".", wd, "."},
		{"absolute below", known, filepath.Join(wd, "sentry.properties"), filepath.Join(wd, "sentry.properties"), "sentry.properties"},
		{"absolute elsewhere", known, filepath.FromSlash("/etc/policy.yml"), filepath.FromSlash("/etc/policy.yml"), filepath.FromSlash("/etc/policy.yml")},
		{"parent", known, filepath.FromSlash("../other/x"), filepath.FromSlash("/work/other/x"), filepath.FromSlash("/work/other/x")},
		{"empty", known, "", "", ""},
		{"folder unknown", failing, "dist", "dist", "dist"},
		{"no WorkDir", unset, "dist", "dist", "dist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.f.Abs(tt.path); got != tt.abs {
				t.Errorf("Abs(%q) = %q, want %q", tt.path, got, tt.abs)
			}
			if got := tt.f.DisplayPath(tt.path); got != tt.displays {
				t.Errorf("DisplayPath(%q) = %q, want %q", tt.path, got, tt.displays)
			}
		})
	}
}

// TestNoColor: NO_COLOR (IOStreams.NoColor) turns colour off on a terminal too.
func TestNoColor(t *testing.T) {
	t.Parallel()
	for _, noColor := range []bool{false, true} {
		var out bytes.Buffer
		render, err := validateRenderer("human")
		if err != nil {
			t.Fatal(err)
		}
		if err := render(&IOStreams{Out: &out, OutTTY: true, NoColor: noColor}, &sourcemaps.Report{
			Files:    []sourcemaps.FileReport{{Path: "dist/app.js"}},
			Findings: []sourcemaps.Finding{{Code: "js-without-map", Severity: sourcemaps.SeverityWarning, Path: "dist/app.js", Message: "no source map found"}},
			Warnings: 1,
		}); err != nil {
			t.Fatal(err)
		}
		if coloured := strings.Contains(out.String(), "\x1b["); coloured == noColor {
			t.Errorf("NoColor %v: coloured %v\n%q", noColor, coloured, out.String())
		}
	}
}

// TestPathsAsGiven: a file given as a relative path is read from the working folder, and a
// message about it names it as given, as it did when paths were the process's.
func TestPathsAsGiven(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, nil)
	e.Dir = t.TempDir()
	writeFile(t, filepath.Join(e.Dir, "sentry.properties"), "defaults.org = acme\ndefaults.project = web\nownership.rules = path:src/* #frontend\n")
	for _, args := range [][]string{
		{"gate", "--release", "web@1", "--environment", "production", "--policy", "missing.yml"},
		{"ownership", "explain", "--dir", ".", "src/missing.js"},
		{"ownership", "explain", "--dir", ".", "--event", "missing.json"},
	} {
		code, _, errOut := e.run(t, "", args...)
		given := args[len(args)-1]
		if code != exitUsage || !strings.Contains(errOut, given+": no such file") || strings.Contains(errOut, e.Dir) {
			t.Errorf("%v: exit %d, want 2 naming %s as given:\n%s", args, code, given, errOut)
		}
	}
	writeFile(t, filepath.Join(e.Dir, "policy.yml"), "environments: [\n")
	if code, _, errOut := e.run(t, "", "gate", "--release", "web@1", "--environment", "production", "--policy", "policy.yml"); code != exitUsage || !strings.Contains(errOut, "policy.yml") || strings.Contains(errOut, e.Dir) {
		t.Errorf("a broken policy in the working folder: exit %d, want 2 naming policy.yml:\n%s", code, errOut)
	}
}

// TestFactoryWithEnv: the variables added override the base's for Getenv and for git alike
// (exec keeps the last of a name given twice), and the base is left as it was.
func TestFactoryWithEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		base        *Factory
		vars        map[string]string
		getenv      map[string]string // names to look up, and what they must say
		environTail []string          // what Environ ends with
	}{
		{
			name: "added over the base",
			base: &Factory{Getenv: func(k string) string { return map[string]string{"A": "1", "B": "2"}[k] }, Environ: func() []string { return []string{"A=1", "B=2"} }},
			vars: map[string]string{"B": "3", "C": "4"}, getenv: map[string]string{"A": "1", "B": "3", "C": "4"},
			environTail: []string{"A=1", "B=2", "B=3", "C=4"},
		},
		{
			name: "nothing added", base: &Factory{Getenv: func(k string) string { return "x" }, Environ: func() []string { return []string{"K=x"} }},
			getenv: map[string]string{"K": "x"}, environTail: []string{"K=x"},
		},
		{
			name: "a base without an environment", base: &Factory{}, vars: map[string]string{"C": "4"},
			getenv: map[string]string{"A": "", "C": "4"}, environTail: []string{"C=4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := tt.base.withEnv(tt.vars)
			for k, want := range tt.getenv {
				if got := f.Getenv(k); got != want {
					t.Errorf("Getenv(%s) = %q, want %q", k, got, want)
				}
			}
			if got := f.environ(); !slices.Equal(got, tt.environTail) {
				t.Errorf("Environ = %q, want %q", got, tt.environTail)
			}
			if tt.base.Getenv != nil && len(tt.vars) > 0 && tt.base.Getenv("C") != "" {
				t.Error("the base's environment was changed")
			}
		})
	}
}
