package ownership

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// summarize writes findings as "file:line code [by file:line,…]", one a line.
func summarize(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		s := f.Rule.Position() + " " + f.Code
		if len(f.By) > 0 {
			var by []string
			for _, r := range f.By {
				by = append(by, r.Position())
			}
			s += " by " + strings.Join(by, ",")
		}
		if f.Severity != SeverityWarning {
			s += " severity " + f.Severity.String()
		}
		out = append(out, s)
	}
	return out
}

func mustParse(t testing.TB, src, file string) []Rule {
	t.Helper()
	if src == "" {
		return nil
	}
	rules, err := Parse([]byte(src), file)
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

func TestCheck(t *testing.T) {
	t.Parallel()
	repo := []string{
		"services/web/src/api/users.js",
		"services/web/src/api/orders.js",
		"services/web/src/ui/App.tsx",
		"services/billing/main.go",
		"services/billing/handlers/pay.go",
		"docs/a.md",
		"README.md",
		"Src/Legacy/Old.JS",
	}
	tests := []struct {
		name       string
		rules      string // ownership rules, file "o"
		codeowners string // codeowners rules, file "CODEOWNERS"
		files      []string
		want       []string
	}{
		{name: "catch-all last shadows earlier",
			rules: "path:services/web/* #web\npath:*.go #go\npath:* #all\n",
			want:  []string{"o:1 shadowed by o:3", "o:2 shadowed by o:3"}},
		{name: "catch-all first shadows nothing",
			rules: "path:* #all\npath:services/web/* #web\npath:*.go #go\n"},
		{name: "owner-less later rule shadows",
			rules: "path:services/web/src/api/* #api\npath:services/web/*\n",
			want:  []string{"o:1 shadowed by o:2"}},
		{name: "partly covered is not shadowed",
			rules: "path:services/web/* #web\npath:*.js #js\n"},
		{name: "several later rules together shadow",
			rules: "path:services/billing/* #b\npath:*/main.go #m\npath:*/handlers/* #h\n",
			want:  []string{"o:1 shadowed by o:2,o:3"}},
		{name: "suffix of a repository path matches",
			rules: "path:src/api/* #api\npath:api/users.js #u\npath:handlers/pay.go #p\n"},
		{name: "leading star matches a top-level folder",
			rules: "path:*/docs/* #docs\npath:*/services/web/* #web\n"},
		{name: "no-file",
			rules: "path:src/legacy/new/* #a\npath:*.rb #b\npath:docs/b.md #c\n",
			want:  []string{"o:1 no-file", "o:2 no-file", "o:3 no-file"}},
		{name: "runtime-only patterns are exempt from no-file",
			rules: `path:webpack://./src/* #a
path:/app/src/* #a
path:app:///main.js #a
path:C:\build\x.js #a
path:~/src/x.js #a
`},
		{name: "case-insensitive",
			rules: "path:SRC/API/*.JS #a\npath:src/legacy/old.js #b\npath:*.TSX #c\n"},
		{name: "frame path shadowing is per suffix, not per file",
			// "api/users.js" is a value only the first rule matches.
			rules: "path:api/* #a\npath:services/* #b\n"},
		{name: "codeowners anchored and unanchored",
			codeowners: "codeowners:*.md #md\ncodeowners:/docs/ #d\ncodeowners:/missing/ #m\ncodeowners:handlers/ #h\ncodeowners:/services/*/main.go #g\n",
			want:       []string{"CODEOWNERS:3 no-file"}},
		{name: "codeowners is case-sensitive",
			codeowners: "codeowners:/src/legacy/ #l\ncodeowners:/Src/Legacy/ #l2\n",
			want:       []string{"CODEOWNERS:1 no-file"}},
		{name: "codeowners anchored does not match deeper",
			codeowners: "codeowners:/api/ #a\ncodeowners:api/ #b\n",
			want:       []string{"CODEOWNERS:1 no-file"}},
		{name: "codeowners shadowed",
			codeowners: "codeowners:/docs/ #d\ncodeowners:*.md #md\ncodeowners:/services/billing/main.go #m\ncodeowners:/services/ #s\n",
			want:       []string{"CODEOWNERS:1 shadowed by CODEOWNERS:2", "CODEOWNERS:3 shadowed by CODEOWNERS:4"}},
		{name: "sources do not shadow each other",
			rules:      "path:* #all\n",
			codeowners: "codeowners:* #all\n",
			want:       nil},
		{name: "sorted by file, then line",
			rules:      "path:nothing/* #a\n",
			codeowners: "codeowners:/nothing/ #a\n",
			want:       []string{"CODEOWNERS:1 no-file", "o:1 no-file"}},
		{name: "duplicate",
			rules: "path:docs/* #a\npath:DOCS\\* #b\npath:docs/* #c\n",
			want:  []string{"o:1 duplicate by o:2", "o:2 duplicate by o:3"}},
		{name: "duplicate is not also shadowed or no-file",
			rules: "path:docs/* #a\npath:docs/* #b\npath:* #c\npath:nope/* #a\npath:nope/* #b\n",
			want:  []string{"o:1 duplicate by o:2", "o:2 shadowed by o:3", "o:4 duplicate by o:5", "o:5 no-file"}},
		{name: "url duplicate",
			rules: "url:https://shop.example.com/* #a\nurl:HTTPS://SHOP.example.com/* #b\n",
			want:  []string{"o:1 duplicate by o:2"}},
		{name: "url literal shadowed by a later glob",
			rules: "url:https://shop.example.com/checkout #a\nurl:https://*.example.com/* #b\nurl:https://x.example.com/* #c\nurl:* #d\n",
			want:  []string{"o:1 shadowed by o:4"}},
		{name: "url glob is not shadowed by a wider glob",
			rules: "url:https://shop.example.com/a/* #a\nurl:https://shop.example.com/* #b\n"},
		{name: "tags with different keys do not shadow",
			rules: "tags.environment:prod #a\ntags.region:prod #b\ntags.environment:pr* #c\ntags.level:prod #d\n",
			want:  []string{"o:1 shadowed by o:3"}},
		{name: "tags are case-sensitive",
			rules: "tags.environment:Prod #a\ntags.environment:prod* #b\ntags.environment:prod #c\ntags.environment:PROD #d\n"},
		{name: "module literal shadowed",
			rules: "module:com.example.Billing #a\nmodule:com.EXAMPLE.* #b\nmodule:nothing.matches #c\n",
			want:  []string{"o:1 shadowed by o:2"}},
		{name: "no files known: only checks that need none",
			rules: "path:nope/* #a\npath:* #b\nurl:https://x/y #u\nurl:https://x/* #v\npath:* #c\n",
			files: []string{}, want: []string{"o:2 duplicate by o:5", "o:3 shadowed by o:4"}},
		{name: "path and codeowners rules in the ownership rules are checked apart",
			rules: "codeowners:/docs/ #d\npath:* #all\ncodeowners:/nope/ #n\ncodeowners:* #all\n",
			want:  []string{"o:1 shadowed by o:4", "o:3 no-file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			files := repo
			if tc.files != nil {
				files = tc.files
			}
			in := CheckInput{Rules: mustParse(t, tc.rules, "o"), Codeowners: mustParse(t, tc.codeowners, "CODEOWNERS"), Files: files}
			got := summarize(Check(in))
			if !slices.Equal(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if want := summarize(refCheck(in)); !slices.Equal(got, want) {
				t.Errorf("reference disagrees: %q", want)
			}
		})
	}
}

func TestCheckSameLineRules(t *testing.T) {
	t.Parallel()
	// One CODEOWNERS line can become several Sentry rules; they are one line to Check.
	co := func(line int, p string) Rule {
		return Rule{File: "CODEOWNERS", Line: line, Type: CodeOwners, Pattern: p, Owners: []Owner{{Team, "a"}}}
	}
	in := CheckInput{
		Codeowners: []Rule{co(3, "/docs/"), co(3, "/docs/"), co(3, "*.md"), co(5, "/docs/")},
		Files:      []string{"docs/a.md", "README.md"},
	}
	got := summarize(Check(in))
	want := []string{"CODEOWNERS:3 duplicate by CODEOWNERS:5", "CODEOWNERS:3 duplicate by CODEOWNERS:5"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestCheckRepoPattern(t *testing.T) {
	t.Parallel()
	// Imported rules carry the stack-side pattern (after the code mapping) and the pattern
	// as written in CODEOWNERS; the repository's files are tested against the latter.
	co := func(line int, repo, stack string) Rule {
		return Rule{File: "CODEOWNERS", Line: line, Type: CodeOwners, Pattern: stack, RepoPattern: repo, Owners: []Owner{{Team, "a"}}}
	}
	in := CheckInput{
		Codeowners: []Rule{
			co(1, "/docs/", "/app/docs/"),
			co(2, "/src/", "/app/src/"), co(2, "/src/", "/web/src/"), // one line, two mappings
			co(3, "/gone/", "/app/gone/"),
			co(4, "*.md", "*.md"),
			co(5, "", "/lib/"), // not imported: Pattern is what there is
		},
		Files: []string{"docs/a.md", "src/x.go", "README.md", "lib/y.go"},
	}
	got := Check(in)
	if s := summarize(got); !slices.Equal(s, []string{"CODEOWNERS:1 shadowed by CODEOWNERS:4", "CODEOWNERS:3 no-file"}) {
		t.Fatalf("got %q", s)
	}
	if m := got[1].Message; !strings.HasPrefix(m, "codeowners:/app/gone/ (CODEOWNERS /gone/) matches no file") {
		t.Errorf("message %q does not name both patterns", m)
	}
	if want := summarize(refCheck(in)); !slices.Equal(summarize(got), want) {
		t.Errorf("reference disagrees: %q", want)
	}
}

func TestCheckMessages(t *testing.T) {
	t.Parallel()
	src := "path:services/* #a\npath:*/web/* #b\npath:*.go #c\npath:*/users.js #d\npath:*/orders.js #e\npath:*.tsx #f\n" +
		"path:nope/* #g\npath:*.md #h\npath:*.md #i\nurl:https://x/a #j\nurl:https://x/* #k\n"
	in := CheckInput{Rules: mustParse(t, src, "o.txt"), Files: []string{
		"services/web/users.js", "services/web/orders.js", "services/web/App.tsx", "services/web/x.py", "services/billing/main.go", "README.md",
	}}
	got := map[string]string{}
	for _, f := range Check(in) {
		got[f.Rule.Position()+" "+f.Code] = f.Message
	}
	want := map[string]string{
		"o.txt:1 shadowed":  "path:services/* never decides: every frame path it matches is also matched by the later rules o.txt:2 (path:*/web/*), o.txt:3 (path:*.go), o.txt:4 (path:*/users.js) and 2 more, and the last matching rule wins; move it below them or delete it",
		"o.txt:7 no-file":   "path:nope/* matches no file of the repository, at any folder depth: correct the pattern or delete the rule",
		"o.txt:8 duplicate": "path:*.md is repeated at o.txt:9, which decides instead: delete this one",
		"o.txt:10 shadowed": "url:https://x/a never decides: every URL it matches is also matched by the later rule o.txt:11 (url:https://x/*), and the last matching rule wins; move it below them or delete it",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	co := CheckInput{Codeowners: mustParse(t, "codeowners:/nope/ #a\ncodeowners:/a/ #a\ncodeowners:/ #b\n", "CODEOWNERS"), Files: []string{"a/b"}}
	msgs := summarize(Check(co))
	if !slices.Equal(msgs, []string{"CODEOWNERS:1 no-file", "CODEOWNERS:2 shadowed by CODEOWNERS:3"}) {
		t.Fatalf("got %q", msgs)
	}
	f := Check(co)
	if m := f[0].Message; m != "codeowners:/nope/ matches no file of the repository (read as a CODEOWNERS pattern from the repository root): correct the pattern or delete the line" {
		t.Errorf("codeowners no-file message %q", m)
	}
	if m := f[1].Message; !strings.Contains(m, "every repository file it matches is also matched by the later rule CODEOWNERS:3 (codeowners:/)") {
		t.Errorf("codeowners shadowed message %q", m)
	}
}

func TestCheckDeterministic(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	in := randomCheckInput(rng, 60, 80)
	want := Check(in)
	if len(want) == 0 {
		t.Fatal("the generated input has no findings; pick another seed")
	}
	for range 20 {
		files := slices.Clone(in.Files)
		rng.Shuffle(len(files), func(i, j int) { files[i], files[j] = files[j], files[i] })
		files = append(files, files[:len(files)/3]...) // repeated files change nothing
		got := Check(CheckInput{Rules: in.Rules, Codeowners: in.Codeowners, Files: files})
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("different findings for shuffled files:\n%q\n%q", summarize(got), summarize(want))
		}
	}
	if !slices.IsSortedFunc(want, func(a, b Finding) int {
		if c := strings.Compare(a.Rule.File, b.Rule.File); c != 0 {
			return c
		}
		return a.Rule.Line - b.Rule.Line
	}) {
		t.Errorf("findings not in (file, line) order: %q", summarize(want))
	}
}

// TestCheckSharedIndex: one FileIndex shared by several projects' checks gives each the
// findings it gets on its own.
func TestCheckSharedIndex(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 5))
	base := randomCheckInput(rng, 80, 10)
	index := IndexFiles(base.Files)
	for n := range 30 {
		in := randomCheckInput(rng, 1, 1+rng.IntN(30))
		in.Files = base.Files
		want := Check(in)
		got := Check(CheckInput{Rules: in.Rules, Codeowners: in.Codeowners, Index: index})
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("project %d: with the shared index\n%q\nalone\n%q", n, summarize(got), summarize(want))
		}
	}
}

// TestCheckAgreesWithBruteForce compares Check with refCheck, which tests every rule against
// every value, on random small repositories and rule sets.
func TestCheckAgreesWithBruteForce(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2024, 5))
	codes := map[string]int{}
	for n := range 400 {
		in := randomCheckInput(rng, 1+rng.IntN(40), 1+rng.IntN(30))
		got, want := Check(in), refCheck(in)
		for _, f := range got {
			codes[f.Code]++
		}
		if !reflect.DeepEqual(got, want) {
			var rules []string
			for _, r := range append(slices.Clone(in.Codeowners), in.Rules...) {
				rules = append(rules, r.Position()+" "+r.String())
			}
			t.Fatalf("case %d:\nfiles %q\nrules %q\ngot  %q\nwant %q", n, in.Files, rules, summarize(got), summarize(want))
		}
	}
	for _, c := range []string{CodeNoFile, CodeShadowed, CodeDuplicate} {
		if codes[c] < 20 {
			t.Errorf("only %d %s findings in the random cases: the generator does not exercise them", codes[c], c)
		}
	}
}

