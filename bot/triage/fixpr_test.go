package triage

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/bot/suggest"
	"github.com/releasegate/releasegate/internal/testenv"
)

// cartSuggestion is a rule's suggestion for the cart TypeError, as bot/suggest returns it.
func cartSuggestion(by string) suggest.Result {
	return suggest.Result{
		Suggested: true, Suggester: by, Family: "undefined-property", Confidence: suggest.High,
		File: "web/src/checkout/cart.js", Line: 42,
		Diff: "--- a/web/src/checkout/cart.js\n+++ b/web/src/checkout/cart.js\n@@ -42 +42 @@\n-  return cart.total;\n+  return cart?.total ?? 0;\n",
		Explanation: "`cart` is undefined when the session expired before checkout; reading `.total` of it throws. " +
			"The guard returns 0 for a missing cart, as the empty cart does.",
		Change: &suggest.Change{Start: 42, End: 42, Old: []string{"  return cart.total;"}, New: []string{"  return cart?.total ?? 0;"}},
	}
}

func fixPull(by string) FixPull {
	is := fullIssue()
	return FixPull{IssueID: "4521", Issue: is, Jira: is.Jira, Suspect: is.Suspicion.Suspect, Suggestion: cartSuggestion(by),
		Release: is.Release, Commit: "2f6c1a9e0b7d4c3f2f6c1a9e0b7d4c3f2f6c1a9e"}
}

func TestFixPullGolden(t *testing.T) {
	t.Parallel()
	hostile := fixPull(suggest.ByModel)
	hostile.Issue.Title = "Error: <img src=x onerror=alert(1)> | [x](javascript:alert(1)) ```"
	hostile.Issue.URL = "javascript:alert(1)"
	hostile.Suggestion.Diff = "@@ -1 +1 @@\n-a ``` b\n+a ```` b\n"
	hostile.Jira, hostile.Suspect = nil, nil
	cases := []struct {
		name string
		in   FixPull
	}{
		{name: "by rules", in: fixPull(suggest.ByRules)},
		{name: "by a model", in: fixPull(suggest.ByModel)},
		{name: "hostile", in: hostile},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := RenderFixBody(tc.in)
			got := "title: " + FixTitle(tc.in) + "\nbranch: " + FixBranch(tc.in.Issue.ShortID) + "\n\n" + body
			testenv.AssertGolden(t, filepath.Join("testdata", "golden", "fixpr-"+fileName(tc.name)+".md"), []byte(got), *update)
			if !strings.HasPrefix(body, FixMarker(tc.in.IssueID)) || !strings.HasSuffix(body, "\nFixes "+tc.in.Issue.ShortID+"\n") {
				t.Errorf("the body does not start with the marker and end with Fixes:\n%s", body)
			}
			if refs := ParseFixes(body); len(refs) != 1 || refs[0].ShortID != tc.in.Issue.ShortID {
				t.Errorf("ParseFixes of the body = %v; want %s alone", refs, tc.in.Issue.ShortID)
			}
			if strings.Contains(strings.ReplaceAll(body, `\]`, ""), "](javascript:") {
				t.Error("a javascript: URL became a link")
			}
		})
	}
	if got := FixTitle(fixPull(suggest.ByRules)); len([]rune(got)) > maxFixTitle || !strings.HasPrefix(got, "WEB-123: TypeError") {
		t.Errorf("FixTitle = %q", got)
	}
	if got := FixBranch("WEB-1A2"); got != "releasegate/fix-web-1a2" {
		t.Errorf("FixBranch = %q", got)
	}
	if msg := FixCommitMessage(fixPull(suggest.ByRules)); !strings.HasSuffix(msg, "\nFixes WEB-123\n") {
		t.Errorf("commit message = %q", msg)
	}
}

func TestReviewCommentGolden(t *testing.T) {
	t.Parallel()
	fenced := cartSuggestion(suggest.ByRules)
	fenced.Change = &suggest.Change{Start: 3, End: 4, New: []string{"const s = ```x```;", "return s;"}}
	cases := []struct {
		name string
		s    suggest.Result
	}{
		{name: "by rules", s: cartSuggestion(suggest.ByRules)},
		{name: "by a model", s: cartSuggestion(suggest.ByModel)},
		{name: "backticks in the change", s: fenced},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := ReviewSuggestion{IssueID: "4521", Issue: fullIssue(), Suggestion: tc.s}
			got := "review: " + RenderReviewBody(in) + "\n\ncomment:\n" + RenderReviewComment(in)
			testenv.AssertGolden(t, filepath.Join("testdata", "golden", "review-"+fileName(tc.name)+".md"), []byte(got), *update)
			if !strings.HasPrefix(RenderReviewBody(in), SuggestionMarker("4521")) {
				t.Error("the review's body does not start with its marker")
			}
		})
	}
}

func TestSuggestionLines(t *testing.T) {
	t.Parallel()
	const patch = "@@ -10,3 +10,4 @@ func f() {\n a\n-b\n+c\n+d\n e\n@@ -40,2 +41,2 @@\n x\n-y\n+z"
	cases := []struct {
		name       string
		patch      string
		change     *suggest.Change
		start, end int
		ok         bool
	}{
		{name: "an added line", patch: patch, change: &suggest.Change{Start: 11, End: 11}, start: 11, end: 11, ok: true},
		{name: "a context line", patch: patch, change: &suggest.Change{Start: 10, End: 10}, start: 10, end: 10, ok: true},
		{name: "the whole first hunk", patch: patch, change: &suggest.Change{Start: 10, End: 13}, start: 10, end: 13, ok: true},
		{name: "the second hunk", patch: patch, change: &suggest.Change{Start: 42, End: 42}, start: 42, end: 42, ok: true},
		{name: "across two hunks", patch: patch, change: &suggest.Change{Start: 12, End: 41}},
		{name: "past a hunk's end", patch: patch, change: &suggest.Change{Start: 13, End: 14}},
		{name: "outside the diff", patch: patch, change: &suggest.Change{Start: 30, End: 30}},
		{name: "an insertion", patch: patch, change: &suggest.Change{Start: 11, End: 10}},
		{name: "no patch", change: &suggest.Change{Start: 1, End: 1}},
		{name: "no change", patch: patch},
		{name: "a broken patch", patch: "@@ -1,3 +1,3 @@\n a", change: &suggest.Change{Start: 1, End: 1}},
		{name: "a one-line hunk header", patch: "@@ -0,0 +1 @@\n+export function render() {}", change: &suggest.Change{Start: 1, End: 1}, start: 1, end: 1, ok: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			start, end, ok, reason := SuggestionLines(tc.patch, tc.change)
			if ok != tc.ok || start != tc.start || end != tc.end || ok == (reason != "") {
				t.Errorf("SuggestionLines = %d, %d, %v, %q; want %d, %d, %v", start, end, ok, reason, tc.start, tc.end, tc.ok)
			}
		})
	}
}
