package sourcemaps

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

// Helpers shared by the inject tests: trees of files in memory, running sentry-cli, and
// comparing its output with releasegate's the way the issue defines parity (JS byte-identical,
// maps equal once decoded, and every field sentry-cli drops kept by releasegate).

// fileTree is a folder's files by slash-separated relative path.
type fileTree map[string][]byte

func readFileTree(t testing.TB, dir string) fileTree {
	t.Helper()
	out := fileTree{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeFileTree(t testing.TB, dir string, files fileTree) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// copyFileTree copies dir into a new temporary folder and returns it.
func copyFileTree(t testing.TB, dir string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(dir))
	if err := os.CopyFS(dst, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	return dst
}

// diffFileTrees describes how two trees differ (empty when equal).
func diffFileTrees(a, b fileTree) string {
	var out []string
	for name, da := range a {
		db, ok := b[name]
		switch {
		case !ok:
			out = append(out, name+" removed")
		case !bytes.Equal(da, db):
			out = append(out, name+" changed")
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			out = append(out, name+" added")
		}
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

// sentryCLI returns the pinned sentry-cli binary, checking its version once.
func sentryCLI(t testing.TB) string {
	t.Helper()
	cli := testenv.SentryCLI(t)
	out, err := exec.Command(cli, "--version").Output()
	if err != nil {
		t.Fatalf("sentry-cli --version: %v", err)
	}
	if v := strings.TrimSpace(string(out)); v != "sentry-cli 3.8.0" {
		t.Fatalf("inject parity is defined against sentry-cli 3.8.0, the peer is %q", v)
	}
	return cli
}

// runSentryCLIInject runs `sentry-cli sourcemaps inject dir` and returns its report.
func runSentryCLIInject(t testing.TB, cli, dir string) string {
	t.Helper()
	cmd := exec.Command(cli, "sourcemaps", "inject", dir)
	cmd.Env = append(os.Environ(), "SENTRY_LOG_LEVEL=warn", "SENTRY_DISABLE_UPDATE_CHECK=1", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sentry-cli sourcemaps inject: %v\n%s", err, out)
	}
	return string(out)
}

// runInject plans and applies releasegate's inject on dir.
func runInject(t testing.TB, dir string, opts InjectOptions) (*InjectPlan, []Finding) {
	t.Helper()
	d := Discover([]string{dir}, DiscoverOptions{})
	plan, findings := PlanInject(d, opts)
	if plan.Blocked() {
		t.Fatalf("inject is blocked: %v", findings)
	}
	if err := ApplyInject(plan); err != nil {
		t.Fatal(err)
	}
	return plan, findings
}

func isJSName(name string) bool {
	for _, ext := range DefaultExtensions {
		if strings.HasSuffix(name, "."+ext) {
			return true
		}
	}
	return false
}

// decodedMap is what parity compares of a map.
type decodedMap struct {
	DebugID        string
	Sources        []string
	Names          []string
	SourcesContent []string
	Mappings       [][]Segment
}

// decodeForCompare decodes a map written by either tool. sentry-cli's index maps carry
// "sources": null and "url": null, which the strict parser rejects, so those are removed first.
func decodeForCompare(t testing.TB, name string, data []byte) decodedMap {
	t.Helper()
	var raw map[string]any
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte(")]}'\n")), &raw); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if _, ok := raw["sections"]; ok {
		if raw["sources"] == nil {
			delete(raw, "sources")
		}
		for _, s := range raw["sections"].([]any) {
			if sec := s.(map[string]any); sec["url"] == nil {
				delete(sec, "url")
			}
		}
		data, _ = json.Marshal(raw)
	}
	m, _, err := Parse(data, Limits{})
	if err != nil {
		t.Fatalf("%s does not parse: %v", name, err)
	}
	id, _ := NormalizeDebugID(m.DebugID)
	dm := decodedMap{DebugID: id, Sources: m.Sources, Names: m.Names}
	for i, c := range m.SourcesContent {
		if !m.HasContent[i] {
			c = "<null>"
		}
		dm.SourcesContent = append(dm.SourcesContent, c)
	}
	for l := range m.Mappings.Lines() {
		dm.Mappings = append(dm.Mappings, slices.Clone(m.Mappings.Line(l)))
	}
	for len(dm.Mappings) > 0 && len(dm.Mappings[len(dm.Mappings)-1]) == 0 {
		dm.Mappings = dm.Mappings[:len(dm.Mappings)-1]
	}
	return dm
}

func (a decodedMap) diff(b decodedMap) string {
	var out []string
	if a.DebugID != b.DebugID {
		out = append(out, fmt.Sprintf("debugId %q vs %q", a.DebugID, b.DebugID))
	}
	if !slices.Equal(a.Sources, b.Sources) {
		out = append(out, fmt.Sprintf("sources %q vs %q", a.Sources, b.Sources))
	}
	if !slices.Equal(a.Names, b.Names) {
		out = append(out, "names differ")
	}
	if !slices.Equal(a.SourcesContent, b.SourcesContent) {
		out = append(out, "sourcesContent differs")
	}
	if len(a.Mappings) != len(b.Mappings) {
		out = append(out, fmt.Sprintf("mappings have %d lines vs %d", len(a.Mappings), len(b.Mappings)))
	}
	for l := range min(len(a.Mappings), len(b.Mappings)) {
		if !slices.Equal(a.Mappings[l], b.Mappings[l]) {
			out = append(out, fmt.Sprintf("mappings differ first on generated line %d:\n  %v\n  %v", l+1, a.Mappings[l], b.Mappings[l]))
			break
		}
	}
	return strings.Join(out, "; ")
}

// inlinePayload splits a JS file at its inline map: the text without the base64 payload, and
// the decoded map (nil when there is none).
func inlinePayload(js []byte) ([]byte, []byte) {
	const marker = "//# sourceMappingURL=" + inlineMapPrefix
	i := bytes.LastIndex(js, []byte(marker))
	if i < 0 {
		return js, nil
	}
	start := i + len(marker)
	end := start
	for end < len(js) && js[end] != '\n' && js[end] != '\r' {
		end++
	}
	m, err := base64.StdEncoding.DecodeString(string(js[start:end]))
	if err != nil {
		return js, nil
	}
	rest := append(append([]byte{}, js[:start]...), js[end:]...)
	return rest, m
}

// parity compares, file by file, sentry-cli's output (theirs) with releasegate's (ours) for the
// same input (orig). Generated files must be byte-identical, except that an inline map's
// payload is compared as a map; maps must decode to the same debug ID, mappings, sources, names
// and contents; and every top-level key of the original map other than the ones inject sets
// must still be in releasegate's map with its original value. differ lists files expected to
// differ (with the reason); they are returned for the caller to check in its own way.
func parity(t *testing.T, orig, theirs, ours fileTree, differ map[string]string) {
	t.Helper()
	for name := range theirs {
		if _, ok := ours[name]; !ok {
			t.Errorf("%s: written by sentry-cli, missing from releasegate's output", name)
		}
	}
	for name, o := range ours {
		th, ok := theirs[name]
		if !ok {
			t.Errorf("%s: in releasegate's output only", name)
			continue
		}
		if _, ok := differ[name]; ok {
			continue
		}
		switch {
		case isJSName(name):
			if bytes.Equal(o, th) {
				continue
			}
			oRest, oMap := inlinePayload(o)
			tRest, tMap := inlinePayload(th)
			if oMap == nil || tMap == nil || !bytes.Equal(oRest, tRest) {
				t.Errorf("%s: JS differs from sentry-cli's\n%s", name, firstDifference(o, th))
				continue
			}
			if d := decodeForCompare(t, name+" (ours)", oMap).diff(decodeForCompare(t, name+" (sentry-cli)", tMap)); d != "" {
				t.Errorf("%s: inline map differs from sentry-cli's: %s", name, d)
			}
			checkKeptKeys(t, name, mustInline(t, orig[name]), oMap)
		case strings.HasSuffix(name, ".map"):
			if d := decodeForCompare(t, name+" (ours)", o).diff(decodeForCompare(t, name+" (sentry-cli)", th)); d != "" {
				t.Errorf("%s: map differs from sentry-cli's: %s", name, d)
			}
			checkKeptKeys(t, name, orig[name], o)
		default:
			if !bytes.Equal(o, th) {
				t.Errorf("%s: differs from sentry-cli's", name)
			}
		}
	}
}

func mustInline(t testing.TB, js []byte) []byte {
	t.Helper()
	_, m := inlinePayload(js)
	return m
}

// checkKeptKeys asserts that every top-level key of before (except those inject rewrites) is in
// after with the same value: releasegate keeps what sentry-cli drops (x_* keys, ignoreList, …).
func checkKeptKeys(t testing.TB, name string, before, after []byte) {
	t.Helper()
	if before == nil {
		return
	}
	var b, a map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimPrefix(before, []byte(")]}'\n")), &b); err != nil {
		return // not a map before (the test's own business)
	}
	if err := json.Unmarshal(bytes.TrimPrefix(after, []byte(")]}'\n")), &a); err != nil {
		t.Errorf("%s: releasegate's map is not JSON: %v", name, err)
		return
	}
	for k, v := range b {
		switch k {
		case "mappings", "debugId", "debug_id", "sections":
			continue
		}
		if got, ok := a[k]; !ok {
			t.Errorf("%s: releasegate dropped key %q", name, k)
		} else if !bytes.Equal(got, v) {
			t.Errorf("%s: releasegate changed key %q", name, k)
		}
	}
}

func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-60)
	return fmt.Sprintf("first difference at byte %d:\n  ours:       %q\n  sentry-cli: %q", i, a[lo:min(len(a), i+60)], b[lo:min(len(b), i+60)])
}
