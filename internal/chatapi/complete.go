package chatapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/apiclient"
)

// Message is one message of the chat: a role ("system", "user") and its text.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Completion is the model's answer.
type Completion struct {
	Content string
	// FinishReason is why the model stopped: "stop", or "length" when the answer reached the
	// token limit and is cut.
	FinishReason string
	// Model is the model that answered, as the server names it.
	Model string
	// Attempts is how many times the call was sent.
	Attempts int
}

// request is the body of POST /chat/completions: only fields every OpenAI-compatible server
// accepts. The limit is max_tokens, not OpenAI's newer max_completion_tokens: OpenAI still
// takes max_tokens from every model that accepts temperature 0 (its reasoning models reject
// both), while servers that follow the older API (vLLM before 0.6, llama.cpp, proxies) ignore
// or refuse max_completion_tokens.
type request struct {
	Model          string         `json:"model"`
	Messages       []Message      `json:"messages"`
	Temperature    float64        `json:"temperature"`
	MaxTokens      int            `json:"max_tokens"`
	ResponseFormat responseFormat `json:"response_format"`
}

type responseFormat struct {
	Type string `json:"type"`
}

// response is the part of a chat completion the client reads.
type response struct {
	Model   string `json:"model"`
	Choices []struct {
		Message *struct {
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
}

// Complete asks the model once (retrying rate limits and server errors, within bounds) and
// returns its answer. Failures are typed: [*NetworkError] (unreachable, or no complete answer
// within the timeout), [*APIError] (an error status, with the server's message),
// [*RedirectError], [*ProtocolError] (an answer that is not a chat completion) and
// [*RefusalError] (the model declined, or the server's content filter stopped it).
func (c *Client) Complete(ctx context.Context, messages []Message) (*Completion, error) {
	raw, err := json.Marshal(request{
		Model: c.model, Messages: messages, Temperature: 0, MaxTokens: maxAnswerTokens,
		ResponseFormat: responseFormat{Type: "json_object"},
	})
	if err != nil {
		return nil, fmt.Errorf("chatapi: encoding the request: %w", err)
	}
	for n := 1; ; n++ {
		status, header, body, err := c.attempt(ctx, raw)
		var wait time.Duration
		var reason string
		switch {
		case err != nil:
			var te *TimeoutError
			if ctx.Err() != nil || errors.As(err, &te) || !apiclient.NotSent(err) || n > c.maxRetries {
				// A call that timed out may have been answered and billed: it is not sent again.
				return nil, &NetworkError{Attempts: n, Err: err}
			}
			wait, reason = backoff(n), "network error: "+err.Error()
		case status >= 300 && status < 400:
			return nil, &RedirectError{Status: status, To: redirectOrigin(header.Get("Location"))}
		case status >= 200 && status < 300:
			comp, err := c.decode(status, body)
			if comp != nil {
				comp.Attempts = n
			}
			return comp, err
		default:
			apiErr := c.apiError(status, header, body, n)
			retryable := status == http.StatusTooManyRequests && apiErr.Code != "insufficient_quota" ||
				status >= 500 && status != http.StatusNotImplemented
			if !retryable || n > c.maxRetries {
				return nil, apiErr
			}
			wait = backoff(n)
			if asked, ok := retryAfter(header, c.now()); ok {
				wait = asked
			}
			if wait > c.maxRetryWait {
				apiErr.RetryAfter = wait
				return nil, apiErr
			}
			reason = strconv.Itoa(status) + " " + http.StatusText(status)
		}
		c.log.LogAttrs(ctx, slog.LevelInfo, "chatapi: retrying",
			slog.String("model", c.model), slog.String("reason", c.scrub(reason)),
			slog.Int("attempt", n), slog.Duration("wait", wait))
		if err := c.sleep(ctx, wait); err != nil {
			return nil, &NetworkError{Attempts: n, Err: err}
		}
	}
}

// attempt sends the request once and reads the whole answer within the timeout.
func (c *Client) attempt(ctx context.Context, raw []byte) (int, http.Header, []byte, error) {
	actx, cancel := context.WithTimeoutCause(ctx, c.timeout, &TimeoutError{Wait: c.timeout})
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.endpoint, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, nil, attemptError(ctx, actx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBody+1))
	if err != nil {
		return 0, nil, nil, attemptError(ctx, actx, fmt.Errorf("reading the %d answer: %w", resp.StatusCode, err))
	}
	if len(body) > maxAnswerBody {
		return 0, nil, nil, fmt.Errorf("the answer is larger than %d MiB", maxAnswerBody>>20)
	}
	return resp.StatusCode, resp.Header, body, nil
}

// attemptError names an attempt's own timeout as such; the caller's cancellation stays the
// caller's.
func attemptError(ctx, actx context.Context, err error) error {
	var te *TimeoutError
	if ctx.Err() == nil && errors.As(context.Cause(actx), &te) {
		return te
	}
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%w)", context.Cause(ctx), err)
	}
	return err
}

