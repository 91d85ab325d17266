package sentryapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// The calls the triage bot makes beyond the gate's: an issue as people name it, where its
// latest event crashed, open issues that look like the same bug, and resolving it in the next
// release. Blast radius reads GetIssueTag and ListIssueTagValues; the link back in Sentry is
// LinkExternalIssue.

// IssueByShortID returns the details of the issue a short ID names ("WEB-1A2"). The short-ID
// lookup alone answers only the fields every serialization has, so the details are fetched by
// the ID it names: first release, tags, the hourly series.
func (c *Client) IssueByShortID(ctx context.Context, org, shortID string, environments ...string) (*IssueDetails, error) {
	r, err := c.ResolveShortID(ctx, org, shortID)
	if err != nil {
		return nil, err
	}
	return c.GetIssue(ctx, org, string(r.GroupID), environments...)
}

// LookupIssue returns the details of an issue given as people give it: its numeric ID ("4512")
// or its short ID ("WEB-1A2").
func (c *Client) LookupIssue(ctx context.Context, org, issue string, environments ...string) (*IssueDetails, error) {
	if issue != "" && strings.Trim(issue, "0123456789") == "" {
		return c.GetIssue(ctx, org, issue, environments...)
	}
	return c.IssueByShortID(ctx, org, issue, environments...)
}

// Hourly is the issue's events per hour over the last 24 hours, oldest first (the details'
// "24h" series); nil when the answer had none (a stats collapse, an older Sentry).
func (d *IssueDetails) Hourly() []StatsPoint { return d.Stats["24h"] }

// Crash is where an event's error was raised: the exception and its top frame.
type Crash struct {
	// Type and Value are the raised exception's (the last of a chain, the outermost error).
	Type, Value string
	// Frame is the newest in-app frame of the newest exception that has one, else the newest
	// frame at all (InApp says which); nil when no exception has a stack.
	Frame *Frame
}

// Crash finds where the event's error was raised, as Sentry picks an issue's culprit and its
// metadata's filename and function. It returns nil when the event has no exception.
func (e *Event) Crash() (*Crash, error) {
	excs, err := e.Exceptions()
	if err != nil || len(excs) == 0 {
		return nil, err
	}
	last := excs[len(excs)-1]
	cr := &Crash{Type: last.Type, Value: last.Value}
	for _, inApp := range []bool{true, false} {
		for i := len(excs) - 1; i >= 0 && cr.Frame == nil; i-- {
			if excs[i].Stacktrace == nil {
				continue
			}
			fr := excs[i].Stacktrace.Frames
			for j := len(fr) - 1; j >= 0; j-- {
				if fr[j].InApp || !inApp {
					f := fr[j]
					cr.Frame = &f
					break
				}
			}
		}
	}
	return cr, nil
}

// DuplicateQuery describes an issue whose duplicates to find: the same exception type raised
// at the same top in-app frame.
type DuplicateQuery struct {
	// IssueID is the issue itself, never its own duplicate.
	IssueID ID
	// ExceptionType is the raised exception's type ("TypeError"); required.
	ExceptionType string
	// Frame is the top in-app frame (Crash.Frame): its Filename (else Module, else AbsPath) and
	// Function are searched for. Nil: the type alone narrows the search.
	Frame *Frame
	// Projects are project IDs or slugs; empty: every project the token can see, so a bug
	// shared by two services is found in both.
	Projects     []string
	Environments []string
	TimeRange
	// Limit is how many duplicates to return, most events first (0: 10, at most 100).
	Limit int
}

// duplicatePages bounds the search: candidates that the search finds but the check rejects
// (a frame deeper in the stack, an exception earlier in a chain) are read at most this many
// pages deep.
const duplicatePages = 3

