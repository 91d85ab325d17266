package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// TypeError stands for the JavaScript-style error a bad release starts throwing.
type TypeError struct{ msg string }

func (e *TypeError) Error() string { return e.msg }

//go:noinline
func renderCart(hub *sentry.Hub, user string) {
	hub.PushScope()
	defer hub.PopScope()
	hub.Scope().SetUser(sentry.User{ID: user})
	hub.Scope().SetTag("tenant_id", "tenant-"+user[len(user)-1:])
	hub.CaptureException(&TypeError{msg: "cart.items is undefined"})
}

//go:noinline
func slowQuery(hub *sentry.Hub) {
	hub.WithScope(func(s *sentry.Scope) {
		s.SetLevel(sentry.LevelWarning)
		hub.CaptureMessage("slow query: 2.3 s")
	})
}

//go:noinline
func oldBug(hub *sentry.Hub) {
	hub.CaptureException(&os.PathError{Op: "open", Path: "/tmp/x", Err: os.ErrNotExist})
}

// sendEvents sends events for a release with the real sentry-go SDK and waits for them.
func sendEvents(t *testing.T, dsn, release string, fn func(*sentry.Hub)) {
	t.Helper()
	client, err := sentry.NewClient(sentry.ClientOptions{Dsn: dsn, Release: release, Environment: "production"})
	if err != nil {
		t.Fatal(err)
	}
	fn(sentry.NewHub(client, sentry.NewScope()))
	if !client.Flush(10 * time.Second) {
		t.Fatal("sentry-go did not flush its events")
	}
}

const gatePolicyYAML = `environments:
  production:
    projects: [web]
    soak: 5m
    deadline: 2h
    new_issues:
      events_per_hour: 30
      ignore:
        - level: warning
`

