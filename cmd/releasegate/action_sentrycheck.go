package main

import (
	"context"
	"strings"

	"github.com/releasegate/releasegate/internal/sentrycheck"
)

// sentryCheck is the action's first phase: `releasegate sentry check` for the capabilities
// the inputs will use, so that a token lacking a scope, or an organization or project Sentry
// does not know, fails the step (exit 2) before anything is uploaded or created. It only reads.
func (r *actionRunner) sentryCheck(context.Context) (string, error) {
	caps := r.sentryCapabilities()
	args := []string{"sentry", "check", "--for", strings.Join(caps, ",")}
	for _, p := range r.report.Projects {
		args = append(args, "-p", p)
	}
	if _, err := r.sub(false, args...); err != nil {
		return "", err // the summary then shows why it stopped
	}
	return strings.Join(caps, ", ") + ": ok", nil
}

// sentryCapabilities are the capabilities the run's phases use, in sentrycheck's order: the
// release always; the upload when there are source maps; ownership when its check or sync runs
// (owners are checked against Sentry); the gate when it is on.
func (r *actionRunner) sentryCapabilities() []string {
	use := map[sentrycheck.Capability]bool{
		sentrycheck.Upload:    len(r.groups) > 0,
		sentrycheck.Release:   true,
		sentrycheck.Ownership: r.in.text("ownership") != "off" && r.properties > 0,
		sentrycheck.Gate:      r.in.bool("gate"),
	}
	var out []string
	for _, c := range sentrycheck.All {
		if use[c] {
			out = append(out, string(c))
		}
	}
	return out
}
