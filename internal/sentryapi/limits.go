package sentryapi

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Sentry's limits on the names a release's writes carry. A value past one of them is refused
// with a 400 — after whatever was sent before it — so callers check them before the first
// write. Each comes from Sentry's own code; docs/release.md cites file and commit.
const (
	// MaxReleaseLength: the version field of the release serializer (MAX_VERSION_LENGTH).
	MaxReleaseLength = 200
	// MaxDeployNameLength: the name field of the deploy serializer.
	MaxDeployNameLength = 64
	// MaxEnvironmentLength: ENVIRONMENT_NAME_MAX_LENGTH, the deploy serializer's environment.
	MaxEnvironmentLength = 64
	// MaxDistLength: the name column of a distribution and of an artifact bundle's dist.
	MaxDistLength = 64
)

// LimitError is a value Sentry would refuse: which field, the value, and why.
type LimitError struct {
	Field  string // "release", "deploy name", "environment", "dist"
	Value  string
	Reason string
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Field, e.Value, e.Reason)
}

// ErrLimit matches every [*LimitError] with [errors.Is].
var ErrLimit = errors.New("a value Sentry refuses")

// Is makes errors.Is(err, ErrLimit) true for a LimitError.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// Sentry counts characters as Python does (code points), not bytes.
func tooLong(s string, limit int) string {
	if n := utf8.RuneCountInString(s); n > limit {
		return fmt.Sprintf("Sentry allows at most %d characters, this has %d", limit, n)
	}
	return ""
}

// CheckRelease applies Sentry's rules for release names: not empty, "." or "..", not "latest"
// (any case), no '/', '\\', line breaks, tabs or form feeds, at most MaxReleaseLength
// characters. Leading or trailing spaces are refused too: Sentry keeps them, and an SDK
// configured with the trimmed name would never match.
func CheckRelease(name string) error {
	reason := ""
	switch {
	case name == "":
		reason = "the release name is empty"
	case name == "." || name == "..":
		reason = "Sentry does not allow . or .. as a release name"
	case strings.EqualFold(name, "latest"):
		reason = `Sentry reserves "latest"`
	case strings.TrimSpace(name) != name:
		reason = "it has leading or trailing spaces"
	case strings.ContainsAny(name, "/\\\r\n\t\f\v"):
		reason = "Sentry does not allow '/', '\\' or control characters in release names"
	default:
		reason = tooLong(name, MaxReleaseLength)
	}
	if reason == "" {
		return nil
	}
	return &LimitError{Field: "release", Value: name, Reason: reason}
}

// CheckEnvironment applies Sentry's rules for environment names: at most MaxEnvironmentLength
// characters, no '/', CR, LF or form feed (ENVIRONMENT_NAME_PATTERN). "none" is refused as well:
// Sentry reads it as "no environment" in a URL, so the gate could never ask about it.
func CheckEnvironment(env string) error {
	reason := ""
	switch {
	case env == "":
		reason = "the environment is empty"
	case env == "none":
		reason = `Sentry reserves "none" (it means no environment)`
	case strings.ContainsAny(env, "/\r\n\f"):
		reason = "Sentry does not allow '/' or line breaks in environment names"
	default:
		reason = tooLong(env, MaxEnvironmentLength)
	}
	if reason == "" {
		return nil
	}
	return &LimitError{Field: "environment", Value: env, Reason: reason}
}

// CheckDist applies Sentry's limit on a distribution's name ("" is no dist and fine).
func CheckDist(dist string) error {
	reason := ""
	switch {
	case strings.TrimSpace(dist) != dist:
		reason = "it has leading or trailing spaces"
	case strings.ContainsAny(dist, "\r\n\t\f\v"):
		reason = "it contains a control character"
	default:
		reason = tooLong(dist, MaxDistLength)
	}
	if reason == "" {
		return nil
	}
	return &LimitError{Field: "dist", Value: dist, Reason: reason}
}

// CheckDeployName applies Sentry's limit on a deploy's name ("" is no name and fine).
func CheckDeployName(name string) error {
	if reason := tooLong(name, MaxDeployNameLength); reason != "" {
		return &LimitError{Field: "deploy name", Value: name, Reason: reason}
	}
	return nil
}

// TruncateDeployName shortens a generated deploy name to MaxDeployNameLength characters,
// keeping its end (the run number, which tells deploys apart) and marking the cut with "…".
// It is for names a tool makes up; a name a person gave should be refused with CheckDeployName.
func TruncateDeployName(name, keepEnd string) string {
	full := name + keepEnd
	if utf8.RuneCountInString(full) <= MaxDeployNameLength {
		return full
	}
	end := []rune(keepEnd)
	if len(end) >= MaxDeployNameLength {
		return string(end[len(end)-MaxDeployNameLength:])
	}
	head := []rune(name)[:MaxDeployNameLength-len(end)-1]
	return strings.TrimRight(string(head), " ") + "…" + keepEnd
}
