package action

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/releasegate/releasegate/internal/testenv"
)

// The supply chain: the release commit carries the checksums of its own archives
// (action/checksums.txt, written by scripts/pin-release.sh), the installer trusts only that
// file (TestInstall), and the release workflow publishes only a rebuild that matches it.

// TestPinReleaseIsReproducible: scripts/pin-release.sh, run from a copy of the checkout at
// another path, pins exactly the checksums of the archive build-release.sh made here. So the
// release workflow's rebuild on another machine can match the committed file.
func TestPinReleaseIsReproducible(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		testenv.Missing(t, "bash", "install bash")
	}
	root := testenv.RepoRoot(t)
	version := pinnedVersion(t, root)
	assets := releaseAssets(t, root, version)

	elsewhere := filepath.Join(t.TempDir(), "another", "path")
	copyCheckout(t, root, elsewhere)
	pin := filepath.Join(t.TempDir(), "checksums.txt")
	cmd := exec.Command("bash", filepath.Join(elsewhere, "scripts", "pin-release.sh"), version, runtime.GOOS+"/"+runtime.GOARCH)
	cmd.Dir = elsewhere
	cmd.Env = append(os.Environ(), "RELEASEGATE_PIN_FILE="+pin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pin-release.sh: %v\n%s", err, out)
	}
	got, err := os.ReadFile(pin)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(assets, "releasegate_"+strings.TrimPrefix(version, "v")+"_checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(got), "\n", 2)
	if !strings.HasPrefix(lines[0], "# releasegate "+version+": ") || !strings.Contains(lines[0], " with go1.") {
		t.Errorf("header %q should name the version and the Go version", lines[0])
	}
	if len(lines) < 2 || lines[1] != string(want) {
		t.Errorf("the archive built at another path differs:\npinned there:\n%s\nbuilt here:\n%s", got, want)
	}

	// A version action.yml does not pin is refused before anything is built.
	cmd = exec.Command("bash", filepath.Join(elsewhere, "scripts", "pin-release.sh"), "v9.9.9")
	cmd.Env = append(os.Environ(), "RELEASEGATE_PIN_FILE="+pin+".other")
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "action.yml pins "+version+", not v9.9.9") {
		t.Errorf("pin-release.sh v9.9.9: %v\n%s", err, out)
	}
	if _, err := os.Stat(pin + ".other"); err == nil {
		t.Error("a refused pin wrote the file")
	}
}

// copyCheckout copies the Go sources, scripts and files a release build reads.
func copyCheckout(t *testing.T, root, to string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			// Not the repository's own dot folders (.git, .peers, ...), but those below: the
			// demo embeds its sample app's .github folder.
			top := !strings.Contains(rel, string(filepath.Separator))
			if rel != "." && (top && strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules" || d.Name() == "bench") {
				return filepath.SkipDir
			}
			return nil
		}
		copyFile(t, p, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestReleaseWorkflowPublishesOnlyThePinnedBuild runs the release workflow's own checks (the
// run scripts of its steps, as bash runs them) against a pinned file and a rebuild: it
// publishes only when they match, and the steps come in the order that makes that hold.
func TestReleaseWorkflowPublishesOnlyThePinnedBuild(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("bash"); err != nil {
		testenv.Missing(t, "bash", "install bash")
	}
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), ".github", "workflows", "release.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Name, Uses, Run string
				ID              string `yaml:"id"`
				With            map[string]any
			}
		}
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	steps := wf.Jobs["release"].Steps
	index := func(match func(i int) bool) int {
		for i := range steps {
			if match(i) {
				return i
			}
		}
		return -1
	}
	pinStep := index(func(i int) bool { return steps[i].ID == "pin" })
	setupGo := index(func(i int) bool { return strings.HasPrefix(steps[i].Uses, "actions/setup-go@") })
	build := index(func(i int) bool { return strings.Contains(steps[i].Run, "scripts/build-release.sh") })
	verify := index(func(i int) bool {
		return strings.Contains(steps[i].Run, "action/checksums.txt") && i > build && build >= 0
	})
	publish := index(func(i int) bool { return strings.Contains(steps[i].Run, "gh release create") })
	if pinStep < 0 || setupGo < pinStep || build < setupGo || verify < build || publish < verify {
		t.Fatalf("release.yml steps: pin %d, setup-go %d, build %d, verify %d, publish %d; want them in that order", pinStep, setupGo, build, verify, publish)
	}
	if steps[setupGo].With["go-version"] != "${{ steps.pin.outputs.go }}" {
		t.Errorf("setup-go uses %v, want the Go version of the pin", steps[setupGo].With)
	}

	const sums = "1111111111111111111111111111111111111111111111111111111111111111  releasegate_1.2.3_linux_amd64.tar.gz\n"
	run := func(t *testing.T, script, pinned, built string) (int, string, string) {
		t.Helper()
		dir := t.TempDir()
		if pinned != "" {
			writeFileAt(t, filepath.Join(dir, "action", "checksums.txt"), pinned)
		}
		writeFileAt(t, filepath.Join(dir, "dist", "releasegate_1.2.3_checksums.txt"), built)
		out := filepath.Join(dir, "github_output")
		cmd := exec.Command("bash", "-e", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GITHUB_REF_NAME=v1.2.3", "GITHUB_OUTPUT="+out)
		var log bytes.Buffer
		cmd.Stdout, cmd.Stderr = &log, &log
		err := cmd.Run()
		o, _ := os.ReadFile(out)
		code := 0
		if err != nil {
			code = cmd.ProcessState.ExitCode()
		}
		return code, log.String(), string(o)
	}
	header := "# releasegate v1.2.3: SHA-256 of the release archives, built by scripts/build-release.sh with go1.26.8\n"
	tests := []struct {
		name          string
		pinned, built string
		pinOK, sameOK bool
		want          string
	}{
		{"the rebuild matches the pin", header + sums, sums, true, true, ""},
		{"a stale pin stops the release", header + strings.Replace(sums, "1111", "2222", 1), sums, true, false, "Nothing was published"},
		{"a pin of another version stops it", strings.Replace(header, "v1.2.3", "v1.2.2", 1) + sums, sums, false, false, "does not pin v1.2.3"},
		{"no pin stops it", "", sums, false, false, "does not pin v1.2.3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, log, out := run(t, steps[pinStep].Run, tc.pinned, tc.built)
			if (code == 0) != tc.pinOK {
				t.Fatalf("pin step: exit %d, want ok=%v\n%s", code, tc.pinOK, log)
			}
			if !tc.pinOK {
				if !strings.Contains(log, "::error") || !strings.Contains(log, tc.want) {
					t.Errorf("pin step says:\n%s\nwant an error saying %q", log, tc.want)
				}
				return
			}
			if out != "go=1.26.8\n" {
				t.Errorf("pin step output %q, want go=1.26.8", out)
			}
			code, log, _ = run(t, steps[verify].Run, tc.pinned, tc.built)
			if (code == 0) != tc.sameOK {
				t.Fatalf("verify step: exit %d, want ok=%v\n%s", code, tc.sameOK, log)
			}
			if !tc.sameOK && (!strings.Contains(log, "::error") || !strings.Contains(log, tc.want)) {
				t.Errorf("verify step says:\n%s\nwant an error saying %q", log, tc.want)
			}
		})
	}
}

func writeFileAt(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
