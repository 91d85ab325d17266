package sourcemaps

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testbundles"
	"github.com/releasegate/releasegate/internal/testenv"
)

// The traces below are written in the exact shapes the engines print (V8: Chrome, Edge, Node;
// SpiderMonkey: Firefox; JavaScriptCore: Safari).

func TestParseFrame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want *Frame // nil: not a frame; spans are not compared
	}{
		// V8.
		{"    at formatMoney (https://shop.example.com/assets/main.4f2a.js:1:2345)",
			&Frame{Format: FormatV8, Function: "formatMoney", URL: "https://shop.example.com/assets/main.4f2a.js", Line: 1, Column: 2345}},
		{"    at https://shop.example.com/assets/main.4f2a.js:1:99",
			&Frame{Format: FormatV8, URL: "https://shop.example.com/assets/main.4f2a.js", Line: 1, Column: 99}},
		{"    at async loadPage (https://shop.example.com/assets/main.4f2a.js:3:17)",
			&Frame{Format: FormatV8, Function: "loadPage", Async: true, URL: "https://shop.example.com/assets/main.4f2a.js", Line: 3, Column: 17}},
		{"    at async file:///srv/app/dist/main.mjs:4:11",
			&Frame{Format: FormatV8, Async: true, URL: "file:///srv/app/dist/main.mjs", Line: 4, Column: 11}},
		{"    at async Promise.all (index 0)",
			&Frame{Format: FormatV8, Function: "Promise.all", Async: true}},
		{"    at new Store (https://shop.example.com/assets/main.4f2a.js:1:50)",
			&Frame{Format: FormatV8, Function: "Store", Constructor: true, URL: "https://shop.example.com/assets/main.4f2a.js", Line: 1, Column: 50}},
		{"    at new Promise (<anonymous>)",
			&Frame{Format: FormatV8, Function: "Promise", Constructor: true}},
		{"    at Array.forEach (native)",
			&Frame{Format: FormatV8, Function: "Array.forEach"}},
		{"    at Object.<anonymous> (/home/ci/app/dist/server.js:12:7)",
			&Frame{Format: FormatV8, Function: "Object.<anonymous>", URL: "/home/ci/app/dist/server.js", Line: 12, Column: 7}},
		{"    at HTMLButtonElement.onclick (https://shop.example.com/app.js:1:10)",
			&Frame{Format: FormatV8, Function: "HTMLButtonElement.onclick", URL: "https://shop.example.com/app.js", Line: 1, Column: 10}},
		{"    at Ae.render [as renderPage] (https://shop.example.com/app.js:1:10)",
			&Frame{Format: FormatV8, Function: "Ae.render [as renderPage]", URL: "https://shop.example.com/app.js", Line: 1, Column: 10}},
		{"    at eval (eval at compile (https://shop.example.com/app.js:1:500), <anonymous>:3:11)",
			&Frame{Format: FormatV8, Function: "eval", Eval: true, URL: "https://shop.example.com/app.js", Line: 1, Column: 500}},
		{"    at eval (eval at run (eval at load (https://shop.example.com/app.js:2:40), <anonymous>:1:5), <anonymous>:1:1)",
			&Frame{Format: FormatV8, Function: "eval", Eval: true, URL: "https://shop.example.com/app.js", Line: 2, Column: 40}},
		{"    at Module._compile (node:internal/modules/cjs/loader:1256:14)",
			&Frame{Format: FormatV8, Function: "Module._compile", URL: "node:internal/modules/cjs/loader", Line: 1256, Column: 14}},
		{`    at C:\build\dist\app.js:1:20`,
			&Frame{Format: FormatV8, URL: `C:\build\dist\app.js`, Line: 1, Column: 20}},
		{`    at Object.handler (C:\Program Files (x86)\app\dist\app.js:1:20)`,
			&Frame{Format: FormatV8, Function: "Object.handler", URL: `C:\Program Files (x86)\app\dist\app.js`, Line: 1, Column: 20}},
		{"    at <anonymous>:1:1",
			&Frame{Format: FormatV8, URL: "<anonymous>", Line: 1, Column: 1}},
		{"    at async l (file:///tmp/app/dist/main-OG6ZR7BJ.js:1:635) {",
			&Frame{Format: FormatV8, Function: "l", Async: true, URL: "file:///tmp/app/dist/main-OG6ZR7BJ.js", Line: 1, Column: 635}},
		{"    at https://localhost:8080/app.js:10:5",
			&Frame{Format: FormatV8, URL: "https://localhost:8080/app.js", Line: 10, Column: 5}},
		{"at render (https://shop.example.com/app.js:1:10)", // pasted without the indentation
			&Frame{Format: FormatV8, Function: "render", URL: "https://shop.example.com/app.js", Line: 1, Column: 10}},

		// Firefox.
		{"formatMoney@https://shop.example.com/assets/main.4f2a.js:1:2345",
			&Frame{Format: FormatAt, Function: "formatMoney", URL: "https://shop.example.com/assets/main.4f2a.js", Line: 1, Column: 2345}},
		{"@https://shop.example.com/assets/main.4f2a.js:1:99",
			&Frame{Format: FormatAt, URL: "https://shop.example.com/assets/main.4f2a.js", Line: 1, Column: 99}},
		{"Store/<@https://shop.example.com/app.js:1:10",
			&Frame{Format: FormatAt, Function: "Store/<", URL: "https://shop.example.com/app.js", Line: 1, Column: 10}},
		{"async*loadPage@https://shop.example.com/app.js:3:17",
			&Frame{Format: FormatAt, Function: "loadPage", Async: true, URL: "https://shop.example.com/app.js", Line: 3, Column: 17}},
		{"handler@https://shop.example.com/app.js line 2 > eval:1:5",
			&Frame{Format: FormatAt, Function: "handler", Eval: true, URL: "https://shop.example.com/app.js", Line: 2}},
		{"render@https://cdn.jsdelivr.net/npm/demo@1.2.3/dist/app.js:1:10",
			&Frame{Format: FormatAt, Function: "render", URL: "https://cdn.jsdelivr.net/npm/demo@1.2.3/dist/app.js", Line: 1, Column: 10}},

		// Safari.
		{"global code@https://shop.example.com/app.js:1:5",
			&Frame{Format: FormatAt, Function: "global code", URL: "https://shop.example.com/app.js", Line: 1, Column: 5}},
		{"module code@https://shop.example.com/main.js:1:1",
			&Frame{Format: FormatAt, Function: "module code", URL: "https://shop.example.com/main.js", Line: 1, Column: 1}},
		{"forEach@[native code]", &Frame{Format: FormatAt, Function: "forEach"}},

		// Not frames.
		{"TypeError: Cannot read properties of undefined (reading 'total')", nil},
		{"Error: report crashed on purpose", nil},
		{"    at least one retry failed", nil},
		{"    at the start (see the docs)", nil},
		{"contact support@example.com", nil},
		{"mail support@example.com:12:3", nil},
		{"https://cdn.example.com/x@1.2.3/y.js:1:2", nil},
		{"file:///tmp/app/dist/chunk-J5V2D5SY.js:1", nil},
		{"  [cause]: { timings: [ 1200, 65000 ] }", nil},
		{"Node.js v20.20.2", nil},
		{"", nil},
		{"@", nil},
		{"    at ", nil},
		{"    at fn (:1:2)", nil},
	}
	for _, tt := range tests {
		got := ParseFrame(tt.line)
		if (got == nil) != (tt.want == nil) {
			t.Errorf("ParseFrame(%q) = %+v, want %+v", tt.line, got, tt.want)
			continue
		}
		if got == nil {
			continue
		}
		g := *got
		g.fnStart, g.fnEnd, g.locStart, g.locEnd = 0, 0, 0, 0
		if g != *tt.want {
			t.Errorf("ParseFrame(%q)\n got %+v\nwant %+v", tt.line, g, *tt.want)
		}
		checkSpans(t, tt.line, got)
	}
}

