// Package issueowners names the owners of a Sentry issue with the ownership rules kept in the
// repository: the issue's latest event, fetched from Sentry, matched against the rules of the
// sentry.properties that names the issue's project. `ownership explain --issue` and the
// gate's report of failing issues both ask it, so both name the same owners.
//
// A sentry.properties whose rules cannot be used (a syntax error, no project named) must not
// quietly leave issues without owners: Lookup keeps a note for each such file that could have
// named the owners of an issue it was asked about, for the report to show.
package issueowners

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/ownership"
)

// FetchError is Sentry refusing or failing to give an issue's latest event. What says what
// was being fetched, so the caller can classify Err (a configuration error, an outage) and
// word its message.
type FetchError struct {
	What string
	Err  error
}

func (e *FetchError) Error() string { return e.What + ": " + e.Err.Error() }
func (e *FetchError) Unwrap() error { return e.Err }

// ErrorKind is the kind of Sentry's refusal or failure: errkind.Config when Sentry refused
// the configuration (the token, its scopes, the organization), else errkind.Undecided.
func (e *FetchError) ErrorKind() errkind.Kind {
	if errors.Is(e.Err, sentryapi.ErrMisconfigured) {
		return errkind.Config
	}
	return errkind.Undecided
}

// IssueEvent is LatestEvent for an issue given as people give it: its numeric ID, or its short
// ID (WEB-1A), which is looked up first. Sentry's failures are a *FetchError.
func IssueEvent(ctx context.Context, c *sentryapi.Client, org, issue string) (ownership.Event, string, error) {
	id := issue
	if !IsNumericID(issue) {
		look, err := c.ResolveShortID(ctx, org, issue)
		if err != nil {
			return ownership.Event{}, "", &FetchError{What: "looking up issue " + issue, Err: err}
		}
		id = string(look.GroupID)
	}
	return LatestEvent(ctx, c, org, id, issue)
}

