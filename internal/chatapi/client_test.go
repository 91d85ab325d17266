package chatapi_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/chatapi"
	"github.com/releasegate/releasegate/internal/chatapi/chatapitest"
)

// rig is what a test works with: the fake, a client for it that records its waits instead of
// sleeping, and its log.
type rig struct {
	srv  *chatapitest.Server
	c    *chatapi.Client
	opts chatapi.Options
	logs *bytes.Buffer

	mu    sync.Mutex
	waits []time.Duration
}

func (r *rig) slept() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.waits)
}

func newRig(t *testing.T, edit ...func(*chatapi.Options)) *rig {
	t.Helper()
	r := &rig{srv: chatapitest.Start(t, chatapitest.Options{}), logs: &bytes.Buffer{}}
	var logMu sync.Mutex
	r.opts = chatapi.Options{
		BaseURL: r.srv.URL(), Model: "gpt-4o-mini", APIKey: r.srv.APIKey(), Timeout: 2 * time.Second,
		Sleep: func(ctx context.Context, d time.Duration) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.waits = append(r.waits, d)
			return ctx.Err()
		},
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: r.logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, e := range edit {
		e(&r.opts)
	}
	c, err := chatapi.New(r.opts)
	if err != nil {
		t.Fatal(err)
	}
	r.c = c
	return r
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

var question = []chatapi.Message{{Role: "system", Content: "Answer in JSON."}, {Role: "user", Content: "Why?"}}

func TestValidate(t *testing.T) {
	t.Parallel()
	good := chatapi.Options{BaseURL: "https://api.openai.com/v1", Model: "gpt-4o-mini", APIKey: "sk-abc"}
	cases := []struct {
		name string
		edit func(*chatapi.Options)
		want string // "" valid
	}{
		{name: "good", edit: func(*chatapi.Options) {}},
		{name: "loopback http without a key", edit: func(o *chatapi.Options) { o.BaseURL, o.APIKey = "http://127.0.0.1:11434/v1", "" }},
		{name: "localhost http", edit: func(o *chatapi.Options) { o.BaseURL = "http://localhost:8000/v1/" }},
		{name: "no base URL", edit: func(o *chatapi.Options) { o.BaseURL = "" }, want: "Options.BaseURL is empty"},
		{name: "plain http off this machine", edit: func(o *chatapi.Options) { o.BaseURL = "http://llm.example.com/v1" }, want: "plain http to another machine"},
		{name: "ftp", edit: func(o *chatapi.Options) { o.BaseURL = "ftp://llm.example.com/v1" }, want: "must start with https://"},
		{name: "credentials in the URL", edit: func(o *chatapi.Options) { o.BaseURL = "https://user:sk-abc@llm.example.com/v1" }, want: "must not hold a user name"},
		{name: "the endpoint itself", edit: func(o *chatapi.Options) { o.BaseURL = "https://api.openai.com/v1/chat/completions" }, want: "names the endpoint"},
		{name: "a query", edit: func(o *chatapi.Options) { o.BaseURL = "https://api.openai.com/v1?x=1" }, want: "query"},
		{name: "no model", edit: func(o *chatapi.Options) { o.Model = " " }, want: "Options.Model is empty"},
		{name: "model with a space", edit: func(o *chatapi.Options) { o.Model = "gpt 4" }, want: "Options.Model"},
		{name: "no key off this machine", edit: func(o *chatapi.Options) { o.APIKey = "" }, want: "Options.APIKey is empty"},
		{name: "key with a newline", edit: func(o *chatapi.Options) { o.APIKey = "sk-abc\n" }, want: "Options.APIKey contains"},
		{name: "negative timeout", edit: func(o *chatapi.Options) { o.Timeout = -time.Second }, want: "Options.Timeout"},
		{name: "huge timeout", edit: func(o *chatapi.Options) { o.Timeout = time.Hour }, want: "Options.Timeout"},
		{name: "negative budget", edit: func(o *chatapi.Options) { o.DailyBudget = -1 }, want: "Options.DailyBudget"},
		{name: "control in user agent", edit: func(o *chatapi.Options) { o.UserAgent = "a\nb" }, want: "Options.UserAgent"},
		{name: "too many retries", edit: func(o *chatapi.Options) { o.MaxRetries = 11 }, want: "Options.MaxRetries"},
		{name: "negative retry wait", edit: func(o *chatapi.Options) { o.MaxRetryWait = -1 }, want: "Options.MaxRetryWait"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := good
			tc.edit(&o)
			err := o.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "sk-abc") {
				t.Errorf("the error quotes the key: %v", err)
			}
		})
	}
	c, err := chatapi.New(chatapi.Options{BaseURL: "https://api.openai.com/v1", Model: "m", APIKey: "k"})
	if err != nil || c.DailyBudget() != chatapi.DefaultDailyBudget {
		t.Errorf("New with no budget: %v, budget %d, want the default %d", err, c.DailyBudget(), chatapi.DefaultDailyBudget)
	}
}