// Search is the query FindDuplicates sends, in Sentry's issue search syntax:
//
//	is:unresolved error.type:"TypeError" stack.filename:"app/checkout.js" stack.function:"handleCheckout"
//
// It relies only on documented searchable properties (is, error.type, stack.filename,
// stack.module, stack.abs_path, stack.function), ANDed as issue search does; no OR, no
// parentheses. Values are always quoted, with " and \ escaped. A value with a "*" (a
// wildcard to Sentry, with no documented escape) or a control character is left out of the
// query rather than sent: the search only narrows, and FindDuplicates checks each candidate.
func (dq DuplicateQuery) Search() string {
	terms := []string{"is:unresolved"}
	add := func(key, v string) {
		if v != "" && !strings.ContainsFunc(v, func(r rune) bool { return r == '*' || isControl(r) }) {
			terms = append(terms, key+":"+SearchQuote(v))
		}
	}
	add("error.type", dq.ExceptionType)
	if f := dq.Frame; f != nil {
		switch {
		case f.Filename != "":
			add("stack.filename", f.Filename)
		case f.Module != "":
			add("stack.module", f.Module)
		default:
			add("stack.abs_path", f.AbsPath)
		}
		add("stack.function", f.Function)
	}
	return strings.Join(terms, " ")
}

// SearchQuote quotes a value for Sentry's search syntax: "…", with " and \ escaped.
func SearchQuote(v string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range v {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// same reports whether a candidate issue is a duplicate: Sentry's stack.* and error.type match
// any frame and any exception of any event, so the issue's metadata (the raised exception's
// type, the top frame's file and function, as Sentry extracted them) must agree too. A field
// the metadata lacks is not held against it.
func (dq DuplicateQuery) same(is Issue) bool {
	m := is.Metadata
	if is.ID == dq.IssueID || m.Type != dq.ExceptionType {
		return false
	}
	if f := dq.Frame; f != nil {
		if m.Filename != "" && (f.Filename != "" || f.AbsPath != "") && m.Filename != f.Filename && m.Filename != f.AbsPath {
			return false
		}
		if m.Function != "" && f.Function != "" && m.Function != f.Function {
			return false
		}
	}
	return true
}

// FindDuplicates lists open issues with the same exception type and top in-app frame as the
// one described, most events first, leaving the issue itself out. It sends dq.Search() over
// every project (unless dq.Projects says otherwise) and keeps the candidates whose metadata
// agrees (see DuplicateQuery.Search for the syntax relied on).
func (c *Client) FindDuplicates(ctx context.Context, org string, dq DuplicateQuery) ([]Issue, error) {
	if dq.ExceptionType == "" {
		return nil, errors.New("sentryapi: find duplicates: ExceptionType is not set (an event without an exception has no duplicates by type and frame)")
	}
	limit := dq.Limit
	if limit == 0 {
		limit = 10
	}
	if limit < 0 || limit > 100 {
		return nil, fmt.Errorf("sentryapi: find duplicates: limit %d is outside 1..100", limit)
	}
	projects := dq.Projects
	if len(projects) == 0 {
		projects = []string{"-1"} // every project, not only the ones the token's user is a member of
	}
	var out []Issue
	pages := 0
	err := c.ListIssues(ctx, org, IssueQuery{
		Query: dq.Search(), Projects: projects, Environments: dq.Environments,
		TimeRange: dq.TimeRange, Sort: SortFreq, Limit: 100,
	}, func(page []Issue) error {
		for _, is := range page {
			if dq.same(is) {
				out = append(out, is)
				if len(out) == limit {
					return ErrStop
				}
			}
		}
		if pages++; pages == duplicatePages {
			return ErrStop
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sentryapi: find duplicates of issue %s: %w", dq.IssueID, err)
	}
	return out, nil
}

// ResolveInNextRelease marks an issue resolved in the project's next release: Sentry resolves
// it when a newer release is created and reopens it (a regression) if it happens there again.
// Needs event:write.
func (c *Client) ResolveInNextRelease(ctx context.Context, org, issueID string) (*IssueFields, error) {
	return c.UpdateIssue(ctx, org, issueID, IssueUpdate{Status: StatusResolvedInNextRelease})
}
