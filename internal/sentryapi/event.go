package sentryapi

import (
	"encoding/json"
	"fmt"
	"time"
)

// Event is an error event in the Web API's format (camelCase, entries), as returned for an issue.
type Event struct {
	ID           ID            `json:"id"`
	EventID      string        `json:"eventID"`
	GroupID      ID            `json:"groupID"`
	ProjectID    ID            `json:"projectID"`
	Title        string        `json:"title"`
	Message      string        `json:"message"`
	Location     string        `json:"location"`
	Culprit      string        `json:"culprit"`
	Platform     string        `json:"platform"`
	Type         string        `json:"type"`
	Dist         string        `json:"dist"`
	DateCreated  *time.Time    `json:"dateCreated"`
	DateReceived *time.Time    `json:"dateReceived"`
	Metadata     IssueMetadata `json:"metadata"`
	Tags         []EventTag    `json:"tags"`
	User         *EventUser    `json:"user"`
	Release      *EventRelease `json:"release"`
	SDK          *SDKInfo      `json:"sdk"`
	// Contexts holds the event's contexts (browser, os, trace, runtime, …) undecoded.
	Contexts map[string]json.RawMessage `json:"contexts"`
	// Entries are the event's interfaces (exception, breadcrumbs, request, message, threads);
	// Exceptions decodes the exception entry.
	Entries []EventEntry `json:"entries"`
}

// EventRelease is the release object embedded in an event: unlike an issue's firstRelease, it
// has no shortVersion.
type EventRelease struct {
	Version      string     `json:"version"`
	DateCreated  *time.Time `json:"dateCreated"`
	DateReleased *time.Time `json:"dateReleased"`
}

// EventTag is one tag of an event.
type EventTag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// EventUser is the user an event happened to.
type EventUser struct {
	ID        string `json:"id"`
	Email     string `json:"email"`
	Username  string `json:"username"`
	IPAddress string `json:"ip_address"`
	Name      string `json:"name"`
}

// SDKInfo names the SDK that sent an event.
type SDKInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// EventEntry is one interface of an event; Data depends on Type.
type EventEntry struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// Tag returns the value of the event's tag key.
func (e *Event) Tag(key string) (string, bool) {
	for _, t := range e.Tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}

// ExceptionValue is one exception of an event (chained exceptions come oldest cause first).
type ExceptionValue struct {
	Type      string     `json:"type"`
	Value     string     `json:"value"`
	Module    string     `json:"module"`
	Mechanism *Mechanism `json:"mechanism"`
	// Stacktrace is the processed (e.g. source-mapped) trace; RawStacktrace the one the SDK
	// sent, when processing changed it.
	Stacktrace    *Stacktrace `json:"stacktrace"`
	RawStacktrace *Stacktrace `json:"rawStacktrace"`
}

// Mechanism says how an exception was captured; Handled is nil when unknown.
type Mechanism struct {
	Type    string `json:"type"`
	Handled *bool  `json:"handled"`
}

// Stacktrace is a list of frames, oldest call first: the last frame raised the exception.
type Stacktrace struct {
	Frames          []Frame `json:"frames"`
	HasSystemFrames bool    `json:"hasSystemFrames"`
}

// Frame is one stack frame in the Web API's format. LineNo and ColNo are 1-based; 0 is unknown.
type Frame struct {
	Filename string        `json:"filename"`
	AbsPath  string        `json:"absPath"`
	Module   string        `json:"module"`
	Package  string        `json:"package"`
	Function string        `json:"function"`
	Platform string        `json:"platform"`
	LineNo   int           `json:"lineNo"`
	ColNo    int           `json:"colNo"`
	InApp    bool          `json:"inApp"`
	Context  []ContextLine `json:"context"`
}

// ContextLine is one line of source around a frame, sent by Sentry as [lineNo, "text"].
type ContextLine struct {
	Line int
	Text string
}

// UnmarshalJSON decodes a [lineNo, "text"] pair.
func (l *ContextLine) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil {
		return fmt.Errorf("context line: %w", err)
	}
	if len(pair) != 2 {
		return fmt.Errorf("context line: want [line, text], got %s", b)
	}
	*l = ContextLine{}
	if err := json.Unmarshal(pair[0], &l.Line); err != nil {
		return fmt.Errorf("context line number: %w", err)
	}
	var text *string // null for lines Sentry could not read
	if err := json.Unmarshal(pair[1], &text); err != nil {
		return fmt.Errorf("context line text: %w", err)
	}
	if text != nil {
		l.Text = *text
	}
	return nil
}

// Exceptions decodes the event's exception entry; it returns nil when there is none.
func (e *Event) Exceptions() ([]ExceptionValue, error) {
	for _, en := range e.Entries {
		if en.Type != "exception" {
			continue
		}
		var data struct {
			Values []ExceptionValue `json:"values"`
		}
		if err := json.Unmarshal(en.Data, &data); err != nil {
			return nil, fmt.Errorf("sentryapi: event %s: decode exception entry: %w", e.EventID, err)
		}
		return data.Values, nil
	}
	return nil, nil
}
