package githubapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v88/github"

	"github.com/releasegate/releasegate/internal/apiclient"
	"github.com/releasegate/releasegate/internal/clock"
)

// DefaultBaseURL is GitHub.com's REST API.
const DefaultBaseURL = "https://api.github.com/"

// Defaults of the zero Options.
const (
	DefaultMaxRetries     = 4
	DefaultMaxRetryWait   = time.Minute
	DefaultAttemptTimeout = 30 * time.Second
	DefaultRetryBudget    = 2 * time.Minute
)

// maxResponseBody bounds what is read of one answer; the largest (a compare of 300 files with
// their patches) stay well below it.
const maxResponseBody = 32 << 20

// Options configures a [Factory]. Printing Options (any fmt verb, slog) never shows the key.
type Options struct {
	// BaseURL is the REST API's root: "https://api.github.com/" (the default when empty), or a
	// GitHub Enterprise Server's "https://HOST/api/v3/".
	BaseURL string
	// AppSlug is the App's slug: its comments are signed "<slug>[bot]". Empty: asked of GitHub
	// (GET /app) the first time a comment is looked for, then kept.
	AppSlug string
	// AppID and PrivateKey (PEM) are the App's credentials. Both may be left empty for a
	// Factory that only completes a manifest flow ([Factory.Anonymous]).
	AppID      int64
	PrivateKey []byte `json:"-"`
	// AllowInsecure allows a plain http:// BaseURL on another machine. Loopback needs no leave.
	AllowInsecure bool
	// UserAgent is sent on every request (GitHub requires one). Empty: "releasegate".
	UserAgent string
	// HTTPClient's transport carries the requests (its Transport only). Nil: a transport with
	// connection timeouts.
	HTTPClient *http.Client `json:"-"`
	// MaxRetries is how many times a failed call is retried. 0: DefaultMaxRetries; negative:
	// none.
	MaxRetries int
	// MaxRetryWait is the longest a rate-limited call waits for a retry; asked to wait longer,
	// it fails at once with ErrRateLimited and APIError.RetryAfter. 0: DefaultMaxRetryWait.
	MaxRetryWait time.Duration
	// AttemptTimeout bounds one attempt, from sending the request to the answer's last byte (a
	// server dripping bytes cannot hold a call). 0: DefaultAttemptTimeout; negative: none.
	AttemptTimeout time.Duration
	// RetryBudget is how long a call may keep trying; no attempt starts past it.
	// 0: DefaultRetryBudget; negative: none.
	RetryBudget time.Duration
	// Logger gets an info line per retry. Nil: nothing is logged.
	Logger *slog.Logger `json:"-"`
	// OnRateLimit sees the rate-limit headers of every answer (for metrics). Nil: none.
	OnRateLimit func(RateLimit) `json:"-"`
	// Now and Sleep replace the clock in tests. Nil: time.Now and a timer.
	Now   func() time.Time                                 `json:"-"`
	Sleep func(ctx context.Context, d time.Duration) error `json:"-"`
}

// RateLimit is what one answer said about the caller's rate limit.
type RateLimit struct {
	// Installation is the installation whose token made the call, 0 for the App's JWT or an
	// unauthenticated call.
	Installation int64
	// Resource is GitHub's x-ratelimit-resource ("core", "search", …).
	Resource               string
	Limit, Remaining, Used int
	Reset                  time.Time
}

