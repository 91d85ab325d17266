package main

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/ownership"
)

// TestOwnershipRules: the gate's owners come from every usable sentry.properties, and every
// file that gives none says why, under the project it names ("" when it names none).
func TestOwnershipRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		files  map[string]string
		rules  map[string]int      // rules per project
		broken map[string][]string // notes per project, with DIR for the folder
	}{
		{name: "no sentry.properties: no owners, nothing to say", files: map[string]string{"README.md": "x"}, rules: map[string]int{}, broken: map[string][]string{}},
		{
			name:   "rules of each project",
			files:  map[string]string{"web/sentry.properties": "defaults.project = web\nownership.rules = path:a #t \\\n path:b #t\n", "api/sentry.properties": "defaults.project = api\n"},
			rules:  map[string]int{"web": 2, "api": 0},
			broken: map[string][]string{},
		},
		{
			name:  "a problem",
			files: map[string]string{"sentry.properties": "defaults.project = web\nownership.rules = path:a #t\nownership.fallthrough = maybe\n"},
			rules: map[string]int{},
			broken: map[string][]string{"web": {`no owners from DIR/sentry.properties, which has 1 problem (DIR/sentry.properties:3: ownership.fallthrough: "maybe" is not true or false); ` +
				"`releasegate ownership check` lists them"}},
		},
		{
			name:  "problems, the project unknown",
			files: map[string]string{"sentry.properties": "ownership.file = /etc/outside\nownership.fallthru = true\n"},
			rules: map[string]int{},
			broken: map[string][]string{"": {"no owners from DIR/sentry.properties, which has 2 problems (first: DIR/sentry.properties:1: ownership.file: /etc/outside is outside the repository: keep it inside, so every checkout of the commit has it); " +
				"`releasegate ownership check` lists them"}},
		},
		{
			name:   "rules naming no project",
			files:  map[string]string{"sentry.properties": "ownership.rules = path:a #t\n"},
			rules:  map[string]int{},
			broken: map[string][]string{"": {"no owners from DIR/sentry.properties: it names no single Sentry project; set defaults.project"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for name, body := range tt.files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
					t.Fatal(err)
				}
				writeFile(t, filepath.Join(dir, name), body)
			}
			env := &Factory{Getenv: func(string) string { return "" }, HomeDir: func() (string, error) { return "", nil }}
			got := ownershipRules(context.Background(), env, dir)
			rules := map[string]int{}
			for slug, rs := range got.ByProject {
				rules[slug] = len(rs)
			}
			if !maps.Equal(rules, tt.rules) {
				t.Errorf("rules per project %v, want %v", rules, tt.rules)
			}
			want := map[string][]string{}
			for slug, notes := range tt.broken {
				for _, n := range notes {
					want[slug] = append(want[slug], strings.ReplaceAll(n, "DIR", dir))
				}
			}
			if !maps.EqualFunc(got.Broken, want, slices.Equal) {
				t.Errorf("notes %q, want %q", got.Broken, want)
			}
		})
	}
	t.Run("a folder that cannot be read", func(t *testing.T) {
		t.Parallel()
		got := ownershipRules(context.Background(), &Factory{Getenv: func(string) string { return "" }, HomeDir: func() (string, error) { return "", nil }},
			filepath.Join(t.TempDir(), "gone"))
		if len(got.Broken[""]) != 1 || !strings.HasPrefix(got.Broken[""][0], "no owners from the repository's sentry.properties: ") {
			t.Errorf("notes %q, want one saying the repository could not be read", got.Broken)
		}
	})
}

// TestOwnRulesOnly: sync checks only the rules it sends, without CODEOWNERS', and leaves the
// projects it was given as they were.
func TestOwnRulesOnly(t *testing.T) {
	t.Parallel()
	imp := &ownership.CodeownersImport{Rules: []ownership.Rule{{Text: "codeowners:* #t"}}}
	p := &ownershipProject{Project: &ownership.Project{Label: "sentry.properties", Import: imp}}
	got := ownRulesOnly([]*ownershipProject{p})
	if len(got) != 1 || got[0].Import != nil || got[0].Label != "sentry.properties" {
		t.Errorf("ownRulesOnly gave %+v, want the project without its CODEOWNERS import", got[0].Project)
	}
	if p.Import != imp {
		t.Error("ownRulesOnly dropped the import of the project it was given")
	}
}
