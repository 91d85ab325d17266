package jira_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/jira"
	"github.com/releasegate/releasegate/internal/jira/jiratest"
	"github.com/releasegate/releasegate/internal/richtext"
)

// flavours runs a test against a fake of each flavour.
var flavours = []struct {
	name   string
	flavor jira.Flavor
}{
	{"cloud", jira.Cloud},
	{"datacenter", jira.DataCenter},
}

// bundle is what a test works with: the client, the fake, and the waits the client slept.
type bundle struct {
	c   *jira.Client
	srv *jiratest.Server

	mu    sync.Mutex
	waits []time.Duration
}

func (b *bundle) slept() []time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.waits)
}

// setup starts a fake Jira with project OPS (Bug, Task; component web) and user alice, and a
// client for it that records its waits instead of sleeping.
func setup(t *testing.T, flavor jira.Flavor, opts jiratest.Options, edit ...func(*jira.Options)) *bundle {
	t.Helper()
	opts.DataCenter = flavor == jira.DataCenter
	b := &bundle{srv: jiratest.Start(t, opts)}
	b.srv.AddProject(jiratest.Project{Key: "OPS", Components: []string{"web"}})
	b.srv.AddUser(jiratest.User{AccountID: "acc-alice", Name: "alice", DisplayName: "Alice"})
	o := jira.Options{
		Flavor: flavor, BaseURL: b.srv.URL(), Email: b.srv.Email(), Token: b.srv.Token(),
		AttemptTimeout: time.Second,
		Sleep: func(ctx context.Context, d time.Duration) error {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.waits = append(b.waits, d)
			return ctx.Err()
		},
	}
	for _, e := range edit {
		e(&o)
	}
	c, err := jira.New(o)
	if err != nil {
		t.Fatal(err)
	}
	b.c = c
	return b
}

func newIssue(labels ...string) jira.NewIssue {
	return jira.NewIssue{
		Project: "OPS", IssueType: "Bug", Summary: "TypeError: x is undefined in checkout",
		Description: everyElement(), Labels: labels, Components: []string{"web"}, Priority: "High",
	}
}

// api is the REST prefix of the flavour, for the fake's routes.
func api(f jira.Flavor) string {
	if f == jira.Cloud {
		return "/rest/api/3"
	}
	return "/rest/api/2"
}

