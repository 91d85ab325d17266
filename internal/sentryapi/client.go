package sentryapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/releasegate/releasegate/internal/apiclient"
	"github.com/releasegate/releasegate/internal/clock"
)

// DefaultBaseURL is used when Options.BaseURL is empty, as sentry-cli does.
const DefaultBaseURL = "https://sentry.io/"

// DefaultMaxRetries is the retry budget when Options.MaxRetries is 0 (sentry-cli's default too).
const DefaultMaxRetries = 5

// DefaultMaxRetryWait is the longest a rate-limited call waits when Options.MaxRetryWait is 0.
const DefaultMaxRetryWait = time.Minute

// DefaultStallTimeout is Options.StallTimeout when it is 0: assemble and big issue searches can
// take a while to answer, but not minutes.
const DefaultStallTimeout = 2 * time.Minute

// DefaultAnswerTimeout is Options.AnswerTimeout when it is 0: the longest an attempt may take
// from the end of its request to the last byte of the answer, so a server that drips a byte at a
// time (and so never stalls) cannot hold a call for ever.
const DefaultAnswerTimeout = 2 * time.Minute

// DefaultRetryBudget is Options.RetryBudget when it is 0: once a call has been trying this long,
// it starts no further attempt (a hung server would otherwise cost every attempt's timeouts).
const DefaultRetryBudget = 3 * time.Minute

// maxResponseBody bounds what is read from one response; the largest answers (an event with
// its stack traces, a page of 100 issues) are a few megabytes.
const maxResponseBody = 64 << 20

// Options configures a [Client]. The zero value of every field except Token has a documented
// default. Printing Options (with any fmt verb, slog or encoding/json) never shows the token.
type Options struct {
	// BaseURL is the Sentry server's root URL: "https://sentry.io/", a region host such as
	// "https://de.sentry.io/", or a self-hosted install, possibly under a path prefix
	// ("https://example.com/sentry/"). Calls go to <BaseURL>/api/0/…. A URL that already ends
	// in /api/0/ is accepted too. Empty: DefaultBaseURL.
	BaseURL string
	// Token is the auth token (SENTRY_AUTH_TOKEN), sent as "Authorization: Bearer <Token>".
	// Required.
	Token string `json:"-"`
	// AllowInsecure allows a plain http:// BaseURL on a host other than this machine. Without
	// it such a URL is refused, since the token would cross the network unencrypted.
	AllowInsecure bool
	// UserAgent identifies the caller, e.g. "releasegate/1.4.0". Empty: "releasegate".
	UserAgent string
	// HTTPClient is used for the requests (its Transport, Timeout, Jar). The client is copied,
	// not changed. Nil: a client with sensible connection timeouts and no overall timeout, since
	// uploads of large bundles may take a while; use ctx to bound a call.
	HTTPClient *http.Client `json:"-"`
	// MaxRetries is how many times a failed call is retried (so at most MaxRetries+1 attempts).
	// 0: DefaultMaxRetries; negative: no retries.
	MaxRetries int
	// MaxRetryWait is the longest the client waits for a rate limit to reset before a retry; if
	// Sentry asks for longer, the call fails at once with ErrRateLimited and APIError.RetryAfter
	// set. 0: DefaultMaxRetryWait.
	MaxRetryWait time.Duration
	// StallTimeout is the longest one attempt may go without progress: connecting, between
	// reads of the request body, from the end of the request to the response headers, and
	// between reads of the response body. A stalled attempt fails as a network error (and is
	// retried when the call is safe to repeat). It applies whatever HTTPClient's transport is,
	// so a server that takes a request and never answers cannot hang a call.
	// 0: DefaultStallTimeout; negative: no limit.
	StallTimeout time.Duration
	// AnswerTimeout is the longest one attempt may take from the end of its request to the last
	// byte of the answer, however steadily bytes arrive. 0: DefaultAnswerTimeout; negative: none.
	AnswerTimeout time.Duration
	// RetryBudget is how long a call may keep trying: no attempt is started (and no wait for
	// one begun) past it, whatever MaxRetries says. 0: DefaultRetryBudget; negative: none.
	RetryBudget time.Duration
	// Logger receives a debug line per HTTP attempt (method, URL, status, duration, headers with
	// credentials redacted) and an info line per retry. Nil: nothing is logged.
	Logger *slog.Logger `json:"-"`
	// Now returns the current time, for rate-limit reset times. Nil: time.Now.
	Now func() time.Time `json:"-"`
	// Sleep waits d or until ctx is done, returning ctx.Err() then. Tests replace it so that
	// nothing really sleeps. Nil: a timer.
	Sleep func(ctx context.Context, d time.Duration) error `json:"-"`
}

