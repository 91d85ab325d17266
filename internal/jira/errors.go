package jira

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/releasegate/releasegate/errkind"
)

// ErrNotFound matches (errors.Is) an [*APIError] for a 404: the issue, project or issue type
// does not exist, or the user cannot see it (Jira does not say which).
var ErrNotFound = errors.New("not found in Jira")

// APIError is an answer of Jira that is not a success.
type APIError struct {
	Method string
	// Path is the request's path below the base URL ("rest/api/3/issue").
	Path   string
	Status int
	// Messages and Fields are Jira's errorMessages and errors (field → message).
	Messages []string
	Fields   map[string]string
	// Body is the start of an answer that was not Jira's error JSON (a proxy's page).
	Body string
	// RetryAfter is the wait Jira asked for on a 429 or 503 that outlasted the retries.
	RetryAfter time.Duration
	// Attempts is how many times the call was sent.
	Attempts int
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "jira: %s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if d := e.Detail(); d != "" {
		b.WriteString(": " + d)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if h := e.ErrorHint(); h != "" {
		b.WriteString("; " + h)
	}
	return b.String()
}

// Detail is what Jira said: its messages, then its field errors sorted by field.
func (e *APIError) Detail() string {
	parts := slices.Clone(e.Messages)
	for _, f := range slices.Sorted(maps.Keys(e.Fields)) {
		parts = append(parts, f+": "+e.Fields[f])
	}
	if len(parts) == 0 && e.Body != "" {
		parts = append(parts, e.Body)
	}
	return strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrNotFound) true for a 404.
func (e *APIError) Is(target error) bool {
	return target == ErrNotFound && e.Status == http.StatusNotFound
}

// ErrorKind says a refusal of the credentials, a missing resource or a rejected request is the
// configuration's to fix; a rate limit or an outage is undecided.
func (e *APIError) ErrorKind() errkind.Kind {
	if e.Status == http.StatusTooManyRequests || e.Status >= 500 {
		return errkind.Undecided
	}
	return errkind.Config
}

// ErrorHint says what to do next.
func (e *APIError) ErrorHint() string {
	switch {
	case e.Status == http.StatusUnauthorized:
		return "check the Jira credentials: an email and API token for Jira Cloud, a personal access token for Data Center"
	case e.Status == http.StatusForbidden:
		return "the Jira user lacks a permission this needs (browse, create, comment, assign or transition in the project)"
	case e.Status == http.StatusNotFound:
		return "check that the project, issue type or issue exists and that the Jira user can see it"
	case e.Status == http.StatusGone:
		return "this Jira no longer serves the call; check the flavour (Cloud or Data Center) in the configuration"
	case e.Status == http.StatusBadRequest:
		return "Jira refused the request's fields; fix the Jira settings (project, issue type, labels, components, priority) named above"
	case e.Status == http.StatusTooManyRequests:
		return "Jira is rate limiting; the work will be tried again later"
	case e.Status >= 500:
		return "Jira is failing or unreachable; the work will be tried again later"
	}
	return ""
}

// errorBody is Jira's ErrorCollection.
type errorBody struct {
	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
}

// ParseErrorBody reads Jira's error JSON ({"errorMessages": [...], "errors": {field: msg}});
// ok is false when data is not that (a proxy's HTML page, a truncated answer). Blank messages
// are dropped.
func ParseErrorBody(data []byte) (messages []string, fields map[string]string, ok bool) {
	var raw map[string]json.RawMessage
	if json.Unmarshal(data, &raw) != nil || raw == nil {
		return nil, nil, false
	}
	_, hasMsgs := raw["errorMessages"]
	_, hasErrs := raw["errors"]
	if !hasMsgs && !hasErrs {
		return nil, nil, false
	}
	var body errorBody
	if json.Unmarshal(data, &body) != nil {
		return nil, nil, false
	}
	for _, m := range body.ErrorMessages {
		if m = strings.TrimSpace(m); m != "" {
			messages = append(messages, m)
		}
	}
	for f, m := range body.Errors {
		if m = strings.TrimSpace(m); m != "" {
			if fields == nil {
				fields = map[string]string{}
			}
			fields[f] = m
		}
	}
	return messages, fields, true
}

// snippet is the start of a body that is not Jira's error JSON, on one line.
func snippet(data []byte) string {
	s := strings.Join(strings.Fields(string(data)), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "…"
	}
	return s
}

// InsecureURLError refuses to send the token over plain http to another machine.
type InsecureURLError struct{ URL string }

func (e *InsecureURLError) Error() string {
	return fmt.Sprintf("jira: refusing to send credentials over plain http to %s; use an https URL", e.URL)
}

// ErrorKind says the URL is the configuration's to fix.
func (e *InsecureURLError) ErrorKind() errkind.Kind { return errkind.Config }

// ResponseError is a success answer the client could not read: not JSON, null, or not the
// shape Jira documents (a proxy in the way, or a Jira the client does not know).
type ResponseError struct {
	Method, Path string
	Status       int
	Err          error
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("jira: %s %s: reading the %d answer: %v; check the Jira base URL points at Jira itself", e.Method, e.Path, e.Status, e.Err)
}

func (e *ResponseError) Unwrap() error { return e.Err }

// ErrorKind says an unreadable success may be a passing fault; the call can be tried again.
func (e *ResponseError) ErrorKind() errkind.Kind { return errkind.Undecided }

// TransitionNotFoundError is a transition name the issue's workflow does not offer now.
type TransitionNotFoundError struct {
	Issue, Name string
	// Available are the names that were offered.
	Available []string
}

func (e *TransitionNotFoundError) Error() string {
	return fmt.Sprintf("jira: issue %s has no transition %q now (available: %s); set the transition name to one of these",
		e.Issue, e.Name, strings.Join(e.Available, ", "))
}

// ErrorKind says the configured name is wrong for this workflow.
func (e *TransitionNotFoundError) ErrorKind() errkind.Kind { return errkind.Config }