// randomCheckInput makes a small repository and rules from a few names, so that patterns
// often match, overlap and repeat.
func randomCheckInput(rng *rand.Rand, nFiles, nRules int) CheckInput {
	dirs := []string{"src", "Src", "api", "web", "lib", "docs", "a", "b.c", "Ünï"}
	names := []string{"a.js", "b.py", "x.JS", "main.go", "README.md", "a", "test.go", "b.c.js", "c.js"}
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	var files []string
	for range nFiles {
		var segs []string
		for range rng.IntN(4) {
			segs = append(segs, pick(dirs))
		}
		segs = append(segs, pick(names))
		sep := "/"
		if rng.IntN(30) == 0 {
			sep = `\`
		}
		files = append(files, strings.Join(segs, sep))
	}
	pieces := []string{"src", "api", "web", "docs", "a", "*", "**", "?", "[ab]*", "*.js", "*.py", "main.go", "README.md", "c.js", "x.js", "[!a]*", "[+-0]*", "ünï", "*.[jp][sy]", "a*/"}
	pattern := func() string {
		var segs []string
		for range 1 + rng.IntN(3) {
			segs = append(segs, pick(pieces))
		}
		p := strings.Join(segs, "/")
		switch rng.IntN(40) {
		case 0, 1, 2, 3:
			p = "/" + p
		case 4, 5, 6:
			p += "/"
		case 7, 8, 9:
			p = "*" + p
		case 10, 11, 12:
			p = strings.ToUpper(p)
		case 13:
			p = "" // only hand-built rules can have this
		}
		return p
	}
	owners := func() []Owner {
		if rng.IntN(5) == 0 {
			return nil
		}
		return []Owner{{Team, fmt.Sprintf("t%d", rng.IntN(3))}}
	}
	var in CheckInput
	in.Files = files
	line := 0
	for range nRules {
		line++
		r := Rule{File: "o", Line: line, Owners: owners()}
		switch k := rng.IntN(20); {
		case k < 10:
			r.Type, r.Pattern = Path, pattern()
		case k < 12:
			r.Type, r.Pattern = CodeOwners, pattern()
		case k < 14:
			r.Type, r.Pattern = URL, pick([]string{"https://x/a", "https://x/*", "HTTPS://X/A", "*", "https://y/?", "https://x/[ab]"})
		case k < 16:
			r.Type, r.Pattern = Module, pick([]string{"com.a.B", "com.a.*", "COM.A.B", "*", "com\\a"})
		default:
			r.Type, r.TagKey, r.Pattern = Tag, pick([]string{"env", "region"}), pick([]string{"prod", "Prod", "pr*", "*", "dev"})
		}
		if rng.IntN(8) == 0 && len(in.Rules) > 0 {
			r.Pattern = in.Rules[rng.IntN(len(in.Rules))].Pattern // repeats
		}
		in.Rules = append(in.Rules, r)
	}
	line = 0
	for range rng.IntN(nRules + 1) {
		if rng.IntN(6) != 0 {
			line++ // otherwise: another rule from the same CODEOWNERS line
		}
		r := Rule{File: "CODEOWNERS", Line: max(line, 1), Type: CodeOwners, Pattern: pattern(), Owners: owners()}
		if rng.IntN(2) == 0 {
			r.RepoPattern, r.Pattern = r.Pattern, "/app/"+strings.TrimPrefix(r.Pattern, "/")
		}
		in.Codeowners = append(in.Codeowners, r)
	}
	return in
}

// refCheck is Check written as directly as possible: every rule against every value.
func refCheck(in CheckInput) []Finding {
	// Values for path: rules, by the definition in Finding's documentation.
	pathSet := map[string]bool{}
	var repo []string
	for _, f := range in.Files {
		p := foldPath(f)
		for i := 0; i < len(p); i++ {
			if i == 0 || p[i-1] == '/' {
				pathSet[p[i:]] = true
				pathSet["/"+p[i:]] = true
			}
		}
		if k := repoKey(f); k != "" && !slices.Contains(repo, k) {
			repo = append(repo, k)
		}
	}
	var out []Finding
	for _, rules := range [][]Rule{in.Codeowners, in.Rules} {
		if len(rules) == 0 {
			continue
		}
		s := newSourceInfo(rules)
		res := make([]ruleResult, len(rules))
		for i := range rules {
			res[i].dupOf = -1
			res[i].ok = s.m[i].ok
		}
		// Duplicates: the nearest later rule of another line with the same class and pattern.
		for i := range rules {
			for j := i + 1; j < len(rules) && res[i].ok; j++ {
				if s.m[j].ok && s.m[j].class == s.m[i].class && s.m[j].norm == s.m[i].norm && s.group[j] != s.group[i] {
					res[i].dupOf = j
					break
				}
			}
		}
		// The values each rule is tested against.
		values := func(i int) []string {
			m := &s.m[i]
			switch m.class.t {
			case Path:
				return slices.Collect(func(yield func(string) bool) {
					for v := range pathSet {
						if !yield(v) {
							return
						}
					}
				})
			case CodeOwners:
				return repo
			}
			if m.literal {
				return []string{m.norm}
			}
			return nil
		}
		matches := func(j int, v string) bool {
			if s.m[j].co != nil {
				return s.m[j].co.match(v)
			}
			return s.m[j].g.match(v)
		}
		for i := range rules {
			m := &s.m[i]
			if !m.ok || m.class.needsFiles() && len(in.Files) == 0 {
				continue
			}
			decidedAll, matched := true, false
			var by []int
			for _, v := range values(i) {
				if !matches(i, v) {
					continue
				}
				matched = true
				w := -1
				for j := len(rules) - 1; j > i; j-- {
					if s.m[j].ok && s.m[j].class == m.class && matches(j, v) {
						w = j
						break
					}
				}
				if w < 0 || s.group[w] == s.group[i] {
					decidedAll = false
				} else if !slices.Contains(by, w) {
					by = append(by, w)
				}
			}
			res[i].matched = matched
			if matched && decidedAll && (m.class.needsFiles() || m.literal) {
				res[i].shadowed = true
				slices.Sort(by)
				res[i].by = by
			}
		}
		out = append(out, s.findings(res, len(in.Files) > 0)...)
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		if c := strings.Compare(a.Rule.File, b.Rule.File); c != 0 {
			return c
		}
		return a.Rule.Line - b.Rule.Line
	})
	return out
}

// TestCheckAgreesOnBenchInput runs the comparison on a small version of the benchmark's
// monorepo, whose rules have the shapes the fast paths are for.
func TestCheckAgreesOnBenchInput(t *testing.T) {
	t.Parallel()
	in := CheckInput{Files: benchRepo(3, 4, 3)}
	in.Rules, in.Codeowners = benchRules(t, 120, 3, 4)
	got, want := Check(in), refCheck(in)
	if len(got) == 0 {
		t.Fatal("no findings")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", summarize(got), summarize(want))
	}
}