// Validate reports the first problem with o, naming the field. The token is never quoted.
func (o Options) Validate() error {
	base, err := parseBaseURL(o.BaseURL)
	if err != nil {
		return err
	}
	if base.Scheme == "http" && !apiclient.IsLoopback(base.Hostname()) && !o.AllowInsecure {
		return &InsecureURLError{URL: redactURL(o.BaseURL)}
	}
	switch {
	case o.Token == "":
		return errors.New("sentryapi: Options.Token is empty: set SENTRY_AUTH_TOKEN (or auth.token in .sentryclirc) to a Sentry auth token")
	case strings.ContainsFunc(o.Token, isSpaceOrControl):
		return errors.New("sentryapi: Options.Token contains spaces or control characters (a trailing newline from a file?); remove them")
	case strings.ContainsFunc(o.UserAgent, isControl):
		return errors.New("sentryapi: Options.UserAgent contains control characters")
	case o.MaxRetries > 100:
		return fmt.Errorf("sentryapi: Options.MaxRetries is %d; at most 100 retries are allowed", o.MaxRetries)
	case o.MaxRetryWait < 0:
		return fmt.Errorf("sentryapi: Options.MaxRetryWait is negative (%s)", o.MaxRetryWait)
	}
	return nil
}

func isControl(r rune) bool        { return r < 0x20 || r == 0x7f }
func isSpaceOrControl(r rune) bool { return r == ' ' || isControl(r) || r == 0x85 || r == 0xa0 }

// String describes o without the token.
func (o Options) String() string {
	tok := "(empty)"
	if o.Token != "" {
		tok = redacted
	}
	return fmt.Sprintf("sentryapi.Options{BaseURL: %q, Token: %s, UserAgent: %q, MaxRetries: %d, MaxRetryWait: %s}",
		redactURL(o.BaseURL), tok, o.UserAgent, o.MaxRetries, o.MaxRetryWait)
}

// Format makes every fmt verb (%v, %+v, %#v, %s, %d, …) print String, so no verb can reach the
// token field.
func (o Options) Format(f fmt.State, _ rune) { io.WriteString(f, o.String()) }

// LogValue keeps the token out of structured logs.
func (o Options) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", redactURL(o.BaseURL)),
		slog.Bool("token_set", o.Token != ""),
		slog.String("user_agent", o.UserAgent),
		slog.Int("max_retries", o.MaxRetries),
	)
}

const redacted = "[redacted]"

// redactURL drops credentials from a URL that has not been validated yet (a token pasted as the
// user name would otherwise show).
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = nil
		return u.String()
	}
	return s
}

// Client calls the Sentry Web API. It is safe for concurrent use.
type Client struct {
	base  *url.URL // root URL, path ending in "/"
	api   *url.URL // base + "api/0/"
	hc    *http.Client
	token string // only to scrub it from anything a server echoes back
	now   func() time.Time
}

