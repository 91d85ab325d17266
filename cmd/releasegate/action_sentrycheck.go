package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/releasegate/releasegate/internal/sentrycheck"
)

// sentryCheck is the action's first phase: `releasegate sentry check` for the capabilities
// the inputs will use, so that a token lacking a scope, or an organization or project Sentry
// does not know, fails the step (exit 2) before anything is uploaded or created. It only reads.
// The report goes to the log; what is wrong becomes the phase's detail and the step's error.
func (r *actionRunner) sentryCheck(context.Context) (string, error) {
	caps := r.sentryCapabilities()
	args := []string{"sentry", "check", "--format", "json", "--for", strings.Join(caps, ",")}
	for _, p := range r.report.Projects {
		args = append(args, "-p", p)
	}
	out, err := r.sub(true, args...)
	var rep sentrycheck.Report
	if jerr := json.Unmarshal([]byte(out), &rep); jerr != nil {
		if err != nil {
			return "", err
		}
		return "", fmt.Errorf("reading the Sentry check's report: %w", jerr)
	}
	if rerr := renderSentryCheck(r.ios.Out, palette{}, &rep); rerr != nil {
		return "", rerr
	}
	var short, long []string
	for _, res := range rep.Results {
		if res.Status == sentrycheck.OK {
			continue
		}
		what := string(res.Status)
		if len(res.Missing) > 0 {
			what += " " + strings.Join(res.Missing, ", ")
		}
		short = append(short, fmt.Sprintf("%s: %s", res.Capability, what))
		long = append(long, fmt.Sprintf("%s: %s", res.Capability, res.Detail))
	}
	if err != nil {
		if ee, ok := errors.AsType[*exitError](err); ok && len(long) > 0 {
			ee.err = fmt.Errorf("the Sentry token or configuration cannot run this step (%s); nothing was sent to Sentry but these reads; %s", strings.Join(long, "; "), tokenDoc)
		}
		return strings.Join(short, "; "), err
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
