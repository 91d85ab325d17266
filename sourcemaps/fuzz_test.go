package sourcemaps

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/releasegate/releasegate/internal/testenv"
)

// Fuzz targets for every parser in the package. Their seed corpora live in testdata/fuzz/<name>
// (kept in git, run by plain `go test`); grow them with `go test -fuzz=<name> ./sourcemaps`.

// addSpecSeeds seeds a fuzzer with every map of the TC39 suite (vendored in testdata/external).
func addSpecSeeds(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join(testenv.External(f, "tc39-source-map-tests", "resources"), "*.map"))
	if len(names) == 0 {
		f.Fatal("the vendored TC39 suite has no maps")
	}
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil {
			f.Add(b)
		}
	}
}

// FuzzParse: no input may panic or hang the parser; whatever it accepts must be internally
// consistent (indices in range) and its mappings must survive an encode/decode round trip.
func FuzzParse(f *testing.F) {
	addSpecSeeds(f)
	f.Add([]byte(`{"version":3,"sources":["a"],"names":["n"],"mappings":"AAAAA,CAAC;;ACAA"}`))
	f.Add([]byte(`)]}'` + "\n" + `{"version":3,"sources":[],"names":[],"mappings":""}`))
	f.Add([]byte(`{"version": tx, "sources": [], "mappings": ""}`))
	f.Add([]byte("this is not a source map\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, probs, err := Parse(data, Limits{})
		// Text that is not JSON is reported as map-not-json, and only then: a type name
		// ("a boolean") for text that never parsed would send the user the wrong way.
		body := data
		if bytes.HasPrefix(body, []byte(")]}'")) {
			if nl := bytes.IndexByte(body, '\n'); nl >= 0 {
				body = body[nl+1:]
			} else {
				body = nil
			}
		}
		notJSON := slices.ContainsFunc(probs, func(p Problem) bool { return p.Code == CodeMapNotJSON })
		if valid := jsontext.Value(body).IsValid(jsontext.AllowDuplicateNames(true)); valid == notJSON {
			t.Fatalf("json.Valid = %v but map-not-json reported = %v: %+v", valid, notJSON, probs)
		}
		// (A field may rightly be named a string before the text breaks off later; the whole
		// map is an object, or not even JSON, never both.)
		if notJSON && slices.ContainsFunc(probs, func(p Problem) bool { return p.Code == CodeMapNotObject }) {
			t.Fatalf("text that is not JSON was also given a JSON type: %+v", probs)
		}
		if err != nil {
			return
		}
		for _, seg := range m.Mappings.Segments {
			if int(seg.Source) >= len(m.Sources) || int(seg.Name) >= len(m.Names) || seg.GenColumn < 0 {
				t.Fatalf("accepted map has segment %+v out of range (%d sources, %d names)", seg, len(m.Sources), len(m.Names))
			}
		}
		if len(m.SourcesContent) != len(m.Sources) || len(m.SourceIsNull) != len(m.Sources) {
			t.Fatalf("parallel slices differ: %d sources, %d contents, %d null flags", len(m.Sources), len(m.SourcesContent), len(m.SourceIsNull))
		}
		again, probs := decodeMappings(encodeMappings(&m.Mappings), len(m.Sources), len(m.Names), 0)
		for _, p := range probs {
			if p.Severity == SeverityError {
				t.Fatalf("re-encoded mappings do not decode: %s", p.Message)
			}
		}
		if !slices.Equal(again.Segments, m.Mappings.Segments) {
			t.Fatalf("round trip changed the segments")
		}
	})
}

// FuzzVLQ: every value within 32 bits encodes and decodes back to itself.
func FuzzVLQ(f *testing.F) {
	for _, v := range []int64{0, 1, -1, 15, 16, -16, 1 << 20, maxVLQ, -maxVLQ} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v int64) {
		if v > maxVLQ || v < -maxVLQ {
			return
		}
		enc := string(appendVLQ(nil, v))
		got, next, err := decodeVLQ(enc, 0)
		if err != vlqOK || got != v || next != len(enc) {
			t.Fatalf("%d encodes as %q, decodes as %d (next %d, err %d)", v, enc, got, next, err)
		}
	})
}

// FuzzFindSourceMappingURL: the reference found is always the text after the last
// well-formed comment, without whitespace.
func FuzzFindSourceMappingURL(f *testing.F) {
	f.Add([]byte("a\n//# sourceMappingURL=a.js.map\n"))
	f.Add([]byte("//@ sourceMappingURL=  x y"))
	f.Add([]byte("sourceMappingURL=//# sourceMappingURL="))
	f.Fuzz(func(t *testing.T, js []byte) {
		ref, line, _, found := FindSourceMappingURL(js)
		if !found {
			if ref != "" || line != 0 {
				t.Fatalf("not found but got %q at line %d", ref, line)
			}
			return
		}
		if line < 1 || slices.ContainsFunc([]byte(ref), func(b byte) bool { return b == ' ' || b == '\n' || b == '\t' }) {
			t.Fatalf("bad result %q at line %d", ref, line)
		}
	})
}

// FuzzDecodeDataURL: never panics; base64 payloads decode only when the whole payload is valid.
func FuzzDecodeDataURL(f *testing.F) {
	f.Add("data:application/json;base64,e30=")
	f.Add("data:application/json;charset=utf-8;base64,e30")
	f.Add("data:,%7B%7D")
	f.Add("data:text/html,<p>")
	f.Fuzz(func(t *testing.T, ref string) {
		_, _ = decodeDataURL(ref)
	})
}

// FuzzCheckPair: validating any generated file with any map never panics, and findings always
// name a file.
func FuzzCheckPair(f *testing.F) {
	f.Add([]byte("let a=1;\n"), []byte(`{"version":3,"sources":["a"],"sourcesContent":["x"],"names":[],"mappings":"AAAA,EAAE"}`))
	f.Add([]byte("a='é😀';"), []byte(`{"version":3,"sections":[{"offset":{"line":0,"column":1},"map":{"version":3,"sources":["b"],"names":[],"mappings":"AAAA"}}]}`))
	f.Fuzz(func(t *testing.T, js, mapData []byte) {
		p := &Pair{JS: "app.js", Map: "app.js.map", Kind: MapExternal, JSData: js, MapData: mapData}
		for _, fd := range CheckPair(p, Limits{MaxSources: 1000}) {
			if fd.Path == "" || fd.Code == "" || fd.Message == "" {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}
	})
}
