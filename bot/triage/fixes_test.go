package triage

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseFixes(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		texts []string
		want  []string
	}{
		"title":                          {texts: []string{"Fixes WEB-123: guard the cart total"}, want: []string{"WEB-123"}},
		"every keyword, any case":        {texts: []string{"fix A-1, FIXES B-2, fixed C-3; close D-4 closes E-5 Closed F-6 resolve G-7 resolves H-8 resolved I-9"}, want: []string{"A-1", "B-2", "C-3", "D-4", "E-5", "F-6", "G-7", "H-8", "I-9"}},
		"colon":                          {texts: []string{"Resolves: FRONT-END-9"}, want: []string{"FRONT-END-9"}},
		"letters in the number":          {texts: []string{"fixes PROJECT-A1B."}, want: []string{"PROJECT-A1B"}},
		"across title, body and commits": {texts: []string{"Cart totals", "This fixes WEB-1.\n\nAlso closes WEB-2", "fix WEB-1 again"}, want: []string{"WEB-1", "WEB-2"}},
		"prose is not an issue":          {texts: []string{"fixes the-bug in the header"}},
		"lower-case ids are prose":       {texts: []string{"fixes web-123"}},
		"a keyword inside a word":        {texts: []string{"prefix WEB-1, unfixed WEB-2, fixer WEB-3"}},
		"no space":                       {texts: []string{"fixes:WEB-1"}},
		"no project part":                {texts: []string{"fixes 123 and fixes #45"}},
		"an id glued to a word":          {texts: []string{"fixes WEB-1x"}},
		"line breaks do not join":        {texts: []string{"fixes\nWEB-1"}},
		"non-ASCII around":               {texts: []string{"é fixes WEB-7 ü"}, want: []string{"WEB-7"}},
		"unicode letter before keyword":  {texts: []string{"éfixes WEB-8"}},
		"markdown code":                  {texts: []string{"`fixes WEB-9`"}, want: []string{"WEB-9"}},
		"underscored slug":               {texts: []string{"closes MY_APP-12"}, want: []string{"MY_APP-12"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, r := range ParseFixes(tt.texts...) {
				got = append(got, r.ShortID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ParseFixes = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzParseFixes: never a panic; each reference is a well-formed short ID, written as such in
// the text right after a keyword, and named once.
func FuzzParseFixes(f *testing.F) {
	f.Add("Fixes WEB-123 and closes FRONT-END-9")
	f.Add("fix: A-1")
	f.Add("éfixes\tB_C-2")
	f.Fuzz(func(t *testing.T, text string) {
		refs := ParseFixes(text)
		seen := map[string]bool{}
		for _, r := range refs {
			if !isShortID(r.ShortID) || !strings.Contains(text, r.ShortID) || seen[r.ShortID] || !slices.Contains(fixKeywords, r.Keyword) {
				t.Fatalf("bad reference %+v from %q", r, text)
			}
			seen[r.ShortID] = true
		}
		if utf8.ValidString(text) && len(refs) > strings.Count(text, "-") {
			t.Fatalf("%d references from %d hyphens", len(refs), strings.Count(text, "-"))
		}
	})
}
