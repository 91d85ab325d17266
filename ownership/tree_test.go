package ownership

import (
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// treeOf is a repository held in memory: its files and the list the loader sees (every
// file of the map unless listed is given, as git would list only some).
func treeOf(files map[string]string, listed ...string) Tree {
	fsys := fstest.MapFS{}
	for name, body := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(body)}
	}
	if listed == nil {
		listed = slices.Sorted(maps.Keys(files))
	}
	return Tree{FS: fsys, Files: listed}
}

// TestLoadProjects loads ownership from an in-memory tree, as the GitHub App will from a
// commit's tree: no disk, no environment, no working directory, so cases run in parallel.
func TestLoadProjects(t *testing.T) {
	t.Parallel()
	webProps := "defaults.org = acme\ndefaults.project = web\nownership.file = rules.sentry\n"
	tests := []struct {
		name   string
		files  map[string]string
		listed []string // nil: every file
		sub    string
		label  func(string) string
		// want is, per project found: its path, then its rules ("file:line text") and
		// problems ("problem file:line: msg").
		want map[string][]string
	}{
		{
			name: "rules file and CODEOWNERS at GitHub's location",
			files: map[string]string{
				"services/web/sentry.properties": webProps + "ownership.codeowners = true\n" +
					"ownership.codeowners.owner.@acme/web = #frontend\n",
				"services/web/rules.sentry": "# rules\npath:src/api/* #backend\n",
				".github/CODEOWNERS":        "/services/web/ @acme/web\n",
				"services/web/src/api/a.ts": "",
			},
			want: map[string][]string{"services/web/sentry.properties": {
				".github/CODEOWNERS:1 codeowners:/services/web/ #frontend",
				"services/web/rules.sentry:2 path:src/api/* #backend",
			}},
		},
		{
			name: "only the folder asked for",
			files: map[string]string{
				"a/sentry.properties": "ownership.rules = path:a/* #a\n",
				"b/sentry.properties": "ownership.rules = path:b/* #b\n",
			},
			sub:  "b",
			want: map[string][]string{"b/sentry.properties": {"b/sentry.properties:1 path:b/* #b"}},
		},
		{
			name:  "labels name files in rules and problems",
			files: map[string]string{"web/sentry.properties": "ownership.file = r\n", "web/r": "path:x #t\n"},
			label: func(rel string) string { return "/repo/" + rel },
			want:  map[string][]string{"web/sentry.properties": {"/repo/web/r:1 path:x #t"}},
		},
		{
			name:  "rules file in a sibling folder",
			files: map[string]string{"svc/web/sentry.properties": "ownership.file = ../shared/rules\n", "svc/shared/rules": "path:x #t\n"},
			want:  map[string][]string{"svc/web/sentry.properties": {"svc/shared/rules:1 path:x #t"}},
		},
		{
			name:   "a file the list does not hold is not a project",
			files:  map[string]string{"web/sentry.properties": "ownership.rules = path:x #t\n", "build/sentry.properties": "x"},
			listed: []string{"web/sentry.properties"},
			want:   map[string][]string{"web/sentry.properties": {"web/sentry.properties:1 path:x #t"}},
		},
		{
			name:  "missing rules file",
			files: map[string]string{"web/sentry.properties": "ownership.file = gone\n"},
			want: map[string][]string{"web/sentry.properties": {
				"problem web/sentry.properties:1: ownership.file: open web/gone: file does not exist"}},
		},
		{
			name:  "rules file outside the repository",
			files: map[string]string{"sentry.properties": "ownership.file = ../rules\n"},
			want: map[string][]string{"sentry.properties": {
				"problem sentry.properties:1: ownership.file: ../rules is outside the repository: keep it inside, so every checkout of the commit has it"}},
		},
		{
			name:  "absolute rules file",
			files: map[string]string{"sentry.properties": "ownership.file = /etc/rules\n"},
			want: map[string][]string{"sentry.properties": {
				"problem sentry.properties:1: ownership.file: /etc/rules: give a path relative to the folder of sentry.properties, inside the repository"}},
		},
		{
			name:  "absolute label, rules file outside the repository",
			files: map[string]string{"web/sentry.properties": "ownership.file = /etc/rules\n"},
			label: func(rel string) string { return "/repo/" + rel },
			want: map[string][]string{"web/sentry.properties": {
				"problem /repo/web/sentry.properties:1: ownership.file: /etc/rules is outside the repository: keep it inside, so every checkout of the commit has it"}},
		},
		{
			name:  "no CODEOWNERS",
			files: map[string]string{"sentry.properties": "ownership.codeowners = true\n"},
			want: map[string][]string{"sentry.properties": {
				"problem sentry.properties:1: ownership.codeowners is true but the repository has no CODEOWNERS (looked for .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS): add one, or set ownership.codeowners.file"}},
		},
		{
			name: "CODEOWNERS named in the settings",
			files: map[string]string{
				"web/sentry.properties": "ownership.codeowners = true\nownership.codeowners.file = OWNERS\nownership.codeowners.owner.@o/t = #t\n",
				"web/OWNERS":            "*.ts @o/t\n",
			},
			want: map[string][]string{"web/sentry.properties": {"web/OWNERS:1 codeowners:*.ts #t"}},
		},
		{
			name:  "syntax problem",
			files: map[string]string{"sentry.properties": "ownership.fallthrough = maybe\nownership.fallthru = true\n"},
			want: map[string][]string{"sentry.properties": {
				"problem sentry.properties:1: ownership.fallthrough: \"maybe\" is not true or false",
				"problem sentry.properties:2: unknown key \"ownership.fallthru\" (did you mean \"ownership.fallthrough\"?)"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tree := treeOf(tt.files, tt.listed...)
			tree.Label = tt.label
			projects, err := LoadProjects(tree, tree.FindProperties(tt.sub))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string][]string{}
			for _, p := range projects {
				var lines []string
				for _, r := range p.Rules() {
					lines = append(lines, r.Position()+" "+r.String())
				}
				for _, pr := range p.Problems {
					lines = append(lines, "problem "+pr.String())
				}
				got[p.Path] = lines
			}
			if !maps.EqualFunc(got, tt.want, slices.Equal) {
				t.Errorf("got\n%s\nwant\n%s", show(got), show(tt.want))
			}
		})
	}
}

