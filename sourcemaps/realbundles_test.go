package sourcemaps_test

import (
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testbundles"
	"github.com/releasegate/releasegate/sourcemaps"
)

// TestRealBundlesValidate: what real bundlers emit must validate without errors. A validator
// that flags correct esbuild, webpack or rollup output would be ignored by its users.
func TestRealBundlesValidate(t *testing.T) {
	t.Parallel()
	for _, bundler := range testbundles.Bundlers() {
		t.Run(bundler, func(t *testing.T) {
			t.Parallel()
			dist := testbundles.Build(t, bundler)
			r := sourcemaps.Validate(sourcemaps.Discover([]string{dist}, sourcemaps.DiscoverOptions{}), sourcemaps.ValidateOptions{})
			withMap := 0
			for _, f := range r.Files {
				if f.MapKind == sourcemaps.MapExternal || f.MapKind == sourcemaps.MapInline {
					withMap++
				}
			}
			if withMap < 5 {
				t.Fatalf("only %d files with maps found in %s output: %+v", withMap, bundler, r.Files)
			}
			for _, f := range r.Findings {
				if f.Severity == sourcemaps.SeverityError {
					t.Errorf("%s: %s %s:%d:%d %s", bundler, f.Code, f.Path, f.Line, f.Column, f.Message)
				} else {
					t.Logf("%s warning: %s %s %s", bundler, f.Code, f.Path, f.Message)
				}
			}
		})
	}
}

// TestRealBundleEditedAfterMapping: a real chunk whose code was changed after its map was made
// (here: its longest line cut in half, as a careless post-processing step would) is caught.
func TestRealBundleEditedAfterMapping(t *testing.T) {
	t.Parallel()
	dist := testbundles.Build(t, "esbuild")
	d := sourcemaps.Discover([]string{dist}, sourcemaps.DiscoverOptions{})
	var target *sourcemaps.Pair
	for i := range d.Pairs {
		if p := &d.Pairs[i]; p.Kind == sourcemaps.MapExternal && (target == nil || len(p.JSData) > len(target.JSData)) {
			target = p
		}
	}
	if target == nil {
		t.Fatal("no external map in the esbuild output")
	}
	lines := strings.Split(string(target.JSData), "\n")
	longest := 0
	for i := range lines {
		if len(lines[i]) > len(lines[longest]) {
			longest = i
		}
	}
	lines[longest] = lines[longest][:len(lines[longest])/2]
	target.JSData = []byte(strings.Join(lines, "\n"))
	var codes []string
	for _, f := range sourcemaps.CheckPair(target, sourcemaps.Limits{}) {
		codes = append(codes, f.Code)
		if f.Line != longest+1 || f.Map != target.Map || f.Path != target.JS {
			t.Errorf("finding %s at %s:%d (map %s), want line %d of %s", f.Code, f.Path, f.Line, f.Map, longest+1, target.JS)
		}
	}
	if len(codes) != 1 || codes[0] != sourcemaps.CodeGeneratedColumnOutOfRange {
		t.Fatalf("findings %v, want one %s", codes, sourcemaps.CodeGeneratedColumnOutOfRange)
	}
}
