package jira

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/apiclient"
	"github.com/releasegate/releasegate/internal/clock"
)

// Flavor is the kind of Jira the client talks to.
type Flavor uint8

const (
	// Cloud is Jira Cloud: REST v3, Atlassian Document Format, an email and API token.
	Cloud Flavor = iota + 1
	// DataCenter is Jira Data Center or Server: REST v2, wiki markup, a personal access token.
	DataCenter
)

func (f Flavor) String() string {
	switch f {
	case Cloud:
		return "cloud"
	case DataCenter:
		return "datacenter"
	}
	return fmt.Sprintf("flavor(%d)", uint8(f))
}

// Defaults of Options.
const (
	DefaultMaxRetries     = 4
	DefaultMaxRetryWait   = 2 * time.Minute
	DefaultAttemptTimeout = 30 * time.Second
	defaultUserAgent      = "releasegate"
	maxResponseBody       = 32 << 20
)

// Options configures a Client.
type Options struct {
	Flavor Flavor
	// BaseURL is the site ("https://acme.atlassian.net", or a Data Center's
	// "https://jira.example.com/jira"); every call is resolved below it.
	BaseURL string
	// Email and Token authenticate on Cloud (HTTP Basic); Token alone, a personal access token,
	// on Data Center (Bearer).
	Email, Token string
	// HTTPClient sends the requests (its Transport is wrapped); nil is a new client with the
	// default transport.
	HTTPClient *http.Client
	// AllowInsecure allows plain http to other machines (tests only); loopback is always
	// allowed, since nothing else reads it.
	AllowInsecure bool
	// UserAgent defaults to "releasegate".
	UserAgent string
	// MaxRetries is how many times a call is sent again (default 4; a negative value: never).
	MaxRetries int
	// MaxRetryWait is the longest wait Jira may ask for and still be waited out (default 2m);
	// a longer Retry-After ends the call with the 429.
	MaxRetryWait time.Duration
	// AttemptTimeout bounds each attempt, the whole answer read included (default 30s).
	AttemptTimeout time.Duration
	// Sleep waits between attempts (default clock.Sleep); Now is the clock for Retry-After
	// dates (default time.Now).
	Sleep func(context.Context, time.Duration) error
	Now   func() time.Time
	// Logger logs the retries (default: discarded).
	Logger *slog.Logger
}

// Client calls one Jira. It is safe for concurrent use.
type Client struct {
	flavor Flavor
	base   *url.URL // ends in "/"
	http   *http.Client
	retry  *apiclient.Retry
}

// New returns a client for opts. It fails, with a config error, for an unknown flavour, a
// missing or unusable base URL, or missing credentials.
func New(opts Options) (*Client, error) {
	if opts.Flavor != Cloud && opts.Flavor != DataCenter {
		return nil, errkind.Errorf(errkind.Config, "jira: the flavour must be cloud or datacenter, not %s", opts.Flavor)
	}
	base, err := url.Parse(strings.TrimSpace(opts.BaseURL))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" || base.User != nil {
		return nil, errkind.Errorf(errkind.Config, "jira: the base URL %q is not an http(s) URL of a site; give it as https://your-site.atlassian.net", opts.BaseURL)
	}
	if base.Scheme == "http" && !apiclient.IsLoopback(base.Hostname()) && !opts.AllowInsecure {
		return nil, &InsecureURLError{URL: base.Redacted()}
	}
	base.RawQuery, base.Fragment = "", ""
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
		if base.RawPath != "" {
			base.RawPath += "/"
		}
	}
	var auth string
	switch {
	case opts.Token == "":
		return nil, errkind.Errorf(errkind.Config, "jira: no token given; set an API token (Cloud) or a personal access token (Data Center)")
	case opts.Flavor == Cloud && opts.Email == "":
		return nil, errkind.Errorf(errkind.Config, "jira: Jira Cloud needs the email of the token's user with the API token")
	case opts.Flavor == Cloud:
		req := &http.Request{Header: http.Header{}}
		req.SetBasicAuth(opts.Email, opts.Token)
		auth = req.Header.Get("Authorization")
	default:
		auth = "Bearer " + opts.Token
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = DefaultMaxRetries
	}
	if opts.MaxRetryWait <= 0 {
		opts.MaxRetryWait = DefaultMaxRetryWait
	}
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = DefaultAttemptTimeout
	}
	if opts.Sleep == nil {
		opts.Sleep = clock.Sleep
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.UserAgent == "" {
		opts.UserAgent = defaultUserAgent
	}
	hc := http.Client{}
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	guard := &guardTransport{next: next, origin: apiclient.OriginOf(base), auth: auth, allowInsecure: opts.AllowInsecure, userAgent: opts.UserAgent}
	rt := &apiclient.Retry{
		Next: guard, Decide: decider(opts.Now), MaxRetries: max(opts.MaxRetries, 0), MaxWait: opts.MaxRetryWait,
		Attempt: opts.AttemptTimeout, MaxBody: maxResponseBody, Now: opts.Now, Sleep: opts.Sleep, Log: opts.Logger, Name: "jira",
	}
	hc.Transport = rt
	return &Client{flavor: opts.Flavor, base: base, http: &hc, retry: rt}, nil
}

