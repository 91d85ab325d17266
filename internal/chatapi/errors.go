package chatapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/releasegate/releasegate/errkind"
)

// NetworkError is a call whose answer never arrived whole: the server could not be reached,
// the connection broke, or no complete answer came within Options.Timeout (then it wraps a
// [*TimeoutError]).
type NetworkError struct {
	Attempts int
	Err      error
}

func (e *NetworkError) Error() string {
	s := fmt.Sprintf("chatapi: POST chat/completions: %v", e.Err)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s + "; " + e.ErrorHint()
}

func (e *NetworkError) Unwrap() error { return e.Err }

// Timeout reports whether the call ran out of time, as net.Error timeouts do.
func (e *NetworkError) Timeout() bool {
	var te *TimeoutError
	return errors.As(e.Err, &te)
}

// ErrorKind says the answer could not be had; a later call may get one.
func (e *NetworkError) ErrorKind() errkind.Kind { return errkind.Undecided }

// ErrorHint says what to do next.
func (e *NetworkError) ErrorHint() string {
	if e.Timeout() {
		return "the model's server answered too slowly; raise the model timeout or try again later"
	}
	return "the model's server could not be reached; check its base URL, or try again later"
}

// TimeoutError is an attempt that got no complete answer within Options.Timeout: a server
// that holds its headers back or drips its body.
type TimeoutError struct{ Wait time.Duration }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no complete answer within %s", e.Wait)
}

// Timeout reports true.
func (e *TimeoutError) Timeout() bool { return true }

// APIError is an answer that is not a success: the server's status and what it said.
type APIError struct {
	Status int
	// Message, Type and Code are the server's error object ({"error": {"message", "type",
	// "code"}}); Body is the start of an answer that was not one.
	Message, Type, Code string
	Body                string
	// RetryAfter is the wait the server asked for on a 429 or 5xx that outlasted the retries.
	RetryAfter time.Duration
	Attempts   int
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "chatapi: POST chat/completions: %d %s", e.Status, http.StatusText(e.Status))
	switch {
	case e.Message != "":
		b.WriteString(": " + e.Message)
		if e.Code != "" {
			b.WriteString(" (" + e.Code + ")")
		}
	case e.Body != "":
		b.WriteString(": " + e.Body)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (the server asked to wait %s)", e.RetryAfter)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	if h := e.ErrorHint(); h != "" {
		b.WriteString("; " + h)
	}
	return b.String()
}

// ErrorKind says a refused key, an unknown model or a refused request is the configuration's
// to fix; a rate limit or an outage is undecided.
func (e *APIError) ErrorKind() errkind.Kind {
	if e.Status == http.StatusTooManyRequests || e.Status >= 500 {
		return errkind.Undecided
	}
	return errkind.Config
}

// ErrorHint says what to do next.
func (e *APIError) ErrorHint() string {
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return "check the model's API key"
	case e.Status == http.StatusNotFound:
		return "check the model's base URL (it ends before /chat/completions, e.g. https://api.openai.com/v1) and the model's name"
	case e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity:
		return "the server refused the request; check that the model is a chat model the server serves"
	case e.Status == http.StatusTooManyRequests:
		return "the model's server is rate limiting or the account is out of quota; try again later"
	case e.Status >= 500:
		return "the model's server is failing; try again later"
	}
	return ""
}

// ProtocolError is a success the client could not read as a chat completion: null, an HTML
// page, truncated JSON, no choices, no message.
type ProtocolError struct {
	Status  int
	Problem string
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("chatapi: POST chat/completions: the %d answer is not a chat completion: %s; check that the base URL points at an OpenAI-compatible API", e.Status, e.Problem)
}

// ErrorKind says an unreadable answer may be a passing fault of a proxy or the server.
func (e *ProtocolError) ErrorKind() errkind.Kind { return errkind.Undecided }

// RedirectError is an answer that sent the call to another origin; the client does not
// follow it, so the key goes nowhere else.
type RedirectError struct {
	Status int
	// To is where the answer pointed, without its path or query.
	To string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("chatapi: POST chat/completions: the server redirected (%d) to %s, another origin, which the API key is not sent to; set the base URL to the API's own address", e.Status, e.To)
}

// ErrorKind says the base URL is the configuration's to fix.
func (e *RedirectError) ErrorKind() errkind.Kind { return errkind.Config }

// RefusalError is a model that declined to answer: its message's refusal, or the server's
// content filter (finish_reason "content_filter").
type RefusalError struct{ Reason string }

func (e *RefusalError) Error() string {
	return "chatapi: the model refused: " + e.Reason
}

// parseErrorBody reads the error object OpenAI-compatible servers answer with:
// {"error": {"message", "type", "code"}}, or {"error": "message"} as some local servers
// send it. ok is false for anything else.
func parseErrorBody(data []byte) (message, typ, code string, ok bool) {
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(data, &body) != nil || len(body.Error) == 0 {
		return "", "", "", false
	}
	var s string
	if json.Unmarshal(body.Error, &s) == nil {
		return oneLine(s), "", "", s != ""
	}
	var obj struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Code    any    `json:"code"`
	}
	if json.Unmarshal(body.Error, &obj) != nil || obj.Message == "" {
		return "", "", "", false
	}
	if obj.Code != nil {
		code = oneLine(fmt.Sprint(obj.Code))
	}
	return oneLine(obj.Message), oneLine(obj.Type), code, true
}

// oneLine is s on one line, cut to 300 bytes.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}
