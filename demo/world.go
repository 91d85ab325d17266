package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/releasegate/releasegate/bot"
	"github.com/releasegate/releasegate/bot/manifest"
	"github.com/releasegate/releasegate/bot/protection"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
	"github.com/releasegate/releasegate/internal/jira/jiratest"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/serveconf"
	"github.com/releasegate/releasegate/internal/store"
)

// The demo's organization: acme's web app, its checkout team, its Jira project.
const (
	org        = "acme"
	repoName   = "web"
	repository = org + "/" + repoName
	project    = "web"
	team       = "checkout"
	jiraKey    = "OPS"
)

// world is everything the demo starts: the three stand-ins and the service between them.
type world struct {
	sentry *sentryapitest.Server
	github *githubapitest.Server
	jira   *jiratest.Server
	inst   int64

	bot           *bot.Bot
	store         *store.Store
	serviceURL    string
	webhookSecret string
	sentrySecret  string
}

// startFakes starts the local Sentry, GitHub and Jira on loopback and seeds what an
// organization would have set up: the project, the team, the repository and the App's
// installation, the Jira project.
// Sentry's clock starts at start and moves only when the demo moves it, so the deploys it
// records and the events it receives make a history of hours in seconds.
func startFakes(rep *reporter, start time.Time) *world {
	w := &world{}
	w.sentry = sentryapitest.Start(rep, sentryapitest.Options{Org: org, Projects: []string{project}, Now: start})
	w.sentry.AddTeam(org, team, project)
	w.sentry.AddRepository(org, repository)
	w.github = githubapitest.Start(rep, githubapitest.Options{})
	// The installation grants what the App's manifest asks for, no more.
	perms := map[string]string{}
	for _, p := range manifest.Permissions {
		perms[p.Name] = p.Access
	}
	w.inst = w.github.AddInstallation(org, []string{repoName}, perms)
	w.jira = jiratest.Start(rep, jiratest.Options{})
	w.jira.AddProject(jiratest.Project{ID: "10000", Key: jiraKey, Name: "Operations", IssueTypes: []string{"Bug"}})
	w.jira.AddUser(jiratest.User{AccountID: "acct-checkout", Name: "checkout-lead", DisplayName: "Checkout Lead"})
	return w
}

// startService starts releasegate serve's parts as `serve` wires them — the Bot, its store on
// SQLite in dir with River working the jobs, its HTTP interface — listening on listen.
func (w *world) startService(ctx context.Context, rep *reporter, dir, listen string, log *slog.Logger) error {
	w.webhookSecret, w.sentrySecret = randomSecret(), randomSecret()
	integration := w.sentry.AddSentryAppInstallation(org, "releasegate")
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", listen)
	if err != nil {
		return fmt.Errorf("listening on %s for the decision pages: %w (choose another --listen address)", listen, err)
	}
	w.serviceURL = "http://" + ln.Addr().String()
	cfg := &serveconf.Config{
		Listen: ln.Addr().String(), PublicURL: w.serviceURL, Uncovered: "approve",
		GitHub: serveconf.GitHub{AppID: w.github.AppID(), PrivateKey: serveconf.NewSecret(string(w.github.PrivateKey())),
			WebhookSecret: serveconf.NewSecret(w.webhookSecret), APIURL: w.github.URL(), WebURL: w.github.URL()},
		Installations: map[string]serveconf.Installation{org: {
			Owner: org, SentryURL: w.sentry.URL(), SentryOrg: org, SentryToken: serveconf.NewSecret(w.sentry.Token()),
			SentryClientSecret: serveconf.NewSecret(w.sentrySecret), SentryIntegration: integration,
			Jira: &serveconf.Jira{URL: w.jira.URL(), Flavour: "cloud", Email: w.jira.Email(), Token: serveconf.NewSecret(w.jira.Token()),
				Project: jiraKey, IssueType: "Bug", Labels: []string{"sentry"}, Accounts: map[string]string{"#" + team: "acct-checkout"}},
		}},
	}
	gh, err := githubapi.New(githubapi.Options{BaseURL: w.github.URL(), AppID: w.github.AppID(), PrivateKey: w.github.PrivateKey(), AllowInsecure: true})
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("the GitHub App client: %w", err)
	}
	// Looks at a pending rule come every second rather than every minute: the demo's evidence
	// is all there at the first look, so this only matters if it is not.
	w.bot, err = bot.New(bot.Options{Config: cfg, GitHub: gh, UserAgent: "releasegate-demo", Logger: log, Settings: protection.Settings{Recheck: time.Second}})
	if err != nil {
		_ = ln.Close()
		return err
	}
	w.store, err = store.Open(ctx, filepath.Join(dir, "releasegate.db"), store.Options{
		Workers: w.bot.Workers(), PeriodicJobs: w.bot.PeriodicJobs(), FetchPollInterval: 100 * time.Millisecond, Logger: log,
	})
	if err != nil {
		_ = ln.Close()
		return err
	}
	w.bot.SetStore(w.store)
	if err := w.store.Start(ctx); err != nil {
		_ = ln.Close()
		_ = w.store.Close()
		return err
	}
	srv := bot.NewServer(cfg.Listen, w.bot.Handler())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	rep.Cleanup(func() {
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil {
			rep.Errorf("stopping the service's HTTP server: %v", err)
		}
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			rep.Errorf("the service's HTTP server: %v", err)
		}
		if err := w.store.Stop(shutdown); err != nil {
			rep.Errorf("stopping the service's jobs: %v", err)
		}
		_ = w.store.Close()
	})
	return nil
}

func randomSecret() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
