package sentryapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// Sentinels that an [*APIError] matches with [errors.Is], by status.
var (
	// ErrUnauthorized: 401, the token is missing, wrong, revoked or for another server.
	ErrUnauthorized = errors.New("sentry rejected the auth token")
	// ErrForbidden: 403, the token is valid but lacks the scope or access the call needs.
	ErrForbidden = errors.New("sentry denied access")
	// ErrNotFound: 404, the organization, project, release or issue does not exist (or the
	// token cannot see it).
	ErrNotFound = errors.New("not found in sentry")
	// ErrConflict: 409, the thing already exists (a release file with the same name).
	ErrConflict = errors.New("already exists in sentry")
	// ErrRateLimited: 429, still rate limited after the retries (or the wait asked for was
	// longer than Options.MaxRetryWait).
	ErrRateLimited = errors.New("rate limited by sentry")
	// ErrMisconfigured matches the answers that say the caller's configuration is wrong, not
	// that Sentry is unwell: a 401 (the token), a 403 (its scopes, or no access to the
	// organization or project) and a 404 of the organization, project, release or team that
	// the configuration names. A 404 of an issue, an event or a tag is data and does not match.
	// Retrying or treating these as an outage cannot help; the user must change something.
	ErrMisconfigured = errors.New("sentry refused the configuration")
)

// ProtocolError is a 2xx answer that does not say what Sentry's API says it does: empty, null,
// not JSON, or of the wrong shape. It is never read as an empty result; for a command it means
// "could not decide", as an outage does.
type ProtocolError struct {
	Op, Method, Path string
	Err              error
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("sentryapi: %s: %s %s: unexpected answer: %v (is the Sentry URL a Sentry server, and is nothing between rewriting its answers?)", e.Op, e.Method, e.Path, e.Err)
}

func (e *ProtocolError) Unwrap() error { return e.Err }

// InsecureURLError is a plain http:// Sentry URL on another machine: the token would cross the
// network unencrypted. A configuration error.
type InsecureURLError struct{ URL string }

func (e *InsecureURLError) Error() string {
	return fmt.Sprintf("sentryapi: the Sentry URL %s uses plain http, so the auth token would cross the network unencrypted; use https://, or allow it explicitly (--allow-insecure) for a Sentry on a network you trust", e.URL)
}

// ForeignUploadURLError is a chunk upload URL, named by the server, on a host that is neither the
// configured Sentry nor one of its region hosts: the chunks and the token would go there.
type ForeignUploadURLError struct{ URL, Base string }

func (e *ForeignUploadURLError) Error() string {
	return fmt.Sprintf("the server named %s as the chunk upload URL, which is neither %s nor one of its https region hosts; refusing to send the token and the files there (is a proxy rewriting Sentry's answers, or is the Sentry URL wrong?)", e.URL, e.Base)
}

// redirectHint explains a redirect that was not followed because it left the origin.
func redirectHint(target, base string) string {
	if target == "" {
		return "Sentry redirected the request: check that the Sentry URL is the server's root URL"
	}
	return fmt.Sprintf("the server redirected the request to %s; releasegate follows no redirect away from %s (the token and the answer must come from the configured Sentry): if Sentry moved, set the Sentry URL to the new address", target, base)
}

// ErrStop is what a List callback returns to end the listing early; the List call then
// returns nil.
var ErrStop = errors.New("stop listing")

// APIError is a call that Sentry answered with a status other than the one expected.
type APIError struct {
	// Op names the call, e.g. "create release".
	Op string
	// Method and Path are the request's; Path is the escaped URL path, without the query.
	Method, Path string
	// Status is the HTTP status code.
	Status int
	// Detail is what Sentry said: its `detail` (or `error`) message, or a field-error summary.
	Detail string
	// RetryAfter is how long Sentry asked the client to wait, for 429 and some 503 answers.
	RetryAfter time.Duration
	// Attempts is how many times the request was sent (more than 1 when it was retried).
	Attempts int
	// Hint says what to do about it.
	Hint string
	// Scopes are the token scopes of which any one grants the call, as Sentry's permission
	// classes map them; the first is the one to ask for. Nil for calls that take no token.
	Scopes []string
	// Org and Project are the organization and project slugs the call's path names ("" when it
	// names none).
	Org, Project string
	// absentIsData: a 404 of this call is about data (an issue, event or tag).
	absentIsData bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "sentryapi: %s: %s %s: %d %s", e.Op, e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Detail != "" {
		fmt.Fprintf(&b, ": %q", e.Detail)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (gave up after %d attempts)", e.Attempts)
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

// Is reports whether the error's status matches one of the package's sentinels.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrConflict:
		return e.Status == http.StatusConflict
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrMisconfigured:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden ||
			e.Status == http.StatusNotFound && !e.absentIsData
	}
	return false
}

