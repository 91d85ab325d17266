package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/releasegate/releasegate/internal/ghmarkdown"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/testenv"
)

// actionEnv is what the runner gives a step: the workspace (also the working folder), the
// environment files (made here, empty), the run's identity, the local Sentry, and the inputs as
// action.yml maps them (every input is set, empty when not given, as a composite step's env
// does). It is stated, not set in the process, so the action's tests run in parallel.
func actionEnv(t *testing.T, srv *sentryapitest.Server, workspace string, inputs map[string]string) (env *cliEnv, files map[string]string) {
	t.Helper()
	env = sentryEnv(t, srv)
	env.Dir = workspace
	tmp := t.TempDir()
	files = map[string]string{}
	for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH"} {
		p := filepath.Join(tmp, strings.ToLower(name))
		writeFile(t, p, "")
		env.Vars[name] = p
		files[name] = p
	}
	maps.Copy(env.Vars, map[string]string{
		"SENTRY_ORG": "acme", "RUNNER_TEMP": tmp, "GITHUB_WORKSPACE": workspace,
		"GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567", "GITHUB_REF_NAME": "main",
		"GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "acme/web",
		"GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "1",
	})
	for _, in := range actionInputs {
		env.Vars[envName(in.Name)] = inputs[in.Name]
	}
	for name := range inputs {
		if !isActionInput(name) {
			t.Fatalf("test sets unknown input %q", name)
		}
	}
	return env, files
}

func isActionInput(name string) bool {
	for _, in := range actionInputs {
		if in.Name == name {
			return true
		}
	}
	return false
}

// readOutputs parses GITHUB_OUTPUT's heredoc entries.
func readOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			continue
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		out[name] = strings.Join(val, "\n")
	}
	return out
}

func sampleWorkspace(t *testing.T) string {
	t.Helper()
	ws := t.TempDir()
	build := copyTree(t, filepath.Join(testenv.RepoRoot(t), "testdata", "sample-build"))
	if err := os.Rename(build, filepath.Join(ws, "dist")); err != nil {
		t.Fatal(err)
	}
	return ws
}

