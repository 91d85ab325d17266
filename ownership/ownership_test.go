package ownership

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"unknown type case", "Path:*.js #t", `unknown matcher type "Path:"`},
		{"unknown type typo", "tag:foo #t", `did you mean "tags.<key>:"`},
		{"empty tag key", "tags.:x #t", "empty tag key"},
		{"empty pattern", "path: #t", "empty pattern"},
		{"empty quoted pattern", `url:"" #t`, "empty quoted pattern"},
		{"unclosed quote", `module:"foo #t`, "unclosed quote"},
		{"text after quote", `module:"foo"bar #t`, "after the closing quote"},
		{"bad owner", "*.js frontend", `owner "frontend" is neither a #team nor an email`},
		{"github handle", "*.js @octo", "GitHub handles"},
		{"bad slug", "*.js #Frontend", "not a valid team slug"},
		{"lone hash", "*.js #t #", `owner "#" has no team slug`},
		{"tab", "*.js\t#t", "tab character"},
		{"bad class", "path:[a-z #t", "unclosed '['"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte("# header\n"+tc.src+"\n"), "rules.txt")
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want *ParseError", err)
			}
			if len(pe.Problems) != 1 || pe.Problems[0].Line != 2 || pe.Problems[0].File != "rules.txt" {
				t.Fatalf("problems %+v, want one at rules.txt:2", pe.Problems)
			}
			if !strings.Contains(err.Error(), "rules.txt:2: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
	t.Run("every problem listed", func(t *testing.T) {
		t.Parallel()
		_, err := Parse([]byte("*.js nobody\r\nok:*.js #t\r\nurl: #t\n"), "f")
		var pe *ParseError
		if !errors.As(err, &pe) || len(pe.Problems) != 2 || pe.Problems[0].Line != 1 || pe.Problems[1].Line != 3 {
			t.Fatalf("got %v", err)
		}
	})
}

func TestParseKeepsPosition(t *testing.T) {
	t.Parallel()
	src := "# c\n\n  src/*.go #be   A@B.io\nurl:http://x/* \n"
	rules, err := Parse([]byte(src), "o.txt")
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 2 {
		t.Fatalf("got %d rules", len(rules))
	}
	r := rules[0]
	if r.File != "o.txt" || r.Line != 3 || r.Text != "  src/*.go #be   A@B.io" || r.Position() != "o.txt:3" {
		t.Errorf("got %+v", r)
	}
	if rules[1].Line != 4 || rules[1].Type != URL || len(rules[1].Owners) != 0 {
		t.Errorf("got %+v", rules[1])
	}
	// Unknown word prefixes are real path patterns in Sentry (case 11, 14).
	rules, err = Parse([]byte(`package:foo/a.dart #t`+"\n"+`"C:\x y\\z" #t`), "f")
	if err != nil {
		t.Fatal(err)
	}
	if rules[0].Type != Path || rules[0].Pattern != "package:foo/a.dart" || rules[1].Pattern != `C:x y\z` {
		t.Errorf("got %+v", rules)
	}
}

func TestGlob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, value string
		fold, want     bool
	}{
		{"*.py", "foo/hello.py", false, true},
		{"*.py", "foo/hello.PY", false, false},
		{"*.py", "foo/hello.py", true, true},
		{"src/javascript/*.[tj]sx", "src/javascript/a/b.tsx", true, true},
		{"src/javascript/*.[tj]sx", "src/javascript/b.csx", true, false},
		{"https://www.example.io/v/[0-9]/checkout", "https://www.example.io/v/7/checkout", true, true},
		{"Chrome 81.0.?", "Chrome 81.0.4", false, true},
		{"Chrome 81.0.?", "Chrome 81.0.44", false, false},
		{"[!a]*", "bcd", false, true},
		{"[!a]*", "abc", false, false},
		{"a*b*c", "aXbYbZc", false, true},
		{"a*b*c", "aXbYbZ", false, false},
		{"*", "", false, true},
		{"?", "é", false, true},
		{"", "", false, true},
		{"", "x", false, false},
	}
	for _, tc := range tests {
		g, err := compileGlob(tc.pattern, tc.fold)
		if err != nil {
			t.Fatal(err)
		}
		v := tc.value
		if tc.fold {
			v = strings.ToLower(v)
		}
		if got := g.match(v); got != tc.want {
			t.Errorf("%q vs %q (fold %v) = %v, want %v", tc.pattern, tc.value, tc.fold, got, tc.want)
		}
	}
}

