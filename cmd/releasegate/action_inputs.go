package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/releasegate/releasegate/sourcemaps"
)

// actionInput is one input of action.yml. The table below is the one source of truth: the
// inputs block of action.yml and the tables of docs/action.md are generated from it
// (`go test ./cmd/releasegate -run TestActionFilesAreGenerated -update`), and a test fails when
// they drift.
type actionInput struct {
	Name    string
	Default string
	// Kind is how the value is read: text, bool, paths (space- or newline-separated), duration,
	// or one of several words (Choices).
	Kind    string
	Choices []string
	// ActionRelease says the input has the name and meaning it has in getsentry/action-release.
	ActionRelease bool
	Deprecated    string // the deprecation message, for aliases
	Description   string
}

var actionInputs = []actionInput{
	{Name: "environment", Kind: "text", ActionRelease: true, Description: "Record a deploy of the release to this environment (e.g. `production`). Also the environment the gate judges, unless `gate_environment` is set."},
	{Name: "sourcemaps", Kind: "paths", ActionRelease: true, Description: "Build output folders or files to validate, inject and upload, separated by spaces or new lines. Empty: no source maps are handled."},
	{Name: "inject", Default: "true", Kind: "bool", ActionRelease: true, Description: "Inject Sentry debug IDs into the generated files and their maps before the upload (files are rewritten in place, atomically, only if every map is valid)."},
	{Name: "dist", Kind: "text", ActionRelease: true, Description: "The distribution of the release the files belong to."},
	{Name: "finalize", Default: "true", Kind: "bool", ActionRelease: true, Description: "Finalize the release (mark it released) once everything else succeeded."},
	{Name: "ignore_missing", Default: "false", Kind: "bool", ActionRelease: true, Description: "With `set_commits: auto`, go on when the previous release's commit is not in the history (attach the recent commits instead of failing)."},
	{Name: "ignore_empty", Default: "false", Kind: "bool", ActionRelease: true, Description: "Accepted for action-release compatibility, with no effect: finding no new commits is never an error (sentry-cli, which action-release runs, has ignored `--ignore-empty` since 1.77)."},
	{Name: "started_at", Kind: "time", ActionRelease: true, Description: "When the deploy started: Unix seconds or RFC 3339. Default: now."},
	{Name: "release", Kind: "text", ActionRelease: true, Description: "The release name. A leading `refs/tags/` is removed. Default: the policy's `release.name` when the gate is on, else the commit SHA (as `sentry-cli releases propose-version`)."},
	{Name: "version", Kind: "text", ActionRelease: true, Deprecated: "use release", Description: "Deprecated alias of `release`."},
	{Name: "version_prefix", Kind: "text", ActionRelease: true, Deprecated: "use release_prefix", Description: "Deprecated alias of `release_prefix`, as in action-release: prepended to the release name (given or generated) when `release_prefix` is not set. Setting both to different values is an error."},
	{Name: "release_prefix", Kind: "text", ActionRelease: true, Description: "Prepended to the release name, given or generated (e.g. `web@`), so that it is the name the SDK reports."},
	{Name: "set_commits", Default: "auto", Kind: "choice", Choices: []string{"auto", "manual", "skip"}, ActionRelease: true, Description: "Attach commits to the release: `auto` from the local git history since the previous release, `manual` from `repo`, `commit` and `previous_commit`, or `skip`."},
	{Name: "repo", Kind: "text", ActionRelease: true, Description: "With `set_commits: manual`: the repository as Sentry names it (`owner/name`)."},
	{Name: "commit", Kind: "text", ActionRelease: true, Description: "With `set_commits: manual`: the release's commit SHA."},
	{Name: "previous_commit", Kind: "text", ActionRelease: true, Description: "With `set_commits: manual`: the previous release's commit SHA."},
	{Name: "projects", Kind: "words", ActionRelease: true, Description: "Sentry project slugs, separated by spaces. Default: `SENTRY_PROJECT`, else the `sentry.properties` nearest each source map path (one run handles every project of a monorepo)."},
	{Name: "url_prefix", Kind: "text", ActionRelease: true, Description: "URL prefix of the uploaded files, e.g. `~/static/js`. Default: `~`."},
	{Name: "strip_common_prefix", Default: "false", Kind: "bool", ActionRelease: true, Description: "Remove the prefix common to the maps' source paths in what is uploaded."},
	{Name: "working_directory", Kind: "text", ActionRelease: true, Description: "Run from this directory, relative to the workspace."},
	{Name: "disable_telemetry", Default: "false", Kind: "bool", ActionRelease: true, Description: "Accepted for action-release compatibility, with no effect: releasegate sends no telemetry or crash reports anywhere."},
	{Name: "disable_safe_directory", Default: "false", Kind: "bool", ActionRelease: true, Description: "Do not mark the workspace (and `working_directory`) as a git `safe.directory` for releasegate's own git commands. releasegate never edits your git config: the setting is passed to its git commands only (`GIT_CONFIG_COUNT`), so a checkout owned by another user (a container job) still reads its history."},
	{Name: "validate", Default: "true", Kind: "bool", Description: "Validate the source maps before anything is sent; errors fail the step with annotations on the exact files and lines, and nothing is uploaded."},
	{Name: "validate_strict", Default: "false", Kind: "bool", Description: "Fail on validation warnings too."},
	{Name: "ownership", Default: "check", Kind: "choice", Choices: []string{"check", "sync", "off"}, Description: "Ownership rules in `sentry.properties`: `check` them (annotations on bad rules), `sync` them to Sentry after a check, or `off`."},
	{Name: "gate", Default: "false", Kind: "bool", Description: "Run the release gate after the deploy and fail the step unless it passes."},
	{Name: "gate_environment", Kind: "text", Description: "The environment the gate judges a promotion to (a key of the policy). Default: `environment`."},
	{Name: "gate_wait", Default: "0s", Kind: "duration", Description: "Keep checking while the gate is pending, for at most this long (e.g. `30m`), every minute."},
	{Name: "policy", Default: ".github/releasegate.yml", Kind: "text", Description: "The gate policy file, relative to the working directory."},
	{Name: "on_error", Kind: "choice", Choices: []string{"pass", "fail"}, Description: "When Sentry cannot be reached or answers strangely (after retries) for the gate's evidence: `pass` or `fail`. Default: the policy's `on_error`. A token Sentry refuses, or an unknown organization, project or release, fails the step (exit 2) whatever this says."},
}

