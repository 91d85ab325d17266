// Package action holds the tests of the GitHub Action's files: the installer (install.sh), and
// the whole action run by a real runner (act) on the workflows under testdata/act.
package action

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

// runnerPlatform is this machine as RUNNER_OS and RUNNER_ARCH name it.
func runnerPlatform(t *testing.T) (string, string) {
	t.Helper()
	osName := map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	if osName == "" || arch == "" {
		t.Skipf("no release asset for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	return osName, arch
}

// installRun is one run of install.sh.
type installRun struct {
	code     int
	out      string
	bin      string   // the installed binary ("" when none)
	requests []string // asset names asked for
	goCalled bool     // the fake go (first on PATH) was run
	ghPath   string   // what was appended to GITHUB_PATH
	ghOutput string   // what was appended to GITHUB_OUTPUT
}

// runInstall runs install.sh with the given extra environment against handler (nil: no
// server). With fakeGo, a go that records its call and fails comes first on PATH.
func runInstall(t *testing.T, handler http.HandlerFunc, fakeGo bool, env ...string) installRun {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		testenv.Missing(t, "bash", "install bash")
	}
	root := testenv.RepoRoot(t)
	runnerOS, runnerArch := runnerPlatform(t)
	tmp := t.TempDir()
	var mu sync.Mutex
	var requests []string
	base := "http://127.0.0.1:1/unreachable"
	if handler != nil {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			requests = append(requests, r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:])
			mu.Unlock()
			handler(w, r)
		}))
		t.Cleanup(srv.Close)
		base = srv.URL + "/releases/download"
	}
	path := os.Getenv("PATH")
	marker := filepath.Join(tmp, "go-was-called")
	if fakeGo {
		fake := filepath.Join(tmp, "fakebin")
		if err := os.MkdirAll(fake, 0o755); err != nil {
			t.Fatal(err)
		}
		script := "#!/bin/sh\ntouch '" + marker + "'\necho 'fake go: must not be called' >&2\nexit 1\n"
		if err := os.WriteFile(filepath.Join(fake, "go"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		path = fake + string(os.PathListSeparator) + path
	}
	ghPath, ghOutput := filepath.Join(tmp, "github_path"), filepath.Join(tmp, "github_output")
	cmd := exec.Command("bash", filepath.Join(root, "action", "install.sh"))
	cmd.Env = append([]string{
		"PATH=" + path, "HOME=" + os.Getenv("HOME"),
		"GOCACHE=" + goEnv(t, "GOCACHE"), "GOMODCACHE=" + goEnv(t, "GOMODCACHE"), "GOPATH=" + goEnv(t, "GOPATH"), "GOFLAGS=-mod=mod", "GOPROXY=off",
		"RELEASEGATE_VERSION=" + pinnedVersion(t, root), "RELEASEGATE_DOWNLOAD_URL=" + base,
		"RUNNER_OS=" + runnerOS, "RUNNER_ARCH=" + runnerArch, "RUNNER_TEMP=" + tmp,
		"GITHUB_ACTION_PATH=" + root, "GITHUB_PATH=" + ghPath, "GITHUB_OUTPUT=" + ghOutput,
	}, env...)
	out, err := cmd.CombinedOutput()
	run := installRun{out: string(out), requests: requests}
	if err != nil {
		run.code = cmd.ProcessState.ExitCode()
	}
	exe := "releasegate"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	if _, err := os.Stat(filepath.Join(tmp, "releasegate-bin", exe)); err == nil {
		run.bin = filepath.Join(tmp, "releasegate-bin", exe)
	}
	_, err = os.Stat(marker)
	run.goCalled = err == nil
	p, _ := os.ReadFile(ghPath)
	o, _ := os.ReadFile(ghOutput)
	run.ghPath, run.ghOutput = string(p), string(o)
	return run
}

func goEnv(t *testing.T, name string) string {
	t.Helper()
	out, err := exec.Command("go", "env", name).Output()
	if err != nil {
		t.Fatalf("go env %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}

// assetServer serves the assets of dir, with edit applied to the named file's bytes.
func assetServer(dir string, edit func(name string, data []byte) []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if edit != nil {
			data = edit(name, data)
		}
		w.Write(data)
	}
}

// pinChecksums writes, as scripts/pin-release.sh does, the checksums of the assets in dir as
// the action's pinned checksums for version, and returns the file's path.
func pinChecksums(t *testing.T, dir, version string, edit func(string) string) string {
	t.Helper()
	sums, err := os.ReadFile(filepath.Join(dir, "releasegate_"+strings.TrimPrefix(version, "v")+"_checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	text := "# releasegate " + version + ": SHA-256 of the release archives, built by scripts/build-release.sh with go-test\n" + string(sums)
	if edit != nil {
		text = edit(text)
	}
	p := filepath.Join(t.TempDir(), "checksums.txt")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestInstall(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot(t)
	version := pinnedVersion(t, root)
	assets := releaseAssets(t, root, version)
	bare := strings.TrimPrefix(version, "v")
	archive := "releasegate_" + bare + "_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	pinned := "RELEASEGATE_CHECKSUMS=" + pinChecksums(t, assets, version, nil)

	t.Run("a release is downloaded and verified against the action's own checksums", func(t *testing.T) {
		t.Parallel()
		run := runInstall(t, assetServer(assets, nil), true, pinned)
		if run.code != 0 || run.bin == "" {
			t.Fatalf("exit %d, binary %q:\n%s", run.code, run.bin, run.out)
		}
		if strings.Join(run.requests, ",") != archive {
			t.Errorf("requests %v, want the archive alone (the checksums come with the action)", run.requests)
		}
		if run.goCalled {
			t.Error("go was run although the release exists")
		}
		if out, err := exec.Command(run.bin, "--version").Output(); err != nil || !strings.Contains(string(out), version) {
			t.Errorf("the installed binary says %q (%v), want %s", out, err, version)
		}
		if !strings.HasSuffix(strings.TrimSpace(run.out), run.bin) || run.ghOutput != "path="+run.bin+"\n" ||
			strings.TrimSpace(run.ghPath) != filepath.Dir(run.bin) {
			t.Errorf("stdout ends %q; GITHUB_OUTPUT %q; GITHUB_PATH %q", run.out, run.ghOutput, run.ghPath)
		}
	})

	refused := func(t *testing.T, run installRun, want string) {
		t.Helper()
		if run.code == 0 || run.bin != "" {
			t.Fatalf("exit %d, binary %q: want a refusal\n%s", run.code, run.bin, run.out)
		}
		if !strings.Contains(run.out, "::error title=releasegate install::") || !strings.Contains(run.out, want) {
			t.Errorf("no error annotation saying %q:\n%s", want, run.out)
		}
		if run.goCalled {
			t.Error("go was run: a refused download must never fall back to building")
		}
	}
	// The attack the pinned checksums stop: whoever can replace a release asset can replace
	// the checksums file published beside it, so both are replaced here.
	t.Run("a replaced archive is refused, even with a matching checksums file beside it", func(t *testing.T) {
		t.Parallel()
		data, err := os.ReadFile(filepath.Join(assets, archive))
		if err != nil {
			t.Fatal(err)
		}
		tampered := append([]byte(nil), data...)
		tampered[len(tampered)/2] ^= 0xff
		sum := sha256.Sum256(tampered)
		run := runInstall(t, assetServer(assets, func(name string, data []byte) []byte {
			switch name {
			case archive:
				return tampered
			case "releasegate_" + bare + "_checksums.txt":
				return []byte(hex.EncodeToString(sum[:]) + "  " + archive + "\n")
			}
			return data
		}), true, pinned)
		refused(t, run, "checksum mismatch for "+archive+": the action pins")
	})
	t.Run("an archive the pinned checksums do not list is refused", func(t *testing.T) {
		t.Parallel()
		other := "RELEASEGATE_CHECKSUMS=" + pinChecksums(t, assets, version, func(s string) string {
			return strings.ReplaceAll(s, archive, "releasegate_"+bare+"_plan9_amd64.tar.gz")
		})
		run := runInstall(t, assetServer(assets, nil), true, other)
		refused(t, run, "list no "+archive)
		if len(run.requests) != 0 {
			t.Errorf("requests %v: nothing should be downloaded that cannot be verified", run.requests)
		}
	})
	t.Run("a server error is an error, not a build", func(t *testing.T) {
		t.Parallel()
		run := runInstall(t, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusInternalServerError) }, true, pinned)
		refused(t, run, "HTTP 500")
	})
	t.Run("an unknown architecture is named", func(t *testing.T) {
		t.Parallel()
		run := runInstall(t, assetServer(assets, nil), true, "RUNNER_ARCH=MIPS", pinned)
		refused(t, run, "unsupported RUNNER_ARCH 'MIPS'")
	})
	t.Run("no release: built from source", func(t *testing.T) {
		t.Parallel()
		run := runInstall(t, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, false, pinned)
		if run.code != 0 || run.bin == "" || !strings.Contains(run.out, "building "+version+" from source") {
			t.Fatalf("exit %d, binary %q:\n%s", run.code, run.bin, run.out)
		}
		if len(run.requests) != 1 || run.requests[0] != archive {
			t.Errorf("requests %v, want only the archive", run.requests)
		}
		if err := exec.Command(run.bin, "--help").Run(); err != nil {
			t.Errorf("the built binary does not run: %v", err)
		}
	})
	for name, file := range map[string]string{
		"checksums of another version": pinChecksums(t, assets, version, func(s string) string {
			return strings.Replace(s, "# releasegate "+version, "# releasegate v9.9.9", 1)
		}),
		"no checksums file": filepath.Join(t.TempDir(), "missing.txt"),
	} {
		t.Run(name+": nothing is downloaded, the action's checkout is built", func(t *testing.T) {
			t.Parallel()
			run := runInstall(t, assetServer(assets, nil), false, "RELEASEGATE_CHECKSUMS="+file)
			if run.code != 0 || run.bin == "" || !strings.Contains(run.out, "carries no checksums for "+version) {
				t.Fatalf("exit %d, binary %q:\n%s", run.code, run.bin, run.out)
			}
			if len(run.requests) != 0 {
				t.Errorf("requests %v: an unverifiable download must not even start", run.requests)
			}
		})
	}
	t.Run("RELEASEGATE_BUILD=always builds without asking", func(t *testing.T) {
		t.Parallel()
		run := runInstall(t, assetServer(assets, nil), false, "RELEASEGATE_BUILD=always", pinned)
		if run.code != 0 || run.bin == "" || len(run.requests) != 0 {
			t.Fatalf("exit %d, binary %q, requests %v:\n%s", run.code, run.bin, run.requests, run.out)
		}
	})
}
