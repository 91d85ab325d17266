package sourcemaps

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestFolder(t *testing.T) {
	t.Parallel()
	d := folder(filepath.FromSlash("/work/repo"))
	tests := []struct {
		name    string
		d       folder
		p       string
		abs     string
		errPath string // the path a *fs.PathError for abs is shown with
	}{
		{"relative", d, "dist/app.js", "/work/repo/dist/app.js", "dist/app.js"},
		{"dotted", d, "./dist/../dist/app.js", "/work/repo/dist/app.js", "./dist/../dist/app.js"},
		{"absolute", d, "/elsewhere/app.js", "/elsewhere/app.js", "/elsewhere/app.js"},
		{"empty", d, "", "", ""},
		{"the process's folder", "", "dist/app.js", "dist/app.js", "dist/app.js"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.d.abs(filepath.FromSlash(tt.p)); got != filepath.FromSlash(tt.abs) {
				t.Errorf("abs(%q) = %q, want %q", tt.p, got, tt.abs)
			}
			err := tt.d.asGiven(&fs.PathError{Op: "open", Path: tt.d.abs(filepath.FromSlash(tt.p)), Err: fs.ErrNotExist}, filepath.FromSlash(tt.p))
			if pe, ok := errors.AsType[*fs.PathError](err); !ok || pe.Path != filepath.FromSlash(tt.errPath) {
				t.Errorf("asGiven names %v, want %q", err, tt.errPath)
			}
		})
	}
	// A path below the folder that is not the one given (a symlink's target) is shown
	// relative to the folder.
	err := d.asGiven(&fs.PathError{Op: "stat", Path: filepath.FromSlash("/work/repo/real/app.js"), Err: fs.ErrNotExist}, "dist/app.js")
	if pe, ok := errors.AsType[*fs.PathError](err); !ok || pe.Path != filepath.FromSlash("real/app.js") {
		t.Errorf("a path below the folder is shown as %v, want real/app.js", err)
	}
}

// folderBuild writes a build at dist/ under a new folder, with one of each pairing and each way
// out of the build, and checks that the process's folder has no dist/, so that reading the
// process's folder instead of the one given cannot pass the tests.
func folderBuild(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("dist"); err == nil {
		t.Fatal("the process's folder has a dist/: the tests could not tell the folders apart")
	}
	return writeTree(t, map[string]string{
		"dist/app.js":       "a();\n//# sourceMappingURL=app.js.map",
		"dist/app.js.map":   tinyMap,
		"dist/plain.js":     "p();\n",
		"dist/plain.js.map": tinyMap,
		"dist/leak.js":      "l();\n//# sourceMappingURL=../secret.js.map",
		"secret.js.map":     tinyMap,
		"dist/missing.js":   "m();\n//# sourceMappingURL=gone.js.map",
		"dist/lib":          "->../outside",
		"outside/vendor.js": "v();\n",
	})
}