// actionOutput is one output of action.yml, generated like the inputs.
type actionOutput struct {
	Name        string
	Description string
}

var actionOutputs = []actionOutput{
	{"release", "The Sentry release name used."},
	{"version", "Deprecated alias of `release`, set as action-release sets it."},
	{"gate", "The gate's verdict: `pass`, `fail`, `pending`, or `skipped` when the gate is off."},
	{"report", "The path of the JSON report of the run (validation, upload, ownership, gate)."},
	{"uploaded", "How many files were uploaded."},
	{"debug-ids", "How many debug IDs the uploaded bundles carry."},
	{"summary-url", "The URL of the workflow run, whose summary holds the report."},
}

// actionInputValues reads and checks every input. Problems are collected, not stopped at,
// so a workflow with three mistakes learns about all three at once.
type actionInputValues struct {
	values   map[string]string
	problems []string
}

func readActionInputs(getInput func(string) string) *actionInputValues {
	v := &actionInputValues{values: map[string]string{}}
	for _, in := range actionInputs {
		val := getInput(in.Name)
		if val == "" {
			val = in.Default
		}
		v.values[in.Name] = val
		if val == "" {
			continue
		}
		switch in.Kind {
		case "bool":
			if _, ok := parseActionBool(val); !ok {
				v.problem(in.Name, "%q is not a boolean: use true or false", val)
			}
		case "choice":
			if !slices.Contains(in.Choices, val) {
				v.problem(in.Name, "%q is not one of %s", val, strings.Join(in.Choices, ", "))
			}
		case "duration":
			if d, err := time.ParseDuration(val); err != nil || d < 0 {
				v.problem(in.Name, "%q is not a duration: write e.g. 30m or 1h", val)
			}
		case "time":
			if _, err := parseTimeArg(val); err != nil {
				v.problem(in.Name, "%q is not a time: use Unix seconds or RFC 3339 (2026-11-24T10:00:00Z)", val)
			}
		}
	}
	return v
}

func (v *actionInputValues) problem(input, format string, args ...any) {
	v.problems = append(v.problems, fmt.Sprintf("input %s: %s", input, fmt.Sprintf(format, args...)))
}

func (v *actionInputValues) text(name string) string { return v.values[name] }

func (v *actionInputValues) bool(name string) bool {
	b, _ := parseActionBool(v.values[name])
	return b
}

func (v *actionInputValues) duration(name string) time.Duration {
	d, _ := time.ParseDuration(v.values[name])
	return d
}

// list splits a paths or words input on spaces and new lines, as action-release does.
func (v *actionInputValues) list(name string) []string { return strings.Fields(v.values[name]) }

// parseActionBool accepts what action-release accepts: true/false/1/0, any case.
func parseActionBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// sourcemapArgs are the sourcemaps input's paths as the sourcemaps code takes them: that code
// reads a relative path against the process's folder, which the action leaves alone, so each
// is resolved against the working directory.
func (r *actionRunner) sourcemapArgs(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = resolveIn(r.dir, p)
	}
	return out
}

// namePathsAsGiven names the files of a validation's findings as the sourcemaps input gave
// them (relative to the working directory, the longest path first), not as sourcemapArgs
// resolved them, so the annotations and the summary point at the files as they always did.
func namePathsAsGiven(rep *sourcemaps.Report, dir string, given []string) {
	type root struct {
		abs, given string
		// inText finds abs in a message: not followed by more of a file name.
		inText *regexp.Regexp
	}
	var roots []root
	for _, p := range given {
		if !filepath.IsAbs(p) {
			abs := resolveIn(dir, p)
			roots = append(roots, root{abs, p, regexp.MustCompile(regexp.QuoteMeta(abs) + `([^\w.-]|$)`)})
		}
	}
	slices.SortFunc(roots, func(a, b root) int { return len(b.abs) - len(a.abs) })
	rename := func(path string) string {
		for _, r := range roots {
			if path == r.abs {
				return r.given
			}
			if rest, ok := strings.CutPrefix(path, r.abs+string(filepath.Separator)); ok {
				return filepath.Join(r.given, rest)
			}
		}
		return path
	}
	for i := range rep.Findings {
		f := &rep.Findings[i]
		f.Path, f.Map = rename(f.Path), rename(f.Map)
		for _, r := range roots {
			f.Message = r.inText.ReplaceAllStringFunc(f.Message, func(m string) string { return r.given + m[len(r.abs):] })
		}
	}
	for i := range rep.Files {
		rep.Files[i].Path, rep.Files[i].Map = rename(rep.Files[i].Path), rename(rep.Files[i].Map)
	}
}

// resolveIn joins a relative path onto dir.
func resolveIn(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}
