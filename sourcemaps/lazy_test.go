package sourcemaps_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testbundles"
	"github.com/releasegate/releasegate/sourcemaps"
)

// snapshot reads every file below dir, keyed by relative path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[rel] = string(b)
		}
		return nil
	})
	return out
}

func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "dist")
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestLazyDiscoveryMatchesEager: a lazy discovery keeps no bytes, yet validation and inject
// give exactly what an eager one gives, on every real bundler's output.
func TestLazyDiscoveryMatchesEager(t *testing.T) {
	t.Parallel()
	for _, bundler := range testbundles.Bundlers() {
		t.Run(bundler, func(t *testing.T) {
			t.Parallel()
			dist := testbundles.Build(t, bundler)
			// A broken pair too, so that findings are compared, not only silence.
			if err := os.WriteFile(filepath.Join(dist, "broken.js"), []byte("x\n//# sourceMappingURL=broken.js.map\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dist, "broken.js.map"), []byte(`{"version":3,"sources":["a"],"names":[],"mappings":"AAAA;;;;;;;;;;AAAA"}`), 0o644); err != nil {
				t.Fatal(err)
			}
			eagerDir, lazyDir := copyDir(t, dist), copyDir(t, dist)

			lazy := sourcemaps.Discover([]string{lazyDir}, sourcemaps.DiscoverOptions{Lazy: true})
			for _, p := range lazy.Pairs {
				if p.JSData != nil || p.MapData != nil {
					t.Fatalf("lazy discovery kept the bytes of %s%s", p.JS, p.Map)
				}
			}
			eager := sourcemaps.Discover([]string{eagerDir}, sourcemaps.DiscoverOptions{})
			codes := func(r *sourcemaps.Report, root string) []string {
				var out []string
				for _, f := range r.Findings {
					out = append(out, f.Code+" "+strings.TrimPrefix(f.Path, root)+" "+strings.TrimPrefix(f.Map, root))
				}
				return out
			}
			re := sourcemaps.Validate(eager, sourcemaps.ValidateOptions{})
			rl := sourcemaps.Validate(lazy, sourcemaps.ValidateOptions{})
			if got, want := codes(rl, lazyDir), codes(re, eagerDir); !slices.Equal(got, want) || rl.Errors == 0 {
				t.Fatalf("lazy validation found %v, eager %v", got, want)
			}
			for _, p := range lazy.Pairs {
				if p.JSData != nil || p.MapData != nil {
					t.Fatalf("validation kept the bytes of %s%s", p.JS, p.Map)
				}
			}

			// Inject without the broken pair: the same files, byte for byte.
			for _, dir := range []string{eagerDir, lazyDir} {
				os.Remove(filepath.Join(dir, "broken.js"))
				os.Remove(filepath.Join(dir, "broken.js.map"))
			}
			for _, c := range []struct {
				dir  string
				lazy bool
			}{{eagerDir, false}, {lazyDir, true}} {
				d := sourcemaps.Discover([]string{c.dir}, sourcemaps.DiscoverOptions{Lazy: c.lazy})
				plan, findings := sourcemaps.PlanInject(d, sourcemaps.InjectOptions{})
				if plan.Blocked() || len(plan.Injected) == 0 {
					t.Fatalf("plan blocked or empty (lazy %v): %v", c.lazy, findings)
				}
				if err := sourcemaps.ApplyInject(plan); err != nil {
					t.Fatal(err)
				}
			}
			e, l := snapshot(t, eagerDir), snapshot(t, lazyDir)
			if len(e) != len(l) {
				t.Fatalf("eager tree has %d files, lazy %d", len(e), len(l))
			}
			for name, content := range e {
				if l[name] != content {
					t.Errorf("%s differs between eager and lazy inject", name)
				}
			}
		})
	}
}

// TestLazyInjectRefusesAChangedBuild: a file that changes between planning and writing stops a
// lazy inject with nothing written.
func TestLazyInjectRefusesAChangedBuild(t *testing.T) {
	t.Parallel()
	dir := copyDir(t, testbundles.Build(t, "esbuild"))
	d := sourcemaps.Discover([]string{dir}, sourcemaps.DiscoverOptions{Lazy: true})
	plan, _ := sourcemaps.PlanInject(d, sourcemaps.InjectOptions{})
	if plan.Blocked() || len(plan.Injected) < 2 {
		t.Fatalf("want a plan with several files, got %+v", plan.Injected)
	}
	victim := plan.Injected[len(plan.Injected)-1].Path
	b, _ := os.ReadFile(victim)
	if err := os.WriteFile(victim, append([]byte("/* rebuilt */"), b...), 0o644); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	err := sourcemaps.ApplyInject(plan)
	if err == nil || !strings.Contains(err.Error(), filepath.Base(victim)) || !strings.Contains(err.Error(), "changed while inject was running") {
		t.Fatalf("err = %v, want one naming %s as changed", err, victim)
	}
	after := snapshot(t, dir)
	if len(after) != len(before) {
		t.Fatalf("files were added or left behind: %d before, %d after", len(before), len(after))
	}
	for name, content := range before {
		if after[name] != content {
			t.Errorf("%s was changed although inject failed", name)
		}
	}
}
