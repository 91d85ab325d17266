package sourcemaps_test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testbundles"
	"github.com/releasegate/releasegate/internal/testenv"
	"github.com/releasegate/releasegate/sourcemaps"
)

// TestContentAgreement measures the content check on every real build the tests make and on
// deliberately crossed pairs, prints the table docs/validate.md shows (run with -v), and holds
// the check to it: no finding on any real file, and every crossed pair caught, by the content
// check or by the bounds checks before it.
//
//	go test ./sourcemaps -run TestContentAgreement -v   # with the peers of .ci/install-peers
//
// The genbuild rows need `go run ./bench/genbuild -out bench/out/large -size 60MB` first
// (or $RELEASEGATE_BENCH_DIR/large); without it they are left out.
func TestContentAgreement(t *testing.T) {
	t.Parallel()
	builds := map[string]string{"sample-build": filepath.Join(testenv.RepoRoot(t), "testdata", "sample-build")}
	for _, b := range testbundles.Bundlers() {
		builds[b] = testbundles.Build(t, b)
	}
	if dir := genbuildDir(t); dir != "" {
		builds["genbuild"] = dir
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range builds {
			if !yield(n) {
				return
			}
		}
	})

	var real, crossed []string
	for _, name := range names {
		pairs := loadPairs(t, builds[name])
		real = append(real, realRow(t, name, pairs))
		crossed = append(crossed, crossedRow(t, name+": JS with the map of another of its files", rotateMaps(pairs), true))
		crossed = append(crossed, crossedRow(t, name+": a licence banner line prepended to the JS", prependLine(pairs), true))
	}
	crossed = append(crossed, crossedRow(t, "esbuild JS with rollup's map of the same entry", swapBundler(t, builds, "esbuild", "rollup"), true))
	crossed = append(crossed, crossedRow(t, "rollup JS with esbuild's map of the same entry", swapBundler(t, builds, "rollup", "esbuild"), true))
	for _, b := range testbundles.Bundlers() {
		for _, e := range appEdits {
			edited := testbundles.BuildEdited(t, b, e.edit)
			crossed = append(crossed, crossedRow(t, fmt.Sprintf("%s: %s, map of the build before", b, e.name), staleMaps(t, builds[b], edited), e.mustCatch))
		}
	}
	t.Logf("real builds:\n| build | files judged | tokens compared | property · string · keyword · split agreed | agreed | lowest file | longest run | findings |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n%s", strings.Join(real, "\n"))
	t.Logf("crossed pairs:\n| case | pairs | caught by bounds checks | judged by content | highest share | shortest longest-run | content errors | content warnings | too few tokens | missed |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n%s", strings.Join(crossed, "\n"))
}

// genbuildDir is the large generated build, when it has been made.
func genbuildDir(t *testing.T) string {
	dir := os.Getenv("RELEASEGATE_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(testenv.RepoRoot(t), "bench", "out")
	}
	dir = filepath.Join(dir, "large")
	if _, err := os.Stat(dir); err != nil {
		t.Logf("no genbuild rows: %s is missing (go run ./bench/genbuild -out bench/out/large -size 60MB)", dir)
		return ""
	}
	return dir
}

// loadPairs discovers a build and keeps the pairs with a generated file and a map.
func loadPairs(t *testing.T, dir string) []sourcemaps.Pair {
	t.Helper()
	d := sourcemaps.Discover([]string{dir}, sourcemaps.DiscoverOptions{})
	var pairs []sourcemaps.Pair
	for _, p := range d.Pairs {
		if p.JS != "" && p.MapData != nil {
			pairs = append(pairs, p)
		}
	}
	if len(pairs) == 0 {
		t.Fatalf("no pairs in %s", dir)
	}
	slices.SortFunc(pairs, func(a, b sourcemaps.Pair) int { return strings.Compare(a.JS, b.JS) })
	return pairs
}

func measure(p *sourcemaps.Pair) sourcemaps.ContentAgreement {
	m, _, err := sourcemaps.Parse(p.MapData, sourcemaps.Limits{})
	if err != nil {
		return sourcemaps.ContentAgreement{}
	}
	return sourcemaps.MeasureContent(m, p.JSData)
}

// judged is the fewest compared tokens the check decides on (contentMinChecked).
const judged = 20