// Flavor is the kind of Jira the client talks to.
func (c *Client) Flavor() Flavor { return c.flavor }

// BaseURL is the site, ending in "/".
func (c *Client) BaseURL() string { return c.base.String() }

// BrowseURL is the page of an issue for people ("…/browse/KEY").
func (c *Client) BrowseURL(key string) string {
	return c.base.String() + "browse/" + url.PathEscape(key)
}

// api is the REST prefix of the flavour.
func (c *Client) api() string {
	if c.flavor == Cloud {
		return "rest/api/3/"
	}
	return "rest/api/2/"
}

// call is one request: rel is below the base URL, already escaped.
type call struct {
	method, rel string
	query       url.Values
	body        any
	// retrySafe marks a POST that may be sent twice (a search, an upsert by globalId).
	retrySafe bool
}

// do sends c and decodes a success into out (nil: any body is ignored). A 204 or an empty body
// needs out nil.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	u := c.base.String() + cl.rel
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var body io.Reader
	var raw []byte
	if cl.body != nil {
		var err error
		if raw, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("jira: encoding %s %s: %w", cl.method, cl.rel, err)
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u, body)
	if err != nil {
		return errkind.Wrap(errkind.Config, fmt.Errorf("jira: %s %s: %w", cl.method, cl.rel, err))
	}
	if raw != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	tries := &apiclient.Attempts{}
	ctx = apiclient.WithAttempts(ctx, tries)
	if cl.retrySafe {
		ctx = apiclient.WithRetrySafe(ctx)
	}
	resp, err := c.http.Do(req.WithContext(ctx))
	if err != nil {
		var insecure *InsecureURLError
		if errors.As(err, &insecure) {
			return insecure
		}
		if ctx.Err() != nil {
			return errkind.Wrap(errkind.Undecided, fmt.Errorf("jira: %s %s: %w", cl.method, cl.rel, context.Cause(ctx)))
		}
		return errkind.WithHint(errkind.Undecided, fmt.Errorf("jira: %s %s (after %d attempts): %w", cl.method, cl.rel, max(tries.N, 1), err),
			"Jira could not be reached; check the base URL, or try again later")
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return errkind.Wrap(errkind.Undecided, fmt.Errorf("jira: %s %s: reading the answer: %w", cl.method, cl.rel, err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &APIError{Method: cl.method, Path: cl.rel, Status: resp.StatusCode, Attempts: max(tries.N, 1)}
		if msgs, fields, ok := ParseErrorBody(data); ok {
			e.Messages, e.Fields = msgs, fields
		} else {
			e.Body = snippet(data)
		}
		if wait, ok := retryAfter(resp.Header, c.retry.Now()); ok {
			e.RetryAfter = wait
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := decodeStrict(data, out); err != nil {
		return &ResponseError{Method: cl.method, Path: cl.rel, Status: resp.StatusCode, Err: err}
	}
	return nil
}

// decodeStrict decodes a JSON object; null, another type or trailing data are errors.
func decodeStrict(data []byte, out any) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return fmt.Errorf("not a JSON object: %q", snippet(data))
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	if err := dec.Decode(out); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}
