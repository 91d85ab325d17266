package triage

import (
	"fmt"

	"github.com/releasegate/releasegate/bot/suggest"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Issue is one Sentry issue as triaged: what the comment and the ticket say about it.
type Issue struct {
	ShortID     string
	Title       string
	URL         string // the issue's page in Sentry
	Culprit     string
	Level       string
	Events      int64
	Users       int64
	FirstSeen   time.Time
	Release     string
	Environment string
	// Owners are the owners by the ownership rules at the release's commit, deciding rule first
	// ("#checkout", emails); Team is the one the comment names.
	Owners   []string
	Playbook *Playbook
	Blast    *BlastRadius // nil when not measured
	// Duplicates are open issues with the same exception type and top in-app frame in other
	// releases or projects; DuplicatesChecked says the search ran (an empty list is an answer).
	Duplicates        []Link
	DuplicatesChecked bool
	Jira              *Link // nil until the ticket exists
	// Suspicion is why the pull request is suspected (nil when triaged without one).
	Suspicion *Suspicion
	// FixedBy is the pull request that said it fixes the issue (0: none yet).
	FixedBy int
	// Suggestion is the suggested fix, or why none is (nil: not asked, no repository).
	Suggestion *suggest.Result
	// FixPR is the fix pull request opened with the suggestion (nil: none).
	FixPR *Link
}

// Link is another issue (a Sentry issue, a Jira ticket) by its key and page.
type Link struct {
	Key   string
	URL   string
	Title string
}

// Team is the owner the comment names: the playbook's, else the first owner by the rules.
func (is Issue) Team() string {
	if is.Playbook != nil && is.Playbook.Owner != "" {
		return is.Playbook.Owner
	}
	if len(is.Owners) > 0 {
		return is.Owners[0]
	}
	return ""
}

// thousands writes n with comma separators: 1,204.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// when writes a moment to the minute, in UTC; "unknown" for the zero time.
func when(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// rate writes events per hour, to a sensible precision.
func rate(r float64) string {
	switch {
	case r >= 100:
		return thousands(int64(r + 0.5))
	case r >= 10:
		return fmt.Sprintf("%.0f", r)
	default:
		return fmt.Sprintf("%.1f", r)
	}
}

// percent writes a share, to a whole percent unless it is under one.
func percent(p float64) string {
	if p > 0 && p < 1 {
		return "<1%"
	}
	return fmt.Sprintf("%.0f%%", p)
}

// clip shortens s to n characters, on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return strings.TrimRight(string([]rune(s)[:n-1]), " ") + "…"
}

// tenantsText is the blast radius's tenants in words: "14 tenants (acme 41%, globex 12%)".
func tenantsText(b *BlastRadius) string {
	if !b.TenantsKnown {
		return "tenants unknown (no tenant_id tag)"
	}
	s := countWord(b.Tenants, "tenant")
	var top []string
	for _, t := range b.TopTenants {
		top = append(top, clip(t.Tenant, 40)+" "+percent(t.Percent))
	}
	if len(top) > 0 {
		s += " (" + strings.Join(top, ", ") + ")"
	}
	return s
}

func usersText(b *BlastRadius) string {
	if b.UsersFrom == "" {
		return "users unknown (no user on the events)"
	}
	return countWord(b.Users, "user")
}

func countWord(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return thousands(n) + " " + word + "s"
}