// TestTicketLifecycle runs the bot's calls in order against each flavour and checks what
// reached Jira: the text in the flavour's format, one remote link per globalId, the assignee
// by the flavour's identifier, the transitions by name.
func TestTicketLifecycle(t *testing.T) {
	t.Parallel()
	for _, f := range flavours {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, f.flavor, jiratest.Options{Prefix: "/jira"})
			ctx := t.Context()
			ref, err := b.c.CreateIssue(ctx, newIssue("sentry-web-123"))
			if err != nil {
				t.Fatal(err)
			}
			if ref.Key != "OPS-1" || ref.ID == "" {
				t.Fatalf("CreateIssue = %+v", ref)
			}
			stored, _ := b.srv.Issue(ref.Key)
			var desc any
			if err := json.Unmarshal(stored.Description, &desc); err != nil {
				t.Fatal(err)
			}
			switch d := desc.(type) {
			case map[string]any:
				if f.flavor != jira.Cloud || d["type"] != "doc" {
					t.Errorf("%s got the description as an object: %s", f.name, stored.Description)
				}
			case string:
				if f.flavor != jira.DataCenter || !strings.HasPrefix(d, "h2. TypeError in checkout") {
					t.Errorf("%s got the description as a string: %q", f.name, d)
				}
			}
			if !slices.Equal(stored.Labels, []string{"sentry-web-123"}) || stored.Priority != "High" || !slices.Equal(stored.Components, []string{"web"}) {
				t.Errorf("stored issue = %+v", stored)
			}

			if _, err := b.c.AddComment(ctx, ref.Key, richtext.Doc{Blocks: []richtext.Block{richtext.Para(richtext.Plain("Fixed by #43"))}}); err != nil {
				t.Fatal(err)
			}
			link := jira.RemoteLink{
				GlobalID: "system=https://github.com/acme/web&id=pr-42", AppType: "com.github", AppName: "GitHub",
				Relationship: "caused by", URL: "https://github.com/acme/web/pull/42", Title: "acme/web#42",
			}
			id1, err := b.c.UpsertRemoteLink(ctx, ref.Key, link)
			if err != nil {
				t.Fatal(err)
			}
			link.Title, link.Resolved = "acme/web#42 (merged)", true
			id2, err := b.c.UpsertRemoteLink(ctx, ref.Key, link)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.c.Assign(ctx, ref.Key, map[jira.Flavor]string{jira.Cloud: "acc-alice", jira.DataCenter: "alice"}[f.flavor]); err != nil {
				t.Fatal(err)
			}
			if err := b.c.Transition(ctx, ref.Key, "start progress"); err != nil {
				t.Fatal(err)
			}
			if err := b.c.Transition(ctx, ref.Key, "in progress"); err != nil {
				t.Errorf("a transition to the status the issue is in: %v", err)
			}
			if err := b.c.Transition(ctx, ref.Key, "Done"); err != nil {
				t.Fatal(err)
			}

			got, err := b.c.GetIssue(ctx, ref.Key)
			if err != nil {
				t.Fatal(err)
			}
			want := jira.Issue{ID: ref.ID, Key: "OPS-1", Summary: "TypeError: x is undefined in checkout", Status: "Done",
				StatusCategory: "done", Labels: []string{"sentry-web-123"}, Assignee: map[jira.Flavor]string{jira.Cloud: "acc-alice", jira.DataCenter: "alice"}[f.flavor]}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("GetIssue =\n %+v, want\n %+v", got, want)
			}
			stored, _ = b.srv.Issue(ref.Key)
			if id1 != id2 || len(stored.RemoteLinks) != 1 || stored.RemoteLinks[0].Title != "acme/web#42 (merged)" {
				t.Errorf("the upserts gave links %d and %d; stored %+v", id1, id2, stored.RemoteLinks)
			}
			if len(stored.Comments) != 1 {
				t.Errorf("comments = %+v", stored.Comments)
			}
			found, err := b.c.Search(ctx, jira.Search{JQL: `project = OPS AND labels = "sentry-web-123"`})
			if err != nil || len(found) != 1 || found[0].Key != "OPS-1" || found[0].Status != "Done" {
				t.Errorf("Search = %+v, %v", found, err)
			}
			for _, c := range b.srv.Calls() {
				auth := c.Header.Get("Authorization")
				if f.flavor == jira.Cloud && !strings.HasPrefix(auth, "Basic ") || f.flavor == jira.DataCenter && auth != "Bearer "+b.srv.Token() {
					t.Errorf("%s %s sent Authorization %q", c.Method, c.Path, auth)
				}
				if !strings.HasPrefix(c.Path, api(f.flavor)) {
					t.Errorf("%s %s is not below %s", c.Method, c.Path, api(f.flavor))
				}
			}
		})
	}
}

