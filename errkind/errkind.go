// Package errkind says what kind of failure an error is, so that code shared by the CLI and
// the GitHub App can return one error and each front door answer it in its own terms: the CLI
// with an exit code, the App with a review or a retry. It has no imports of this module, so
// the pure domain packages (gate, ownership, sourcemaps) can state the kinds of their errors.
//
// An error states its kind in one of two ways: it is an [*Error] (a cause wrapped with a kind
// and a hint), or its type has an ErrorKind method ([Kinder]), as the typed errors of the
// domain packages and adapters do, so they need no re-wrapping. [Of] and [HintOf] walk the
// chain, [errors.Join] included, and the outermost statement wins: whoever wraps an error has
// seen its cause and judged it (a release Sentry does not know is a configuration error, even
// though Sentry's answer alone would read as missing data).
package errkind

import (
	"errors"
	"fmt"
)

// Kind is what kind of failure an error is.
type Kind uint8

// The kinds. Unknown is an error that states none; the front door decides (the CLI treats it
// as a problem with the command line).
const (
	Unknown Kind = iota
	// Usage: the command line or the inputs given are wrong.
	Usage
	// Config: the configuration is wrong or refused: a file that does not parse, a token
	// Sentry rejects or that lacks a scope, an organization, project or release Sentry does
	// not know. Retrying cannot help, and it is never an outage.
	Config
	// Undecided: the answer could not be had: a service unreachable after retries, a
	// timeout, a cancelled run, a decision still pending.
	Undecided
	// Verdict: the work ran and its answer is no: the build's source maps are broken, the
	// gate failed.
	Verdict
)

func (k Kind) String() string {
	switch k {
	case Unknown:
		return "unknown"
	case Usage:
		return "usage"
	case Config:
		return "config"
	case Undecided:
		return "undecided"
	case Verdict:
		return "verdict"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Kinder is an error type that states its kind. ErrorKind may return Unknown, when the kind
// depends on a cause the error wraps: the walk then goes on to the cause.
type Kinder interface {
	error
	ErrorKind() Kind
}

// Hinter is an error type that says what to do about it. The hint is part of the error's
// message too, so a front door that prints only messages loses nothing; one that lays out a
// report (a check run, a review) can set it apart.
type Hinter interface {
	error
	ErrorHint() string
}

// Error is a cause with a kind and, optionally, a hint. Its message is the cause's, then the
// hint after a semicolon.
type Error struct {
	Kind Kind
	// Hint says what to do next; empty when the cause says it already.
	Hint string
	Err  error
}

func (e *Error) Error() string {
	msg := e.Kind.String()
	if e.Err != nil {
		msg = e.Err.Error()
	}
	if e.Hint != "" {
		msg += "; " + e.Hint
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorKind returns e.Kind.
func (e *Error) ErrorKind() Kind { return e.Kind }

// ErrorHint returns e.Hint.
func (e *Error) ErrorHint() string { return e.Hint }

// New is an error of kind k with the message msg, for sentinels (compare them with errors.Is).
func New(k Kind, msg string) error { return &Error{Kind: k, Err: errors.New(msg)} }

// Errorf is fmt.Errorf (with %w) of kind k.
func Errorf(k Kind, format string, args ...any) error {
	return &Error{Kind: k, Err: fmt.Errorf(format, args...)}
}

// Wrap gives err the kind k; nil stays nil.
func Wrap(k Kind, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: k, Err: err}
}

// WithHint gives err the kind k and the hint; nil stays nil.
func WithHint(k Kind, err error, hint string) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: k, Hint: hint, Err: err}
}

// Of is the kind err states: the first Kind other than Unknown found walking its chain from
// the outside in, the branches of a joined error in order (depth first, as errors.As walks).
// Unknown when no error in the chain states one, or err is nil.
func Of(err error) Kind {
	var k Kind
	walk(err, func(e error) bool {
		if ke, ok := e.(Kinder); ok { //nolint:errorlint // walk visits each error of the chain itself
			k = ke.ErrorKind()
		}
		return k != Unknown
	})
	return k
}

// HintOf is the first hint found walking err's chain as Of does; "" when none says one.
func HintOf(err error) string {
	var h string
	walk(err, func(e error) bool {
		if he, ok := e.(Hinter); ok { //nolint:errorlint // as in Of
			h = he.ErrorHint()
		}
		return h != ""
	})
	return h
}

// walk calls found for err and each error it wraps, depth first, until found returns true.
// It reports whether found did. (errors.As cannot do it: it stops at the first error that
// implements the interface, and a Kinder may defer to its cause.)
func walk(err error, found func(error) bool) bool {
	for err != nil {
		if found(err) {
			return true
		}
		switch u := err.(type) { //nolint:errorlint // this is the unwrapping
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if walk(e, found) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}
