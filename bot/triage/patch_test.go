package triage

import (
	"strings"
	"testing"
)

// patch adds two lines after line 2 and changes line 10 of the old file.
const patch = "@@ -1,4 +1,6 @@\n a\n b\n+new1\n+new2\n c\n d\n@@ -8,5 +10,5 @@ func f() {\n h\n i\n-old10\n+new12\n k\n l\n"

func TestParsePatch(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		patch   string
		hunks   int
		wantErr string
	}{
		"two hunks":                 {patch: patch, hunks: 2},
		"empty: GitHub left it out": {patch: ""},
		"no newline marker":         {patch: "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n", hunks: 1},
		"new file":                  {patch: "@@ -0,0 +1,2 @@\n+a\n+b", hunks: 1},
		"crlf":                      {patch: "@@ -1 +1 @@\r\n-a\r\n+b\r\n", hunks: 1},
		"text before a header":      {patch: "diff --git a b\n@@ -1 +1 @@\n-a\n+b\n", wantErr: "before the first hunk header"},
		"bad header":                {patch: "@@ -x +1 @@\n", wantErr: "bad line number"},
		"not a hunk header":         {patch: "@@ nonsense\n", wantErr: "is not a hunk header"},
		"hunk shorter than it says": {patch: "@@ -1,3 +1,3 @@\n a\n", wantErr: "ends inside the hunk"},
		"hunk longer than it says":  {patch: "@@ -1 +1 @@\n a\n b\n", wantErr: "more lines than"},
		"unknown line kind":         {patch: "@@ -1 +1 @@\n*a\n", wantErr: "not a context, added or removed line"},
		"next header too early":     {patch: "@@ -1,2 +1,2 @@\n a\n@@ -5 +5 @@\n a\n", wantErr: "ends early"},
		"huge numbers are refused":  {patch: "@@ -1,999999999999 +1 @@\n", wantErr: "bad line count"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			hunks, err := ParsePatch(tt.patch)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one saying %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(hunks) != tt.hunks {
				t.Fatalf("%d hunks, %v; want %d", len(hunks), err, tt.hunks)
			}
		})
	}
}

func TestTrace(t *testing.T) {
	t.Parallel()
	hunks, err := ParsePatch(patch)
	if err != nil {
		t.Fatal(err)
	}
	deletion, _ := ParsePatch("@@ -5,3 +4,0 @@\n-x\n-y\n-z\n")
	insertion, _ := ParsePatch("@@ -4,0 +5,2 @@\n+x\n+y\n")
	tests := map[string]struct {
		hunks  []Hunk
		line   int
		old    int
		change lineChange
	}{
		"before every hunk":       {hunks: hunks, line: 1, old: 1, change: context},
		"an added line":           {hunks: hunks, line: 3, old: 0, change: added},
		"context after additions": {hunks: hunks, line: 5, old: 3, change: context},
		"between hunks, shifted":  {hunks: hunks, line: 8, old: 6, change: untouched},
		"changed line":            {hunks: hunks, line: 12, old: 0, change: added},
		"context after a change":  {hunks: hunks, line: 13, old: 11, change: context},
		"after every hunk":        {hunks: hunks, line: 40, old: 38, change: untouched},
		"before a pure deletion":  {hunks: deletion, line: 4, old: 4, change: untouched},
		"after a pure deletion":   {hunks: deletion, line: 5, old: 8, change: untouched},
		"inserted after a line":   {hunks: insertion, line: 5, old: 0, change: added},
		"after a pure insertion":  {hunks: insertion, line: 7, old: 5, change: untouched},
		"before a pure insertion": {hunks: insertion, line: 4, old: 4, change: untouched},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			old, change := trace(tt.hunks, tt.line)
			if old != tt.old || change != tt.change {
				t.Errorf("trace(%d) = %d, %d; want %d, %d", tt.line, old, change, tt.old, tt.change)
			}
		})
	}
}

// FuzzParsePatch: any text is a patch or an error, never a panic; a parsed patch's runs add
// up to its headers, and every line maps to a line of the old file or to an added one.
func FuzzParsePatch(f *testing.F) {
	f.Add(patch, 12)
	f.Add("@@ -0,0 +1 @@\n+x", 1)
	f.Add("@@ -5,3 +4,0 @@\n-x\n-y\n-z\n", 5)
	f.Add("@@ -1 +1 @@\n a\n", -3)
	f.Fuzz(func(t *testing.T, p string, line int) {
		hunks, err := ParsePatch(p)
		if err != nil {
			return
		}
		for _, h := range hunks {
			var oldN, newN int
			for _, r := range h.Runs {
				if r.N <= 0 {
					t.Fatalf("empty run in %+v", h)
				}
				if r.Kind != '+' {
					oldN += r.N
				}
				if r.Kind != '-' {
					newN += r.N
				}
			}
			if oldN != h.OldLines || newN != h.NewLines {
				t.Fatalf("runs give %d old, %d new lines; header %+v", oldN, newN, h)
			}
		}
		old, change := trace(hunks, line)
		if change == added && old != 0 {
			t.Fatalf("added line %d maps to old %d", line, old)
		}
	})
}
