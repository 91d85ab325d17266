package main

import (
	"bytes"
	"encoding/json"
	"github.com/releasegate/releasegate/sourcemaps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sampleBuild is the committed esbuild build used by the README's examples.
const sampleBuild = "../../testdata/sample-build"

// runCLI runs the CLI in-process and returns the exit code and both streams.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	return newCLIEnv(t, nil).run(t, stdin, args...)
}

func TestResolveGolden(t *testing.T) {
	t.Parallel()
	main := sampleBuild + "/main-7CDP6YMD.js"
	// On a segment with a name, mid-line past wide characters, before the first segment,
	// past the line's end, below the last line.
	positions := []string{"1:100", "1:560", "1:1", "1:99999", "5:1"}
	tests := []struct {
		name string
		args []string
	}{
		{"resolve-human", append([]string{"sourcemaps", "resolve", main}, positions...)},
		{"resolve-human-map", []string{"sourcemaps", "resolve", main + ".map", "1:100"}},
		{"resolve-json", append([]string{"sourcemaps", "resolve", "--format", "json", main}, positions...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, "", tt.args...)
			if code != exitOK || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			assertGolden(t, tt.name, []byte(out))
		})
	}
}

// TestResolveJSONContract pins the documented keys and their order for mapped and unmapped
// positions (docs/resolve.md).
func TestResolveJSONContract(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "", "sourcemaps", "resolve", "--format", "json", sampleBuild+"/main-7CDP6YMD.js", "1:100", "1:1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []json.RawMessage
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got) != 2 {
		t.Fatalf("output is not an array of two: %v\n%s", err, out)
	}
	keys := `"line","column","source","sourceResolved","originalLine","originalColumn","name","context"`
	for i, raw := range got {
		var compact bytes.Buffer
		if err := json.Compact(&compact, raw); err != nil {
			t.Fatal(err)
		}
		var order []string
		dec := json.NewDecoder(bytes.NewReader(compact.Bytes()))
		dec.Token()
		for dec.More() {
			k, _ := dec.Token()
			order = append(order, `"`+k.(string)+`"`)
			var skip json.RawMessage
			dec.Decode(&skip)
		}
		if strings.Join(order, ",") != keys {
			t.Errorf("element %d has keys %v, want %s", i, order, keys)
		}
	}
	var unmapped map[string]any
	json.Unmarshal(got[1], &unmapped)
	for _, k := range []string{"source", "sourceResolved", "originalLine", "originalColumn", "name", "context"} {
		if unmapped[k] != nil {
			t.Errorf("unmapped position has %s = %v, want null", k, unmapped[k])
		}
	}
}

func TestResolveHumanTTY(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out, OutTTY: true}
	opts := &ResolveOptions{IO: ios, File: sampleBuild + "/main-7CDP6YMD.js", Positions: []string{"1:100", "1:1"}, Format: "human",
		Discover: discoverFlags{MaxFileSizeMiB: sourcemaps.DefaultMaxFileSize >> 20}}
	if err := resolveRun(opts); err != nil {
		t.Fatal(err)
	}
	assertGolden(t, "resolve-human-tty", out.Bytes())
}

// chromeTrace is shaped as Chrome prints an uncaught error from the sample build served at
// https://shop.example.com/assets/; the frames hit a named call, a chunk, a vendor file that is
// not in the build, and the engine's own code.
const chromeTrace = `Uncaught (in promise) Error: report crashed on purpose
    at a (https://shop.example.com/assets/chunks/chunk-P74HYM6I.js:1:173)
    at Module.s (https://shop.example.com/assets/chunks/report-SIXQS37S.js:1:190)
    at async l (https://shop.example.com/assets/main-7CDP6YMD.js:1:667)
    at async Promise.all (index 0)
    at Ge (https://shop.example.com/assets/vendor-3KQ2.js:1:4410)
`