// TestGateEndToEnd: the real sentry-go SDK sends events for two releases into the local Sentry.
// v1 (three stray errors in half an hour) passes; v2 (a new TypeError at about 300 an hour, and a
// low-rate warning) fails, naming the TypeError and its owner from sentry.properties, and leaves
// the warning out. With Sentry down, on_error decides and the report says why.
func TestGateEndToEnd(t *testing.T) { //nolint:tparallel // the subtests share one local Sentry (faults, request log) and run in order
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}})
	srv.AddTeam("acme", "checkout", "web")
	e := sentryEnv(t, srv)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "sentry.properties"), "defaults.org = acme\ndefaults.project = web\n"+
		"ownership.rules = path:*gate_test.go #checkout\n")
	writeFile(t, filepath.Join(dir, "policy.yml"), gatePolicyYAML)
	e.Dir = dir

	ctx := context.Background()
	api, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: srv.Token(), HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for _, r := range []struct {
		version  string
		deployed time.Time
	}{{"web@1.0.0", now.Add(-30 * time.Minute)}, {"web@2.0.0", now.Add(-10 * time.Minute)}} {
		if _, _, err := api.CreateRelease(ctx, "acme", sentryapi.NewRelease{Version: r.version, Projects: []string{"web"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := api.CreateDeploy(ctx, "acme", r.version, sentryapi.NewDeploy{Environment: "production", DateStarted: &r.deployed, DateFinished: &r.deployed}); err != nil {
			t.Fatal(err)
		}
	}
	dsn := srv.DSN("web")
	sendEvents(t, dsn, "web@1.0.0", func(h *sentry.Hub) {
		for range 3 {
			oldBug(h)
		}
	})
	sendEvents(t, dsn, "web@2.0.0", func(h *sentry.Hub) {
		for i := range 50 {
			renderCart(h, "u"+string(rune('0'+i%10)))
		}
		slowQuery(h)
		slowQuery(h)
	})

	t.Run("v1 passes", func(t *testing.T) {
		code, out, errOut := e.run(t, "", "gate", "--release", "web@1.0.0", "--environment", "production", "--policy", "policy.yml", "--format", "json")
		if code != exitOK {
			t.Fatalf("exit %d, want 0\n%s\n%s", code, out, errOut)
		}
		var d struct{ Verdict string }
		if err := json.Unmarshal([]byte(out), &d); err != nil || d.Verdict != "pass" {
			t.Fatalf("verdict %q (%v), want pass:\n%s", d.Verdict, err, out)
		}
	})

	t.Run("v2 fails naming the TypeError and its owner", func(t *testing.T) {
		code, out, errOut := e.run(t, "", "gate", "--release", "web@2.0.0", "--environment", "production", "--policy", "policy.yml", "--format", "json")
		if code != exitNo {
			t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
		}
		var d struct {
			Verdict string
			Reason  string
			Checks  []struct {
				Name   string
				Status string
				Owners []string
				Issues []struct {
					ShortID string
					Title   string
					Level   string
					Owners  []string
				}
				Children json.RawMessage
			}
		}
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatal(err)
		}
		if d.Verdict != "fail" || !strings.Contains(d.Reason, "TypeError") {
			t.Fatalf("verdict %q, reason %q; want fail naming the TypeError:\n%s", d.Verdict, d.Reason, out)
		}
		if !strings.Contains(out, "#checkout") {
			t.Errorf("the owner #checkout is not named:\n%s", out)
		}
		if strings.Contains(d.Reason, "slow query") {
			t.Errorf("the ignored warning decided the gate: %s", d.Reason)
		}
		code, md, _ := e.run(t, "", "gate", "--release", "web@2.0.0", "--environment", "production", "--policy", "policy.yml", "--format", "markdown")
		if code != exitNo || !strings.Contains(md, "TypeError") || !strings.Contains(md, "#checkout") || !strings.Contains(md, "xychart-beta") {
			t.Errorf("markdown report (exit %d) lacks the issue, its owner or the chart:\n%s", code, md)
		}
	})

	// A sentry.properties with a mistake once left the failing issue without owners, and the
	// report without a word about it: the report now says which file gave none, and why.
	t.Run("a broken sentry.properties is reported, not quietly dropped", func(t *testing.T) {
		props := filepath.Join(dir, "sentry.properties")
		good, err := os.ReadFile(props)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, props, string(good)+"ownership.fallthru = false\n")
		defer writeFile(t, props, string(good))
		const note = `no owners from sentry.properties, which has 1 problem (sentry.properties:4: unknown key "ownership.fallthru" (did you mean "ownership.fallthrough"?)); ` +
			"`releasegate ownership check` lists them"
		code, out, errOut := e.run(t, "", "gate", "--release", "web@2.0.0", "--environment", "production", "--policy", "policy.yml", "--format", "json")
		if code != exitNo {
			t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
		}
		var d struct{ Verdict, Reason string }
		if err := json.Unmarshal([]byte(out), &d); err != nil {
			t.Fatal(err)
		}
		if d.Verdict != "fail" || !strings.Contains(d.Reason, "TypeError") || !strings.HasSuffix(d.Reason, " ("+note+")") {
			t.Errorf("verdict %q, reason %q; want fail naming the TypeError and ending with the note %q", d.Verdict, d.Reason, note)
		}
		if strings.Contains(out, "#checkout") {
			t.Errorf("owners were named from a broken file:\n%s", out)
		}
		for _, format := range []string{"text", "markdown", "github"} {
			_, out, _ := e.run(t, "", "gate", "--release", "web@2.0.0", "--environment", "production", "--policy", "policy.yml", "--format", format)
			if !strings.Contains(out, "no owners from sentry.properties") {
				t.Errorf("--format %s does not carry the note:\n%s", format, out)
			}
		}
	})

	t.Run("--dry-run reports the failure and exits 0", func(t *testing.T) {
		code, out, errOut := e.run(t, "", "gate", "--release", "web@2.0.0", "--environment", "production", "--policy", "policy.yml", "--dry-run")
		if code != exitOK || !strings.HasPrefix(out, "releasegate gate: FAIL web@2.0.0 in production") || !strings.Contains(errOut, "--dry-run: the verdict is fail, exiting 0") {
			t.Fatalf("exit %d, want 0 with the failing report\n%s\n%s", code, out, errOut)
		}
	})

	t.Run("an unknown release is an error, not a pass", func(t *testing.T) {
		code, _, errOut := e.run(t, "", "gate", "--release", "web@9.9.9", "--environment", "production", "--policy", "policy.yml")
		if code != exitUsage || !strings.Contains(errOut, "web@9.9.9") {
			t.Fatalf("exit %d, want 2 naming the release:\n%s", code, errOut)
		}
	})

	t.Run("Sentry down: on_error decides and says why", func(t *testing.T) {
		e := e.with("SENTRY_HTTP_MAX_RETRIES", "0")
		srv.InjectFault(sentryapitest.Fault{Status: http.StatusServiceUnavailable})
		defer srv.ClearFaults()
		for _, tc := range []struct {
			onError string
			code    int
		}{{"fail", exitNo}, {"pass", exitOK}} {
			code, out, errOut := e.run(t, "", "gate", "--release", "web@2.0.0", "--environment", "production", "--policy", "policy.yml",
				"--on-error", tc.onError, "--format", "text")
			if code != tc.code {
				t.Fatalf("--on-error %s: exit %d, want %d\n%s\n%s", tc.onError, code, tc.code, out, errOut)
			}
			if !strings.Contains(out, "503") && !strings.Contains(strings.ToLower(out), "unavailable") {
				t.Errorf("--on-error %s: the report does not say Sentry was unavailable:\n%s", tc.onError, out)
			}
			if !strings.Contains(out, "on_error") {
				t.Errorf("--on-error %s: the report does not say on_error decided:\n%s", tc.onError, out)
			}
		}
	})

	// A null issue list was once read as "no new issues": PASS, exit 0, even with on_error:
	// fail. A malformed answer is could-not-decide, so on_error decides and the report says why.
	t.Run("a null or malformed answer is never a pass", func(t *testing.T) {
		e := e.with("SENTRY_HTTP_MAX_RETRIES", "0")
		for _, body := range []string{`null`, `{"id": "1"}`, `[{"id": 7`, `"ok"`} {
			srv.InjectFault(sentryapitest.Fault{Method: http.MethodGet, Path: "/api/0/organizations/acme/issues/", Status: http.StatusOK, Body: body,
				Header: http.Header{"Content-Type": {"application/json"}}})
			code, out, errOut := e.run(t, "", "gate", "--release", "web@1.0.0", "--environment", "production", "--policy", "policy.yml",
				"--on-error", "fail", "--format", "text")
			srv.ClearFaults()
			if code != exitNo {
				t.Fatalf("issues answered %s: exit %d, want 1 (on_error: fail)\n%s\n%s", body, code, out, errOut)
			}
			if !strings.Contains(out, "unexpected answer") || !strings.Contains(out, "on_error") {
				t.Errorf("issues answered %s: the report does not say the answer was unexpected and on_error decided:\n%s", body, out)
			}
		}
	})

	// The issue that made this rule: a token without event:read got 403 on the issue search,
	// the gate took it for an outage, and on_error: pass let web@2.0.0 (a new TypeError at
	// about 300 an hour) through. A refusal of the configuration exits 2 whatever on_error says.
	t.Run("a token or org Sentry refuses is a configuration error, whatever on_error says", func(t *testing.T) {
		srv.AddToken("org_ci", "org:ci") // as an organization token is
		srv.AddToken("no_event_read", "project:releases", "org:read")
		for _, tc := range []struct {
			name, token string
			args        []string
			want        []string
		}{
			{"organization token (org:ci) cannot read issues", "org_ci", nil, []string{"403", "event:read", "organization acme", "internal integration token", "docs/sentry-token.md"}},
			{"token without event:read", "no_event_read", nil, []string{"403", "event:read", "on_error does not apply", "docs/sentry-token.md"}},
			{"token Sentry rejects", "sntryu_revoked", nil, []string{"401", "SENTRY_AUTH_TOKEN", "docs/sentry-token.md"}},
			{"organization Sentry does not know", srv.Token(), []string{"--org", "acne"}, []string{"404", `"acne"`}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := e.with("SENTRY_AUTH_TOKEN", tc.token)
				for _, onError := range []string{"pass", "fail"} {
					args := append([]string{"gate", "--release", "web@2.0.0", "--environment", "production", "--policy", "policy.yml",
						"--on-error", onError, "--format", "json"}, tc.args...)
					code, out, errOut := e.run(t, "", args...)
					if code != exitUsage {
						t.Fatalf("--on-error %s: exit %d, want 2\n%s\n%s", onError, code, out, errOut)
					}
					if out != "" {
						t.Errorf("--on-error %s: a report was written, as if the gate had decided:\n%s", onError, out)
					}
					for _, w := range tc.want {
						if !strings.Contains(errOut, w) {
							t.Errorf("--on-error %s: stderr does not say %q:\n%s", onError, w, errOut)
						}
					}
				}
			})
		}
	})

	t.Run("--wait polls while pending and rides out a failing Sentry", func(t *testing.T) {
		e := e.with("SENTRY_HTTP_MAX_RETRIES", "0")
		deployed := now.Add(-time.Minute)
		if _, _, err := api.CreateRelease(ctx, "acme", sentryapi.NewRelease{Version: "web@3.0.0", Projects: []string{"web"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := api.CreateDeploy(ctx, "acme", "web@3.0.0", sentryapi.NewDeploy{Environment: "production", DateStarted: &deployed, DateFinished: &deployed}); err != nil {
			t.Fatal(err)
		}
		srv.InjectFault(sentryapitest.Fault{Path: "/api/0/organizations/acme/releases/*", Times: 2, Status: http.StatusBadGateway})
		defer srv.ClearFaults()
		var out, errOut strings.Builder
		clock := now
		ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
		opts := &GateOptions{
			IO: ios, Release: "web@3.0.0", Environment: "production",
			Sentry: sentryFlags{factory: e.factory(ios)}, PolicyFile: "policy.yml", Wait: 30 * time.Minute, Interval: 2 * time.Minute, Format: "text",
			Now:   func() time.Time { return clock },
			Sleep: func(_ context.Context, d time.Duration) error { clock = clock.Add(d); return nil },
		}
		if err := gateRun(ctx, opts); err != nil {
			t.Fatalf("gate: %v\n%s\n%s", err, out.String(), errOut.String())
		}
		log := errOut.String()
		if !strings.Contains(log, "502") || !strings.Contains(log, "trying again in 2m0s") || !strings.Contains(log, "pending: ") {
			t.Errorf("stderr does not show the failed attempt and the pending checks:\n%s", log)
		}
		if got := clock.Sub(deployed); got < 5*time.Minute || got > 9*time.Minute {
			t.Errorf("decided %s after the deploy, want just after the 5m soak\n%s", got, log)
		}
		if !strings.Contains(out.String(), "PASS") && !strings.Contains(out.String(), "pass") {
			t.Errorf("report:\n%s", out.String())
		}
	})
}

// TestGateRegressionOfThePreviousRelease: the real sentry-go SDK reports an error in web@1.0.0;
// it is resolved, comes back in web@1.0.0, and is still "regressed" in Sentry when web@2.0.0
// is deployed and has the error too. web@2.0.0 did not bring it back: the regressions check
// passes. A second error, resolved before web@2.0.0 and back in it, then fails the gate.
func TestGateRegressionOfThePreviousRelease(t *testing.T) { //nolint:tparallel // the subtests share one local Sentry (faults, request log) and run in order
	t.Parallel()
	now := time.Now().UTC()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web"}, Now: now.Add(-time.Hour)})
	e := sentryEnv(t, srv)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "sentry.properties"), "defaults.org = acme\ndefaults.project = web\n")
	writeFile(t, filepath.Join(dir, "policy.yml"), "environments:\n  production:\n    projects: [web]\n    soak: 5m\n    regressions: {}\n")
	e.Dir = dir

	ctx := context.Background()
	api, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: srv.Token(), HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	release := func(version string, deployed time.Time) {
		t.Helper()
		if _, _, err := api.CreateRelease(ctx, "acme", sentryapi.NewRelease{Version: version, Projects: []string{"web"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := api.CreateDeploy(ctx, "acme", version, sentryapi.NewDeploy{Environment: "production", DateStarted: &deployed, DateFinished: &deployed}); err != nil {
			t.Fatal(err)
		}
	}
	resolve := func(title string) {
		t.Helper()
		for _, is := range srv.Issues() {
			if strings.Contains(is.Title, title) {
				if _, err := api.UpdateIssue(ctx, "acme", is.ID, sentryapi.IssueUpdate{Status: sentryapi.StatusResolved}); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatalf("no issue %q in %v", title, srv.Issues())
	}
	dsn := srv.DSN("web")
	// The fake's clock dates what Sentry does (resolutions, regressions); the SDK stamps the
	// events with the real time.
	release("web@1.0.0", now.Add(-time.Hour))
	sendEvents(t, dsn, "web@1.0.0", func(h *sentry.Hub) { oldBug(h); renderCart(h, "u1") })
	srv.SetNow(now.Add(-50 * time.Minute))
	resolve("PathError")
	resolve("TypeError")
	srv.SetNow(now.Add(-40 * time.Minute))
	sendEvents(t, dsn, "web@1.0.0", func(h *sentry.Hub) { oldBug(h) }) // back in web@1.0.0
	srv.SetNow(now.Add(-20 * time.Minute))
	release("web@2.0.0", now.Add(-20*time.Minute))
	srv.SetNow(now)
	sendEvents(t, dsn, "web@2.0.0", func(h *sentry.Hub) {
		for range 5 {
			oldBug(h)
		}
	})
	if is := srv.Issues()[0]; !strings.Contains(is.Title, "PathError") || is.Status+"/"+is.Substatus != "unresolved/regressed" {
		t.Fatalf("the previous release's regression is %s/%s, want unresolved/regressed: %+v", is.Status, is.Substatus, is)
	}

	gate := func() (int, string, string) {
		return e.run(t, "", "gate", "--release", "web@2.0.0", "--environment", "production", "--policy", "policy.yml", "--format", "json")
	}
	t.Run("the previous release's regression does not fail this one", func(t *testing.T) {
		code, out, errOut := gate()
		var d struct{ Verdict, Reason string }
		if err := json.Unmarshal([]byte(out), &d); err != nil || code != exitOK || d.Verdict != "pass" {
			t.Fatalf("exit %d, verdict %q (%v), want 0 and pass:\n%s\n%s", code, d.Verdict, err, out, errOut)
		}
		if strings.Contains(out, "PathError") {
			t.Errorf("the report counts the previous release's regression:\n%s", out)
		}
	})
	t.Run("an answer that cannot tell: on_error decides and the report says why", func(t *testing.T) {
		id := srv.Issues()[0].ID
		srv.InjectFault(sentryapitest.Fault{Method: "GET", Path: "/api/0/organizations/acme/issues/" + id + "/", Status: http.StatusOK, Body: `{"id":"` + id + `","status":"unresolved","substatus":"regressed"}`})
		defer srv.ClearFaults()
		code, out, errOut := e.run(t, "", "gate", "--release", "web@2.0.0", "--environment", "production", "--policy", "policy.yml", "--on-error", "fail", "--format", "text")
		if code != exitNo || !strings.Contains(out, "cannot tell in which release the issue regressed") || !strings.Contains(out, "on_error") {
			t.Fatalf("exit %d, want 1 from on_error, saying why:\n%s\n%s", code, out, errOut)
		}
	})
	t.Run("a regression that came back in this release fails it", func(t *testing.T) {
		sendEvents(t, dsn, "web@2.0.0", func(h *sentry.Hub) { renderCart(h, "u2") })
		code, out, errOut := gate()
		var d struct{ Verdict, Reason string }
		if err := json.Unmarshal([]byte(out), &d); err != nil || code != exitNo || d.Verdict != "fail" {
			t.Fatalf("exit %d, verdict %q (%v), want 1 and fail:\n%s\n%s", code, d.Verdict, err, out, errOut)
		}
		if !strings.Contains(d.Reason, "TypeError") || strings.Contains(d.Reason, "PathError") {
			t.Errorf("reason %q, want the TypeError only", d.Reason)
		}
	})
}
