package sourcemaps_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	gosourcemap "github.com/go-sourcemap/sourcemap"

	"github.com/releasegate/releasegate/internal/testbundles"
	"github.com/releasegate/releasegate/internal/testenv"
	"github.com/releasegate/releasegate/sourcemaps"
)

// TestGoSourcemapDifferences records where github.com/go-sourcemap/sourcemap v2.1.4 departs
// from the spec and from releasegate's strict engine, which is why `resolve` does not use it
// (docs/resolve.md, "Why not go-sourcemap"). It fails only if releasegate itself is wrong; the
// departures are logged, with counts, so a new go-sourcemap release can be judged with it.
func TestGoSourcemapDifferences(t *testing.T) {
	t.Parallel()
	t.Run("tc39", func(t *testing.T) {
		t.Parallel()
		dir := testenv.External(t, "tc39-source-map-tests")
		raw, err := os.ReadFile(filepath.Join(dir, "source-map-spec-tests.json"))
		if err != nil {
			t.Fatal(err)
		}
		var suite struct {
			Tests []struct {
				Name             string `json:"name"`
				SourceMapFile    string `json:"sourceMapFile"`
				SourceMapIsValid bool   `json:"sourceMapIsValid"`
				TestActions      []struct {
					ActionType      string  `json:"actionType"`
					GeneratedLine   int     `json:"generatedLine"`
					GeneratedColumn int     `json:"generatedColumn"`
					OriginalSource  *string `json:"originalSource"`
					OriginalLine    *int    `json:"originalLine"`
					OriginalColumn  *int    `json:"originalColumn"`
				} `json:"testActions"`
			} `json:"tests"`
		}
		if err := json.Unmarshal(raw, &suite); err != nil {
			t.Fatal(err)
		}
		var accepted, rejected, panicked, wrong []string
		for _, tc := range suite.Tests {
			data, err := os.ReadFile(filepath.Join(dir, "resources", tc.SourceMapFile))
			if err != nil {
				t.Fatal(err)
			}
			_, _, ourErr := sourcemaps.Parse(data, sourcemaps.Limits{})
			if (ourErr == nil) != tc.SourceMapIsValid {
				t.Errorf("%s: releasegate's verdict is wrong (%v)", tc.Name, ourErr)
			}
			c, gsErr, p := goSourcemapParse(data)
			switch {
			case p != nil:
				panicked = append(panicked, fmt.Sprintf("%s (parse: %v)", tc.Name, p))
				continue
			case gsErr == nil && !tc.SourceMapIsValid:
				accepted = append(accepted, tc.Name)
			case gsErr != nil && tc.SourceMapIsValid:
				rejected = append(rejected, tc.Name)
			}
			if gsErr != nil || !tc.SourceMapIsValid {
				continue
			}
			for _, a := range tc.TestActions {
				if a.ActionType != "checkMapping" || a.OriginalLine == nil {
					continue
				}
				_, _, line, col, ok, p := goSourcemapSource(c, a.GeneratedLine+1, a.GeneratedColumn)
				if p != nil {
					panicked = append(panicked, fmt.Sprintf("%s (lookup: %v)", tc.Name, p))
				} else if !ok || line != *a.OriginalLine+1 || col != *a.OriginalColumn {
					wrong = append(wrong, fmt.Sprintf("%s at %d:%d", tc.Name, a.GeneratedLine, a.GeneratedColumn))
				}
			}
		}
		invalid := 0
		for _, tc := range suite.Tests {
			if !tc.SourceMapIsValid {
				invalid++
			}
		}
		t.Logf("go-sourcemap on the TC39 suite (%d cases): accepts %d of the %d invalid maps, rejects %d valid ones, panics on %d, answers %d mapping checks wrongly",
			len(suite.Tests), len(accepted), invalid, len(rejected), len(panicked), len(wrong))
		for _, l := range []struct {
			what  string
			cases []string
		}{{"accepts invalid", accepted}, {"rejects valid", rejected}, {"panics", panicked}, {"wrong mapping", wrong}} {
			if len(l.cases) > 0 {
				t.Logf("  %s: %s", l.what, strings.Join(l.cases, ", "))
			}
		}
	})

	t.Run("bundles", func(t *testing.T) {
		t.Parallel()
		var maps []realMap
		for _, b := range testbundles.Bundlers() {
			maps = append(maps, bundleMaps(t, b)...)
		}
		maps = append(maps, indexMapOf(t, "index/esbuild-esm.js", filterMaps(maps, "esbuild/esm/")), edgeCaseMap(t))
		rng := rand.New(rand.NewPCG(426, 2027))
		kinds := map[string]int{}
		examples := map[string]string{}
		total := 0
		for i, rm := range maps {
			c, err, p := goSourcemapParse(rm.mapJSON)
			if err != nil || p != nil {
				kinds["the map is refused"]++
				examples["the map is refused"] = fmt.Sprintf("%s: %v%v", rm.name, err, p)
				continue
			}
			qs := samplePositions(rng, i, rm, 200)
			if rm.name == "synthetic/edge-cases.map" {
				qs = nil
				for l := range 4 {
					for col := range 9 {
						qs = append(qs, query{mapIndex: i, line: l, column: col, kind: kindEdgeCase})
					}
				}
			}
			for _, q := range qs {
				total++
				ours := sourcemaps.Resolve(rm.m, q.line+1, q.column+1)
				src, name, line, col, ok, p := goSourcemapSource(c, q.line+1, q.column)
				var kind string
				switch {
				case p != nil:
					kind = "panics"
				case !ours.Mapped && ok:
					kind = "maps a position that maps to nothing (an earlier line's segment, or a 1-field segment)"
				case ours.Mapped && !ok:
					kind = "finds nothing where the map has a segment"
				case !ours.Mapped:
					continue
				case line != ours.OriginalLine || col != ours.OriginalColumn-1 || !strings.HasSuffix(src, ours.Source) || name != ours.Name:
					kind = "answers a different position"
				default:
					continue
				}
				if rm.m.IsIndex() {
					kind += " (index map)"
				}
				kinds[kind]++
				if _, seen := examples[kind]; !seen {
					examples[kind] = fmt.Sprintf("%s %d:%d (%s): releasegate %s; go-sourcemap %s:%d:%d %q ok=%v",
						rm.name, q.line+1, q.column+1, q.kind, describe(ours), src, line, col, name, ok)
				}
			}
		}
		disagree := 0
		for _, n := range kinds {
			disagree += n
		}
		t.Logf("go-sourcemap disagrees with releasegate (and trace-mapping) on %d of %d positions in %d real and index maps", disagree, total, len(maps))
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range kinds {
				if !yield(k) {
					return
				}
			}
		}) {
			t.Logf("  %5d %s; e.g. %s", kinds[k], k, examples[k])
		}
	})
}

// goSourcemapParse parses with go-sourcemap, turning its panics into a value.
func goSourcemapParse(data []byte) (c *gosourcemap.Consumer, err error, panicked any) { //nolint:staticcheck // the panic comes last: it is the exceptional outcome

	defer func() { panicked = recover() }()
	c, err = gosourcemap.Parse("", data)
	return c, err, nil
}

// goSourcemapSource looks up a 1-based line and 0-based column with go-sourcemap.
func goSourcemapSource(c *gosourcemap.Consumer, line, col int) (src, name string, l, cl int, ok bool, panicked any) {
	defer func() { panicked = recover() }()
	src, name, l, cl, ok = c.Source(line, col)
	return src, name, l, cl, ok, nil
}
