package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// serveEnv is a complete configuration for `serve` against a fake GitHub and a fake Sentry, in a
// temporary folder (the installations file and the SQLite store live there).
func serveEnv(t *testing.T) *cliEnv {
	t.Helper()
	gh := githubapitest.Start(t, githubapitest.Options{})
	sentry := sentryapitest.Start(t, sentryapitest.Options{})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "installations.yml"), []byte("installations:\n  acme:\n    sentry:\n      url: "+sentry.URL()+"\n      org: acme\n      token_env: ACME_SENTRY_TOKEN\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.pem"), gh.PrivateKey(), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newCLIEnv(t, map[string]string{
		"RELEASEGATE_GITHUB_APP_ID": "1", "RELEASEGATE_GITHUB_PRIVATE_KEY_FILE": "app.pem",
		"RELEASEGATE_GITHUB_WEBHOOK_SECRET": "whsec", "RELEASEGATE_GITHUB_API_URL": gh.URL(),
		"RELEASEGATE_CONFIG": "installations.yml", "ACME_SENTRY_TOKEN": sentry.Token(),
		"RELEASEGATE_LISTEN": "127.0.0.1:0",
	})
	e.Dir = dir
	return e
}

// TestServeConfigurationErrors: a configuration the service cannot run on is exit 2, with
// every problem named, and nothing is started.
func TestServeConfigurationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		vars []string
		want []string
	}{
		{"no App", []string{"RELEASEGATE_GITHUB_APP_ID", ""}, []string{"RELEASEGATE_GITHUB_APP_ID is not set"}},
		{"key file missing", []string{"RELEASEGATE_GITHUB_PRIVATE_KEY_FILE", "nope.pem"}, []string{"RELEASEGATE_GITHUB_PRIVATE_KEY_FILE: reading nope.pem"}},
		{"installations file missing", []string{"RELEASEGATE_CONFIG", "missing.yml"}, []string{"missing.yml: reading the installations file"}},
		{"token variable unset", []string{"ACME_SENTRY_TOKEN", ""}, []string{"installations.yml:6: installations.acme.sentry.token_env: the variable ACME_SENTRY_TOKEN is not set"}},
		{"bad uncovered", []string{"RELEASEGATE_UNCOVERED", "maybe"}, []string{`"maybe": use approve or reject`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := serveEnv(t).with(tc.vars...)
			code, _, stderr := e.run(t, "", "serve")
			if code != exitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, exitUsage, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(e.Dir, "releasegate.db")); err == nil {
				t.Error("a store was created for a configuration that cannot run")
			}
		})
	}
}

// TestServeRunsAndShutsDown: serve answers /healthz and /readyz on its SQLite store (created
// beside the configuration, not in the process's folder), then stops cleanly when its context
// ends, as on SIGTERM.
func TestServeRunsAndShutsDown(t *testing.T) {
	t.Parallel()
	e := serveEnv(t)
	var stderr bytes.Buffer
	f := e.factory(&IOStreams{In: strings.NewReader(""), Out: io.Discard, ErrOut: &stderr})
	ctx, cancel := context.WithCancel(t.Context())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serveRun(ctx, &ServeOptions{Factory: f, ShutdownGrace: 5 * time.Second, Listening: func(a string) { addr <- a }})
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("serve stopped: %v\n%s", err, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start listening")
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Errorf("%s = %d", path, res.StatusCode)
		}
	}
	if _, err := os.Stat(filepath.Join(e.Dir, "releasegate.db")); err != nil {
		t.Errorf("the store is not beside the configuration: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after shutdown: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}
