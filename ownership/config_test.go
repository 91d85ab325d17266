package ownership

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fakeFiles serves LoadConfig's readFile from a map.
func fakeFiles(files map[string]string) func(string) ([]byte, error) {
	return func(name string) ([]byte, error) {
		s, ok := files[filepath.ToSlash(name)]
		if !ok {
			return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
		}
		return []byte(s), nil
	}
}

func ptr(b bool) *bool { return &b }

func TestLoadConfig(t *testing.T) {
	t.Parallel()
	type rule struct {
		File string
		Line int
		Rule string
	}
	tests := []struct {
		name  string
		src   string
		files map[string]string
		want  Config // Rules left out: compared through rules
		rules []rule
	}{
		{name: "empty", src: ""},
		{
			name: "every setting",
			src: "defaults.url=https://sentry.example/\ndefaults.org=acme\ndefaults.project=web\nauth.token=x\n" +
				"http.verify_ssl=false\ncli.executable=node_modules/.bin/sentry-cli\n" +
				"ownership.codeowners = true\nownership.fallthrough = false\n" +
				"ownership.autoAssignment = Auto Assign to Suspect Commits\nownership.codeownersAutoSync=TRUE\n",
			want: Config{CodeownersImport: true, Fallthrough: ptr(false), AutoAssignment: AutoAssignSuspectCommits, CodeownersAutoSync: ptr(true)},
		},
		{name: "autoAssignment short issue-owner", src: "ownership.autoAssignment=issue-owner", want: Config{AutoAssignment: AutoAssignIssueOwner}},
		{name: "autoAssignment short off", src: "ownership.autoAssignment: off", want: Config{AutoAssignment: AutoAssignOff}},
		{name: "autoAssignment exact off", src: "ownership.autoAssignment Turn off Auto-Assignment", want: Config{AutoAssignment: AutoAssignOff}},
		{name: "codeowners false", src: "ownership.codeowners=false", want: Config{}},
		{name: "empty rules clear Sentry's", src: "ownership.rules =", want: Config{RulesGiven: true}},
		{
			name: "codeowners import settings",
			src: "ownership.codeowners=true\nownership.codeowners.stackRoot = webpack://app/\nownership.codeowners.sourceRoot= web/\n" +
				"ownership.codeowners.owner.@Acme/Web = #frontend\nownership.codeowners.owner.@alice = Alice@Example.com\n" +
				"ownership.codeowners.file = ../CODEOWNERS\n",
			files: map[string]string{},
			want: Config{CodeownersImport: true, Codeowners: CodeownersSettings{
				File: filepath.Join("svc", "CODEOWNERS"), StackRoot: "webpack://app/", SourceRoot: "web/",
				Owners:     map[string]Owner{"@acme/web": {Team, "frontend"}, "@alice": {User, "alice@example.com"}},
				OwnerLines: map[string]int{"@acme/web": 4, "@alice": 5},
			}},
		},
		{
			name: "inline rules one a line",
			src: "# rules\nownership.rules = \\\n    path:src/api/* #backend \\\n    *.js   #frontend a@b.co\\\n" +
				"    \\# escaped, still a comment\\\n    tags.transaction:\"/checkout page\"\\u0020#payments\\\n\n",
			want: Config{RulesGiven: true},
			rules: []rule{{"p", 3, "path:src/api/* #backend"}, {"p", 4, "path:*.js #frontend a@b.co"},
				{"p", 6, "tags.transaction:/checkout page #payments"}},
		},
		{
			name:  "inline rule on the key line and escaped newline",
			src:   "ownership.rules = url:*/checkout* #web\\nmodule:app.* #core\\\n  path:/docs/ x@y.io\n",
			want:  Config{RulesGiven: true},
			rules: []rule{{"p", 1, "url:*/checkout* #web"}, {"p", 1, "module:app.* #core"}, {"p", 2, "path:/docs/ x@y.io"}},
		},
		{
			name:  "inline rules with comments and blank segments",
			src:   "ownership.rules = \\\n  # who owns the API\\\n  \\\n  path:api/** #backend\n",
			want:  Config{RulesGiven: true},
			rules: []rule{{"p", 4, "path:api/** #backend"}},
		},
		{
			name:  "CRLF and BOM",
			src:   "\uFEFFownership.fallthrough=true\r\nownership.rules=\\\r\n  path:a #t\\\r\n  path:b #u\r\n",
			want:  Config{Fallthrough: ptr(true), RulesGiven: true},
			rules: []rule{{"p", 3, "path:a #t"}, {"p", 4, "path:b #u"}},
		},
		{
			name:  "numbered rules sort numerically",
			src:   "ownership.rule.10 = path:c #c\nownership.rule.2 = path:b #b\nownership.rule.1 = path:a #a\n",
			want:  Config{RulesGiven: true},
			rules: []rule{{"p", 3, "path:a #a"}, {"p", 2, "path:b #b"}, {"p", 1, "path:c #c"}},
		},
		{
			name:  "rules file relative to the properties file",
			src:   "\n\nownership.file = ../OWNERS.sentry\n",
			files: map[string]string{"svc/OWNERS.sentry": "# owners\n\npath:src/* #web\n*.go x@y.io\n"},
			want:  Config{RulesFile: filepath.Join("svc", "OWNERS.sentry"), RulesGiven: true},
			rules: []rule{{filepath.Join("svc", "OWNERS.sentry"), 3, "path:src/* #web"}, {filepath.Join("svc", "OWNERS.sentry"), 4, "path:*.go x@y.io"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			file := "p"
			if tt.files != nil {
				file = "svc/app/sentry.properties"
			}
			cfg, err := LoadConfig([]byte(tt.src), file, fakeFiles(tt.files))
			if err != nil {
				t.Fatal(err)
			}
			var got []rule
			for _, r := range cfg.Rules {
				f := r.File
				if f == file {
					f = "p"
				}
				got = append(got, rule{f, r.Line, r.String()})
			}
			if !reflect.DeepEqual(got, tt.rules) {
				t.Errorf("rules\n got %+v\nwant %+v", got, tt.rules)
			}
			cfg.Rules = nil
			tt.want.File = file
			if !reflect.DeepEqual(*cfg, tt.want) {
				t.Errorf("config\n got %+v\nwant %+v", *cfg, tt.want)
			}
		})
	}
}

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string // problems, "file:line: message" (message may be a prefix)
	}{
		{"typo ownership key", "ownership.fallthru=true", []string{`p:1: unknown key "ownership.fallthru" (did you mean "ownership.fallthrough"?)`}},
		{"typo prefix", "\nowership.rules=path:a #t", []string{`p:2: unknown key "owership.rules" (did you mean "ownership.rules"?)`}},
		{"case of camel key", "ownership.autoassignment=off", []string{`p:1: unknown key "ownership.autoassignment" (did you mean "ownership.autoAssignment"?)`}},
		{"typo cli key", "defaults.projct=x", []string{`p:1: unknown key "defaults.projct" (did you mean "defaults.project"?)`}},
		{"unrelated key", "colour=blue", []string{`p:1: unknown key "colour"`}},
		{"bad boolean", "ownership.fallthrough=yes\nownership.codeowners=1\nownership.codeownersAutoSync=", []string{
			`p:1: ownership.fallthrough: "yes" is not true or false`,
			`p:2: ownership.codeowners: "1" is not true or false`,
			`p:3: ownership.codeownersAutoSync: "" is not true or false`}},
		{"bad autoAssignment", "ownership.autoAssignment=always", []string{`p:1: ownership.autoAssignment: "always" is not one of`}},
		{"duplicate key", "ownership.fallthrough=true\n\nownership.fallthrough=false", []string{`p:3: ownership.fallthrough is set again (first set on line 1)`}},
		{"bad escape", "ownership.rules=\\u00G0", []string{`p:1: malformed \uXXXX escape`}},
		{"a bad escape hides no other problem", "colour=blue\nownership.rules=path:a #t \\u00G0\nownership.fallthrough=yes\n", []string{
			`p:1: unknown key "colour"`, `p:2: malformed \uXXXX escape`, `p:3: ownership.fallthrough: "yes" is not true or false`}},
		{"inline rule errors name the properties line", "x.y=1\nownership.rules=\\\n  path:a #t\\\n  Path:b #t\\\n  path:c NotAnEmail\n", []string{
			`p:1: unknown key "x.y"`, `p:4: `, `p:5: `}},
		{"tab from an escape", "ownership.rules=path:a\\t#t", []string{`p:1: tab character`}},
		{"numbered rule error", "ownership.rule.1=path:a #t\nownership.rule.2=tag:x #t", []string{`p:2: `}},
		{"numbered rule bad number", "ownership.rule.a=path:a #t\nownership.rule.0=path:a #t\nownership.rule.+3=path:a #t", []string{
			`p:1: ownership.rule.a: the number`, `p:2: ownership.rule.0: the number`, `p:3: ownership.rule.+3: the number`}},
		{"numbered rule same number", "ownership.rule.1=path:a #t\nownership.rule.01=path:b #t", []string{`p:2: ownership.rule.01 is the same rule number as ownership.rule.1 on line 1`}},
		{"numbered rule empty", "ownership.rule.1=", []string{`p:1: ownership.rule.1 holds no rule`}},
		{"numbered rule several lines", `ownership.rule.1=path:a #t\npath:b #t`, []string{`p:1: ownership.rule.1 holds more than one line`}},
		{"two sources", "ownership.rules=path:a #t\nownership.rule.1=path:b #t\nownership.file=O", []string{
			`p:1: rules are given by ownership.rules (line 1) and ownership.rule.<n> (line 2) and ownership.file (line 3): use only one of them`}},
		{"rules file missing", "ownership.file=NOPE", []string{`p:1: ownership.file: open NOPE: file does not exist`}},
		{"rules file empty name", "ownership.file=", []string{`p:1: ownership.file is empty`}},
		{"rules file errors use its lines", "\nownership.file=O\n", []string{`O:3: `}},
		{"hand-written codeowners rule", "ownership.rules=path:a #t\\\n codeowners:/docs/ #t", []string{
			`p:2: codeowners:/docs/: Sentry accepts codeowners: rules only from a CODEOWNERS import`}},
		{"codeowners rule in the rules file", "ownership.file=C", []string{`C:2: codeowners:*.go: Sentry accepts`}},
		{"codeowners settings without the import", "ownership.codeowners.stackRoot=app/\nownership.codeowners.sourceRoot=src/", []string{
			`p:1: ownership.codeowners.* settings are given but ownership.codeowners is not true`}},
		{"half a code mapping", "ownership.codeowners=true\nownership.codeowners.stackRoot=app/", []string{
			`p:2: a code mapping needs both ownership.codeowners.stackRoot and ownership.codeowners.sourceRoot`}},
		{"bad codeowners owner mapping", "ownership.codeowners=true\nownership.codeowners.owner.@acme/web=@web\n" +
			"ownership.codeowners.owner.web=#web\nownership.codeowners.owner.@Acme/Web=#x\nownership.codeowners.owner.@bob=", []string{
			`p:2: ownership.codeowners.owner.@acme/web: owner "@web" is neither a #team nor an email: GitHub handles are not Sentry owners`,
			`p:3: ownership.codeowners.owner.web: "web" is not a GitHub owner`,
			`p:5: ownership.codeowners.owner.@bob: no owner given`}},
		{"codeowners owner mapped twice", "ownership.codeowners=true\nownership.codeowners.owner.@acme/web=#web\nownership.codeowners.owner.@ACME/web=#x", []string{
			`p:3: ownership.codeowners.owner.@ACME/web maps @acme/web again (first mapped on line 2)`}},
		{"empty codeowners file", "ownership.codeowners=true\nownership.codeowners.file=", []string{`p:2: ownership.codeowners.file is empty`}},
	}
	files := map[string]string{"O": "path:a #t\n\nurls:x #t\n", "C": "path:a #t\ncodeowners:*.go #t\n"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadConfig([]byte(tt.src), "p", fakeFiles(files))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a *ParseError", err)
			}
			if len(pe.Problems) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(pe.Problems), len(tt.want), err)
			}
			for i, p := range pe.Problems {
				if !strings.HasPrefix(p.String(), tt.want[i]) {
					t.Errorf("problem %d:\n got %s\nwant %s…", i, p, tt.want[i])
				}
			}
		})
	}
}

