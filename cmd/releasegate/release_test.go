package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/testenv"
)

// t0 is the local Sentry's clock at the start of the release tests.
var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// releaseServer starts a local Sentry (organization acme, projects web and api, a manual clock)
// and points the in-process CLI at it from an empty working directory, so that no
// sentry.properties of the repository is read.
func releaseServer(t *testing.T) *cliEnv {
	t.Helper()
	srv := sentryEnv(t, sentryapitest.Start(t, sentryapitest.Options{Projects: []string{"web", "api"}, Now: t0}))
	srv.Vars["SENTRY_ORG"] = "acme"
	srv.Dir = t.TempDir()
	return srv
}

// rg runs the CLI and checks what must hold for every run: the token never shows, and a
// usage error prints nothing on stdout.
func rg(t *testing.T, srv *cliEnv, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	code, stdout, stderr = srv.run(t, "", args...)
	if strings.Contains(stdout+stderr, srv.Token()) {
		t.Errorf("the auth token was printed:\n%s\n%s", stdout, stderr)
	}
	if code == exitUsage && stdout != "" {
		t.Errorf("a usage error printed on stdout: %s", stdout)
	}
	return code, stdout, stderr
}

// mustRG runs the CLI and fails the test unless it exits 0.
func mustRG(t *testing.T, srv *cliEnv, args ...string) string {
	t.Helper()
	code, out, errOut := rg(t, srv, args...)
	if code != exitOK {
		t.Fatalf("releasegate %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func sentryClient(t *testing.T, srv *cliEnv) *sentryapi.Client {
	t.Helper()
	c, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: srv.Token()})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func serverRelease(t *testing.T, srv *cliEnv, version string) sentryapitest.Release {
	t.Helper()
	r, ok := srv.Release("acme", version)
	if !ok {
		t.Fatalf("release %s does not exist on the server", version)
	}
	return r
}

// lastBody decodes the body of the last request with the method and path suffix.
func lastBody(t *testing.T, srv *cliEnv, method, pathSuffix string, v any) {
	t.Helper()
	reqs := srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Method == method && strings.HasSuffix(reqs[i].Path, pathSuffix) {
			if err := json.Unmarshal(reqs[i].Body, v); err != nil {
				t.Fatalf("%s %s body: %v", method, reqs[i].Path, err)
			}
			return
		}
	}
	t.Fatalf("no %s request to …%s", method, pathSuffix)
}

func TestReleaseNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(t *testing.T, srv *cliEnv)
		args     []string
		wantOut  string
		projects []string
		url      string
		final    bool
	}{
		{
			name: "two projects", args: []string{"release", "new", "web@1.0.0", "-p", "web", "-p", "api"},
			wantOut: "created release web@1.0.0 for 2 projects (web, api)\n", projects: []string{"web", "api"},
		},
		{
			name: "name from SENTRY_RELEASE, project from SENTRY_PROJECT, with a URL",
			setup: func(t *testing.T, srv *cliEnv) {
				srv.Vars["SENTRY_RELEASE"] = "web@1.0.0"
				srv.Vars["SENTRY_PROJECT"] = "web"
			},
			args:    []string{"release", "new", "--url", "https://github.com/acme/web/releases/tag/v1.0.0"},
			wantOut: "created release web@1.0.0 for 1 project (web)\n", projects: []string{"web"},
			url: "https://github.com/acme/web/releases/tag/v1.0.0",
		},
		{
			name: "an existing release is fine and gains the project",
			setup: func(t *testing.T, srv *cliEnv) {
				mustRG(t, srv, "release", "new", "web@1.0.0", "-p", "web")
			},
			args:    []string{"release", "new", "web@1.0.0", "-p", "api"},
			wantOut: "release web@1.0.0 already exists; it has 2 projects (web, api)\n", projects: []string{"web", "api"},
		},
		{
			name: "an existing release gets the URL asked for",
			setup: func(t *testing.T, srv *cliEnv) {
				mustRG(t, srv, "release", "new", "web@1.0.0", "-p", "web")
			},
			args:    []string{"release", "new", "web@1.0.0", "-p", "web", "--url", "https://example.com/changelog"},
			wantOut: "release web@1.0.0 already exists; it has 1 project (web)\n", projects: []string{"web"}, url: "https://example.com/changelog",
		},
		{
			name: "project from sentry.properties, finalized at once",
			setup: func(t *testing.T, srv *cliEnv) {
				writeFile(t, filepath.Join(srv.Dir, "sentry.properties"), "defaults.project=api\n")
			},
			args:    []string{"release", "new", "api@2.0.0", "--finalize"},
			wantOut: "created release api@2.0.0 for 1 project (api); finalized at ", projects: []string{"api"}, final: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := releaseServer(t)
			if tt.setup != nil {
				tt.setup(t, srv)
			}
			out := mustRG(t, srv, tt.args...)
			if !strings.HasPrefix(out, tt.wantOut) || strings.Count(out, "\n") != 1 {
				t.Errorf("stdout %q, want one line starting %q", out, tt.wantOut)
			}
			version := "web@1.0.0"
			if tt.final {
				version = "api@2.0.0"
			}
			r := serverRelease(t, srv, version)
			if !slices.Equal(r.Projects, tt.projects) || r.URL != tt.url {
				t.Errorf("server: projects %v url %q; want %v %q", r.Projects, r.URL, tt.projects, tt.url)
			}
			if tt.final != !r.DateReleased.IsZero() {
				t.Errorf("server: dateReleased %v, finalized want %v", r.DateReleased, tt.final)
			}
			if tt.final && time.Since(r.DateReleased) > time.Minute {
				t.Errorf("finalized at %v, want now", r.DateReleased)
			}
		})
	}
}

