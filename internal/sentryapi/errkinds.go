package sentryapi

import "github.com/releasegate/releasegate/errkind"

// The kinds of the client's errors (errkind). Only an answer that says the configuration is
// wrong is a configuration error; anything else from Sentry (5xx, 429 or a conflict after the
// retries, an answer of the wrong shape, a stall) means the question could not be answered.

// ScopesHint is what to do about an answer matching ErrMisconfigured beyond the call's own
// hint: where the scopes each command needs are listed, and how to test a token.
const ScopesHint = "docs/sentry-token.md lists the scopes each command needs; `releasegate sentry check` tests a token"

// ErrorKind is errkind.Config for an answer matching ErrMisconfigured (the token, its scopes,
// an organization, project, release or team Sentry does not know), else errkind.Undecided.
func (e *APIError) ErrorKind() errkind.Kind {
	if e.Is(ErrMisconfigured) {
		return errkind.Config
	}
	return errkind.Undecided
}

// ErrorHint is what to do, as the message says it too; "" when there is no advice.
func (e *APIError) ErrorHint() string { return e.Hint }

// ErrorKind is errkind.Undecided: an answer that is not what Sentry's API says leaves the question unanswered.
func (e *ProtocolError) ErrorKind() errkind.Kind { return errkind.Undecided }

// ErrorKind is errkind.Undecided: a server that stalls or drips leaves the question unanswered.
func (e *StallError) ErrorKind() errkind.Kind { return errkind.Undecided }

// ErrorKind is errkind.Usage: a value Sentry would refuse is the user's input to change.
func (e *LimitError) ErrorKind() errkind.Kind { return errkind.Usage }

// ErrorKind is errkind.Config: a plain-http Sentry URL on another machine is the configuration to fix.
func (e *InsecureURLError) ErrorKind() errkind.Kind { return errkind.Config }
