package sourcemaps

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTree creates files under a new temp dir; a value starting with "->" makes a symlink.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "->"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const tinyMap = `{"version":3,"sources":["a.ts"],"sourcesContent":["let a = 1;\n"],"names":[],"mappings":"AAAA"}`

func inlineRef(m string) string {
	return "//# sourceMappingURL=data:application/json;base64," + base64.StdEncoding.EncodeToString([]byte(m))
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	type want struct {
		js, mapPath string // relative to the root; mapPath "" when none
		kind        MapKind
	}
	tests := []struct {
		name     string
		files    map[string]string
		opts     DiscoverOptions
		pairs    []want
		findings []string // codes expected, in any order
	}{
		{
			name:  "external map by comment",
			files: map[string]string{"app.js": "x\n//# sourceMappingURL=app.js.map\n", "app.js.map": tinyMap},
			pairs: []want{{"app.js", "app.js.map", MapExternal}},
		},
		{
			name:     "legacy //@ comment still pairs, with a warning",
			files:    map[string]string{"app.js": "x\n//@ sourceMappingURL=app.js.map\n", "app.js.map": tinyMap},
			pairs:    []want{{"app.js", "app.js.map", MapExternal}},
			findings: []string{CodeMapReferenceLegacy},
		},
		{
			name:     "the last comment wins",
			files:    map[string]string{"app.js": "//# sourceMappingURL=old.map\nx\n//# sourceMappingURL=maps/new.map\n", "maps/new.map": tinyMap, "old.map": tinyMap},
			pairs:    []want{{"app.js", "maps/new.map", MapExternal}, {"", "old.map", MapOrphan}},
			findings: []string{CodeOrphanMap},
		},
		{
			name:  "a comment without the space before sourceMappingURL is not a reference",
			files: map[string]string{"app.js": "x\n//#sourceMappingURL=app.js.map\n", "app.js.map": tinyMap},
			pairs: []want{{"app.js", "app.js.map", MapGuessed}},
		},
		{
			name:  "query and fragment are stripped",
			files: map[string]string{"app.js": "x\n//# sourceMappingURL=app.js.map?v=3#x\n", "app.js.map": tinyMap},
			pairs: []want{{"app.js", "app.js.map", MapExternal}},
		},
		{
			name:  "inline base64 map",
			files: map[string]string{"app.js": "x\n" + inlineRef(tinyMap) + "\n"},
			pairs: []want{{"app.js", "", MapInline}},
		},
		{
			name:     "inline map with a charset is decoded but flagged: sentry-cli ignores it",
			files:    map[string]string{"app.js": "x\n//# sourceMappingURL=data:application/json;charset=utf-8;base64," + base64.StdEncoding.EncodeToString([]byte(tinyMap)) + "\n"},
			pairs:    []want{{"app.js", "", MapInline}},
			findings: []string{CodeInlineMapUnsupported},
		},
		{
			name:     "inline map that is not base64",
			files:    map[string]string{"app.js": "x\n//# sourceMappingURL=data:application/json;base64,%%%\n"},
			pairs:    []want{{"app.js", "", MapNone}},
			findings: []string{CodeInlineMapInvalid},
		},
		{
			name:  "guess foo.min.js -> foo.map",
			files: map[string]string{"foo.min.js": "x", "foo.map": tinyMap},
			pairs: []want{{"foo.min.js", "foo.map", MapGuessed}},
		},
		{
			name:  "guess foo.min.js -> foo.js.map",
			files: map[string]string{"foo.min.js": "x", "foo.js.map": tinyMap},
			pairs: []want{{"foo.min.js", "foo.js.map", MapGuessed}},
		},
		{
			name:  "guess foo.min.js -> foo.min.map",
			files: map[string]string{"foo.min.js": "x", "foo.min.map": tinyMap},
			pairs: []want{{"foo.min.js", "foo.min.map", MapGuessed}},
		},
		{
			name:     "a map guessed by two files goes to neither",
			files:    map[string]string{"foo.js": "x", "foo.min.js": "y", "foo.map": tinyMap},
			pairs:    []want{{"foo.js", "", MapNone}, {"foo.min.js", "", MapNone}, {"", "foo.map", MapOrphan}},
			findings: []string{CodeMapReferenceAmbiguous, CodeNoMap, CodeNoMap, CodeOrphanMap},
		},
		{
			name:     "a guessed map that another file references is not guessed",
			files:    map[string]string{"foo.js": "x", "other.js": "//# sourceMappingURL=foo.js.map", "foo.js.map": tinyMap},
			pairs:    []want{{"foo.js", "", MapNone}, {"other.js", "foo.js.map", MapExternal}},
			findings: []string{CodeNoMap},
		},
		{
			name:     "missing referenced map is an error",
			files:    map[string]string{"app.js": "x\n//# sourceMappingURL=app.js.map\n"},
			pairs:    []want{{"app.js", "", MapNone}},
			findings: []string{CodeMapReferenceMissing},
		},
		{
			name:     "sentry-cli's sibling-folder match is reported, not made",
			files:    map[string]string{"code/app.js": "x\n//# sourceMappingURL=app.js.map\n", "maps/app.js.map": tinyMap},
			pairs:    []want{{"code/app.js", "", MapNone}, {"", "maps/app.js.map", MapOrphan}},
			findings: []string{CodeMapReferenceSibling, CodeOrphanMap},
		},
		{
			name:     "remote references are not followed",
			files:    map[string]string{"app.js": "x\n//# sourceMappingURL=https://cdn.example.com/app.js.map\n"},
			pairs:    []want{{"app.js", "", MapNone}},
			findings: []string{CodeMapReferenceRemote},
		},
		{
			name:     "no map at all",
			files:    map[string]string{"app.js": "x"},
			pairs:    []want{{"app.js", "", MapNone}},
			findings: []string{CodeNoMap},
		},
		{
			name: "node_modules and hidden folders are skipped, hidden files are not",
			files: map[string]string{
				"node_modules/lib/x.js": "x", ".cache/y.js": "y", ".hidden.js": "//# sourceMappingURL=h.map", "h.map": tinyMap,
			},
			pairs: []want{{".hidden.js", "h.map", MapExternal}},
		},
		{
			name:  "node_modules included on request",
			files: map[string]string{"node_modules/lib/x.js": "//# sourceMappingURL=x.js.map", "node_modules/lib/x.js.map": tinyMap},
			opts:  DiscoverOptions{IncludeNodeModules: true},
			pairs: []want{{"node_modules/lib/x.js", "node_modules/lib/x.js.map", MapExternal}},
		},
		{
			name:  "ignore globs match names at any depth, or paths with a slash",
			files: map[string]string{"a/vendor.js": "x", "b/keep.js": "//# sourceMappingURL=keep.js.map", "b/keep.js.map": tinyMap, "legacy/old.js": "z"},
			opts:  DiscoverOptions{Ignore: []string{"vendor*.js", "legacy/**"}},
			pairs: []want{{"b/keep.js", "b/keep.js.map", MapExternal}},
		},
		{
			name:  "custom extensions replace the default ones",
			files: map[string]string{"app.jsx": "//# sourceMappingURL=app.jsx.map", "app.jsx.map": tinyMap, "other.js": "x"},
			opts:  DiscoverOptions{Extensions: []string{"jsx"}},
			pairs: []want{{"app.jsx", "app.jsx.map", MapExternal}},
		},
		{
			name:     "a symlink loop is walked once and reported",
			files:    map[string]string{"a/app.js": "//# sourceMappingURL=app.js.map", "a/app.js.map": tinyMap, "a/loop": "->.."},
			pairs:    []want{{"a/app.js", "a/app.js.map", MapExternal}},
			findings: []string{CodeSymlinkLoop},
		},
		{
			name:     "a symlink out of the build is not followed",
			files:    map[string]string{"bad.js": "->/proc/self/mem", "ok.js": "//# sourceMappingURL=ok.js.map", "ok.js.map": tinyMap},
			pairs:    []want{{"ok.js", "ok.js.map", MapExternal}},
			findings: []string{CodeSymlinkOutsideRoot},
		},
		{
			name:     "a symlink to a kernel file is refused even when leaving the build is allowed",
			files:    map[string]string{"bad.js": "->/proc/self/environ", "ok.js": "//# sourceMappingURL=ok.js.map", "ok.js.map": tinyMap},
			opts:     DiscoverOptions{AllowOutsideRoot: true},
			pairs:    []want{{"ok.js", "ok.js.map", MapExternal}},
			findings: []string{CodeNotRegularFile},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := writeTree(t, tt.files)
			d := Discover([]string{root}, tt.opts)
			var got []want
			for _, p := range d.Pairs {
				got = append(got, want{rel(t, root, p.JS), rel(t, root, p.Map), p.Kind})
			}
			slices.SortFunc(got, func(a, b want) int { return strings.Compare(a.js+a.mapPath, b.js+b.mapPath) })
			slices.SortFunc(tt.pairs, func(a, b want) int { return strings.Compare(a.js+a.mapPath, b.js+b.mapPath) })
			if !slices.Equal(got, tt.pairs) {
				t.Errorf("pairs:\n got %v\nwant %v", got, tt.pairs)
			}
			var codes []string
			for _, f := range d.Findings {
				codes = append(codes, f.Code)
				if !strings.HasPrefix(f.Path, root) {
					t.Errorf("finding %s names %q, not a file under the root", f.Code, f.Path)
				}
			}
			slices.Sort(codes)
			slices.Sort(tt.findings)
			if !slices.Equal(codes, tt.findings) {
				t.Errorf("findings: got %v, want %v\n%v", codes, tt.findings, d.Findings)
			}
		})
	}
}

