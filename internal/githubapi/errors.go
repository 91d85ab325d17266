package githubapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinels that the package's errors match with [errors.Is]. The two that decide what a
// caller does are ErrMisconfigured (someone must change the App, its installation or the
// configuration: retrying cannot help, and a gate must never read it as an outage) and
// ErrUnavailable (GitHub could not be asked now: the answer is "undecided", try later).
var (
	// ErrNotFound: 404. For a file or a pull request it is data; for a repository or an
	// installation it is also ErrMisconfigured.
	ErrNotFound = errors.New("not found on github")
	// ErrMisconfigured: a 401 (the App's key or ID, or a revoked installation), a 403 that is
	// not a rate limit (the installation lacks a permission, or the repository is not in it),
	// a 404 of the repository or installation a call names, and a redirect away from the
	// configured GitHub.
	ErrMisconfigured = errors.New("github refused the configuration")
	// ErrRateLimited: still rate limited after the retries, or asked to wait longer than
	// Options.MaxRetryWait. It is also ErrUnavailable.
	ErrRateLimited = errors.New("rate limited by github")
	// ErrUnavailable: GitHub could not give an answer now (5xx, rate limits, network errors,
	// timeouts, answers that are not what the API says). A decision that needs it is undecided.
	ErrUnavailable = errors.New("github is unavailable")
	// ErrInvalid: 422, GitHub rejected the request's content (a bad SHA, a body too long).
	ErrInvalid = errors.New("github rejected the request")
	// ErrNoAppKey: an App or installation client was asked of a Factory built without the
	// App's ID and private key.
	ErrNoAppKey = errors.New("githubapi: no GitHub App ID and private key configured; set them (the App's settings page, or `releasegate app manifest`) before calling GitHub as the App")
)

// APIError is a call that GitHub answered with a status other than the one expected.
type APIError struct {
	// Op names the call, e.g. "review deployment protection rule".
	Op string
	// Method and Path are the request's; Path is the escaped URL path, without the query.
	Method, Path string
	// Status is the HTTP status code.
	Status int
	// Message is GitHub's message ({"message": …}), with field errors appended.
	Message string
	// RetryAfter is how long GitHub asked the client to wait, for rate limits.
	RetryAfter time.Duration
	// RateLimited says the answer was a primary or secondary rate limit (a 403 or a 429).
	RateLimited bool
	// Attempts is how many times the request was sent.
	Attempts int
	// Hint says what to do about it.
	Hint string
	// absentIsData: a 404 of this call is about data (a file, a pull request).
	absentIsData bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "githubapi: %s: %s %s: %d %s", e.Op, e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		fmt.Fprintf(&b, ": %q", e.Message)
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

// Is matches the package's sentinels by status.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrMisconfigured:
		return e.Status == http.StatusUnauthorized ||
			e.Status == http.StatusForbidden && !e.RateLimited ||
			e.Status == http.StatusNotFound && !e.absentIsData ||
			e.Status >= 300 && e.Status < 400
	case ErrRateLimited:
		return e.RateLimited
	case ErrUnavailable:
		return e.RateLimited || e.Status >= 500
	case ErrInvalid:
		return e.Status == http.StatusUnprocessableEntity
	}
	return false
}

// hint says what to do about e.
func (e *APIError) hint(base string) string {
	switch {
	case e.RateLimited && e.RetryAfter > 0:
		return fmt.Sprintf("GitHub asks to wait %s before calling again", e.RetryAfter.Round(time.Second))
	case e.RateLimited:
		return "GitHub rate-limited the App; try again later"
	case e.Status == http.StatusUnauthorized:
		return "check the App ID and private key, and that the installation still exists (a token expired or revoked answers 401 too)"
	case e.Status == http.StatusForbidden:
		return "the App's installation lacks a permission this call needs, or the repository is not in the installation: check the App's permissions (docs/app.md) and accept any new ones on the installation"
	case e.Status == http.StatusNotFound && e.absentIsData:
		return ""
	case e.Status == http.StatusNotFound:
		return "check the owner and repository names, and that the App is installed on the repository (GitHub answers 404 for repositories the installation cannot see)"
	case e.Status == http.StatusUnprocessableEntity:
		return "GitHub rejected the request's content"
	case e.Status >= 500:
		return "GitHub had a server error; try again later"
	case e.Status >= 300 && e.Status < 400:
		return fmt.Sprintf("GitHub redirected the request away from %s; releasegate follows no redirect off the configured API URL: check it (GitHub Enterprise Server: https://HOST/api/v3/)", base)
	}
	return ""
}