// New returns a Client for opts, or the error of opts.Validate.
func New(opts Options) (*Client, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	base, _ := parseBaseURL(opts.BaseURL)
	api := base.JoinPath("api", "0")
	api.Path += "/"

	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	sleep := opts.Sleep
	if sleep == nil {
		sleep = clock.Sleep
	}
	ua := opts.UserAgent
	if ua == "" {
		ua = "releasegate"
	}
	maxRetries := opts.MaxRetries
	switch {
	case maxRetries == 0:
		maxRetries = DefaultMaxRetries
	case maxRetries < 0:
		maxRetries = 0
	}
	maxWait := opts.MaxRetryWait
	if maxWait == 0 {
		maxWait = DefaultMaxRetryWait
	}
	stall := cmp.Or(opts.StallTimeout, DefaultStallTimeout)
	answer := cmp.Or(opts.AnswerTimeout, DefaultAnswerTimeout)
	budget := cmp.Or(opts.RetryBudget, DefaultRetryBudget)

	var hc http.Client
	if opts.HTTPClient != nil {
		hc = *opts.HTTPClient
	} else {
		hc = http.Client{Transport: defaultTransport()}
	}
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	// Outermost first: retry → auth/user agent → debug log → the network. The log sits inside
	// the auth middleware so that it sees, and must redact, the real Authorization header.
	hc.Transport = &retryTransport{
		next: &headerTransport{
			next:      &logTransport{next: next, log: log},
			token:     opts.Token,
			userAgent: ua,
			origin:    apiclient.OriginOf(base),
		},
		maxRetries: maxRetries,
		maxWait:    maxWait,
		stall:      stall,
		answer:     answer,
		budget:     budget,
		now:        now,
		sleep:      sleep,
		log:        log,
	}
	// Whatever the caller's client does with redirects, none leaves the origin it started on.
	hc.CheckRedirect = checkRedirect
	return &Client{base: base, api: api, hc: &hc, token: opts.Token, now: now}, nil
}

func defaultTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = 2 * time.Minute // assemble and big issue searches can be slow
	return t
}

// parseBaseURL checks and normalizes Options.BaseURL: http(s), a host, no credentials, query or
// fragment; the path ends in "/" and a trailing api/0/ is dropped.
func parseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		s = DefaultBaseURL
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("sentryapi: Options.BaseURL %q is not a URL: %w", s, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("sentryapi: Options.BaseURL %q must start with https:// (or http://)", s)
	case u.Host == "":
		return nil, fmt.Errorf("sentryapi: Options.BaseURL %q has no host", s)
	case u.User != nil:
		// Credentials in the URL would end up in logs and errors.
		return nil, fmt.Errorf("sentryapi: Options.BaseURL must not contain a user name or password; put the token in SENTRY_AUTH_TOKEN")
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, fmt.Errorf("sentryapi: Options.BaseURL %q must not have a query or fragment", s)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	if strings.HasSuffix(u.Path, "/api/0") {
		u.Path = strings.TrimSuffix(u.Path, "/api/0")
		u.RawPath = strings.TrimSuffix(u.RawPath, "/api/0")
	}
	u.Path += "/"
	if u.RawPath != "" {
		u.RawPath += "/"
	}
	return u, nil
}

// BaseURL returns the Sentry root URL the client calls, ending in "/".
func (c *Client) BaseURL() string { return c.base.String() }

// String describes the client without its token.
func (c *Client) String() string { return fmt.Sprintf("sentryapi.Client{BaseURL: %q}", c.BaseURL()) }

// Format makes every fmt verb print String.
func (c *Client) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// call describes one API call: what it is called in errors, where it goes, and what the user can
// do when it fails.
type call struct {
	op     string   // e.g. "create release"
	method string   // GET, POST, …
	path   []string // raw segments after /api/0/, escaped by the client
	query  url.Values
	body   any // JSON-encoded when non-nil
	// scope is the token scope the call needs (§7.2 of the Sentry reference); grantsAlso, when
	// set, lists the other scopes that grant it, for a call whose permission class differs from
	// the usual set of its scope (see grants).
	scope      string
	grantsAlso []string
	// absentIsData marks a call whose 404 is about data (an issue, an event, a tag), not about
	// the organization, project, release or team that the configuration names.
	absentIsData bool
	// notFound says what to check when Sentry answers 404, conflict what a 409 means.
	notFound, conflict string
	// retrySafe marks a POST as safe to repeat (chunk uploads, assemble, upserts); other POSTs
	// are retried only on a 429 or when the connection was never made.
	retrySafe bool
}

