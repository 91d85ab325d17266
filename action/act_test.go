package action

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/testenv"
)

// The workflows under testdata/act run the action from this checkout in a real runner (act,
// host mode, offline). The action downloads its binary from a local server that serves a
// release built by scripts/build-release.sh, checks it against the checksums, and talks to a
// local Sentry (sentryapitest).

var (
	releaseOnce sync.Once
	releaseDir  string
	releaseErr  error
)

// pinnedVersion is the version action.yml downloads.
func pinnedVersion(t *testing.T, root string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s+RELEASEGATE_VERSION: (\S+)$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("action.yml pins no RELEASEGATE_VERSION")
	}
	return string(m[1])
}

// releaseAssets builds, once per test binary, the release assets of the pinned version for
// this machine, as the release workflow does.
func releaseAssets(t *testing.T, root, version string) string {
	t.Helper()
	releaseOnce.Do(func() {
		dir, err := os.MkdirTemp("", "releasegate-assets-")
		if err != nil {
			releaseErr = err
			return
		}
		releaseDir = dir
		cmd := exec.Command("bash", filepath.Join(root, "scripts", "build-release.sh"), version, dir, runtime.GOOS+"/"+runtime.GOARCH)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			releaseErr = err
			t.Logf("%s", out)
		}
	})
	if releaseErr != nil {
		t.Fatalf("building the release assets: %v", releaseErr)
	}
	return releaseDir
}