// TestReleaseSentryErrors: Sentry's refusals say what failed and what to check; those of the
// configuration (the token, its scopes, an organization, project or release Sentry does not
// know) exit 2, never 3, since no retry can fix them; a server error exits 3.
func TestReleaseSentryErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, srv *cliEnv)
		args  []string
		want  []string
		code  int
	}{
		{"unknown project", nil, []string{"release", "new", "web@1", "-p", "nope"},
			[]string{"creating release web@1", "400", "check that the projects (nope) exist in organization \"acme\""}, exitUsage},
		{"wrong token", func(t *testing.T, srv *cliEnv) { srv.Vars["SENTRY_AUTH_TOKEN"] = "sntryu_wrong" },
			[]string{"release", "new", "web@1", "-p", "web"}, []string{"401", "check SENTRY_AUTH_TOKEN", "docs/sentry-token.md"}, exitUsage},
		{"wrong organization", nil, []string{"release", "info", "web@1", "--org", "acne"},
			[]string{"reading release web@1", "404", `check the organization slug "acne"`}, exitUsage},
		{"release not created", nil, []string{"release", "finalize", "web@9"},
			[]string{"finalizing release web@9", "404", "create it first"}, exitUsage},
		{"deploy of a missing release", nil, []string{"release", "deploy", "web@9", "--env", "production"},
			[]string{"recording the deploy of release web@9 to production", "404"}, exitUsage},
		{"token without release scope", func(t *testing.T, srv *cliEnv) {
			srv.AddToken("sntryu_readonly", "project:read")
			srv.Vars["SENTRY_AUTH_TOKEN"] = "sntryu_readonly"
		}, []string{"release", "new", "web@1", "-p", "web"}, []string{"403", "project:releases", "org:ci", "organization acme"}, exitUsage},
		{"deploy to a project not in the release", func(t *testing.T, srv *cliEnv) {
			mustRG(t, srv, "release", "new", "web@1", "-p", "web")
		}, []string{"release", "deploy", "web@1", "--env", "production", "-p", "api"}, []string{"400", "Invalid projects", "names the field it refused"}, exitUsage},
		{"server error on a deploy (not retried: it may have been recorded)", func(t *testing.T, srv *cliEnv) {
			mustRG(t, srv, "release", "new", "web@1", "-p", "web")
			srv.InjectFault(sentryapitest.Fault{Method: http.MethodPost, Path: "/api/0/organizations/acme/releases/web@1/deploys/", Status: http.StatusInternalServerError})
		}, []string{"release", "deploy", "web@1", "--env", "production"}, []string{"500", "may or may not have done it"}, exitUndecided},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := releaseServer(t)
			if tt.setup != nil {
				tt.setup(t, srv)
			}
			code, out, errOut := rg(t, srv, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr does not say %q:\n%s", w, errOut)
				}
			}
			if out != "" {
				t.Errorf("stdout on failure: %q", out)
			}
		})
	}
}

// TestAllowInsecure: --allow-insecure lets a plain http:// Sentry on another machine be used
// (here it is not there, so the command gets as far as trying, exit 3); without it the command
// stops before any request (TestReleaseUsageErrors).
func TestAllowInsecure(t *testing.T) {
	t.Parallel()
	srv := releaseServer(t)
	srv.Vars["SENTRY_HTTP_MAX_RETRIES"] = "0"
	srv.Vars["SENTRY_URL"] = "http://sentry.internal.invalid:9000/"
	code, out, errOut := rg(t, srv, "release", "info", "web@1", "--allow-insecure")
	if code != exitUndecided || strings.Contains(errOut, "plain http") || !strings.Contains(errOut, "sentry.internal.invalid") {
		t.Fatalf("exit %d, want 3 trying to reach the server\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}

// TestCommandTimeout: a server that never answers holds a command no longer than its
// --timeout; it exits 3 naming the limit and the request that was waiting.
func TestCommandTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
		args []string
	}{
		{"release info", "/api/0/organizations/acme/releases/web@1/", []string{"release", "info", "web@1", "--timeout", "300ms"}},
		{"gate", "/api/0/organizations/acme/releases/web@1/", []string{"gate", "--release", "web@1", "--environment", "production", "--policy", "policy.yml", "--timeout", "300ms", "--on-error", "pass"}},
		{"sentry check", "/api/0/", []string{"sentry", "check", "--for", "release", "--timeout", "300ms"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := releaseServer(t)
			mustRG(t, srv, "release", "new", "web@1", "-p", "web")
			writeFile(t, filepath.Join(srv.Dir, "policy.yml"), "environments:\n  production:\n    projects: [web]\n    new_issues: {events_per_hour: 10}\n")
			srv.InjectFault(sentryapitest.Fault{Method: http.MethodGet, Path: tt.path, Delay: 5 * time.Second})
			start := time.Now()
			code, out, errOut := rg(t, srv, tt.args...)
			el := time.Since(start)
			if code != exitUndecided {
				t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
			}
			if el > 3*time.Second {
				t.Errorf("took %s, want about the 300ms limit", el)
			}
			all := out + errOut
			for _, w := range []string{"time limit of 300ms (--timeout) passed", "while this request was waiting", "GET"} {
				if !strings.Contains(all, w) {
					t.Errorf("output does not say %q:\n%s", w, all)
				}
			}
		})
	}
}

// TestReleaseMalformedAnswers: an answer that is not what Sentry's API describes (null, {}, a
// release without its version, HTML) is could-not-decide, exit 3, never an empty release
// printed as if it were one.
func TestReleaseMalformedAnswers(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`null`, `{}`, `{"id": "1", "status": "open"}`, `<html>login</html>`, `[]`} {
		t.Run(body, func(t *testing.T) {
			t.Parallel()
			srv := releaseServer(t)
			mustRG(t, srv, "release", "new", "web@1", "-p", "web")
			srv.InjectFault(sentryapitest.Fault{Method: http.MethodGet, Path: "/api/0/organizations/acme/releases/web@1/", Status: http.StatusOK, Body: body,
				Header: http.Header{"Content-Type": {"application/json"}}})
			for _, format := range []string{"human", "json"} {
				code, out, errOut := rg(t, srv, "release", "info", "web@1", "--format", format)
				if code != exitUndecided {
					t.Fatalf("--format %s: exit %d, want 3\nstdout:\n%s\nstderr:\n%s", format, code, out, errOut)
				}
				if out != "" || !strings.Contains(errOut, "unexpected answer") {
					t.Errorf("--format %s: want nothing on stdout and the unexpected answer named:\nstdout:\n%s\nstderr:\n%s", format, out, errOut)
				}
			}
		})
	}
}

