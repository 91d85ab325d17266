package suggest

import (
	"errors"
	"strings"
	"testing"
)

func TestApplyAndDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		src     string
		ch      Change
		want    string
		inDiff  []string
		noInDif []string
	}{
		{
			name: "replace one line",
			src:  "a\nb\nc\nd\ne\nf\ng\nh\n",
			ch:   Change{Start: 4, End: 4, New: []string{"D"}},
			want: "a\nb\nc\nD\ne\nf\ng\nh\n",
			// three lines of context either side
			inDiff: []string{"@@ -1,7 +1,7 @@\n a\n b\n c\n-d\n+D\n e\n f\n g\n"},
		},
		{
			name:   "insert a guard before a line",
			src:    "func f() {\n\tx.y()\n}\n",
			ch:     Change{Start: 2, End: 1, New: []string{"\tif x == nil {", "\t\treturn", "\t}"}},
			want:   "func f() {\n\tif x == nil {\n\t\treturn\n\t}\n\tx.y()\n}\n",
			inDiff: []string{"+\tif x == nil {\n", " \tx.y()\n"},
		},
		{
			name:   "CRLF file keeps CRLF",
			src:    "a\r\nb\r\nc\r\n",
			ch:     Change{Start: 2, End: 2, New: []string{"B"}},
			want:   "a\r\nB\r\nc\r\n",
			inDiff: []string{"-b\r\n+B\r\n"},
		},
		{
			name:   "last line without a newline",
			src:    "a\nb",
			ch:     Change{Start: 2, End: 2, New: []string{"B"}},
			want:   "a\nB",
			inDiff: []string{"-b\n\\ No newline at end of file\n+B\n\\ No newline at end of file\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch := tt.ch
			got, err := apply([]byte(tt.src), &ch)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Fatalf("apply = %q, want %q", got, tt.want)
			}
			diff := unifiedDiff("f.txt", []byte(tt.src), &ch)
			for _, s := range tt.inDiff {
				if !strings.Contains(diff, s) {
					t.Errorf("diff lacks %q:\n%s", s, diff)
				}
			}
			if err := applies(diff, []byte(tt.src), got); err != nil {
				t.Errorf("the diff does not apply back: %v\n%s", err, diff)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	goSrc := []byte("package p\n\nfunc f(x *int) int {\n\treturn *x\n}\n")
	fine := func(string, []byte) error { return nil }
	tests := []struct {
		name    string
		path    string
		src     []byte
		ch      Change
		check   Checker
		wantErr string
	}{
		{"go change that parses", "p.go", goSrc, Change{Start: 4, End: 3, New: []string{"\tif x == nil {", "\t\treturn 0", "\t}"}}, CheckGo, ""},
		{"go change that breaks the file", "p.go", goSrc, Change{Start: 4, End: 3, New: []string{"\tif x == nil {"}}, CheckGo, "unparseable"},
		{"no checker", "p.py", []byte("x = 1\n"), Change{Start: 1, End: 1, New: []string{"x = 2"}}, nil, "no parser here"},
		{"checker missing its tool", "p.py", []byte("x = 1\n"), Change{Start: 1, End: 1, New: []string{"x = 2"}},
			func(string, []byte) error { return errors.Join(errors.New("python3 is not installed"), ErrNoChecker) }, "cannot check"},
		{"original does not parse", "p.go", []byte("package p\nfunc {\n"), Change{Start: 2, End: 2, New: []string{"func f() {}"}}, CheckGo, "does not parse here"},
		{"lines outside the file", "p.go", goSrc, Change{Start: 9, End: 9, New: []string{"x"}}, fine, "not lines of the file"},
		{"a replacement holding a line break", "p.go", goSrc, Change{Start: 4, End: 4, New: []string{"a\nb"}}, fine, "line break"},
		{"js parses with esbuild", "a.js", []byte("const t = cart.total;\n"), Change{Start: 1, End: 1, New: []string{"const t = cart?.total;"}}, CheckJS, ""},
		{"js broken", "a.js", []byte("const t = cart.total;\n"), Change{Start: 1, End: 1, New: []string{"const t = cart?.;"}}, CheckJS, "unparseable"},
		{"tsx parses", "a.tsx", []byte("export const A = (p: {x?: {y: number}}) => <b>{p.x.y}</b>;\n"),
			Change{Start: 1, End: 1, New: []string{"export const A = (p: {x?: {y: number}}) => <b>{p.x?.y}</b>;"}}, CheckJS, ""},
		{"java balanced", "A.java", []byte("class A {\n  void f() {\n    a.b();\n  }\n}\n"),
			Change{Start: 3, End: 2, New: []string{"    if (a == null) {", "      return;", "    }"}}, CheckBalanced(Java), ""},
		{"java unbalanced", "A.java", []byte("class A {\n  void f() {\n    a.b();\n  }\n}\n"),
			Change{Start: 3, End: 2, New: []string{"    if (a == null) {", "      return;"}}, CheckBalanced(Java), "unparseable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch := tt.ch
			patched, diff, err := Check(tt.path, tt.src, &ch, tt.check)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				if len(patched) == 0 || !strings.HasPrefix(diff, "diff --git a/"+tt.path) {
					t.Fatalf("Check gave patched %q diff %q", patched, diff)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Check error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestApplyDiff(t *testing.T) {
	t.Parallel()
	src := []byte("a\nb\nc\n")
	good := "--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
	got, name, err := ApplyDiff(good, src)
	if err != nil || string(got) != "a\nB\nc\n" || name != "f.txt" {
		t.Fatalf("ApplyDiff(good) = %q, %q, %v", got, name, err)
	}
	bad := map[string]string{
		"context differs": "--- a/f.txt\n+++ b/f.txt\n@@ -1,3 +1,3 @@\n x\n-b\n+B\n c\n",
		"not a diff":      "please add a null check",
		"two files":       good + "--- a/g.txt\n+++ b/g.txt\n@@ -1 +1 @@\n-a\n+b\n",
		"a new file":      "--- /dev/null\n+++ b/f.txt\n@@ -0,0 +1 @@\n+a\n",
	}
	for name, d := range bad {
		if _, _, err := ApplyDiff(d, src); err == nil {
			t.Errorf("%s: ApplyDiff accepted it", name)
		}
	}
}

func TestPrepareAbstains(t *testing.T) {
	t.Parallel()
	src := []byte("function f(cart) {\n  return cart.total;\n}\n")
	ctx := []ContextLine{{1, "function f(cart) {"}, {2, "  return cart.total;"}, {3, "}"}}
	tests := []struct {
		name string
		in   Input
		want string // "" = no abstention from prepare
	}{
		{"ready", Input{Frame: Frame{Path: "src/a.js", Line: 2, Context: ctx}, Source: src}, ""},
		{"no path", Input{Frame: Frame{Line: 2}, Source: src}, "not a file of the repository"},
		{"node_modules", Input{Frame: Frame{Path: "node_modules/lib/a.js", Line: 2}, Source: src}, "vendored (under node_modules/)"},
		{"vendor", Input{Frame: Frame{Path: "vendor/github.com/x/y/a.go", Line: 2}, Source: src}, "vendored"},
		{"min.js", Input{Frame: Frame{Path: "static/app.min.js", Line: 2}, Source: src}, "generated (.min.js)"},
		{"pb.go", Input{Frame: Frame{Path: "api/v1/api.pb.go", Line: 2}, Source: src}, "generated (.pb.go)"},
		{"unknown language", Input{Frame: Frame{Path: "lib/a.rb", Line: 2}, Source: src}, "no rules for rb files"},
		{"unreadable", Input{Frame: Frame{Path: "src/a.js", Line: 2}}, "could not be read"},
		{"generated marker", Input{Frame: Frame{Path: "src/a.go", Line: 2}, Source: []byte("// Code generated by protoc-gen-go. DO NOT EDIT.\npackage a\n")}, "generated (it says \"Code generated\")"},
		{"minified", Input{Frame: Frame{Path: "src/a.js", Line: 1}, Source: []byte("var a=" + strings.Repeat("1+", 600) + "1;\n")}, "minified"},
		{"line beyond the file", Input{Frame: Frame{Path: "src/a.js", Line: 40}, Source: src}, "not a line of src/a.js"},
		{"stale source", Input{Frame: Frame{Path: "src/a.js", Line: 2, Context: []ContextLine{{2, "  return cart.subtotal;"}}}, Source: src}, "differs from the source the event saw (line 2)"},
		{"trailing space ignored", Input{Frame: Frame{Path: "src/a.js", Line: 2, Context: []ContextLine{{2, "  return cart.total;   "}}}, Source: src}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Precheck(tt.in)
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Fatalf("Precheck = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		lang  Language
		lines []string
		want  []string
	}{
		{"js strings and comments", JavaScript, []string{`a["total"] + 'x.y' // cart.total`}, []string{`a["     "] + '   '              `}},
		{"js block comment across lines", JavaScript, []string{"a /* x.y", "still */ b.c"}, []string{"a       ", "         b.c"}},
		{"template literal: its ${} is code", TypeScript, []string{"const s = `x ${a.b}`; c.d"}, []string{"const s = `  ${a.b}`; c.d"}},
		{"escaped quote", JavaScript, []string{`"a\"b.c" + d.e`}, []string{`"      " + d.e`}},
		{"python comment and triple quotes", Python, []string{`x = d['k']  # d.k`, `s = """a.b`, `c.d""" + e.f`}, []string{`x = d[' ']       `, `s = """   `, `   """ + e.f`}},
		{"go raw string: no escapes", Go, []string{"s := `a\\` + x.y"}, []string{"s := `  ` + x.y"}},
		{"java char", Java, []string{`c == '"' && s.length()`}, []string{`c == ' ' && s.length()`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Mask(tt.lang, tt.lines)
			for i := range tt.want {
				if got[i] != tt.want[i] {
					t.Errorf("line %d:\n got %q\nwant %q", i+1, got[i], tt.want[i])
				}
				if len(got[i]) != len(tt.lines[i]) {
					t.Errorf("line %d: masking changed the length", i+1)
				}
			}
		})
	}
}

func TestSuggestWithoutARule(t *testing.T) {
	t.Parallel()
	in := Input{Exception: Exception{Type: "Error", Value: "order 91442 has no shipping address"},
		Frame: Frame{Path: "src/orders/ship.ts", Line: 1}, Source: []byte("throw new Error(`order ${id} has no shipping address`);\n")}
	got := Suggest(in, Options{})
	if got.Suggested || !strings.Contains(got.AbstainReason, "no rule knows Error: order 91442") || got.Suggester != ByRules {
		t.Fatalf("Suggest = %+v", got)
	}
}
