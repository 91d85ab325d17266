package main

import (
	"fmt"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/sentryapi"
)

// tokenDoc is where the scopes of each command are listed, for messages.
const tokenDoc = sentryapi.ScopesHint

// sentryError is a failed Sentry call, said with what was being done. Its kind is the
// error's: an answer that says the configuration is wrong (a token Sentry rejects, a scope it
// lacks, an organization, project, release or team Sentry does not know) is errkind.Config,
// exit 2, with where the scopes are listed: retrying cannot help and it is never an outage, so
// the gate's on_error does not apply either. Anything else (unreachable, 5xx or rate limited
// after the retries, a stall, a timeout) could not be decided, exit 3.
func sentryError(what string, err error) error {
	err = fmt.Errorf("%s: %w", what, err)
	if errkind.Of(err) == errkind.Config {
		return errkind.WithHint(errkind.Config, err, tokenDoc)
	}
	return errkind.Wrap(errkind.Undecided, err)
}