// TestReleaseUnreachable: a Sentry that is not there exits 3 and names the server to check.
// SENTRY_HTTP_MAX_RETRIES (read as sentry-cli reads it) keeps the client from retrying the
// refused connection for the default ~15 seconds; that the setting is honoured is part of the test.
func TestReleaseUnreachable(t *testing.T) {
	t.Parallel()
	srv := releaseServer(t)
	srv.Vars["SENTRY_HTTP_MAX_RETRIES"] = "1"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	srv.Vars["SENTRY_URL"] = "http://" + addr
	start := time.Now()
	code, _, errOut := rg(t, srv, "release", "new", "web@1", "-p", "web")
	if code != exitUndecided || !strings.Contains(errOut, "is reachable") || !strings.Contains(errOut, addr) {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
	if !strings.Contains(errOut, "2 attempts") {
		t.Errorf("SENTRY_HTTP_MAX_RETRIES=1 should give 2 attempts; stderr:\n%s", errOut)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s with one retry", d)
	}
}

// TestReleaseUsageErrors: mistakes on the command line or in the configuration exit 2 with a
// message that says what to do, before anything is sent to Sentry.
func TestReleaseUsageErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, srv *cliEnv)
		args  []string
		want  string
	}{
		{"no release name", nil, []string{"release", "finalize"}, "give it as the first argument or set SENTRY_RELEASE"},
		{"SENTRY_RELEASE is a git ref", func(t *testing.T, srv *cliEnv) { srv.Vars["SENTRY_RELEASE"] = "refs/tags/v1.0.0" }, []string{"release", "finalize"}, "github.ref_name"},
		{"invalid release name", nil, []string{"release", "new", "a/b", "-p", "web"}, "does not allow '/'"},
		{"two names", nil, []string{"release", "info", "a", "b"}, "too many arguments"},
		{"no project for new", nil, []string{"release", "new", "web@1"}, "missing a project"},
		{"no organization", func(t *testing.T, srv *cliEnv) { delete(srv.Vars, "SENTRY_ORG") }, []string{"release", "info", "web@1"}, "missing an organization"},
		{"no token", func(t *testing.T, srv *cliEnv) { delete(srv.Vars, "SENTRY_AUTH_TOKEN") }, []string{"release", "info", "web@1"}, "missing an auth token"},
		{"unknown flag", nil, []string{"release", "info", "web@1", "--url", "https://sentry.example.com"}, "unknown flag: --url"},
		{"plain http Sentry on another machine", func(t *testing.T, srv *cliEnv) { srv.Vars["SENTRY_URL"] = "http://sentry.internal.example:9000/" },
			[]string{"release", "info", "web@1"}, "uses plain http, so the auth token would cross the network unencrypted; use https://, or allow it explicitly (--allow-insecure)"},
		{"plain http Sentry for an upload", func(t *testing.T, srv *cliEnv) { srv.Vars["SENTRY_URL"] = "http://sentry.internal.example:9000/" },
			[]string{"sourcemaps", "upload", "--release", "web@1", "-p", "web", "."}, "uses plain http"},
		{"unknown format", nil, []string{"release", "info", "web@1", "--format", "yaml"}, "unknown --format"},
		{"neither --auto nor --commit", nil, []string{"release", "set-commits", "web@1"}, "--auto (from the local git history) or --commit"},
		{"both --auto and --commit", nil, []string{"release", "set-commits", "web@1", "--auto", "--commit", "a/b@" + strings.Repeat("a", 40)}, "not both"},
		{"--commit without a SHA", nil, []string{"release", "set-commits", "web@1", "--commit", "acme/web"}, "want REPO@SHA"},
		{"--commit with three dots", nil, []string{"release", "set-commits", "web@1", "--commit", "acme/web@a...b"}, "two dots"},
		{"--commit twice for a repository", nil, []string{"release", "set-commits", "web@1", "--commit", "a/b@" + strings.Repeat("a", 40), "--commit", "a/b@" + strings.Repeat("b", 40)}, "given twice"},
		{"--commit with a tag outside a repository", outsideGit, []string{"release", "set-commits", "web@1", "--commit", "acme/web@v1.0.0"}, "give the 40-character SHA"},
		{"--ignore-missing with --commit", nil, []string{"release", "set-commits", "web@1", "--commit", "a/b@" + strings.Repeat("a", 40), "--ignore-missing"}, "--ignore-missing goes with --auto"},
		{"--initial-depth 0", nil, []string{"release", "set-commits", "web@1", "--auto", "--initial-depth", "0"}, "at least 1"},
		{"--auto outside a git repository", outsideGit, []string{"release", "set-commits", "web@1", "--auto"}, "is not inside a git repository"},
		{"--released is not a time", nil, []string{"release", "finalize", "web@1", "--released", "yesterday"}, "want Unix seconds (1714564800) or RFC 3339"},
		{"--started in milliseconds", nil, []string{"release", "deploy", "web@1", "--env", "prod", "--started", "1714564800000"}, "milliseconds?"},
		{"--started after --finished", nil, []string{"release", "deploy", "web@1", "--env", "prod", "--started", "2024-05-01T13:00:00Z", "--finished", "2024-05-01T12:00:00Z"}, "is after --finished"},
		{"no environment", nil, []string{"release", "deploy", "web@1"}, "give --env"},
		{"environment with a slash", nil, []string{"release", "deploy", "web@1", "--env", "prod/eu"}, "does not allow '/'"},
		{"environment of 65 characters", nil, []string{"release", "deploy", "web@1", "--env", strings.Repeat("e", 65)}, "at most 64 characters, this has 65"},
		{"deploy name of 65 characters", nil, []string{"release", "deploy", "web@1", "--env", "prod", "--name", strings.Repeat("n", 65)}, "--name: deploy name"},
		{"release name of 201 characters", nil, []string{"release", "new", strings.Repeat("r", 201), "-p", "web"}, "at most 200 characters, this has 201"},
		{"release named latest", nil, []string{"release", "new", "Latest", "-p", "web"}, `reserves "latest"`},
		{"dist of 65 characters", nil, []string{"sourcemaps", "upload", "--release", "web@1", "--dist", strings.Repeat("d", 65), "-p", "web", "."}, "dist (from flag)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := releaseServer(t)
			if tt.setup != nil {
				tt.setup(t, srv)
			}
			code, _, errOut := rg(t, srv, tt.args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\nstderr:\n%s", code, exitUsage, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, errOut)
			}
			if n := len(srv.Requests()); n > 0 {
				t.Errorf("%d requests reached Sentry before the usage error", n)
			}
		})
	}
}

