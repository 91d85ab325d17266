package sourcemaps

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestDiscoverStaysInsideTheRoots: a reference or a symlink that leads out of the paths given
// is refused (or not followed), so nothing outside the build is read, rewritten or uploaded,
// whatever later flags say; kernel pseudo-files, FIFOs and devices are refused even when leaving
// the build is allowed.
func TestDiscoverStaysInsideTheRoots(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	outside := filepath.Join(tmp, "outside")
	writeFileT(t, filepath.Join(outside, "private.js.map"), tinyMap)
	writeFileT(t, filepath.Join(outside, "lib", "vendor.js"), "v();\n//# sourceMappingURL=vendor.js.map")
	writeFileT(t, filepath.Join(outside, "lib", "vendor.js.map"), tinyMap)
	fifo := filepath.Join(tmp, "pipe.map")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		files    map[string]string // below the root; {outside} becomes the relative path to outside
		allow    bool
		mapOf    map[string]string // generated file → the map it gets ("" for none)
		findings []string
	}{
		{"a relative reference out of the build", map[string]string{"a.js": "a();\n//# sourceMappingURL={outside}/private.js.map"},
			false, map[string]string{"a.js": ""}, []string{CodeMapOutsideRoot}},
		{"an absolute reference out of the build", map[string]string{"a.js": "a();\n//# sourceMappingURL=" + filepath.Join(outside, "private.js.map")},
			false, map[string]string{"a.js": ""}, []string{CodeMapOutsideRoot}},
		{"the process environment", map[string]string{"a.js": "a();\n//# sourceMappingURL=/proc/self/environ"},
			false, map[string]string{"a.js": ""}, []string{CodeNotRegularFile}},
		{"the process environment, leaving the build allowed", map[string]string{"a.js": "a();\n//# sourceMappingURL=/proc/self/environ"},
			true, map[string]string{"a.js": ""}, []string{CodeNotRegularFile}},
		{"a device", map[string]string{"a.js": "a();\n//# sourceMappingURL=/dev/zero"},
			true, map[string]string{"a.js": ""}, []string{CodeNotRegularFile}},
		{"a FIFO", map[string]string{"a.js": "a();\n//# sourceMappingURL=" + fifo},
			true, map[string]string{"a.js": ""}, []string{CodeNotRegularFile}},
		{"a reference out of the build, allowed", map[string]string{"a.js": "a();\n//# sourceMappingURL={outside}/private.js.map"},
			true, map[string]string{"a.js": filepath.Join(outside, "private.js.map")}, nil},
		{"a symlinked folder out of the build", map[string]string{"a.js": "a();\n//# sourceMappingURL=a.js.map", "a.js.map": tinyMap, "lib": "->" + filepath.Join(outside, "lib")},
			false, map[string]string{"a.js": "a.js.map"}, []string{CodeSymlinkOutsideRoot}},
		{"a symlinked folder out of the build, allowed", map[string]string{"a.js": "a();\n//# sourceMappingURL=a.js.map", "a.js.map": tinyMap, "lib": "->" + filepath.Join(outside, "lib")},
			true, map[string]string{"a.js": "a.js.map", "lib/vendor.js": "lib/vendor.js.map"}, nil},
		{"a symlink inside the build is followed", map[string]string{"a.js": "a();\n//# sourceMappingURL=a.js.map", "a.js.map": tinyMap, "b.js": "->a.js"},
			false, map[string]string{"a.js": "a.js.map", "b.js": "a.js.map"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := writeTree(t, tc.files)
			relOut, err := filepath.Rel(root, outside)
			if err != nil {
				t.Fatal(err)
			}
			for name, content := range tc.files {
				if strings.Contains(content, "{outside}") {
					writeFileT(t, filepath.Join(root, name), strings.ReplaceAll(content, "{outside}", filepath.ToSlash(relOut)))
				}
			}
			for _, lazy := range []bool{false, true} {
				d := Discover([]string{root}, DiscoverOptions{AllowOutsideRoot: tc.allow, Lazy: lazy})
				got := map[string]string{}
				for _, p := range d.Pairs {
					if p.JS == "" {
						continue
					}
					m := p.Map
					if r, err := filepath.Rel(root, m); err == nil && !strings.HasPrefix(r, "..") && m != "" {
						m = filepath.ToSlash(r)
					}
					got[rel(t, root, p.JS)] = m
					if _, err := p.Load(); err != nil && p.Map != "" {
						t.Errorf("lazy=%v: loading %s: %v", lazy, p.JS, err)
					}
				}
				for js, want := range tc.mapOf {
					if got[js] != want {
						t.Errorf("lazy=%v: %s gets map %q, want %q (pairs %v)", lazy, js, got[js], want, got)
					}
				}
				var codes []string
				for _, f := range d.Findings {
					if f.Code != CodeNoMap && f.Code != CodeOrphanMap {
						codes = append(codes, f.Code)
					}
				}
				slices.Sort(codes)
				if !slices.Equal(codes, tc.findings) {
					t.Errorf("lazy=%v: findings %v, want %v\n%v", lazy, codes, tc.findings, d.Findings)
				}
				for _, f := range d.Findings {
					if f.Code == CodeMapOutsideRoot && (f.Severity != SeverityError || !strings.Contains(f.Message, "--allow-outside-root")) {
						t.Errorf("%s: %s %q: want an error naming --allow-outside-root", f.Code, f.Severity, f.Message)
					}
				}
			}
		})
	}
}

// TestReadRegular: only regular files of at most the limit are read, and a file named on the
// command line that is a device or a FIFO is refused before it is opened (a FIFO would hang).
func TestReadRegular(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	fifo := filepath.Join(tmp, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(tmp, "big.js.map")
	writeFileT(t, big, strings.Repeat("x", 2<<20))
	for _, tc := range []struct {
		path string
		max  int64
		want string
	}{
		{fifo, 0, "is a FIFO"},
		{"/dev/zero", 0, "is a device"},
		{"/proc/self/environ", 0, "is a file of /proc"},
		{tmp, 0, "is a folder"},
		{big, 1 << 20, "over the 1 MiB limit"},
	} {
		if _, err := folder("").readRegular(tc.path, tc.max); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("readRegular(%s) = %v, want an error saying %q", tc.path, err, tc.want)
		}
	}
	if data, err := folder("").readRegular(big, 4<<20); err != nil || len(data) != 2<<20 {
		t.Errorf("readRegular(%s) = %d bytes, %v", big, len(data), err)
	}
	if _, _, err := LoadMapFor(fifo, LoadMapOptions{}); err == nil || !strings.Contains(err.Error(), "FIFO") {
		t.Errorf("LoadMapFor(fifo) = %v, want a refusal", err)
	}
}

func writeFileT(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