func rel(t *testing.T, root, p string) string {
	t.Helper()
	if p == "" {
		return ""
	}
	r, err := filepath.Rel(root, p)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.ToSlash(r)
}

func TestDiscoverRefusesHugeFilesWithoutReadingThem(t *testing.T) {
	t.Parallel()
	root := writeTree(t, map[string]string{"app.js": "x\n//# sourceMappingURL=app.js.map\n"})
	f, err := os.Create(filepath.Join(root, "app.js.map"))
	if err != nil {
		t.Fatal(err)
	}
	// A sparse 1 GiB file: it costs no disk, and reading it would cost a gigabyte of memory.
	if err := f.Truncate(1 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	d := Discover([]string{root}, DiscoverOptions{})
	if len(d.Findings) != 1 || d.Findings[0].Code != CodeFileTooLarge || !strings.HasSuffix(d.Findings[0].Path, "app.js.map") {
		t.Fatalf("findings = %v, want one file-too-large naming app.js.map", d.Findings)
	}
	if !strings.Contains(d.Findings[0].Message, "1024 MiB") {
		t.Errorf("message %q does not give the size", d.Findings[0].Message)
	}
}

func TestDiscoverMissingPath(t *testing.T) {
	t.Parallel()
	d := Discover([]string{filepath.Join(t.TempDir(), "dist")}, DiscoverOptions{})
	if len(d.Findings) != 1 || d.Findings[0].Code != CodePathMissing || d.Findings[0].Severity != SeverityError {
		t.Fatalf("findings = %v, want one path-missing error", d.Findings)
	}
}

func TestFindSourceMappingURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, js, ref string
		line          int
		legacy, found bool
	}{
		{"plain", "a\n//# sourceMappingURL=a.js.map", "a.js.map", 2, false, true},
		{"legacy", "//@ sourceMappingURL=a.map\n", "a.map", 1, true, true},
		{"leading spaces trimmed, value ends at whitespace", "//# sourceMappingURL=   a.map trailing", "a.map", 1, false, true},
		{"last one wins", "//# sourceMappingURL=a.map\n//# sourceMappingURL=b.map\n", "b.map", 2, false, true},
		{"needs exactly //# and a space", "// # sourceMappingURL=a.map", "", 0, false, false},
		{"earlier valid one when the last is malformed", "//# sourceMappingURL=a.map\nx = 'sourceMappingURL=b.map'", "a.map", 1, false, true},
		{"none", "console.log(1)", "", 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ref, line, legacy, found := FindSourceMappingURL([]byte(tt.js))
			if ref != tt.ref || line != tt.line || legacy != tt.legacy || found != tt.found {
				t.Fatalf("got (%q, %d, %v, %v), want (%q, %d, %v, %v)", ref, line, legacy, found, tt.ref, tt.line, tt.legacy, tt.found)
			}
		})
	}
}