// endpoint resolves c.path against the API root, escaping every segment.
func (c *Client) endpoint(cl *call) (*url.URL, error) {
	var b strings.Builder
	b.WriteString(c.api.EscapedPath())
	for _, seg := range cl.path {
		if err := checkSegment(seg); err != nil {
			return nil, fmt.Errorf("sentryapi: %s: %w", cl.op, err)
		}
		b.WriteString(escapeSegment(seg))
		b.WriteByte('/') // Sentry's routes all end in a slash
	}
	u := *c.api
	u.RawPath = b.String()
	p, err := url.PathUnescape(u.RawPath)
	if err != nil {
		return nil, fmt.Errorf("sentryapi: %s: %w", cl.op, err)
	}
	u.Path = p
	if len(cl.query) > 0 {
		u.RawQuery = cl.query.Encode()
	}
	return &u, nil
}

// checkSegment rejects path segments that cannot name a Sentry object: a "/" would change the
// route (and Sentry forbids it in release versions), and "."/".." are removed by URL
// normalization on the way.
func checkSegment(s string) error {
	switch {
	case s == "":
		return errors.New("an empty name (organization, project, release or issue) was given")
	case s == "." || s == "..":
		return fmt.Errorf("%q is not a valid name in a URL path", s)
	case strings.ContainsRune(s, '/'):
		return fmt.Errorf("%q contains \"/\", which Sentry does not allow in slugs, release versions or IDs", s)
	case strings.ContainsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == 0 }):
		return fmt.Errorf("%q contains a line break or NUL", s)
	}
	return nil
}

