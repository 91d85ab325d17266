package sourcemaps

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestBundleURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ prefix, rel, want string }{
		{"", "app.js", "~/app.js"},
		{"~/", "static/app.js", "~/static/app.js"},
		{"~/static/js", "app.js", "~/static/js/app.js"},
		{"app:///", "main.js", "app:///main.js"},
		{"https://cdn.example.com/assets/", "/a.js", "https://cdn.example.com/assets/a.js"},
	}
	for _, tt := range tests {
		if got := BundleURL(tt.prefix, tt.rel); got != tt.want {
			t.Errorf("BundleURL(%q, %q) = %q, want %q", tt.prefix, tt.rel, got, tt.want)
		}
	}
}

func TestBundleZipPath(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"~/static/app.js":          "files/_/_/static/app.js",
		"~/#/bar":                  "files/_/_/#/bar",
		"https://example.com/a.js": "files/https/example.com/a.js",
	}
	for in, want := range tests {
		if got := bundleZipPath(in); got != want {
			t.Errorf("bundleZipPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteBundle(t *testing.T) {
	t.Parallel()
	files := []BundleFile{
		{URL: "~/static/app.js.map", Type: BundleSourceMap, Content: []byte(`{"version":3}`), DebugID: "a9f9a996-4e6c-5119-b8b8-e64559a6554c"},
		{URL: "~/static/app.js", Type: BundleMinifiedSource, Content: []byte("x()\n//# debugId=a9f9a996-4e6c-5119-b8b8-e64559a6554c\n"), DebugID: "a9f9a996-4e6c-5119-b8b8-e64559a6554c", SourceMap: "app.js.map"},
		{URL: "~/static/nomap.js", Type: BundleMinifiedSource, Content: []byte("y()"), DebugID: "089f5a52-c74a-5aa2-b532-9154150c2d45"},
	}
	var buf bytes.Buffer
	id, err := WriteBundle(&buf, files, BundleMeta{Org: "my-org", Projects: []string{"my-project"}, Release: "1.0.0", Dist: "web"})
	if err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if !bytes.HasPrefix(data, []byte("SYSB\x02\x00\x00\x00PK\x03\x04")) {
		t.Fatalf("bundle starts with %q, want the SYSB v2 header then a zip local header", data[:12])
	}
	// The central directory's offset (in the end record) counts from the start of the file.
	eocd := bytes.LastIndex(data, []byte("PK\x05\x06"))
	cdOffset := binary.LittleEndian.Uint32(data[eocd+16:])
	if !bytes.HasPrefix(data[cdOffset:], []byte("PK\x01\x02")) {
		t.Fatalf("central directory offset %d is not absolute", cdOffset)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Method != zip.Deflate || !f.Modified.Equal(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)) || f.Mode().Perm() != 0o644 {
			t.Errorf("%s: method %d, time %v, mode %v; want deflate, 1980-01-01, 0644", f.Name, f.Method, f.Modified, f.Mode())
		}
	}
	if want := []string{"files/_/_/static/app.js", "files/_/_/static/app.js.map", "files/_/_/static/nomap.js", "manifest.json"}; !slices.Equal(names, want) {
		t.Errorf("zip entries %v, want %v (sorted by URL, manifest last)", names, want)
	}
	manifest, got, err := ReadBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	wantManifest := `{"files":{` +
		`"files/_/_/static/app.js":{"type":"minified_source","url":"~/static/app.js","headers":{"debug-id":"a9f9a996-4e6c-5119-b8b8-e64559a6554c","sourcemap":"app.js.map"}},` +
		`"files/_/_/static/app.js.map":{"type":"source_map","url":"~/static/app.js.map","headers":{"debug-id":"a9f9a996-4e6c-5119-b8b8-e64559a6554c"}},` +
		`"files/_/_/static/nomap.js":{"type":"minified_source","url":"~/static/nomap.js","headers":{"debug-id":"089f5a52-c74a-5aa2-b532-9154150c2d45"}}},` +
		`"debug_id":"` + id + `","dist":"web","org":"my-org","project":"my-project","release":"1.0.0"}`
	if len(got) != 3 || string(got["files/_/_/static/nomap.js"]) != "y()" {
		t.Fatalf("bundle files %v, want the 3 files unchanged", got)
	}
	if string(manifest) != wantManifest {
		t.Errorf("manifest:\n got %s\nwant %s", manifest, wantManifest)
	}
	if want, _ := BundleDebugID(files); id != want || !strings.HasPrefix(id[14:], "5") {
		t.Errorf("bundle ID %s is not the v5-shaped hash of the files", id)
	}
	// The same files in another order give the same bundle ID.
	if again, _ := BundleDebugID([]BundleFile{files[2], files[0], files[1]}); again != id {
		t.Errorf("bundle ID depends on the order files were given")
	}
}

func TestWriteBundleRefusesWhatSentryWouldDrop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files []BundleFile
		meta  BundleMeta
		want  string
	}{
		{"no org", nil, BundleMeta{}, "organization is required"},
		{"duplicate URL", []BundleFile{{URL: "~/a.js", Type: BundleMinifiedSource}, {URL: "~/a.js", Type: BundleMinifiedSource}}, BundleMeta{Org: "o"}, "two files have the URL ~/a.js"},
		{"not UTF-8", []BundleFile{{URL: "~/a.js", Type: BundleMinifiedSource, Content: []byte{0xff, 0xfe}}}, BundleMeta{Org: "o"}, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := WriteBundle(&bytes.Buffer{}, tt.files, tt.meta)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// FuzzReadBundle: reading any bytes as a bundle never panics; what WriteBundle writes reads back.
func FuzzReadBundle(f *testing.F) {
	var buf bytes.Buffer
	if _, err := WriteBundle(&buf, []BundleFile{{URL: "~/a.js", Type: BundleMinifiedSource, Content: []byte("a()")}}, BundleMeta{Org: "o"}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("SYSB\x02\x00\x00\x00PK\x05\x06"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		_, _, _ = ReadBundle(data)
	})
}

// TestWriteBundleLoadsLazily: files given by Load are read as the bundle is written, and a
// file that cannot be read fails the bundle with its URL.
func TestWriteBundleLoadsLazily(t *testing.T) {
	t.Parallel()
	var files []BundleFile
	for i := range 50 {
		content := []byte(strings.Repeat(fmt.Sprintf("chunk %d;", i), 100))
		files = append(files, BundleFile{URL: fmt.Sprintf("~/c%02d.js", i), Type: BundleMinifiedSource, Load: func() ([]byte, error) { return content, nil }})
	}
	var lazy, eager bytes.Buffer
	id, err := WriteBundle(&lazy, files, BundleMeta{Org: "o"}, BundleOptions{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range files {
		files[i].Content, _ = files[i].Load()
		files[i].Load = nil
	}
	id2, err := WriteBundle(&eager, files, BundleMeta{Org: "o"}, BundleOptions{Workers: 1})
	if err != nil || id != id2 || !bytes.Equal(lazy.Bytes(), eager.Bytes()) {
		t.Fatalf("lazy and eager bundles differ (ids %s %s, err %v)", id, id2, err)
	}
	files[7] = BundleFile{URL: "~/gone.js", Type: BundleMinifiedSource, Load: func() ([]byte, error) { return nil, os.ErrNotExist }}
	if _, err := WriteBundle(&bytes.Buffer{}, files, BundleMeta{Org: "o"}); err == nil || !strings.Contains(err.Error(), "~/gone.js") {
		t.Fatalf("err = %v, want one naming ~/gone.js", err)
	}
}

func TestDistinctDebugIDs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files []BundleFile
		want  int
	}{
		{name: "none", want: 0},
		{name: "a file and its map share one", files: []BundleFile{{URL: "~/a.js", DebugID: "id-a"}, {URL: "~/a.js.map", DebugID: "id-a"}}, want: 1},
		{name: "files without one are not counted", files: []BundleFile{{URL: "~/a.js", DebugID: "id-a"}, {URL: "~/b.js"}, {URL: "~/c.js", DebugID: "id-c"}}, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := DistinctDebugIDs(tt.files); got != tt.want {
				t.Errorf("DistinctDebugIDs = %d, want %d", got, tt.want)
			}
		})
	}
}