// TestActionBadInputs: every mistake is reported at once as an error annotation naming the
// input or variable to set, the step exits 2, and nothing reaches Sentry.
func TestActionBadInputs(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	ws := sampleWorkspace(t)
	writeFile(t, filepath.Join(ws, "README.md"), "no JavaScript here\n")
	env, files := actionEnv(t, srv, ws, map[string]string{
		"sourcemaps": "dist missing README.md", "ownership": "maybe", "inject": "yes", "gate_wait": "soon", "projects": "web",
		"gate": "true", "gate_environment": "prod", "policy": "policy.yml",
	})
	writeFile(t, filepath.Join(ws, "policy.yml"), gatePolicyYAML)
	env.Vars["SENTRY_AUTH_TOKEN"] = ""
	env.Vars["SENTRY_ORG"] = ""
	code, out, errOut := env.run(t, "", "action")
	if code != exitUsage {
		t.Fatalf("exit %d, want 2\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"::error title=releasegate%3A bad input::input inject: \"yes\" is not a boolean: use true or false",
		"input ownership: \"maybe\" is not one of check, sync, off",
		"input gate_wait: \"soon\" is not a duration",
		"input sourcemaps: missing does not exist",
		"input sourcemaps: README.md holds no JavaScript files or source maps",
		"SENTRY_AUTH_TOKEN is not set: add `env: SENTRY_AUTH_TOKEN: ${{ secrets.SENTRY_AUTH_TOKEN }}`",
		"SENTRY_ORG is not set",
		"input gate_environment: the policy has no environment \"prod\"; it configures production",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if reqs := srv.Requests(); len(reqs) != 0 {
		t.Errorf("%d requests reached Sentry, want none: %+v", len(reqs), reqs[0])
	}
	if outs := readOutputs(t, files["GITHUB_OUTPUT"]); outs["gate"] != "skipped" || outs["uploaded"] != "0" {
		t.Errorf("outputs = %v", outs)
	}
}

// TestActionUploadsAndDeploys: the sample build is validated, uploaded with debug IDs, the
// release created, deployed and finalized; the outputs, the summary and the report say so.
func TestActionUploadsAndDeploys(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	ws := sampleWorkspace(t)
	env, files := actionEnv(t, srv, ws, map[string]string{
		"sourcemaps": "dist", "environment": "production", "set_commits": "skip", "projects": "web", "release_prefix": "web@",
		"release": "refs/tags/v1.2.3",
	})
	code, out, errOut := env.run(t, "", "action")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	rel, ok := srv.Release("acme", "web@v1.2.3")
	if !ok || len(rel.Deploys) != 1 || rel.Deploys[0] != "production" || rel.DateReleased.IsZero() {
		t.Fatalf("release in Sentry = %+v (found %v), want deployed to production and finalized", rel, ok)
	}
	if len(srv.Bundles()) != 1 {
		t.Fatalf("%d bundles uploaded, want 1", len(srv.Bundles()))
	}
	outs := readOutputs(t, files["GITHUB_OUTPUT"])
	if outs["release"] != "web@v1.2.3" || outs["gate"] != "skipped" || outs["uploaded"] == "0" || outs["debug-ids"] == "0" ||
		outs["summary-url"] != "https://github.example/acme/web/actions/runs/42" {
		t.Errorf("outputs = %v", outs)
	}
	var rep actionReport
	data, err := os.ReadFile(outs["report"])
	if err != nil || json.Unmarshal(data, &rep) != nil {
		t.Fatalf("report %s: %v\n%s", outs["report"], err, data)
	}
	if rep.Validate == nil || rep.Validate.Errors != 0 || len(rep.Uploads) != 1 || rep.Uploads[0].DebugIDs == 0 {
		t.Errorf("report = %+v", rep)
	}
	summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	for _, want := range []string{"## releasegate: release `web@v1.2.3`", "| upload | ✅ ok |", "### Upload", "| deploy | ✅ ok |", "| gate | skipped |"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	for _, group := range []string{"::group::releasegate: validate", "::group::releasegate: upload", "::endgroup::"} {
		if !strings.Contains(out, group) {
			t.Errorf("log lacks %q", group)
		}
	}
	if strings.Contains(out+errOut, srv.Token()) && !strings.Contains(out, "::add-mask::"+srv.Token()) {
		t.Error("the token appears in the log without being masked first")
	}
}

// TestActionBrokenMapFailsBeforeSending: a broken map fails validation with an annotation
// naming the file; no release is created and nothing is uploaded.
func TestActionBrokenMapFailsBeforeSending(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	ws := sampleWorkspace(t)
	mapPath := filepath.Join(ws, "dist", "main-7CDP6YMD.js.map")
	data, err := os.ReadFile(mapPath)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, mapPath, strings.Replace(string(data), `"mappings": "`, `"mappings": "!!!`, 1))
	env, files := actionEnv(t, srv, ws, map[string]string{"sourcemaps": "dist", "set_commits": "skip", "projects": "web"})
	code, out, errOut := env.run(t, "", "action")
	if code != exitNo {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "::error file=dist/main-7CDP6YMD.js,line=1,col=1,title=releasegate%3A vlq-invalid-character::") {
		t.Errorf("no error annotation on the broken map:\n%s", out)
	}
	if _, ok := srv.Release("acme", "0123456789abcdef0123456789abcdef01234567"); ok || len(srv.Bundles()) != 0 {
		t.Error("a release or bundle reached Sentry although validation failed")
	}
	summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	if !strings.Contains(string(summary), "| validate | ❌ failed |") || !strings.Contains(string(summary), "`dist/main-7CDP6YMD.js` | 1 | vlq-invalid-character") ||
		!strings.Contains(string(summary), "| upload | not run |") {
		t.Errorf("summary:\n%s", summary)
	}
}

// TestActionMonorepo: with a sentry.properties per service and no projects input, each
// service's build goes to its own project, in one run.
func TestActionMonorepo(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web", "api"}})
	ws := t.TempDir()
	for _, svc := range []string{"web", "api"} {
		dir := filepath.Join(ws, "services", svc)
		build := copyTree(t, filepath.Join(testenv.RepoRoot(t), "testdata", "sample-build"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(build, filepath.Join(dir, "dist")); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, "sentry.properties"), "defaults.org = acme\ndefaults.project = "+svc+"\nownership.rules = path:services/"+svc+"/dist/* #"+svc+"-team\n")
		srv.AddTeam("acme", svc+"-team", svc)
	}
	// Two different builds: Sentry keeps one bundle per content (the bundle ID).
	for _, f := range []string{"api-WN75KXDB.js", "api-WN75KXDB.js.map"} {
		if err := os.Remove(filepath.Join(ws, "services", "api", "dist", f)); err != nil {
			t.Fatal(err)
		}
	}
	env, files := actionEnv(t, srv, ws, map[string]string{
		"sourcemaps": "services/web/dist\nservices/api/dist", "set_commits": "skip", "release": "mono@1", "ownership": "sync",
	})
	code, out, errOut := env.run(t, "", "action")
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	rel, ok := srv.Release("acme", "mono@1")
	if !ok || strings.Join(rel.Projects, ",") != "api,web" && strings.Join(rel.Projects, ",") != "web,api" {
		t.Fatalf("release = %+v (found %v), want both projects", rel, ok)
	}
	bundles := srv.Bundles()
	if len(bundles) != 2 {
		t.Fatalf("%d bundles, want one per service", len(bundles))
	}
	var projects []string
	for _, b := range bundles {
		projects = append(projects, b.Projects...)
	}
	if strings.Join(projects, ",") != "web,api" && strings.Join(projects, ",") != "api,web" {
		t.Errorf("bundles went to %v, want web and api once each", projects)
	}
	for _, svc := range []string{"web", "api"} {
		if o, ok := srv.Ownership(svc); !ok || !strings.Contains(o.Raw, "#"+svc+"-team") {
			t.Errorf("Sentry's ownership of %s = %+v, want the rules of its sentry.properties", svc, o)
		}
	}
	summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	for _, want := range []string{"| web |", "| api |", "### Ownership\n\n2 rules in 2 sentry.properties", "### Ownership sync", "| ownership sync | ✅ ok |"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
}

// TestActionGateFails: with the gate on, a release with a new high-rate error fails the step
// (exit 1); the gate output is fail and the summary holds the gate's report.
func TestActionGateFails(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "policy.yml"), gatePolicyYAML)
	env, files := actionEnv(t, srv, ws, map[string]string{
		"environment": "production", "set_commits": "skip", "projects": "web", "release": "web@2.0.0", "gate": "true", "policy": "policy.yml",
		"ownership": "off",
	})
	ctx := context.Background()
	api, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: srv.Token(), HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	deployed := time.Now().UTC().Add(-10 * time.Minute)
	if _, _, err := api.CreateRelease(ctx, "acme", sentryapi.NewRelease{Version: "web@2.0.0", Projects: []string{"web"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateDeploy(ctx, "acme", "web@2.0.0", sentryapi.NewDeploy{Environment: "production", DateStarted: &deployed, DateFinished: &deployed}); err != nil {
		t.Fatal(err)
	}
	sendEvents(t, srv.DSN("web"), "web@2.0.0", func(h *sentry.Hub) {
		for i := range 50 {
			renderCart(h, "u"+string(rune('0'+i%10)))
		}
	})
	code, out, errOut := env.run(t, "", "action")
	if code != exitNo {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	if outs := readOutputs(t, files["GITHUB_OUTPUT"]); outs["gate"] != "fail" {
		t.Errorf("gate output = %q, want fail", outs["gate"])
	}
	if !strings.Contains(out, "::error title=releasegate gate%3A WEB-") {
		t.Errorf("no annotation for the failing issue:\n%s", out)
	}
	// The gate runs before finalize: a release it fails is not marked released.
	if rel, _ := srv.Release("acme", "web@2.0.0"); !rel.DateReleased.IsZero() {
		t.Errorf("the release was finalized at %s although its gate failed", rel.DateReleased)
	}
	summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	for _, want := range []string{"| gate | ❌ failed |", "| finalize | not run |", "### ❌ releasegate gate: fail", "cart.items is undefined", "xychart-beta"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
}

// TestActionNamesTheReleaseByThePolicy: with the gate on and no release input, the release is
// named by the policy's release.name from the commit; a gate still pending exits 3.
func TestActionNamesTheReleaseByThePolicy(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	ws := t.TempDir()
	if err := os.MkdirAll(filepath.Join(ws, ".github"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(ws, ".github", "releasegate.yml"), "release:\n  name: \"web@{short_sha}\"\n"+gatePolicyYAML)
	env, files := actionEnv(t, srv, ws, map[string]string{
		"environment": "production", "set_commits": "skip", "projects": "web", "gate": "true", "ownership": "off",
	})
	code, out, errOut := env.run(t, "", "action")
	if code != exitUndecided {
		t.Fatalf("exit %d, want 3 (pending: the release has not soaked)\n%s\n%s", code, out, errOut)
	}
	outs := readOutputs(t, files["GITHUB_OUTPUT"])
	if outs["release"] != "web@0123456789ab" || outs["gate"] != "pending" {
		t.Errorf("outputs = %v, want release web@0123456789ab (the policy's name) and gate pending", outs)
	}
	if rel, ok := srv.Release("acme", "web@0123456789ab"); !ok {
		t.Error("the release was not created under the policy's name")
	} else if !rel.DateReleased.IsZero() {
		t.Error("the release was finalized while its gate is still pending")
	}
	if !strings.Contains(out, "::warning title=releasegate gate::PENDING web@0123456789ab in production") {
		t.Errorf("no pending annotation:\n%s", out)
	}
}

// TestActionReleasePrefixes: release_prefix, and action-release's deprecated version_prefix,
// go before the release name as in action-release (never stripping the name given), and the
// name is set as both the release and the version output.
func TestActionReleasePrefixes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		inputs map[string]string
		want   string // the release; "" when the inputs are refused
		log    string
	}{
		{"release_prefix", map[string]string{"release": "v1.4.0", "release_prefix": "shop@"}, "shop@v1.4.0", ""},
		{"version_prefix", map[string]string{"release": "v1.4.0", "version_prefix": "shop@"}, "shop@v1.4.0", "::warning::input version_prefix is deprecated: use release_prefix"},
		{"version_prefix on the generated name", map[string]string{"version_prefix": "shop@"}, "shop@0123456789abcdef0123456789abcdef01234567", ""},
		{"the same prefix in both", map[string]string{"release": "v1.4.0", "version_prefix": "shop@", "release_prefix": "shop@"}, "shop@v1.4.0", ""},
		{"a release already prefixed is kept", map[string]string{"release": "shop@v1.4.0"}, "shop@v1.4.0", ""},
		{"different prefixes", map[string]string{"release": "v1.4.0", "version_prefix": "shop@", "release_prefix": "web@"}, "",
			`input version_prefix: release_prefix and version_prefix disagree ("web@", "shop@"): set only release_prefix`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
			inputs := map[string]string{"set_commits": "skip", "projects": "web", "ownership": "off"}
			for k, v := range tt.inputs {
				inputs[k] = v
			}
			env, files := actionEnv(t, srv, t.TempDir(), inputs)
			code, out, errOut := env.run(t, "", "action")
			if tt.log != "" && !strings.Contains(out, tt.log) {
				t.Errorf("log lacks %q:\n%s", tt.log, out)
			}
			if tt.want == "" {
				if code != exitUsage || len(srv.Requests()) != 0 {
					t.Fatalf("exit %d with %d requests, want 2 and none\n%s", code, len(srv.Requests()), out)
				}
				return
			}
			if code != exitOK {
				t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
			}
			if _, ok := srv.Release("acme", tt.want); !ok {
				t.Errorf("no release %q in Sentry", tt.want)
			}
			if outs := readOutputs(t, files["GITHUB_OUTPUT"]); outs["release"] != tt.want || outs["version"] != tt.want {
				t.Errorf("outputs release %q, version %q; want both %q", outs["release"], outs["version"], tt.want)
			}
		})
	}
}

// TestActionCompatibilityInputs: action-release's inputs that change nothing here are still
// read and checked like the others.
func TestActionCompatibilityInputs(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	env, _ := actionEnv(t, srv, t.TempDir(), map[string]string{
		"release": "web@1", "set_commits": "skip", "projects": "web", "ownership": "off",
		"ignore_empty": "maybe", "disable_telemetry": "off", "disable_safe_directory": "no",
	})
	code, out, _ := env.run(t, "", "action")
	if code != exitUsage {
		t.Fatalf("exit %d, want 2\n%s", code, out)
	}
	for _, want := range []string{`input ignore_empty: "maybe" is not a boolean`, `input disable_telemetry: "off" is not a boolean`, `input disable_safe_directory: "no" is not a boolean`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached Sentry", n)
	}
}

// TestActionSafeDirectory: the workspace and the working directory are passed to git as
// safe.directory, after the entries already there, unless disable_safe_directory is set.
func TestActionSafeDirectory(t *testing.T) {
	t.Parallel()
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name string
		env  map[string]string
		dirs []string
		want map[string]string
	}{
		{"workspace", nil, []string{"/w"}, map[string]string{"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": "/w"}},
		{"workspace and working directory", nil, []string{"/w", "/w/app"}, map[string]string{"GIT_CONFIG_COUNT": "2",
			"GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": "/w", "GIT_CONFIG_KEY_1": "safe.directory", "GIT_CONFIG_VALUE_1": "/w/app"}},
		{"the same twice", nil, []string{"/w", "/w"}, map[string]string{"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": "/w"}},
		{"after entries already there", map[string]string{"GIT_CONFIG_COUNT": "2"}, []string{"/w"}, map[string]string{"GIT_CONFIG_COUNT": "3", "GIT_CONFIG_KEY_2": "safe.directory", "GIT_CONFIG_VALUE_2": "/w"}},
		{"a bogus count is replaced", map[string]string{"GIT_CONFIG_COUNT": "x"}, []string{"/w"}, map[string]string{"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": "/w"}},
		{"no directory", nil, []string{""}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := gitSafeDirectoryEnv(env(tt.env), tt.dirs...)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
				}
			}
		})
	}

	for _, disable := range []string{"false", "true"} {
		t.Run("the phases' surroundings with disable_safe_directory "+disable, func(t *testing.T) {
			t.Parallel()
			srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
			ws := t.TempDir()
			app := filepath.Join(ws, "app")
			if err := os.Mkdir(app, 0o755); err != nil {
				t.Fatal(err)
			}
			env, _ := actionEnv(t, srv, ws, map[string]string{"release": "web@1", "set_commits": "skip", "projects": "web", "ownership": "off",
				"working_directory": "app", "disable_safe_directory": disable})
			var log bytes.Buffer
			r := newActionRunner(&ActionOptions{Factory: env.factory(&IOStreams{Out: &log, ErrOut: &log}), Now: time.Now})
			if err := r.prepare(context.Background()); err != nil {
				t.Fatalf("prepare: %v\n%s", err, log.String())
			}
			if dir, err := r.env.WorkDir(); err != nil || dir != app {
				t.Errorf("the phases' working folder is %q (%v), want %s", dir, err, app)
			}
			want := []string{"GIT_CONFIG_COUNT=2", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_KEY_1=safe.directory", "GIT_CONFIG_VALUE_0=" + ws, "GIT_CONFIG_VALUE_1=" + app}
			if disable == "true" {
				want = nil
			}
			var got []string
			for _, kv := range r.env.Environ() {
				if strings.HasPrefix(kv, "GIT_CONFIG_") {
					got = append(got, kv)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("git is given %q, want %q", got, want)
			}
			for _, kv := range want {
				if k, v, _ := strings.Cut(kv, "="); r.env.Getenv(k) != v {
					t.Errorf("the phases' Getenv(%s) = %q, want %q", k, r.env.Getenv(k), v)
				}
			}
			if r.getenv("GIT_CONFIG_COUNT") != "" {
				t.Error("the step's own environment was changed")
			}
		})
	}
}

// TestActionReadsACheckoutAnotherUserOwns: git refuses to read a repository another user owns
// (a container job's checkout) unless it is a safe.directory; the action tells its git commands
// the workspace is one, so set_commits: auto reads the history, and fails without it. The
// ownership can only be given away as root.
func TestActionReadsACheckoutAnotherUserOwns(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root, to give the checkout to another user")
	}
	for _, disable := range []string{"false", "true"} {
		t.Run("disable_safe_directory "+disable, func(t *testing.T) {
			t.Parallel()
			srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
			repo := newTestRepo(t, "https://github.com/Acme/Web.git")
			sha := repo.commit("first")
			err := filepath.WalkDir(repo.dir, func(p string, _ fs.DirEntry, err error) error {
				if err != nil {
					return err
				}
				return os.Lchown(p, 65534, 65534)
			})
			if err != nil {
				t.Fatal(err)
			}
			env, _ := actionEnv(t, srv, repo.dir, map[string]string{"release": "web@1", "set_commits": "auto", "projects": "web", "ownership": "off",
				"disable_safe_directory": disable})
			code, out, errOut := env.run(t, "", "action")
			rel, _ := srv.Release("acme", "web@1")
			if disable == "false" {
				if code != exitOK || !slices.Contains(rel.Commits, "acme/web@"+sha) {
					t.Fatalf("exit %d, commits %v; want 0 and acme/web@%s\n%s\n%s", code, rel.Commits, sha, out, errOut)
				}
				return
			}
			if code != exitUsage || !strings.Contains(errOut, "git refuses to read "+repo.dir+", which another user owns") {
				t.Fatalf("exit %d; want 2, git refusing the checkout\n%s\n%s", code, out, errOut)
			}
		})
	}
}

// TestActionRefusesSentryLimitsUpFront: a value Sentry would refuse with a 400 once the release
// exists is refused before the first request, naming the input; a long workflow name, which only
// names the deploy, is shortened to Sentry's limit instead.
func TestActionRefusesSentryLimitsUpFront(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		inputs map[string]string
		want   string
	}{
		{"environment of 65 characters", map[string]string{"environment": strings.Repeat("e", 65)}, "input environment: environment \"" + strings.Repeat("e", 65) + "\": Sentry allows at most 64 characters, this has 65"},
		{"environment none", map[string]string{"environment": "none"}, `input environment: environment "none": Sentry reserves "none"`},
		{"dist of 65 characters", map[string]string{"dist": strings.Repeat("7", 65), "sourcemaps": "dist"}, "input dist: dist \"" + strings.Repeat("7", 65) + "\": Sentry allows at most 64 characters"},
		{"release of 201 characters", map[string]string{"release": strings.Repeat("r", 195), "release_prefix": "shop@v"}, "Sentry allows at most 200 characters, this has 201"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
			inputs := map[string]string{"release": "web@1", "set_commits": "skip", "projects": "web", "ownership": "off"}
			for k, v := range tt.inputs {
				inputs[k] = v
			}
			env, _ := actionEnv(t, srv, sampleWorkspace(t), inputs)
			code, out, _ := env.run(t, "", "action")
			if code != exitUsage {
				t.Fatalf("exit %d, want 2\n%s", code, out)
			}
			if !strings.Contains(out, "::error title=releasegate%3A bad input::") || !strings.Contains(out, tt.want) {
				t.Errorf("no bad-input annotation saying %q:\n%s", tt.want, out)
			}
			if reqs := srv.Requests(); len(reqs) != 0 {
				t.Errorf("%d requests reached Sentry, want none (first: %s %s)", len(reqs), reqs[0].Method, reqs[0].Path)
			}
		})
	}

	t.Run("a long workflow name is shortened", func(t *testing.T) {
		t.Parallel()
		srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
		env, _ := actionEnv(t, srv, t.TempDir(), map[string]string{"release": "web@1", "environment": "production", "set_commits": "skip", "projects": "web", "ownership": "off"})
		env.Vars["GITHUB_WORKFLOW"] = "Build, test and deploy the storefront to every region we serve, then verify"
		env.Vars["GITHUB_RUN_NUMBER"] = "812"
		if code, out, errOut := env.run(t, "", "action"); code != exitOK {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		var name string
		for _, r := range srv.Requests() {
			if r.Method == "POST" && strings.HasSuffix(r.Path, "/deploys/") {
				var body struct{ Name string }
				if err := json.Unmarshal(r.Body, &body); err != nil {
					t.Fatal(err)
				}
				name = body.Name
			}
		}
		if want := "Build, test and deploy the storefront to every region we s… #812"; name != want {
			t.Errorf("deploy name %q, want %q", name, want)
		}
	})
}

