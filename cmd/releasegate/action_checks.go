package main

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/releasegate/releasegate/internal/sentryapi"
)

// What keeps the action from stopping half-way: Sentry's limits checked with the inputs, git
// able to read the checkout, and, when a phase fails after all, a message that says what Sentry
// already has.

// checkLimits refuses, before anything is sent, the inputs Sentry would refuse later with a
// 400: after the release was created and the files uploaded, leaving it half-made.
func (r *actionRunner) checkLimits() {
	in := r.in
	if env := in.text("environment"); env != "" {
		if err := sentryapi.CheckEnvironment(env); err != nil {
			in.problem("environment", "%v", err)
		}
	}
	if err := sentryapi.CheckDist(in.text("dist")); err != nil {
		in.problem("dist", "%v", err)
	}
}

// gitSafeDirectoryEnv is what marks dirs as safe.directory for git commands started with this
// environment, after any entries already there (GIT_CONFIG_COUNT counts as command-line
// configuration, where git honours safe.directory), as action-release's
// `git config --global --add safe.directory` does, without editing anyone's config.
func gitSafeDirectoryEnv(getenv func(string) string, dirs ...string) map[string]string {
	n, err := strconv.Atoi(getenv("GIT_CONFIG_COUNT"))
	if err != nil || n < 0 {
		n = 0
	}
	env := map[string]string{}
	var seen []string
	for _, d := range dirs {
		if d == "" || slices.Contains(seen, d) {
			continue
		}
		seen = append(seen, d)
		env[fmt.Sprintf("GIT_CONFIG_KEY_%d", n)] = "safe.directory"
		env[fmt.Sprintf("GIT_CONFIG_VALUE_%d", n)] = d
		n++
	}
	if len(env) > 0 {
		env["GIT_CONFIG_COUNT"] = strconv.Itoa(n)
	}
	return env
}

// sentryWrites are the phases that change Sentry, in the words a person reads after a failure.
var sentryWrites = map[string]string{
	"release": "created the release", "commits": "attached the commits", "upload": "uploaded the source maps",
	"ownership sync": "synced the ownership rules", "deploy": "recorded the deploy", "finalize": "finalized the release",
}

// stoppedAt is the run's error when phase name failed: the phase's own message, then what was
// already written to Sentry and what was not done, so that a release left half-made (created,
// uploaded, not deployed or finalized) is never a surprise.
func (r *actionRunner) stoppedAt(name string, err error, notRun []string) error {
	var done []string
	for _, p := range r.report.Phases {
		if what, ok := sentryWrites[p.Name]; ok && p.Status == "ok" {
			if p.Detail != "" {
				what += " (" + p.Detail + ")"
			}
			done = append(done, what)
		}
	}
	if len(done) == 0 {
		return err
	}
	inner := err
	if ee, ok := errors.AsType[*exitError](err); ok && ee.err != nil {
		inner = ee.err
	}
	rest := ""
	if len(notRun) > 0 {
		rest = "; not done: " + strings.Join(notRun, ", ")
	}
	return &exitError{code: exitCodeOf(err), err: fmt.Errorf("%s failed: %w; already done in Sentry: %s%s", name, inner, strings.Join(done, ", "), rest)}
}