// outsideGit keeps git from finding a repository above the test's working folder: git runs
// with the CLI's environment (Factory.Environ), so this changes nothing else.
func outsideGit(_ *testing.T, srv *cliEnv) {
	srv.Vars["GIT_CEILING_DIRECTORIES"] = filepath.Dir(srv.Dir)
}

// testRepo is a real git repository in a temporary folder, with a fixed author and clock and
// without the machine's git configuration.
type testRepo struct {
	t    *testing.T
	dir  string
	tick int
}

func newTestRepo(t *testing.T, origin string) *testRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		testenv.Missing(t, "git", "install git")
	}
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	if origin != "" {
		r.git("remote", "add", "origin", origin)
	}
	return r
}

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return gitIn(r.t, r.dir, r.tick, args...)
}

func gitIn(t *testing.T, dir string, tick int, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	date := t0.Add(-time.Hour).Add(time.Duration(tick) * time.Minute).Format(time.RFC3339)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=Ada@Example.com", "GIT_AUTHOR_DATE="+date,
		"GIT_COMMITTER_NAME=CI", "GIT_COMMITTER_EMAIL=ci@example.com", "GIT_COMMITTER_DATE="+date)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// commit changes one file per commit (a file named after the message) and returns the SHA.
func (r *testRepo) commit(msg string) string {
	r.t.Helper()
	r.tick++
	name := strings.ReplaceAll(msg, " ", "-") + ".txt"
	writeFile(r.t, filepath.Join(r.dir, name), msg+"\n")
	r.git("add", name)
	r.git("commit", "-q", "-m", msg)
	return r.git("rev-parse", "HEAD")
}