// IsNumericID tells a numeric issue ID from a short ID (WEB-3F).
func IsNumericID(s string) bool {
	if s == "" || len(s) > 10 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// LatestEvent fetches the latest event of an issue (by numeric ID; name labels messages, such
// as its short ID) and reads it as ownership rules see it. It returns the event's ID too.
func LatestEvent(ctx context.Context, c *sentryapi.Client, org, issueID, name string) (ownership.Event, string, error) {
	ev, err := c.IssueEvent(ctx, org, issueID, sentryapi.LatestEvent)
	if err != nil {
		return ownership.Event{}, "", &FetchError{What: "fetching the latest event of issue " + name, Err: err}
	}
	data, err := json.Marshal(ev)
	if err != nil {
		return ownership.Event{}, "", fmt.Errorf("reading the latest event of issue %s: %w", name, err)
	}
	out, err := ownership.DecodeEvent(data)
	if err != nil {
		return ownership.Event{}, "", fmt.Errorf("reading the latest event of issue %s: %w", name, err)
	}
	return out, ev.EventID, nil
}

// Rules are the ownership rules a repository keeps, by Sentry project slug, and what kept
// some sentry.properties from giving theirs.
type Rules struct {
	ByProject map[string][]ownership.Rule
	// Broken says, for each project slug, why a sentry.properties naming it gave no rules
	// (one sentence each, naming the file and what to do). Under "" are the files whose
	// project is not known, and what kept the repository from being read at all: they could
	// be any project's.
	Broken map[string][]string
}

// Source is one sentry.properties as a lookup needs it.
type Source struct {
	Project *ownership.Project
	// Slug is the Sentry project the file names ("" when it names none, or several); Err
	// says why the project could not be worked out.
	Slug string
	Err  error
}

// RulesOf sorts the sources' rules by the Sentry project each names, and notes every file
// that gives none although it could matter: problems in it (under its project, when known),
// a project that could not be worked out, or rules naming no project.
func RulesOf(sources []Source) Rules {
	out := Rules{ByProject: map[string][]ownership.Rule{}, Broken: map[string][]string{}}
	for _, s := range sources {
		p := s.Project
		switch {
		case len(p.Problems) > 0:
			first := p.Problems[0].String()
			if len(p.Problems) > 1 {
				first = "first: " + first
			}
			out.Broken[s.Slug] = append(out.Broken[s.Slug], fmt.Sprintf("no owners from %s, which has %s (%s); `releasegate ownership check` lists them",
				p.Label, problems(len(p.Problems)), first))
		case s.Err != nil:
			out.Broken[""] = append(out.Broken[""], fmt.Sprintf("no owners from %s: Sentry configuration: %v", p.Label, s.Err))
		case s.Slug == "" && len(p.Rules()) > 0:
			out.Broken[""] = append(out.Broken[""], fmt.Sprintf("no owners from %s: it names no single Sentry project; set defaults.project", p.Label))
		case p.Config != nil && s.Slug != "":
			out.ByProject[s.Slug] = p.Rules()
		}
	}
	return out
}

// FromTree reads the ownership rules of a repository's files as the GitHub App reads a
// commit: each sentry.properties names its project by its own defaults.project, with no flag
// or environment over it (the CLI's overlay is cmd's). A tree without sentry.properties has
// no rules and no notes; one whose files could not be read at all is Unreadable.
func FromTree(t ownership.Tree) Rules {
	paths := t.FindProperties("")
	if len(paths) == 0 {
		return Rules{}
	}
	projects, err := ownership.LoadProjects(t, paths)
	if err != nil {
		return Unreadable(err)
	}
	sources := make([]Source, len(projects))
	for i, p := range projects {
		sources[i] = Source{Project: p, Slug: p.DefaultProject}
	}
	return RulesOf(sources)
}

// Unreadable is the rules of a repository that could not be read: none, and a note that
// applies to every issue.
func Unreadable(err error) Rules {
	return Rules{Broken: map[string][]string{"": {fmt.Sprintf("no owners from the repository's sentry.properties: %v", err)}}}
}

func problems(n int) string {
	if n == 1 {
		return "1 problem"
	}
	return fmt.Sprintf("%d problems", n)
}

// Lookup names issues' owners for one organization. Its methods may be called concurrently.
type Lookup struct {
	Client *sentryapi.Client
	Org    string
	// Load reads the repository's rules; it is called once, at the first issue, so a gate
	// with no failing issue never reads them.
	Load func(ctx context.Context) Rules

	once  sync.Once
	rules Rules

	mu    sync.Mutex
	notes []string
}

// Owners names the owners of an issue ("#team", "email"), from its latest event; none when
// the repository has no rules for its project. A sentry.properties that could have named them
// but is broken is noted (see Notes).
func (l *Lookup) Owners(ctx context.Context, is gate.Issue) ([]string, error) {
	l.once.Do(func() { l.rules = l.Load(ctx) })
	rules := l.rules.ByProject[is.Project]
	broken := slices.Clone(l.rules.Broken[is.Project])
	if len(rules) == 0 {
		broken = append(broken, l.rules.Broken[""]...)
	}
	l.note(broken)
	if len(rules) == 0 {
		return nil, nil
	}
	ev, _, err := LatestEvent(ctx, l.Client, l.Org, is.ID, is.ShortID)
	if err != nil {
		return nil, err
	}
	d := ownership.Owners(rules, ev, ownership.Options{})
	out := make([]string, len(d.Owners))
	for i, o := range d.Owners {
		out[i] = o.String()
	}
	return out, nil
}

func (l *Lookup) note(notes []string) {
	if len(notes) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range notes {
		if !slices.Contains(l.notes, n) {
			l.notes = append(l.notes, n)
		}
	}
}

// TakeNotes returns the notes kept since the last call, sorted, and forgets them: a gate that
// checks again reports only what its last check met.
func (l *Lookup) TakeNotes() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.notes
	l.notes = nil
	slices.Sort(out)
	return out
}