// messageOf reads GitHub's error body: {"message": …, "errors": [{"message"|"code", "field"}]}.
func messageOf(body []byte) string {
	var v struct {
		Message string `json:"message"`
		Errors  []struct {
			Message, Code, Field, Resource string
		} `json:"errors"`
	}
	if json.Unmarshal(body, &v) != nil {
		return shorten(firstLine(string(body)))
	}
	parts := []string{v.Message}
	for _, fe := range v.Errors {
		switch {
		case fe.Message != "":
			parts = append(parts, fe.Message)
		case fe.Field != "":
			parts = append(parts, fe.Resource+"."+fe.Field+": "+fe.Code)
		}
	}
	return shorten(strings.Join(nonEmpty(parts), "; "))
}

func nonEmpty(list []string) []string {
	out := list[:0]
	for _, s := range list {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	return s
}

// shorten keeps messages readable when a proxy answers with a page of HTML.
func shorten(s string) string {
	const limit = 300
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// NetworkError is a call that got no answer: the connection failed, an attempt timed out, or
// the retry budget ran out. It is ErrUnavailable.
type NetworkError struct {
	Op, Method, Path string
	Attempts         int
	Err              error
}

func (e *NetworkError) Error() string {
	msg := fmt.Sprintf("githubapi: %s: %s %s: %v", e.Op, e.Method, e.Path, e.Err)
	if e.Attempts > 1 {
		msg += fmt.Sprintf(" (gave up after %d attempts)", e.Attempts)
	}
	return msg + " (check that the GitHub API URL is reachable)"
}

func (e *NetworkError) Unwrap() error { return e.Err }

// Is makes a NetworkError ErrUnavailable.
func (e *NetworkError) Is(target error) bool { return target == ErrUnavailable }

// ProtocolError is a 2xx answer that does not say what GitHub's API says it does: empty, null,
// not JSON, or without the fields the call needs. It is never read as an empty result, and is
// ErrUnavailable ("could not decide"), as an outage is.
type ProtocolError struct {
	Op, Method, Path string
	Err              error
}

func (e *ProtocolError) Error() string {
	return fmt.Sprintf("githubapi: %s: %s %s: unexpected answer: %v (is the API URL GitHub's, and is nothing between rewriting its answers?)", e.Op, e.Method, e.Path, e.Err)
}

func (e *ProtocolError) Unwrap() error { return e.Err }

// Is makes a ProtocolError ErrUnavailable.
func (e *ProtocolError) Is(target error) bool { return target == ErrUnavailable }

// InsecureURLError is a plain http:// URL on another machine: the App's tokens would cross
// the network unencrypted. It is ErrMisconfigured.
type InsecureURLError struct{ URL string }

func (e *InsecureURLError) Error() string {
	return fmt.Sprintf("githubapi: %s uses plain http, so the App's tokens would cross the network unencrypted; use https:// (or allow it explicitly for a GitHub on a network you trust)", e.URL)
}

// Is makes an InsecureURLError ErrMisconfigured.
func (e *InsecureURLError) Is(target error) bool { return target == ErrMisconfigured }

// ForeignURLError is a URL, named by a webhook payload, that is not on the configured GitHub
// API: an installation token is never sent there.
type ForeignURLError struct{ URL, Base string }

func (e *ForeignURLError) Error() string {
	return fmt.Sprintf("githubapi: %s is not on the configured GitHub API %s; refusing to send the installation token there (is the payload from another GitHub, or is the API URL wrong?)", e.URL, e.Base)
}

// Is makes a ForeignURLError ErrMisconfigured.
func (e *ForeignURLError) Is(target error) bool { return target == ErrMisconfigured }
