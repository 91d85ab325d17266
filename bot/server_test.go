package bot

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"
)

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

// TestOperations: health, readiness (the store reachable and migrated) and the metrics a
// decided rule leaves behind.
func TestOperations(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.release(t0.Add(-30 * time.Minute))
	if code, body := get(t, f.web.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get(t, f.web.URL+"/readyz"); code != 200 {
		t.Errorf("/readyz = %d %q", code, body)
	}
	if code := f.request(1, "ops-1"); code != 202 {
		t.Fatal(code)
	}
	f.deliver("ops-1")
	if _, err := f.look(f.rule().ID, 1); err != nil {
		t.Fatal(err)
	}
	_, metrics := get(t, f.web.URL+"/metrics")
	for _, want := range []string{
		`releasegate_deliveries_total{event="deployment_protection_rule",outcome="stored",source="github"} 1`,
		`releasegate_decisions_total{outcome="pass"} 1`,
		`releasegate_api_request_duration_seconds_count{api="sentry",status="2xx"}`,
		`go_goroutines`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	_ = f.store.Close()
	if code, body := get(t, f.web.URL+"/readyz"); code != 503 || !strings.Contains(body, "not ready") {
		t.Errorf("/readyz with the store closed = %d %q", code, body)
	}
}

// TestLogsNeverShowSecrets runs a decision with debug logs in JSON and text and looks for every
// secret the service holds.
func TestLogsNeverShowSecrets(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	f := newFixture(t, fixtureOptions{})
	f.bot.log = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.release(t0.Add(-30 * time.Minute))
	f.sentry.AddToken("forged-probe") // unrelated; the installation keeps its token
	if code := f.request(2, "logs-1"); code != 202 {
		t.Fatal(code)
	}
	f.deliver("logs-1")
	if _, err := f.look(f.rule().ID, 1); err != nil {
		t.Fatal(err)
	}
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "config", f.bot.cfg)
	if logs.Len() == 0 {
		t.Fatal("nothing was logged")
	}
	for _, secret := range []string{webhookSecret, apiToken, f.sentry.Token(), "sentry-client-secret", "PRIVATE KEY"} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("a secret (%.8s…) is in the logs", secret)
		}
	}
}