func realRow(t *testing.T, name string, pairs []sourcemaps.Pair) string {
	files, agreed, checked, findings, longestRun := 0, 0, 0, 0, 0
	lowest, lowestFile := 1.0, "-"
	var classes sourcemaps.ContentAgreement
	for i := range pairs {
		p := &pairs[i]
		ca := measure(p)
		for c := range ca.Checked {
			classes.Checked[c] += ca.Checked[c]
			classes.Agreed[c] += ca.Agreed[c]
		}
		a, c := ca.Share()
		longestRun = max(longestRun, ca.LongestRun)
		agreed += a
		checked += c
		if c >= judged {
			files++
			if s := float64(a) / float64(c); s < lowest {
				lowest, lowestFile = s, filepath.Base(p.JS)
			}
		}
		for _, f := range sourcemaps.CheckPair(p, sourcemaps.Limits{}) {
			if f.Code == sourcemaps.CodeContentMismatch {
				findings++
				t.Errorf("%s: false finding on a real build: %s:%d:%d %s", name, f.Path, f.Line, f.Column, f.Message)
			}
		}
	}
	if files == 0 {
		t.Errorf("%s: no file has %d compared tokens; the check judges nothing here", name, judged)
	}
	var perClass []string
	for c := range classes.Checked {
		perClass = append(perClass, fmt.Sprintf("%d/%d", classes.Agreed[c], classes.Checked[c]))
	}
	return fmt.Sprintf("| %s | %d of %d | %d | %s | %.1f%% | %.1f%% (%s) | %d | %d |", name, files, len(pairs), checked, strings.Join(perClass, " · "),
		100*float64(agreed)/float64(checked), 100*lowest, lowestFile, longestRun, findings)
}

// crossedRow checks pairs that do not belong together: each must be caught.
// With mustCatch unset, misses are only counted: a map made before an edit near the end of a
// file agrees with all of it but the last few tokens, and no check can tell it from a real one.
func crossedRow(t *testing.T, name string, pairs []sourcemaps.Pair, mustCatch bool) string {
	if len(pairs) == 0 {
		t.Errorf("%s: no crossed pairs made", name)
		return fmt.Sprintf("| %s | 0 | | | | | | |", name)
	}
	bounds, judgedN, errs, warns, missed, few := 0, 0, 0, 0, 0, 0
	highest, shortestRun := 0.0, -1
	for i := range pairs {
		p := &pairs[i]
		ca := measure(p)
		a, c := ca.Share()
		if c >= judged {
			judgedN++
			highest = max(highest, float64(a)/float64(c))
			if shortestRun < 0 || ca.LongestRun < shortestRun {
				shortestRun = ca.LongestRun
			}
		}
		byBounds, byContent := false, false
		for _, f := range sourcemaps.CheckPair(p, sourcemaps.Limits{}) {
			switch {
			case f.Code == sourcemaps.CodeContentMismatch && f.Severity == sourcemaps.SeverityError:
				errs++
				byContent = true
			case f.Code == sourcemaps.CodeContentMismatch:
				warns++
				byContent = true
			case f.Severity == sourcemaps.SeverityError && f.Code != sourcemaps.CodeMoreFindings:
				byBounds = true
			}
		}
		if byBounds {
			bounds++
		}
		caught := byBounds || byContent
		switch {
		case caught:
		case c < judged:
			// Too few tokens to judge (a file that only re-exports, say): reported, not failed.
			few++
		default:
			missed++
			if !mustCatch {
				t.Logf("%s: %s with map %s is not caught (content agreement %d of %d, longest run of disagreement %d)", name, p.JS, p.Map, a, c, ca.LongestRun)
				break
			}
			t.Errorf("%s: %s with map %s passes validation (content agreement %d of %d, longest run of disagreement %d)", name, p.JS, p.Map, a, c, ca.LongestRun)
		}
	}
	run := "-"
	if shortestRun >= 0 {
		run = fmt.Sprint(shortestRun)
	}
	return fmt.Sprintf("| %s | %d | %d | %d | %.1f%% | %s | %d | %d | %d | %d |", name, len(pairs), bounds, judgedN, 100*highest, run, errs, warns, few, missed)
}

// rotateMaps gives each file the map of the next one.
func rotateMaps(pairs []sourcemaps.Pair) []sourcemaps.Pair {
	var out []sourcemaps.Pair
	for i, p := range pairs {
		q := pairs[(i+1)%len(pairs)]
		if len(pairs) < 2 || string(q.MapData) == string(p.MapData) {
			continue
		}
		out = append(out, sourcemaps.Pair{JS: p.JS, JSData: p.JSData, Map: q.Map + " (of " + filepath.Base(q.JS) + ")", MapData: q.MapData, Kind: sourcemaps.MapExternal})
	}
	return out
}

