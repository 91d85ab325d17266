// Package chatapitest is a fake OpenAI-compatible Chat Completions server for tests: an
// httptest server that answers POST /v1/chat/completions with replies scripted per call
// (completions, refusals, content-filter stops) and faults on demand (error statuses, 429
// with Retry-After, null and HTML bodies, truncated JSON, headers held back, a dripping body,
// a redirect to another origin). Every request, and every answer that is not a deliberately
// broken one, is validated against openapi.yaml (our own description of the subset the
// client uses) with kin-openapi; a request that does not match, a call to anything else and
// a call with no reply scripted fail the test.
package chatapitest

import (
	"bytes"
	"cmp"
	"crypto/subtle"
	_ "embed" // the API description
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/apifake"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

//go:embed openapi.yaml
var specYAML []byte

var (
	specOnce sync.Once
	specDoc  *openapi3.T
	specErr  error
)

// Spec is the API description the fake validates against, loaded and checked once.
func Spec() (*openapi3.T, error) {
	specOnce.Do(func() {
		loader := openapi3.NewLoader()
		specDoc, specErr = loader.LoadFromData(specYAML)
		if specErr == nil {
			specErr = specDoc.Validate(loader.Context)
		}
	})
	return specDoc, specErr
}

// Path is where the fake serves the endpoint; URL is its base, the part before it.
const Path = "/v1/chat/completions"

// Options configures a Server.
type Options struct {
	// APIKey is the key accepted as a Bearer token (default "sk-test-…", 51 characters).
	APIKey string
	// Lenient leaves unexpected and invalid calls to the test (Unexpected, Invalid) instead
	// of failing it when it ends.
	Lenient bool
}

// Call is a recorded request.
type Call struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	// Request is the body decoded; nil when it is not JSON.
	Request *Request
	Status  int
	// Reply names the scripted reply that answered ("answer", "status Too Many Requests", …);
	// Status and Reply are empty while the call is being answered.
	Reply string
}

// Request is the body of a call, as the fake reads it.
type Request struct {
	Model          string          `json:"model"`
	Messages       []Message       `json:"messages"`
	Temperature    *float64        `json:"temperature"`
	MaxTokens      int             `json:"max_tokens"`
	ResponseFormat *ResponseFormat `json:"response_format"`
}

// ResponseFormat is a request's response_format.
type ResponseFormat struct {
	Type string `json:"type"`
}

// Message is one message of a request.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	ts   *httptest.Server
	op   *routers.Route

	mu         sync.Mutex
	replies    []Reply
	calls      []Call
	unexpected []Call
	invalid    []string
	nextID     int
}

// Start starts a Server for the test and stops it when the test ends; unless Options.Lenient,
// the test then fails for every unexpected call and everything that did not match the
// description.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.APIKey == "" {
		opts.APIKey = "sk-test-" + strings.Repeat("k3y", 14) + "end"
	}
	doc, err := Spec()
	if err != nil {
		t.Fatalf("chatapitest: loading openapi.yaml: %v", err)
	}
	item := doc.Paths.Value("/chat/completions")
	s := &Server{opts: opts, op: &routers.Route{Spec: doc, Path: "/chat/completions", PathItem: item, Method: http.MethodPost, Operation: item.Post}}
	s.ts = httptest.NewServer(s)
	t.Cleanup(func() {
		s.ts.CloseClientConnections()
		s.ts.Close()
		if opts.Lenient {
			return
		}
		for _, c := range s.Unexpected() {
			t.Errorf("chatapitest: unexpected call %s %s (answered %d, %s)", c.Method, c.Path, c.Status, c.Reply)
		}
		for _, msg := range s.Invalid() {
			t.Errorf("chatapitest: %s", msg)
		}
	})
	return s
}

// URL is the API's base URL, as chatapi.Options.BaseURL takes it.
func (s *Server) URL() string { return s.ts.URL + "/v1" }

// APIKey is the key the server accepts.
func (s *Server) APIKey() string { return s.opts.APIKey }

// Script queues replies, one per call, in order.
func (s *Server) Script(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = append(s.replies, replies...)
}

// Pending is how many scripted replies no call has taken yet.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.replies)
}

