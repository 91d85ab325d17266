package main

import (
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/sourcemaps/sourcemapstest"
)

// TestOneVerdict runs every case of validate's own table (sourcemapstest, which the sourcemaps
// tests assert finding by finding) through the three commands. Where validate exits 1, inject
// and upload must refuse with exit 1: every file stays byte for byte as it was (none added),
// and the local Sentry receives not one request. Where validate passes, inject and upload must
// succeed, and the upload must reach the server, which shows the checks above can fail.
func TestOneVerdict(t *testing.T) { //nolint:tparallel // the subtests share one local Sentry (faults, request log) and run in order
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{})
	e := sentryEnv(t, srv)
	upload := []string{"sourcemaps", "upload", "--org", "acme", "--project", "web", "--release", "web@1.0.0"}
	errorCases, goodCases := 0, 0
	for _, c := range sourcemapstest.ValidateCases() {
		t.Run(c.Name, func(t *testing.T) {
			dir := sourcemapstest.WriteTree(t, c.Files)
			roots := c.Roots(dir)
			before := snapshot(t, dir)
			run := func(args ...string) (int, string) {
				t.Helper()
				srv.ResetRequests()
				code, out, errOut := e.run(t, "", append(args, roots...)...)
				return code, out + errOut
			}
			if !c.HasError() {
				goodCases++
				if code, out := run("sourcemaps", "validate"); code != exitOK {
					t.Fatalf("validate: exit %d on a case without errors\n%s", code, out)
				}
				if code, out := run(upload...); code != exitOK || len(srv.Requests()) == 0 {
					t.Fatalf("upload: exit %d after %d requests on a case without errors\n%s", code, len(srv.Requests()), out)
				}
				return
			}
			errorCases++
			if code, out := run("sourcemaps", "validate"); code != exitNo {
				t.Fatalf("validate: exit %d, want %d\n%s", code, exitNo, out)
			}
			for _, args := range [][]string{
				{"sourcemaps", "inject"},
				{"sourcemaps", "inject", "--format", "json"},
				upload,
				{"sourcemaps", "upload", "--no-inject", "--org", "acme", "--project", "web"},
			} {
				name := strings.Join(args[:2], " ")
				code, out := run(args...)
				if code != exitNo {
					t.Errorf("%s: exit %d, want %d\n%s", name, code, exitNo, out)
				}
				if !strings.Contains(out, "nothing was") && !strings.Contains(out, `"written": false`) {
					t.Errorf("%s: the output does not say nothing was written or uploaded:\n%s", name, out)
				}
				if after := snapshot(t, dir); after != before {
					t.Fatalf("%s changed the build:\nbefore %s\nafter  %s", name, before, after)
				}
				if reqs := srv.Requests(); len(reqs) > 0 {
					t.Errorf("%s sent %d requests to Sentry, the first %s %s", name, len(reqs), reqs[0].Method, reqs[0].Path)
				}
			}
		})
	}
	if errorCases < 10 || goodCases == 0 {
		t.Fatalf("the shared table has %d cases with errors and %d without; this test needs both", errorCases, goodCases)
	}
	if u := srv.Unexpected(); len(u) > 0 {
		t.Errorf("the local Sentry got %d unexpected requests, the first %s %s", len(u), u[0].Method, u[0].Path)
	}
}

// TestNoValidateIsTheOnlyWayPast: the build of issue 11 (a mapping past the end of its line)
// is refused by inject and upload, and --no-validate, said out loud, lets each of them through.
func TestNoValidateIsTheOnlyWayPast(t *testing.T) {
	t.Parallel()
	const name = "generated column past the end of the line, counted in UTF-16"
	var c *sourcemapstest.Case
	for _, tc := range sourcemapstest.ValidateCases() {
		if tc.Name == name {
			c = &tc
		}
	}
	if c == nil || !c.HasError() {
		t.Fatalf("the shared table has no error case %q", name)
	}
	srv := sentryapitest.Start(t, sentryapitest.Options{})
	e := sentryEnv(t, srv)
	for _, args := range [][]string{
		{"sourcemaps", "inject"},
		{"sourcemaps", "upload", "--org", "acme", "--project", "web", "--release", "web@1.0.0"},
	} {
		dir := sourcemapstest.WriteTree(t, c.Files)
		before := snapshot(t, dir)
		if code, out, errOut := e.run(t, "", append(args, dir)...); code != exitNo {
			t.Fatalf("%s: exit %d without --no-validate\n%s%s", args[1], code, out, errOut)
		}
		if code, out, errOut := e.run(t, "", append(args, "--no-validate", dir)...); code != exitOK {
			t.Fatalf("%s --no-validate: exit %d\n%s%s", args[1], code, out, errOut)
		}
		if snapshot(t, dir) == before {
			t.Errorf("%s --no-validate did not inject", args[1])
		}
	}
	if len(srv.Bundles()) != 1 {
		t.Errorf("the server has %d bundles, want the one upload --no-validate sent", len(srv.Bundles()))
	}
}