// banner is what a post-processing step prepends without updating the map.
const banner = "/*! demo-app v1.4.2 | (c) 2026 Example Corp | released under the MIT License | build 8812 */\n"

func prependLine(pairs []sourcemaps.Pair) []sourcemaps.Pair {
	var out []sourcemaps.Pair
	for _, p := range pairs {
		p.JSData = append([]byte(banner), p.JSData...)
		out = append(out, p)
	}
	return out
}

// hashedName matches a generated file name with its content hash (esbuild and rollup: 8
// characters after "-"; webpack: 16 hex digits after ".").
var hashedName = regexp.MustCompile(`^(.*?)[-.](?:[A-Za-z0-9_-]{8}|[0-9a-f]{16})((?:\.chunk)?\.c?js)$`)

// unhashed is a file's path below its build folder without the content hash.
func unhashed(dir, path string) string {
	rel, _ := filepath.Rel(dir, path)
	rel = filepath.ToSlash(rel)
	if m := hashedName.FindStringSubmatch(rel); m != nil {
		return m[1] + m[2]
	}
	return rel
}

// staleMaps pairs every file of the edited build that changed with its map from the build before.
func staleMaps(t *testing.T, before, after string) []sourcemaps.Pair {
	old := map[string]sourcemaps.Pair{}
	for _, p := range loadPairs(t, before) {
		old[unhashed(before, p.JS)] = p
	}
	var out []sourcemaps.Pair
	for _, p := range loadPairs(t, after) {
		o, ok := old[unhashed(after, p.JS)]
		if !ok || string(o.JSData) == string(p.JSData) || sameMapping(t, o.MapData, p.MapData) {
			// Unchanged, or changed only where the map does not look (an import's hashed
			// file name of the same length): the old map is as right as the new one.
			continue
		}
		out = append(out, sourcemaps.Pair{JS: p.JS, JSData: p.JSData, Map: o.Map + " (earlier build)", MapData: o.MapData, Kind: sourcemaps.MapExternal})
	}
	return out
}

// sameMapping reports whether two maps give every generated position the same original one
// over the same sources' content.
func sameMapping(t *testing.T, a, b []byte) bool {
	ma, _, err := sourcemaps.Parse(a, sourcemaps.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	mb, _, err := sourcemaps.Parse(b, sourcemaps.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(ma.Mappings, mb.Mappings) && slices.Equal(ma.Sources, mb.Sources) && slices.Equal(ma.SourcesContent, mb.SourcesContent)
}

// swapBundler pairs each file of build a with the map of the same entry in build b (the
// single-file builds: esbuild's inline/app.js and rollup's iife/app.js both hold main.js).
func swapBundler(t *testing.T, builds map[string]string, a, b string) []sourcemaps.Pair {
	single := map[string]string{"esbuild": "inline/app.js", "rollup": "iife/app.js"}
	find := func(bundler string) sourcemaps.Pair {
		for _, p := range loadPairs(t, builds[bundler]) {
			if unhashed(builds[bundler], p.JS) == single[bundler] {
				return p
			}
		}
		t.Fatalf("no %s in the %s build", single[bundler], bundler)
		return sourcemaps.Pair{}
	}
	pa, pb := find(a), find(b)
	return []sourcemaps.Pair{{JS: pa.JS, JSData: pa.JSData, Map: pb.JS + " (map)", MapData: pb.MapData, Kind: sourcemaps.MapExternal}}
}

// appEdits are changes a developer makes between two builds: one early in a module, one at its
// end (where only the code after the change moves).
var appEdits = []struct {
	name      string
	edit      func(dir string) error
	mustCatch bool
}{
	{"a log line added at the start of main.js's start()", func(dir string) error {
		return editFile(filepath.Join(dir, "main.js"), "async function start() {\n", "async function start() {\n  log('boot', `starting with ${routeNames.length} routes`);\n")
	}, true},
	{"a statement added at the end of main.js", func(dir string) error {
		return editFile(filepath.Join(dir, "main.js"), "    throw error;\n", "    log('fatal', 'crashing on purpose');\n    throw error;\n")
	}, false},
	{"a function changed in the shared lib/format.js", func(dir string) error {
		return editFile(filepath.Join(dir, "lib", "format.js"), "  const units = label.length;\n", "  const units = [...label].length;\n  if (units > 80) {\n    throw new RangeError(`label too long: ${units}`);\n  }\n")
	}, false},
}

func editFile(path, old, new string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !strings.Contains(string(data), old) {
		return fmt.Errorf("%s does not contain %q", path, old)
	}
	return os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644)
}
