package main

import (
	"context"
	"net/http"
	"os"
	"time"

	"github.com/releasegate/releasegate/bot"
	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/serveconf"
	"github.com/releasegate/releasegate/internal/store"
)

// serve and triage build the App from the same configuration, so that a triage run by hand
// goes through the connections, credentials and code the service uses.

// loadAppConfig reads the service's configuration from flags, RELEASEGATE_* variables and
// the installations file; every problem is a configuration error.
func loadAppConfig(f *Factory, flags serveconf.Flags) (*serveconf.Config, error) {
	cfg, err := serveconf.Load(serveconf.Input{
		Flags: flags, Getenv: f.Getenv,
		ReadFile: func(name string) ([]byte, error) { return os.ReadFile(f.Abs(name)) },
	})
	if err != nil {
		return nil, errkind.Wrap(errkind.Config, err)
	}
	return cfg, nil
}

// newAppBot is the Bot with its GitHub App client; its store is attached by the caller. now
// is the clock (nil: the system's; tests fix it).
func newAppBot(f *Factory, cfg *serveconf.Config, metrics *bot.Metrics, onPanic func(*http.Request, any), now func() time.Time) (*bot.Bot, error) {
	gh, err := githubapi.New(githubapi.Options{
		BaseURL: cfg.GitHub.APIURL, AppID: cfg.GitHub.AppID, PrivateKey: []byte(cfg.GitHub.PrivateKey.Reveal()),
		UserAgent: "releasegate/" + buildVersion(), HTTPClient: &http.Client{Transport: metrics.Transport("github", f.Transport)},
		Logger: f.Logger, OnRateLimit: metrics.RateLimit,
	})
	if err != nil {
		return nil, errkind.Wrap(errkind.Config, err)
	}
	return bot.New(bot.Options{
		Config: cfg, GitHub: gh, SentryTransport: f.Transport, JiraTransport: f.Transport, UserAgent: "releasegate/" + buildVersion(),
		Metrics: metrics, Logger: f.Logger, OnPanic: onPanic, Now: now, ModelTransport: f.Transport,
	})
}

// openAppStore opens the configured store; a SQLite file is relative to the command's folder.
func openAppStore(ctx context.Context, f *Factory, cfg *serveconf.Config, o store.Options) (*store.Store, error) {
	dbURL := cfg.DatabaseURL.Reveal()
	if loc, err := store.ParseURL(dbURL); err == nil && loc.Engine == store.SQLite {
		dbURL = f.Abs(loc.Path)
	}
	st, err := store.Open(ctx, dbURL, o)
	if err != nil {
		return nil, errkind.WithHint(errkind.Config, err, "check --database-url")
	}
	return st, nil
}
