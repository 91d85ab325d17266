package triage

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/releasegate/releasegate/gate"
)

// Playbook is a known problem: how to recognise its issues and what to do about them (the
// guide's L1 check). It is configured under playbooks: in .github/releasegate.yml, in order;
// the first playbook that matches an issue is the one named.
type Playbook struct {
	// Name is the playbook's name, as the comment and the ticket show it (required; each name
	// once).
	Name string `yaml:"name"`
	// Match says which issues are this problem (required); every field set must match, and at
	// least one must be set: a playbook matching every issue would hide the rest.
	Match PlaybookMatch `yaml:"match"`
	// Runbook is the URL of the page that says what to do: an absolute https:// (or http://) URL.
	Runbook string `yaml:"runbook"`
	// Owner is who handles it ("#payments", an email), before the ownership rules' owner.
	Owner string `yaml:"owner"`
	// Ticket says whether an issue this playbook matches gets a Jira ticket (default true); false
	// for known noise that only needs the comment.
	Ticket *bool `yaml:"ticket"`
}

// PlaybookMatch is what a playbook recognises, in the syntax of the gate's ignore rules:
// globs on the texts (* and ? match '/' too), "key:glob" on tags.
type PlaybookMatch struct {
	Title         string   `yaml:"title"`          // glob on the issue's title
	Culprit       string   `yaml:"culprit"`        // glob on the culprit, the function or route Sentry blames ("app/checkout in *")
	ExceptionType string   `yaml:"exception_type"` // glob on the exception's type ("TimeoutError")
	Level         string   `yaml:"level"`          // exact level ("warning")
	Tags          []string `yaml:"tags"`           // "key:glob" on the event's tags, all must match ("tenant_id:enterprise-*"); user.id is the user's id
}

// IssueFacts are the facts of an issue a playbook can match.
type IssueFacts struct {
	Title         string
	Culprit       string
	ExceptionType string
	Level         string
	Tags          map[string]string // the event's tags; user.id for the user's id
}

// OpensTicket says whether issues matching p get a Jira ticket.
func (p Playbook) OpensTicket() bool { return p.Ticket == nil || *p.Ticket }

// Matches reports whether the issue is p's problem.
func (p Playbook) Matches(is IssueFacts) bool {
	m := p.Match
	if m.empty() {
		return false
	}
	for _, f := range []struct{ glob, text string }{{m.Title, is.Title}, {m.Culprit, is.Culprit}, {m.ExceptionType, is.ExceptionType}} {
		if f.glob != "" && !gate.MatchGlob(f.glob, f.text) {
			return false
		}
	}
	if m.Level != "" && m.Level != is.Level {
		return false
	}
	for _, t := range m.Tags {
		key, glob, _ := strings.Cut(t, ":")
		v, ok := is.Tags[key]
		if !ok || !gate.MatchGlob(glob, v) {
			return false
		}
	}
	return true
}

func (m PlaybookMatch) empty() bool {
	return m.Title == "" && m.Culprit == "" && m.ExceptionType == "" && m.Level == "" && len(m.Tags) == 0
}

// MatchPlaybook returns the first playbook matching the issue, or nil.
func MatchPlaybook(playbooks []Playbook, is IssueFacts) *Playbook {
	for i := range playbooks {
		if playbooks[i].Matches(is) {
			return &playbooks[i]
		}
	}
	return nil
}

// CheckPlaybooks returns a problem per mistake in the playbooks, each naming its field as
// playbooks[i].field, for the loader to place at its line: a playbook matching nothing or
// everything, a malformed glob or tag, a runbook that is not an absolute http(s) URL.
func CheckPlaybooks(playbooks []Playbook) []string {
	var out []string
	add := func(i int, field, msg string) { out = append(out, fmt.Sprintf("playbooks[%d].%s: %s", i, field, msg)) }
	names := map[string]int{}
	for i, p := range playbooks {
		if strings.TrimSpace(p.Name) == "" {
			add(i, "name", "must be set: the comment and the ticket name the playbook")
		} else if j, dup := names[p.Name]; dup {
			add(i, "name", fmt.Sprintf("%q is also playbooks[%d]'s name", p.Name, j))
		} else {
			names[p.Name] = i
		}
		if p.Match.empty() {
			add(i, "match", "set title, culprit, exception_type, level or tags: a playbook matching every issue hides the rest")
		}
		for _, f := range []struct{ field, glob string }{{"title", p.Match.Title}, {"culprit", p.Match.Culprit}, {"exception_type", p.Match.ExceptionType}} {
			if _, err := path.Match(f.glob, ""); f.glob != "" && err != nil {
				add(i, "match."+f.field, fmt.Sprintf("%q is not a valid glob (a '[' without ']', or a '\\' at the end?)", f.glob))
			}
		}
		for j, t := range p.Match.Tags {
			key, glob, ok := strings.Cut(t, ":")
			if _, err := path.Match(glob, ""); !ok || key == "" || glob == "" || err != nil {
				add(i, fmt.Sprintf("match.tags[%d]", j), fmt.Sprintf("must be key:glob, e.g. tenant_id:enterprise-*, not %q", t))
			}
		}
		if p.Runbook != "" {
			if u, err := url.Parse(p.Runbook); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				add(i, "runbook", fmt.Sprintf("%q is not an absolute http(s) URL", p.Runbook))
			}
		}
	}
	return out
}