// firefoxTrace is the same crash as Firefox prints it.
const firefoxTrace = `a@https://shop.example.com/assets/chunks/chunk-P74HYM6I.js:1:173
s@https://shop.example.com/assets/chunks/report-SIXQS37S.js:1:190
async*l@https://shop.example.com/assets/main-7CDP6YMD.js:1:667
Ge@https://shop.example.com/assets/vendor-3KQ2.js:1:4410
`

func TestResolveStacktraceGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tracePath := filepath.Join(dir, "trace.txt")
	if err := os.WriteFile(tracePath, []byte(firefoxTrace), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, stdin string
		args        []string
	}{
		{"resolve-stacktrace-chrome", chromeTrace, []string{"sourcemaps", "resolve", "--stacktrace", "-", sampleBuild}},
		{"resolve-stacktrace-firefox", "", []string{"sourcemaps", "resolve", "--stacktrace", tracePath, sampleBuild}},
		{"resolve-stacktrace-json", chromeTrace, []string{"sourcemaps", "resolve", "--stacktrace", "-", "--format", "json", sampleBuild}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, tt.stdin, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if want := "releasegate: resolved 3 of 4 frames; 1 left as printed, marked [unresolved: …]\n"; errOut != want {
				t.Errorf("stderr %q, want %q", errOut, want)
			}
			assertGolden(t, tt.name, []byte(out))
		})
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.js.map")
	os.WriteFile(broken, []byte(`{"version":3,"sources":["a.ts"],"names":[],"mappings":"AA!A"}`), 0o644)
	plain := filepath.Join(dir, "plain.js")
	os.WriteFile(plain, []byte("let a = 1;\n"), 0o644)
	prose := filepath.Join(dir, "prose.txt")
	os.WriteFile(prose, []byte("nothing to see here\n"), 0o644)
	main := sampleBuild + "/main-7CDP6YMD.js"
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no args", []string{}, exitUsage, "missing FILE (a generated file or its map)"},
		{"position only", []string{"1:2"}, exitUsage, "missing FILE"},
		{"file only", []string{main}, exitUsage, "missing LINE:COLUMN (1-based, e.g. 1:2345)"},
		{"one number", []string{main, "12"}, exitUsage, `bad position "12": want LINE:COLUMN, two 1-based numbers as in a stack trace, e.g. 1:2345`},
		{"three numbers", []string{main, "1:2:3"}, exitUsage, `bad position "1:2:3"`},
		{"signed", []string{main, "+1:2"}, exitUsage, `bad position "+1:2"`},
		{"zero-based", []string{main, "0:5"}, exitUsage, `bad position "0:5": lines and columns start at 1`},
		{"letters", []string{main, "a:b"}, exitUsage, `bad position "a:b"`},
		{"format", []string{"--format", "xml", main, "1:1"}, exitUsage, `unknown --format "xml": use human or json`},
		{"missing file", []string{filepath.Join(dir, "nope.js"), "1:1"}, exitUsage, "nope.js does not exist"},
		{"no map", []string{plain, "1:1"}, exitUsage, "has no sourceMappingURL comment and there is no plain.js.map beside it"},
		{"invalid map", []string{broken, "1:1"}, exitNo, "broken.js.map is not a valid source map"},
		{"trace without paths", []string{"--stacktrace", "-"}, exitUsage, "--stacktrace needs the build output the trace came from"},
		{"trace with positions", []string{"--stacktrace", "-", sampleBuild, "1:2"}, exitUsage, `positions come from the trace: give the build output instead of "1:2"`},
		{"trace missing", []string{"--stacktrace", filepath.Join(dir, "nope.txt"), sampleBuild}, exitUsage, "cannot read the stack trace"},
		{"trace of prose", []string{"--stacktrace", prose, sampleBuild}, exitUsage, "no stack frames found in " + prose},
		{"trace, no build", []string{"--stacktrace", "-", filepath.Join(dir, "nowhere")}, exitUsage, "does not exist"},
		{"trace, empty build", []string{"--stacktrace", "-", dir, "--ext", "ts"}, exitUsage, "no generated files (.ts) under"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runCLI(t, chromeTrace, append([]string{"sourcemaps", "resolve"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tt.code, tt.stderr)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
		})
	}
}