// releaseCommits lists a release's commits from the server: "repo@sha message <email>".
func releaseCommits(t *testing.T, srv *cliEnv, version string) []string {
	t.Helper()
	var out []string
	err := sentryClient(t, srv).ListReleaseCommits(context.Background(), "acme", version, func(page []sentryapi.ReleaseCommit) error {
		for _, c := range page {
			line := c.Repository.Name + "@" + c.ID + " " + c.Message
			if c.Author != nil {
				line += " <" + c.Author.Email + ">"
			}
			out = append(out, line)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func commitLines(repo string, shaAndMsg ...string) []string {
	var out []string
	for i := 0; i < len(shaAndMsg); i += 2 {
		out = append(out, fmt.Sprintf("%s@%s %s <ada@example.com>", repo, shaAndMsg[i], shaAndMsg[i+1]))
	}
	return out
}

// sentCommits decodes the commits of the last set-commits request of a release.
type sentCommit struct {
	ID         string `json:"id"`
	Repository string `json:"repository"`
	Timestamp  string `json:"timestamp"`
	PatchSet   []struct {
		Path string `json:"path"`
		Type string `json:"type"`
	} `json:"patch_set"`
}

func sentCommits(t *testing.T, srv *cliEnv, version string) []sentCommit {
	t.Helper()
	var body struct {
		Commits []sentCommit `json:"commits"`
	}
	lastBody(t, srv, http.MethodPut, "/releases/"+version+"/", &body)
	return body.Commits
}

// TestReleaseSetCommitsAuto follows a repository across releases: the first release gets the
// history (at most --initial-depth commits), the next ones only the commits since the
// previous release's head, found through Sentry; a release at the same HEAD gets none.
func TestReleaseSetCommitsAuto(t *testing.T) {
	t.Parallel()
	srv := releaseServer(t)
	repo := newTestRepo(t, "https://github.com/Acme/Web.git")
	c1 := repo.commit("first")
	c2 := repo.commit("second")
	c3 := repo.commit("third")
	srv.Dir = repo.dir

	// Release 1: no earlier release, so the history up to --initial-depth.
	mustRG(t, srv, "release", "new", "web@1", "-p", "web")
	out := mustRG(t, srv, "release", "set-commits", "web@1", "--auto", "--initial-depth", "2")
	want := fmt.Sprintf("attached 2 commits of acme/web (%s..%s) to release web@1: no earlier release has commits of acme/web, so the last 2 at most\n", c2[:12], c3[:12])
	if out != want {
		t.Errorf("stdout\n%q, want\n%q", out, want)
	}
	if got, want := releaseCommits(t, srv, "web@1"), commitLines("acme/web", c3, "third", c2, "second"); !slices.Equal(got, want) {
		t.Errorf("web@1 commits on the server:\n%v\nwant\n%v", got, want)
	}
	sent := sentCommits(t, srv, "web@1")
	if len(sent) != 2 || sent[0].Repository != "acme/web" || len(sent[0].PatchSet) != 1 ||
		sent[0].PatchSet[0].Path != "third.txt" || sent[0].PatchSet[0].Type != "A" || !strings.HasPrefix(sent[0].Timestamp, "2024-05-01T11:03:00") {
		t.Errorf("sent %+v", sent)
	}
	// Again, with the default depth: idempotent, and now the whole (short) history.
	mustRG(t, srv, "release", "set-commits", "web@1", "--auto")
	if got, want := releaseCommits(t, srv, "web@1"), commitLines("acme/web", c3, "third", c2, "second", c1, "first"); !slices.Equal(got, want) {
		t.Errorf("web@1 commits after a second run:\n%v\nwant\n%v", got, want)
	}

	// Release 2, two commits later: exactly those two, newest first.
	srv.Advance(time.Hour)
	c4 := repo.commit("fourth")
	c5 := repo.commit("fifth")
	mustRG(t, srv, "release", "new", "web@2", "-p", "web", "-p", "api")
	out = mustRG(t, srv, "release", "set-commits", "web@2", "--auto")
	want = fmt.Sprintf("attached 2 commits of acme/web (%s..%s) to release web@2: since %s of release web@1\n", c4[:12], c5[:12], c3[:12])
	if out != want {
		t.Errorf("stdout\n%q, want\n%q", out, want)
	}
	r2 := serverRelease(t, srv, "web@2")
	if want := []string{"acme/web@" + c5, "acme/web@" + c4}; !slices.Equal(r2.Commits, want) {
		t.Errorf("web@2 commits %v, want %v", r2.Commits, want)
	}
	// Running it again does not take web@2 itself as its previous release.
	mustRG(t, srv, "release", "set-commits", "web@2", "--auto")
	if got := serverRelease(t, srv, "web@2").Commits; len(got) != 2 {
		t.Errorf("web@2 commits after a second run: %v", got)
	}
	// web@1 is untouched.
	if got := serverRelease(t, srv, "web@1").Commits; len(got) != 3 {
		t.Errorf("web@1 commits changed: %v", got)
	}

	// A release of another project does not count as the previous one of web.
	srv.Advance(time.Hour)
	mustRG(t, srv, "release", "new", "other@1", "-p", "api")
	c6 := repo.commit("sixth")
	srv.Advance(time.Hour)
	mustRG(t, srv, "release", "new", "web@3", "-p", "web")
	out = mustRG(t, srv, "release", "set-commits", "web@3", "--auto")
	if !strings.Contains(out, "attached 1 commit of acme/web") || !strings.Contains(out, "since "+c5[:12]+" of release web@2") {
		t.Errorf("web@3: %s", out)
	}
	if got := serverRelease(t, srv, "web@3").Commits; !slices.Equal(got, []string{"acme/web@" + c6}) {
		t.Errorf("web@3 commits %v", got)
	}

	// A release at the same HEAD: nothing new, nothing sent, exit 0.
	srv.Advance(time.Hour)
	mustRG(t, srv, "release", "new", "web@3-hotfix", "-p", "web")
	srv.ResetRequests()
	out = mustRG(t, srv, "release", "set-commits", "web@3-hotfix", "--auto")
	if !strings.HasPrefix(out, "no new commits of acme/web since "+c6[:12]+" of release web@3") {
		t.Errorf("same HEAD: %s", out)
	}
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPut {
			t.Errorf("sent %s %s although there was nothing new", r.Method, r.Path)
		}
	}
}

// TestReleaseSetCommitsRepoName: the repository is named after --remote or --repo.
func TestReleaseSetCommitsRepoName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		remotes  [][2]string
		args     []string
		env      string
		wantRepo string
		wantCode int
		wantErr  string
	}{
		{"origin over ssh", [][2]string{{"origin", "git@github.com:acme/web.git"}}, nil, "", "acme/web", exitOK, ""},
		{"--remote", [][2]string{{"origin", "git@github.com:fork/web.git"}, {"upstream", "https://gitlab.com/acme/sub/web"}}, []string{"--remote", "upstream"}, "", "acme/sub/web", exitOK, ""},
		{"SENTRY_VCS_REMOTE", [][2]string{{"upstream", "https://github.com/acme/api"}}, nil, "upstream", "acme/api", exitOK, ""},
		{"--repo keeps its case", nil, []string{"--repo", "Acme/Web"}, "", "Acme/Web", exitOK, ""},
		{"no origin", nil, nil, "", "", exitUsage, `has no remote "origin"`},
		{"local remote", [][2]string{{"origin", "/srv/git/web.git"}}, nil, "", "", exitUsage, "name the repository with --repo"},
		{"token in the remote URL stays hidden", [][2]string{{"origin", "https://ci:s3cret-token@example.com/web"}}, nil, "", "", exitUsage, "ci:xxxxx@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := releaseServer(t)
			repo := newTestRepo(t, "")
			for _, rm := range tt.remotes {
				repo.git("remote", "add", rm[0], rm[1])
			}
			head := repo.commit("only")
			if tt.env != "" {
				srv.Vars["SENTRY_VCS_REMOTE"] = tt.env
			}
			mustRG(t, srv, "release", "new", "web@1", "-p", "web")
			srv.Dir = repo.dir
			code, out, errOut := rg(t, srv, append([]string{"release", "set-commits", "web@1", "--auto"}, tt.args...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, out, errOut)
			}
			if tt.wantErr != "" {
				if !strings.Contains(errOut, tt.wantErr) || strings.Contains(errOut, "s3cret") {
					t.Errorf("stderr %q, want it to say %q (and no password)", errOut, tt.wantErr)
				}
				return
			}
			if got := serverRelease(t, srv, "web@1").Commits; !slices.Equal(got, []string{tt.wantRepo + "@" + head}) {
				t.Errorf("commits %v, want repository %s", got, tt.wantRepo)
			}
		})
	}
}

