package ownership

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hmarr/codeowners"
)

func team(slug string) Owner  { return Owner{Type: Team, Identifier: slug} }
func user(email string) Owner { return Owner{Type: User, Identifier: email} }
func webOwners() map[string]Owner {
	return map[string]Owner{"@web": team("web"), "@design": team("design")}
}

func TestImportCodeowners(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		src      string
		mapping  CodeMapping
		owners   map[string]Owner // webOwners() when nil
		rules    []string         // "line: text"
		repo     []string         // RepoPattern of each rule, when given
		unmapped []string         // "line: name"
		skipped  []string         // "line: part of the reason"
	}{
		{
			// Sentry's own example (§5.5). Sentry's test maps the teams to bare names; here
			// they are teams, so the rule writes them with '#'.
			name:    "Sentry's example",
			src:     "docs/*  @getsentry/docs @getsentry/ecosystem\n",
			mapping: CodeMapping{StackRoot: "webpack://docs", SourceRoot: "docs"},
			owners:  map[string]Owner{"@getsentry/docs": team("docs-sentry"), "@getsentry/ecosystem": team("ecosystem")},
			rules:   []string{"1: codeowners:webpack://docs/* #docs-sentry #ecosystem"},
			repo:    []string{"docs/*"},
		},
		{
			// Without a '/' followed by something, a pattern matches at any depth and
			// Sentry leaves it alone. "/" alone is not anchored either.
			name:    "unanchored patterns are kept",
			src:     "*.js @web\nlib/ @web\nMakefile @web\n/ @web\n",
			mapping: CodeMapping{StackRoot: "webpack://app/"},
			rules: []string{
				"1: codeowners:*.js #web", "2: codeowners:lib/ #web",
				"3: codeowners:Makefile #web", "4: codeowners:/ #web",
			},
			repo: []string{"*.js", "lib/", "Makefile", "/"},
		},
		{
			// An empty source root is found at the start, so the stack root is put in front;
			// the "//" this leaves after "/src" is collapsed.
			name:    "anchored patterns get the stack root",
			src:     "/src/app.js @web\nsrc/lib @web\nsrc/lib/ @web\ndocs/* @web\n**/logs @web\n",
			mapping: CodeMapping{StackRoot: "webpack://app/"},
			rules: []string{
				"1: codeowners:webpack://app/src/app.js #web", "2: codeowners:webpack://app/src/lib #web",
				"3: codeowners:webpack://app/src/lib/ #web", "4: codeowners:webpack://app/docs/* #web",
				"5: codeowners:webpack://app/**/logs #web",
			},
			repo: []string{"/src/app.js", "src/lib", "src/lib/", "docs/*", "**/logs"},
		},
		{
			// Sentry replaces the first occurrence of the source root, not only a prefix.
			name:    "the source root is replaced once, wherever it is",
			src:     "services/web/*.ts @web\n/services/web/src/ @web\n/lib/services/web/x.ts @web\n/other/x.ts @web\nservices/web/services/web/ @web\n",
			mapping: CodeMapping{StackRoot: "app/", SourceRoot: "services/web/"},
			rules: []string{
				"1: codeowners:app/*.ts #web", "2: codeowners:/app/src/ #web",
				"3: codeowners:/lib/app/x.ts #web", "4: codeowners:/other/x.ts #web",
				"5: codeowners:app/services/web/ #web",
			},
		},
		{
			// Sentry collapses runs of '/' unless the run follows ':'; but only the first
			// '/' after ':' is kept as it is, so an "app:///" stack root becomes "app://".
			name:    "runs of slashes collapse except after a colon",
			src:     "src/app.js @web\n/src//x.js @web\na//b/ @web\n",
			mapping: CodeMapping{StackRoot: "app:///"},
			rules: []string{
				"1: codeowners:app://src/app.js #web", "2: codeowners:app://src/x.js #web",
				"3: codeowners:app://a/b/ #web",
			},
			repo: []string{"src/app.js", "/src//x.js", "a//b/"},
		},
		{
			name:  "runs of slashes collapse without a code mapping",
			src:   "/a//b @web\n//x @web\nx//y @web\n",
			rules: []string{"1: codeowners:/a/b #web", "2: codeowners:/x #web", "3: codeowners:x/y #web"},
		},
		{
			name: "lines Sentry skips",
			src: "!dist/ @web\n*.[ch] @web\ndocs/release\\ notes.md @web\n\\#notes.md @web\n/apps/github\n" +
				"/legacy/ @ghost @old/team\n/vendor/ # vendored code has no owner\n/tmp/ #scratch\n",
			unmapped: []string{"6: @ghost", "6: @old/team"},
			skipped: []string{
				`1: "!dist/" uses '!'`, `2: character class`, `3: escaped space`, `4: has a '#'`,
				`5: "/apps/github" has no owners: GitHub reads this as taking ownership`,
				`6: none of the owners of "/legacy/" (@ghost, @old/team) has a Sentry owner`,
				`7: "/vendor/" has no owners`, `8: "/tmp/" has no owners`,
			},
		},
		{
			// GitHub cannot escape '#' in CODEOWNERS, and Sentry skips any pattern with '#'.
			name:    "escaped hash",
			src:     "\\#todo.md @web\ndocs/\\#x @web\n*.md @web\n",
			rules:   []string{"3: codeowners:*.md #web"},
			skipped: []string{`1: "\#todo.md" has a '#'`, `2: "docs/\#x" has a '#'`},
		},
		{
			name: "owners mapped, unmapped and emails",
			src:  "*.go @ACME/Backend @alice Dev@Example.com @carol @acme/ops\n*.yml ops@example.com\n*.md @a @b\n",
			owners: map[string]Owner{
				"@acme/backend": team("backend"), "@Alice": user("alice@example.com"),
				"ops@example.com": team("ops"), "@a": team("docs"), "@b": team("docs"),
			},
			// An email with a mapping takes it; two GitHub owners mapped to one Sentry owner
			// give it twice, as Sentry does.
			rules: []string{
				"1: codeowners:*.go #backend alice@example.com dev@example.com",
				"2: codeowners:*.yml #ops", "3: codeowners:*.md #docs #docs",
			},
			unmapped: []string{"1: @carol", "1: @acme/ops"},
		},
		{
			name:  "comments and blank lines",
			src:   "# header\n\n   \n  # indented comment\n*.js @web\n\t\n# *.go @web\n",
			rules: []string{"5: codeowners:*.js #web"},
		},
		{
			// A '#' standing alone ends the owners for both GitHub and Sentry. After a '#'
			// written against a word, Sentry reads the words as owners: unmapped ones vanish
			// silently, mapped ones become owners (GitHub ignores them).
			name: "inline comments",
			src:  "*.js @web #This is an inline comment.\n*.css @web # ask @design\n*.svg @web #ask @design\n*.png @web#logo\n",
			rules: []string{
				"1: codeowners:*.js #web", "2: codeowners:*.css #web", "3: codeowners:*.svg #web #design",
			},
			// GitHub reads "@web#logo" as @web and a comment; Sentry looks up "@web#logo".
			unmapped: []string{"4: @web#logo"},
			skipped:  []string{`4: none of the owners of "*.png" (@web#logo)`},
		},
		{
			name:  "CRLF line breaks",
			src:   "# c\r\n*.js @web\r\n/docs/ @web @design\r\n",
			rules: []string{"2: codeowners:*.js #web", "3: codeowners:/docs/ #web #design"},
			repo:  []string{"*.js", "/docs/"},
		},
		{
			name:  "tabs and runs of spaces",
			src:   "  *.js\t\t@web   @design  \n",
			rules: []string{"1: codeowners:*.js #web #design"},
		},
		{
			name:  "no final line break",
			src:   "# c\n*.js @web",
			rules: []string{"2: codeowners:*.js #web"},
		},
		{
			// Characters Python takes for line breaks are harmless at the ends of a line.
			name:  "blank Python line breaks",
			src:   "*.js @web\f\n\u2028\n\v# c\n",
			rules: []string{"1: codeowners:*.js #web"},
		},
		{
			name: "empty file",
			src:  "",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			owners := tc.owners
			if owners == nil {
				owners = webOwners()
			}
			imp, err := ImportCodeowners([]byte(tc.src), "CODEOWNERS", tc.mapping, owners)
			if err != nil {
				t.Fatal(err)
			}
			var rules, repo, unmapped []string
			for _, r := range imp.Rules {
				rules = append(rules, fmt.Sprintf("%d: %s", r.Line, r.Text))
				repo = append(repo, r.RepoPattern)
				if r.File != "CODEOWNERS" || r.Type != CodeOwners || r.m == nil || r.String() != r.Text {
					t.Errorf("rule %+v: want File CODEOWNERS, type codeowners, compiled, String() == Text", r)
				}
			}
			for _, u := range imp.Unmapped {
				unmapped = append(unmapped, fmt.Sprintf("%d: %s", u.Line, u.Name))
			}
			if !slices.Equal(rules, tc.rules) {
				t.Errorf("rules:\n got %q\nwant %q", rules, tc.rules)
			}
			if tc.repo != nil && !slices.Equal(repo, tc.repo) {
				t.Errorf("RepoPatterns: got %q, want %q", repo, tc.repo)
			}
			if !slices.Equal(unmapped, tc.unmapped) {
				t.Errorf("unmapped: got %q, want %q", unmapped, tc.unmapped)
			}
			if len(imp.Skipped) != len(tc.skipped) {
				t.Errorf("skipped: got %v, want %d matching %q", imp.Skipped, len(tc.skipped), tc.skipped)
				return
			}
			for i, s := range imp.Skipped {
				line, part, _ := strings.Cut(tc.skipped[i], ": ")
				if fmt.Sprint(s.Line) != line || s.File != "CODEOWNERS" || !strings.Contains(s.Msg, part) {
					t.Errorf("skipped[%d] = %v, want line %s with %q", i, s, line, part)
				}
			}
		})
	}
}

func TestImportCodeownersErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		src     string
		mapping CodeMapping
		owners  map[string]Owner // webOwners() when nil
		want    []string         // "line: part of the message", one per problem
	}{
		{"over 3 MB", strings.Repeat("# padding\n", 300_001), CodeMapping{}, nil, []string{"1: GitHub and Sentry read at most 3 MB"}},
		{"invalid UTF-8", "*.js @web\n# caf\xe9\n*.go @w\xffb\n", CodeMapping{}, nil, []string{"2: not valid UTF-8", "3: not valid UTF-8"}},
		{"owner without @", "*.js web-team\n", CodeMapping{}, nil, []string{`1: cannot read the CODEOWNERS line "*.js web-team": invalid owner format 'web-team' at position 6: owners are @user, @org/team or an email`}},
		{"unclosed class", "src/[abc @web\n", CodeMapping{}, nil, []string{"1: unexpected character '['"}},
		{"negated class", "*.[^c] @web\n", CodeMapping{}, nil, []string{"1: unexpected character '['"}},
		// Sentry would import "codeowners:file" with the owners it can map, taking "1.txt"
		// for an owner; GitHub reports the line as an error.
		{"unescaped space in the pattern", "file 1.txt @web\n", CodeMapping{}, nil, []string{"1: invalid owner format '1.txt'"}},
		{"line separator in a comment", "# note\u2028*.js @web\n", CodeMapping{}, nil, []string{"1: U+2028, which Sentry's import reads as a line break"}},
		{"lone carriage return", "a.js @web\r/b @web\n", CodeMapping{}, nil, []string{"1: U+000D"}},
		{"byte order mark", "\ufeff*.js @web\n", CodeMapping{}, nil, []string{"1: byte order mark"}},
		{"long line", strings.Repeat("a", 70_000) + " @web\n", CodeMapping{}, nil, []string{"1: shorter than 64 KiB"}},
		{"mapping to a bad team", "*.js @Web\n", CodeMapping{}, map[string]Owner{"@web": team("Web Team")}, []string{`1: the CODEOWNERS owner @web is mapped to "#Web Team", which is not a Sentry owner`}},
		{"mapping to a user without email", "*.js @web\n", CodeMapping{}, map[string]Owner{"@web": user("web")}, []string{`1: mapped to "web"`}},
		{"stack root with a space", "/x.js @web\n*.go @web\n", CodeMapping{StackRoot: "my app/"}, nil, []string{`1: Sentry would store this line as "codeowners:my app/x.js #web"`}},
		{"stack root with a class", "/x.js @web\n", CodeMapping{StackRoot: "a[b/"}, nil, []string{"1: Sentry would store this line"}},
		{"every problem is listed", "*.js web\n*.go @web\nsrc/[x @web\n*.md @web @\n", CodeMapping{}, nil, []string{"1: web", "3: '['", "4: invalid owner format '@'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			owners := tc.owners
			if owners == nil {
				owners = webOwners()
			}
			imp, err := ImportCodeowners([]byte(tc.src), "CODEOWNERS", tc.mapping, owners)
			var pe *ParseError
			if !errors.As(err, &pe) || imp != nil {
				t.Fatalf("got %v, %v; want a *ParseError and no import", imp, err)
			}
			if len(pe.Problems) != len(tc.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(pe.Problems), len(tc.want), err)
			}
			for i, p := range pe.Problems {
				line, part, _ := strings.Cut(tc.want[i], ": ")
				if fmt.Sprint(p.Line) != line || p.File != "CODEOWNERS" || !strings.Contains(p.Msg, part) {
					t.Errorf("problem %d = %v, want line %s with %q", i, p, line, part)
				}
			}
		})
	}
}