// hint says what to do about status for call c.
func (c *call) hint(status int, retryAfter time.Duration, baseURL string) string {
	switch {
	case status == http.StatusUnauthorized && c.scope == "":
		return fmt.Sprintf("check SENTRY_AUTH_TOKEN: it must be a valid, unrevoked token for %s", baseURL)
	case status == http.StatusUnauthorized:
		return fmt.Sprintf("check SENTRY_AUTH_TOKEN: it must be a valid, unrevoked token for %s with %s", baseURL, c.scopeText())
	case status == http.StatusForbidden:
		h := fmt.Sprintf("the token lacks access: this call needs %s and access to %s", c.scopeText(), c.where())
		if strings.HasPrefix(c.scope, "event:") {
			h += " (organization tokens cannot read or change issues: use an internal integration token)"
		}
		return h
	case status == http.StatusNotFound:
		if c.notFound != "" {
			return c.notFound
		}
		return "check the organization and project slugs"
	case status == http.StatusConflict && c.conflict != "":
		return c.conflict
	case status == http.StatusTooManyRequests:
		if retryAfter > 0 {
			return fmt.Sprintf("Sentry asks to wait %s before calling again", retryAfter.Round(time.Second))
		}
		return "Sentry rate-limits each token per endpoint; try again later"
	case status >= 500 && c.method == http.MethodPost && !c.retrySafe:
		return "Sentry had a server error and may or may not have done it; check before trying again"
	case status >= 500:
		return "Sentry had a server error; try again later"
	case status >= 300 && status < 400:
		return "Sentry redirected the request: check that the Sentry URL is the server's root URL"
	}
	return ""
}

// scopeText names the token scope the call needs, and the others that grant it too (§7.2 of
// the reference: organization tokens carry org:ci, which the release endpoints accept instead
// of project:releases).
func (c *call) scopeText() string {
	g := c.grants()
	if len(g) == 0 {
		return "no scope"
	}
	s := "the " + g[0] + " scope"
	if len(g) > 1 {
		s += " (or one of " + strings.Join(g[1:], ", ")
		if slices.Contains(g, "org:ci") {
			s += "; an organization token has org:ci"
		}
		s += ")"
	}
	return s
}

// orgProject reads the organization and project slugs from the call's path: Sentry's routes
// begin organizations/{org}/…, projects/{org}/{project}/… or teams/{org}/{team}/….
func (c *call) orgProject() (org, project string) {
	if len(c.path) < 2 {
		return "", ""
	}
	switch c.path[0] {
	case "organizations", "teams":
		return c.path[1], ""
	case "projects":
		if len(c.path) >= 3 {
			return c.path[1], c.path[2]
		}
		return c.path[1], ""
	}
	return "", ""
}

// where names what the token needs access to.
func (c *call) where() string {
	switch org, project := c.orgProject(); {
	case project != "":
		return fmt.Sprintf("project %s/%s", org, project)
	case org != "":
		return fmt.Sprintf("organization %s", org)
	}
	return "the organization and project"
}

// errorDetail extracts Sentry's message from an error body. Sentry answers
// {"detail": "..."}, {"detail": {"message": "..."}}, {"error": "..."}, a JSON string (429), or
// field errors {"field": ["message", ...]}; a proxy in front may answer HTML or text.
func errorDetail(body []byte) string {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return shorten(firstLine(string(body)))
	}
	return shorten(detailOf(v))
}

func detailOf(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			if s := detailOf(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		for _, k := range []string{"detail", "error", "message"} {
			if d, ok := v[k]; ok {
				if s := detailOf(d); s != "" {
					return s
				}
			}
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			if s := detailOf(v[k]); s != "" {
				parts = append(parts, k+": "+s)
			}
		}
		return strings.Join(parts, "; ")
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// shorten keeps error messages readable when a server answers with a page of text.
func shorten(s string) string {
	const max = 300
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
