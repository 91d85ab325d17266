package ownership

import (
	"fmt"
	"strings"

	"github.com/rogpeppe/go-internal/diff"
)

// Settings are a project's ownership as Sentry holds it, which a sync compares with.
type Settings struct {
	Raw                string
	Fallthrough        bool
	AutoAssignment     string
	CodeownersAutoSync bool
}

// SyncPlan is what makes Sentry's settings match a Config: the fields to send (nil or "":
// leave Sentry's value alone) and the changes in words.
type SyncPlan struct {
	Raw                *string
	Fallthrough        *bool
	AutoAssignment     string
	CodeownersAutoSync *bool
	// Changes say what changes, one line each ("fallthrough: true → false"); empty when
	// Sentry already matches.
	Changes []string
	// Diff is the change to the rules text in unified diff form, from Sentry's to the
	// repository's ("" when the rules agree).
	Diff string
}

// Manages says whether the config sets anything a sync sends: rules, or one of the settings.
// A sentry.properties without ownership.* keys leaves its project alone.
func (c *Config) Manages() bool {
	return c.RulesGiven || c.Fallthrough != nil || c.AutoAssignment != "" || c.CodeownersAutoSync != nil
}

// PlanSync works out the update that makes Sentry's settings (cur) match the config. Only
// what the config sets is compared; CODEOWNERS rules are not part of it (Sentry imports
// CODEOWNERS itself). Rules texts are compared after NormalizeRaw, so a second sync after a
// successful one plans nothing.
func PlanSync(cfg *Config, cur Settings) SyncPlan {
	var p SyncPlan
	if cfg.RulesGiven {
		want := RulesText(cfg.Rules)
		if NormalizeRaw(want) != NormalizeRaw(cur.Raw) {
			p.Raw = &want
			p.Diff = rulesDiff(NormalizeRaw(cur.Raw), NormalizeRaw(want))
			added, removed := 0, 0
			for l := range strings.SplitSeq(p.Diff, "\n") {
				switch {
				case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
				case strings.HasPrefix(l, "+"):
					added++
				case strings.HasPrefix(l, "-"):
					removed++
				}
			}
			p.Changes = append(p.Changes, fmt.Sprintf("rules: %s added, %s removed", lines(added), lines(removed)))
		}
	}
	if cfg.Fallthrough != nil && *cfg.Fallthrough != cur.Fallthrough {
		p.Fallthrough = cfg.Fallthrough
		p.Changes = append(p.Changes, fmt.Sprintf("fallthrough: %t → %t", cur.Fallthrough, *cfg.Fallthrough))
	}
	if cfg.AutoAssignment != "" && cfg.AutoAssignment != cur.AutoAssignment {
		p.AutoAssignment = cfg.AutoAssignment
		p.Changes = append(p.Changes, fmt.Sprintf("autoAssignment: %q → %q", cur.AutoAssignment, cfg.AutoAssignment))
	}
	if cfg.CodeownersAutoSync != nil && *cfg.CodeownersAutoSync != cur.CodeownersAutoSync {
		p.CodeownersAutoSync = cfg.CodeownersAutoSync
		p.Changes = append(p.Changes, fmt.Sprintf("codeownersAutoSync: %t → %t", cur.CodeownersAutoSync, *cfg.CodeownersAutoSync))
	}
	return p
}

func lines(n int) string {
	if n == 1 {
		return "1 line"
	}
	return fmt.Sprintf("%d lines", n)
}

// RulesText is the rules as a sync sends them: each rule's own text, one a line. Comments
// stay in the repository.
func RulesText(rules []Rule) string {
	out := make([]string, len(rules))
	for i, r := range rules {
		out[i] = strings.TrimSpace(r.Text)
	}
	return strings.Join(out, "\n")
}

// NormalizeRaw makes rules texts comparable: line endings, trailing spaces and blank lines
// at the end do not change what Sentry stores. Order does: it decides who owns what.
func NormalizeRaw(s string) string {
	ls := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	for i, l := range ls {
		ls[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimRight(strings.Join(ls, "\n"), "\n")
}

// rulesDiff is a unified diff from Sentry's rules to the repository's, without the "diff"
// header line.
func rulesDiff(cur, want string) string {
	text := func(s string) []byte {
		if s == "" {
			return nil
		}
		return []byte(s + "\n")
	}
	d := string(diff.Diff("sentry", text(cur), "repository", text(want)))
	if i := strings.Index(d, "\n"); strings.HasPrefix(d, "diff ") && i >= 0 {
		d = d[i+1:]
	}
	return d
}
