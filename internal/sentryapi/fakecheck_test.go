package sentryapi

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// captureTB records the failures the fake reports instead of failing the test, so that the fake
// itself can be tested.
type captureTB struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (c *captureTB) Errorf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, fmt.Sprintf(format, args...))
}

func (c *captureTB) failures() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.errs, "\n")
}

// TestFakeRejects proves that the fake catches what the other tests rely on it to catch.
func TestFakeRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		want                     string
	}{
		{"no prefix", "GET", "/api/0/organizations/acme/issues/", "", nil, "lacks the base URL prefix"},
		{"enum violation", "GET", testPrefix + "/api/0/organizations/acme/issues/?sort=bogus", "", nil, "listOrganizationIssues"},
		{"missing required body field", "POST", testPrefix + "/api/0/organizations/acme/releases/", `{"version":"1.0"}`, nil, "projects"},
		{"unknown endpoint", "GET", testPrefix + "/api/0/organizations/acme/not-an-endpoint/", "", nil, "not an operation"},
		{"no token", "GET", testPrefix + "/api/0/organizations/acme/issues/", "", map[string]string{"Authorization": ""}, "Authorization header"},
		{"wrong user agent", "GET", testPrefix + "/api/0/organizations/acme/issues/", "", map[string]string{"User-Agent": "curl"}, "User-Agent"},
		{"unregistered route", "GET", testPrefix + "/api/0/organizations/acme/issues/", "", nil, "unexpected request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tb := &captureTB{TB: t}
			f := newFake(tb)
			req, _ := http.NewRequestWithContext(t.Context(), tc.method, f.srv.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Authorization", "Bearer "+testToken)
			req.Header.Set("User-Agent", testUA)
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusTeapot {
				t.Errorf("status %d, want the fake's rejection", resp.StatusCode)
			}
			if got := tb.failures(); !strings.Contains(got, tc.want) {
				t.Errorf("fake reported %q, want it to mention %q", got, tc.want)
			}
		})
	}

	t.Run("unused route", func(t *testing.T) {
		t.Parallel()
		tb := &captureTB{TB: t}
		// Not parallel: its failures are read right after it returns.
		t.Run("inner", func(t *testing.T) {
			inner := &captureTB{TB: t}
			// Registered before the fake's own cleanup, so it runs after it.
			t.Cleanup(func() { tb.errs = append(tb.errs, inner.failures()) })
			f := newFake(inner)
			f.reply("GET", "/api/0/organizations/acme/issues/", 200, []byte(`[]`))
		})
		if got := tb.failures(); !strings.Contains(got, "never called") {
			t.Errorf("fake reported %q, want an unused-route failure", got)
		}
	})
}
