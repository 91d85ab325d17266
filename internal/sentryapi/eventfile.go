package sentryapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// DecodeEvent reads an error event in either of the forms a user can hold one: the Web API's
// (what Sentry returns for an issue's event: camelCase, `entries`) or the SDK's (what an SDK
// sends: `exception.values`, frames with `lineno`, `pre_context`, `context_line`,
// `post_context`). Either way the result is the Web API's Event.
func DecodeEvent(data []byte) (*Event, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, errors.New("not a JSON object: an event is a JSON object, as Sentry's API returns it or an SDK sends it")
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if _, ok := probe["entries"]; ok {
		var ev Event
		if err := json.Unmarshal(data, &ev); err != nil {
			return nil, fmt.Errorf("a Web API event (it has entries) that does not decode: %w", err)
		}
		if _, err := ev.Exceptions(); err != nil {
			return nil, err
		}
		return &ev, nil
	}
	_, hasExc := probe["exception"]
	_, hasID := probe["event_id"]
	_, hasMsg := probe["message"]
	if !hasExc && !hasID && !hasMsg {
		return nil, errors.New("neither a Web API event (no entries) nor an SDK event (no exception, message or event_id)")
	}
	return decodeSDKEvent(data)
}

// sdkEvent is the subset of the SDK's event payload releasegate reads.
type sdkEvent struct {
	EventID     string                     `json:"event_id"`
	Platform    string                     `json:"platform"`
	Release     string                     `json:"release"`
	Dist        string                     `json:"dist"`
	Environment string                     `json:"environment"`
	Message     json.RawMessage            `json:"message"`
	Tags        json.RawMessage            `json:"tags"`
	User        *EventUser                 `json:"user"`
	SDK         *SDKInfo                   `json:"sdk"`
	Contexts    map[string]json.RawMessage `json:"contexts"`
	Exception   json.RawMessage            `json:"exception"`
}

type sdkException struct {
	Type       string         `json:"type"`
	Value      string         `json:"value"`
	Module     string         `json:"module"`
	Mechanism  *Mechanism     `json:"mechanism"`
	Stacktrace *sdkStacktrace `json:"stacktrace"`
}

type sdkStacktrace struct {
	Frames []sdkFrame `json:"frames"`
}

type sdkFrame struct {
	Filename    string   `json:"filename"`
	AbsPath     string   `json:"abs_path"`
	Module      string   `json:"module"`
	Package     string   `json:"package"`
	Function    string   `json:"function"`
	Platform    string   `json:"platform"`
	LineNo      int      `json:"lineno"`
	ColNo       int      `json:"colno"`
	InApp       *bool    `json:"in_app"`
	PreContext  []string `json:"pre_context"`
	ContextLine *string  `json:"context_line"`
	PostContext []string `json:"post_context"`
}

func decodeSDKEvent(data []byte) (*Event, error) {
	var s sdkEvent
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("an SDK event that does not decode: %w", err)
	}
	ev := &Event{ID: ID(s.EventID), EventID: s.EventID, Platform: s.Platform, Dist: s.Dist, User: s.User, SDK: s.SDK, Contexts: s.Contexts}
	if s.Release != "" {
		ev.Release = &EventRelease{Version: s.Release}
	}
	tags, err := sdkTags(s.Tags)
	if err != nil {
		return nil, err
	}
	if s.Environment != "" {
		tags = append(tags, EventTag{Key: "environment", Value: s.Environment})
	}
	ev.Tags = tags
	if len(s.Message) > 0 && string(s.Message) != "null" {
		var text string
		if json.Unmarshal(s.Message, &text) != nil {
			var m struct {
				Formatted string `json:"formatted"`
				Message   string `json:"message"`
			}
			if err := json.Unmarshal(s.Message, &m); err != nil {
				return nil, fmt.Errorf("the event's message is neither a string nor an object: %w", err)
			}
			text = cmp.Or(m.Formatted, m.Message)
		}
		ev.Message = text
	}
	if len(s.Exception) == 0 || string(s.Exception) == "null" {
		return ev, nil
	}
	// The SDKs send either {"values": [...]} or, in older protocol versions, the list itself.
	var excs []sdkException
	var wrapped struct {
		Values []sdkException `json:"values"`
	}
	switch s.Exception[0] {
	case '{':
		if err := json.Unmarshal(s.Exception, &wrapped); err != nil {
			return nil, fmt.Errorf("an SDK event that does not decode: exception: %w", err)
		}
		excs = wrapped.Values
	case '[':
		if err := json.Unmarshal(s.Exception, &excs); err != nil {
			return nil, fmt.Errorf("an SDK event that does not decode: exception: %w", err)
		}
	default:
		return nil, errors.New("the event's exception is neither {\"values\": [...]} nor a list")
	}
	values := make([]ExceptionValue, 0, len(excs))
	for _, e := range excs {
		v := ExceptionValue{Type: e.Type, Value: e.Value, Module: e.Module, Mechanism: e.Mechanism}
		if e.Stacktrace != nil {
			st := &Stacktrace{}
			for _, f := range e.Stacktrace.Frames {
				st.Frames = append(st.Frames, f.webFrame(s.Platform))
			}
			v.Stacktrace = st
		}
		values = append(values, v)
	}
	entry, err := json.Marshal(map[string]any{"values": values})
	if err != nil {
		return nil, fmt.Errorf("re-encoding the exception: %w", err)
	}
	ev.Entries = append(ev.Entries, EventEntry{Type: "exception", Data: entry})
	if len(values) > 0 {
		last := values[len(values)-1]
		ev.Title = strings.TrimSuffix(last.Type+": "+last.Value, ": ")
	}
	return ev, nil
}

// webFrame turns an SDK frame into the Web API's: the context lines numbered around lineno.
func (f sdkFrame) webFrame(platform string) Frame {
	w := Frame{Filename: f.Filename, AbsPath: f.AbsPath, Module: f.Module, Package: f.Package, Function: f.Function,
		Platform: cmp.Or(f.Platform, platform), LineNo: f.LineNo, ColNo: f.ColNo, InApp: f.InApp != nil && *f.InApp}
	if f.ContextLine != nil && f.LineNo > 0 {
		start := f.LineNo - len(f.PreContext)
		for i, t := range f.PreContext {
			w.Context = append(w.Context, ContextLine{Line: start + i, Text: t})
		}
		w.Context = append(w.Context, ContextLine{Line: f.LineNo, Text: *f.ContextLine})
		for i, t := range f.PostContext {
			w.Context = append(w.Context, ContextLine{Line: f.LineNo + 1 + i, Text: t})
		}
	}
	return w
}

// sdkTags reads tags as the SDKs send them: an object, or a list of [key, value] pairs.
func sdkTags(raw json.RawMessage) ([]EventTag, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err == nil {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		tags := make([]EventTag, 0, len(m))
		for _, k := range keys {
			tags = append(tags, EventTag{Key: k, Value: m[k]})
		}
		return tags, nil
	}
	var pairs [][2]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, fmt.Errorf("the event's tags are neither an object nor a list of [key, value] pairs: %w", err)
	}
	tags := make([]EventTag, 0, len(pairs))
	for _, p := range pairs {
		tags = append(tags, EventTag{Key: p[0], Value: p[1]})
	}
	return tags, nil
}

// MarshalJSON writes a context line as Sentry does: [lineNo, "text"].
func (l ContextLine) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{l.Line, l.Text})
}
