package triage

import (
	"slices"
	"testing"
)

func TestLocate(t *testing.T) {
	t.Parallel()
	files := NewFiles([]string{"web/src/checkout/cart.js", "mobile/src/checkout/cart.js", "web/src/index.js",
		"services/api/app/__init__.py", "services/api/app/models.py", "lib/Main.java", "main.go", "/leading/slash.ts"})
	tests := map[string]struct {
		fr        Frame
		root      string
		want      string
		ambiguous []string
	}{
		"app scheme under the project's folder": {fr: Frame{AbsPath: "app:///src/checkout/cart.js"}, root: "web", want: "web/src/checkout/cart.js"},
		"a path two services share is no answer": {fr: Frame{AbsPath: "app:///src/checkout/cart.js"},
			ambiguous: []string{"web/src/checkout/cart.js", "mobile/src/checkout/cart.js"}},
		"webpack namespace":         {fr: Frame{AbsPath: "webpack://web/./src/index.js"}, want: "web/src/index.js"},
		"webpack without namespace": {fr: Frame{AbsPath: "webpack:///./src/index.js?abc#x"}, want: "web/src/index.js"},
		"relative with dot":         {fr: Frame{Filename: "./src/index.js"}, want: "web/src/index.js"},
		"tilde":                     {fr: Frame{Filename: "~/src/index.js"}, want: "web/src/index.js"},
		"https host is dropped":     {fr: Frame{AbsPath: "https://cdn.example.com/src/index.js"}, want: "web/src/index.js"},
		"windows separators":        {fr: Frame{AbsPath: `C:\build\web\src\index.js`}, want: "web/src/index.js"},
		"python module":             {fr: Frame{Module: "app.models", Filename: "models.py", Platform: "python"}, want: "services/api/app/models.py"},
		"python package module":     {fr: Frame{Module: "app", Platform: "python"}, want: "services/api/app/__init__.py"},
		"java class":                {fr: Frame{Module: "lib.Main$Inner", Filename: "Main.java"}, want: "lib/Main.java"},
		"go package beside base":    {fr: Frame{Module: "example.com/x", Filename: "main.go", Platform: "go"}, want: "main.go"},
		"a folder must agree":       {fr: Frame{AbsPath: "/srv/other/index.js"}},
		"leading slash in the list": {fr: Frame{Filename: "leading/slash.ts"}, want: "leading/slash.ts"},
		"anonymous":                 {fr: Frame{Filename: "<anonymous>"}},
		"nothing":                   {fr: Frame{}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			loc, found := files.Locate(tt.fr, tt.root)
			if loc.Path != tt.want || found != (tt.want != "") {
				t.Errorf("Locate = %q, %v; want %q", loc.Path, found, tt.want)
			}
			if !slices.Equal(loc.Ambiguous, tt.ambiguous) {
				t.Errorf("ambiguous %q, want %q", loc.Ambiguous, tt.ambiguous)
			}
		})
	}
}

func TestTopFrame(t *testing.T) {
	t.Parallel()
	files := NewFiles([]string{"src/a.js", "src/b.js", "x/dup.js", "y/dup.js"})
	js := func(name string, line int, inApp bool) Frame {
		return Frame{AbsPath: "app:///" + name, LineNo: line, InApp: inApp}
	}
	tests := map[string]struct {
		excs    [][]Frame
		want    string
		line    int
		skipped int
	}{
		"newest in-app frame":                    {excs: [][]Frame{{js("src/a.js", 1, true), js("src/b.js", 2, true), js("vendor.js", 3, false)}}, want: "src/b.js", line: 2},
		"in-app frames outside are skipped":      {excs: [][]Frame{{js("src/a.js", 1, true), js("gen/bundle.js", 9, true)}}, want: "src/a.js", line: 1, skipped: 1},
		"outermost exception first":              {excs: [][]Frame{{js("src/a.js", 1, true)}, {js("src/b.js", 5, true)}}, want: "src/b.js", line: 5},
		"an ambiguous frame ends the search":     {excs: [][]Frame{{js("src/a.js", 1, true), js("dup.js", 4, true)}}},
		"no in-app frame":                        {excs: [][]Frame{{js("src/a.js", 1, false)}}},
		"no exception":                           {},
		"cause searched when the outer has none": {excs: [][]Frame{{js("src/a.js", 7, true)}, {js("lib.js", 1, false)}}, want: "src/a.js", line: 7},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			loc, skipped, found := files.TopFrame(tt.excs, "")
			if loc.Path != tt.want || loc.Line != tt.line || skipped != tt.skipped || found != (tt.want != "") {
				t.Errorf("TopFrame = %q:%d skipped %d found %v; want %q:%d skipped %d", loc.Path, loc.Line, skipped, found, tt.want, tt.line, tt.skipped)
			}
		})
	}
}
