package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/releasegate/releasegate/bot/pages"
	"github.com/releasegate/releasegate/bot/protection"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryconf"
	"github.com/releasegate/releasegate/internal/serveconf"
	"github.com/releasegate/releasegate/internal/store"
)

// Options are what a Bot is built from.
type Options struct {
	Config *serveconf.Config
	Store  *store.Store
	GitHub *githubapi.Factory
	// SentryTransport carries the Sentry requests (nil: http.DefaultTransport); tests point it
	// at sentryapitest.
	SentryTransport http.RoundTripper
	// JiraTransport carries the Jira requests (nil: http.DefaultTransport); tests point it at
	// jiratest.
	JiraTransport http.RoundTripper
	// NoSentryRetries makes one request per call to Sentry and Jira (tests: a failing look fails at
	// once, and the job's own retries are what is under test).
	NoSentryRetries bool
	UserAgent       string
	Metrics         *Metrics
	Logger          *slog.Logger
	Now             func() time.Time
	// Settings shape the protection rule's plans (recheck interval, report spacing); the
	// uncovered answer comes from Config.
	Settings protection.Settings
	// OnPanic hears of a handler's panic (the service reports it to Sentry).
	OnPanic func(r *http.Request, v any)
	// Model is the optional model suggester, asked when the rules have no rule for an error
	// (nil: rules only, the default).
	Model ModelSuggester
}

// Bot is the App's behaviour: job workers and the calls they make.
type Bot struct {
	cfg      *serveconf.Config
	store    *store.Store
	github   *githubapi.Factory
	metrics  *Metrics
	log      *slog.Logger
	now      func() time.Time
	settings protection.Settings
	links    pages.Signer
	model    ModelSuggester

	sentryTransport http.RoundTripper
	sentryRetries   int
	jiraTransport   http.RoundTripper
	jiraRetries     int
	userAgent       string
	sentryMu        sync.Mutex
	sentryClients   map[string]sentryConn
	gates           gateCache
	onPanic         func(r *http.Request, v any)
}

// sentryConn is one owner's Sentry.
type sentryConn struct {
	client *sentryapi.Client
	org    string
}

// New builds a Bot. Its store may be attached later (SetStore), since the store's job client
// is built with the Bot's workers.
func New(o Options) (*Bot, error) {
	if o.Config == nil || o.GitHub == nil {
		return nil, errors.New("bot: a configuration and a GitHub factory are required")
	}
	b := &Bot{
		cfg: o.Config, store: o.Store, github: o.GitHub, metrics: o.Metrics, log: o.Logger, now: o.Now,
		settings: o.Settings, sentryTransport: o.SentryTransport,
		userAgent: o.UserAgent, sentryClients: map[string]sentryConn{}, onPanic: o.OnPanic, sentryRetries: -1,
		jiraTransport: o.JiraTransport, model: o.Model,
	}
	if o.NoSentryRetries {
		b.sentryRetries, b.jiraRetries = 0, -1
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.metrics == nil {
		b.metrics = NewMetrics(nil)
	}
	b.settings.Uncovered = protection.Approved
	if o.Config.Uncovered == "reject" {
		b.settings.Uncovered = protection.Rejected
	}
	key := o.Config.LinkKey.Reveal()
	if key == "" {
		b.links = pages.Signer{Key: pages.DeriveKey(o.Config.GitHub.WebhookSecret.Reveal()), Now: b.now}
	} else {
		b.links = pages.Signer{Key: []byte(key), Now: b.now}
	}
	return b, nil
}

// SetStore attaches the store the Bot's workers were registered with.
func (b *Bot) SetStore(s *store.Store) { b.store = s }

// Links signs the decision pages' links.
func (b *Bot) Links() pages.Signer { return b.links }

// decisionLink is the signed link of a decision's page ("" without a public URL).
func (b *Bot) decisionLink(id string) string {
	if b.cfg.PublicURL == "" {
		return ""
	}
	return b.links.Link(b.cfg.PublicURL, id)
}

// sentry is an owner's Sentry client, built once.
func (b *Bot) sentry(owner string) (sentryConn, bool) {
	in, ok := b.cfg.Installation(owner)
	if !ok {
		return sentryConn{}, false
	}
	b.sentryMu.Lock()
	defer b.sentryMu.Unlock()
	key := strings.ToLower(in.Owner)
	if c, ok := b.sentryClients[key]; ok {
		return c, true
	}
	conn := sentryconf.Connection{URL: in.SentryURL, Org: in.SentryOrg, Token: in.SentryToken.Reveal(), MaxRetries: b.sentryRetries}
	client, err := conn.Client(sentryconf.ClientOptions{UserAgent: b.userAgent, Transport: b.metrics.sentryTransport(b.sentryTransport), Logger: b.log.With("sentry_org", in.SentryOrg)})
	if err != nil {
		b.log.Error("building a Sentry client", "owner", in.Owner, "err", err)
		return sentryConn{}, false
	}
	c := sentryConn{client: client, org: in.SentryOrg}
	b.sentryClients[key] = c
	return c, true
}

// EvaluateArgs is the job that looks at a pending rule; it snoozes itself until the next look.
// One job per rule is alive at a time (unique by its rule), so the rule's effects have one
// owner.
type EvaluateArgs struct {
	RuleID int64 `json:"rule_id"`
}

// Kind names the job.
func (EvaluateArgs) Kind() string { return "releasegate.evaluate_rule" }

// InsertOpts keeps one evaluation per rule queued or running.
func (EvaluateArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled,
	}}}
}