// TestRequest: what reaches the server is the subset every compatible server accepts, with
// the key as a Bearer token.
func TestRequest(t *testing.T) {
	t.Parallel()
	r := newRig(t, func(o *chatapi.Options) { o.UserAgent = "releasegate/9.9" })
	r.srv.Script(chatapitest.Answer(`{"abstain":true,"reason":"r"}`))
	comp, err := r.c.Complete(t.Context(), question)
	if err != nil {
		t.Fatal(err)
	}
	if comp.Content != `{"abstain":true,"reason":"r"}` || comp.FinishReason != "stop" || comp.Model != "gpt-4o-mini" || comp.Attempts != 1 {
		t.Errorf("Completion = %+v", comp)
	}
	calls := r.srv.Calls()
	if len(calls) != 1 {
		t.Fatalf("%d calls", len(calls))
	}
	c := calls[0]
	if c.Header.Get("Authorization") != "Bearer "+r.srv.APIKey() || c.Header.Get("User-Agent") != "releasegate/9.9" || c.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", c.Header)
	}
	req := c.Request
	if req == nil || req.Model != "gpt-4o-mini" || len(req.Messages) != 2 || req.Temperature == nil || *req.Temperature != 0 ||
		req.MaxTokens <= 0 || req.ResponseFormat == nil || req.ResponseFormat.Type != "json_object" {
		t.Errorf("request = %s", c.Body)
	}
	if !bytes.Contains(c.Body, []byte(`"temperature":0`)) {
		t.Errorf("temperature 0 is not sent explicitly: %s", c.Body)
	}
}