// Calls returns every call received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// Unexpected returns the calls to another path or with no reply scripted.
func (s *Server) Unexpected() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.unexpected)
}

// Invalid returns what did not match the description: requests and the fake's own answers.
func (s *Server) Invalid() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.invalid)
}

func (s *Server) addInvalid(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	// kin-openapi appends the whole schema and value; the path to the fault is enough.
	if i := strings.Index(msg, "\nSchema:"); i >= 0 {
		msg = msg[:i]
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalid = append(s.invalid, msg)
}

// begin records a call as it arrives, so that a client that gave up waiting still finds it
// in Calls; finish records how it was answered.
func (s *Server) begin(c Call) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, c)
	return len(s.calls) - 1
}

func (s *Server) finish(i, status int, reply string, unexpected bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[i].Status, s.calls[i].Reply = status, reply
	if unexpected {
		s.unexpected = append(s.unexpected, s.calls[i])
	}
}

// ServeHTTP serves one call: the route, the key, the request's validation, the next reply.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	c := Call{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body}
	var req Request
	if json.Unmarshal(body, &req) == nil {
		c.Request = &req
	}
	i := s.begin(c)
	if r.Method != http.MethodPost || r.URL.Path != Path {
		writeError(w, http.StatusNotFound, "Invalid URL ("+r.Method+" "+r.URL.Path+")", "invalid_request_error", "", nil)
		s.finish(i, http.StatusNotFound, "no route", true)
		return
	}
	key, hasBearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !hasBearer || subtle.ConstantTimeCompare([]byte(key), []byte(s.opts.APIKey)) != 1 {
		writeError(w, http.StatusUnauthorized, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key", nil)
		s.finish(i, http.StatusUnauthorized, "wrong key", false)
		return
	}
	if err := openapi3filter.ValidateRequest(r.Context(), s.input(r, body)); err != nil {
		s.addInvalid("the request does not match the description: %v", err)
	}
	s.mu.Lock()
	var reply *Reply
	if len(s.replies) > 0 {
		reply = &s.replies[0]
		s.replies = s.replies[1:]
	}
	s.nextID++
	id := s.nextID
	s.mu.Unlock()
	if reply == nil {
		writeError(w, http.StatusInternalServerError, "chatapitest: no reply scripted for this call", "server_error", "", nil)
		s.finish(i, http.StatusInternalServerError, "no reply scripted", true)
		return
	}
	status := s.answer(w, r, body, &req, *reply, id)
	s.finish(i, status, reply.describe(), false)
}