// escapeSegment percent-encodes everything but RFC 3986 unreserved characters and "@" (common in
// versions like "app@1.2.3"). url.PathEscape keeps "+", which some servers and proxies decode
// as a space; Sentry's own CLI escapes it too.
func escapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '@' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// newRequest builds the HTTP request for cl.
func (c *Client) newRequest(ctx context.Context, cl *call) (*http.Request, error) {
	u, err := c.endpoint(cl)
	if err != nil {
		return nil, err
	}
	var body io.Reader
	if cl.body != nil {
		data, err := json.Marshal(cl.body)
		if err != nil {
			return nil, fmt.Errorf("sentryapi: %s: encode request: %w", cl.op, err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("sentryapi: %s: %w", cl.op, err)
	}
	// NewRequest re-parses the URL string; keep our escaping of each segment.
	req.URL = u
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// send sends req for cl and returns the response when its status is 2xx; otherwise it reads
// the body into an *APIError. The caller closes the body of the returned response.
func (c *Client) send(cl *call, req *http.Request) (*http.Response, error) {
	tries := &attempts{}
	ctx := withAttempts(req.Context(), tries)
	if cl.retrySafe {
		ctx = apiclient.WithRetrySafe(ctx)
	}
	req = req.WithContext(ctx)
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, c.transportError(cl, req, tries.n, err)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp, nil
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	e := &APIError{
		Op:           cl.op,
		Method:       req.Method,
		Path:         req.URL.EscapedPath(),
		Status:       resp.StatusCode,
		Detail:       c.scrub(errorDetail(data)),
		Attempts:     tries.n,
		Scopes:       cl.grants(),
		absentIsData: cl.absentIsData,
	}
	e.Org, e.Project = cl.orgProject()
	if e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable {
		e.RetryAfter, _ = serverWait(resp.Header, c.now())
	}
	e.Hint = cl.hint(e.Status, e.RetryAfter, c.BaseURL())
	if e.Status >= 300 && e.Status < 400 {
		// A redirect's body is a link page that may repeat the target's query: say where it
		// pointed instead.
		e.Detail = ""
		e.Hint = redirectHint(redirectTarget(resp), c.BaseURL())
	}
	return nil, e
}

// transportError names the call on a network failure, keeping ctx errors matchable.
func (c *Client) transportError(cl *call, req *http.Request, n int, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its message repeats the whole URL; we name the call instead
	}
	msg := fmt.Sprintf("sentryapi: %s: %s %s", cl.op, req.Method, req.URL.EscapedPath())
	if ctx := req.Context(); ctx.Err() != nil {
		// The caller gave up, not the client: say why (a command's time limit names itself as
		// the cause) and that this request was the one waiting.
		if cause := context.Cause(ctx); cause != nil && !errors.Is(ctx.Err(), cause) {
			return fmt.Errorf("%s: %w, while this request was waiting: %w", msg, cause, ctx.Err())
		}
		return fmt.Errorf("%s: %w", msg, err)
	}
	if n > 1 {
		msg += fmt.Sprintf(" (gave up after %d attempts)", n)
	}
	return fmt.Errorf("%s: %w (check that %s is reachable and is a Sentry server)", msg, err, c.BaseURL())
}

// scrub removes the token from text a server sent back, in case it echoes request headers.
func (c *Client) scrub(s string) string {
	if c.token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, redacted)
}

// do performs cl and decodes a JSON answer into out (if non-nil). It returns the response
// headers and status for callers that need them (pagination, 201 vs 208), also when only the
// decoding failed.
func (c *Client) do(ctx context.Context, cl *call, out any) (http.Header, int, error) {
	req, err := c.newRequest(ctx, cl)
	if err != nil {
		return nil, 0, err
	}
	resp, err := c.send(cl, req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	err = c.decode(cl, resp, out)
	return resp.Header, resp.StatusCode, err
}

func (c *Client) decode(cl *call, resp *http.Response, out any) error {
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponseBody))
		return nil
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return fmt.Errorf("sentryapi: %s: read response: %w", cl.op, err)
	}
	if len(data) > maxResponseBody {
		return fmt.Errorf("sentryapi: %s: response larger than %d MiB", cl.op, maxResponseBody>>20)
	}
	perr := func(err error) error {
		return &ProtocolError{Op: cl.op, Method: resp.Request.Method, Path: resp.Request.URL.EscapedPath(), Err: err}
	}
	switch trimmed := bytes.TrimSpace(data); {
	case len(trimmed) == 0:
		return perr(errEmptyBody)
	case bytes.Equal(trimmed, []byte("null")):
		// json.Unmarshal takes null as "leave it alone": an empty list or release, which a
		// gate would read as "nothing wrong".
		return perr(errNullBody)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return perr(err)
	}
	if err := checkWellFormed(out); err != nil {
		return perr(err)
	}
	return nil
}

// errEmptyBody is returned by decode for a 2xx answer without a body; callers that can live with
// it (208 Already Reported) check for it.
var errEmptyBody = errors.New("empty response body")

// errNullBody is a 2xx answer of JSON null where an object or a list was expected.
var errNullBody = errors.New("the answer is null where an object or a list was expected")

// list fetches every page of cl, following Link rel="next" while results="true", and hands each
// non-empty page to fn.
func list[T any](ctx context.Context, c *Client, cl *call, fn func([]T) error) error {
	if fn == nil {
		return fmt.Errorf("sentryapi: %s: no page callback given", cl.op)
	}
	seen := map[string]bool{}
	for {
		var page []T
		h, _, err := c.do(ctx, cl, &page)
		if err != nil {
			return err
		}
		if len(page) > 0 {
			if err := fn(page); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
		cursor, ok := nextCursor(h.Values("Link"))
		if !ok {
			return nil
		}
		if seen[cursor] {
			return fmt.Errorf("sentryapi: %s: Sentry returned the cursor %q twice; stopping to avoid a loop", cl.op, cursor)
		}
		seen[cursor] = true
		q := url.Values{}
		for k, v := range cl.query {
			q[k] = v
		}
		q.Set("cursor", cursor)
		cl.query = q
	}
}

// collect gathers every page of a list into one slice.
func collect[T any](ctx context.Context, c *Client, cl *call) ([]T, error) {
	var all []T
	err := list(ctx, c, cl, func(page []T) error {
		all = append(all, page...)
		return nil
	})
	return all, err
}