func TestPathNormalize(t *testing.T) {
	t.Parallel()
	rules, _ := Parse([]byte(`root/**/*.py #t`), "f")
	d := Owners(rules, Event{Frames: []Frame{{Filename: `root\foo\hello.PY`}}}, Options{})
	if d.Assignee == nil {
		t.Error(`root\foo\hello.PY should match root/**/*.py`)
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	rules, err := Parse([]byte("tags.user.email:*@corp.io #corp\ntags.user.plan:gold #gold\ntags.env:Prod #prod"), "f")
	if err != nil {
		t.Fatal(err)
	}
	ev := Event{User: EventUser{Email: "a@corp.io", Data: map[string]string{"plan": "gold"}}, Tags: map[string]string{"env": "prod"}}
	d := Owners(rules, ev, Options{})
	if len(d.Matches) != 2 || d.Assignee.String() != "#gold" {
		t.Errorf("got %+v; want user email and user.data matches, and case-sensitive tag miss", d)
	}
}

func owners(d Decision) []string {
	var s []string
	for _, o := range d.Owners {
		s = append(s, o.String())
	}
	return s
}

// The documented example of §5.4: five rules match, the last one wins.
func TestPrecedenceDocumented(t *testing.T) {
	t.Parallel()
	src := `codeowners:backend/ #co-team
path:models/* #models
path:backend/* #backend
path:*.py #python
url:*example.com* #web
path:backend/endpoints/auth/* #auth-team #enterprise-team
`
	rules, err := Parse([]byte(src), "f")
	if err != nil {
		t.Fatal(err)
	}
	ev := Event{URL: "https://example.com/login", Frames: []Frame{
		{Filename: "models/UserModel.py"}, {Filename: "backend/endpoints/auth/user.py"}, {Filename: "backend/api/base.py"},
	}}
	d := Owners(rules, ev, Options{})
	if d.Rule == nil || d.Rule.Line != 6 || d.Assignee.String() != "#auth-team" {
		t.Fatalf("got rule %+v assignee %v", d.Rule, d.Assignee)
	}
	if len(d.Matches) != 6 || d.Matches[0].Rule.Type != CodeOwners {
		t.Errorf("matches %+v: want 6, codeowners first", d.Matches)
	}
	want := []string{"#auth-team", "#enterprise-team", "#web", "#python", "#backend", "#models", "#co-team"}
	if got := owners(d); !slices.Equal(got, want) {
		t.Errorf("owners %v, want %v", got, want)
	}

	// Ownership rules beat codeowners: even when the codeowners: line comes later.
	rules, _ = Parse([]byte("path:*.py #own\ncodeowners:*.py #co"), "f")
	if d := Owners(rules, ev, Options{}); d.Assignee.String() != "#own" {
		t.Errorf("assignee %v, want #own", d.Assignee)
	}
}

func TestPrecedenceFramePriority(t *testing.T) {
	t.Parallel()
	src := `path:app/crash.py #crash
path:lib/*.py #lib
url:* #web
codeowners:app/ #co
path:app/* #app
`
	rules, _ := Parse([]byte(src), "f")
	ev := Event{URL: "http://x", Frames: []Frame{{Filename: "lib/main.py"}, {Filename: "app/crash.py"}}}
	d := Owners(rules, ev, Options{FramePriority: true})
	// Frame 1 (the raising frame) is matched by crash, co and app: the later ownership rule wins.
	want := []string{"#app", "#crash", "#co", "#lib", "#web"}
	if got := owners(d); !slices.Equal(got, want) || d.Rule.Line != 5 {
		t.Errorf("owners %v rule %d, want %v rule 5", got, d.Rule.Line, want)
	}
	// Documented mode ignores frames: the last match wins.
	if d := Owners(rules, ev, Options{}); d.Assignee.String() != "#app" || d.Rule.Line != 5 {
		t.Errorf("documented: %v", d.Assignee)
	}
	rules, _ = Parse([]byte("path:app/* #app\npath:lib/*.py #lib"), "f")
	if d := Owners(rules, ev, Options{FramePriority: true}); d.Assignee.String() != "#app" {
		t.Errorf("frame priority: %v, want #app (nearer the error)", d.Assignee)
	}
}

func TestOwnerlessRuleStopsOwnership(t *testing.T) {
	t.Parallel()
	rules, _ := Parse([]byte("*.py #python\nvendor/*"), "f")
	d := Owners(rules, Event{Frames: []Frame{{Filename: "vendor/x.py"}}}, Options{})
	if d.Rule == nil || d.Rule.Line != 2 || d.Assignee != nil || len(d.Owners) != 0 || len(d.Matches) != 2 {
		t.Errorf("got %+v", d)
	}
	if d := Owners(rules, Event{}, Options{}); d.Rule != nil || d.Matches != nil {
		t.Errorf("no match: got %+v", d)
	}
}

func TestHandBuiltRule(t *testing.T) {
	t.Parallel()
	rules := []Rule{{Type: Module, Pattern: "com.Foo.*", Owners: []Owner{{Team, "t"}}}}
	d := Owners(rules, Event{Frames: []Frame{{Module: "com.foo.Bar"}}}, Options{})
	if d.Assignee == nil {
		t.Error("hand-built rule did not match")
	}
}
