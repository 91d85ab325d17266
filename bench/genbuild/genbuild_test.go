package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

func TestGenerateProjectIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b := generateProject(7, 400_000), generateProject(7, 400_000)
	if len(a.modules) != len(b.modules) {
		t.Fatalf("%d modules, then %d", len(a.modules), len(b.modules))
	}
	total := 0
	for i := range a.modules {
		if a.modules[i].path != b.modules[i].path || a.modules[i].text != b.modules[i].text {
			t.Fatalf("module %d differs between two runs with the same seed", i)
		}
		total += len(a.modules[i].text)
	}
	// The size is a target, not a bound: modules are finished, not cut.
	if total < 300_000 || total > 600_000 {
		t.Errorf("generated %d bytes of source for a 400000-byte target", total)
	}
	if c := generateProject(8, 400_000); c.modules[0].text == a.modules[0].text {
		t.Error("a different seed gave the same first module")
	}
}

func TestParseSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"60MB": 60 << 20, "512kb": 512 << 10, "1.5GB": 3 << 29, "1000": 1000, "7B": 7} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "MB", "-1MB", "ten"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) succeeded", bad)
		}
	}
}

// TestRunSmallBuild runs esbuild for real on a small build and checks its shape.
func TestRunSmallBuild(t *testing.T) {
	t.Parallel()
	testenv.Node(t)
	nm := testenv.NodeModules(t, "esbuild")
	out := filepath.Join(t.TempDir(), "build")
	const target = 2 << 20
	s, err := run(options{out: out, target: target, seed: 1, peers: filepath.Dir(nm)})
	if err != nil {
		t.Fatal(err)
	}
	if s.jsBytes+s.mapBytes < target || s.jsFiles < 20 || s.jsFiles != s.mapFiles {
		t.Fatalf("summary %+v: want ≥ %d bytes and ≥ 20 JS files, each with a map", s, target)
	}
	pages, _ := filepath.Glob(filepath.Join(out, "pages", "*.js"))
	chunks, _ := filepath.Glob(filepath.Join(out, "chunks", "*.js"))
	if len(pages) == 0 || len(chunks) == 0 {
		t.Fatalf("%d pages and %d chunks, want both", len(pages), len(chunks))
	}
	last := regexp.MustCompile(`\n//# sourceMappingURL=([^\n]+)\n$`)
	var nonASCII, names int
	for _, js := range append(pages, chunks...) {
		code, err := os.ReadFile(js)
		if err != nil {
			t.Fatal(err)
		}
		m := last.FindSubmatch(code)
		if m == nil || string(m[1]) != filepath.Base(js)+".map" {
			t.Fatalf("%s does not end with a sourceMappingURL naming its .map", js)
		}
		raw, err := os.ReadFile(js + ".map")
		if err != nil {
			t.Fatal(err)
		}
		var sm struct {
			Version        int
			Sources        []string
			SourcesContent []string
			Names          []string
		}
		if err := json.Unmarshal(raw, &sm); err != nil || sm.Version != 3 {
			t.Fatalf("%s.map: version %d, %v", js, sm.Version, err)
		}
		if len(sm.SourcesContent) != len(sm.Sources) {
			t.Errorf("%s.map: %d sourcesContent for %d sources", js, len(sm.SourcesContent), len(sm.Sources))
		}
		for _, src := range sm.Sources {
			if !strings.HasPrefix(src, "../../src/") {
				t.Errorf("%s.map: source %q is not relative to the scratch layout", js, src)
			}
		}
		names += len(sm.Names)
		if !isASCII(code) {
			nonASCII++
		}
	}
	if names == 0 || nonASCII == 0 || nonASCII == len(pages)+len(chunks) {
		t.Errorf("%d names, %d of %d files with non-ASCII text: want names and a mix", names, nonASCII, len(pages)+len(chunks))
	}

	// Same flags, same bytes, though the scratch folder differs.
	again := filepath.Join(t.TempDir(), "again")
	if _, err := run(options{out: again, target: target, seed: 1, peers: filepath.Dir(nm)}); err != nil {
		t.Fatal(err)
	}
	if a, b := readTree(t, out), readTree(t, again); !maps.EqualFunc(a, b, bytes.Equal) {
		t.Errorf("two builds with the same flags differ (%d and %d files)", len(a), len(b))
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		files[strings.TrimPrefix(path, dir)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}
