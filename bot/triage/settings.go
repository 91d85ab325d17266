package triage

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/releasegate/releasegate/gate"
)

// The triage bot's settings: triage: and playbooks: in .github/releasegate.yml, read by the
// gate's strict loader (gate.LoadSections) so that the file has one parser and one set of
// messages, and every reader of it accepts the other readers' keys. docs/bot.md describes
// every key; a test keeps the two in step.

// Defaults of the settings, for what the file leaves out.
const (
	DefaultMinEvents           = 1
	DefaultMaxIssuesPerComment = CommentIssues
	// maxIssuesPerComment bounds max_issues_per_comment: a longer list is read by nobody, and
	// the comment must stay under GitHub's 65,536 characters.
	maxIssuesPerComment = 50
)

// Settings are what a repository asks of the triage bot, defaults filled in.
type Settings struct {
	// Enabled turns the bot on for the repository (default true); false keeps it quiet: no
	// comment, no ticket, no Sentry links.
	Enabled bool
	// Environments are the Sentry environments whose issues are triaged, e.g. [production]; left
	// out, every environment. An issue first seen elsewhere (staging, a preview) is left alone.
	// Names as in Sentry: no spaces, / or line breaks, at most 64 characters, each once; an empty
	// list is an error (write enabled: false to turn the bot off).
	Environments []string
	// MinEvents is how many events an issue needs before it is triaged (default 1): a one-off
	// error waits until it happens again; an issue below it is left for a later look (the next
	// alert, or the reconcile poll).
	MinEvents int
	// MaxIssuesPerComment is how many issues a PR comment lists, newest first, from 1 to 50
	// (default 10); the rest are counted in a line below the table, and the comment stays under
	// GitHub's 65,536 characters.
	MaxIssuesPerComment int
	// Comments turns the comment on the suspected pull request on or off (default on); with it
	// off, a ticket still names the pull request.
	Comments bool
	// Tickets turns the Jira ticket on or off (default on); off wins over a playbook's ticket:
	// true.
	Tickets bool
	// FixPullRequests opens a pull request with a suggested fix (default off: it writes a branch,
	// so a repository asks for it, and the App needs contents: write).
	FixPullRequests bool
	// OnCallSchedule is the repository path of the on-call schedule, a .yml or .yaml file, e.g.
	// .github/oncall.yml (docs/bot.md has its format): the fix pull request's assignee is read
	// from it at the release's commit. Without it the assignee is the first owner written as a
	// GitHub login (@alice).
	OnCallSchedule string
	// Playbooks are the known problems, in order; the first match is named.
	Playbooks []Playbook
	// File names where the settings were read, as given to the loader; "" when no file was
	// found and these are the defaults.
	File string
}

// DefaultSettings are the settings of a repository without a file, or without triage: in it.
func DefaultSettings() Settings {
	return Settings{
		Enabled: true, MinEvents: DefaultMinEvents, MaxIssuesPerComment: DefaultMaxIssuesPerComment,
		Comments: true, Tickets: true,
	}
}

// Covers says whether an issue seen in environment with events events is triaged.
func (s Settings) Covers(environment string, events int) bool {
	if !s.Enabled || events < s.MinEvents {
		return false
	}
	return len(s.Environments) == 0 || slices.Contains(s.Environments, environment)
}

// OpensTicket says whether an issue gets a Jira ticket: tickets on, and its playbook (if
// any) not saying otherwise.
func (s Settings) OpensTicket(p *Playbook) bool {
	return s.Tickets && (p == nil || p.OpensTicket())
}

// triageKeys is triage: as written. Booleans whose default is true are pointers, so that
// "left out" and "false" differ; a number written as 0 is an error, not the default.
type triageKeys struct {
	Enabled             *bool    `yaml:"enabled"`
	Environments        []string `yaml:"environments"`
	MinEvents           int      `yaml:"min_events"`
	MaxIssuesPerComment int      `yaml:"max_issues_per_comment"`
	Comments            *bool    `yaml:"comments"`
	Tickets             *bool    `yaml:"tickets"`
	FixPullRequests     bool     `yaml:"fix_pull_requests"`
	OnCallSchedule      string   `yaml:"oncall_schedule"`
}

// LoadSettings reads the triage bot's settings from the content of .github/releasegate.yml
// (read from the workspace, or at a release's commit through the GitHub API); file names it
// in messages. The gate's keys are not checked here (the gate checks them), but a key no
// reader knows is an error. The error is a *gate.PolicyError naming file, line and field.
func LoadSettings(data []byte, file string) (*Settings, error) {
	var keys triageKeys
	var playbooks []Playbook
	err := gate.LoadSections(data, file, gate.Sections{
		"triage":    {Value: &keys, Check: checkTriageKeys},
		"playbooks": {Value: &playbooks, Check: checkPlaybookSection},
	})
	if err != nil {
		return nil, err
	}
	s := DefaultSettings()
	s.File = file
	s.Playbooks = playbooks
	s.Environments = keys.Environments
	if keys.Enabled != nil {
		s.Enabled = *keys.Enabled
	}
	if keys.MinEvents != 0 {
		s.MinEvents = keys.MinEvents
	}
	if keys.MaxIssuesPerComment != 0 {
		s.MaxIssuesPerComment = keys.MaxIssuesPerComment
	}
	if keys.Comments != nil {
		s.Comments = *keys.Comments
	}
	if keys.Tickets != nil {
		s.Tickets = *keys.Tickets
	}
	s.FixPullRequests, s.OnCallSchedule = keys.FixPullRequests, keys.OnCallSchedule
	return &s, nil
}

