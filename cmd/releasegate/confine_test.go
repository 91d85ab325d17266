package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// TestNothingOutsideTheBuild: a map reference that leads outside the paths given, or to the
// process environment, is never read, rewritten or uploaded, whatever the flags: the action's
// `validate: false` and `inject: false` are --no-validate --no-inject, under which a reference
// to /proc/self/environ once uploaded the environment, the auth token in it, and exited 0.
func TestNothingOutsideTheBuild(t *testing.T) { //nolint:tparallel // the subtests share one local Sentry (faults, request log) and run in order
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{})
	e := sentryEnv(t, srv)
	tmp := t.TempDir()
	dist := filepath.Join(tmp, "dist")
	private := filepath.Join(tmp, "outside", "private.js.map")
	for _, d := range []string{dist, filepath.Dir(private)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	const privateMap = `{"version":3,"sources":["secret.ts"],"sourcesContent":["const apiKey = 'hunter2';\n"],"names":[],"mappings":"AAAA"}`
	writeFile(t, private, privateMap)
	writeFile(t, filepath.Join(dist, "main.js"), "main();\n//# sourceMappingURL=main.js.map\n")
	writeFile(t, filepath.Join(dist, "main.js.map"), `{"version":3,"sources":["main.ts"],"sourcesContent":["main();\n"],"names":[],"mappings":"AAAA"}`)
	upload := []string{"sourcemaps", "upload", "--org", "acme", "--project", "web", "--release", "web@1.0.0"}

	for _, tc := range []struct {
		name, ref, code string
	}{
		{"a map outside the build", "../outside/private.js.map", "map-outside-root"},
		{"the process environment", "/proc/self/environ", "not-a-regular-file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			writeFile(t, filepath.Join(dist, "leak.js"), "leak();\n//# sourceMappingURL="+tc.ref+"\n")
			defer os.Remove(filepath.Join(dist, "leak.js"))
			for _, args := range [][]string{
				{"sourcemaps", "validate", dist},
				{"sourcemaps", "inject", dist},
				{"sourcemaps", "inject", "--no-validate", dist},
				append(append([]string{}, upload...), dist),
				append(append([]string{}, upload...), "--no-validate", "--no-inject", dist),
			} {
				srv.ResetRequests()
				code, out, errOut := e.run(t, "", args...)
				name := strings.Join(args, " ")
				if code == exitOK {
					t.Errorf("%s: exit 0, want a refusal\n%s%s", name, out, errOut)
				}
				if !strings.Contains(out+errOut, tc.code) {
					t.Errorf("%s: the output does not name %s:\n%s%s", name, tc.code, out, errOut)
				}
				for _, r := range srv.Requests() {
					if strings.Contains(string(r.Body), "hunter2") || strings.Contains(string(r.Body), srv.Token()) {
						t.Errorf("%s: %s %s carried the private map or the token", name, r.Method, r.Path)
					}
				}
				if got, err := os.ReadFile(private); err != nil || string(got) != privateMap {
					t.Fatalf("%s: the map outside the build changed: %q %v", name, got, err)
				}
			}
		})
	}
}

// TestResolveReadsOnlyRegularFiles: resolve honours --max-file-size, and a map reference to a
// device or a FIFO is refused before it is opened (/dev/zero once grew resolve to 6.7 GB, and
// a FIFO hung it).
func TestResolveReadsOnlyRegularFiles(t *testing.T) {
	t.Parallel()
	e := newCLIEnv(t, nil)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.map")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "zero.js"), "z();\n//# sourceMappingURL=/dev/zero\n")
	writeFile(t, filepath.Join(dir, "fifo.js"), "f();\n//# sourceMappingURL=pipe.map\n")
	writeFile(t, filepath.Join(dir, "big.js"), "b();\n//# sourceMappingURL=big.js.map\n")
	writeFile(t, filepath.Join(dir, "big.js.map"), `{"version":3,"sources":["b.ts"],"names":[],"mappings":"AAAA","x":"`+strings.Repeat("x", 2<<20)+`"}`)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"sourcemaps", "resolve", filepath.Join(dir, "zero.js"), "1:1"}, "is a device"},
		{[]string{"sourcemaps", "resolve", filepath.Join(dir, "fifo.js"), "1:1"}, "is a FIFO"},
		{[]string{"sourcemaps", "resolve", "--max-file-size", "1", filepath.Join(dir, "big.js"), "1:1"}, "over the 1 MiB limit"},
	} {
		code, out, errOut := e.run(t, "", tc.args...)
		if code == exitOK || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want a refusal saying %q\n%s%s", tc.args, code, tc.want, out, errOut)
		}
	}
	if code, _, errOut := e.run(t, "", "sourcemaps", "resolve", "--max-file-size", "4", filepath.Join(dir, "big.js"), "1:1"); code != exitOK {
		t.Errorf("with a 4 MiB limit: exit %d\n%s", code, errOut)
	}
}
