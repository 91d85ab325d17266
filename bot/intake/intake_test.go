package intake

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/store"
)

type fakeStore struct {
	mu   sync.Mutex
	seen map[string]store.Delivery
	err  error
}

func (f *fakeStore) Accept(_ context.Context, d store.Delivery) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return false, f.err
	}
	if d.ID == "" {
		return false, fmt.Errorf("%w: no delivery ID", store.ErrInvalidDelivery)
	}
	if f.seen == nil {
		f.seen = map[string]store.Delivery{}
	}
	key := d.Source + "/" + d.ID
	if _, dup := f.seen[key]; dup {
		return false, nil
	}
	f.seen[key] = d
	return true, nil
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

type counted struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *counted) observe(source, event, outcome string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[source+" "+event+" "+outcome]++
}

func newHandler(st Acceptor) (*Handler, *counted) {
	c := &counted{counts: map[string]int{}}
	return &Handler{
		Store: st, GitHubSecret: []byte("gh-secret"),
		SentrySecrets:   []SentrySecret{{Owner: "acme", Secret: "acme-client"}, {Owner: "widgets", Secret: "widgets-client"}},
		GitHubEvents:    map[string]bool{"deployment_protection_rule": true},
		SentryResources: map[string]bool{"issue": true, "event_alert": true},
		MaxBody:         1 << 10,
		Now:             func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) },
		Observe:         c.observe,
	}, c
}

const dpr = `{"action":"requested","environment":"production","sha":"abc"}`

func TestGitHub(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		method  string
		ctype   string
		event   string
		id      string
		body    string
		sig     string
		status  int
		outcome string
		stored  bool
	}{
		{name: "stored", event: "deployment_protection_rule", id: "d1", body: dpr, status: 202, outcome: OutcomeStored, stored: true},
		{name: "bad signature", event: "deployment_protection_rule", id: "d2", body: dpr, sig: "sha256=" + sign("wrong", []byte(dpr)), status: 401, outcome: OutcomeBadSig},
		{name: "no signature", event: "deployment_protection_rule", id: "d3", body: dpr, sig: "-", status: 401, outcome: OutcomeBadSig},
		{name: "sha1 only", event: "deployment_protection_rule", id: "d4", body: dpr, sig: "sha1=abcdef", status: 401, outcome: OutcomeBadSig},
		{name: "unknown event", event: "star", id: "d5", body: `{"action":"created"}`, status: 202, outcome: OutcomeIgnored},
		{name: "ping", event: "ping", id: "d6", body: `{"zen":"x"}`, status: 200, outcome: OutcomeIgnored},
		{name: "form encoded", ctype: "application/x-www-form-urlencoded", event: "deployment_protection_rule", id: "d7", body: "payload=x", status: 415, outcome: OutcomeBadRequest},
		{name: "too large", event: "deployment_protection_rule", id: "d8", body: `{"a":"` + strings.Repeat("x", 2000) + `"}`, status: 413, outcome: OutcomeTooLarge},
		{name: "not json", event: "deployment_protection_rule", id: "d9", body: `[1,2`, status: 400, outcome: OutcomeBadRequest},
		{name: "no delivery id", event: "deployment_protection_rule", id: "", body: dpr, status: 400, outcome: OutcomeBadRequest},
		{name: "GET", method: http.MethodGet, event: "deployment_protection_rule", id: "d10", body: "", status: 405, outcome: OutcomeBadRequest},
		{name: "forged event name", event: "Robert'); DROP", id: "d11", body: `{}`, status: 202, outcome: OutcomeIgnored},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := &fakeStore{}
			h, c := newHandler(st)
			r := httptest.NewRequest(cmpOr(tc.method, http.MethodPost), "/webhooks/github", strings.NewReader(tc.body))
			r.Header.Set("Content-Type", cmpOr(tc.ctype, "application/json"))
			r.Header.Set("X-GitHub-Event", tc.event)
			r.Header.Set("X-GitHub-Delivery", tc.id)
			switch tc.sig {
			case "":
				r.Header.Set("X-Hub-Signature-256", "sha256="+sign("gh-secret", []byte(tc.body)))
			case "-":
			default:
				r.Header.Set("X-Hub-Signature-256", tc.sig)
			}
			w := httptest.NewRecorder()
			h.GitHub(w, r)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if got := len(st.seen); got != map[bool]int{true: 1}[tc.stored] {
				t.Errorf("%d stored, want stored=%v", got, tc.stored)
			}
			if tc.stored {
				d := st.seen["github/"+tc.id]
				if d.Action != "requested" || d.Event != tc.event || string(d.Body) != tc.body || d.ReceivedAt.IsZero() {
					t.Errorf("stored %+v", d)
				}
			}
			total := 0
			for k, n := range c.counts {
				total += n
				if !strings.HasSuffix(k, " "+tc.outcome) {
					t.Errorf("counted %q, want outcome %s", k, tc.outcome)
				}
			}
			if total != 1 {
				t.Errorf("counted %d deliveries, want 1: %v", total, c.counts)
			}
			if tc.name == "forged event name" && c.counts["github other ignored"] != 1 {
				t.Errorf("a forged event name became a metric label: %v", c.counts)
			}
		})
	}
}