// TestDiscoverInFolder: relative roots are walked in DiscoverOptions.Dir; pairs and findings
// name files as the roots were given, and confinement holds as it does for the process's folder.
func TestDiscoverInFolder(t *testing.T) {
	t.Parallel()
	root := folderBuild(t)
	for _, allow := range []bool{false, true} {
		for _, lazy := range []bool{false, true} {
			d := Discover([]string{"dist"}, DiscoverOptions{Dir: root, AllowOutsideRoot: allow, Lazy: lazy})
			if d.Dir != root {
				t.Errorf("Discovery.Dir = %q, want %q", d.Dir, root)
			}
			want := map[string]string{"dist/app.js": "dist/app.js.map", "dist/plain.js": "dist/plain.js.map", "dist/leak.js": "", "dist/missing.js": ""}
			wantFindings := []string{CodeMapOutsideRoot + " dist/leak.js", CodeMapReferenceMissing + " dist/missing.js", CodeSymlinkOutsideRoot + " dist/lib"}
			if allow {
				want["dist/leak.js"], want["dist/lib/vendor.js"] = "secret.js.map", ""
				wantFindings = []string{CodeMapReferenceMissing + " dist/missing.js", CodeNoMap + " dist/lib/vendor.js"}
			}
			got := map[string]string{}
			for i := range d.Pairs {
				p := &d.Pairs[i]
				got[filepath.ToSlash(p.JS)] = filepath.ToSlash(p.Map)
				if _, err := p.Load(); err != nil {
					t.Errorf("allow=%v lazy=%v: loading %s: %v", allow, lazy, p.JS, err)
				} else if len(p.JSData) == 0 || p.Map != "" && len(p.MapData) == 0 {
					t.Errorf("allow=%v lazy=%v: %s was not read", allow, lazy, p.JS)
				}
				p.Unload()
			}
			var findings []string
			for _, f := range d.Findings {
				findings = append(findings, f.Code+" "+filepath.ToSlash(f.Path))
			}
			slices.Sort(findings)
			slices.Sort(wantFindings)
			if !mapsEqual(got, want) || !slices.Equal(findings, wantFindings) {
				t.Errorf("allow=%v lazy=%v:\npairs %v\nwant  %v\nfindings %v\nwant     %v", allow, lazy, got, want, findings, wantFindings)
			}
			rep := Validate(d, ValidateOptions{})
			for _, f := range rep.Files {
				if filepath.IsAbs(f.Path) || !strings.HasPrefix(filepath.ToSlash(f.Path), "dist/") {
					t.Errorf("allow=%v lazy=%v: validate reports %s, want it as given", allow, lazy, f.Path)
				}
			}
		}
	}
	// The same roots without the folder are the process's, where there is no build.
	d := Discover([]string{"dist"}, DiscoverOptions{})
	if len(d.Pairs) != 0 || len(d.Findings) != 1 || d.Findings[0].Code != CodePathMissing {
		t.Errorf("without Dir: %d pairs, findings %v; want only %s", len(d.Pairs), d.Findings, CodePathMissing)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestFolderErrorsNameFilesAsGiven: a file that goes missing after discovery is reported under
// the path given, not the folder's absolute one.
func TestFolderErrorsNameFilesAsGiven(t *testing.T) {
	t.Parallel()
	root := writeTree(t, map[string]string{"dist/app.js": "a();\n//# sourceMappingURL=app.js.map", "dist/app.js.map": tinyMap})
	d := Discover([]string{"dist"}, DiscoverOptions{Dir: root, Lazy: true})
	if err := os.Remove(filepath.Join(root, "dist", "app.js")); err != nil {
		t.Fatal(err)
	}
	for _, p := range d.Pairs {
		if p.JS != filepath.Join("dist", "app.js") {
			continue
		}
		_, err := p.Load()
		if err == nil || !strings.Contains(err.Error(), filepath.Join("dist", "app.js")) || strings.Contains(err.Error(), root) {
			t.Errorf("Load = %v, want an error naming dist/app.js as given", err)
		}
	}
	rep := Validate(d, ValidateOptions{})
	if len(rep.Findings) != 1 || rep.Findings[0].Code != CodeFileUnreadable || rep.Findings[0].Path != filepath.Join("dist", "app.js") || strings.Contains(rep.Findings[0].Message, root) {
		t.Errorf("validate: %+v; want one %s finding naming dist/app.js as given", rep.Findings, CodeFileUnreadable)
	}
	_, _, err := LoadMapFor(filepath.Join("dist", "nope.js"), LoadMapOptions{Dir: root})
	if err == nil || err.Error() != filepath.Join("dist", "nope.js")+" does not exist; check the path" || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadMapFor(dist/nope.js) = %v, want it named as given", err)
	}
}

// TestInjectAndBundleInFolder: inject writes the folder's files, the bundle reads them and names
// them by their path below the root given, and an interrupted inject is recovered there.
func TestInjectAndBundleInFolder(t *testing.T) {
	t.Parallel()
	for _, lazy := range []bool{false, true} {
		root := writeTree(t, map[string]string{"dist/app.js": "a();\n//# sourceMappingURL=app.js.map", "dist/app.js.map": tinyMap})
		opts := DiscoverOptions{Dir: root, Lazy: lazy}
		d := Discover([]string{"dist"}, opts)
		plan, findings := PlanInject(d, InjectOptions{})
		if len(findings) != 0 || len(plan.Injected) != 1 || plan.Injected[0].Path != filepath.Join("dist", "app.js") {
			t.Fatalf("lazy=%v: plan %+v, findings %v", lazy, plan.Injected, findings)
		}
		if err := ApplyInjectContext(context.Background(), plan); err != nil {
			t.Fatalf("lazy=%v: %v", lazy, err)
		}
		js, err := os.ReadFile(filepath.Join(root, "dist", "app.js"))
		if err != nil || !strings.Contains(string(js), "//# debugId="+plan.Injected[0].DebugID) {
			t.Fatalf("lazy=%v: the folder's file was not injected (%v):\n%s", lazy, err, js)
		}
		files, err := BundleFiles(Discover([]string{"dist"}, opts), []string{"dist"}, BundleFilesOptions{})
		if err != nil || len(files) != 2 {
			t.Fatalf("lazy=%v: BundleFiles = %d files, %v", lazy, len(files), err)
		}
		for _, f := range files {
			data, err := f.Load()
			onDisk, _ := os.ReadFile(filepath.Join(root, "dist", strings.TrimPrefix(f.URL, "~/")))
			if err != nil || string(data) != string(onDisk) || f.DebugID != plan.Injected[0].DebugID || f.Size != int64(len(onDisk)) {
				t.Errorf("lazy=%v: %s: %d bytes (%v), debug ID %q, size %d; want the folder's file", lazy, f.URL, len(data), err, f.DebugID, f.Size)
			}
		}
	}
}

// TestRecoverInjectInFolder: the folders RecoverInject looks in are the given folder's, so a
// journal there (absolute paths) is replayed.
func TestRecoverInjectInFolder(t *testing.T) {
	t.Parallel()
	root := writeTree(t, map[string]string{"dist/app.js": "a();\n", "dist/.app.js.releasegate-123": "a(); // injected\n"})
	real, err := filepath.EvalSymlinks(filepath.Join(root, "dist", "app.js"))
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(real)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(journalFile{Version: 1, Files: []journalEntry{{
		Path: real, Tmp: filepath.Join(filepath.Dir(real), ".app.js.releasegate-123"),
		OrigSize: info.Size(), OrigModTime: info.ModTime().UnixNano(),
	}}})
	writeFileT(t, filepath.Join(root, "dist", journalName), string(j))
	rec, err := RecoverInject(Discover([]string{"dist"}, DiscoverOptions{Dir: root}))
	if err != nil || !slices.Equal(rec.Completed, []string{real}) || len(rec.Findings) != 0 {
		t.Fatalf("RecoverInject = %+v, %v; want %s completed", rec, err, real)
	}
	if js, _ := os.ReadFile(real); string(js) != "a(); // injected\n" {
		t.Errorf("the rename was not finished: %q", js)
	}
}

// TestTraceInFolder: a trace's frames are matched against the files under the folder's roots
// and resolved with their maps there, named as given.
func TestTraceInFolder(t *testing.T) {
	t.Parallel()
	root := folderBuild(t)
	files, findings := FindGeneratedFiles([]string{"dist"}, DiscoverOptions{Dir: root})
	if files.Len() != 4 || len(findings) != 1 || findings[0].Code != CodeSymlinkOutsideRoot {
		t.Fatalf("FindGeneratedFiles: %d files, findings %v", files.Len(), findings)
	}
	r := &TraceResolver{Files: files}
	out := r.ResolveTrace(ParseStackTrace("Error: boom\n    at f (https://shop.example.com/assets/app.js:1:1)\n"))
	f := out[1].Frame
	if f == nil || !f.Resolved() || f.File != filepath.Join("dist", "app.js") || f.MapPath != filepath.Join("dist", "app.js.map") {
		t.Fatalf("frame %+v, want app.js resolved with dist/app.js.map", f)
	}
	if resolved, unresolved := Tally(out); resolved != 1 || unresolved != 0 {
		t.Errorf("Tally = %d, %d; want 1, 0", resolved, unresolved)
	}
}
