package sourcemaps

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

// specSuite is the TC39 source map conformance suite (source-map-spec-tests.json).
type specSuite struct {
	Tests []struct {
		Name             string       `json:"name"`
		Description      string       `json:"description"`
		BaseFile         string       `json:"baseFile"`
		SourceMapFile    string       `json:"sourceMapFile"`
		SourceMapIsValid bool         `json:"sourceMapIsValid"`
		TestActions      []specAction `json:"testActions"`
	} `json:"tests"`
}

type specAction struct {
	ActionType       string   `json:"actionType"`
	GeneratedLine    int      `json:"generatedLine"`
	GeneratedColumn  int      `json:"generatedColumn"`
	OriginalSource   *string  `json:"originalSource"`
	OriginalLine     *int     `json:"originalLine"`
	OriginalColumn   *int     `json:"originalColumn"`
	MappedName       *string  `json:"mappedName"`
	IntermediateMaps []string `json:"intermediateMaps"`
	Present          []string `json:"present"`
}

// TestSpecConformance runs every case of the TC39 suite: the verdict must match, and every
// checkMapping, checkMappingTransitive and checkIgnoreList action must hold.
func TestSpecConformance(t *testing.T) {
	t.Parallel()
	dir := testenv.External(t, "tc39-source-map-tests")
	raw, err := os.ReadFile(filepath.Join(dir, "source-map-spec-tests.json"))
	if err != nil {
		t.Fatal(err)
	}
	var suite specSuite
	if err := json.Unmarshal(raw, &suite); err != nil {
		t.Fatal(err)
	}
	if len(suite.Tests) != 99 {
		t.Fatalf("the suite has %d cases, want 99: has the vendored copy changed?", len(suite.Tests))
	}
	load := func(t *testing.T, name string) (*Map, error) {
		data, err := os.ReadFile(filepath.Join(dir, "resources", name))
		if err != nil {
			t.Fatal(err)
		}
		m, _, err := Parse(data, Limits{})
		return m, err
	}
	// Counted across the parallel cases, and checked once they have all run.
	var actions atomic.Int64
	t.Cleanup(func() {
		if n := actions.Load(); n < 90 {
			t.Errorf("only %d actions checked; the suite has 94", n)
		}
	})
	for _, tc := range suite.Tests {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			m, err := load(t, tc.SourceMapFile)
			if tc.SourceMapIsValid && err != nil {
				t.Fatalf("%s: valid map rejected: %v", tc.Description, err)
			}
			if !tc.SourceMapIsValid {
				if err == nil {
					t.Fatalf("%s: invalid map accepted", tc.Description)
				}
				return
			}
			for _, a := range tc.TestActions {
				actions.Add(1)
				switch a.ActionType {
				case "checkMapping":
					checkMapping(t, m, a)
				case "checkMappingTransitive":
					// Follow the chain: each intermediate map maps the previous step's original
					// position further back.
					pos, ok := m.OriginalPositionFor(a.GeneratedLine, a.GeneratedColumn)
					cur := m
					for _, name := range a.IntermediateMaps {
						if !ok || pos.Source < 0 {
							break
						}
						next, err := load(t, name)
						if err != nil {
							t.Fatalf("intermediate map %s: %v", name, err)
						}
						pos, ok = next.OriginalPositionFor(pos.Line, pos.Column)
						cur = next
					}
					comparePosition(t, cur, pos, ok, a)
				case "checkIgnoreList":
					var got []string
					for _, i := range m.IgnoreList {
						got = append(got, m.ResolvedSource(i))
					}
					if len(got) != len(a.Present) {
						t.Fatalf("ignore list %q, want %q", got, a.Present)
					}
					for i := range got {
						if got[i] != a.Present[i] {
							t.Fatalf("ignore list %q, want %q", got, a.Present)
						}
					}
				default:
					t.Fatalf("unknown action %q: the suite has grown; teach this test the new action", a.ActionType)
				}
			}
		})
	}
}

func checkMapping(t *testing.T, m *Map, a specAction) {
	t.Helper()
	pos, ok := m.OriginalPositionFor(a.GeneratedLine, a.GeneratedColumn)
	comparePosition(t, m, pos, ok, a)
}

func comparePosition(t *testing.T, m *Map, pos Position, ok bool, a specAction) {
	t.Helper()
	at := func() string {
		b, _ := json.Marshal(a)
		return string(b)
	}
	mapped := ok && pos.Source >= 0
	if a.OriginalLine == nil {
		if mapped {
			t.Fatalf("%s: got a mapping to source %d line %d, want none", at(), pos.Source, pos.Line)
		}
		return
	}
	if !ok || (pos.Source < 0 && a.OriginalSource != nil) {
		t.Fatalf("%s: no mapping found", at())
	}
	var src *string
	if pos.Source >= 0 && !m.SourceIsNull[pos.Source] {
		s := m.ResolvedSource(pos.Source)
		src = &s
	}
	if (src == nil) != (a.OriginalSource == nil) || (src != nil && *src != *a.OriginalSource) {
		t.Fatalf("%s: source %v, want %v", at(), deref(src), deref(a.OriginalSource))
	}
	if pos.Line != *a.OriginalLine || pos.Column != *a.OriginalColumn {
		t.Fatalf("%s: original %d:%d, want %d:%d", at(), pos.Line, pos.Column, *a.OriginalLine, *a.OriginalColumn)
	}
	var name *string
	if pos.Name >= 0 {
		name = &m.Names[pos.Name]
	}
	if (name == nil) != (a.MappedName == nil) || (name != nil && *name != *a.MappedName) {
		t.Fatalf("%s: name %v, want %v", at(), deref(name), deref(a.MappedName))
	}
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return "\"" + *s + "\""
}