// checkSpans checks that a frame's spans cover exactly its function name and location.
func checkSpans(t *testing.T, line string, f *Frame) {
	t.Helper()
	if f.fnStart < 0 || f.fnEnd < f.fnStart || f.fnEnd > len(line) || line[f.fnStart:f.fnEnd] != f.Function {
		t.Errorf("%q: function span [%d:%d] does not hold %q", line, f.fnStart, f.fnEnd, f.Function)
	}
	if f.locStart < 0 {
		if f.locEnd != -1 {
			t.Errorf("%q: half-empty location span [%d:%d]", line, f.locStart, f.locEnd)
		}
		return
	}
	if f.locStart < f.fnEnd || f.locEnd < f.locStart || f.locEnd > len(line) {
		t.Errorf("%q: location span [%d:%d] out of place (function ends at %d)", line, f.locStart, f.locEnd, f.fnEnd)
		return
	}
	url, l, c, ok := splitPosition(line[f.locStart:f.locEnd])
	if !ok || url != f.URL || l != f.Line || c != f.Column {
		t.Errorf("%q: location span holds %q, not %s:%d:%d", line, line[f.locStart:f.locEnd], f.URL, f.Line, f.Column)
	}
}

func TestParseStackTraceKeepsEveryByte(t *testing.T) {
	t.Parallel()
	in := "Error: boom\r\n    at a (https://x.example/app.js:1:2)\r\n\n@https://x.example/app.js:1:9"
	lines := ParseStackTrace(in)
	var b strings.Builder
	frames := 0
	for _, l := range lines {
		b.WriteString(l.Text + l.EOL)
		if l.Frame != nil {
			frames++
		}
	}
	if b.String() != in {
		t.Errorf("lines join to %q, want %q", b.String(), in)
	}
	if len(lines) != 4 || frames != 2 || lines[1].EOL != "\r\n" || lines[3].EOL != "" {
		t.Errorf("got %d lines, %d frames: %+v", len(lines), frames, lines)
	}
}

