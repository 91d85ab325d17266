package sourcemaps

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestStripSourcePrefixes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		prefixes       []string
		changed        bool
	}{
		{
			name:     "first matching prefix, and a leading slash left behind",
			in:       `{"version":3, "sources" : ["../../build/src/a.ts", "webpack:///src/b.ts", null, "other.ts"],"x_keep":1,"mappings":"AAAA"}`,
			prefixes: []string{"../../build", "webpack://"},
			want:     `{"version":3, "sources" : ["src/a.ts","src/b.ts",null,"other.ts"],"x_keep":1,"mappings":"AAAA"}`,
			changed:  true,
		},
		{
			name:     "no match leaves the text alone",
			in:       `{"version":3,"sources":["a.ts"],"mappings":""}`,
			prefixes: []string{"/ci/"},
			want:     `{"version":3,"sources":["a.ts"],"mappings":""}`,
		},
		{
			name:     "index map sections",
			in:       `{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["/ci/a.ts"],"mappings":""}},{"map":{"sources":["/ci/b.ts"],"version":3,"mappings":""},"offset":{"line":1,"column":0}}]}`,
			prefixes: []string{"/ci"},
			want:     `{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.ts"],"mappings":""}},{"map":{"sources":["b.ts"],"version":3,"mappings":""},"offset":{"line":1,"column":0}}]}`,
			changed:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, changed, err := StripSourcePrefixes([]byte(tt.in), tt.prefixes)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want || changed != tt.changed {
				t.Fatalf("got %s (changed %v)\nwant %s (changed %v)", got, changed, tt.want, tt.changed)
			}
			m, _, err := Parse(got, Limits{})
			if err != nil && tt.changed {
				t.Fatalf("the result no longer parses: %v", err)
			}
			_ = m
		})
	}
	if _, _, err := StripSourcePrefixes([]byte(`<html>`), []string{"x"}); err == nil {
		t.Fatal("a non-map was accepted")
	}
}

// FuzzStripSourcePrefixes: never panics; when it changes a map, the result is still JSON with the
// same keys, and sources that did not match are unchanged.
func FuzzStripSourcePrefixes(f *testing.F) {
	f.Add([]byte(`{"version":3,"sources":["/ci/a.ts","b"],"mappings":""}`), "/ci/")
	f.Add([]byte(`{"sections":[{"map":{"sources":["x/y"]}}]}`), "x")
	f.Fuzz(func(t *testing.T, data []byte, prefix string) {
		out, changed, err := StripSourcePrefixes(data, []string{prefix})
		if err != nil || !changed {
			return
		}
		a, _, errA := Parse(data, Limits{})
		b, _, errB := Parse(out, Limits{})
		if (errA == nil) != (errB == nil) {
			t.Fatalf("stripping changed whether the map parses: %v vs %v", errA, errB)
		}
		if errA == nil && (len(a.Sources) != len(b.Sources) || !slices.Equal(a.Names, b.Names) || !slices.Equal(a.Mappings.Segments, b.Mappings.Segments)) {
			t.Fatalf("stripping changed more than sources")
		}
	})
}

func TestCommonSourcePrefix(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		names []string
		want  string
	}{
		"relative paths up the tree":        {[]string{"../../src/a.ts", "../../src/b/c.ts"}, "../../src/"},
		"one folder deeper in all":          {[]string{"webpack://app/src/a.ts", "webpack://app/src/lib/b.ts"}, "webpack://app/src/"},
		"a name without a folder":           {[]string{"a.ts", "src/b.ts"}, ""},
		"partial segment names":             {[]string{"src/app/a.ts", "src/apple/b.ts"}, "src/"},
		"a single name keeps its base name": {[]string{"/home/ci/src/a.ts"}, "/home/ci/src/"},
		"empty names are ignored":           {[]string{"", "x/y/a.ts", "x/y/b.ts"}, "x/y/"},
		"nothing":                           {nil, ""},
		"absolute and relative":             {[]string{"/src/a.ts", "src/b.ts"}, ""},
	}
	for name, tc := range tests {
		if got := CommonSourcePrefix(tc.names); got != tc.want {
			t.Errorf("%s: CommonSourcePrefix(%q) = %q, want %q", name, tc.names, got, tc.want)
		}
	}
}

func TestSourceNames(t *testing.T) {
	t.Parallel()
	got, err := SourceNames([]byte(`{"version":3,"sources":["a.js",null,"b.js"],"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["c.js"],"mappings":""}}],"mappings":""}`))
	if err != nil || strings.Join(got, ",") != "a.js,b.js,c.js" {
		t.Errorf("SourceNames = %q, %v", got, err)
	}
	if _, err := SourceNames([]byte(`[1]`)); err == nil {
		t.Error("SourceNames accepted a map that is not an object")
	}
}

// FuzzSourceNames: reading a map's source names never panics, and the common prefix of what it
// reads is a whole-folder prefix of every name.
func FuzzSourceNames(f *testing.F) {
	f.Add([]byte(`{"version":3,"sources":["../../src/a.ts","../../src/b/c.ts"],"mappings":""}`))
	f.Add([]byte(`{"sections":[{"map":{"sources":["webpack://app/x.js",null]}}]}`))
	f.Add([]byte(`{"sources":"nope"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		names, err := SourceNames(data)
		if err != nil {
			return
		}
		prefix := CommonSourcePrefix(names)
		if prefix != "" && !strings.HasSuffix(prefix, "/") {
			t.Fatalf("prefix %q does not end a folder", prefix)
		}
		for _, n := range names {
			if n != "" && !strings.HasPrefix(n, prefix) {
				t.Fatalf("prefix %q is not a prefix of %q", prefix, n)
			}
		}
	})
}

func TestDiscoveryCommonSourcePrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   map[string]string
		lazy    bool
		want    string
		wantErr string
	}{
		{
			name: "the prefix of every map's sources",
			files: map[string]string{
				"a.js":     "x\n//# sourceMappingURL=a.js.map\n",
				"a.js.map": `{"version":3,"sources":["../../src/a.ts"],"mappings":""}`,
				"b.js":     "y\n//# sourceMappingURL=b.js.map\n",
				"b.js.map": `{"version":3,"sources":["../../src/lib/b.ts",null],"mappings":""}`,
			},
			want: "../../src/",
		},
		{
			name: "lazily read maps give the same answer",
			files: map[string]string{
				"a.js":     "x\n//# sourceMappingURL=a.js.map\n",
				"a.js.map": `{"version":3,"sources":["webpack://app/src/a.ts"],"mappings":""}`,
			},
			lazy: true,
			want: "webpack://app/src/",
		},
		{
			name:  "no maps, no prefix",
			files: map[string]string{"a.js": "x\n"},
			want:  "",
		},
		{
			name: "a map whose sources are not strings names its file",
			files: map[string]string{
				"a.js":     "x\n//# sourceMappingURL=a.js.map\n",
				"a.js.map": `{"version":3,"sources":"nope","mappings":""}`,
			},
			wantErr: "a.js.map: reading the map's sources",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, body := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			d := Discover([]string{dir}, DiscoverOptions{Lazy: tt.lazy})
			got, err := d.CommonSourcePrefix()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CommonSourcePrefix() = %q, %v; want %q", got, err, tt.want)
			}
			for i := range d.Pairs {
				if p := d.Pairs[i]; tt.lazy && p.MapData != nil {
					t.Errorf("%s: a lazily read map is still held", p.Map)
				}
			}
		})
	}
}