// decode reads a success as a chat completion.
func (c *Client) decode(status int, body []byte) (*Completion, error) {
	bad := func(format string, args ...any) error {
		return &ProtocolError{Status: status, Problem: c.scrub(fmt.Sprintf(format, args...))}
	}
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return nil, bad("an empty body")
	case string(trimmed) == "null":
		return nil, bad("null")
	case trimmed[0] == '<':
		return nil, bad("an HTML page (%s)", snippet(trimmed))
	case trimmed[0] != '{':
		return nil, bad("not a JSON object (%s)", snippet(trimmed))
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	var r response
	if err := dec.Decode(&r); err != nil {
		return nil, bad("truncated or malformed JSON: %v", err)
	}
	if dec.More() {
		return nil, bad("text after the JSON object")
	}
	if len(r.Choices) == 0 {
		if msg, _, _, ok := parseErrorBody(trimmed); ok {
			return nil, bad("an error object instead of a completion: %s", msg)
		}
		return nil, bad("no choices")
	}
	choice := r.Choices[0]
	if choice.Message == nil {
		return nil, bad("the choice has no message")
	}
	if m := choice.Message; m.Refusal != nil && strings.TrimSpace(*m.Refusal) != "" {
		return nil, &RefusalError{Reason: c.scrub(oneLine(*m.Refusal))}
	}
	if choice.FinishReason == "content_filter" {
		return nil, &RefusalError{Reason: "the server's content filter stopped the answer"}
	}
	if choice.Message.Content == nil {
		return nil, bad("the message has no content")
	}
	return &Completion{Content: *choice.Message.Content, FinishReason: choice.FinishReason, Model: r.Model}, nil
}

// apiError reads an error answer, the key scrubbed from what the server said.
func (c *Client) apiError(status int, header http.Header, body []byte, attempts int) *APIError {
	e := &APIError{Status: status, Attempts: attempts}
	if msg, typ, code, ok := parseErrorBody(body); ok {
		e.Message, e.Type, e.Code = c.scrub(msg), c.scrub(typ), c.scrub(code)
	} else {
		e.Body = c.scrub(snippet(body))
	}
	if wait, ok := retryAfter(header, c.now()); ok {
		e.RetryAfter = wait
	}
	return e
}

// redirectOrigin is a Location's origin, for a RedirectError: no path or query, which may
// carry the other side's secrets.
func redirectOrigin(loc string) string {
	u, err := url.Parse(loc)
	if err != nil || u.Host == "" {
		return "(no usable Location)"
	}
	return apiclient.OriginOf(u).String()
}

// snippet is the start of a body, on one line.
func snippet(data []byte) string {
	s := strings.Join(strings.Fields(string(data)), " ")
	if len(s) > 120 {
		s = strings.ToValidUTF8(s[:120], "") + "…"
	}
	return strconv.Quote(s)
}

// Backoff between retries after server errors: exponential, capped, with equal jitter.
const (
	backoffBase = time.Second
	backoffMax  = 20 * time.Second
)

func backoff(n int) time.Duration {
	d := backoffMax
	if n < 16 {
		d = min(backoffBase<<(n-1), backoffMax)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// retryAfter reads retry-after-ms (milliseconds, as OpenAI sends it) or Retry-After (seconds
// or an HTTP date).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms >= 0 {
			return min(time.Duration(min(ms, float64(apiclient.MaxServerWait.Milliseconds()))*float64(time.Millisecond)), apiclient.MaxServerWait), true
		}
	}
	return apiclient.RetryAfter(h.Get("Retry-After"), now)
}
