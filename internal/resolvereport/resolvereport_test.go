package resolvereport

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/sourcemaps"
)

func TestContextWindow(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 150) + "X" + strings.Repeat("b", 150)
	tests := []struct {
		name        string
		line        string
		col         int
		text, caret string
	}{
		{"first column", "const a = 1;", 1, "const a = 1;", ""},
		{"mid-line", "const a = 1;", 7, "const a = 1;", "      "},
		{"tabs kept", "\t\tx();", 3, "\t\tx();", "\t\t"},
		{"an astral character is two UTF-16 columns", "😀x", 3, "😀x", "  "},
		{"a wide character takes two cells", "漢x", 2, "漢x", "  "},
		{"a combining mark takes none", "e\u0301x", 3, "e\u0301x", " "},
		{"past the end", "ab", 10, "ab", "  "},
		{"a long line is cut around the column", long, 151, "…" + strings.Repeat("a", 50) + "X" + strings.Repeat("b", 49) + "…", " " + strings.Repeat(" ", 50)},
		{"invalid UTF-8 is replaced", "a\xffb", 3, "a\uFFFDb", "  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			text, caret := ContextWindow(tt.line, tt.col)
			if text != tt.text || caret != tt.caret {
				t.Errorf("ContextWindow(%q, %d) = %q, %q; want %q, %q", tt.line, tt.col, text, caret, tt.text, tt.caret)
			}
		})
	}
}

var mapped = sourcemaps.Resolution{Line: 1, Column: 7, Mapped: true, SourceIndex: 0, Source: "../src/a.ts", SourceResolved: "../src/a.ts",
	OriginalLine: 1, OriginalColumn: 7, Name: "a", HasName: true, Context: "const a = 1;", HasContext: true}

func TestWriteResolutions(t *testing.T) {
	t.Parallel()
	tag := func(name string) func(string) string {
		return func(s string) string { return "<" + name + ">" + s + "</>" }
	}
	tests := []struct {
		name    string
		style   Style
		mapPath string
		rs      []sourcemaps.Resolution
		want    string
	}{
		{"plain, map beside the file", Style{}, "dist/a.js.map", []sourcemaps.Resolution{mapped, {Line: 2, Column: 1}},
			"dist/a.js (map: dist/a.js.map)\n\ndist/a.js:1:7 → src/a.ts:1:7 a\n  1 | const a = 1;\n    |       ^\n\ndist/a.js:2:1 → unmapped\n  no mapping with a source at or before column 1 of line 2\n"},
		{"styled, inline map", Style{Bold: tag("b"), Dim: tag("d"), Warn: tag("w"), Caret: tag("c")}, "dist/a.js", []sourcemaps.Resolution{mapped, {Line: 2, Column: 1}},
			"dist/a.js:1:7 → <b>src/a.ts:1:7 a</>\n  <d>1</> <d>|</> const a = 1;\n    <d>|</>       <c>^</>\n\ndist/a.js:2:1 → <w>unmapped</>\n  <d>no mapping with a source at or before column 1 of line 2</>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := WriteResolutions(&b, tt.style, "dist/a.js", tt.mapPath, tt.rs); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", b.String(), tt.want)
			}
		})
	}
}

type failingWriter struct{}

var errFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errFull }

// TestRenderersReturnWriteErrors: a failing writer is reported, not dropped.
func TestRenderersReturnWriteErrors(t *testing.T) {
	t.Parallel()
	if err := WriteResolutions(failingWriter{}, Style{}, "a.js", "a.js.map", []sourcemaps.Resolution{mapped}); !errors.Is(err, errFull) {
		t.Errorf("WriteResolutions = %v, want the writer's error", err)
	}
	lines := []sourcemaps.ResolvedLine{{TraceLine: sourcemaps.TraceLine{Text: "Error", EOL: "\n"}, Text: "Error"}}
	if err := WriteTrace(failingWriter{}, lines); !errors.Is(err, errFull) {
		t.Errorf("WriteTrace = %v, want the writer's error", err)
	}
}

// TestTraceFramesWithoutFrames: a trace without frames is an empty list, which encodes as [].
func TestTraceFramesWithoutFrames(t *testing.T) {
	t.Parallel()
	if got := TraceFrames(nil); got == nil || len(got) != 0 {
		t.Errorf("TraceFrames(nil) = %#v, want an empty, non-nil list", got)
	}
}