// TestFaults: each fault of the fake ends as the typed error it should, after the attempts it
// should take, waiting what the server asked.
func TestFaults(t *testing.T) {
	t.Parallel()
	const ok = `{"abstain":true,"reason":"r"}`
	cases := []struct {
		name    string
		replies []chatapitest.Reply
		edit    func(*chatapi.Options)
		// check inspects the error (nil for a success).
		check    func(t *testing.T, err error)
		calls    int
		waits    []time.Duration // nil: any number of backoffs, as many as calls-1
		exactly  bool
		kind     errkind.Kind
		contains string
	}{
		{name: "500 then an answer", replies: []chatapitest.Reply{chatapitest.Failure(500, "The server had an error"), chatapitest.Answer(ok)}, calls: 2},
		{name: "429 honours Retry-After", replies: []chatapitest.Reply{chatapitest.RateLimited(7 * time.Second), chatapitest.Answer(ok)}, calls: 2, waits: []time.Duration{7 * time.Second}, exactly: true},
		{name: "429 honours retry-after-ms", replies: []chatapitest.Reply{{Status: 429, Message: "slow down", Header: http.Header{"Retry-After-Ms": {"1500"}}}, chatapitest.Answer(ok)}, calls: 2, waits: []time.Duration{1500 * time.Millisecond}, exactly: true},
		{name: "429 asking too long a wait", replies: []chatapitest.Reply{chatapitest.RateLimited(time.Hour)}, calls: 1, waits: []time.Duration{}, exactly: true,
			kind: errkind.Undecided, contains: "429 Too Many Requests: Rate limit reached for requests (rate_limit_exceeded) (the server asked to wait 1h0m0s)"},
		{name: "quota exhausted is not retried", replies: []chatapitest.Reply{{Status: 429, Message: "You exceeded your current quota", Code: "insufficient_quota"}}, calls: 1, exactly: true, waits: []time.Duration{},
			kind: errkind.Undecided, contains: "insufficient_quota"},
		{name: "500s outlast the retries", replies: []chatapitest.Reply{chatapitest.Failure(500, "a"), chatapitest.Failure(502, "b"), chatapitest.Failure(503, "c")}, calls: 3,
			kind: errkind.Undecided, contains: "503 Service Unavailable: c (after 3 attempts)"},
		{name: "401 is not retried", replies: []chatapitest.Reply{chatapitest.Failure(401, "Incorrect API key provided.")}, calls: 1, waits: []time.Duration{}, exactly: true,
			kind: errkind.Config, contains: "401 Unauthorized: Incorrect API key provided.; check the model's API key"},
		{name: "404 names the base URL", replies: []chatapitest.Reply{chatapitest.Failure(404, "The model `gpt-9` does not exist")}, calls: 1,
			kind: errkind.Config, contains: "check the model's base URL"},
		{name: "null body", replies: []chatapitest.Reply{chatapitest.NullBody()}, calls: 1, kind: errkind.Undecided, contains: "not a chat completion: null"},
		{name: "HTML body", replies: []chatapitest.Reply{chatapitest.HTMLPage()}, calls: 1, kind: errkind.Undecided, contains: "an HTML page"},
		{name: "HTML error page", replies: []chatapitest.Reply{{Status: 502, Body: "<html>Bad gateway</html>", ContentType: "text/html"}, chatapitest.Answer(ok)}, calls: 2},
		{name: "truncated", replies: []chatapitest.Reply{chatapitest.Truncated()}, calls: 1, kind: errkind.Undecided, contains: "truncated or malformed JSON"},
		{name: "no choices", replies: []chatapitest.Reply{{NoChoices: true}}, calls: 1, kind: errkind.Undecided, contains: "no choices"},
		{name: "refusal", replies: []chatapitest.Reply{chatapitest.Refused("I can't help with that.")}, calls: 1, check: func(t *testing.T, err error) {
			var r *chatapi.RefusalError
			if !errors.As(err, &r) || r.Reason != "I can't help with that." {
				t.Errorf("err = %v, want a RefusalError", err)
			}
		}},
		{name: "content filter", replies: []chatapitest.Reply{chatapitest.Filtered()}, calls: 1, contains: "content filter"},
		{name: "slow headers time out, not retried", replies: []chatapitest.Reply{chatapitest.Slow(5*time.Second, ok)}, edit: func(o *chatapi.Options) { o.Timeout = 200 * time.Millisecond },
			calls: 1, waits: []time.Duration{}, exactly: true, kind: errkind.Undecided, contains: "no complete answer within 200ms", check: isTimeout},
		{name: "dripping body times out", replies: []chatapitest.Reply{chatapitest.Dripping(20*time.Millisecond, ok)}, edit: func(o *chatapi.Options) { o.Timeout = 300 * time.Millisecond },
			calls: 1, kind: errkind.Undecided, contains: "no complete answer within 300ms", check: isTimeout},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			edits := []func(*chatapi.Options){}
			if tc.edit != nil {
				edits = append(edits, tc.edit)
			}
			r := newRig(t, edits...)
			r.srv.Script(tc.replies...)
			comp, err := r.c.Complete(t.Context(), question)
			if tc.contains == "" && tc.check == nil {
				if err != nil || comp.Content != ok {
					t.Fatalf("Complete = %+v, %v", comp, err)
				}
				if comp.Attempts != tc.calls {
					t.Errorf("Attempts = %d, want %d", comp.Attempts, tc.calls)
				}
			} else if err == nil {
				t.Fatalf("Complete = %+v, want an error", comp)
			}
			if tc.contains != "" && !strings.Contains(err.Error(), tc.contains) {
				t.Errorf("err = %v, want %q", err, tc.contains)
			}
			if tc.kind != errkind.Unknown && errkind.Of(err) != tc.kind {
				t.Errorf("kind = %v, want %v", errkind.Of(err), tc.kind)
			}
			if tc.check != nil {
				tc.check(t, err)
			}
			if n := len(r.srv.Calls()); n != tc.calls {
				t.Errorf("%d calls, want %d", n, tc.calls)
			}
			waits := r.slept()
			if tc.exactly && !slices.Equal(waits, tc.waits) || !tc.exactly && len(waits) != tc.calls-1 {
				t.Errorf("waits = %v, want %v", waits, tc.waits)
			}
		})
	}
}

func isTimeout(t *testing.T, err error) {
	t.Helper()
	var ne *chatapi.NetworkError
	var te *chatapi.TimeoutError
	if !errors.As(err, &ne) || !ne.Timeout() || !errors.As(err, &te) {
		t.Errorf("err = %#v, want a NetworkError wrapping a TimeoutError", err)
	}
}

// TestUnreachable: a server that is not there is a NetworkError after the retries (a refused
// connection was never sent, so it may be sent again).
func TestUnreachable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var waits []time.Duration
	c, err := chatapi.New(chatapi.Options{BaseURL: "http://" + addr + "/v1", Model: "m",
		Sleep: func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Complete(t.Context(), question)
	var ne *chatapi.NetworkError
	if !errors.As(err, &ne) || ne.Attempts != 3 || ne.Timeout() || len(waits) != 2 {
		t.Fatalf("err = %v (waits %v), want a NetworkError after 3 attempts", err, waits)
	}
	if !strings.Contains(err.Error(), "could not be reached") {
		t.Errorf("err = %v", err)
	}
}

// TestCancelled: a cancelled context ends the call with the context's error.
func TestCancelled(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	r.srv.Script(chatapitest.Slow(5*time.Second, "{}"))
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := r.c.Complete(ctx, question)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
	var te *chatapi.TimeoutError
	if errors.As(err, &te) {
		t.Errorf("the caller's deadline is reported as the client's timeout: %v", err)
	}
}