// SweepArgs is the periodic job that finds rules past their deadline whose evaluation is not
// alive (discarded after its retries) and starts one.
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "releasegate.sweep" }

// Workers registers the bot's job workers.
func (b *Bot) Workers() *river.Workers {
	w := river.NewWorkers()
	river.AddWorker(w, &deliveryWorker{b: b})
	river.AddWorker(w, &evaluateWorker{b: b})
	river.AddWorker(w, &sweepWorker{b: b})
	river.AddWorker(w, &sentryIssueWorker{b: b})
	river.AddWorker(w, &reconcileWorker{b: b})
	return w
}

// PeriodicJobs are the leader's periodic jobs.
func (b *Bot) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{
		river.NewPeriodicJob(river.PeriodicInterval(time.Minute), func() (river.JobArgs, *river.InsertOpts) {
			return SweepArgs{}, nil
		}, &river.PeriodicJobOpts{RunOnStart: true}),
		river.NewPeriodicJob(river.PeriodicInterval(reconcileEvery), func() (river.JobArgs, *river.InsertOpts) {
			return ReconcileArgs{}, nil
		}, nil),
	}
}

type deliveryWorker struct {
	river.WorkerDefaults[store.DeliveryArgs]
	b *Bot
}

func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[store.DeliveryArgs]) error {
	start := w.b.now()
	err := w.b.process(ctx, job.Args)
	w.b.metrics.job("delivery", w.b.now().Sub(start), err)
	return err
}

// process handles one stored delivery.
func (b *Bot) process(ctx context.Context, a store.DeliveryArgs) error {
	d, err := b.store.Delivery(ctx, a.Source, a.ID)
	if err != nil {
		return err
	}
	switch a.Source {
	case store.SourceGitHub:
		gd, err := githubapi.ParseVerified(d.Event, d.ID, "", d.Body)
		if err != nil {
			b.log.WarnContext(ctx, "delivery unusable; dropped", "delivery", d.ID, "err", err)
			return nil
		}
		switch gd.Event {
		case "deployment_protection_rule":
			return b.protectionRequested(ctx, gd)
		case "pull_request":
			return b.pullRequestClosed(ctx, gd)
		}
	case store.SourceSentry:
		return b.sentryEvent(ctx, d)
	}
	return nil
}

type evaluateWorker struct {
	river.WorkerDefaults[EvaluateArgs]
	b *Bot
}

func (w *evaluateWorker) Work(ctx context.Context, job *river.Job[EvaluateArgs]) error {
	start := w.b.now()
	res, err := w.b.look(ctx, job.Args.RuleID, "rule:"+strconv.FormatInt(job.Args.RuleID, 10), job.Attempt)
	w.b.metrics.job("evaluate", w.b.now().Sub(start), err)
	if err != nil {
		return err
	}
	if !res.Next.IsZero() {
		return river.JobSnooze(max(res.Next.Sub(w.b.now()), time.Second))
	}
	return nil
}

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	b *Bot
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	rules, err := w.b.store.RulesPastDeadline(ctx, w.b.now(), 500)
	if err != nil {
		return err
	}
	for _, r := range rules {
		// Unique by rule: a live evaluation (scheduled for its deadline) makes this a no-op.
		if _, err := w.b.store.Enqueue(ctx, EvaluateArgs{RuleID: r.ID}, nil); err != nil {
			return fmt.Errorf("sweep: enqueue rule %d: %w", r.ID, err)
		}
	}
	return nil
}