// TestReleaseSetCommitsMissingPrevious: the previous release's commit is not in the local
// history (a shallow CI checkout, or history rewritten). Without --ignore-missing that is an
// error that says how to fix it; with it, the last commits are sent with a warning, and a
// shallow clone's boundary commit is sent without the bogus "every file added" patch set.
func TestReleaseSetCommitsMissingPrevious(t *testing.T) {
	t.Parallel()
	setup := func(t *testing.T) (srv *cliEnv, upstream *testRepo, c3 string) {
		srv = releaseServer(t)
		upstream = newTestRepo(t, "https://github.com/acme/web.git")
		upstream.commit("first")
		upstream.commit("second")
		c3 = upstream.commit("third")
		mustRG(t, srv, "release", "new", "web@1", "-p", "web")
		srv.Dir = upstream.dir
		mustRG(t, srv, "release", "set-commits", "web@1", "--auto")
		upstream.commit("fourth")
		upstream.commit("fifth")
		srv.Advance(time.Hour)
		mustRG(t, srv, "release", "new", "web@2", "-p", "web")
		return srv, upstream, c3
	}

	t.Run("shallow clone", func(t *testing.T) {
		t.Parallel()
		srv, upstream, c3 := setup(t)
		clone := filepath.Join(t.TempDir(), "clone")
		gitIn(t, filepath.Dir(clone), 0, "clone", "-q", "--depth", "1", "file://"+upstream.dir, clone)
		gitIn(t, clone, 0, "remote", "set-url", "origin", "https://github.com/acme/web.git")
		head := gitIn(t, clone, 0, "rev-parse", "HEAD")
		srv.Dir = clone

		code, _, errOut := rg(t, srv, "release", "set-commits", "web@2", "--auto")
		if code != exitUsage {
			t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitUsage, errOut)
		}
		for _, w := range []string{c3[:12], "release web@1", "shallow clone", "fetch-depth: 0", "--ignore-missing"} {
			if !strings.Contains(errOut, w) {
				t.Errorf("stderr does not say %q:\n%s", w, errOut)
			}
		}
		if got := serverRelease(t, srv, "web@2").Commits; len(got) != 0 {
			t.Errorf("commits were attached: %v", got)
		}

		code, out, errOut := rg(t, srv, "release", "set-commits", "web@2", "--auto", "--ignore-missing")
		if code != exitOK {
			t.Fatalf("--ignore-missing: exit %d\n%s", code, errOut)
		}
		if !strings.Contains(errOut, "warning: commit "+c3[:12]) || !strings.Contains(errOut, "sending the last 20 commits instead") {
			t.Errorf("no warning on stderr:\n%s", errOut)
		}
		if !strings.Contains(out, "attached 1 commit of acme/web") {
			t.Errorf("stdout: %s", out)
		}
		if got := serverRelease(t, srv, "web@2").Commits; !slices.Equal(got, []string{"acme/web@" + head}) {
			t.Errorf("commits %v, want only HEAD %s", got, head)
		}
		if sent := sentCommits(t, srv, "web@2"); len(sent) != 1 || len(sent[0].PatchSet) != 0 {
			t.Errorf("the boundary commit was sent with a patch set: %+v", sent)
		}
	})

	t.Run("history rewritten", func(t *testing.T) {
		t.Parallel()
		srv, upstream, c3 := setup(t)
		// Replace the history after "first": web@1's head is gone from this checkout.
		upstream.git("reset", "-q", "--hard", "HEAD~4")
		upstream.git("reflog", "expire", "--expire=now", "--all")
		upstream.git("gc", "-q", "--prune=now")
		upstream.commit("rewritten")

		code, _, errOut := rg(t, srv, "release", "set-commits", "web@2", "--auto")
		if code != exitUsage || !strings.Contains(errOut, c3[:12]) || !strings.Contains(errOut, "amended, squashed or force-pushed") {
			t.Fatalf("exit %d; stderr:\n%s", code, errOut)
		}
		mustRG(t, srv, "release", "set-commits", "web@2", "--auto", "--ignore-missing", "--initial-depth", "1")
		if got := serverRelease(t, srv, "web@2").Commits; len(got) != 1 {
			t.Errorf("commits %v, want 1 (--initial-depth 1)", got)
		}
	})
}

