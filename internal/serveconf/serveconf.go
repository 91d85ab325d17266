package serveconf

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/releasegate/releasegate/internal/apiclient"
)

// Config is everything `releasegate serve` runs on.
type Config struct {
	// Listen is the address the HTTP server listens on (default ":8080").
	Listen string
	// PublicURL is where GitHub and people reach the service (https://gate.example.com): the
	// base of the links in review comments and check runs, and of the manifest's webhook URL.
	PublicURL string
	// DatabaseURL is the store: a file path (SQLite, the default "releasegate.db") or a
	// postgres:// URL (which may hold a password, hence a Secret).
	DatabaseURL Secret
	GitHub      GitHub
	// APIToken guards /api/v1 (the gate other deploy tools ask): a bearer token. Unset: the
	// API answers 404, so an unguarded gate is never served by accident.
	APIToken Secret
	// LinkKey signs the decision pages' links. Unset: derived from the GitHub webhook secret,
	// so every replica signs alike without another secret to distribute.
	LinkKey Secret
	// SentryDSN, when set, sends the service's own panics and errors to Sentry.
	SentryDSN Secret
	// Uncovered is what a deployment no policy covers gets: approve (the default, with a
	// comment saying why) or reject.
	Uncovered string
	// Installations are the Sentry connections, keyed by the GitHub owner (organization or
	// user login, compared case-insensitively) that installed the App.
	Installations map[string]Installation
	// File is the YAML file the installations came from ("" when none).
	File string
	// Model is the optional model suggester (off unless configured).
	Model Model
}

// GitHub is the App's identity.
type GitHub struct {
	// AppID is the App's ID, a positive whole number shown on the App's settings page
	// (docs/app.md: creating the App).
	AppID int64
	// PrivateKey is the App's private key, in PEM (-----BEGIN RSA PRIVATE KEY-----), as GitHub
	// gave it.
	PrivateKey Secret
	// WebhookSecret is the secret GitHub signs the App's webhooks with, as set on the App; a
	// delivery it does not sign is refused.
	WebhookSecret Secret
	// APIURL is the REST API's base (default https://api.github.com/; GitHub Enterprise
	// Server: https://HOST/api/v3/).
	APIURL string
	// WebURL is the site's base (default https://github.com/; GitHub Enterprise Server:
	// https://HOST/), for the manifest flow of app setup.
	WebURL string
}

// Installation is one GitHub owner's Sentry.
type Installation struct {
	// Owner is the GitHub login, as written in the file.
	Owner string
	// Sentry is the server, organization and token the owner's gates and triage use.
	SentryURL, SentryOrg string
	SentryToken          Secret
	// SentryClientSecret is the Sentry integration's client secret: it signs the webhooks
	// Sentry sends for this organization.
	SentryClientSecret Secret
	// SentryIntegration is the Sentry integration's installation UUID: the triage bot links
	// each Jira ticket back on the Sentry issue through it ("" leaves that link out).
	SentryIntegration string
	// Jira is where the triage bot opens tickets; nil: no tickets for this owner.
	Jira *Jira
	// Line is where the installation is written in File, for messages.
	Line int
}

// Defaults.
const (
	DefaultListen      = ":8080"
	DefaultDatabaseURL = "releasegate.db"
	DefaultGitHubAPI   = "https://api.github.com/"
	DefaultGitHubWeb   = "https://github.com/"
	DefaultSentryURL   = "https://sentry.io/"
)

// Flags are the values given on the command line ("" or 0: not given).
type Flags struct {
	Listen, PublicURL, DatabaseURL, Config, Uncovered string
}

// Input is what Load reads from.
type Input struct {
	Flags Flags
	// Getenv looks up a variable; ReadFile reads a *_FILE secret or the YAML file (relative
	// paths are the caller's to anchor).
	Getenv   func(string) string
	ReadFile func(name string) ([]byte, error)
}

// Error is a configuration the service cannot run on: every problem, each naming its source
// (a variable, a flag, or file:line) and what to do.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return "serve configuration: " + e.Problems[0]
	}
	return "serve configuration:\n  " + strings.Join(e.Problems, "\n  ")
}

// Load reads the configuration: flags over RELEASEGATE_* variables over defaults, secrets from
// a variable or the file its _FILE twin names, installations from the YAML file
// (--config / RELEASEGATE_CONFIG). It returns every problem at once, as an *Error.
func Load(in Input) (*Config, error) {
	l := &loader{getenv: in.Getenv, readFile: in.ReadFile}
	if l.getenv == nil {
		l.getenv = func(string) string { return "" }
	}
	if l.readFile == nil {
		l.readFile = func(name string) ([]byte, error) { return nil, fmt.Errorf("no files can be read here (%s)", name) }
	}
	f := in.Flags
	c := &Config{
		Listen:      l.plain(f.Listen, "RELEASEGATE_LISTEN", DefaultListen),
		PublicURL:   l.plain(f.PublicURL, "RELEASEGATE_PUBLIC_URL", ""),
		DatabaseURL: l.secretOr(f.DatabaseURL, "RELEASEGATE_DATABASE_URL", DefaultDatabaseURL),
		APIToken:    l.secret("RELEASEGATE_API_TOKEN"),
		LinkKey:     l.secret("RELEASEGATE_LINK_KEY"),
		SentryDSN:   l.secret("RELEASEGATE_SENTRY_DSN"),
		Uncovered:   l.plain(f.Uncovered, "RELEASEGATE_UNCOVERED", "approve"),
		GitHub: GitHub{
			PrivateKey:    l.secret("RELEASEGATE_GITHUB_PRIVATE_KEY"),
			WebhookSecret: l.secret("RELEASEGATE_GITHUB_WEBHOOK_SECRET"),
			APIURL:        l.plain("", "RELEASEGATE_GITHUB_API_URL", DefaultGitHubAPI),
			WebURL:        l.plain("", "RELEASEGATE_GITHUB_URL", DefaultGitHubWeb),
		},
	}
	if id := l.getenv("RELEASEGATE_GITHUB_APP_ID"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			l.problemf("RELEASEGATE_GITHUB_APP_ID: %q is not an App ID (a positive whole number, shown on the App's settings page)", id)
		}
		c.GitHub.AppID = n
	}
	c.Model = l.model()
	if c.File = l.plain(f.Config, "RELEASEGATE_CONFIG", ""); c.File != "" {
		data, err := l.readFile(c.File)
		if err != nil {
			l.problemf("%s: reading the installations file: %v", c.File, err)
		} else {
			c.Installations = l.installations(c.File, data)
		}
	}
	if len(l.problems) == 0 {
		l.problems = append(l.problems, c.validate()...)
	}
	if len(l.problems) > 0 {
		return nil, &Error{Problems: l.problems}
	}
	return c, nil
}

