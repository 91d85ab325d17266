package sentryconf

import (
	"log/slog"
	"net/http"

	"github.com/releasegate/releasegate/internal/sentryapi"
)

// ClientOptions are what a Sentry client needs besides the connection: they belong to the
// caller (the CLI's process, or one GitHub App installation), not to any file.
type ClientOptions struct {
	// UserAgent names the caller, e.g. "releasegate/1.4.0".
	UserAgent string
	// Transport carries the requests (nil: http.DefaultTransport).
	Transport http.RoundTripper
	// Logger receives the client's request and retry lines (nil: none).
	Logger *slog.Logger
}

// Client builds the Sentry client of c: its server, token and retry count, with o's transport
// and logger. A connection that cannot make a client (a plain http:// server elsewhere
// without AllowInsecure, a token with spaces) is an error naming the problem.
func (c Connection) Client(o ClientOptions) (*sentryapi.Client, error) {
	retries := 0 // the client's default
	switch {
	case c.MaxRetries == 0:
		retries = -1 // the client's way of saying "none"
	case c.MaxRetries > 0:
		retries = c.MaxRetries
	}
	var hc *http.Client
	if o.Transport != nil {
		hc = &http.Client{Transport: o.Transport}
	}
	return sentryapi.New(sentryapi.Options{
		BaseURL: c.URL, Token: c.Token, AllowInsecure: c.AllowInsecure, UserAgent: o.UserAgent,
		HTTPClient: hc, MaxRetries: retries, Logger: o.Logger,
	})
}
