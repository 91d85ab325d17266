package sourcemaps

import (
	"slices"
	"testing"
)

func TestStripSourcePrefixes(t *testing.T) {
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