// TestActionLateFailureSaysWhatWasDone: when a phase fails after the release was made, the
// annotation, the summary and the report carry the failing command's own message and list
// what was already written to Sentry and what was not done.
func TestActionLateFailureSaysWhatWasDone(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	env, files := actionEnv(t, srv, sampleWorkspace(t), map[string]string{
		"release": "web@1.2.3", "sourcemaps": "dist", "environment": "production", "set_commits": "skip", "projects": "web", "ownership": "off",
	})
	srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: "/api/0/organizations/acme/releases/web@1.2.3/deploys/", Status: 500})
	code, out, errOut := env.run(t, "", "action")
	if code != exitUndecided {
		t.Fatalf("exit %d, want 3\n%s\n%s", code, out, errOut)
	}
	own := "recording the deploy of release web@1.2.3 to production: "
	if !strings.Contains(errOut, "releasegate: "+own) {
		t.Fatalf("the deploy command did not fail as expected:\n%s", errOut)
	}
	wantDone := "; already done in Sentry: created the release (web@1.2.3 for web), uploaded the source maps ("
	var annotation string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "::error title=releasegate::") {
			annotation = line
		}
	}
	if !strings.HasPrefix(annotation, "::error title=releasegate::deploy failed: "+own) || !strings.Contains(annotation, wantDone) ||
		!strings.HasSuffix(annotation, "; not done: finalize") || strings.Contains(annotation, "log group above") {
		t.Errorf("annotation = %q, want the deploy's own message, what was done and what was not", annotation)
	}
	if rel, ok := srv.Release("acme", "web@1.2.3"); !ok || !rel.DateReleased.IsZero() {
		t.Errorf("release = %+v (found %v), want it created and not finalized", rel, ok)
	}
	summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	for _, want := range []string{"**Stopped:** deploy failed: " + own, "| deploy | ❌ failed | ", "| finalize | not run |"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	if !strings.Contains(string(summary), "| deploy | ❌ failed | ") || !strings.Contains(string(summary), ghmarkdown.Text(own)) {
		t.Errorf("the deploy row does not carry the command's message:\n%s", summary)
	}
}