// TestReleaseSetCommitsManual: --commit sets head commits (refs) for Sentry's integration,
// resolving tags and HEAD in the local repository.
func TestReleaseSetCommitsManual(t *testing.T) {
	t.Parallel()
	srv := releaseServer(t)
	srv.AddRepository("acme", "acme/web")
	srv.AddRepository("acme", "acme/api")
	repo := newTestRepo(t, "https://github.com/acme/web.git")
	c1 := repo.commit("first")
	repo.git("tag", "v1.0.0")
	c2 := repo.commit("second")
	srv.Dir = repo.dir
	mustRG(t, srv, "release", "new", "web@2", "-p", "web")

	out := mustRG(t, srv, "release", "set-commits", "web@2", "--commit", "acme/web@v1.0.0..HEAD", "--commit", "acme/api@"+strings.ToUpper(c1))
	want := fmt.Sprintf("set the head commits of release web@2: acme/web@%s..%s, acme/api@%s; Sentry fetches the commits in between through its repository integration\n", c1[:12], c2[:12], c1[:12])
	if out != want {
		t.Errorf("stdout\n%q, want\n%q", out, want)
	}
	r := serverRelease(t, srv, "web@2")
	wantRefs := []sentryapitest.ReleaseRef{{Repository: "acme/web", Commit: c2, PreviousCommit: c1}, {Repository: "acme/api", Commit: c1}}
	if !slices.Equal(r.Refs, wantRefs) {
		t.Errorf("refs %+v, want %+v", r.Refs, wantRefs)
	}

	// A repository Sentry does not know is the configuration's to fix: exit 2, not an outage.
	code, _, errOut := rg(t, srv, "release", "set-commits", "web@2", "--commit", "acme/unknown@"+c2)
	if code != exitUsage || !strings.Contains(errOut, "Invalid repository names: acme/unknown") || !strings.Contains(errOut, "use --auto") {
		t.Errorf("unknown repository: exit %d\n%s", code, errOut)
	}
	code, _, errOut = rg(t, srv, "release", "set-commits", "web@2", "--commit", "acme/web@no-such-tag")
	if code != exitUsage || !strings.Contains(errOut, "does not have it") {
		t.Errorf("unknown tag: exit %d\n%s", code, errOut)
	}
}

func TestReleaseFinalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    time.Time // zero: now
		wantOut string
	}{
		{"now", nil, time.Time{}, "finalized release web@1 (released "},
		{"RFC 3339 with an offset", []string{"--released", "2024-05-01T14:30:00+02:00"}, time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC), "finalized release web@1 (released 2024-05-01T12:30:00Z)\n"},
		{"Unix seconds", []string{"--released", "1714564800"}, time.Unix(1714564800, 0), "finalized release web@1 (released 2024-05-01T12:00:00Z)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := releaseServer(t)
			mustRG(t, srv, "release", "new", "web@1", "-p", "web")
			out := mustRG(t, srv, append([]string{"release", "finalize", "web@1"}, tt.args...)...)
			if !strings.HasPrefix(out, tt.wantOut) {
				t.Errorf("stdout %q, want %q", out, tt.wantOut)
			}
			got := serverRelease(t, srv, "web@1").DateReleased
			if tt.want.IsZero() {
				if time.Since(got) > time.Minute || time.Since(got) < -time.Second {
					t.Errorf("dateReleased %v, want now", got)
				}
			} else if !got.Equal(tt.want) {
				t.Errorf("dateReleased %v, want %v", got, tt.want)
			}
		})
	}
}

