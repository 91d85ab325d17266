package main

import (
	"errors"
	"fmt"

	"github.com/releasegate/releasegate/internal/sentryapi"
)

// tokenDoc is where the scopes of each command are listed, for messages.
const tokenDoc = "docs/sentry-token.md lists the scopes each command needs; `releasegate sentry check` tests a token"

// sentryError maps a failed Sentry call to its exit code. An answer that says the
// configuration is wrong (sentryapi.ErrMisconfigured: a token Sentry rejects, a scope it lacks,
// an organization, project, release or team Sentry does not know) is a configuration error,
// exit 2: retrying cannot help and it is never an outage, so the gate's on_error does not apply
// either. Anything else (unreachable, 5xx or rate limited after the retries) is exit 3.
func sentryError(what string, err error) error {
	if misconfigured(err) {
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: %w; %s", what, err, tokenDoc)}
	}
	return &exitError{code: exitUndecided, err: fmt.Errorf("%s: %w", what, err)}
}

// misconfigured says whether err is Sentry refusing the configuration (see sentryError).
func misconfigured(err error) bool {
	return errors.Is(err, sentryapi.ErrMisconfigured)
}