// Validate reports the first problem with o, naming the field. The key is never quoted.
func (o Options) Validate() error {
	base, err := parseBaseURL(o.BaseURL)
	if err != nil {
		return err
	}
	if base.Scheme == "http" && !apiclient.IsLoopback(base.Hostname()) && !o.AllowInsecure {
		return &InsecureURLError{URL: base.String()}
	}
	switch {
	case o.AppID < 0:
		return fmt.Errorf("githubapi: Options.AppID is negative (%d); it is the number on the App's settings page", o.AppID)
	case (o.AppID == 0) != (len(o.PrivateKey) == 0):
		return errors.New("githubapi: set both the App ID and its private key, or neither (to complete a manifest flow only)")
	case strings.ContainsFunc(o.AppSlug, func(r rune) bool { return !(r == '-' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') }):
		return fmt.Errorf("githubapi: Options.AppSlug %q is not an App's slug (lower-case letters, digits and '-', as in the App's URL)", o.AppSlug)
	case strings.ContainsFunc(o.UserAgent, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return errors.New("githubapi: Options.UserAgent contains control characters")
	case o.MaxRetries > 100:
		return fmt.Errorf("githubapi: Options.MaxRetries is %d; at most 100 retries are allowed", o.MaxRetries)
	case o.MaxRetryWait < 0:
		return fmt.Errorf("githubapi: Options.MaxRetryWait is negative (%s)", o.MaxRetryWait)
	}
	return nil
}

// String describes o without the private key.
func (o Options) String() string {
	return fmt.Sprintf("githubapi.Options{BaseURL: %q, AppID: %d, PrivateKey: %s, UserAgent: %q}",
		o.BaseURL, o.AppID, map[bool]string{true: "[redacted]", false: "(empty)"}[len(o.PrivateKey) > 0], o.UserAgent)
}

// Format makes every fmt verb print String.
func (o Options) Format(f fmt.State, _ rune) { io.WriteString(f, o.String()) }

// LogValue keeps the key out of structured logs.
func (o Options) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_url", o.BaseURL), slog.Int64("app_id", o.AppID),
		slog.Bool("private_key_set", len(o.PrivateKey) > 0))
}

// Factory hands out clients: one for the App itself (JWT), one per installation (its token
// minted on first use and cached until a minute before it expires), and an unauthenticated one
// for the manifest flow. It is safe for concurrent use.
type Factory struct {
	opts  Options
	base  *url.URL
	net   http.RoundTripper // shared by every client, so connections are reused
	apps  *ghinstallation.AppsTransport
	mu    sync.Mutex
	insts map[int64]*Client
	// slug is the App's slug once known (Options.AppSlug, or GET /app); slugMu serializes
	// the asking, so concurrent workers ask once.
	slugMu sync.Mutex
	slug   string
}

// New returns a Factory for opts, or the error of opts.Validate (or of reading the key).
func New(opts Options) (*Factory, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	base, _ := parseBaseURL(opts.BaseURL)
	opts.UserAgent = cmp.Or(opts.UserAgent, "releasegate")
	opts.MaxRetryWait = cmp.Or(opts.MaxRetryWait, DefaultMaxRetryWait)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Sleep == nil {
		opts.Sleep = clock.Sleep
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	f := &Factory{opts: opts, base: base, insts: map[int64]*Client{}, slug: opts.AppSlug}
	f.net = defaultTransport()
	if opts.HTTPClient != nil && opts.HTTPClient.Transport != nil {
		f.net = opts.HTTPClient.Transport
	}
	if opts.AppID != 0 {
		atr, err := ghinstallation.NewAppsTransport(f.guard(0), opts.AppID, opts.PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("githubapi: the App's private key: %w (it must be the PEM file GitHub generated for the App)", err)
		}
		atr.BaseURL = f.apiRoot()
		f.apps = atr
	}
	return f, nil
}

func defaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 15 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = time.Minute
	return t
}

// apiRoot is the base URL without its trailing slash, as ghinstallation joins paths.
func (f *Factory) apiRoot() string { return strings.TrimSuffix(f.base.String(), "/") }

// BaseURL is the API root the clients call, ending in "/".
func (f *Factory) BaseURL() string { return f.base.String() }

// BotLogin is the login GitHub signs the App's comments with, "<slug>[bot]": from
// Options.AppSlug, or asked of GitHub (GET /app, as the App) once and kept.
func (f *Factory) BotLogin(ctx context.Context) (string, error) {
	f.slugMu.Lock()
	defer f.slugMu.Unlock()
	if f.slug == "" {
		app, err := f.App()
		if err != nil {
			return "", err
		}
		a, err := app.GetApp(ctx)
		if err != nil {
			return "", fmt.Errorf("githubapi: the App's bot login: %w", err)
		}
		f.slug = a.GetSlug()
	}
	return f.slug + "[bot]", nil
}

// AppID is the App's ID (0 without credentials).
func (f *Factory) AppID() int64 { return f.opts.AppID }

// App returns a client authenticated as the App (a JWT), for the /app endpoints and
// GET /repos/{owner}/{repo}/installation.
func (f *Factory) App() (*Client, error) {
	if f.apps == nil {
		return nil, ErrNoAppKey
	}
	return f.client(f.apps, 0), nil
}

// Installation returns the client of an installation (the payload's installation.id). The
// same client is returned for the same id, so its token is minted once and reused.
func (f *Factory) Installation(id int64) (*Client, error) {
	if f.apps == nil {
		return nil, ErrNoAppKey
	}
	if id <= 0 {
		return nil, fmt.Errorf("githubapi: installation id %d is not valid; it is the payload's installation.id", id)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.insts[id]; ok {
		return c, nil
	}
	// The installation's token request goes through its own guard, so the token's origin
	// and the rate-limit observer know which installation it is.
	atr, err := ghinstallation.NewAppsTransport(f.guard(id), f.opts.AppID, f.opts.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("githubapi: the App's private key: %w", err)
	}
	atr.BaseURL = f.apiRoot()
	itr := ghinstallation.NewFromAppsTransport(atr, id)
	itr.BaseURL = f.apiRoot()
	// Without options ghinstallation sends the body "null", which GitHub's description does
	// not allow (it is an object); an empty object asks for the installation's permissions.
	itr.InstallationTokenOptions = &github.InstallationTokenOptions{}
	c := f.client(itr, id)
	f.insts[id] = c
	return c, nil
}

// Anonymous returns a client that sends no credentials: POST /app-manifests/{code}/conversions
// takes none (the code is the credential).
func (f *Factory) Anonymous() *Client { return f.client(f.guard(0), 0) }

// guard is the innermost middleware of a client: user agent, the origin the credentials are
// bound to, plain http refused, and the rate-limit observer.
func (f *Factory) guard(installation int64) http.RoundTripper {
	return &guardTransport{
		next: f.net, origin: apiclient.OriginOf(f.base), allowInsecure: f.opts.AllowInsecure,
		userAgent: f.opts.UserAgent, installation: installation, observe: f.opts.OnRateLimit,
		now: f.opts.Now,
	}
}

// client wraps auth (the App's JWT, an installation token, or nothing) in the retry
// middleware and go-github.
func (f *Factory) client(auth http.RoundTripper, installation int64) *Client {
	o := f.opts
	maxRetries := o.MaxRetries
	switch {
	case maxRetries == 0:
		maxRetries = DefaultMaxRetries
	case maxRetries < 0:
		maxRetries = 0
	}
	rt := &apiclient.Retry{
		Next: auth, Decide: decider(o.Now), MaxRetries: maxRetries, MaxWait: o.MaxRetryWait,
		Attempt: cmp.Or(o.AttemptTimeout, DefaultAttemptTimeout),
		Budget:  cmp.Or(o.RetryBudget, DefaultRetryBudget), MaxBody: maxResponseBody,
		Now: o.Now, Sleep: o.Sleep, Log: o.Logger, Name: "github api",
	}
	origin := apiclient.OriginOf(f.base)
	hc := &http.Client{
		Transport: rt,
		// No redirect leaves the origin the credentials are bound to; the 3xx is then the
		// answer, and an APIError says where it pointed.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if apiclient.OriginOf(req.URL) != origin || len(via) >= 10 {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	base := f.base.String()
	gh, err := github.NewClient(github.WithHTTPClient(hc), github.WithURLs(&base, &base),
		github.WithUserAgent(o.UserAgent), github.WithDisableRateLimitCheck())
	if err != nil {
		// Only a base URL go-github refuses gets here, and parseBaseURL has checked it.
		panic(fmt.Sprintf("githubapi: go-github refused a checked base URL: %v", err))
	}
	return &Client{gh: gh, base: f.base, installation: installation, now: o.Now, factory: f}
}

// parseBaseURL checks and normalizes Options.BaseURL: http(s), a host, no credentials, query
// or fragment; the path ends in "/".
func parseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		s = DefaultBaseURL
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("githubapi: the API URL %q is not a URL: %w", s, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("githubapi: the API URL %q must start with https://", s)
	case u.Host == "":
		return nil, fmt.Errorf("githubapi: the API URL %q has no host", s)
	case u.User != nil:
		return nil, errors.New("githubapi: the API URL must not contain a user name or password")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("githubapi: the API URL %q must not have a query or fragment", s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u, nil
}

// Client calls GitHub's REST API with one identity (the App, an installation, or none). It is
// safe for concurrent use.
type Client struct {
	gh           *github.Client
	base         *url.URL
	installation int64
	now          func() time.Time
	factory      *Factory
}

// REST is the go-github client underneath, with the same transport (credentials, retries,
// timeouts, origin binding), for the calls this package does not wrap. Its errors are
// go-github's; [Wrap] turns them into this package's.
func (c *Client) REST() *github.Client { return c.gh }

// InstallationID is the installation the client acts for (0 for the App or anonymous).
func (c *Client) InstallationID() int64 { return c.installation }

// String names the client without credentials.
func (c *Client) String() string {
	return fmt.Sprintf("githubapi.Client{BaseURL: %q, Installation: %s}", c.base.String(), strconv.FormatInt(c.installation, 10))
}
