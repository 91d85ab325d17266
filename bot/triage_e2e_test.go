package bot

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/bot/triage"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
	"github.com/releasegate/releasegate/internal/jira/jiratest"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/serveconf"
	"github.com/releasegate/releasegate/internal/store"
)

// triageFixture is the App between fake GitHub, Sentry and Jira, with a release whose commits
// Sentry knows and a merged pull request that changed the file the error is raised in.
type triageFixture struct {
	*fixture
	jira        *jiratest.Server
	integration string
	issueID     string
}

type triageOptions struct {
	dataCenter bool
	// noCommits leaves the release without commits in Sentry.
	noCommits bool
	// pull replaces the suspect pull request.
	pull *githubapitest.Pull
	// policy is the repository's .github/releasegate.yml.
	policy string
	// frames replaces the event's frames; noStack sends none.
	frames  []sentryFrame
	noStack bool
	// event replaces the TypeErrors: it is sent three times (a corpus event, say).
	event *sentryapitest.Event
	// files are added to the repository at the release's commit.
	files []string
}

type sentryFrame struct {
	filename string
	line     int
}

const suspectPatch = "@@ -0,0 +1 @@\n+export function render() {}"

func newTriageFixture(t *testing.T, o triageOptions) *triageFixture {
	t.Helper()
	fo := fixtureOptions{policy: o.policy}
	if o.policy == "" {
		fo.noPolicy = true
	}
	f := &triageFixture{fixture: newFixture(t, fo)}
	ctx := t.Context()
	f.jira = jiratest.Start(t, jiratest.Options{DataCenter: o.dataCenter})
	f.jira.AddProject(jiratest.Project{ID: "10000", Key: "OPS", Name: "Operations", IssueTypes: []string{"Bug"}, Components: []string{"Frontend"}})
	f.jira.AddUser(jiratest.User{AccountID: "acct-checkout", Name: "checkout-lead", DisplayName: "Checkout Lead"})
	f.integration = f.sentry.AddSentryAppInstallation("acme", "releasegate")
	in := f.bot.cfg.Installations["acme"]
	flavour, account := "cloud", "acct-checkout"
	if o.dataCenter {
		flavour, account = "datacenter", "checkout-lead" // Data Center assigns by user name
	}
	in.SentryIntegration = f.integration
	in.Jira = &serveconf.Jira{URL: f.jira.URL(), Flavour: flavour, Email: f.jira.Email(), Token: serveconf.NewSecret(f.jira.Token()),
		Project: "OPS", IssueType: "Bug", Labels: []string{"sentry"}, Component: "Frontend", Priority: "High",
		Accounts: map[string]string{"#checkout": account}}
	f.bot.cfg.Installations["acme"] = in

	f.sentry.AddRepository("acme", "acme/web")
	f.release(time.Time{})
	if !o.noCommits {
		if _, err := f.sentryClient.SetReleaseCommits(ctx, "acme", testRelease, nil, []sentryapi.Commit{
			{ID: testSHA, Repository: "acme/web", Message: "Merge pull request #42"},
			{ID: "1111111111111111111111111111111111111111", Repository: "acme/web", Message: "docs"},
		}); err != nil {
			t.Fatal(err)
		}
	}
	pull := githubapitest.Pull{Number: 42, Title: "Checkout: render the cart", Author: "jo", State: "closed", MergeSHA: testSHA,
		HeadRef: "cart", HeadSHA: testSHA, BaseRef: "main", Commits: []string{testSHA},
		Files: []githubapitest.PullFile{{Filename: "web/src/checkout/cart.js", Status: "modified", Additions: 1, Patch: suspectPatch}}}
	if o.pull != nil {
		pull = *o.pull
	}
	f.gh.AddPull("acme", "web", pull)

	frames := []sentryapitestFrame{{Function: "render", Filename: "src/checkout/cart.js", AbsPath: "app:///src/checkout/cart.js", Lineno: 1, InApp: true}}
	if o.frames != nil {
		frames = nil
		for _, fr := range o.frames {
			frames = append(frames, sentryapitestFrame{Function: "f", Filename: fr.filename, AbsPath: "app:///" + fr.filename, Lineno: fr.line, InApp: true})
		}
	}
	if o.noStack {
		frames = nil
	}
	for _, name := range o.files {
		f.gh.SetFile("acme", "web", testSHA, name, []byte("// "+name+"\n"))
	}
	if o.event != nil {
		for range 3 {
			if _, err := f.sentry.Ingest("web", *o.event); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		f.ingest(3, frames)
	}
	f.issueID = f.sentry.Issues()[0].ID
	return f
}

// triage runs the issue's job as worker.
func (f *triageFixture) triage(worker string) error {
	return f.bot.newIssue(f.t.Context(), SentryIssueArgs{Owner: "acme", IssueID: f.issueID, Release: testRelease, Source: "webhook"}, worker)
}

func (f *triageFixture) comments() []githubapitest.Comment {
	var out []githubapitest.Comment
	for _, c := range f.gh.Comments() {
		if triage.IsTriageComment(c.Body) {
			out = append(out, c)
		}
	}
	return out
}

func TestTriageOneWebhook(t *testing.T) {
	t.Parallel()
	for _, dc := range []bool{false, true} {
		name := "cloud"
		if dc {
			name = "datacenter"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newTriageFixture(t, triageOptions{dataCenter: dc})
			if err := f.triage("job:1"); err != nil {
				t.Fatal(err)
			}
			tickets := f.jira.Issues()
			if len(tickets) != 1 {
				t.Fatalf("%d tickets, want 1", len(tickets))
			}
			tk := tickets[0]
			label := store.TicketLabel("acme", f.issueID)
			if !strings.Contains(strings.Join(tk.Labels, ","), label) || tk.Assignee == "" || tk.Priority != "High" || len(tk.Components) != 1 {
				t.Errorf("ticket = %+v; want the label %s, an assignee, priority and component", tk, label)
			}
			if len(tk.RemoteLinks) != 2 {
				t.Errorf("ticket has %d remote links, want 2 (the Sentry issue and the PR): %+v", len(tk.RemoteLinks), tk.RemoteLinks)
			}
			cs := f.comments()
			if len(cs) != 1 {
				t.Fatalf("%d triage comments, want 1", len(cs))
			}
			if c := cs[0]; c.Issue != 42 || contains(c.Body, tk.Key, "cart.js", "#checkout") != "" {
				t.Errorf("comment on #%d lacks %q:\n%s", c.Issue, contains(c.Body, tk.Key, "cart.js", "#checkout"), c.Body)
			}
			ext, err := f.sentryClient.ListIssueExternalIssues(t.Context(), "acme", f.issueID)
			if err != nil {
				t.Fatal(err)
			}
			if len(ext) != 1 || !strings.Contains(ext[0].WebURL, tk.Key) {
				t.Errorf("Sentry's external issues = %+v; want one linking %s", ext, tk.Key)
			}
			l, err := f.store.Link(t.Context(), "acme", f.issueID)
			if err != nil || l.JiraKey != tk.Key || l.Suspect.Number != 42 || l.CommentID != cs[0].ID {
				t.Errorf("store link = %+v, %v", l, err)
			}
		})
	}
}

func TestTriageConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	f := newTriageFixture(t, triageOptions{})
	var wg sync.WaitGroup
	for _, w := range []string{"job:1", "job:2", "job:3", "job:reconcile"} {
		wg.Go(func() {
			// Losers of a claim fail and are retried by River; the retry below stands in.
			_ = f.triage(w)
		})
	}
	wg.Wait()
	for _, w := range []string{"job:1", "job:reconcile"} {
		if err := f.triage(w); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.jira.Issues()); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
	cs := f.comments()
	if len(cs) != 1 {
		t.Fatalf("%d comments, want 1", len(cs))
	}
	if key := f.jira.Issues()[0].Key; !strings.Contains(cs[0].Body, key) {
		t.Errorf("the comment lacks %s:\n%s", key, cs[0].Body)
	}
}

func TestTriageJiraDown(t *testing.T) {
	t.Parallel()
	f := newTriageFixture(t, triageOptions{})
	f.jira.InjectFault(jiratest.Fault{Status: 503})
	if err := f.triage("job:1"); err == nil {
		t.Fatal("triage with Jira down succeeded; want an error so the job retries")
	}
	cs := f.comments()
	if len(cs) != 1 || strings.Contains(cs[0].Body, "OPS-") || !strings.Contains(cs[0].Body, "| — |\n") {
		t.Fatalf("with Jira down: %d comments (want 1, without a key): %+v", len(cs), cs)
	}
	f.jira.ClearFaults()
	if err := f.triage("job:1"); err != nil {
		t.Fatal(err)
	}
	tickets := f.jira.Issues()
	cs = f.comments()
	if len(tickets) != 1 || len(cs) != 1 || !strings.Contains(cs[0].Body, tickets[0].Key) {
		t.Fatalf("after Jira returned: %d tickets, %d comments; want one comment naming the ticket: %+v", len(tickets), len(cs), cs)
	}
}