// TestErrors: each failure is typed, of the right kind, says what Jira said, and is retried
// only when that is safe.
func TestErrors(t *testing.T) {
	t.Parallel()
	type run func(context.Context, *bundle) error
	create := func(ctx context.Context, b *bundle) error { _, err := b.c.CreateIssue(ctx, newIssue()); return err }
	get := func(ctx context.Context, b *bundle) error { _, err := b.c.GetIssue(ctx, "OPS-1"); return err }
	cases := []struct {
		name   string
		fault  *jiratest.Fault
		token  string
		maxRW  time.Duration
		call   run
		kind   errkind.Kind
		status int // of the *APIError, 0: none
		says   string
		calls  int // requests to the fake, counting the issue the test creates first
		waits  []time.Duration
		notFnd bool
	}{
		{name: "refused token", token: "wrong", call: get, kind: errkind.Config, status: 401, says: "check the Jira credentials", calls: 2},
		{name: "unknown project", call: func(ctx context.Context, b *bundle) error {
			in := newIssue()
			in.Project = "NOPE"
			_, err := b.c.CreateIssue(ctx, in)
			return err
		}, kind: errkind.Config, status: 400, says: "project: valid project is required", calls: 2},
		{name: "unknown issue type", call: func(ctx context.Context, b *bundle) error {
			in := newIssue()
			in.IssueType = "Incident"
			_, err := b.c.CreateIssue(ctx, in)
			return err
		}, kind: errkind.Config, status: 400, says: "issuetype: Specify a valid issue type", calls: 2},
		{name: "label with a space", call: func(ctx context.Context, b *bundle) error {
			_, err := b.c.CreateIssue(ctx, newIssue("two words"))
			return err
		}, kind: errkind.Config, status: 400, says: "contains spaces", calls: 2},
		{name: "missing issue", call: func(ctx context.Context, b *bundle) error {
			_, err := b.c.GetIssue(ctx, "OPS-99")
			return err
		}, kind: errkind.Config, status: 404, says: "Issue does not exist", calls: 2, notFnd: true},
		{name: "server error on a read is retried", fault: &jiratest.Fault{Method: "GET", Status: 502, Times: 2}, call: get, calls: 4},
		{name: "server errors outlast the retries", fault: &jiratest.Fault{Method: "GET", Status: 503}, call: get,
			kind: errkind.Undecided, status: 503, says: "after 5 attempts", calls: 6},
		{name: "server error on a create is not retried", fault: &jiratest.Fault{Method: "POST", Status: 500}, call: create,
			kind: errkind.Undecided, status: 500, says: "Jira is failing", calls: 2},
		{name: "429 on a create waits as asked and retries", fault: once(jiratest.RateLimited(7 * time.Second)), call: create,
			calls: 3, waits: []time.Duration{7 * time.Second}},
		{name: "429 asking too long a wait", fault: ptr(jiratest.RateLimited(time.Hour)), maxRW: time.Minute, call: create,
			kind: errkind.Undecided, status: 429, says: "rate limiting", calls: 2},
		{name: "503 with Retry-After on a read waits as asked", fault: &jiratest.Fault{Method: "GET", Status: 503, RetryAfter: 3 * time.Second, Times: 1}, call: get,
			calls: 3, waits: []time.Duration{3 * time.Second}},
		{name: "503 with Retry-After on a create is not retried", fault: &jiratest.Fault{Method: "POST", Status: 503, RetryAfter: 3 * time.Second}, call: create,
			kind: errkind.Undecided, status: 503, says: "Jira is failing", calls: 2},
		{name: "null body", fault: &jiratest.Fault{Method: "GET", NullBody: true, Times: 1}, call: get,
			kind: errkind.Undecided, says: "not a JSON object", calls: 2},
		{name: "slow answer is one failed attempt", fault: &jiratest.Fault{Method: "GET", Delay: 3 * time.Second, Times: 1}, call: get, calls: 3},
		{name: "unknown transition", call: func(ctx context.Context, b *bundle) error { return b.c.Transition(ctx, "OPS-1", "Deploy") },
			kind: errkind.Config, says: `no transition "Deploy" now (available: Start Progress, Done)`, calls: 3},
		{name: "unknown assignee", call: func(ctx context.Context, b *bundle) error { return b.c.Assign(ctx, "OPS-1", "mallory") },
			kind: errkind.Config, status: 400, says: "cannot be assigned", calls: 2},
	}
	for _, f := range flavours {
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				b := setup(t, f.flavor, jiratest.Options{Lenient: tc.token != ""}, func(o *jira.Options) {
					if tc.maxRW > 0 {
						o.MaxRetryWait = tc.maxRW
					}
				})
				if _, err := b.c.CreateIssue(t.Context(), newIssue()); err != nil {
					t.Fatal(err)
				}
				if tc.fault != nil {
					b.srv.InjectFault(*tc.fault)
				}
				if tc.token != "" {
					c, err := jira.New(jira.Options{Flavor: f.flavor, BaseURL: b.srv.URL(), Email: b.srv.Email(), Token: tc.token})
					if err != nil {
						t.Fatal(err)
					}
					b.c = c
				}
				err := tc.call(t.Context(), b)
				if tc.says == "" && tc.kind == errkind.Unknown {
					if err != nil {
						t.Fatalf("err = %v", err)
					}
				} else {
					if err == nil {
						t.Fatal("no error")
					}
					if k := errkind.Of(err); k != tc.kind {
						t.Errorf("kind %s, want %s: %v", k, tc.kind, err)
					}
					if !strings.Contains(err.Error(), tc.says) {
						t.Errorf("the error does not say %q: %v", tc.says, err)
					}
					var ae *jira.APIError
					if got := errors.As(err, &ae); got != (tc.status != 0) || got && ae.Status != tc.status {
						t.Errorf("APIError %v (%+v), want status %d", got, ae, tc.status)
					}
					if errors.Is(err, jira.ErrNotFound) != tc.notFnd {
						t.Errorf("errors.Is(ErrNotFound) = %v", !tc.notFnd)
					}
				}
				if n := len(b.srv.Calls()); n != tc.calls {
					t.Errorf("%d requests reached Jira, want %d", n, tc.calls)
				}
				if tc.waits != nil && !slices.Equal(b.slept(), tc.waits) {
					t.Errorf("waits = %v, want %v", b.slept(), tc.waits)
				}
			})
		}
	}
}