// ReadSettings reads the settings at name in fsys: a work tree (os.DirFS) or a commit's tree.
// label names the file in messages ("" for name). No file means the defaults, with File "".
func ReadSettings(fsys fs.FS, name, label string) (*Settings, error) {
	if label == "" {
		label = name
	}
	data, err := fs.ReadFile(fsys, name)
	if errors.Is(err, fs.ErrNotExist) {
		s := DefaultSettings()
		return &s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the triage settings in %s: %w", label, err)
	}
	return LoadSettings(data, label)
}

func checkTriageKeys(v any, written func(string) bool) []gate.PolicyProblem {
	k := v.(*triageKeys)
	var out []gate.PolicyProblem
	add := func(field, msg string) { out = append(out, gate.PolicyProblem{Field: "triage." + field, Msg: msg}) }
	if written("triage.environments") && len(k.Environments) == 0 {
		add("environments", "an empty list triages nothing: leave the key out for every environment, or write enabled: false")
	}
	seen := map[string]int{}
	for i, e := range k.Environments {
		f := fmt.Sprintf("environments[%d]", i)
		switch {
		case e == "":
			add(f, "must not be empty: write a Sentry environment's name, e.g. production")
		case strings.ContainsAny(e, " /\n\r\t\v\f"):
			add(f, fmt.Sprintf("%q is not a Sentry environment name: it must not contain spaces, '/' or line breaks", e))
		case len(e) > 64:
			add(f, "is longer than 64 characters, Sentry's limit for environment names")
		}
		if j, dup := seen[e]; dup {
			add(f, fmt.Sprintf("%q is also environments[%d]", e, j))
		}
		seen[e] = i
	}
	if written("triage.min_events") && k.MinEvents < 1 {
		add("min_events", fmt.Sprintf("must be at least 1, not %d: leave the key out for the default, %d", k.MinEvents, DefaultMinEvents))
	}
	if written("triage.max_issues_per_comment") && (k.MaxIssuesPerComment < 1 || k.MaxIssuesPerComment > maxIssuesPerComment) {
		add("max_issues_per_comment", fmt.Sprintf("must be between 1 and %d, not %d: leave the key out for the default, %d; comments: false turns the comment off",
			maxIssuesPerComment, k.MaxIssuesPerComment, DefaultMaxIssuesPerComment))
	}
	if written("triage.oncall_schedule") {
		switch sched := k.OnCallSchedule; {
		case sched == "" || strings.HasPrefix(sched, "/") || strings.Contains(sched, "\\") || slices.Contains(strings.Split(sched, "/"), ".."):
			add("oncall_schedule", fmt.Sprintf("%q is not a path of the repository: write it from the repository's root, e.g. .github/oncall.yml", sched))
		case !strings.HasSuffix(sched, ".yml") && !strings.HasSuffix(sched, ".yaml"):
			add("oncall_schedule", fmt.Sprintf("%q is not a YAML file (.yml or .yaml): the schedule's format is in docs/bot.md", sched))
		}
	}
	return out
}

// checkPlaybookSection places CheckPlaybooks' problems ("playbooks[i].field: message").
func checkPlaybookSection(v any, written func(string) bool) []gate.PolicyProblem {
	playbooks := *v.(*[]Playbook)
	var out []gate.PolicyProblem
	if written("playbooks") && len(playbooks) == 0 {
		out = append(out, gate.PolicyProblem{Field: "playbooks", Msg: "an empty list: leave the key out, or list a playbook with its name and match"})
	}
	for _, p := range CheckPlaybooks(playbooks) {
		field, msg, _ := strings.Cut(p, ": ")
		out = append(out, gate.PolicyProblem{Field: field, Msg: msg})
	}
	// A level Sentry never gives would make the playbook match nothing, silently.
	for i, p := range playbooks {
		if l := p.Match.Level; l != "" && !slices.Contains(sentryLevels, l) {
			out = append(out, gate.PolicyProblem{Field: fmt.Sprintf("playbooks[%d].match.level", i),
				Msg: fmt.Sprintf("%q is not a Sentry level: write %s", l, strings.Join(sentryLevels, ", "))})
		}
	}
	return out
}

// sentryLevels are the levels Sentry gives issues.
var sentryLevels = []string{"fatal", "error", "warning", "info", "debug"}