func TestGeneratedFilesMatch(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, p := range []string{
		"dist/assets/main.4f2a.js", "dist/assets/vendor.js", "dist/admin/assets/vendor.js",
		"dist/legacy/main.4f2a.js", "dist/worker.mjs", "dist/notes.txt", "dist/node_modules/dep/index.js",
	} {
		writeTraceTestFile(t, filepath.Join(dir, p), "x")
	}
	files, findings := FindGeneratedFiles([]string{filepath.Join(dir, "dist")}, DiscoverOptions{})
	if len(findings) != 0 || files.Len() != 5 {
		t.Fatalf("found %d files, findings %v; want 5 generated files", files.Len(), findings)
	}
	tests := []struct{ url, want, err string }{
		{"https://shop.example.com/assets/main.4f2a.js", "dist/assets/main.4f2a.js", ""},
		{"https://shop.example.com/legacy/main.4f2a.js?v=3#x", "dist/legacy/main.4f2a.js", ""},
		{"https://shop.example.com/admin/assets/vendor.js", "dist/admin/assets/vendor.js", ""},
		{"https://shop.example.com/static/worker.mjs", "dist/worker.mjs", ""},
		{"file://" + filepath.ToSlash(filepath.Join(dir, "dist/assets/vendor.js")), "dist/assets/vendor.js", ""},
		{filepath.Join(dir, "dist", "assets", "vendor.js"), "dist/assets/vendor.js", ""},
		{"https://shop.example.com/main.4f2a.js", "", "matches 2 files equally well"},
		{"https://shop.example.com/vendor.js", "", "matches 2 files equally well"},
		{"https://shop.example.com/chunk.js", "", "no file named chunk.js"},
		{"https://shop.example.com/", "", "names no file"},
		{"https://shop.example.com/index.js", "", "no file named index.js"}, // node_modules are not searched
	}
	for _, tt := range tests {
		got, err := files.Match(tt.url)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Match(%q) = %q, %v; want an error containing %q", tt.url, got, err, tt.err)
			}
			continue
		}
		if err != nil || filepath.ToSlash(got) != filepath.ToSlash(filepath.Join(dir, tt.want)) {
			t.Errorf("Match(%q) = %q, %v; want %s", tt.url, got, err, tt.want)
		}
	}
}

func writeTraceTestFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestResolveTraceRewrites checks the rewriting rules on a small build: each format keeps its
// shape, names come from the caller's call site, unmatched frames are marked, other lines kept.
func TestResolveTraceRewrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// Generated line 1: "function a(){b()}function b(){throw new Error};a()" with a map naming
	// the original functions: a@9 → start, the call b() @13 → crash, b@26 → crash, the throw
	// @30, the call a() @47 → start.
	writeTraceTestFile(t, filepath.Join(dir, "dist/app.js"), "function a(){b()}function b(){throw new Error};a()\n//# sourceMappingURL=app.js.map\n")
	writeTraceTestFile(t, filepath.Join(dir, "dist/app.js.map"), `{"version":3,"sources":["../src/app.ts"],"names":["start","crash"],`+
		`"sourcesContent":["function start() {\n  crash();\n}\nfunction crash() {\n  throw new Error();\n}\nstart();\n"],`+
		`"mappings":"AAAA,SAASA,IACPC,IAEF,SAASA,IACP,iBAEFD"}`)
	files, _ := FindGeneratedFiles([]string{filepath.Join(dir, "dist")}, DiscoverOptions{})
	r := &TraceResolver{Files: files}
	in := strings.Join([]string{
		"Error: boom",
		"    at b (https://shop.example.com/app.js:1:31)",
		"    at a (https://shop.example.com/app.js:1:14)",
		"    at https://shop.example.com/app.js:1:48",
		"    at Object.load (https://shop.example.com/vendor.js:1:42)",
		"    at Module._compile (node:internal/modules/cjs/loader:1256:14)",
		"b@https://shop.example.com/app.js:1:31",
		"a@https://shop.example.com/app.js:1:14",
		"global code@https://shop.example.com/app.js:1:48",
		"forEach@[native code]",
		"    at b (https://shop.example.com/app.js:5:1)",
	}, "\n")
	out := r.ResolveTrace(ParseStackTrace(in))
	var got []string
	for _, l := range out {
		got = append(got, l.Text)
	}
	src := filepath.ToSlash(filepath.Join(dir, "src/app.ts"))
	want := []string{
		"Error: boom",
		"    at crash (" + src + ":5:3)",
		"    at start (" + src + ":2:3)",
		"    at " + src + ":7:1",
		"    at Object.load (https://shop.example.com/vendor.js:1:42)  [unresolved: no file named vendor.js under the given paths]",
		"    at Module._compile (node:internal/modules/cjs/loader:1256:14)",
		"crash@" + src + ":5:3",
		"start@" + src + ":2:3",
		"global code@" + src + ":7:1",
		"forEach@[native code]",
		"    at b (https://shop.example.com/app.js:5:1)  [unresolved: " + filepath.Join(dir, "dist/app.js") + ":5:1 maps to nothing in " + filepath.Join(dir, "dist/app.js.map") + "]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rewritten trace:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if errs := r.LoadErrors(); len(errs) != 0 {
		t.Errorf("load errors: %v", errs)
	}
}