func TestTriageExplains(t *testing.T) {
	t.Parallel()
	fork := githubapitest.Pull{Number: 42, Title: "From a fork", Author: "stranger", State: "closed", MergeSHA: testSHA, HeadRef: "patch",
		BaseRef: "main", HeadRepo: "stranger/web", Commits: []string{testSHA},
		Files: []githubapitest.PullFile{{Filename: "web/src/checkout/cart.js", Status: "modified", Additions: 1, Patch: suspectPatch}}}
	closed := githubapitest.Pull{Number: 42, Title: "Abandoned", Author: "jo", State: "closed", HeadRef: "x", BaseRef: "main", Commits: []string{testSHA}}
	cases := []struct {
		name     string
		o        triageOptions
		comments int
		note     string // in the report's notes or the suspicion's evidence
	}{
		{name: "no stack", o: triageOptions{noStack: true}, note: "no stack trace"},
		{name: "frames outside the repo", o: triageOptions{frames: []sentryFrame{{"node_modules/lib/x.js", 3}}}, note: "is a file of acme/web"},
		{name: "closed PR", o: triageOptions{pull: &closed}, note: "without merging; not a candidate"},
		{name: "release without commits", o: triageOptions{noCommits: true}, note: "has no commits of a repository of acme in Sentry"},
		{name: "fork PR", o: triageOptions{pull: &fork}, comments: 1, note: "came from a fork"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newTriageFixture(t, tc.o)
			r, err := f.bot.Triage(t.Context(), "acme", f.issueID, TriageOptions{Worker: "job:1"})
			if err != nil {
				t.Fatal(err)
			}
			text := strings.Join(r.Notes, "\n")
			if s := r.Issue.Suspicion; s != nil {
				text += "\n" + strings.Join(s.Evidence, "\n")
			}
			if !strings.Contains(text, tc.note) {
				t.Errorf("the report does not explain %q:\n%s", tc.note, text)
			}
			if n := len(f.comments()); n != tc.comments {
				t.Errorf("%d comments, want %d", n, tc.comments)
			}
			if n := len(f.jira.Issues()); n != 1 {
				t.Errorf("%d tickets, want 1 (it names the release and the candidates)", n)
			}
		})
	}
}

func TestTriageDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	f := newTriageFixture(t, triageOptions{})
	r, err := f.bot.Triage(t.Context(), "acme", f.issueID, TriageOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Comment == "" || r.Ticket == nil || r.CommentPR.Number != 42 {
		t.Errorf("dry run rendered comment %q, ticket %v, PR %v; want both for #42", r.Comment, r.Ticket, r.CommentPR)
	}
	if n, c := len(f.jira.Issues()), len(f.comments()); n != 0 || c != 0 {
		t.Errorf("dry run wrote %d tickets and %d comments", n, c)
	}
	if _, err := f.store.Link(t.Context(), "acme", f.issueID); err == nil {
		t.Error("dry run recorded the issue in the store")
	}
}