// TestActionAnnotationCarriesTheCommandsMessage: a phase that fails before anything was written
// is annotated with the failing command's own message, and its summary row says it too.
func TestActionAnnotationCarriesTheCommandsMessage(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	env, files := actionEnv(t, srv, t.TempDir(), map[string]string{"release": "web@1", "set_commits": "skip", "projects": "web", "ownership": "off"})
	srv.InjectFault(sentryapitest.Fault{Method: "POST", Path: "/api/0/organizations/acme/releases/", Status: 403})
	code, out, errOut := env.run(t, "", "action")
	if code == exitOK {
		t.Fatalf("exit 0 although Sentry refused the release\n%s", out)
	}
	own := "creating release web@1: "
	if !strings.Contains(errOut, "releasegate: "+own) {
		t.Fatalf("release new did not fail as expected:\n%s", errOut)
	}
	if !strings.Contains(out, "::error title=releasegate::"+own) || strings.Contains(out, "log group above") {
		t.Errorf("the annotation does not carry release new's message:\n%s", out)
	}
	summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	if !strings.Contains(string(summary), "| release | ❌ failed | ") || !strings.Contains(string(summary), "| "+ghmarkdown.Text(own)) {
		t.Errorf("the release row does not carry the message:\n%s", summary)
	}
}
