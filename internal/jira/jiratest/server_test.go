package jiratest_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/jira/jiratest"
)

// TestTheFakeCatchesBadCalls: requests Jira would refuse, or that do not match its
// description, are recorded as invalid; calls to no route as unexpected.
func TestTheFakeCatchesBadCalls(t *testing.T) {
	t.Parallel()
	const adf = `{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"hi"}]}]}`
	cases := []struct {
		name       string
		dc         bool
		method     string
		path, body string
		status     int
		invalid    string
		unexpected bool
	}{
		{name: "valid v3 create", method: "POST", path: "/rest/api/3/issue", body: `{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Bug"},"summary":"s","description":` + adf + `}}`, status: 201},
		{name: "wiki text on v3", method: "POST", path: "/rest/api/3/issue", body: `{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Bug"},"summary":"s","description":"h1. x"}}`, status: 400, invalid: "Atlassian Document Format"},
		{name: "ADF on v2", dc: true, method: "POST", path: "/rest/api/2/issue", body: `{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Bug"},"summary":"s","description":` + adf + `}}`, status: 400, invalid: "wiki-markup string"},
		{name: "empty ADF text node", method: "POST", path: "/rest/api/3/issue/OPS-1/comment", body: `{"body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":""}]}]}}`, status: 400, invalid: "must not be empty"},
		{name: "remote link without object", method: "POST", path: "/rest/api/3/issue/OPS-1/remotelink", body: `{"globalId":"g"}`, status: 400, invalid: "does not match Jira's description"},
		{name: "search/jql with an unknown key", method: "POST", path: "/rest/api/3/search/jql", body: `{"jql":"project = OPS","startAt":5}`, status: 400, invalid: "startAt"},
		{name: "old search on Cloud", method: "POST", path: "/rest/api/3/search", body: `{"jql":"project = OPS"}`, status: 410},
		{name: "v3 on Data Center", dc: true, method: "GET", path: "/rest/api/3/issue/OPS-1", status: 404, unexpected: true},
		{name: "search/jql on Data Center", dc: true, method: "POST", path: "/rest/api/2/search/jql", body: `{"jql":"x"}`, status: 404, unexpected: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := jiratest.Start(t, jiratest.Options{DataCenter: tc.dc, Lenient: true})
			srv.AddProject(jiratest.Project{Key: "OPS"})
			// One issue to comment on, created through the API of the flavour.
			desc := adf
			if tc.dc {
				desc = `"text"`
			}
			api := "/rest/api/3"
			if tc.dc {
				api = "/rest/api/2"
			}
			if st := send(t, srv, "POST", api+"/issue", `{"fields":{"project":{"key":"OPS"},"issuetype":{"name":"Task"},"summary":"first","description":`+desc+`}}`); st != 201 {
				t.Fatalf("creating the first issue: %d %v", st, srv.Invalid())
			}
			if st := send(t, srv, tc.method, tc.path, tc.body); st != tc.status {
				t.Errorf("status %d, want %d", st, tc.status)
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

func send(t *testing.T, srv *jiratest.Server, method, path, body string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL()+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if strings.Contains(path, "/rest/api/2/") {
		req.Header.Set("Authorization", "Bearer "+srv.Token())
	} else {
		req.SetBasicAuth(srv.Email(), srv.Token())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}
