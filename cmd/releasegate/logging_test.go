package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// TestLoggingNeverShowsTheToken runs commands that succeed, retry and fail at every log level
// and in both formats, and greps everything they print for the token. At debug level the log
// must show the requests (with the Authorization header redacted), so the check is not empty.
func TestLoggingNeverShowsTheToken(t *testing.T) { //nolint:tparallel // the subtests share one local Sentry (faults, request log) and run in order
	t.Parallel()
	srv := releaseServer(t)
	token := srv.Token()
	mustRG(t, srv, "release", "new", "web@1", "-p", "web")
	for _, format := range []string{"text", "json"} {
		for _, level := range []string{"debug", "info", "warn", "error", "off"} {
			t.Run(format+"/"+level, func(t *testing.T) {
				srv.InjectFault(sentryapitest.Fault{Method: http.MethodGet, Path: "/api/0/organizations/acme/releases/web@1/", Times: 1, Status: http.StatusBadGateway})
				defer srv.ClearFaults()
				all := ""
				for _, args := range [][]string{
					{"release", "info", "web@1"},     // a 502, retried, then the answer
					{"release", "info", "web@9"},     // a 404
					{"release", "finalize", "web@1"}, // a write
					{"sentry", "check", "--for", "release"},
				} {
					_, out, errOut := rg(t, srv, append(args, "--log-level", level, "--log-format", format)...)
					all += out + errOut
				}
				if strings.Contains(all, token) {
					t.Fatalf("the token appears in the output at --log-level %s --log-format %s", level, format)
				}
				if level == "debug" && (!strings.Contains(all, "sentry api request") || !strings.Contains(all, "[redacted]")) {
					t.Errorf("debug logging shows no request with its Authorization redacted:\n%.2000s", all)
				}
				if level == "info" && !strings.Contains(all, "retrying") {
					t.Errorf("info logging does not show the retry of the 502:\n%.2000s", all)
				}
				if level == "off" && strings.Contains(all, "sentry api") {
					t.Errorf("--log-level off still logs:\n%.2000s", all)
				}
			})
		}
	}
	code, _, errOut := rg(t, srv, "release", "info", "web@1", "--log-level", "loud")
	if code != exitUsage || !strings.Contains(errOut, "unknown --log-level") {
		t.Errorf("--log-level loud: exit %d\n%s", code, errOut)
	}
}
