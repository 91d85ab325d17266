package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/testenv"
)

// actionEnv sets what the runner gives a step: the workspace, the environment files (made
// here, empty), the run's identity, and the inputs as action.yml maps them (every input is
// set, empty when not given, as a composite step's env does).
func actionEnv(t *testing.T, srv *sentryapitest.Server, workspace string, inputs map[string]string) (files map[string]string) {
	t.Helper()
	sentryEnv(t, srv)
	t.Setenv("SENTRY_ORG", "acme")
	tmp := t.TempDir()
	files = map[string]string{}
	for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_ENV", "GITHUB_PATH"} {
		p := filepath.Join(tmp, strings.ToLower(name))
		writeFile(t, p, "")
		t.Setenv(name, p)
		files[name] = p
	}
	t.Setenv("RUNNER_TEMP", tmp)
	t.Setenv("GITHUB_WORKSPACE", workspace)
	t.Setenv("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
	t.Setenv("GITHUB_REF_NAME", "main")
	t.Setenv("GITHUB_SERVER_URL", "https://github.example")
	t.Setenv("GITHUB_REPOSITORY", "acme/web")
	t.Setenv("GITHUB_RUN_ID", "42")
	t.Setenv("GITHUB_RUN_ATTEMPT", "1")
	for _, in := range actionInputs {
		t.Setenv(envName(in.Name), inputs[in.Name])
	}
	for name := range inputs {
		if !isActionInput(name) {
			t.Fatalf("test sets unknown input %q", name)
		}
	}
	t.Chdir(workspace) // the action changes directory; restore it after the test
	return files
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
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	ws := sampleWorkspace(t)
	writeFile(t, filepath.Join(ws, "README.md"), "no JavaScript here\n")
	files := actionEnv(t, srv, ws, map[string]string{
		"sourcemaps": "dist missing README.md", "ownership": "maybe", "inject": "yes", "gate_wait": "soon", "projects": "web",
		"gate": "true", "gate_environment": "prod", "policy": "policy.yml",
	})
	writeFile(t, filepath.Join(ws, "policy.yml"), gatePolicyYAML)
	t.Setenv("SENTRY_AUTH_TOKEN", "")
	t.Setenv("SENTRY_ORG", "")
	code, out, errOut := runMain(t, "action")
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
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	ws := sampleWorkspace(t)
	files := actionEnv(t, srv, ws, map[string]string{
		"sourcemaps": "dist", "environment": "production", "set_commits": "skip", "projects": "web", "release_prefix": "web@",
		"release": "refs/tags/v1.2.3",
	})
	code, out, errOut := runMain(t, "action")
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
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	ws := sampleWorkspace(t)
	mapPath := filepath.Join(ws, "dist", "main-7CDP6YMD.js.map")
	data, err := os.ReadFile(mapPath)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, mapPath, strings.Replace(string(data), `"mappings": "`, `"mappings": "!!!`, 1))
	files := actionEnv(t, srv, ws, map[string]string{"sourcemaps": "dist", "set_commits": "skip", "projects": "web"})
	code, out, errOut := runMain(t, "action")
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
	files := actionEnv(t, srv, ws, map[string]string{
		"sourcemaps": "services/web/dist\nservices/api/dist", "set_commits": "skip", "release": "mono@1", "ownership": "sync",
	})
	code, out, errOut := runMain(t, "action")
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
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	ws := t.TempDir()
	writeFile(t, filepath.Join(ws, "policy.yml"), gatePolicyYAML)
	files := actionEnv(t, srv, ws, map[string]string{
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
	code, out, errOut := runMain(t, "action")
	if code != exitNo {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
	}
	if outs := readOutputs(t, files["GITHUB_OUTPUT"]); outs["gate"] != "fail" {
		t.Errorf("gate output = %q, want fail", outs["gate"])
	}
	if !strings.Contains(out, "::error title=releasegate gate%3A WEB-") {
		t.Errorf("no annotation for the failing issue:\n%s", out)
	}
	summary, _ := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
	for _, want := range []string{"| gate | ❌ failed |", "### ❌ releasegate gate: fail", "cart.items is undefined", "xychart-beta"} {
		if !strings.Contains(string(summary), want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
}

// TestActionNamesTheReleaseByThePolicy: with the gate on and no release input, the release is
// named by the policy's release.name from the commit; a gate still pending exits 3.
func TestActionNamesTheReleaseByThePolicy(t *testing.T) {
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	ws := t.TempDir()
	if err := os.MkdirAll(filepath.Join(ws, ".github"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(ws, ".github", "releasegate.yml"), "release:\n  name: \"web@{short_sha}\"\n"+gatePolicyYAML)
	files := actionEnv(t, srv, ws, map[string]string{
		"environment": "production", "set_commits": "skip", "projects": "web", "gate": "true", "ownership": "off",
	})
	code, out, errOut := runMain(t, "action")
	if code != exitUndecided {
		t.Fatalf("exit %d, want 3 (pending: the release has not soaked)\n%s\n%s", code, out, errOut)
	}
	outs := readOutputs(t, files["GITHUB_OUTPUT"])
	if outs["release"] != "web@0123456789ab" || outs["gate"] != "pending" {
		t.Errorf("outputs = %v, want release web@0123456789ab (the policy's name) and gate pending", outs)
	}
	if _, ok := srv.Release("acme", "web@0123456789ab"); !ok {
		t.Error("the release was not created under the policy's name")
	}
	if !strings.Contains(out, "::warning title=releasegate gate::PENDING web@0123456789ab in production") {
		t.Errorf("no pending annotation:\n%s", out)
	}
}