func TestLoadConfigReadFileError(t *testing.T) {
	t.Parallel()
	_, err := LoadConfig([]byte("ownership.file=/abs/O"), "dir/p", func(name string) ([]byte, error) {
		if name != "/abs/O" && name != filepath.FromSlash("/abs/O") {
			t.Errorf("read %q", name)
		}
		return nil, errors.New("boom")
	})
	if err == nil || !strings.Contains(err.Error(), "dir/p:1: ownership.file: boom") {
		t.Errorf("got %v", err)
	}
	_, err = LoadConfig([]byte("ownership.file=O"), "p", nil)
	if err == nil || !strings.Contains(err.Error(), "p:1: ownership.file: no way to read O here") {
		t.Errorf("nil readFile: got %v", err)
	}
}

// TestDocExample keeps the first example of docs/ownership.md loading.
func TestDocExample(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/ownership.md")
	if err != nil {
		t.Skip(err)
	}
	_, rest, _ := strings.Cut(string(doc), "```properties\n")
	block, _, _ := strings.Cut(rest, "```")
	cfg, err := LoadConfig([]byte(block), "sentry.properties", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Rules) != 3 || cfg.Rules[2].Line != 11 || cfg.Fallthrough == nil || *cfg.Fallthrough ||
		cfg.AutoAssignment != AutoAssignIssueOwner || !cfg.CodeownersImport || cfg.CodeownersAutoSync == nil || !*cfg.CodeownersAutoSync {
		t.Errorf("got %+v", cfg)
	}
}

// FuzzLoadConfig checks that LoadConfig never panics, fails only with a *ParseError, and
// gives every rule a position.
func FuzzLoadConfig(f *testing.F) {
	f.Add([]byte("ownership.rules=\\\n  path:a #t\\\n  *.js x@y.io\nownership.fallthrough=true\n"))
	f.Add([]byte("ownership.rule.2=url:x #t\nownership.rule.1=module:y #u\nownership.autoAssignment=off"))
	f.Add([]byte("ownership.file=O\nownership.fallthru=1\ndefaults.org=x\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		cfg, err := LoadConfig(src, "p", fakeFiles(map[string]string{"O": "path:a #t\n"}))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || len(pe.Problems) == 0 {
				t.Fatalf("error %v is not a non-empty *ParseError", err)
			}
			return
		}
		for _, r := range cfg.Rules {
			if r.Line < 1 || r.File == "" || r.Pattern == "" {
				t.Fatalf("bad rule %+v", r)
			}
		}
	})
}
