package chatapi

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/releasegate/releasegate/internal/apiclient"
)

type recordingTransport struct{ got []*http.Request }

func (t *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.got = append(t.got, r)
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: r}, nil
}

// TestGuardSendsTheKeyOnlyToItsOrigin: whatever reaches the transport — a redirect followed
// by another client, a request built by hand — carries the key only to the configured
// origin, and nothing goes over plain http off this machine.
func TestGuardSendsTheKeyOnlyToItsOrigin(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://api.example.com/v1")
	for _, tc := range []struct {
		name, url string
		key, sent bool
	}{
		{name: "the origin", url: "https://api.example.com/v1/chat/completions", key: true, sent: true},
		{name: "the origin, explicit port", url: "https://API.example.com:443/v1/x", key: true, sent: true},
		{name: "another host", url: "https://evil.example.net/v1/chat/completions", sent: true},
		{name: "a sibling host", url: "https://files.example.com/v1/chat/completions", sent: true},
		{name: "another port", url: "https://api.example.com:8443/v1/chat/completions", sent: true},
		{name: "plain http on the same host", url: "http://api.example.com/v1/chat/completions"},
		{name: "plain http to this machine", url: "http://127.0.0.1:9/v1", sent: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recordingTransport{}
			g := &guardTransport{next: rec, origin: apiclient.OriginOf(base), key: "sk-secret", userAgent: "ua"}
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, tc.url, http.NoBody)
			req.Header.Set("Authorization", "Bearer sk-smuggled")
			resp, err := g.RoundTrip(req)
			if err == nil {
				resp.Body.Close()
			}
			if sent := len(rec.got) == 1; sent != tc.sent {
				t.Fatalf("sent = %v (err %v), want %v", sent, err, tc.sent)
			}
			if !tc.sent {
				return
			}
			auth := rec.got[0].Header.Get("Authorization")
			if tc.key && auth != "Bearer sk-secret" || !tc.key && auth != "" {
				t.Errorf("Authorization = %q", auth)
			}
		})
	}
}