// Installation returns the Sentry connection of a GitHub owner.
func (c *Config) Installation(owner string) (Installation, bool) {
	for k, in := range c.Installations {
		if strings.EqualFold(k, owner) {
			return in, true
		}
	}
	return Installation{}, false
}

// Owners lists the configured owners, sorted.
func (c *Config) Owners() []string {
	out := make([]string, 0, len(c.Installations))
	for k := range c.Installations {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// validate checks what each value must be on its own; problems name the variable or flag.
func (c *Config) validate() []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	if c.GitHub.AppID == 0 {
		add("RELEASEGATE_GITHUB_APP_ID is not set: the App's ID, from its settings page (docs/app.md: creating the App)")
	}
	if !c.GitHub.PrivateKey.IsSet() {
		add("RELEASEGATE_GITHUB_PRIVATE_KEY (or RELEASEGATE_GITHUB_PRIVATE_KEY_FILE) is not set: the App's private key, in PEM")
	} else if !strings.Contains(c.GitHub.PrivateKey.Reveal(), "PRIVATE KEY-----") {
		add("RELEASEGATE_GITHUB_PRIVATE_KEY: not a PEM private key (it starts with -----BEGIN RSA PRIVATE KEY-----); with _FILE, name the .pem file GitHub gave")
	}
	if !c.GitHub.WebhookSecret.IsSet() {
		add("RELEASEGATE_GITHUB_WEBHOOK_SECRET (or _FILE) is not set: without it no delivery can be verified, and the service accepts none")
	}
	for _, u := range []struct{ name, value string }{
		{"RELEASEGATE_GITHUB_API_URL", c.GitHub.APIURL}, {"RELEASEGATE_GITHUB_URL", c.GitHub.WebURL},
	} {
		if msg := CheckHTTPS(u.value); msg != "" {
			add("%s: %s", u.name, msg)
		}
	}
	if c.PublicURL != "" {
		if msg := CheckHTTPS(c.PublicURL); msg != "" {
			add("--public-url / RELEASEGATE_PUBLIC_URL: %s", msg)
		}
	}
	if c.Uncovered != "approve" && c.Uncovered != "reject" {
		add("--uncovered / RELEASEGATE_UNCOVERED: %q: use approve or reject", c.Uncovered)
	}
	if len(c.Installations) == 0 {
		add("no installations: write the Sentry connection of each GitHub owner in the file named by --config or RELEASEGATE_CONFIG (docs/app.md: configuring the service)")
	}
	return p
}

// CheckHTTPS says what is wrong with a base URL, "" when nothing: tokens and webhook links
// must never travel over plain http, except to this machine (tests, a local reverse proxy).
func CheckHTTPS(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute URL", raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && apiclient.IsLoopback(u.Hostname()):
	default:
		return fmt.Sprintf("%q: use https:// (plain http is only accepted for localhost)", raw)
	}
	if u.User != nil {
		return fmt.Sprintf("%q: credentials do not belong in the URL", u.Redacted())
	}
	return ""
}

// loader collects problems while reading the sources.
type loader struct {
	getenv   func(string) string
	readFile func(string) ([]byte, error)
	problems []string
}

func (l *loader) problemf(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

// plain is a flag's value, else the variable's, else def.
func (l *loader) plain(flag, env, def string) string {
	if flag != "" {
		return flag
	}
	if v := l.getenv(env); v != "" {
		return v
	}
	return def
}

// secretOr is secret with a flag and a default.
func (l *loader) secretOr(flag, env, def string) Secret {
	if flag != "" {
		return NewSecret(flag)
	}
	if s := l.secret(env); s.IsSet() {
		return s
	}
	return NewSecret(def)
}

// secret reads a credential from env, or from the file env_FILE names; both set is an error
// (which one wins would be a guess).
func (l *loader) secret(env string) Secret {
	v, file := l.getenv(env), l.getenv(env+"_FILE")
	switch {
	case v != "" && file != "":
		l.problemf("%s and %s_FILE are both set: keep one", env, env)
		return Secret{}
	case file != "":
		data, err := l.readFile(file)
		if err != nil {
			l.problemf("%s_FILE: reading %s: %v", env, file, unwrapPath(err))
			return Secret{}
		}
		v = strings.TrimRight(string(data), "\r\n")
		if v == "" {
			l.problemf("%s_FILE: %s is empty", env, file)
		}
	}
	return NewSecret(v)
}

// unwrapPath drops *fs.PathError's own repetition of the path.
func unwrapPath(err error) error {
	var pe interface{ Unwrap() error }
	if errors.As(err, &pe) && pe.Unwrap() != nil {
		return pe.Unwrap()
	}
	return err
}
