package bot

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/sentryconf"
	"github.com/releasegate/releasegate/internal/serveconf"
	"github.com/releasegate/releasegate/internal/store"
)

// t0 is "now" when a scenario starts.
var t0 = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

const (
	testSHA       = "2f6c1a9e0b7d4c3f2f6c1a9e0b7d4c3f2f6c1a9e"
	testRelease   = "web@2f6c1a9e0b7d"
	webhookSecret = "whsec-test"
	apiToken      = "api-token-test"
)

// testPolicy judges production by staging's evidence: soak 10m, deadline 1h, 30 events/hour.
const testPolicy = `release:
  name: "web@{short_sha}"
environments:
  staging:
    projects: [web]
    new_issues:
      events_per_hour: 60
  production:
    projects: [web]
    evidence: staging
    soak: 10m
    deadline: 1h
    on_error: fail
    on_timeout: fail
    new_issues:
      events_per_hour: 30
`

// clock is the scenario's time, shared by the bot and the fake Sentry.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	sentry *sentryapitest.Server
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	now := c.now
	c.mu.Unlock()
	c.sentry.SetNow(now)
}

// fixture is the App between a fake GitHub and a fake Sentry, with its store on SQLite and its
// HTTP interface on httptest. Jobs are not started: tests drive the deliveries and looks one
// by one, moving the clock between them (TestPipelineWithJobs runs them through River).
type fixture struct {
	t            *testing.T
	gh           *githubapitest.Server
	sentry       *sentryapitest.Server
	store        *store.Store
	bot          *Bot
	web          *httptest.Server
	clock        *clock
	inst         int64
	sentryClient *sentryapi.Client
}

type fixtureOptions struct {
	// sentryToken replaces the installation's Sentry token (one without a scope, say).
	sentryToken string
	// noPolicy leaves .github/releasegate.yml out of the commit.
	noPolicy bool
	// policy replaces testPolicy.
	policy string
	// orgPolicy puts the policy in the owner's .github repository (its default branch) instead
	// of the commit.
	orgPolicy bool
	// storeOptions are passed to store.Open (workers are added).
	storeOptions store.Options
	realClock    bool
}