func TestTriagePlaybookAndSettings(t *testing.T) {
	t.Parallel()
	policy := `triage:
  min_events: 1
playbooks:
  - name: Cart crashes
    match:
      exception_type: TypeError
    runbook: https://runbooks.example.com/cart
    owner: "#checkout"
    ticket: false
`
	f := newTriageFixture(t, triageOptions{policy: policy})
	r, err := f.bot.Triage(t.Context(), "acme", f.issueID, TriageOptions{Worker: "job:1"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Issue.Playbook == nil || r.Issue.Playbook.Name != "Cart crashes" || !strings.Contains(r.Comment, "runbooks.example.com/cart") {
		t.Errorf("playbook = %+v; comment:\n%s", r.Issue.Playbook, r.Comment)
	}
	if n := len(f.jira.Issues()); n != 0 {
		t.Errorf("%d tickets for a playbook with ticket: false", n)
	}

	off := newTriageFixture(t, triageOptions{policy: "triage:\n  enabled: false\n"})
	r, err = off.bot.Triage(t.Context(), "acme", off.issueID, TriageOptions{})
	if err != nil || !strings.Contains(r.Skipped, "turned off") || len(off.comments()) != 0 {
		t.Errorf("turned off: skipped %q, err %v, %d comments", r.Skipped, err, len(off.comments()))
	}
}

type sentryapitestFrame = sentryapitest.Frame

// ingest sends n TypeErrors raised at frames (oldest call first) in production.
func (f *triageFixture) ingest(n int, frames []sentryapitest.Frame) {
	f.t.Helper()
	now := f.clock.Now()
	for i := range n {
		if _, err := f.sentry.Ingest("web", sentryapitest.Event{
			Release: testRelease, Environment: "production", Timestamp: now.Add(-time.Duration(n-i) * time.Minute),
			Exceptions: []sentryapitest.Exception{{Type: "TypeError", Value: "cart is undefined", Frames: frames}},
		}); err != nil {
			f.t.Fatal(err)
		}
	}
}

func TestTriageFixesOnMerge(t *testing.T) {
	t.Parallel()
	f := newTriageFixture(t, triageOptions{})
	f.bot.cfg.GitHub.WebURL = "https://github.com/"
	if err := f.triage("job:1"); err != nil {
		t.Fatal(err)
	}
	const fixSHA = "5050505050505050505050505050505050505050"
	f.gh.AddCommits("acme", "web", githubapitest.Commit{SHA: fixSHA, Message: "Guard the empty cart", AuthorLogin: "jo", Date: t0})
	f.gh.AddPull("acme", "web", githubapitest.Pull{Number: 50, Title: "Guard the empty cart", Body: "Fixes WEB-1", Author: "jo", State: "closed",
		MergeSHA: fixSHA, HeadRef: "fix", HeadSHA: fixSHA, BaseRef: "main", Commits: []string{fixSHA}})
	payload := `{"action":"closed","number":50,"pull_request":{"number":50,"title":"Guard the empty cart","body":"Fixes WEB-1","merged":true},` +
		`"repository":{"full_name":"acme/web"},"installation":{"id":` + strconv.FormatInt(f.inst, 10) + `}}`
	for range 2 { // a redelivery changes nothing
		if err := f.bot.pullRequestClosed(t.Context(), &githubapi.Delivery{ID: "d-50", Event: "pull_request", Installation: f.inst, Payload: []byte(payload)}); err != nil {
			t.Fatal(err)
		}
	}
	var resolves int
	for _, r := range f.sentry.Requests() {
		if r.Method == "PUT" && strings.Contains(r.Path, "/issues/"+f.issueID) {
			resolves++
		}
	}
	if resolves != 1 {
		t.Errorf("%d status updates of the issue in Sentry, want 1", resolves)
	}
	tk := f.jira.Issues()[0]
	if len(tk.Comments) != 1 {
		t.Errorf("%d Jira comments, want 1", len(tk.Comments))
	}
	cs := f.comments()
	if len(cs) != 1 || !strings.Contains(cs[0].Body, "Fixed by #50") {
		t.Errorf("the suspect's comment does not say it was fixed: %+v", cs)
	}
	l, err := f.store.Link(t.Context(), "acme", f.issueID)
	if err != nil || l.Fix.Number != 50 {
		t.Errorf("link = %+v, %v; want fixed by #50", l, err)
	}
}

// TestTriageTicketHeldByAnotherRun: while another run holds the issue's ticket claim, a run
// opens no ticket and says why (the report's TicketHeld), instead of "not opened".
func TestTriageTicketHeldByAnotherRun(t *testing.T) {
	t.Parallel()
	f := newTriageFixture(t, triageOptions{})
	if _, err := f.store.ClaimTicket(t.Context(), "acme", f.issueID, "job:elsewhere"); err != nil {
		t.Fatal(err)
	}
	r, err := f.bot.Triage(t.Context(), "acme", f.issueID, TriageOptions{Worker: "cli:acme:WEB-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !r.TicketHeld || r.JiraKey != "" || r.TicketPending || len(f.jira.Issues()) != 0 {
		t.Fatalf("held %v, key %q, pending %v, %d tickets; want held, no ticket", r.TicketHeld, r.JiraKey, r.TicketPending, len(f.jira.Issues()))
	}
}