// releaseServer serves the assets at GitHub's download path and counts the downloads.
func releaseServer(t *testing.T, assets, version string) (base string, downloads func() []string) {
	t.Helper()
	var mu sync.Mutex
	var got []string
	prefix := "/releasegate/releasegate/releases/download/" + version + "/"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := strings.CutPrefix(r.URL.Path, prefix)
		if !ok || strings.Contains(name, "/") {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		got = append(got, name)
		mu.Unlock()
		http.ServeFile(w, r, filepath.Join(assets, name))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/releasegate/releasegate/releases/download", func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// actRun is one workflow run by act.
type actRun struct {
	code    int
	log     string
	outputs map[string]string
	report  map[string]any
}

// runWorkflow runs testdata/act/<name>.yml with act in a copy of the action (action.yml,
// action/) plus the files given, against srv.
func runWorkflow(t *testing.T, name string, srv *sentryapitest.Server, files map[string]string) actRun {
	t.Helper()
	act := testenv.Act(t)
	if _, err := exec.LookPath("git"); err != nil {
		testenv.Missing(t, "git", "install git")
	}
	root := testenv.RepoRoot(t)
	version := pinnedVersion(t, root)
	assets := releaseAssets(t, root, version)
	download, downloads := releaseServer(t, assets, version)

	src := t.TempDir()
	copyFile(t, filepath.Join(root, "action.yml"), filepath.Join(src, "action.yml"))
	copyFile(t, filepath.Join(root, "action", "install.sh"), filepath.Join(src, "action", "install.sh"))
	// The action's own pinned checksums, as scripts/pin-release.sh writes them on a release
	// commit: the installer verifies the download against this file only.
	copyFile(t, pinChecksums(t, assets, version, nil), filepath.Join(src, "action", "checksums.txt"))
	copyFile(t, filepath.Join(root, "testdata", "act", name+".yml"), filepath.Join(src, ".github", "workflows", name+".yml"))
	for rel, from := range files {
		copyTree(t, from, filepath.Join(src, rel))
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"}, {"add", "-A"},
		{"-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-q", "-m", "test"},
		{"remote", "add", "origin", "https://github.com/acme/web.git"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = src
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	// A GitHub API on loopback: the action needs no GitHub token and must not call the API
	// (its links come from the runner's environment), so any request fails the test.
	var apiMu sync.Mutex
	var apiCalls []string
	githubAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiMu.Lock()
		apiCalls = append(apiCalls, r.Method+" "+r.URL.Path)
		apiMu.Unlock()
		http.Error(w, "unexpected request", http.StatusTeapot)
	}))
	t.Cleanup(githubAPI.Close)
	defer func() {
		apiMu.Lock()
		defer apiMu.Unlock()
		if len(apiCalls) > 0 {
			t.Errorf("the action called the GitHub API: %v", apiCalls)
		}
	}()
	results, home := t.TempDir(), t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, act, "push", "-W", filepath.Join(".github", "workflows", name+".yml"),
		"-P", "ubuntu-latest=-self-hosted",
		"--env", "RELEASEGATE_SRC="+src, "--env", "RELEASEGATE_RESULTS="+results,
		"--env", "RELEASEGATE_DOWNLOAD_URL="+download, "--env", "GITHUB_API_URL="+githubAPI.URL,
		"--env", "SENTRY_URL="+srv.URL(), "--env", "TEST_SENTRY_TOKEN="+srv.Token())
	cmd.Dir = src
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, ".cache")}
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	err := cmd.Run()
	run := actRun{log: log.String(), outputs: map[string]string{}}
	if ctx.Err() != nil {
		t.Fatalf("act did not finish in 4 minutes:\n%s", run.log)
	}
	if err != nil {
		run.code = cmd.ProcessState.ExitCode()
	}
	if got := downloads(); len(got) != 1 || !strings.HasSuffix(got[0], ".tar.gz") {
		t.Errorf("the action downloaded %v, want the archive once (its checksum comes with the action)\n%s", got, run.log)
	}
	if !strings.Contains(run.log, "matches the action's pinned checksums") {
		t.Errorf("the installer did not verify the download against the action's checksums:\n%s", run.log)
	}
	if data, err := os.ReadFile(filepath.Join(results, "outputs.txt")); err == nil {
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if k, v, ok := strings.Cut(line, "="); ok {
				run.outputs[k] = v
			}
		}
	}
	if data, err := os.ReadFile(filepath.Join(results, "report.json")); err == nil {
		if err := json.Unmarshal(data, &run.report); err != nil {
			t.Errorf("the JSON report is not JSON: %v", err)
		}
	}
	return run
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(from)
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, st.Mode().Perm()); err != nil {
		t.Fatal(err)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		copyFile(t, p, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestActUploadReleaseDeploy: upload, release and deploy succeed, with the release named by
// action-release's version_prefix; the outputs (release, and action-release's version), the JSON
// report and the job summary say what was done.
func TestActUploadReleaseDeploy(t *testing.T) { //nolint:paralleltest // runs a whole workflow in act (minutes of CPU, a 4-minute limit): one act run at a time
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	root := testenv.RepoRoot(t)
	props := writeTemp(t, "sentry.properties", "defaults.project = web\n")
	run := runWorkflow(t, "upload", srv, map[string]string{
		"dist": filepath.Join(root, "testdata", "sample-build"), "sentry.properties": props,
	})
	if run.code != 0 {
		t.Fatalf("act exited %d:\n%s", run.code, run.log)
	}
	rel, ok := srv.Release("acme", "web@1.0.0")
	if !ok || len(rel.Deploys) != 1 || rel.Deploys[0] != "production" || rel.DateReleased.IsZero() || len(srv.Bundles()) != 1 {
		t.Fatalf("Sentry has release %+v (found %v) and %d bundles", rel, ok, len(srv.Bundles()))
	}
	if o := run.outputs; o["release"] != "web@1.0.0" || o["version"] != "web@1.0.0" || o["gate"] != "skipped" || o["uploaded"] == "0" || o["uploaded"] == "" ||
		o["debug-ids"] == "0" || !strings.HasSuffix(o["summary-url"], "/acme/web/actions/runs/1") {
		t.Errorf("outputs = %v\n%s", o, run.log)
	}
	if run.report["release"] != "web@1.0.0" {
		t.Errorf("report = %v", run.report)
	}
	for _, want := range []string{"releasegate: release `web@1.0.0`", "### Upload", "::group::releasegate: upload"} {
		if !strings.Contains(run.log, want) {
			t.Errorf("the log (with the job summary) lacks %q:\n%s", want, run.log)
		}
	}
}

// TestActGateFailsTheJob: a release seeded with a new TypeError at about 300 an hour fails the
// gate, and so the job; the gate's report is in the summary and the JSON report.
func TestActGateFailsTheJob(t *testing.T) { //nolint:paralleltest // runs a whole workflow in act (minutes of CPU, a 4-minute limit): one act run at a time
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	api, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: srv.Token(), HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	deployed := time.Now().UTC().Add(-10 * time.Minute)
	if _, _, err := api.CreateRelease(ctx, "acme", sentryapi.NewRelease{Version: "web@2.0.0", Projects: []string{"web"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := api.CreateDeploy(ctx, "acme", "web@2.0.0", sentryapi.NewDeploy{Environment: "production", DateStarted: &deployed, DateFinished: &deployed}); err != nil {
		t.Fatal(err)
	}
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: srv.DSN("web"), Release: "web@2.0.0", Environment: "production"})
	if err != nil {
		t.Fatal(err)
	}
	hub := sentry.NewHub(client, sentry.NewScope())
	for range 50 {
		hub.CaptureException(&typeError{"cart.items is undefined"})
	}
	if !client.Flush(10 * time.Second) {
		t.Fatal("sentry-go did not flush")
	}
	policy := writeTemp(t, "releasegate.yml", "environments:\n  production:\n    projects: [web]\n    soak: 5m\n    new_issues:\n      events_per_hour: 30\n")
	run := runWorkflow(t, "gate", srv, map[string]string{".github/releasegate.yml": policy})
	if run.code == 0 {
		t.Fatalf("act exited 0, want the failing gate to fail the job:\n%s", run.log)
	}
	if run.outputs["gate"] != "fail" {
		t.Errorf("gate output = %q, want fail\n%s", run.outputs["gate"], run.log)
	}
	g, _ := run.report["gate"].(map[string]any)
	if g == nil || g["verdict"] != "fail" || !strings.Contains(g["reason"].(string), "cart.items is undefined") {
		t.Errorf("the report's gate = %v", g)
	}
	for _, want := range []string{"❌", "cart.items is undefined", "xychart-beta"} {
		if !strings.Contains(run.log, want) {
			t.Errorf("the log (with the job summary) lacks %q:\n%s", want, run.log)
		}
	}
}

type typeError struct{ msg string }

func (e *typeError) Error() string { return e.msg }

// TestActBrokenMapFailsValidation: a broken map fails the job with an annotation naming the
// file, and nothing is sent to Sentry but the first phase's reads that check the token.
func TestActBrokenMapFailsValidation(t *testing.T) { //nolint:paralleltest // runs a whole workflow in act (minutes of CPU, a 4-minute limit): one act run at a time
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	root := testenv.RepoRoot(t)
	dist := filepath.Join(t.TempDir(), "dist")
	copyTree(t, filepath.Join(root, "testdata", "sample-build"), dist)
	mapPath := filepath.Join(dist, "main-7CDP6YMD.js.map")
	data, err := os.ReadFile(mapPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mapPath, bytes.Replace(data, []byte(`"mappings": "`), []byte(`"mappings": "!!!`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	run := runWorkflow(t, "broken", srv, map[string]string{"dist": dist})
	if run.code == 0 {
		t.Fatalf("act exited 0, want the broken map to fail the job:\n%s", run.log)
	}
	if !strings.Contains(run.log, "main-7CDP6YMD.js") || !strings.Contains(run.log, "vlq-invalid-character") {
		t.Errorf("no error annotation naming the map:\n%s", run.log)
	}
	for _, r := range srv.Requests() {
		if r.Method != http.MethodGet {
			t.Errorf("%s %s reached Sentry although validation failed", r.Method, r.Path)
		}
	}
}