func TestRedeliveryAndStoreDown(t *testing.T) {
	t.Parallel()
	st := &fakeStore{}
	h, c := newHandler(st)
	send := func() int {
		r := httptest.NewRequest(http.MethodPost, "/webhooks/github", strings.NewReader(dpr))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-GitHub-Event", "deployment_protection_rule")
		r.Header.Set("X-GitHub-Delivery", "same")
		r.Header.Set("X-Hub-Signature-256", "sha256="+sign("gh-secret", []byte(dpr)))
		w := httptest.NewRecorder()
		h.GitHub(w, r)
		return w.Code
	}
	if a, b := send(), send(); a != 202 || b != 200 {
		t.Errorf("first %d, redelivery %d; want 202, 200", a, b)
	}
	if len(st.seen) != 1 || c.counts["github deployment_protection_rule duplicate"] != 1 {
		t.Errorf("stored %d, counts %v", len(st.seen), c.counts)
	}
	st.err = errors.New("database is locked")
	if code := send(); code != 503 {
		t.Errorf("store down: %d, want 503 (the sender keeps the delivery)", code)
	}
}

func TestSentry(t *testing.T) {
	t.Parallel()
	body := `{"action":"created","installation":{"uuid":"u"},"data":{"issue":{"id":"1"}}}`
	tests := []struct {
		name     string
		resource string
		sig      string
		status   int
		owner    string
	}{
		{"acme's secret", "issue", sign("acme-client", []byte(body)), 202, "acme"},
		{"widgets' secret", "issue", sign("widgets-client", []byte(body)), 202, "widgets"},
		{"upper-case hex", "issue", strings.ToUpper(sign("acme-client", []byte(body))), 202, "acme"},
		{"unknown secret", "issue", sign("other", []byte(body)), 401, ""},
		{"not hex", "issue", "zz", 401, ""},
		{"resource not handled", "comment", sign("acme-client", []byte(body)), 202, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := &fakeStore{}
			h, _ := newHandler(st)
			r := httptest.NewRequest(http.MethodPost, "/webhooks/sentry", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Sentry-Hook-Resource", tc.resource)
			r.Header.Set("Request-ID", "req-1")
			r.Header.Set("Sentry-Hook-Signature", tc.sig)
			w := httptest.NewRecorder()
			h.Sentry(w, r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			d, ok := st.seen["sentry/req-1"]
			if ok != (tc.owner != "") || d.Owner != tc.owner {
				t.Errorf("stored %v %+v, want owner %q", ok, d, tc.owner)
			}
		})
	}
}

// FuzzGitHub: whatever the headers and body, the handler answers, stores only what was signed
// with the secret, and never panics.
func FuzzGitHub(f *testing.F) {
	f.Add("deployment_protection_rule", "id", dpr, true)
	f.Add("ping", "", "{}", true)
	f.Add("x", "y", "\x00", false)
	f.Fuzz(func(t *testing.T, event, id, body string, signed bool) {
		st := &fakeStore{}
		h, _ := newHandler(st)
		h.GitHubEvents[event] = true
		r := httptest.NewRequest(http.MethodPost, "/webhooks/github", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-GitHub-Event", event)
		r.Header.Set("X-GitHub-Delivery", id)
		if signed {
			r.Header.Set("X-Hub-Signature-256", "sha256="+sign("gh-secret", []byte(body)))
		}
		w := httptest.NewRecorder()
		h.GitHub(w, r)
		if !signed && (w.Code != 401 && w.Code != 413) {
			t.Fatalf("unsigned delivery answered %d", w.Code)
		}
		if len(st.seen) > 0 && (!signed || w.Code != 202) {
			t.Fatalf("stored with status %d, signed %v", w.Code, signed)
		}
	})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