func TestCodeownersLocations(t *testing.T) {
	t.Parallel()
	// GitHub's search order: .github/, then the root, then docs/.
	if want := []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}; !slices.Equal(CodeownersLocations, want) {
		t.Errorf("CodeownersLocations = %q, want %q", CodeownersLocations, want)
	}
}

// githubExampleOwners maps every owner of testdata/codeowners/github-example to a Sentry
// owner with the same name; docs@example.com maps to itself as an email.
var githubExampleOwners = map[string]Owner{
	"@global-owner1": team("global-owner1"), "@global-owner2": team("global-owner2"),
	"@js-owner": team("js-owner"), "@octo-org/octocats": team("octocats"),
	"@doctocat": team("doctocat"), "@octocat": team("octocat"),
}

// TestImportCodeownersGitHubExample checks GitHub's documented example CODEOWNERS file: for
// each path its comments describe, GitHub's owner (by hmarr/codeowners, last match wins)
// must be the one GitHub documents, and the imported rules evaluated by Owners must name the
// same owner, except where Sentry's import really differs from GitHub.
func TestImportCodeownersGitHubExample(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("testdata/codeowners/github-example")
	if err != nil {
		t.Fatal(err)
	}
	gh, err := codeowners.ParseFile(bytes.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	ownerless := 1 + slices.Index(strings.Split(string(src), "\n"), "/apps/github")

	cases := []struct {
		path   string
		github string // the owners GitHub gives, as Sentry owners
		sentry string // the owners Sentry gives, when they differ
	}{
		{path: "README.md", github: "#global-owner1 #global-owner2"},
		{path: "src/index.js", github: "#js-owner"},
		{path: "cmd/main.go", github: "docs@example.com"},
		{path: "notes/todo.txt", github: "#octocats"},
		// /build/logs/ gives build/logs to @doctocat, but the later **/logs line takes it.
		{path: "build/logs/today.log", github: "#octocat"},
		{path: "build/output.bin", github: "#global-owner1 #global-owner2"},
		// docs/* covers docs/getting-started.md, and the later /docs/ line takes it.
		{path: "docs/getting-started.md", github: "#doctocat"},
		{path: "docs/build-app/troubleshooting.md", github: "#doctocat"},
		{path: "web/docs/intro.txt", github: "#octocats"},
		{path: "web/apps/main.js", github: "#octocat"},
		{path: "scripts/deploy.sh", github: "#doctocat #octocat"},
		{path: "tools/scripts/deploy.sh", github: "#global-owner1 #global-owner2"},
		{path: "deeply/nested/logs/x.txt", github: "#octocat"},
		{path: "apps/web/main.go", github: "#octocat"},
		// GitHub's owner-less "/apps/github" line takes ownership away; Sentry's import skips
		// that line, so "/apps/ @octocat" still owns the files in Sentry.
		{path: "apps/github/main.go", github: "", sentry: "#octocat"},
		{path: "apps/githubx/main.go", github: "#octocat"},
	}
	for _, m := range []struct {
		name    string
		mapping CodeMapping
		prefix  string // what the code mapping puts in front of repository paths in frames
	}{
		{"no code mapping", CodeMapping{}, ""},
		{"webpack code mapping", CodeMapping{StackRoot: "webpack://app/"}, "webpack://app/"},
	} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			imp, err := ImportCodeowners(src, "CODEOWNERS", m.mapping, githubExampleOwners)
			if err != nil {
				t.Fatal(err)
			}
			// The inline comment's words are not owners to report.
			if len(imp.Unmapped) != 0 {
				t.Errorf("unmapped: %v", imp.Unmapped)
			}
			if len(imp.Skipped) != 1 || imp.Skipped[0].Line != ownerless {
				t.Errorf("skipped: %v, want only line %d", imp.Skipped, ownerless)
			}
			// Every other GitHub rule is imported, in order, with its pattern.
			var ghPatterns, repo []string
			for _, r := range gh {
				if len(r.Owners) > 0 {
					ghPatterns = append(ghPatterns, r.RawPattern())
				}
			}
			for _, r := range imp.Rules {
				repo = append(repo, r.RepoPattern)
			}
			if !slices.Equal(repo, ghPatterns) {
				t.Errorf("RepoPatterns %q, want GitHub's %q", repo, ghPatterns)
			}

			for _, tc := range cases {
				rule, err := gh.Match(tc.path)
				if err != nil {
					t.Fatal(err)
				}
				var ghOwners []string
				if rule != nil {
					for _, o := range rule.Owners {
						so, ok, _ := ownerLookup(githubExampleOwners)(o.String())
						if !ok {
							t.Fatalf("no Sentry owner for %s", o)
						}
						ghOwners = append(ghOwners, so.String())
					}
				}
				if got := strings.Join(ghOwners, " "); got != tc.github {
					t.Errorf("%s: GitHub (hmarr) gives %q, GitHub's documentation %q", tc.path, got, tc.github)
				}
				want := tc.github
				if tc.sentry != "" {
					want = tc.sentry
				}
				d := Owners(imp.Rules, Event{Frames: []Frame{{Filename: m.prefix + tc.path}}}, Options{})
				var got []string
				if d.Rule != nil {
					for _, o := range d.Rule.Owners {
						got = append(got, o.String())
					}
				}
				if strings.Join(got, " ") != want {
					t.Errorf("%s: Sentry's rules give %q (rule %v), want %q", m.prefix+tc.path, got, d.Rule, want)
				}
			}
		})
	}
}