// TestResolveTraceOfRealCrash runs the demo app's esbuild and rollup bundles with node so they
// crash on purpose, and resolves the real V8 stack trace node prints; the same positions are
// then written as Firefox and Safari print them. Every frame must land on the original code:
// the throw in lib/errors.js, the call in pages/report.js, the await in main.js.
func TestResolveTraceOfRealCrash(t *testing.T) {
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
			cmd := exec.Command(node, mains[0])
			cmd.Env = append(os.Environ(), "APP_CRASH=1")
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("node %s with APP_CRASH=1: want a crash, got %v\n%s", mains[0], err, out)
			}
			files, findings := FindGeneratedFiles([]string{dist}, DiscoverOptions{})
			if len(findings) > 0 {
				t.Fatalf("findings: %v", findings)
			}
			r := &TraceResolver{Files: files}
			v8 := r.ResolveTrace(ParseStackTrace(string(out)))
			src := filepath.ToSlash(filepath.Join(filepath.Dir(dist), "src"))
			want := []string{
				"    at fail (" + src + "/lib/errors.js:12:9)",
				"(" + src + "/pages/report.js:8:5)",
				"    at async ", "(" + src + "/main.js:17:20)",
			}
			var frames []string
			var at []string   // the same positions as Firefox and Safari print them
			var locs []string // where V8's frames resolved to
			for _, l := range v8 {
				if l.Frame == nil {
					continue
				}
				if !l.Frame.Resolved() {
					t.Errorf("frame not resolved: %q (%v)", l.TraceLine.Text, l.Frame.Err)
				}
				frames = append(frames, l.Text)
				res := l.Frame.Resolution
				locs = append(locs, LocalSourcePath(l.Frame.MapPath, res.SourceResolved)+":"+strconv.Itoa(res.OriginalLine)+":"+strconv.Itoa(res.OriginalColumn))
				f := l.Frame.Frame
				at = append(at, f.Function+"@"+f.URL+":"+strconv.Itoa(f.Line)+":"+strconv.Itoa(f.Column))
			}
			rewritten := strings.Join(frames, "\n")
			for _, w := range want {
				if !strings.Contains(rewritten, w) {
					t.Errorf("rewritten trace lacks %q:\n%s\n(node printed:\n%s)", w, rewritten, out)
				}
			}
			if len(frames) != 3 {
				t.Errorf("want 3 frames, got %d:\n%s", len(frames), rewritten)
			}
			atOut := r.ResolveTrace(ParseStackTrace(strings.Join(at, "\n")))
			for i, l := range atOut {
				if l.Frame == nil || !l.Frame.Resolved() {
					t.Errorf("%q did not resolve", at[i])
					continue
				}
				if !strings.HasSuffix(l.Text, "@"+locs[i]) {
					t.Errorf("%q became %q; want the location %s as in the V8 trace", at[i], l.Text, locs[i])
				}
			}
		})
	}
}

func FuzzParseStackTrace(f *testing.F) {
	for _, s := range []string{
		"Error: boom\n    at a (https://x.example/app.js:1:2)\n    at async b (file:///x.mjs:3:4) {",
		"    at eval (eval at run (eval at load (https://x.example/app.js:2:40), <anonymous>:1:5), <anonymous>:1:1)",
		"f@https://x.example/app.js line 2 > eval:1:5\r\nglobal code@https://x.example/a.js:1:1\n@[native code]",
		"    at new X (C:\\Program Files (x86)\\a.js:1:2)\n    at X.y [as z] (a.js:1:2)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		lines := ParseStackTrace(text)
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(l.Text + l.EOL)
			if l.Frame == nil {
				continue
			}
			checkSpans(t, l.Text, l.Frame)
			// Rewriting a resolved frame must stay inside the line.
			rf := &ResolvedFrame{Frame: l.Frame, Function: "orig", Resolution: Resolution{Mapped: true, SourceResolved: "src/a.ts", OriginalLine: 1, OriginalColumn: 1}}
			if l.Frame.locStart >= 0 {
				if got := rewriteFrame(l.Text, rf); !strings.Contains(got, "src/a.ts:1:1") {
					t.Errorf("rewriting %q gave %q", l.Text, got)
				}
			}
		}
		if b.String() != text {
			t.Errorf("lines do not join back to the input")
		}
	})
}
