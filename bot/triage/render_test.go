package triage

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/releasegate/releasegate/internal/richtext"
	"github.com/releasegate/releasegate/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/ with the current output")

func suspicion() *Suspicion {
	const file = "web/src/checkout/cart.js"
	return func() *Suspicion {
		s := FindSuspect(Location{Path: file, Line: 42, From: "absPath"}, []PullRequest{
			{Number: 512, Title: "Cart totals with stacked discounts", Author: "mara", URL: "https://github.com/acme/shop/pull/512", MergeCommit: "2f6c1a9",
				MergedAt: t0.Add(-3 * time.Hour), Files: []ChangedFile{{Path: file, Patch: "@@ -40,3 +40,4 @@\n a\n b\n+c\n d\n"}}},
			{Number: 515, Title: "Search facets", Author: "li", URL: "https://github.com/acme/shop/pull/515", MergedAt: t0.Add(-2 * time.Hour),
				Files: []ChangedFile{{Path: "web/src/search/query.ts"}}},
		})
		return &s
	}()
}

func fullIssue() Issue {
	blast := Blast(BlastInput{Events: 1204, UserCount: 300, FirstSeen: t0, LastSeen: t0.Add(5 * time.Hour), Now: t0.Add(6 * time.Hour),
		Tenants: &TagDistribution{Key: "tenant_id", UniqueValues: 14, TotalValues: 1100, Top: []TagValue{{Value: "acme-retail", Count: 451}, {Value: "globex", Count: 132}}},
		Users:   &TagDistribution{Key: "user", UniqueValues: 312}})
	return Issue{ShortID: "WEB-123", Title: "TypeError: Cannot read properties of undefined (reading 'total')", URL: "https://acme.sentry.io/issues/4521/",
		Culprit: "app:///src/checkout/cart.js in cartTotal", Level: "error", Events: 1204, Users: 312, FirstSeen: t0, Release: "web@2f6c1a9e0b7d",
		Environment: "production", Owners: []string{"#checkout", "mara@acme.example"},
		Playbook: &Playbook{Name: "Stale cart after deploy", Runbook: "https://wiki.acme.example/runbooks/stale-cart", Owner: "#checkout-oncall"},
		Blast:    &blast, DuplicatesChecked: true,
		Duplicates: []Link{{Key: "MOBILE-88", URL: "https://acme.sentry.io/issues/9001/", Title: "TypeError: Cannot read properties of undefined (reading 'total')"}},
		Jira:       &Link{Key: "SHOP-4521", URL: "https://acme.atlassian.net/browse/SHOP-4521"}, Suspicion: suspicion()}
}

func TestRenderCommentGolden(t *testing.T) {
	t.Parallel()
	hostile := fullIssue()
	hostile.ShortID = "WEB-9"
	hostile.Title = "Error: <img src=x onerror=alert(1)> | col | [link](javascript:alert(1)) **bold** `code`\nsecond line"
	hostile.URL = "javascript:alert(1)"
	hostile.Owners = []string{"#team|x"}
	hostile.Playbook = nil
	hostile.Jira = nil
	var many []Issue
	for i := range 13 {
		is := fullIssue()
		is.ShortID = fmt.Sprintf("WEB-%d", 100+i)
		is.FirstSeen = t0.Add(time.Duration(i) * time.Minute)
		is.Duplicates = nil
		many = append(many, is)
	}
	fixed := fullIssue()
	fixed.FixedBy = 530
	noSuspicion := fullIssue()
	noSuspicion.Suspicion, noSuspicion.Blast, noSuspicion.Playbook, noSuspicion.Duplicates = nil, nil, nil, nil
	tests := map[string][]Issue{
		"one issue":                {fullIssue()},
		"hostile title":            {hostile},
		"capped to the newest ten": many,
		"fixed by a later pull":    {fixed},
		"without details":          {noSuspicion},
		"no issues left":           nil,
	}
	for name, issues := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := RenderComment(issues)
			if !IsTriageComment(got) {
				t.Error("the comment does not start with its marker")
			}
			testenv.AssertGolden(t, filepath.Join("testdata", "comments", fileName(name)+".md"), []byte(got), *update)
		})
	}
}

// TestCommentStaysUnderGitHubsLimit: however long what comes from outside, the comment fits.
func TestCommentStaysUnderGitHubsLimit(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ü<|>", 20000)
	var issues []Issue
	for i := range 40 {
		is := fullIssue()
		is.ShortID, is.Title, is.Release, is.Environment = long, long, long, long
		is.Owners = []string{long}
		is.Playbook = &Playbook{Name: long, Owner: long, Runbook: "https://x.example/" + strings.Repeat("a", 5000)}
		is.FirstSeen = t0.Add(time.Duration(i) * time.Minute)
		for range 50 {
			is.Duplicates = append(is.Duplicates, Link{Key: long, URL: "https://x.example/" + strings.Repeat("b", 480)})
		}
		is.Blast.TopTenants = append(is.Blast.TopTenants, Share{Tenant: long, Percent: 3})
		is.Suspicion.Suspect.Path = long
		issues = append(issues, is)
	}
	got := RenderComment(issues)
	if n := utf8.RuneCountInString(got); n > MaxCommentLength {
		t.Fatalf("%d characters, over GitHub's %d", n, MaxCommentLength)
	}
	if !strings.Contains(got, "30 older issues not shown") {
		t.Errorf("the issues left out are not counted (%d characters)", utf8.RuneCountInString(got))
	}
	if strings.Contains(got, "<|>") {
		t.Error("outside text reached the comment unescaped")
	}
}

// ticketInputs are the tickets the golden files show, in Markdown here and in Jira's formats
// in ticket_jira_test.go.
func ticketInputs() map[string]TicketInput {
	exceptions := []Exception{{Type: "TypeError", Value: "Cannot read properties of undefined (reading 'total')", Frames: []Frame{
		{Filename: "app:///node_modules/react-dom/cjs/react-dom.production.min.js", Function: "commitRoot", LineNo: 5409},
		{Filename: "app:///src/checkout/CartPage.jsx", Function: "CartPage", LineNo: 27, InApp: true},
		{Filename: "app:///src/checkout/cart.js", Function: "cartTotal", LineNo: 42, InApp: true},
	}}}
	none := fullIssue()
	s := FindSuspect(Location{Path: "web/src/checkout/cart.js", Line: 42}, []PullRequest{{Number: 515, Title: "Search facets", URL: "https://github.com/acme/shop/pull/515", Author: "li", MergedAt: t0}})
	none.Suspicion, none.Playbook, none.Owners, none.Blast, none.DuplicatesChecked, none.Jira = &s, nil, nil, nil, false, nil
	return map[string]TicketInput{
		"suspect, playbook, everything measured": {Issue: fullIssue(), Exceptions: exceptions, StackResolved: true, OwnerAssigned: true},
		"no suspect: the candidates are named":   {Issue: none, Exceptions: exceptions},
	}
}

func TestTicketGolden(t *testing.T) {
	t.Parallel()
	for name, in := range ticketInputs() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			tk := NewTicket(in)
			got := "summary: " + tk.Summary + "\n\n" + richtext.Markdown(tk.Body)
			testenv.AssertGolden(t, filepath.Join("testdata", "tickets", fileName(name)+".md"), []byte(got), *update)
		})
	}
}

func fileName(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, strings.ToLower(name))
}