func ptr(f jiratest.Fault) *jiratest.Fault { return &f }

func once(f jiratest.Fault) *jiratest.Fault {
	f.Times = 1
	return &f
}

// TestSearchIsEventuallyConsistent: a new issue is not found until Jira's index catches up,
// unless the search reconciles it by ID: the trap a "search, then create" would fall into.
func TestSearchIsEventuallyConsistent(t *testing.T) {
	t.Parallel()
	b := setup(t, jira.Cloud, jiratest.Options{})
	b.srv.SetSearchLag(jiratest.SearchLag{Searches: 2})
	ctx := t.Context()
	ref, err := b.c.CreateIssue(ctx, newIssue("sentry-web-7"))
	if err != nil {
		t.Fatal(err)
	}
	q := jira.Search{JQL: `labels = sentry-web-7`}
	if got, err := b.c.Search(ctx, q); err != nil || len(got) != 0 {
		t.Fatalf("the first search found %+v, %v; the fake is not lagging", got, err)
	}
	q.Reconcile = []string{ref.ID}
	if got, err := b.c.Search(ctx, q); err != nil || len(got) != 1 || got[0].Key != ref.Key {
		t.Fatalf("the reconciled search found %+v, %v", got, err)
	}
	q.Reconcile = nil
	if got, err := b.c.Search(ctx, q); err != nil || len(got) != 1 {
		t.Fatalf("after two searches the issue is still not found: %+v, %v", got, err)
	}
	calls := b.srv.CallsTo("POST /rest/api/3/search/jql")
	if len(calls) != 3 || !strings.Contains(string(calls[1].Body), `"reconcileIssues":[`+ref.ID+`]`) {
		t.Errorf("the searches sent %d calls; the second: %s", len(calls), calls[1].Body)
	}
}

// TestSearchPages reads every page, in each flavour's paging, and stops at the limit.
func TestSearchPages(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name            string
		limit, pageSize int
		want, calls     int
	}{
		{name: "all pages", pageSize: 3, want: 7, calls: 3},
		{name: "one page", pageSize: 10, want: 7, calls: 1},
		{name: "limit cuts short", limit: 5, pageSize: 3, want: 5, calls: 2},
	}
	for _, f := range flavours {
		for _, tc := range cases {
			t.Run(f.name+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				b := setup(t, f.flavor, jiratest.Options{})
				for range 7 {
					if _, err := b.c.CreateIssue(t.Context(), newIssue("many")); err != nil {
						t.Fatal(err)
					}
				}
				got, err := b.c.Search(t.Context(), jira.Search{JQL: "project = OPS AND labels = many ORDER BY created DESC", Limit: tc.limit, PageSize: tc.pageSize})
				if err != nil {
					t.Fatal(err)
				}
				keys := map[string]bool{}
				for _, is := range got {
					keys[is.Key] = true
				}
				if len(got) != tc.want || len(keys) != tc.want {
					t.Errorf("found %d issues (%d keys), want %d", len(got), len(keys), tc.want)
				}
				route := "POST /rest/api/3/search/jql"
				if f.flavor == jira.DataCenter {
					route = "POST /rest/api/2/search"
				}
				if n := len(b.srv.CallsTo(route)); n != tc.calls {
					t.Errorf("%d pages read, want %d", n, tc.calls)
				}
			})
		}
	}
}

// TestJQLErrorsAreConfig: a query Jira cannot run is the configuration's to fix.
func TestJQLErrorsAreConfig(t *testing.T) {
	t.Parallel()
	b := setup(t, jira.Cloud, jiratest.Options{})
	_, err := b.c.Search(t.Context(), jira.Search{JQL: "labels in (a, b)"})
	var ae *jira.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest || errkind.Of(err) != errkind.Config {
		t.Fatalf("err = %v", err)
	}
}
