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
	"fmt"
	"slices"
	"sync"

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
