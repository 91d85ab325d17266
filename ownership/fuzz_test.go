package ownership

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse checks that Parse never panics and that every rule it returns re-parses, from
// its own line alone, to the same rule.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"*.js   #frontend m@ROBENOLT.com",
		"  url:http://google.com/* #backend\n# c\n\n",
		`tags.foo:"bar baz"  tagperson@sentry.io`,
		`module:"foo \"bar\"" meow@sentry.io`,
		"codeowners:frontend/*.ts  githubmod@sentry.io\r\nvendor/**",
		"path:[a-z]*.go #be\nPath:x #t\ntags.:x\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		rules, err := Parse(src, "f")
		if err != nil {
			if pe := (*ParseError)(nil); !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("error %v is not a non-empty *ParseError", err)
			}
			return
		}
		for _, r := range rules {
			if r.Pattern == "" || r.Line < 1 || r.m == nil {
				t.Fatalf("bad rule %+v", r)
			}
			again, err := Parse([]byte(r.Text), "f")
			if err != nil || len(again) != 1 {
				t.Fatalf("line %q alone: %v, %d rules", r.Text, err, len(again))
			}
			a := again[0]
			a.Line, a.m, r.m = r.Line, nil, nil
			if !reflect.DeepEqual(a, r) {
				t.Fatalf("line %q re-parsed to %+v, want %+v", r.Text, a, r)
			}
			Owners([]Rule{r}, Event{URL: r.Pattern, Frames: []Frame{{Filename: r.Pattern, Module: r.Pattern}}}, Options{FramePriority: true})
		}
	})
}

// globRegexp is a slow, obviously correct model of glob matching for FuzzGlob to compare with.
func globRegexp(g *glob) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`^(?s:`)
	for _, t := range g.toks {
		switch t.kind {
		case gLit:
			b.WriteString(regexp.QuoteMeta(t.lit))
		case gOne:
			b.WriteString(`.`)
		case gStar:
			b.WriteString(`.*`)
		case gClass:
			b.WriteString(`[`)
			if t.negate {
				b.WriteString(`^`)
			}
			for i := 0; i < len(t.ranges); i += 2 {
				b.WriteString(regexp.QuoteMeta(string(t.ranges[i])) + "-" + regexp.QuoteMeta(string(t.ranges[i+1])))
			}
			b.WriteString(`]`)
		}
	}
	b.WriteString(`)$`)
	return regexp.MustCompile(b.String())
}

// FuzzGlob compares the compiled glob with a regular-expression model, and checks that the
// codeowners compiler accepts whatever the glob compiler accepts.
func FuzzGlob(f *testing.F) {
	for _, s := range [][2]string{
		{"*.py", "foo/hello.py"}, {"a*b*c", "aXbYbZc"}, {"[!a-c]?x*", "dzxx"},
		{"src/javascript/*.[tj]sx", "src/javascript/a.tsx"}, {"**/x", "a/b/x"}, {"*é?", "aéé"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, value string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(value) {
			return // the regexp model works on runes; invalid UTF-8 would compare unlike
		}
		g, err := compileGlob(pattern, false)
		if err != nil {
			return
		}
		if got, want := g.match(value), globRegexp(g).MatchString(value); got != want {
			t.Fatalf("%q vs %q: got %v, model says %v", pattern, value, got, want)
		}
		co, err := compileCodeowners(pattern)
		if err != nil {
			t.Fatalf("codeowners rejects %q: %v", pattern, err)
		}
		co.match(value)
	})
}
