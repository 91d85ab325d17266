package chatapitest_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/chatapi/chatapitest"
)

const goodBody = `{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"u"}],"temperature":0,"max_tokens":2048,"response_format":{"type":"json_object"}}`

// TestTheFakeCatchesBadCalls: requests outside the description are recorded as invalid,
// calls to another path or with no reply scripted as unexpected, and a wrong key is refused.
func TestTheFakeCatchesBadCalls(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		method     string
		path, body string
		key        string // "" for the right one
		script     bool
		status     int
		invalid    string
		unexpected bool
	}{
		{name: "valid", method: "POST", path: chatapitest.Path, body: goodBody, script: true, status: 200},
		{name: "a field outside the subset", method: "POST", path: chatapitest.Path, body: strings.Replace(goodBody, `"max_tokens"`, `"max_completion_tokens"`, 1), script: true, status: 200, invalid: "max_completion_tokens"},
		{name: "no messages", method: "POST", path: chatapitest.Path, body: `{"model":"m","messages":[]}`, script: true, status: 200, invalid: "messages"},
		{name: "a role outside the subset", method: "POST", path: chatapitest.Path, body: strings.Replace(goodBody, `"role":"user"`, `"role":"tool"`, 1), script: true, status: 200, invalid: "role"},
		{name: "temperature out of range", method: "POST", path: chatapitest.Path, body: strings.Replace(goodBody, `"temperature":0`, `"temperature":3`, 1), script: true, status: 200, invalid: "temperature"},
		{name: "wrong key", method: "POST", path: chatapitest.Path, body: goodBody, key: "sk-wrong", status: 401},
		{name: "another path", method: "POST", path: "/v1/completions", body: goodBody, status: 404, unexpected: true},
		{name: "another method", method: "GET", path: chatapitest.Path, status: 404, unexpected: true},
		{name: "no reply scripted", method: "POST", path: chatapitest.Path, body: goodBody, status: 500, unexpected: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := chatapitest.Start(t, chatapitest.Options{Lenient: true})
			if tc.script {
				srv.Script(chatapitest.Answer(`{"abstain":true,"reason":"r"}`))
			}
			key := srv.APIKey()
			if tc.key != "" {
				key = tc.key
			}
			req, err := http.NewRequestWithContext(t.Context(), tc.method, strings.TrimSuffix(srv.URL(), "/v1")+tc.path, bytes.NewReader([]byte(tc.body)))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			inv := strings.Join(srv.Invalid(), "\n")
			if tc.invalid == "" && inv != "" || !strings.Contains(inv, tc.invalid) {
				t.Errorf("invalid = %q, want %q", inv, tc.invalid)
			}
			if got := len(srv.Unexpected()) > 0; got != tc.unexpected {
				t.Errorf("unexpected = %v", srv.Unexpected())
			}
		})
	}
}

// TestEveryCannedReplyIsValid: the replies that stand for a real server's answers (not the
// deliberately broken ones) match the description, so no test passes against an answer no
// server gives.
func TestEveryCannedReplyIsValid(t *testing.T) {
	t.Parallel()
	for name, rep := range map[string]chatapitest.Reply{
		"answer":       chatapitest.Answer(`{"abstain":true}`),
		"refused":      chatapitest.Refused("I can't help with that."),
		"filtered":     chatapitest.Filtered(),
		"no choices":   {NoChoices: true},
		"failure":      chatapitest.Failure(500, "The server had an error"),
		"rate limited": chatapitest.RateLimited(3e9),
		"length":       {Content: `{"abst`, FinishReason: "length"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := chatapitest.Start(t, chatapitest.Options{})
			srv.Script(rep)
			req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL()+"/chat/completions", strings.NewReader(goodBody))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+srv.APIKey())
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if inv := srv.Invalid(); len(inv) > 0 {
				t.Errorf("invalid: %v", inv)
			}
		})
	}
}

// TestTheFakeChecksItsOwnAnswers: a scripted answer no server would give (a finish_reason
// outside the API's) is caught.
func TestTheFakeChecksItsOwnAnswers(t *testing.T) {
	t.Parallel()
	srv := chatapitest.Start(t, chatapitest.Options{Lenient: true})
	srv.Script(chatapitest.Reply{Content: "x", FinishReason: "eos"})
	req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL()+"/chat/completions", strings.NewReader(goodBody))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if inv := strings.Join(srv.Invalid(), "\n"); !strings.Contains(inv, "finish_reason") {
		t.Errorf("invalid = %q, want the finish_reason named", inv)
	}
}
