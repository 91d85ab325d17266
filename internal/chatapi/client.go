package chatapi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/apiclient"
	"github.com/releasegate/releasegate/internal/clock"
)

// Defaults of Options.
const (
	DefaultTimeout      = 60 * time.Second
	DefaultDailyBudget  = 50
	DefaultMaxRetries   = 2
	DefaultMaxRetryWait = 30 * time.Second
	defaultUserAgent    = "releasegate"
	// maxTimeout bounds Options.Timeout: a suggestion is not worth a longer wait.
	maxTimeout = 10 * time.Minute
	// maxAnswerTokens bounds the answer: a 30-line diff and a paragraph fit well within it.
	maxAnswerTokens = 2048
	// maxAnswerBody bounds what is read of an answer.
	maxAnswerBody = 4 << 20
)

// Options configures a Client.
type Options struct {
	// BaseURL is the API's root, the part before /chat/completions
	// ("https://api.openai.com/v1", "http://127.0.0.1:11434/v1"). It must be https, or http
	// to this machine (loopback), where nobody else reads the key.
	BaseURL string
	// Model is the model's name as the server knows it ("gpt-4o-mini").
	Model string
	// APIKey is sent as a Bearer token, to BaseURL's origin only. It may be empty for a
	// server on this machine that needs none.
	APIKey string `json:"-"`
	// Timeout bounds each attempt, the whole answer read included (default 60s).
	Timeout time.Duration
	// DailyBudget is how many suggestions the model may be asked for per UTC day (default
	// 50); the Budget a Suggester is given enforces it.
	DailyBudget int
	// Transport sends the requests (default: a clone of http.DefaultTransport).
	Transport http.RoundTripper `json:"-"`
	// UserAgent defaults to "releasegate".
	UserAgent string
	// MaxRetries is how many times a rate-limited or failing call is sent again (default 2;
	// negative: never).
	MaxRetries int
	// MaxRetryWait is the longest wait a server may ask for and still be waited out (default
	// 30s); a longer Retry-After ends the call with the 429.
	MaxRetryWait time.Duration
	// Sleep waits between attempts (default: a timer that ctx ends); Now is the clock for
	// Retry-After dates (default time.Now). Tests replace them.
	Sleep func(ctx context.Context, d time.Duration) error `json:"-"`
	Now   func() time.Time                                 `json:"-"`
	// Logger gets a line per retry (default: nothing is logged).
	Logger *slog.Logger `json:"-"`
}

// Validate reports the first problem with o, naming the field. The key is never quoted.
func (o Options) Validate() error {
	base, err := parseBaseURL(o.BaseURL)
	if err != nil {
		return err
	}
	loopback := apiclient.IsLoopback(base.Hostname())
	switch {
	case base.Scheme == "http" && !loopback:
		return fmt.Errorf("chatapi: Options.BaseURL %q is plain http to another machine, where the API key could be read on the way; use https (plain http is allowed only to this machine)", base.Redacted())
	case strings.TrimSpace(o.Model) == "":
		return errors.New("chatapi: Options.Model is empty; name the model the server serves (e.g. gpt-4o-mini)")
	case strings.ContainsFunc(o.Model, isSpaceOrControl):
		return fmt.Errorf("chatapi: Options.Model %q contains spaces or control characters", o.Model)
	case o.APIKey == "" && !loopback:
		return errors.New("chatapi: Options.APIKey is empty; a server on another machine needs an API key")
	case strings.ContainsFunc(o.APIKey, isSpaceOrControl):
		return errors.New("chatapi: Options.APIKey contains spaces or control characters (a trailing newline from a file?); remove them")
	case o.Timeout < 0 || o.Timeout > maxTimeout:
		return fmt.Errorf("chatapi: Options.Timeout is %s; give a duration up to %s (0: the default %s)", o.Timeout, maxTimeout, DefaultTimeout)
	case o.DailyBudget < 0:
		return fmt.Errorf("chatapi: Options.DailyBudget is %d; give a positive number of requests per day (0: the default %d)", o.DailyBudget, DefaultDailyBudget)
	case strings.ContainsFunc(o.UserAgent, isControl):
		return errors.New("chatapi: Options.UserAgent contains control characters")
	case o.MaxRetries > 10:
		return fmt.Errorf("chatapi: Options.MaxRetries is %d; at most 10 retries are allowed", o.MaxRetries)
	case o.MaxRetryWait < 0:
		return fmt.Errorf("chatapi: Options.MaxRetryWait is negative (%s)", o.MaxRetryWait)
	}
	return nil
}

func isControl(r rune) bool        { return r < 0x20 || r == 0x7f }
func isSpaceOrControl(r rune) bool { return r == ' ' || isControl(r) || r == 0x85 || r == 0xa0 }

