package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/internal/testbundles"
)

// TestUploadFaultsExit3: when Sentry does not accept the bundle, `sourcemaps upload` exits 3,
// says on stderr which step failed, why and what to try, and prints no success on stdout
// (in either format).
func TestUploadFaultsExit3(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		format string
		fault  func(*sentryapitest.Server)
		// stderr must hold every one of these.
		stderr []string
	}{
		{
			name:   "assemble ends in error",
			format: "human",
			fault: func(srv *sentryapitest.Server) {
				srv.StallAssemble(sentryapitest.AssembleStall{Polls: 1, Detail: "Invalid bundle: manifest.json is corrupt"})
			},
			stderr: []string{"Sentry could not process the bundle", "Invalid bundle: manifest.json is corrupt", "releasegate sourcemaps validate", "retry the upload",
				"debug IDs were injected into"},
		},
		{
			name:   "rate limited for longer than the client waits",
			format: "json",
			fault: func(srv *sentryapitest.Server) {
				f := sentryapitest.RateLimited(10 * time.Minute)
				f.Method, f.Path = "POST", "/api/0/organizations/acme/chunk-upload/"
				srv.InjectFault(f)
			},
			stderr: []string{"uploading", "429 Too Many Requests", "Sentry asks to wait", "run the upload again after that wait"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := sentryapitest.Start(t, sentryapitest.Options{})
			e := sentryEnv(t, srv)
			tt.fault(srv)
			esm := filepath.Join(testbundles.Build(t, "esbuild"), "esm")
			code, out, errOut := e.run(t, "", "sourcemaps", "upload", "--org", "acme", "--project", "web", "--release", "web@1.0.0", "--format", tt.format, esm)
			t.Logf("stdout:\n%s\nstderr:\n%s", out, errOut)
			if code != exitUndecided {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitUndecided, out, errOut)
			}
			if !strings.HasPrefix(errOut, "releasegate: upload failed: ") {
				t.Errorf("stderr does not start with the failure:\n%s", errOut)
			}
			for _, s := range tt.stderr {
				if !strings.Contains(errOut, s) {
					t.Errorf("stderr does not say %q:\n%s", s, errOut)
				}
			}
			if strings.Contains(errOut, srv.Token()) {
				t.Errorf("stderr shows the token:\n%s", errOut)
			}
			// Inject may report the files it rewrote; nothing may claim the upload went through.
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "ok") || strings.HasPrefix(line, "uploaded") || strings.HasPrefix(line, "{") || strings.Contains(line, "nothing was sent again") {
					t.Errorf("stdout reports success: %q\nstdout:\n%s", line, out)
				}
			}
		})
	}
}