// TestCodeownersMatcherAgreesWithGitHub compares the codeowners: matcher with hmarr's
// reading of the same CODEOWNERS pattern, path by path.
func TestCodeownersMatcherAgreesWithGitHub(t *testing.T) {
	t.Parallel()
	patterns := []string{
		"*", "*.js", "/build/logs/", "docs/*", "apps/", "/docs/", "**/logs", "/apps/github",
		"src/**/test", "a/*/b", "foo", "/foo", "foo/", "*.min.js", "?.md", "docs/**", "**/x/*.go",
		"/a/b/c", "lib/*/", "x*y",
	}
	paths := []string{
		"foo", "foo/bar", "a/foo", "a/foo/bar", "foox", "xfoo/y", "app.js", "src/app.js", "src/app.min.js",
		"app.js/x", "build/logs/a.log", "build/logs", "x/build/logs/a", "docs/a.md", "docs/a/b.md",
		"x/docs/a.md", "apps/a", "x/apps/a", "apps", "logs/a", "a/b/logs/c", "a/logs", "apps/github",
		"apps/github/x", "apps/githubx", "src/test", "src/a/b/test/c", "srctest", "a/x/b", "a/x/y/b",
		"a.md", "ab.md", "x/a.md", "docs/x", "x/y.go", "q/x/y.go", "x/z/y.go", "a/b/c/d", "a/b/cd",
		"lib/x/y", "lib/x", "x/lib/y/z", "xy", "xzzy/a", "a/xy",
	}
	for _, p := range patterns {
		rs, err := codeowners.ParseFile(strings.NewReader(p + " @o"))
		if err != nil {
			t.Fatal(err)
		}
		co, err := compileCodeowners(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range paths {
			want, err := rs[0].Match(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := co.match(path); got != want {
				t.Errorf("%q vs %q: codeowners: matcher says %v, GitHub (hmarr) %v", p, path, got, want)
			}
		}
	}
}

func TestCollapseSlashes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"a/b": "a/b", "a//b": "a/b", "a////b": "a/b", "//a": "/a", "a//": "a/",
		"webpack://a": "webpack://a", "app:///a": "app://a", "app:////a//b": "app://a/b", "a:/b": "a:/b",
	} {
		if got := collapseSlashes(in); got != want {
			t.Errorf("collapseSlashes(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzImportCodeowners checks that ImportCodeowners never panics, that its errors list their
// problems, and that every rule it returns is a codeowners: rule that Parse reads back from
// its Text to the same matcher and owners.
func FuzzImportCodeowners(f *testing.F) {
	for _, s := range [][3]string{
		{"docs/*  @getsentry/docs @getsentry/ecosystem\n", "webpack://docs", "docs"},
		{"*.js @web #inline\n/apps/ @acme/api\n/apps/github\n", "", ""},
		{"# c\r\n/src//a.js @alice dev@example.com @nobody\r\n", "app:///", ""},
		{"!x @web\n*.[ch] @web\na\\ b @web\n\\#c @web\n", "", ""},
		{"*.js web\n\ufeff\u2028x @web\n", "a b/", "x"},
	} {
		f.Add([]byte(s[0]), s[1], s[2])
	}
	owners := map[string]Owner{
		"@web": team("web"), "@ACME/api": team("api"), "@alice": user("Alice@Example.com"),
		"@design": team("design"),
	}
	f.Fuzz(func(t *testing.T, src []byte, stackRoot, sourceRoot string) {
		mapping := CodeMapping{StackRoot: stackRoot, SourceRoot: sourceRoot}
		imp, err := ImportCodeowners(src, "CODEOWNERS", mapping, owners)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 || imp != nil {
				t.Fatalf("error %v is not a non-empty *ParseError, or came with an import", err)
			}
			for _, p := range pe.Problems {
				if p.Line < 1 || p.Msg == "" {
					t.Fatalf("bad problem %+v", p)
				}
			}
			return
		}
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, r := range imp.Rules {
			if r.Type != CodeOwners || r.Pattern == "" || r.RepoPattern == "" || r.Line < 1 || r.Line > lines || len(r.Owners) == 0 || r.m == nil {
				t.Fatalf("bad rule %+v", r)
			}
			if stackRoot == "" && sourceRoot == "" && r.Pattern != r.RepoPattern && r.Pattern != collapseSlashes(r.RepoPattern) {
				t.Fatalf("without a code mapping, %q became %q", r.RepoPattern, r.Pattern)
			}
			again, err := Parse([]byte(r.Text), "x")
			if err != nil || len(again) != 1 {
				t.Fatalf("%q does not re-parse to one rule: %v, %d rules", r.Text, err, len(again))
			}
			a := again[0]
			if a.Type != CodeOwners || a.Pattern != r.Pattern || !slices.Equal(a.Owners, r.Owners) || !sameCodeowners(a.m.co, r.m.co) {
				t.Fatalf("%q re-parses to %+v, want %+v", r.Text, a, r)
			}
			Owners([]Rule{r}, Event{Frames: []Frame{{Filename: r.Pattern}, {AbsPath: r.RepoPattern}}}, Options{})
		}
		for _, u := range imp.Unmapped {
			if u.Line < 1 || u.Line > lines || u.Name == "" {
				t.Fatalf("bad unmapped owner %+v", u)
			}
		}
		for _, s := range imp.Skipped {
			if s.Line < 1 || s.Line > lines || s.Msg == "" {
				t.Fatalf("bad skipped line %+v", s)
			}
		}
	})
}

// sameCodeowners says whether two compiled codeowners: patterns are the same matcher.
func sameCodeowners(a, b *coMatcher) bool {
	if a == nil || b == nil {
		return a == b
	}
	if (a.re == nil) != (b.re == nil) || (a.re != nil && a.re.String() != b.re.String()) {
		return false
	}
	return a.all == b.all && a.anchored == b.anchored && a.needle == b.needle && a.prefix == b.prefix
}
