package ownership

import (
	"slices"
	"testing"
)

// TestNormalizeRaw: differences Sentry does not keep do not count as changes, so a second
// sync sends nothing.
func TestNormalizeRaw(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, a, b string }{
		{"CRLF", "path:a #t\r\npath:b #t", "path:a #t\npath:b #t"},
		{"trailing spaces", "path:a #t  \npath:b #t\t", "path:a #t\npath:b #t"},
		{"trailing blank lines", "path:a #t\n\n\n", "path:a #t"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if NormalizeRaw(tt.a) != NormalizeRaw(tt.b) {
				t.Errorf("%q and %q differ after normalizing", tt.a, tt.b)
			}
		})
	}
	if NormalizeRaw("path:a #t\npath:b #t") == NormalizeRaw("path:b #t\npath:a #t") {
		t.Error("rule order was ignored; it decides who owns what")
	}
}

// TestPlanSync: only what the file sets is compared, and a plan names each change; what
// already matches plans nothing.
func TestPlanSync(t *testing.T) {
	t.Parallel()
	config := func(src string) *Config {
		t.Helper()
		c, err := LoadConfig([]byte(src), "sentry.properties", nil)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name    string
		src     string
		cur     Settings
		changes []string
		raw     *string // the rules sent; nil: left alone
		diff    string
	}{
		{name: "nothing set", src: "defaults.project = web\n", cur: Settings{Raw: "path:x #t", Fallthrough: true}},
		{name: "the same rules", src: "ownership.rules = path:a #t \\\n path:b #u\n", cur: Settings{Raw: "path:a #t\r\npath:b #u\n\n"}},
		{
			name: "a rule added", src: "ownership.rules = path:a #t \\\n path:b #u\n", cur: Settings{Raw: "path:a #t"},
			changes: []string{"rules: 1 line added, 0 lines removed"}, raw: ptrS("path:a #t\npath:b #u"),
			diff: "--- sentry\n+++ repository\n@@ -1,1 +1,2 @@\n path:a #t\n+path:b #u\n",
		},
		{
			name: "an empty list clears Sentry's rules", src: "ownership.rules =\n", cur: Settings{Raw: "path:a #t\npath:b #u"},
			changes: []string{"rules: 0 lines added, 2 lines removed"}, raw: ptrS(""),
			diff: "--- sentry\n+++ repository\n@@ -1,2 +0,0 @@\n-path:a #t\n-path:b #u\n",
		},
		{
			name: "settings", src: "ownership.fallthrough = false\nownership.autoAssignment = off\nownership.codeownersAutoSync = true\n",
			cur: Settings{Fallthrough: true, AutoAssignment: AutoAssignIssueOwner},
			changes: []string{"fallthrough: true → false", `autoAssignment: "Auto Assign to Issue Owner" → "Turn off Auto-Assignment"`,
				"codeownersAutoSync: false → true"},
		},
		{name: "settings that match", src: "ownership.fallthrough = true\n", cur: Settings{Fallthrough: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := PlanSync(config(tt.src), tt.cur)
			if !slices.Equal(p.Changes, tt.changes) {
				t.Errorf("changes %q, want %q", p.Changes, tt.changes)
			}
			if (p.Raw == nil) != (tt.raw == nil) || p.Raw != nil && *p.Raw != *tt.raw {
				t.Errorf("raw %v, want %v", deref(p.Raw), deref(tt.raw))
			}
			if p.Diff != tt.diff {
				t.Errorf("diff\n%s\nwant\n%s", p.Diff, tt.diff)
			}
			if len(tt.changes) == 0 && (p.Raw != nil || p.Fallthrough != nil || p.AutoAssignment != "" || p.CodeownersAutoSync != nil) {
				t.Errorf("nothing changes, but the plan sends %+v", p)
			}
		})
	}
}

func ptrS(s string) *string { return &s }

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
