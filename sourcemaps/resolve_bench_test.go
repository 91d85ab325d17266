package sourcemaps_test

import (
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testbundles"
	"github.com/releasegate/releasegate/internal/testenv"
	"github.com/releasegate/releasegate/sourcemaps"
)

// The benchmarks below run on the same files as bench/tracemapping/bench.mjs, which times
// @jridgewell/trace-mapping on them; bench/tracemapping/run.sh runs both and prints the ratios.
// The large files come from `go run ./bench/genbuild` and bench/tracemapping/prepare.mjs (run.sh
// makes them); without them only the small real bundles are measured.

// benchSet is a named set of map files measured together.
type benchSet struct {
	name  string
	files [][]byte
}

func (s benchSet) bytes() int64 {
	var n int64
	for _, f := range s.files {
		n += int64(len(f))
	}
	return n
}

// benchDir is where run.sh leaves the large build ($RELEASEGATE_BENCH_DIR, else bench/out).
func benchDir(b *testing.B) string {
	if d := os.Getenv("RELEASEGATE_BENCH_DIR"); d != "" {
		return d
	}
	return filepath.Join(testenv.RepoRoot(b), "bench", "out")
}

// largeSets returns the genbuild maps (all of them, and the largest one alone) and the combined
// index and flat maps; missing says how to make them when they have not been made.
func largeSets(b *testing.B) (sets []benchSet, missing string) {
	dir := benchDir(b)
	var all [][]byte
	var largest []byte
	err := filepath.WalkDir(filepath.Join(dir, "large"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".map") {
			return err
		}
		data, err := os.ReadFile(p)
		if len(data) > len(largest) {
			largest = data
		}
		all = append(all, data)
		return err
	})
	if err != nil || len(all) == 0 {
		return nil, "no large build in " + dir + "/large: run bash bench/tracemapping/run.sh to make it"
	}
	sets = []benchSet{{"genbuild-all", all}, {"genbuild-largest", [][]byte{largest}}}
	for _, name := range []string{"index", "flat"} {
		data, err := os.ReadFile(filepath.Join(dir, "combined", name+".map"))
		if err != nil {
			return nil, err.Error() + ": run bash bench/tracemapping/run.sh to make the combined maps"
		}
		sets = append(sets, benchSet{"combined-" + name, [][]byte{data}})
	}
	return sets, ""
}

// bundleSets returns the .map files of the real esbuild, webpack and rollup bundles (the
// files bench.mjs reads: run.sh builds the same bundles with the same script).
func bundleSets(b *testing.B) []benchSet {
	var sets []benchSet
	for _, bundler := range []string{"esbuild", "webpack", "rollup"} {
		s := benchSet{name: bundler}
		dist := testbundles.Build(b, bundler)
		err := filepath.WalkDir(dist, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".map") {
				return err
			}
			data, err := os.ReadFile(p)
			s.files = append(s.files, data)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		sets = append(sets, s)
	}
	return sets
}

func benchParse(b *testing.B, sets []benchSet) {
	for _, s := range sets {
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(s.bytes())
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range s.files {
					if _, _, err := sourcemaps.Parse(f, sourcemaps.Limits{}); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkParseBundles parses and decodes (strictly, every segment checked) the maps of the
// real bundles. MB/s is over the map bytes.
func BenchmarkParseBundles(b *testing.B) { benchParse(b, bundleSets(b)) }

// BenchmarkParseLarge does the same on the large genbuild maps and the combined ones.
func BenchmarkParseLarge(b *testing.B) {
	sets, missing := largeSets(b)
	if missing != "" {
		b.Skip(missing)
	}
	benchParse(b, sets)
}

// lookupQueries returns n generated positions over m: a random segment's line and a column up
// to 20 past it (so hits and in-between columns are mixed), as bench.mjs picks them.
func lookupQueries(m *sourcemaps.Map, n int, ascending bool) [][2]int {
	type ref struct{ line, col int }
	var segs []ref
	for l := 0; l < m.Mappings.Lines(); l++ {
		for _, s := range m.Mappings.Line(l) {
			segs = append(segs, ref{l, int(s.GenColumn)})
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	q := make([][2]int, n)
	for i := range q {
		s := segs[rng.IntN(len(segs))]
		q[i] = [2]int{s.line, s.col + rng.IntN(20)}
	}
	if ascending {
		slices.SortFunc(q, func(a, b [2]int) int {
			if a[0] != b[0] {
				return a[0] - b[0]
			}
			return a[1] - b[1]
		})
	}
	return q
}

// lookupQueryCount is how many positions one benchmark iteration looks up.
const lookupQueryCount = 1 << 16

func benchLookup(b *testing.B, sets []benchSet, ascending bool) {
	for _, s := range sets {
		if len(s.files) != 1 {
			continue // one map per lookup benchmark
		}
		b.Run(s.name, func(b *testing.B) {
			m, _, err := sourcemaps.Parse(s.files[0], sourcemaps.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			q := lookupQueries(m, lookupQueryCount, ascending)
			found := 0
			for b.Loop() {
				for _, p := range q {
					if _, ok := m.OriginalPositionFor(p[0], p[1]); ok {
						found++
					}
				}
			}
			if found == 0 {
				b.Fatal("no lookup found anything")
			}
			b.ReportMetric(float64(b.N)*lookupQueryCount/b.Elapsed().Seconds(), "lookups/s")
		})
	}
}

func lookupSets(b *testing.B) []benchSet {
	sets, missing := largeSets(b)
	if missing != "" {
		b.Log(missing)
	}
	for _, s := range bundleSets(b) {
		// The largest map of each bundle.
		largest := slices.MaxFunc(s.files, func(x, y []byte) int { return len(x) - len(y) })
		sets = append(sets, benchSet{s.name + "-largest", [][]byte{largest}})
	}
	return sets
}

// BenchmarkLookupRandom looks up positions in random order (one at a time, as symbolicating
// many unrelated frames does).
func BenchmarkLookupRandom(b *testing.B) { benchLookup(b, lookupSets(b), false) }

// BenchmarkLookupAscending looks up the same positions sorted by line and column (as walking a
// file does).
func BenchmarkLookupAscending(b *testing.B) { benchLookup(b, lookupSets(b), true) }
