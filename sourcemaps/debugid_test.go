package sourcemaps

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

// debugIDCases is testdata/debugid/cases.json: inputs run through `sentry-cli sourcemaps inject`
// 3.8.0 and the ID it gave each JS file (see docs/debug-ids.md).
type debugIDCases struct {
	Generator string            `json:"generator"`
	Rules     map[string]string `json:"rules"`
	Cases     []debugIDCase     `json:"cases"`
}

type debugIDCase struct {
	Name       string   `json:"name"`
	Rule       string   `json:"rule"`
	JS         string   `json:"js"`
	Map        string   `json:"map"`
	Candidates []string `json:"candidates"`
	ID         string   `json:"id"`
	Note       string   `json:"note"`
}

const debugIDTestdata = "testdata/debugid"

func loadDebugIDCases(t *testing.T) debugIDCases {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(debugIDTestdata, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c debugIDCases
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	if len(c.Cases) == 0 {
		t.Fatal("cases.json has no cases")
	}
	return c
}

func readDebugIDInput(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(debugIDTestdata, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// embeddedMapPrefix is the only data-URL spelling sentry-cli 3.8.0 treats as an embedded map.
const embeddedMapPrefix = "//# sourceMappingURL=data:application/json;base64,"

// embeddedMapPayload returns the base64 text of the last embedded map comment in js.
func embeddedMapPayload(t *testing.T, js []byte) []byte {
	t.Helper()
	i := bytes.LastIndex(js, []byte(embeddedMapPrefix))
	if i < 0 {
		t.Fatal("no embedded map comment")
	}
	rest := js[i+len(embeddedMapPrefix):]
	if j := bytes.IndexAny(rest, " \t\r\n"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

func decodeEmbeddedMap(t *testing.T, js []byte) []byte {
	t.Helper()
	m, err := base64.StdEncoding.Strict().DecodeString(string(embeddedMapPayload(t, js)))
	if err != nil {
		t.Fatalf("embedded map: %v", err)
	}
	return m
}

// mapDebugID returns the debugId (or legacy debug_id) a map carries, as written.
func mapDebugID(t *testing.T, sourceMap []byte) string {
	t.Helper()
	var m struct {
		DebugID       string `json:"debugId"`
		LegacyDebugID string `json:"debug_id"`
	}
	if err := json.Unmarshal(sourceMap, &m); err != nil {
		t.Fatalf("map: %v", err)
	}
	if m.DebugID != "" {
		return m.DebugID
	}
	return m.LegacyDebugID
}

var debugIDCommentRe = regexp.MustCompile(`//# debugId=(\S+)`)

// TestDebugIDSentryCLIVectors reproduces, with this package's functions, every ID sentry-cli
// 3.8.0 gave the cases in testdata/debugid.
func TestDebugIDSentryCLIVectors(t *testing.T) {
	t.Parallel()
	c := loadDebugIDCases(t)
	for _, tc := range c.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			if _, ok := c.Rules[tc.Rule]; !ok {
				t.Fatalf("unknown rule %q", tc.Rule)
			}
			js := readDebugIDInput(t, tc.JS)
			var got string
			switch tc.Rule {
			case "pair":
				got = DebugIDForPair(js, readDebugIDInput(t, tc.Map))
				// 3.6.0 hashed the map alone; 3.8.0 must not.
				if old := DebugIDFromBytes(readDebugIDInput(t, tc.Map)); old == tc.ID {
					t.Errorf("ID equals the 3.6.0 map-only ID %s", old)
				}
			case "inline":
				got = DebugIDForPair(js, decodeEmbeddedMap(t, js))
			case "js":
				got = DebugIDFromBytes(js)
			case "map-debugid":
				got, _ = NormalizeDebugID(mapDebugID(t, readDebugIDInput(t, tc.Map)))
			case "inline-map-debugid":
				got, _ = NormalizeDebugID(mapDebugID(t, decodeEmbeddedMap(t, js)))
			case "js-debugid":
				m := debugIDCommentRe.FindAllSubmatch(js, -1)
				if len(m) == 0 {
					t.Fatal("no debugId comment")
				}
				got, _ = NormalizeDebugID(string(m[len(m)-1][1]))
			case "shared-map":
				mapBytes := readDebugIDInput(t, tc.Map)
				var ids []string
				for _, cand := range tc.Candidates {
					ids = append(ids, DebugIDForPair(readDebugIDInput(t, cand), mapBytes))
				}
				if !slices.Contains(ids, tc.ID) {
					t.Fatalf("ID %s is none of the candidates' pair IDs %v", tc.ID, ids)
				}
				got = tc.ID
			case "skip":
				if tc.ID != "" {
					t.Fatalf("skipped case records ID %q", tc.ID)
				}
				if _, err := base64.StdEncoding.Strict().DecodeString(string(embeddedMapPayload(t, js))); err == nil {
					t.Fatal("payload decodes, but sentry-cli rejected it")
				}
				return
			}
			if got != tc.ID {
				t.Errorf("got %s, sentry-cli 3.8.0 gave %s (%s)", got, tc.ID, tc.Note)
			}
		})
	}
}

// TestDebugIDFromBytes checks the SHA-1 form against vectors sentry-cli 3.6.0 and 2.58.6 produced
// (sourcemaps-protocol.md §1.2) for a JS file without a map; 3.8.0 keeps that derivation.
func TestDebugIDFromBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"hashbang use strict", "#!/usr/bin/env node\n\"use strict\";\nconsole.log(1)\n", "089f5a52-c74a-5aa2-b532-9154150c2d45"},
		// SHA-1("") = da39a3ee5e6b4b0d3255bfef95601890afd80709; bytes 6 and 8 get the v5/variant bits.
		{"empty", "", "da39a3ee-5e6b-5b0d-b255-bfef95601890"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := DebugIDFromBytes([]byte(tt.in)); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

// TestDebugIDForPair checks properties the 3.8.0 derivation exists for.
func TestDebugIDForPair(t *testing.T) {
	t.Parallel()
	emptyMap := []byte(`{"version":3,"sources":[],"names":[],"mappings":""}`)
	a := []byte("console.log(1)\n//# sourceMappingURL=a.js.map\n")
	b := []byte("console.log(22)\n//# sourceMappingURL=b.js.map\n")
	tests := []struct {
		name       string
		js1, map1  []byte
		js2, map2  []byte
		wantEquals bool
	}{
		{"identical maps, different JS", a, emptyMap, b, emptyMap, false},
		{"same pair", a, emptyMap, bytes.Clone(a), bytes.Clone(emptyMap), true},
		{"split point moves", []byte("ab"), []byte("c"), []byte("a"), []byte("bc"), false},
		{"inputs swapped", a, emptyMap, emptyMap, a, false},
		{"nil and empty", nil, nil, []byte{}, []byte{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id1, id2 := DebugIDForPair(tt.js1, tt.map1), DebugIDForPair(tt.js2, tt.map2)
			if (id1 == id2) != tt.wantEquals {
				t.Errorf("%s vs %s: equal=%v, want %v", id1, id2, id1 == id2, tt.wantEquals)
			}
		})
	}
	// The pair ID is not the ID of either input alone, nor of their concatenation.
	id := DebugIDForPair(a, emptyMap)
	for _, other := range [][]byte{a, emptyMap, slices.Concat(a, emptyMap), slices.Concat(emptyMap, a)} {
		if DebugIDFromBytes(other) == id {
			t.Errorf("pair ID %s equals the ID of %q", id, other)
		}
	}
}

// TestDebugIDShape checks the version and variant bits and the printed form.
func TestDebugIDShape(t *testing.T) {
	t.Parallel()
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for i := range 200 {
		in := bytes.Repeat([]byte{byte(i)}, i)
		for _, id := range []string{DebugIDFromBytes(in), DebugIDForPair(in, in[:i/2])} {
			if !shape.MatchString(id) {
				t.Fatalf("%q is not a lowercase v5-shaped UUID", id)
			}
		}
	}
}

func TestNormalizeDebugID(t *testing.T) {
	t.Parallel()
	const want = "abcdef01-2345-6789-abcd-ef0123456789"
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"canonical", want, want, true},
		{"upper hyphenated", "ABCDEF01-2345-6789-ABCD-EF0123456789", want, true},
		{"mixed case", "AbCdEf01-2345-6789-aBcD-eF0123456789", want, true},
		{"32 hex lower", "abcdef0123456789abcdef0123456789", want, true},
		{"32 hex upper", "ABCDEF0123456789ABCDEF0123456789", want, true},
		{"nil uuid", "00000000000000000000000000000000", "00000000-0000-0000-0000-000000000000", true},
		{"empty", "", "", false},
		{"braces", "{abcdef01-2345-6789-abcd-ef0123456789}", "", false},
		{"urn", "urn:uuid:abcdef01-2345-6789-abcd-ef0123456789", "", false},
		{"leading space", " abcdef01-2345-6789-abcd-ef0123456789", "", false},
		{"trailing newline", want + "\n", "", false},
		{"appendix", want + "-1a", "", false},
		{"hex plus appendix", "abcdef0123456789abcdef01234567891a", "", false},
		{"one hyphen", "abcdef01-23456789abcdef0123456789", "", false},
		{"hyphen misplaced", "abcdef0-12345-6789-abcd-ef0123456789", "", false},
		{"short", "abcdef01-2345-6789-abcd-ef01234567", "", false},
		{"non hex", "ghcdef01-2345-6789-abcd-ef0123456789", "", false},
		{"non hex 32", "abcdef0123456789abcdef012345678g", "", false},
		{"36 without hyphens", "abcdef0123456789abcdef0123456789abcd", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := NormalizeDebugID(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("NormalizeDebugID(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func FuzzNormalizeDebugID(f *testing.F) {
	for _, s := range []string{
		"abcdef01-2345-6789-abcd-ef0123456789", "ABCDEF0123456789ABCDEF0123456789",
		"089f5a52-c74a-5aa2-b532-9154150c2d45-1a", "{abcdef01-2345-6789-abcd-ef0123456789}", "", "-",
	} {
		f.Add(s)
	}
	canonical := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	accepted := regexp.MustCompile(`^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizeDebugID(s)
		if ok != accepted.MatchString(s) {
			t.Fatalf("NormalizeDebugID(%q) ok=%v, reference says %v", s, ok, !ok)
		}
		if !ok {
			if got != "" {
				t.Fatalf("rejected %q but returned %q", s, got)
			}
			return
		}
		if !canonical.MatchString(got) {
			t.Fatalf("NormalizeDebugID(%q) = %q, not canonical", s, got)
		}
		if want := strings.ToLower(strings.ReplaceAll(s, "-", "")); strings.ReplaceAll(got, "-", "") != want {
			t.Fatalf("NormalizeDebugID(%q) = %q changed the digits", s, got)
		}
		if again, ok := NormalizeDebugID(got); !ok || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, got, again, ok)
		}
	})
}

// sentryCLIReportLine is one "<id> - <path>" line of the inject report.
var sentryCLIReportLine = regexp.MustCompile(`^\s+([0-9a-f]{8}-[0-9a-f-]+) - (\S+)$`)

// TestDebugIDVectorsMatchSentryCLI reruns sentry-cli on every case, when the peer is installed, to
// prove the recorded vectors are what the pinned sentry-cli produces.
func TestDebugIDVectorsMatchSentryCLI(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs sentry-cli")
	}
	cli := testenv.SentryCLI(t)
	out, err := exec.Command(cli, "--version").Output()
	if err != nil {
		t.Fatalf("sentry-cli --version: %v", err)
	}
	if v := strings.TrimSpace(string(out)); v != "sentry-cli 3.8.0" {
		t.Fatalf("vectors were captured with sentry-cli 3.8.0, peer is %q: recapture them (docs/debug-ids.md)", v)
	}
	c := loadDebugIDCases(t)
	byDir := map[string][]debugIDCase{}
	for _, tc := range c.Cases {
		dir, _, _ := strings.Cut(tc.JS, "/")
		byDir[dir] = append(byDir[dir], tc)
	}
	for dir, cases := range byDir {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			work := t.TempDir()
			if err := os.CopyFS(filepath.Join(work, "dist"), os.DirFS(filepath.Join(debugIDTestdata, dir))); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(cli, "sourcemaps", "inject", "dist")
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "SENTRY_LOG_LEVEL=warn")
			report, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("sentry-cli: %v\n%s", err, report)
			}
			ids := map[string]string{}
			for line := range strings.Lines(string(report)) {
				if m := sentryCLIReportLine.FindStringSubmatch(strings.TrimRight(line, "\r\n")); m != nil {
					ids[strings.TrimPrefix(m[2], "dist/")] = m[1]
				}
			}
			for _, tc := range cases {
				_, file, _ := strings.Cut(tc.JS, "/")
				got := ids[file]
				switch {
				case tc.Rule == "shared-map":
					// Which JS sentry-cli handles first (and so whose pair ID the map gets)
					// varies between runs; accept any candidate's.
					mapBytes := readDebugIDInput(t, tc.Map)
					var want []string
					for _, cand := range tc.Candidates {
						want = append(want, DebugIDForPair(readDebugIDInput(t, cand), mapBytes))
					}
					if !slices.Contains(want, got) {
						t.Errorf("%s: sentry-cli gave %q, want one of %v", tc.JS, got, want)
					}
				case got != tc.ID:
					t.Errorf("%s: sentry-cli gave %q, recorded %q\n%s", tc.JS, got, tc.ID, report)
				}
			}
		})
	}
}
