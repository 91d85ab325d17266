package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/releasegate/releasegate/bot/gateapi"
	"github.com/releasegate/releasegate/bot/intake"
	"github.com/releasegate/releasegate/bot/pages"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/store"
)

// Events the App processes; every other is acknowledged and dropped.
var (
	githubEvents    = map[string]bool{"deployment_protection_rule": true, "pull_request": true}
	sentryResources = map[string]bool{"issue": true, "event_alert": true}
)

// Handler is the service's HTTP interface: the webhooks, the decision pages, the gate API,
// health, readiness and metrics.
func (b *Bot) Handler() http.Handler {
	var secrets []intake.SentrySecret
	for _, owner := range b.cfg.Owners() {
		in, _ := b.cfg.Installation(owner)
		if in.SentryClientSecret.IsSet() {
			secrets = append(secrets, intake.SentrySecret{Owner: in.Owner, Secret: in.SentryClientSecret.Reveal()})
		}
	}
	in := &intake.Handler{
		Store: b.store, GitHubSecret: []byte(b.cfg.GitHub.WebhookSecret.Reveal()), SentrySecrets: secrets,
		GitHubEvents: githubEvents, SentryResources: sentryResources, Now: b.now, Logger: b.log, Observe: b.metrics.Delivery,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/github", in.GitHub)
	mux.HandleFunc("POST /webhooks/sentry", in.Sentry)
	pg := &pages.Handler{Source: storeSource{b.store}, Signer: b.links, Secret: b.cfg.APIToken.Reveal(), Logger: b.log}
	mux.Handle("/decisions", pg)
	mux.Handle("/decisions/", pg)
	mux.Handle("/api/v1/", &gateapi.Handler{Evaluator: b, Token: b.cfg.APIToken.Reveal(), Logger: b.log, Observe: b.metrics.GateAPI})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := b.store.Ready(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprintf(w, "not ready: %v\n", err)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(b.metrics.Registry, promhttp.HandlerOpts{}))
	return b.recoverPanics(mux)
}

// NewServer is the HTTP server with a timeout on every phase: GitHub gives up on a webhook
// after 10 s, and a slow client must not hold a connection.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr: addr, Handler: h,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 20 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 90 * time.Second, MaxHeaderBytes: 64 << 10,
	}
}

// recoverPanics answers 500 for a handler's panic, logs it and reports it (Options.OnPanic).
func (b *Bot) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { //nolint:errorlint // the sentinel panics as itself
					panic(v)
				}
				b.log.ErrorContext(r.Context(), "handler panicked", "path", r.URL.Path, "panic", fmt.Sprint(v))
				if b.onPanic != nil {
					b.onPanic(r, v)
				}
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// storeSource shows the store's decisions on the pages.
type storeSource struct{ s *store.Store }

func (src storeSource) Decision(ctx context.Context, id string) (pages.Record, error) {
	d, err := src.s.Decision(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return pages.Record{}, pages.ErrNotFound
	}
	if err != nil {
		return pages.Record{}, err
	}
	return recordOf(d)
}

func (src storeSource) Decisions(ctx context.Context, f pages.Filter) ([]pages.Record, error) {
	ds, err := src.s.ListDecisions(ctx, store.DecisionFilter{Repo: f.Repo, Environment: f.Environment, Verdict: string(f.Verdict), Limit: f.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]pages.Record, 0, len(ds))
	for _, d := range ds {
		r, err := recordOf(d)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func recordOf(d store.Decision) (pages.Record, error) {
	rec := pages.Record{ID: d.ID, Repo: d.Repo, Environment: d.Environment, Release: d.Release, SHA: d.SHA,
		Outcome: d.Outcome, Verdict: gate.Status(d.Verdict), Created: d.CreatedAt}
	if err := json.Unmarshal(d.Report, &rec.Decision); err != nil {
		return pages.Record{}, fmt.Errorf("decision %s: the stored report: %w", d.ID, err)
	}
	return rec, nil
}

// Gate answers the gate API: the policy from the repository's default branch, the evidence
// from the owner's Sentry.
func (b *Bot) Gate(ctx context.Context, q gateapi.Query) (gate.Decision, error) {
	owner, repo, _ := strings.Cut(q.Repo, "/")
	return b.gateOf(ctx, owner, repo, q.Release, q.Environment)
}