// parseBaseURL checks Options.BaseURL: http(s), a host, no credentials, query or fragment. The
// path keeps no trailing "/".
func parseBaseURL(s string) (*url.URL, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("chatapi: Options.BaseURL is empty; give the API's root, e.g. https://api.openai.com/v1")
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("chatapi: Options.BaseURL is not a URL: %w", err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("chatapi: Options.BaseURL %q must start with https://", u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("chatapi: Options.BaseURL %q has no host", u.Redacted())
	case u.User != nil:
		return nil, errors.New("chatapi: Options.BaseURL must not hold a user name or password; give the key as the API key")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("chatapi: Options.BaseURL %q must not have a query or fragment", u.Redacted())
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	if strings.HasSuffix(u.Path, "/chat/completions") {
		return nil, fmt.Errorf("chatapi: Options.BaseURL %q names the endpoint; give the part before /chat/completions", u.Redacted())
	}
	return u, nil
}

const redacted = "[redacted]"

// String describes o without the key.
func (o Options) String() string {
	key := "(empty)"
	if o.APIKey != "" {
		key = redacted
	}
	return fmt.Sprintf("chatapi.Options{BaseURL: %q, Model: %q, APIKey: %s, Timeout: %s, DailyBudget: %d}",
		redactURL(o.BaseURL), o.Model, key, o.Timeout, o.DailyBudget)
}

// Format makes every fmt verb print String, so none reaches the key.
func (o Options) Format(f fmt.State, _ rune) { io.WriteString(f, o.String()) }

// LogValue keeps the key out of structured logs.
func (o Options) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", redactURL(o.BaseURL)),
		slog.String("model", o.Model),
		slog.Bool("api_key_set", o.APIKey != ""),
		slog.Duration("timeout", o.Timeout),
		slog.Int("daily_budget", o.DailyBudget),
	)
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(not a URL)"
}

// Client calls one OpenAI-compatible chat endpoint. It is safe for concurrent use.
type Client struct {
	endpoint     string // base + "/chat/completions"
	model        string
	key          string // sent by the guard; kept to scrub it from what a server echoes
	dailyBudget  int
	timeout      time.Duration
	maxRetries   int
	maxRetryWait time.Duration
	hc           *http.Client
	sleep        func(context.Context, time.Duration) error
	now          func() time.Time
	log          *slog.Logger
}

// New returns a Client for opts, or the error of opts.Validate.
func New(opts Options) (*Client, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	base, _ := parseBaseURL(opts.BaseURL)
	next := opts.Transport
	if next == nil {
		next = http.DefaultTransport.(*http.Transport).Clone()
	}
	maxRetries := cmp.Or(opts.MaxRetries, DefaultMaxRetries)
	if maxRetries < 0 {
		maxRetries = 0
	}
	c := &Client{
		endpoint:     base.String() + "/chat/completions",
		model:        opts.Model,
		key:          opts.APIKey,
		dailyBudget:  cmp.Or(opts.DailyBudget, DefaultDailyBudget),
		timeout:      cmp.Or(opts.Timeout, DefaultTimeout),
		maxRetries:   maxRetries,
		maxRetryWait: cmp.Or(opts.MaxRetryWait, DefaultMaxRetryWait),
		sleep:        opts.Sleep,
		now:          opts.Now,
		log:          opts.Logger,
	}
	if c.sleep == nil {
		c.sleep = clock.Sleep
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.hc = &http.Client{
		Transport: &guardTransport{
			next: next, origin: apiclient.OriginOf(base), key: opts.APIKey,
			userAgent: cmp.Or(opts.UserAgent, defaultUserAgent),
		},
		CheckRedirect: checkRedirect,
	}
	return c, nil
}

// Model is the model the client asks.
func (c *Client) Model() string { return c.model }

// DailyBudget is how many suggestions the model may be asked for per UTC day.
func (c *Client) DailyBudget() int { return c.dailyBudget }

// String describes the client without its key.
func (c *Client) String() string {
	return fmt.Sprintf("chatapi.Client{Endpoint: %q, Model: %q}", c.endpoint, c.model)
}

// Format makes every fmt verb print String.
func (c *Client) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// scrub removes the key from text a server sent back (a proxy's page, an error that quotes
// the Authorization header).
func (c *Client) scrub(s string) string {
	if c.key == "" {
		return s
	}
	return strings.ReplaceAll(s, c.key, redacted)
}

// guardTransport runs for every hop: it sends the key only to the configured origin, refuses
// plain http off this machine, and sets the user agent.
type guardTransport struct {
	next      http.RoundTripper
	origin    apiclient.Origin
	key       string
	userAgent string
}

func (t *guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" && !(req.URL.Scheme == "http" && apiclient.IsLoopback(req.URL.Hostname())) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("refusing to send a request to %s over plain http off this machine", apiclient.OriginOf(req.URL))
	}
	r := req.Clone(req.Context())
	r.Header.Set("User-Agent", t.userAgent)
	r.Header.Del("Authorization")
	if t.key != "" && apiclient.OriginOf(req.URL) == t.origin {
		r.Header.Set("Authorization", "Bearer "+t.key)
	}
	return t.next.RoundTrip(r)
}

// checkRedirect follows a redirect only within the origin the call started on; another
// origin's answer comes back to the caller as the 3xx, and becomes a RedirectError.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("stopped after 5 redirects")
	}
	if apiclient.OriginOf(req.URL) != apiclient.OriginOf(via[0].URL) {
		return http.ErrUseLastResponse
	}
	return nil
}