func show(m map[string][]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b.WriteString(k + ":\n  " + strings.Join(m[k], "\n  ") + "\n")
	}
	return b.String()
}

// TestProjectDir: each project knows its folder, which decides the files it applies to, and
// the organization and project its file names, even when the file has problems.
func TestProjectDir(t *testing.T) {
	t.Parallel()
	tree := treeOf(map[string]string{
		"sentry.properties":     "defaults.org = acme\ndefaults.project=web\ndefaults.project = shop \n",
		"a/b/sentry.properties": "defaults.project: api\nownership.fallthru = true\n",
	})
	projects, err := LoadProjects(tree, tree.FindProperties(""))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range projects {
		got = append(got, fmt.Sprintf("%q %s/%s %d", p.Dir, p.DefaultOrg, p.DefaultProject, len(p.Problems)))
	}
	if want := []string{`"a/b" /api 1`, `"" acme/shop 1`}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q (path order; the last value of a key, as Java, the duplicate a problem)", got, want)
	}
}

// openLog is an fs.FS that records every name it is asked to open.
type openLog struct {
	fs.FS
	mu    sync.Mutex
	names []string
}

func (o *openLog) Open(name string) (fs.File, error) {
	o.mu.Lock()
	o.names = append(o.names, name)
	o.mu.Unlock()
	return o.FS.Open(name)
}

// FuzzLoadProjects: whatever the settings name as rules file and CODEOWNERS, and wherever the
// sentry.properties is, the loader never panics and asks its tree only for valid paths inside
// it: never an absolute path, never one leading out through "..".
func FuzzLoadProjects(f *testing.F) {
	for _, s := range []struct{ dir, file, codeowners string }{
		{"web", "rules", ""},
		{"", "../rules", "../CODEOWNERS"},
		{"a/b", "../../x", "/etc/passwd"},
		{"a", "./../a/./rules", "..\\..\\x"},
		{"", "/abs", "c:/x"},
		{"x", "", ""},
	} {
		f.Add(s.dir, s.file, s.codeowners)
	}
	f.Fuzz(func(t *testing.T, dir, file, codeowners string) {
		props := path.Join(dir, PropertiesName)
		if !fs.ValidPath(props) {
			return // not a path a tree can hold
		}
		entries := []Entry{{Key: "ownership.file", Value: file}}
		if codeowners != "" {
			entries = append(entries, Entry{Key: "ownership.codeowners", Value: "true"}, Entry{Key: "ownership.codeowners.file", Value: codeowners})
		}
		src := formatProperties(entries)
		log := &openLog{FS: fstest.MapFS{props: {Data: []byte(src)}, "rules": {Data: []byte("path:x #t\n")}}}
		tree := Tree{FS: log, Files: []string{props, "rules"}}
		if _, err := LoadProjects(tree, tree.FindProperties("")); err != nil {
			t.Fatal(err)
		}
		for _, name := range log.names {
			if !fs.ValidPath(name) || name == ".." || strings.HasPrefix(name, "../") {
				t.Fatalf("the loader opened %q (settings file %q, codeowners %q in %q)", name, file, codeowners, dir)
			}
		}
	})
}

// TestFileFrame: a repository file becomes the frame a stack trace would carry: the path
// below its service as filename, the repository path through the code mapping as abs_path.
func TestFileFrame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rel     string
		dir     string
		mapping CodeMapping
		want    Frame
	}{
		{"root service", "src/a.ts", "", CodeMapping{}, Frame{Filename: "src/a.ts", AbsPath: "src/a.ts"}},
		{"nested service", "services/web/src/a.ts", "services/web", CodeMapping{},
			Frame{Filename: "src/a.ts", AbsPath: "services/web/src/a.ts"}},
		{"code mapping", "services/web/src/a.ts", "services/web", CodeMapping{StackRoot: "webpack://web/", SourceRoot: "services/web/"},
			Frame{Filename: "src/a.ts", AbsPath: "webpack://web/src/a.ts"}},
		{"code mapping with a leading slash", "services/web/src/a.ts", "services/web", CodeMapping{StackRoot: "/app/", SourceRoot: "/services/web/"},
			Frame{Filename: "src/a.ts", AbsPath: "/app/src/a.ts"}},
		{"file outside the mapping", "docs/a.md", "", CodeMapping{StackRoot: "/app/", SourceRoot: "services/web/"},
			Frame{Filename: "docs/a.md", AbsPath: "docs/a.md"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := (&Project{Dir: tt.dir, Mapping: tt.mapping}).FileFrame(tt.rel)
			if got != tt.want {
				t.Errorf("FileFrame(%q) = %+v, want %+v", tt.rel, got, tt.want)
			}
		})
	}
}