func TestReleaseDeploy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		env      string // SENTRY_ENVIRONMENT
		args     []string
		wantOut  string
		want     sentryapi.Deploy
		projects []string
	}{
		{
			name: "environment, name, URL and times", args: []string{"--env", "production", "--name", "run 812", "--url", "https://ci.example.com/runs/812",
				"--started", "1714564800", "--finished", "2024-05-01T12:05:00Z"},
			wantOut: `recorded deploy of release web@1 to production (name "run 812", started 2024-05-01T12:00:00Z, finished 2024-05-01T12:05:00Z, https://ci.example.com/runs/812)` + "\n",
			want: sentryapi.Deploy{Environment: "production", Name: "run 812", URL: "https://ci.example.com/runs/812",
				DateStarted: ptr(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)), DateFinished: ptr(time.Date(2024, 5, 1, 12, 5, 0, 0, time.UTC))},
		},
		{
			name: "SENTRY_ENVIRONMENT, finished now (by the server's clock)", env: "staging",
			wantOut: "recorded deploy of release web@1 to staging (finished 2024-05-01T12:00:00Z)\n",
			want:    sentryapi.Deploy{Environment: "staging", DateFinished: ptr(t0)},
		},
		{
			name: "limited to one project", args: []string{"-e", "production", "-p", "api"},
			wantOut:  "recorded deploy of release web@1 to production (finished 2024-05-01T12:00:00Z)\n",
			want:     sentryapi.Deploy{Environment: "production", DateFinished: ptr(t0)},
			projects: []string{"api"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := releaseServer(t)
			// A default project must not narrow the deploy: only --project does.
			srv.Vars["SENTRY_PROJECT"] = "web"
			mustRG(t, srv, "release", "new", "web@1", "-p", "web", "-p", "api")
			if tt.env != "" {
				srv.Vars["SENTRY_ENVIRONMENT"] = tt.env
			}
			out := mustRG(t, srv, append([]string{"release", "deploy", "web@1"}, tt.args...)...)
			if out != tt.wantOut {
				t.Errorf("stdout\n%q, want\n%q", out, tt.wantOut)
			}
			var deploys []sentryapi.Deploy
			err := sentryClient(t, srv).ListDeploys(context.Background(), "acme", "web@1", func(p []sentryapi.Deploy) error {
				deploys = append(deploys, p...)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(deploys) != 1 {
				t.Fatalf("deploys on the server: %+v", deploys)
			}
			d := deploys[0]
			d.ID = ""
			if !sameDeploy(d, tt.want) {
				t.Errorf("deploy on the server %+v, want %+v", d, tt.want)
			}
			var body struct {
				Projects []string `json:"projects"`
			}
			lastBody(t, srv, http.MethodPost, "/deploys/", &body)
			if !slices.Equal(body.Projects, tt.projects) {
				t.Errorf("deploy sent for projects %v, want %v", body.Projects, tt.projects)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func sameDeploy(a, b sentryapi.Deploy) bool {
	same := func(x, y *time.Time) bool { return (x == nil) == (y == nil) && (x == nil || x.Equal(*y)) }
	return a.Environment == b.Environment && a.Name == b.Name && a.URL == b.URL &&
		same(a.DateStarted, b.DateStarted) && same(a.DateFinished, b.DateFinished)
}

// TestReleaseInfo pins the human and JSON output of `release info` for a new release and for
// one with commits, two deploys and a release date.
func TestReleaseInfo(t *testing.T) {
	t.Parallel()
	srv := releaseServer(t)
	outputs := map[string]string{} // golden name → output
	info := func(golden string, args ...string) string {
		t.Helper()
		out := mustRG(t, srv, append([]string{"release", "info", "web@1.4.2"}, args...)...)
		outputs[golden] = out
		return out
	}
	mustRG(t, srv, "release", "new", "web@1.4.2", "-p", "web", "-p", "api", "--url", "https://github.com/acme/web/releases/tag/v1.4.2")
	info("release-info-human-new")
	info("release-info-json-new", "--format", "json")

	srv.AddRepository("acme", "acme/web")
	mustRG(t, srv, "release", "set-commits", "web@1.4.2", "--commit", "acme/web@"+strings.Repeat("a", 40))
	srv.Advance(10 * time.Minute)
	mustRG(t, srv, "release", "deploy", "web@1.4.2", "--env", "staging")
	srv.Advance(10 * time.Minute)
	mustRG(t, srv, "release", "deploy", "web@1.4.2", "--env", "production", "--name", "run 812",
		"--url", "https://ci.example.com/runs/812", "--started", "2024-05-01T12:15:00Z")
	mustRG(t, srv, "release", "finalize", "web@1.4.2", "--released", "2024-05-01T12:21:00Z")
	info("release-info-human")
	out := info("release-info-json", "--format", "json")

	var got releaseInfo
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if !got.Finalized || got.CommitCount != 1 || got.DeployCount != 2 || got.LastDeploy == nil || got.LastDeploy.Environment != "production" {
		t.Errorf("info %+v", got)
	}
	for name, out := range outputs {
		assertGolden(t, name, []byte(out))
	}
}

func TestParseTimeArg(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"1714564800", time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), false},
		{" 1714564800 ", time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), false},
		{"2024-05-01T12:00:00Z", time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC), false},
		{"2024-05-01T14:00:00.250+02:00", time.Date(2024, 5, 1, 12, 0, 0, 250e6, time.UTC), false},
		{"2024-05-01", time.Time{}, true},
		{"2024-05-01T12:00:00", time.Time{}, true},
		{"0", time.Time{}, true},
		{"-5", time.Time{}, true},
		{"1714564800000", time.Time{}, true},
		{"", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := parseTimeArg(tt.in)
		if (err != nil) != tt.err || !got.Equal(tt.want) {
			t.Errorf("parseTimeArg(%q) = %v, %v", tt.in, got, err)
		}
	}
}
