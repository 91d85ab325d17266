package testbundles_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/releasegate/releasegate/internal/testbundles"
	"github.com/releasegate/releasegate/internal/testenv"
)

// sourceMap holds the fields these tests look at.
type sourceMap struct {
	Version        int       `json:"version"`
	File           *string   `json:"file"`
	Sources        []string  `json:"sources"`
	SourcesContent []*string `json:"sourcesContent"`
	Names          []string  `json:"names"`
	Mappings       string    `json:"mappings"`
}

// builtFile is one JS file of a build and the map its last sourceMappingURL names.
type builtFile struct {
	js      string // slash path relative to dist
	code    []byte
	url     string
	mapPath string // slash path relative to dist; "" for an inline map
	sm      sourceMap
}

var sourceMappingURL = regexp.MustCompile(`(?m)^//[#@] sourceMappingURL=(\S+)[ \t]*\r?$`)

const inlinePrefix = "data:application/json;base64,"

// loadBuild reads every JS file under dist and the map it references, failing the test when a
// file has no sourceMappingURL, names a missing map, or the map is not version-3 JSON.
func loadBuild(t *testing.T, dist string) (files []builtFile, maps []string) {
	t.Helper()
	err := filepath.WalkDir(dist, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dist, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch path.Ext(rel) {
		case ".map":
			maps = append(maps, rel)
		case ".js", ".cjs", ".mjs":
			files = append(files, loadJS(t, dist, rel))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walking %s: %v", dist, err)
	}
	return files, maps
}

func loadJS(t *testing.T, dist, rel string) builtFile {
	t.Helper()
	code, err := os.ReadFile(filepath.Join(dist, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	all := sourceMappingURL.FindAllSubmatch(code, -1)
	if len(all) == 0 {
		t.Fatalf("%s: no //# sourceMappingURL= comment", rel)
	}
	f := builtFile{js: rel, code: code, url: string(all[len(all)-1][1])}
	var raw []byte
	if data, ok := strings.CutPrefix(f.url, inlinePrefix); ok {
		if raw, err = base64.StdEncoding.DecodeString(data); err != nil {
			t.Fatalf("%s: inline map is not base64: %v", rel, err)
		}
	} else {
		if strings.Contains(f.url, ":") || strings.HasPrefix(f.url, "/") {
			t.Fatalf("%s: sourceMappingURL %q is not relative", rel, f.url)
		}
		f.mapPath = path.Join(path.Dir(rel), f.url)
		if raw, err = os.ReadFile(filepath.Join(dist, filepath.FromSlash(f.mapPath))); err != nil {
			t.Fatalf("%s: sourceMappingURL names a missing map: %v", rel, err)
		}
	}
	if err := json.Unmarshal(raw, &f.sm); err != nil {
		t.Fatalf("%s: map is not JSON: %v", rel, err)
	}
	if f.sm.Version != 3 {
		t.Errorf("%s: map version %d, want 3", rel, f.sm.Version)
	}
	return f
}

func TestBuildOutputs(t *testing.T) {
	t.Parallel()
	for _, bundler := range testbundles.Bundlers() {
		t.Run(bundler, func(t *testing.T) {
			t.Parallel()
			dist := testbundles.Build(t, bundler)
			files, maps := loadBuild(t, dist)

			referenced := map[string]bool{}
			for _, f := range files {
				checkMap(t, f)
				if f.mapPath != "" {
					referenced[f.mapPath] = true
				}
			}
			for _, m := range maps {
				if !referenced[m] {
					t.Errorf("%s is not referenced by any JS file", m)
				}
			}

			byName := map[string]builtFile{}
			for _, f := range files {
				byName[f.js] = f
			}
			switch bundler {
			case "esbuild":
				checkEsbuild(t, dist, files, byName)
			case "webpack":
				checkWebpack(t, files)
			case "rollup":
				checkRollup(t, dist, files, byName)
			}
		})
	}
}

// checkMap decodes the mappings and checks every segment against the map and the JS file.
func checkMap(t *testing.T, f builtFile) {
	if len(f.sm.SourcesContent) != len(f.sm.Sources) {
		t.Errorf("%s: %d sourcesContent for %d sources", f.js, len(f.sm.SourcesContent), len(f.sm.Sources))
	}
	for i, c := range f.sm.SourcesContent {
		if c == nil {
			t.Errorf("%s: sourcesContent[%d] (%s) is null", f.js, i, f.sm.Sources[i])
		}
	}
	segments, err := decodeMappings(f.sm.Mappings)
	if err != nil {
		t.Errorf("%s: %v", f.js, err)
		return
	}
	lines := bytes.Split(f.code, []byte("\n"))
	for _, s := range segments {
		if s.genLine >= len(lines) {
			t.Errorf("%s: segment on generated line %d, file has %d lines", f.js, s.genLine, len(lines))
			return
		}
		// Columns count UTF-16 code units, so a line with "🚀" is two columns longer than its
		// rune count; a segment may sit at the very end of a line.
		if width := utf16Len(lines[s.genLine]); s.genCol > width {
			t.Errorf("%s: segment at %d:%d is past the line's %d UTF-16 units", f.js, s.genLine, s.genCol, width)
			return
		}
		if s.fields >= 4 && s.source >= len(f.sm.Sources) {
			t.Errorf("%s: segment source %d of %d", f.js, s.source, len(f.sm.Sources))
			return
		}
		if s.fields >= 4 && s.source < len(f.sm.SourcesContent) && f.sm.SourcesContent[s.source] != nil {
			if n := strings.Count(*f.sm.SourcesContent[s.source], "\n") + 1; s.srcLine >= n {
				t.Errorf("%s: segment maps to line %d of %s, which has %d lines", f.js, s.srcLine, f.sm.Sources[s.source], n)
				return
			}
		}
		if s.fields == 5 && s.name >= len(f.sm.Names) {
			t.Errorf("%s: segment name %d of %d", f.js, s.name, len(f.sm.Names))
			return
		}
	}
}

func checkEsbuild(t *testing.T, dist string, files []builtFile, byName map[string]builtFile) {
	esm := filesUnder(files, "esm/")
	if len(esm) < 6 {
		t.Errorf("esbuild split ESM has %d JS files, want several chunks: %v", len(esm), esm)
	}
	if len(filesUnder(files, "esm/chunks/")) < 3 {
		t.Errorf("esbuild wrote fewer than 3 chunks under esm/chunks/")
	}
	inline, ok := byName["inline/app.js"]
	if !ok {
		t.Fatal("inline/app.js is missing")
	}
	if !strings.HasPrefix(inline.url, inlinePrefix) || inline.mapPath != "" {
		t.Errorf("inline/app.js: sourceMappingURL %.40q is not an inline base64 map", inline.url)
	}
	cjs, ok := byName["cjs/api.cjs"]
	if !ok {
		t.Fatal("cjs/api.cjs is missing")
	}
	// esbuild escapes non-ASCII strings unless charset is utf8 (set for esm/ only), but it
	// leaves regular expression literals raw: even the "ASCII" output holds UTF-8 bytes.
	if bytes.Contains(cjs.code, []byte("café")) || !bytes.Contains(cjs.code, []byte(`caf\xE9`)) {
		t.Error(`cjs/api.cjs: want "café" escaped as caf\xE9 by esbuild's default charset`)
	}
	if isASCII(cjs.code) {
		t.Error("cjs/api.cjs is pure ASCII; esbuild used to keep the regex literal's € raw")
	}
	if !slices.ContainsFunc(files, func(f builtFile) bool {
		return strings.HasPrefix(f.js, "esm/") && bytes.Contains(f.code, []byte("café"))
	}) {
		t.Error(`no esm/ file holds the raw UTF-8 "café"; charset utf8 should keep it`)
	}
	// A documented esbuild trait a validator must accept: repeated entries in "names".
	if !slices.ContainsFunc(files, func(f builtFile) bool { return hasDuplicates(f.sm.Names) }) {
		t.Error("no esbuild map has duplicate names; esbuild used to emit them")
	}
	checkSourcesExist(t, dist, files)
}

func checkWebpack(t *testing.T, files []builtFile) {
	hashed := regexp.MustCompile(`^js/[\w-]+\.[0-9a-f]{16}(\.chunk)?\.js$`)
	for _, f := range files {
		if !hashed.MatchString(f.js) {
			t.Errorf("%s: name has no content hash", f.js)
		}
		if f.mapPath != f.js+".map" {
			t.Errorf("%s: map is %s, want the file name plus .map", f.js, f.mapPath)
		}
	}
	if n := len(filesUnder(files, "js/")); n < 6 {
		t.Errorf("webpack wrote %d JS files, want several chunks", n)
	}
	if !slices.ContainsFunc(files, func(f builtFile) bool { return strings.HasSuffix(f.js, ".chunk.js") }) {
		t.Error("webpack wrote no async .chunk.js files")
	}
	// realContentHash renames files after the maps are written, so "file" keeps the hash
	// computed before: a validator must treat a "file" mismatch as a warning only.
	stale := 0
	for _, f := range files {
		if f.sm.File == nil || !strings.HasPrefix(*f.sm.File, "js/") {
			t.Errorf("%s: map file field %v, want a js/ path", f.js, f.sm.File)
			continue
		}
		if *f.sm.File != f.js {
			stale++
		}
	}
	if stale == 0 {
		t.Error("every webpack map names its real file; realContentHash used to leave pre-hash names")
	}
	for _, f := range files {
		for _, s := range f.sm.Sources {
			if !strings.HasPrefix(s, "webpack://releasegate-demo-app/") {
				t.Errorf("%s: source %q is not a webpack:// URL in the app's namespace", f.js, s)
			}
		}
	}
}

func checkRollup(t *testing.T, dist string, files []builtFile, byName map[string]builtFile) {
	if n := len(filesUnder(files, "esm/")); n < 6 {
		t.Errorf("rollup split ESM has %d JS files, want several chunks", n)
	}
	if _, ok := byName["iife/app.js"]; !ok {
		t.Error("iife/app.js is missing")
	}
	// A facade entry made only of re-exports gets a map with no sources and no mappings.
	if !slices.ContainsFunc(files, func(f builtFile) bool {
		return len(f.sm.Sources) == 0 && strings.Trim(f.sm.Mappings, ";") == ""
	}) {
		t.Error("no rollup map has empty sources; rollup used to emit one for a facade entry")
	}
	for _, f := range files {
		if f.sm.File == nil || *f.sm.File != path.Base(f.js) {
			t.Errorf("%s: map file field %v, want %q", f.js, f.sm.File, path.Base(f.js))
		}
	}
	checkSourcesExist(t, dist, files)
}

// checkSourcesExist resolves relative sources against each map's folder: Build puts the app
// in ../src beside dist, so they must all exist.
func checkSourcesExist(t *testing.T, dist string, files []builtFile) {
	for _, f := range files {
		base := path.Dir(f.js)
		if f.mapPath != "" {
			base = path.Dir(f.mapPath)
		}
		for _, s := range f.sm.Sources {
			p := filepath.Join(dist, filepath.FromSlash(path.Join(base, s)))
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s: source %q does not exist: %v", f.js, s, err)
			}
		}
	}
}

// TestBundlesRun runs the built ESM entries with node and expects the same output as the app's
// sources: the bundles are real, working code, so stack traces through them are meaningful.
func TestBundlesRun(t *testing.T) {
	t.Parallel()
	node := testenv.Node(t)
	for _, bundler := range []string{"esbuild", "rollup"} {
		t.Run(bundler, func(t *testing.T) {
			t.Parallel()
			dist := testbundles.Build(t, bundler)
			mains, err := filepath.Glob(filepath.Join(dist, "esm", "main-*.js"))
			if err != nil || len(mains) != 1 {
				t.Fatalf("want one esm/main-*.js, got %v (%v)", mains, err)
			}
			want := runNode(t, node, filepath.Join(dist, "..", "src", "main.js"), false)
			if got := runNode(t, node, mains[0], false); got != want {
				t.Errorf("bundle printed\n%s\nsources printed\n%s", got, want)
			}
			if !strings.Contains(want, "café") || !strings.Contains(want, "🟦") {
				t.Errorf("app output lacks its non-ASCII text:\n%s", want)
			}
			crash := runNode(t, node, mains[0], true)
			if !strings.Contains(crash, "report crashed on purpose") || !strings.Contains(crash, "esm/chunks/") {
				t.Errorf("APP_CRASH=1 did not throw from a chunk:\n%s", crash)
			}
		})
	}
}

func runNode(t *testing.T, node, script string, crash bool) string {
	t.Helper()
	cmd := exec.Command(node, script)
	cmd.Env = append(os.Environ(), "APP_CRASH=")
	if crash {
		cmd.Env = append(os.Environ(), "APP_CRASH=1")
	}
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	switch {
	case crash && !errors.As(err, &exit):
		t.Fatalf("node %s with APP_CRASH=1: want a non-zero exit, got %v\n%s", script, err, out)
	case !crash && err != nil:
		t.Fatalf("node %s: %v\n%s", script, err, out)
	}
	return string(out)
}

func TestBuildReturnsFreshCopies(t *testing.T) {
	t.Parallel()
	first := testbundles.Build(t, "esbuild")
	second := testbundles.Build(t, "esbuild")
	if first == second {
		t.Fatalf("two calls returned the same folder %s", first)
	}
	target := filepath.Join(first, "inline", "app.js")
	if err := os.WriteFile(target, []byte("changed"), 0o644); err != nil {
		t.Fatalf("callers must be able to modify the build: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(second, "inline", "app.js"))
	if err != nil || string(data) == "changed" {
		t.Fatalf("second copy was affected by a change to the first (err %v)", err)
	}
	if _, err := os.Stat(filepath.Join(second, "..", "src", "main.js")); err != nil {
		t.Errorf("sources are not beside dist: %v", err)
	}
}

// TestColumnsCountUTF16 checks that columns in real maps are UTF-16 offsets, as the spec says,
// and not byte or code point offsets. It looks at segments where the two readings differ:
// those after more non-ASCII text (é, 🚀, 名前) in the generated line than in the original, or
// the reverse, which minified output has plenty of (rollup's unminified lines keep their text,
// so it has none). There the character at the generated position must match the original one
// far more often under the UTF-16 reading.
func TestColumnsCountUTF16(t *testing.T) {
	t.Parallel()
	for _, bundler := range []string{"esbuild", "webpack"} {
		t.Run(bundler, func(t *testing.T) {
			t.Parallel()
			files, _ := loadBuild(t, testbundles.Build(t, bundler))
			var checked, utf16Match, byteMatch int
			for _, f := range files {
				segments, err := decodeMappings(f.sm.Mappings)
				if err != nil {
					t.Fatalf("%s: %v", f.js, err)
				}
				genLines := strings.Split(string(f.code), "\n")
				for _, s := range segments {
					if s.fields != 4 || f.sm.SourcesContent[s.source] == nil {
						continue // named segments point at renamed identifiers
					}
					origLines := strings.Split(*f.sm.SourcesContent[s.source], "\n")
					if s.srcLine >= len(origLines) || s.genLine >= len(genLines) {
						t.Fatalf("%s: segment %+v is out of range", f.js, s)
					}
					orig, gen := origLines[s.srcLine], genLines[s.genLine]
					if extraBytes(gen, s.genCol) == extraBytes(orig, s.srcCol) {
						continue // both readings land on the same relative spot
					}
					checked++
					if token(fromUTF16(gen, s.genCol)) == token(fromUTF16(orig, s.srcCol)) {
						utf16Match++
					}
					if s.genCol <= len(gen) && s.srcCol <= len(orig) && token(gen[s.genCol:]) == token(orig[s.srcCol:]) {
						byteMatch++
					}
				}
			}
			t.Logf("%d segments tell the readings apart: %d match as UTF-16 columns, %d as byte columns", checked, utf16Match, byteMatch)
			if checked < 5 {
				t.Fatalf("only %d segments tell UTF-16 from byte columns; the app should have more", checked)
			}
			if utf16Match*10 < checked*6 || byteMatch*10 > checked {
				t.Errorf("columns do not read as UTF-16 offsets: %d of %d match, %d as bytes", utf16Match, checked, byteMatch)
			}
		})
	}
}

// extraBytes is how many more UTF-8 bytes than UTF-16 units precede UTF-16 offset col.
func extraBytes(line string, col int) int {
	rest := fromUTF16(line, col)
	prefix := line[:len(line)-len(rest)]
	return len(prefix) - utf16Len([]byte(prefix))
}

// fromUTF16 returns the rest of line from UTF-16 offset col ("" past the end).
func fromUTF16(line string, col int) string {
	units := 0
	for i, r := range line {
		if units >= col {
			return line[i:]
		}
		units += utf16.RuneLen(r)
	}
	return ""
}

// token returns the first character at a position: minifiers rewrite most tokens beyond it
// (let for const, renamed locals), so longer prefixes match less often under either reading.
func token(rest string) string {
	for i := range rest {
		if i > 0 {
			return rest[:i]
		}
	}
	return rest
}

type segment struct {
	genLine, genCol, fields, source, srcLine, srcCol, name int
}

// decodeMappings decodes the Base64 VLQ "mappings" string, keeping the running source and
// name indices so a test can check them against the arrays.
func decodeMappings(mappings string) ([]segment, error) {
	var out []segment
	var source, srcLine, srcCol, name int
	for lineNo, line := range strings.Split(mappings, ";") {
		genCol := 0
		if line == "" {
			continue
		}
		for _, seg := range strings.Split(line, ",") {
			vals, err := decodeVLQ(seg)
			if err != nil {
				return nil, fmt.Errorf("line %d segment %q: %w", lineNo, seg, err)
			}
			switch len(vals) {
			case 1, 4, 5:
			default:
				return nil, fmt.Errorf("line %d segment %q has %d fields", lineNo, seg, len(vals))
			}
			genCol += vals[0]
			s := segment{genLine: lineNo, genCol: genCol, fields: len(vals)}
			if len(vals) >= 4 {
				source += vals[1]
				srcLine += vals[2]
				srcCol += vals[3]
				if srcLine < 0 || srcCol < 0 {
					return nil, fmt.Errorf("line %d: negative original position", lineNo)
				}
				s.source, s.srcLine, s.srcCol = source, srcLine, srcCol
			}
			if len(vals) == 5 {
				name += vals[4]
				s.name = name
			}
			if genCol < 0 || source < 0 || name < 0 {
				return nil, fmt.Errorf("line %d segment %q: negative index", lineNo, seg)
			}
			out = append(out, s)
		}
	}
	return out, nil
}

const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

func decodeVLQ(seg string) ([]int, error) {
	var vals []int
	value, shift := 0, 0
	for i := 0; i < len(seg); i++ {
		digit := strings.IndexByte(b64, seg[i])
		if digit < 0 {
			return nil, fmt.Errorf("invalid base64 character %q", seg[i])
		}
		value |= (digit & 31) << shift
		if digit&32 != 0 {
			shift += 5
			continue
		}
		if value&1 != 0 {
			vals = append(vals, -(value >> 1))
		} else {
			vals = append(vals, value>>1)
		}
		value, shift = 0, 0
	}
	if shift != 0 {
		return nil, errors.New("truncated VLQ value")
	}
	return vals, nil
}

func utf16Len(line []byte) int {
	n := 0
	for len(line) > 0 {
		r, size := utf8.DecodeRune(line)
		n += utf16.RuneLen(r)
		line = line[size:]
	}
	return n
}

func filesUnder(files []builtFile, prefix string) []string {
	var out []string
	for _, f := range files {
		if strings.HasPrefix(f.js, prefix) {
			out = append(out, f.js)
		}
	}
	return out
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func hasDuplicates(names []string) bool {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return true
		}
		seen[n] = true
	}
	return false
}