func newFixture(t *testing.T, o fixtureOptions) *fixture {
	t.Helper()
	f := &fixture{t: t}
	f.gh = githubapitest.Start(t, githubapitest.Options{})
	sopts := sentryapitest.Options{Org: "acme", Projects: []string{"web"}}
	if !o.realClock {
		sopts.Now = t0
	}
	f.sentry = sentryapitest.Start(t, sopts)
	f.sentry.AddTeam("acme", "checkout", "web")
	f.clock = &clock{now: t0, sentry: f.sentry}
	f.inst = f.gh.AddInstallation("acme", []string{"web", ".github"}, nil)
	policy := testPolicy
	if o.policy != "" {
		policy = o.policy
	}
	switch {
	case o.orgPolicy:
		f.gh.SetFile("acme", ".github", "main", "releasegate.yml", []byte(policy))
	case !o.noPolicy:
		f.gh.SetFile("acme", "web", testSHA, ".github/releasegate.yml", []byte(policy))
	}
	f.gh.SetFile("acme", "web", testSHA, "web/sentry.properties", []byte("defaults.org = acme\ndefaults.project = web\nownership.rules = path:src/checkout/* #checkout\n"))
	f.gh.SetFile("acme", "web", testSHA, "web/src/checkout/cart.js", []byte("export function render() {}\n"))

	token := f.sentry.Token()
	if o.sentryToken != "" {
		token = o.sentryToken
	}
	cfg := &serveconf.Config{
		PublicURL: "https://gate.example.com", APIToken: serveconf.NewSecret(apiToken), Uncovered: "approve",
		GitHub: serveconf.GitHub{AppID: f.gh.AppID(), PrivateKey: serveconf.NewSecret(string(f.gh.PrivateKey())),
			WebhookSecret: serveconf.NewSecret(webhookSecret), APIURL: f.gh.URL()},
		Installations: map[string]serveconf.Installation{"acme": {Owner: "acme", SentryURL: f.sentry.URL(), SentryOrg: "acme",
			SentryToken: serveconf.NewSecret(token), SentryClientSecret: serveconf.NewSecret("sentry-client-secret")}},
	}
	gh, err := githubapi.New(githubapi.Options{BaseURL: f.gh.URL(), AppID: f.gh.AppID(), PrivateKey: f.gh.PrivateKey(), AllowInsecure: true, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	now := f.clock.Now
	if o.realClock {
		now = time.Now
	}
	f.bot, err = New(Options{Config: cfg, GitHub: gh, SentryTransport: f.sentry.Client().Transport, Now: now, NoSentryRetries: true})
	if err != nil {
		t.Fatal(err)
	}
	so := o.storeOptions
	so.Workers, so.PeriodicJobs = f.bot.Workers(), f.bot.PeriodicJobs()
	if so.Now == nil {
		so.Now = now
	}
	f.store, err = store.Open(t.Context(), filepath.Join(t.TempDir(), "releasegate.db"), so)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.store.Close() })
	f.bot.SetStore(f.store)
	f.web = httptest.NewServer(f.bot.Handler())
	t.Cleanup(f.web.Close)

	conn := sentryconf.Connection{URL: f.sentry.URL(), Org: "acme", Token: f.sentry.Token(), MaxRetries: -1}
	f.sentryClient, err = conn.Client(sentryconf.ClientOptions{Transport: f.sentry.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// release creates the release in Sentry, deployed to staging at deployed (zero: not deployed).
func (f *fixture) release(deployed time.Time) {
	f.t.Helper()
	ctx := f.t.Context()
	if _, _, err := f.sentryClient.CreateRelease(ctx, "acme", sentryapi.NewRelease{Version: testRelease, Projects: []string{"web"}}); err != nil {
		f.t.Fatal(err)
	}
	if !deployed.IsZero() {
		if _, err := f.sentryClient.CreateDeploy(ctx, "acme", testRelease, sentryapi.NewDeploy{Environment: "staging", DateStarted: &deployed, DateFinished: &deployed}); err != nil {
			f.t.Fatal(err)
		}
	}
}

// errors sends n TypeErrors from the checkout code in staging, spread over the span before now.
func (f *fixture) errors(n int, span time.Duration) {
	f.t.Helper()
	now := f.clock.Now()
	for i := range n {
		if _, err := f.sentry.Ingest("web", sentryapitest.Event{
			Release: testRelease, Environment: "staging", Timestamp: now.Add(-span + time.Duration(i)*span/time.Duration(n)),
			Exceptions: []sentryapitest.Exception{{Type: "TypeError", Value: "cart is undefined",
				Frames: []sentryapitest.Frame{{Function: "render", Filename: "src/checkout/cart.js", AbsPath: "app:///src/checkout/cart.js", Lineno: 1, InApp: true}}}},
		}); err != nil {
			f.t.Fatal(err)
		}
	}
}

// request sends GitHub's deployment_protection_rule webhook for a run, signed, and returns
// the HTTP status and the delivery ID.
func (f *fixture) request(runID int64, deliveryID string) int {
	f.t.Helper()
	payload := f.gh.ProtectionRulePayload(f.t, githubapitest.ProtectionRule{
		Owner: "acme", Repo: "web", Installation: f.inst, RunID: runID, Environment: "production",
		Event: "push", SHA: testSHA, Ref: "main",
	})
	return f.send(githubapitest.Delivery(f.t, f.web.URL+"/webhooks/github", webhookSecret, "deployment_protection_rule", deliveryID, payload))
}

func (f *fixture) send(req *http.Request) int {
	f.t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// deliver processes a stored delivery, as its job would.
func (f *fixture) deliver(deliveryID string) {
	f.t.Helper()
	if err := f.bot.process(f.t.Context(), store.DeliveryArgs{Source: store.SourceGitHub, ID: deliveryID, Event: "deployment_protection_rule"}); err != nil {
		f.t.Fatal(err)
	}
}

// rule returns the one rule recorded.
func (f *fixture) rule() store.PendingRule {
	f.t.Helper()
	rules, err := f.store.RulesPastDeadline(f.t.Context(), t0.Add(1000*time.Hour), 10)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(rules) != 1 {
		f.t.Fatalf("%d rules recorded, want 1", len(rules))
	}
	return rules[0]
}

// look makes one look at the rule, as its job's attempt would.
func (f *fixture) look(ruleID int64, attempt int) (lookResult, error) {
	return f.bot.look(f.t.Context(), ruleID, fmt.Sprintf("rule:%d", ruleID), attempt)
}

// decisions are the reviews that decided (not the progress reports).
func (f *fixture) decisions() []githubapitest.ProtectionReview {
	var out []githubapitest.ProtectionReview
	for _, r := range f.gh.Reviews() {
		if r.State != "" {
			out = append(out, r)
		}
	}
	return out
}

func (f *fixture) reports() []githubapitest.ProtectionReview {
	var out []githubapitest.ProtectionReview
	for _, r := range f.gh.Reviews() {
		if r.State == "" {
			out = append(out, r)
		}
	}
	return out
}

func contains(s string, subs ...string) string {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return sub
		}
	}
	return ""
}

func githubapitestRule(f *fixture, runID int64) githubapitest.ProtectionRule {
	return githubapitest.ProtectionRule{Owner: "acme", Repo: "web", Installation: f.inst, RunID: runID, Environment: "production", Event: "push", SHA: testSHA, Ref: "main"}
}

func githubapitestDelivery(t *testing.T, f *fixture, id string, payload []byte, secret string) *http.Request {
	return githubapitest.Delivery(t, f.web.URL+"/webhooks/github", secret, "deployment_protection_rule", id, payload)
}
