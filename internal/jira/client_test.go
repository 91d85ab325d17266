package jira_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/jira"
	"github.com/releasegate/releasegate/internal/jira/jiratest"
)

func TestNewRefusesBadConfiguration(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opts jira.Options
		says string
	}{
		{"no flavour", jira.Options{BaseURL: "https://acme.atlassian.net", Email: "a@b", Token: "t"}, "flavour"},
		{"no URL", jira.Options{Flavor: jira.Cloud, Email: "a@b", Token: "t"}, "base URL"},
		{"not http", jira.Options{Flavor: jira.Cloud, BaseURL: "ftp://acme", Email: "a@b", Token: "t"}, "base URL"},
		{"credentials in the URL", jira.Options{Flavor: jira.Cloud, BaseURL: "https://u:p@acme.atlassian.net", Email: "a@b", Token: "t"}, "base URL"},
		{"plain http off this machine", jira.Options{Flavor: jira.DataCenter, BaseURL: "http://jira.example.com", Token: "t"}, "plain http"},
		{"no token", jira.Options{Flavor: jira.DataCenter, BaseURL: "https://jira.example.com"}, "no token"},
		{"cloud without email", jira.Options{Flavor: jira.Cloud, BaseURL: "https://acme.atlassian.net", Token: "t"}, "email"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := jira.New(tc.opts)
			if err == nil || errkind.Of(err) != errkind.Config || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("New = %v, want a config error saying %q", err, tc.says)
			}
		})
	}
}

func TestBrowseURLKeepsThePath(t *testing.T) {
	t.Parallel()
	c, err := jira.New(jira.Options{Flavor: jira.DataCenter, BaseURL: "https://jira.example.com/jira", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.BrowseURL("OPS-1"); got != "https://jira.example.com/jira/browse/OPS-1" {
		t.Errorf("BrowseURL = %s", got)
	}
}

// TestTokenStaysOnItsOrigin: a redirect to another host (a moved or hijacked site) gets no
// credentials; a plain-http hop off this machine is refused.
func TestTokenStaysOnItsOrigin(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"1","key":"OPS-1","fields":{}}`))
	}))
	t.Cleanup(other.Close)
	// localhost and 127.0.0.1 are different origins on the same machine.
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	b := setup(t, jira.Cloud, jiratest.Options{})
	b.srv.InjectFault(jiratest.Fault{Method: "GET", Status: http.StatusTemporaryRedirect, Times: 1,
		Header: http.Header{"Location": {otherURL + "/rest/api/3/issue/OPS-1"}}})
	if _, err := b.c.GetIssue(t.Context(), "OPS-1"); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[0] != "" {
		t.Errorf("the other origin saw Authorization %q", seen)
	}

	b.srv.InjectFault(jiratest.Fault{Method: "GET", Status: http.StatusTemporaryRedirect, Times: 1,
		Header: http.Header{"Location": {"http://jira.example.com/rest/api/3/issue/OPS-1"}}})
	_, err := b.c.GetIssue(t.Context(), "OPS-1")
	var insecure *jira.InsecureURLError
	if !errors.As(err, &insecure) || errkind.Of(err) != errkind.Config {
		t.Errorf("a redirect to plain http gave %v", err)
	}
}
