package chatapitest

import (
	"net/http"
	"time"
)

// Reply is the server's answer to one call, scripted in advance: a chat completion (Content,
// or Refusal, with FinishReason), or a fault.
type Reply struct {
	// Content is the assistant message's content; Refusal, when set, is its refusal (the
	// content is then null). FinishReason defaults to "stop".
	Content      string
	Refusal      string
	FinishReason string
	// NoChoices answers a completion with an empty choices array.
	NoChoices bool

	// Status answers an error with OpenAI's error object: Message (default the status text)
	// and Code; RetryAfter adds Retry-After (whole seconds, rounded up); Header adds headers.
	Status     int
	Message    string
	Code       string
	RetryAfter time.Duration
	Header     http.Header
	// Body answers these bytes instead (status 200 unless Status), unchecked: a null, an
	// HTML page, a truncated completion.
	Body        string
	ContentType string
	// Delay holds the headers back this long (a client that gives up first gets nothing).
	Delay time.Duration
	// Drip sends the answer one byte at a time, pausing this long before each.
	Drip time.Duration
	// RedirectTo answers 307 with this Location.
	RedirectTo string
}

// Answer is a chat completion whose content is content.
func Answer(content string) Reply { return Reply{Content: content} }

// Refused is a completion whose message refuses, with a null content.
func Refused(why string) Reply { return Reply{Refusal: why} }

// Filtered is a completion stopped by the server's content filter.
func Filtered() Reply { return Reply{FinishReason: "content_filter"} }

// Failure is an error answer with OpenAI's error object.
func Failure(status int, message string) Reply { return Reply{Status: status, Message: message} }

// RateLimited is a 429 asking the client to wait.
func RateLimited(after time.Duration) Reply {
	return Reply{Status: http.StatusTooManyRequests, Message: "Rate limit reached for requests", Code: "rate_limit_exceeded", RetryAfter: after}
}

// NullBody is a 200 whose body is null.
func NullBody() Reply { return Reply{Body: "null", ContentType: "application/json"} }

// HTMLPage is a 200 whose body is a proxy's login page.
func HTMLPage() Reply {
	return Reply{Body: "<!doctype html><html><head><title>Sign in</title></head><body>Sign in to continue</body></html>", ContentType: "text/html; charset=utf-8"}
}

// Truncated is a completion cut off mid-way.
func Truncated() Reply {
	return Reply{Body: `{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"{\"abst`, ContentType: "application/json"}
}

// Slow is a completion of content whose headers are held back d.
func Slow(d time.Duration, content string) Reply { return Reply{Content: content, Delay: d} }

// Dripping is a completion of content sent one byte every d.
func Dripping(d time.Duration, content string) Reply { return Reply{Content: content, Drip: d} }

// Redirect is a 307 to url.
func Redirect(url string) Reply { return Reply{RedirectTo: url} }

// describe names a reply for the call log.
func (r Reply) describe() string {
	switch {
	case r.RedirectTo != "":
		return "redirect"
	case r.Body != "":
		return "raw body"
	case r.Status != 0:
		return "status " + http.StatusText(r.Status)
	case r.Delay > 0:
		return "slow"
	case r.Drip > 0:
		return "dripping"
	case r.Refusal != "":
		return "refusal"
	case r.NoChoices:
		return "no choices"
	}
	return "answer"
}