// answer sends a scripted reply and returns its status (0 when the client left first).
func (s *Server) answer(w http.ResponseWriter, r *http.Request, reqBody []byte, req *Request, rep Reply, id int) int {
	if rep.Delay > 0 && !apifake.Hold(r.Context(), rep.Delay) {
		return 0
	}
	for k, v := range rep.Header {
		w.Header()[k] = v
	}
	switch {
	case rep.RedirectTo != "":
		w.Header().Set("Location", rep.RedirectTo)
		w.WriteHeader(http.StatusTemporaryRedirect)
		return http.StatusTemporaryRedirect
	case rep.Body != "":
		status := cmp.Or(rep.Status, http.StatusOK)
		w.Header().Set("Content-Type", cmp.Or(rep.ContentType, "application/json"))
		w.WriteHeader(status)
		_, _ = io.WriteString(w, rep.Body)
		return status
	case rep.Status != 0:
		var b bytes.Buffer
		code := any(nil)
		if rep.Code != "" {
			code = rep.Code
		}
		writeError(recorderTo(&b, w.Header()), rep.Status, cmp.Or(rep.Message, http.StatusText(rep.Status)), errorType(rep.Status), "", code)
		if rep.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((rep.RetryAfter+time.Second-1)/time.Second)))
		}
		s.checkAnswer(r, reqBody, rep.Status, w.Header(), b.Bytes())
		w.WriteHeader(rep.Status)
		_, _ = w.Write(b.Bytes())
		return rep.Status
	}
	data := completion(req, rep, id)
	w.Header().Set("Content-Type", "application/json")
	s.checkAnswer(r, reqBody, http.StatusOK, w.Header(), data)
	if rep.Drip <= 0 {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(data)
		return http.StatusOK
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	for i := range data {
		if !apifake.Hold(r.Context(), rep.Drip) {
			return http.StatusOK
		}
		if _, err := w.Write(data[i : i+1]); err != nil {
			return http.StatusOK
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
	return http.StatusOK
}

// completion is a chat completion answering req with rep.
func completion(req *Request, rep Reply, id int) []byte {
	msg := map[string]any{"role": "assistant", "content": rep.Content, "refusal": nil}
	if rep.Refusal != "" || rep.FinishReason == "content_filter" {
		msg["content"] = nil
	}
	if rep.Refusal != "" {
		msg["refusal"] = rep.Refusal
	}
	choices := []any{map[string]any{"index": 0, "message": msg, "finish_reason": cmp.Or(rep.FinishReason, "stop")}}
	if rep.NoChoices {
		choices = []any{}
	}
	model := "fake-model"
	if req != nil && req.Model != "" {
		model = req.Model
	}
	prompt := 0
	if req != nil {
		for _, m := range req.Messages {
			prompt += len(m.Content) / 4
		}
	}
	out := len(rep.Content) / 4
	data, err := json.Marshal(map[string]any{
		"id": fmt.Sprintf("chatcmpl-fake%d", id), "object": "chat.completion", "created": time.Now().Unix(),
		"model": model, "choices": choices, "system_fingerprint": "fp_fake",
		"usage": map[string]int{"prompt_tokens": prompt, "completion_tokens": out, "total_tokens": prompt + out},
	})
	if err != nil {
		panic(fmt.Sprintf("chatapitest: encoding a completion: %v", err))
	}
	return data
}

func (s *Server) input(r *http.Request, body []byte) *openapi3filter.RequestValidationInput {
	req := r.Clone(r.Context())
	req.Body = io.NopCloser(bytes.NewReader(body))
	return &openapi3filter.RequestValidationInput{
		Request: req, Route: s.op,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true},
	}
}

// checkAnswer validates one of the fake's own answers, so that a test never passes against
// an answer no real server gives.
func (s *Server) checkAnswer(r *http.Request, reqBody []byte, status int, h http.Header, body []byte) {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: s.input(r, reqBody),
		Status:                 status, Header: h,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true},
	}
	if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
		s.addInvalid("the fake's %d answer does not match the description: %v", status, err)
	}
}

// writeError writes OpenAI's error object.
func writeError(w http.ResponseWriter, status int, message, typ, param string, code any) {
	var p any
	if param != "" {
		p = param
	}
	data, _ := json.Marshal(map[string]any{"error": map[string]any{"message": message, "type": typ, "param": p, "code": code}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func errorType(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return "requests"
	case status >= 500:
		return "server_error"
	}
	return "invalid_request_error"
}

// bufferWriter collects what writeError writes, so that it can be validated before it is sent.
type bufferWriter struct {
	b *bytes.Buffer
	h http.Header
}

func recorderTo(b *bytes.Buffer, h http.Header) *bufferWriter { return &bufferWriter{b: b, h: h} }
func (w *bufferWriter) Header() http.Header                   { return w.h }
func (w *bufferWriter) Write(p []byte) (int, error)           { return w.b.Write(p) }
func (w *bufferWriter) WriteHeader(int)                       {}

// Sink is a server on another origin that records whatever reaches it: where a redirect
// would take a client that followed it.
type Sink struct {
	ts    *httptest.Server
	mu    sync.Mutex
	calls []Call
}

// StartSink starts a Sink for the test.
func StartSink(t testing.TB) *Sink {
	t.Helper()
	k := &Sink{}
	k.ts = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		k.mu.Lock()
		k.calls = append(k.calls, Call{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Status: http.StatusOK})
		k.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(completion(nil, Reply{Content: `{"abstain":true,"reason":"sink"}`}, 0))
	}))
	t.Cleanup(k.ts.Close)
	return k
}

// URL is the sink's root.
func (k *Sink) URL() string { return k.ts.URL }

// Calls returns what reached the sink.
func (k *Sink) Calls() []Call {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.calls)
}
