package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"
	"github.com/spf13/cobra"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/repofiles"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryconf"
	"github.com/releasegate/releasegate/sourcemaps"
)

// ActionOptions are the inputs of `releasegate action`.
type ActionOptions struct {
	// Factory is the step's surroundings: its streams, the Actions environment (INPUT_*,
	// GITHUB_*, RUNNER_*, SENTRY_*) through Getenv, and its folders. The action changes none
	// of the process's: its phases run in a copy of it (actionRunner.env).
	Factory *Factory
	Now     func() time.Time
}

func newActionCmd(factory *Factory) *cobra.Command {
	opts := &ActionOptions{Factory: factory, Now: time.Now}
	return &cobra.Command{
		Use:   "action",
		Short: "Run as the GitHub Action step (action.yml calls this)",
		Long: `Run everything the releasegate GitHub Action does, reading its inputs from the
INPUT_* environment variables that action.yml sets, and the Sentry connection from
SENTRY_AUTH_TOKEN, SENTRY_ORG, SENTRY_PROJECT and SENTRY_URL, as sentry-cli does:

  check the inputs → check the token (releasegate sentry check) → validate the source
  maps → check the ownership rules → create the release → attach commits → inject and
  upload the source maps (per project) → sync ownership → record the deploy → gate →
  finalize.

Nothing is written to Sentry until the inputs (against Sentry's limits on names), the token's
scopes, the source maps and the ownership rules are known to be good. With the gate on, the
release is finalized (marked released) only once the gate passed. Each phase is a log group;
findings become annotations on the exact files and lines; the job summary holds the report,
and the step's outputs are set (docs/action.md lists every input and output). A phase that
fails says why in its command's own words and, once Sentry was changed, what was already done.

Exit status: 0 ok · 1 validation, the ownership check or the gate said no · 2 a bad input
or configuration, including a token lacking a scope and an organization or project Sentry
does not know · 3 Sentry could not be reached.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			ctx, cancel := commandContext(c)
			defer cancel()
			return actionRun(ctx, opts)
		},
	}
}

// actionReport is the JSON report of a run, written to the path the `report` output names.
type actionReport struct {
	Release   string                `json:"release"`
	Projects  []string              `json:"projects"`
	Phases    []actionPhase         `json:"phases"`
	Validate  *actionValidation     `json:"validate,omitempty"`
	Uploads   []uploadReport        `json:"uploads"`
	Ownership *ownershipCheckReport `json:"ownership,omitempty"`
	// OwnershipSync is what ownership: sync did, per project.
	OwnershipSync []*syncResult  `json:"ownershipSync,omitempty"`
	Gate          *gate.Decision `json:"gate,omitempty"`
	// Error is why the run stopped, when it did.
	Error string `json:"error,omitempty"`
}

// actionPhase is one phase of the run, as the summary's table shows it.
type actionPhase struct {
	Name     string `json:"name"`
	Status   string `json:"status"` // ok, failed, skipped, not run (after a failure)
	Millis   int64  `json:"millis"`
	Detail   string `json:"detail"`
	ExitCode int    `json:"exitCode"`
}

type actionValidation struct {
	Files    int                  `json:"files"`
	Errors   int                  `json:"errors"`
	Warnings int                  `json:"warnings"`
	Findings []sourcemaps.Finding `json:"findings"`
}

// actionRunner holds one run's state.
type actionRunner struct {
	opts *ActionOptions
	// ios and getenv are the step's streams and environment (opts.Factory's).
	ios    *IOStreams
	getenv func(string) string
	gha    *githubactions.Action
	in     *actionInputValues
	report actionReport
	dir    string // the working directory
	// env is what the phases run in: the step's surroundings with the working directory as
	// their working folder, and git told that the workspace is safe (see prepare).
	env *Factory
	// groups maps each project to the source map paths it uploads.
	groups []projectPaths
	// properties counts the sentry.properties files under the working directory.
	properties int
}

type projectPaths struct {
	Project string
	Paths   []string
}

func actionRun(ctx context.Context, opts *ActionOptions) error {
	r := newActionRunner(opts)
	err := r.run(ctx)
	r.finish(err)
	return err
}

func newActionRunner(opts *ActionOptions) *actionRunner {
	f := opts.Factory
	gha := githubactions.New(githubactions.WithWriter(f.IO.Out), githubactions.WithGetenv(f.Getenv))
	return &actionRunner{opts: opts, ios: f.IO, getenv: f.Getenv, gha: gha}
}

// run does the phases in order and stops at the first that fails.
func (r *actionRunner) run(ctx context.Context) error {
	if err := r.prepare(ctx); err != nil {
		return err
	}
	steps := []struct {
		name string
		skip string // why the phase does not run; "" runs it
		fn   func(context.Context) (string, error)
	}{
		{"sentry check", "", r.sentryCheck},
		{"validate", cmp.Or(r.skipUnless(len(r.groups) > 0, "no sourcemaps"), r.skipUnless(r.in.bool("validate"), "validate is false")), r.validate},
		{"ownership check", r.skipUnless(r.in.text("ownership") != "off" && r.properties > 0, cmp.Or(r.skipUnless(r.in.text("ownership") != "off", "ownership is off"), "no sentry.properties")), r.ownershipCheck},
		{"release", "", r.createRelease},
		{"commits", r.skipUnless(r.in.text("set_commits") != "skip", "set_commits is skip"), r.setCommits},
		{"upload", r.skipUnless(len(r.groups) > 0, "no sourcemaps"), r.upload},
		{"ownership sync", r.skipUnless(r.in.text("ownership") == "sync", "ownership is not sync"), r.ownershipSync},
		{"deploy", r.skipUnless(r.in.text("environment") != "", "no environment"), r.deploy},
		// The gate comes before finalize: a release the gate fails (or leaves pending) must
		// not be marked released.
		{"gate", r.skipUnless(r.in.bool("gate"), "gate is false"), r.gate},
		{"finalize", r.skipUnless(r.in.bool("finalize"), "finalize is false"), r.finalize},
	}
	for i, s := range steps {
		if s.skip != "" {
			r.report.Phases = append(r.report.Phases, actionPhase{Name: s.name, Status: "skipped", Detail: s.skip})
			continue
		}
		r.gha.Group("releasegate: " + s.name)
		start := r.opts.Now()
		detail, err := s.fn(ctx)
		r.gha.EndGroup()
		ph := actionPhase{Name: s.name, Status: "ok", Millis: r.opts.Now().Sub(start).Milliseconds(), Detail: detail}
		if err != nil {
			// The phase's row says why in the failing command's own words.
			ph.Status, ph.ExitCode = "failed", exitCodeOf(err)
			if msg := errorText(err); msg != "failed" || ph.Detail == "" {
				ph.Detail = msg
			}
		}
		r.report.Phases = append(r.report.Phases, ph)
		if err != nil {
			var notRun []string
			for _, rest := range steps[i+1:] {
				r.report.Phases = append(r.report.Phases, actionPhase{Name: rest.name, Status: "not run"})
				if rest.skip == "" {
					notRun = append(notRun, rest.name)
				}
			}
			return r.stoppedAt(s.name, err, notRun)
		}
	}
	return nil
}

func (r *actionRunner) skipUnless(run bool, why string) string {
	if run {
		return ""
	}
	return why
}

func errorText(err error) string {
	var ee *exitError
	if errors.As(err, &ee) && ee.err == nil {
		return "failed"
	}
	return err.Error()
}

// prepare reads and checks every input and the Sentry connection before anything runs, so a
// misconfigured step fails at once and names each input to fix.
func (r *actionRunner) prepare(ctx context.Context) error {
	getenv := r.getenv
	r.in = readActionInputs(r.gha.GetInput)
	in := r.in
	if tok := getenv("SENTRY_AUTH_TOKEN"); tok != "" {
		r.gha.AddMask(tok)
	}
	if in.text("version") != "" {
		r.gha.Warningf("input version is deprecated: use release")
		if in.text("release") != "" && in.text("release") != in.text("version") {
			in.problem("version", "release and version disagree (%q, %q): set only release", in.text("release"), in.text("version"))
		}
	}
	if in.text("version_prefix") != "" {
		r.gha.Warningf("input version_prefix is deprecated: use release_prefix")
		if in.text("release_prefix") != "" && in.text("release_prefix") != in.text("version_prefix") {
			in.problem("version_prefix", "release_prefix and version_prefix disagree (%q, %q): set only release_prefix", in.text("release_prefix"), in.text("version_prefix"))
		}
	}

	// The working directory, then everything relative to it.
	base := r.opts.Factory
	r.dir = getenv("GITHUB_WORKSPACE")
	if r.dir == "" {
		r.dir = base.workDir()
	}
	if wd := in.text("working_directory"); wd != "" {
		r.dir = resolveIn(r.dir, wd)
	}
	r.dir = base.Abs(r.dir)
	if st, err := os.Stat(r.dir); err != nil || !st.IsDir() {
		in.problem("working_directory", "%s is not a directory", r.dir)
		return r.inputError()
	}
	r.env = r.phaseFactory(base)
	r.checkLimits()

	if getenv("SENTRY_AUTH_TOKEN") == "" {
		in.problems = append(in.problems, "SENTRY_AUTH_TOKEN is not set: add `env: SENTRY_AUTH_TOKEN: ${{ secrets.SENTRY_AUTH_TOKEN }}` to the step (docs/sentry-token.md lists the scopes each input needs)")
	}
	conn, err := r.env.SentryConnection(sentryFlags{}, sentryconf.Connection{})
	if err != nil {
		in.problems = append(in.problems, err.Error())
	} else if conn.Org == "" {
		in.problems = append(in.problems, "SENTRY_ORG is not set: add `env: SENTRY_ORG: your-org-slug` to the step (or defaults.org to sentry.properties)")
	}
	if in.text("set_commits") == "manual" && (in.text("repo") == "" || in.text("commit") == "") {
		in.problem("set_commits", "manual needs the inputs repo and commit")
	}
	if in.bool("gate") {
		// The policy is read now, so a broken one stops the step before anything is uploaded.
		env := cmp.Or(in.text("gate_environment"), in.text("environment"))
		p, err := loadGatePolicy(ctx, r.env, in.text("policy"))
		switch {
		case env == "":
			in.problem("gate", "the gate needs environment (or gate_environment): the environment it judges")
		case err != nil:
			in.problem("policy", "%v", errorText(err))
		default:
			if _, err := p.Environment(env); err != nil {
				input := "environment"
				if in.text("gate_environment") != "" {
					input = "gate_environment"
				}
				in.problem(input, "%v", err)
			}
		}
	}
	if tree, err := repofiles.Load(ctx, r.dir, r.env.environ()); err == nil {
		sub, _ := tree.Rel(r.dir)
		r.properties = len(tree.Find(sub, "sentry.properties"))
	}
	if in.text("ownership") == "sync" && r.properties == 0 {
		in.problem("ownership", "sync needs a sentry.properties with ownership rules under %s (docs/ownership.md)", r.dir)
	}
	r.resolveRelease(ctx, conn)
	r.resolveProjects(conn)
	if len(in.problems) > 0 {
		return r.inputError()
	}
	return nil
}

// phaseFactory is what the phases run in, built from the step's surroundings rather than by
// changing the process's: the working directory is their working folder (relative paths,
// sentry.properties, the policy, git), and, unless disable_safe_directory is set, their git
// commands are given the workspace and the working directory as safe.directory.
func (r *actionRunner) phaseFactory(base *Factory) *Factory {
	var gitEnv map[string]string
	if !r.in.bool("disable_safe_directory") {
		gitEnv = gitSafeDirectoryEnv(r.getenv, r.getenv("GITHUB_WORKSPACE"), r.dir)
	}
	f := base.withEnv(gitEnv)
	dir := r.dir
	f.WorkDir = func() (string, error) { return dir, nil }
	return f
}

// inputError reports every input problem as an error annotation and fails with exit 2.
func (r *actionRunner) inputError() error {
	for _, p := range r.in.problems {
		r.gha.WithFieldsMap(map[string]string{"title": "releasegate: bad input"}).Errorf("%s", p)
	}
	return &exitError{code: exitUsage, err: fmt.Errorf("%s; nothing was sent to Sentry", strings.Join(r.in.problems, "; "))}
}

// resolveRelease names the release as action-release does: release (or version), without a
// leading refs/tags/, with release_prefix; else the policy's template when the gate is on, else
// the commit.
func (r *actionRunner) resolveRelease(ctx context.Context, conn sentryconf.Connection) {
	in, getenv := r.in, r.getenv
	name := strings.TrimPrefix(cmp.Or(in.text("release"), in.text("version")), "refs/tags/")
	if name == "" && in.bool("gate") {
		if p, err := loadGatePolicy(ctx, r.env, in.text("policy")); err == nil {
			project := ""
			if len(conn.Projects) > 0 {
				project = conn.Projects[0]
			}
			if n, err := p.ReleaseName(r.commitSHA(ctx), getenv("GITHUB_REF_NAME"), project); err == nil {
				name = n
			}
		}
	}
	if name == "" {
		name = r.commitSHA(ctx)
	}
	if name == "" {
		in.problem("release", "no release name: set release, or run in a git checkout (GITHUB_SHA)")
		return
	}
	// action-release: release_prefix, else the deprecated version_prefix, goes before the name.
	name = cmp.Or(in.text("release_prefix"), in.text("version_prefix")) + name
	if err := sentryconf.CheckRelease(name); err != nil {
		in.problem("release", "%q is not a valid Sentry release name: %v", name, err)
		return
	}
	r.report.Release = name
}

// commitSHA is the commit the step runs for: GITHUB_SHA, else the working directory's HEAD.
func (r *actionRunner) commitSHA(ctx context.Context) string {
	if sha := r.getenv("GITHUB_SHA"); sha != "" {
		return sha
	}
	return headCommit(ctx, r.env)
}

// resolveProjects pairs each source map path with its Sentry project: the projects input or
// SENTRY_PROJECT for every path, else the sentry.properties nearest each path (a monorepo's
// services each upload to their own project).
func (r *actionRunner) resolveProjects(conn sentryconf.Connection) {
	in := r.in
	paths := in.list("sourcemaps")
	for _, p := range paths {
		abs := resolveIn(r.dir, p)
		if _, err := os.Stat(abs); err != nil {
			in.problem("sourcemaps", "%s does not exist (relative to %s)", p, r.dir)
			continue
		}
		if !hasJavaScript(abs) {
			in.problem("sourcemaps", "%s holds no JavaScript files or source maps: point it at the build output (dist/, build/static/js)", p)
		}
	}
	if len(in.problems) > 0 {
		return
	}
	if given := in.list("projects"); len(given) > 0 || len(conn.Projects) > 0 && r.getenv("SENTRY_PROJECT") != "" {
		if len(given) == 0 {
			given = conn.Projects
		}
		r.report.Projects = given
		for _, proj := range given {
			if len(paths) > 0 {
				r.groups = append(r.groups, projectPaths{Project: proj, Paths: paths})
			}
		}
		return
	}
	for _, p := range paths {
		proj, err := nearestProject(r.env, resolveIn(r.dir, p), r.dir)
		if err != nil {
			in.problem("sourcemaps", "%v", err)
			continue
		}
		if proj == "" {
			proj = firstOf(conn.Projects)
		}
		if proj == "" {
			in.problem("projects", "no Sentry project for %s: set projects (or SENTRY_PROJECT), or put a sentry.properties with defaults.project beside it", p)
			continue
		}
		i := slices.IndexFunc(r.groups, func(g projectPaths) bool { return g.Project == proj })
		if i < 0 {
			r.groups = append(r.groups, projectPaths{Project: proj})
			i = len(r.groups) - 1
		}
		r.groups[i].Paths = append(r.groups[i].Paths, p)
	}
	for _, g := range r.groups {
		r.report.Projects = append(r.report.Projects, g.Project)
	}
	if len(r.report.Projects) == 0 && len(conn.Projects) > 0 {
		r.report.Projects = conn.Projects
	}
	if len(r.report.Projects) == 0 {
		in.problem("projects", "no Sentry project: set projects or SENTRY_PROJECT (or defaults.project in sentry.properties)")
	}
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// hasJavaScript says whether a path is, or holds, a file discovery would pick up.
func hasJavaScript(path string) bool {
	d := sourcemaps.Discover([]string{path}, sourcemaps.DiscoverOptions{Lazy: true})
	return len(d.Pairs) > 0
}

// nearestProject is defaults.project of the sentry.properties nearest path, looking up to root.
func nearestProject(env *Factory, path, root string) (string, error) {
	dir := path
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		dir = filepath.Dir(path)
	}
	root = filepath.Clean(root)
	for {
		props := filepath.Join(dir, "sentry.properties")
		if _, err := os.Stat(props); err == nil {
			conn, err := sentryconf.Load(sentryconf.Input{Getenv: func(string) string { return "" }, Dir: dir})
			if err != nil {
				return "", fmt.Errorf("%s: %w", env.DisplayPath(props), err)
			}
			return firstOf(conn.Projects), nil
		}
		if dir == root || filepath.Dir(dir) == dir {
			return "", nil
		}
		dir = filepath.Dir(dir)
	}
}

// sub runs one releasegate command in-process, in the phases' surroundings (r.env). Its stderr
// goes to the log; its stdout too, unless capture is set, when it is returned.
func (r *actionRunner) sub(capture bool, args ...string) (string, error) {
	var out bytes.Buffer
	ios := *r.ios
	ios.In = strings.NewReader("")
	if capture {
		ios.Out, ios.OutTTY = &out, false
	}
	f := *r.env
	f.IO = &ios
	fmt.Fprintf(r.ios.Out, "$ releasegate %s\n", strings.Join(args, " "))
	code, err := executeWith(&f, args)
	if code != exitOK {
		// The command's own message, so the annotation and the summary say what went wrong.
		if err == nil {
			err = fmt.Errorf("releasegate %s %s said no (exit %d); its log group says why", args[0], args[1], code)
		}
		return out.String(), &exitError{code: code, err: err}
	}
	return out.String(), nil
}

func (r *actionRunner) validate(context.Context) (string, error) {
	var paths []string
	for _, g := range r.groups {
		for _, p := range g.Paths {
			if !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
		}
	}
	d := sourcemaps.Discover(paths, sourcemaps.DiscoverOptions{Lazy: true, Dir: r.dir})
	rep := sourcemaps.Validate(d, sourcemaps.ValidateOptions{})
	r.report.Validate = &actionValidation{Files: len(rep.Files), Errors: rep.Errors, Warnings: rep.Warnings, Findings: rep.Findings}
	if err := renderValidateGitHub(r.ios, rep); err != nil {
		return "", err
	}
	detail := fmt.Sprintf("%d files: %s, %s", len(rep.Files), plural(rep.Errors, "error"), plural(rep.Warnings, "warning"))
	if rep.Errors > 0 || (r.in.bool("validate_strict") && rep.Warnings > 0) {
		return detail, &exitError{code: exitNo, err: fmt.Errorf("the source maps are broken (%s); nothing was sent to Sentry", detail)}
	}
	return detail, nil
}

func (r *actionRunner) ownershipCheck(context.Context) (string, error) {
	out, err := r.sub(true, "ownership", "check", "--format", "json", ".")
	var rep ownershipCheckReport
	if jerr := json.Unmarshal([]byte(out), &rep); jerr != nil {
		if err != nil {
			return "", err
		}
		return "", fmt.Errorf("reading the ownership check's report: %w", jerr)
	}
	r.report.Ownership = &rep
	if _, err := writeAnnotations(r.ios.Out, rep.Findings); err != nil {
		return "", err
	}
	rules := 0
	for _, p := range rep.Projects {
		rules += p.Rules + p.Codeowners
	}
	detail := fmt.Sprintf("%s in %s: %s, %s", plural(rules, "rule"), propertiesCount(len(rep.Projects)), plural(rep.Errors, "error"), plural(rep.Warnings, "warning"))
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.code == exitNo {
			return detail, &exitError{code: exitNo, err: fmt.Errorf("the ownership rules have errors (%s); nothing was sent to Sentry", detail)}
		}
		return detail, err
	}
	return detail, nil
}

func (r *actionRunner) createRelease(context.Context) (string, error) {
	args := []string{"release", "new", r.report.Release}
	for _, p := range r.report.Projects {
		args = append(args, "-p", p)
	}
	_, err := r.sub(false, args...)
	return fmt.Sprintf("%s for %s", r.report.Release, strings.Join(r.report.Projects, ", ")), err
}

func (r *actionRunner) setCommits(context.Context) (string, error) {
	args := []string{"release", "set-commits", r.report.Release}
	if r.in.text("set_commits") == "manual" {
		spec := r.in.text("repo") + "@" + r.in.text("commit")
		if prev := r.in.text("previous_commit"); prev != "" {
			spec = r.in.text("repo") + "@" + prev + ".." + r.in.text("commit")
		}
		args = append(args, "--commit", spec)
	} else {
		args = append(args, "--auto")
		if r.in.bool("ignore_missing") {
			args = append(args, "--ignore-missing")
		}
	}
	_, err := r.sub(false, args...)
	return r.in.text("set_commits"), err
}

func (r *actionRunner) upload(context.Context) (string, error) {
	files, ids := 0, 0
	for _, g := range r.groups {
		args := []string{"sourcemaps", "upload", "--format", "json", "--release", r.report.Release, "-p", g.Project}
		if d := r.in.text("dist"); d != "" {
			args = append(args, "--dist", d)
		}
		if u := r.in.text("url_prefix"); u != "" {
			args = append(args, "--url-prefix", u)
		}
		if r.in.bool("strip_common_prefix") {
			args = append(args, "--strip-common-prefix")
		}
		if r.in.bool("validate") {
			args = append(args, "--no-validate") // validated above, with annotations
		}
		if !r.in.bool("inject") {
			args = append(args, "--no-inject")
		}
		out, err := r.sub(true, append(args, g.Paths...)...)
		if err != nil {
			return fmt.Sprintf("%s: failed", g.Project), err
		}
		var rep uploadReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			return "", fmt.Errorf("reading the upload's report: %w", err)
		}
		r.report.Uploads = append(r.report.Uploads, rep)
		for _, b := range rep.Bundles {
			files += b.Files
		}
		ids += rep.DebugIDs
		fmt.Fprintf(r.ios.Out, "uploaded %s with %s to %s\n", plural(bundleFiles(rep), "file"), plural(rep.DebugIDs, "debug ID"), g.Project)
	}
	return fmt.Sprintf("%s, %s", plural(files, "file"), plural(ids, "debug ID")), nil
}

func bundleFiles(rep uploadReport) int {
	n := 0
	for _, b := range rep.Bundles {
		n += b.Files
	}
	return n
}

func (r *actionRunner) ownershipSync(context.Context) (string, error) {
	out, err := r.sub(true, "ownership", "sync", "--format", "json", ".")
	var rep struct {
		Projects []*syncResult `json:"projects"`
	}
	if jerr := json.Unmarshal([]byte(out), &rep); jerr != nil {
		if err != nil {
			return "", err
		}
		return "", fmt.Errorf("reading the ownership sync's report: %w", jerr)
	}
	r.report.OwnershipSync = rep.Projects
	var updated []string
	for _, p := range rep.Projects {
		if p.Status == "updated" {
			updated = append(updated, p.Project)
		}
		if p.Diff != "" {
			fmt.Fprintf(r.ios.Out, "%s (%s): %s\n%s", p.Project, p.Properties, p.Status, p.Diff)
		}
	}
	if len(updated) == 0 {
		return "no project changed", err
	}
	return "updated " + strings.Join(updated, ", "), err
}

func (r *actionRunner) deploy(context.Context) (string, error) {
	args := []string{"release", "deploy", r.report.Release, "--env", r.in.text("environment")}
	if s := r.in.text("started_at"); s != "" {
		args = append(args, "--started", s)
	}
	// The deploy links back to the workflow run that made it.
	if u := r.runURL(); u != "" {
		args = append(args, "--url", u)
	}
	if name := r.deployName(); name != "" {
		args = append(args, "--name", name)
	}
	_, err := r.sub(false, args...)
	return r.in.text("environment"), err
}

// deployName names the deploy after the workflow run ("CI #812"), shortened to Sentry's limit:
// a long workflow name must not fail the deploy after the release was made.
func (r *actionRunner) deployName() string {
	wf, n := r.getenv("GITHUB_WORKFLOW"), r.getenv("GITHUB_RUN_NUMBER")
	if wf == "" || n == "" {
		return ""
	}
	return sentryapi.TruncateDeployName(wf, " #"+n)
}

func (r *actionRunner) finalize(context.Context) (string, error) {
	_, err := r.sub(false, "release", "finalize", r.report.Release)
	return "", err
}

func (r *actionRunner) gate(context.Context) (string, error) {
	env := cmp.Or(r.in.text("gate_environment"), r.in.text("environment"))
	args := []string{"gate", "--release", r.report.Release, "--environment", env, "--policy", r.in.text("policy"), "--format", "json"}
	if w := r.in.duration("gate_wait"); w > 0 {
		args = append(args, "--wait", w.String(), "--interval", time.Minute.String())
	}
	if oe := r.in.text("on_error"); oe != "" {
		args = append(args, "--on-error", oe)
	}
	out, err := r.sub(true, args...)
	var d gate.Decision
	if jerr := json.Unmarshal([]byte(out), &d); jerr != nil {
		if err != nil {
			return "", err
		}
		return "", fmt.Errorf("reading the gate's decision: %w", jerr)
	}
	r.report.Gate = &d
	if rerr := gate.Render(r.ios.Out, d, "github"); rerr != nil {
		return "", rerr
	}
	detail := fmt.Sprintf("%s: %s", d.Verdict, d.Reason)
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			ee.err = fmt.Errorf("the gate says %s: %s", d.Verdict, d.Reason)
		}
	}
	return detail, err
}

// finish writes the outputs, the JSON report and the job summary, whatever happened.
func (r *actionRunner) finish(runErr error) {
	if runErr != nil {
		r.report.Error = errorText(runErr)
	}
	getenv := r.getenv
	reportPath := filepath.Join(cmp.Or(getenv("RUNNER_TEMP"), os.TempDir()), "releasegate-report.json")
	if data, err := json.MarshalIndent(r.report, "", "  "); err == nil {
		if err := os.WriteFile(reportPath, append(data, '\n'), 0o644); err != nil {
			r.gha.Warningf("writing the report: %v", err)
			reportPath = ""
		}
	}
	verdict := "skipped"
	if r.report.Gate != nil {
		verdict = string(r.report.Gate.Verdict)
	}
	files, ids := 0, 0
	for _, u := range r.report.Uploads {
		files += bundleFiles(u)
		ids += u.DebugIDs
	}
	summaryURL := r.runURL()
	outputs := [][2]string{
		{"release", r.report.Release}, {"version", r.report.Release}, {"gate", verdict}, {"report", reportPath},
		{"uploaded", fmt.Sprint(files)}, {"debug-ids", fmt.Sprint(ids)}, {"summary-url", summaryURL},
	}
	if getenv("GITHUB_OUTPUT") != "" {
		for _, o := range outputs {
			if err := safeFileCommand(func() { r.gha.SetOutput(o[0], o[1]) }); err != nil {
				r.gha.Warningf("setting output %s: %v", o[0], err)
			}
		}
	}
	if getenv("GITHUB_STEP_SUMMARY") != "" {
		if err := r.writeSummary(); err != nil {
			r.gha.Warningf("writing the job summary: %v", err)
		}
	}
	// A bad input has its own annotations, and a failing gate its verdict annotation; any other
	// failure (a phase's configuration error included) gets one here.
	if runErr != nil && (r.report.Gate == nil || r.report.Gate.Verdict == gate.StatusPass) {
		var ee *exitError
		phaseFailed := slices.ContainsFunc(r.report.Phases, func(p actionPhase) bool { return p.Status == "failed" })
		if !errors.As(runErr, &ee) || ee.code != exitUsage || phaseFailed {
			r.gha.WithFieldsMap(map[string]string{"title": "releasegate"}).Errorf("%s", errorText(runErr))
		}
	}
}

// runURL is the workflow run's page, where the job summary is shown; "" outside Actions.
func (r *actionRunner) runURL() string {
	getenv := r.getenv
	server, repo, run := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID")
	if server == "" || repo == "" || run == "" {
		return ""
	}
	u := fmt.Sprintf("%s/%s/actions/runs/%s", strings.TrimSuffix(server, "/"), repo, run)
	if a := getenv("GITHUB_RUN_ATTEMPT"); a != "" && a != "1" {
		u += "/attempts/" + a
	}
	return u
}

// safeFileCommand turns go-githubactions' panic on an unwritable environment file into an error.
func safeFileCommand(f func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	f()
	return nil
}
