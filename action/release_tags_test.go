package action

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/releasegate/releasegate/internal/testenv"
)

// git runs git in dir with a fixed identity and no user or system config.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestMoveMajorTags: after each release, the tags vX and vX.Y on the remote point at the newest
// release of their series, so `uses: releasegate/releasegate@v0` gets the newest v0 release; a
// patch of an older line moves only its vX.Y, and a pre-release moves nothing.
func TestMoveMajorTags(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		testenv.Missing(t, "git", "install git")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		testenv.Missing(t, "bash", "install bash")
	}
	script := filepath.Join(testenv.RepoRoot(t), "scripts", "move-major-tags.sh")
	tmp := t.TempDir()
	remote, clone := filepath.Join(tmp, "remote.git"), filepath.Join(tmp, "clone")
	git(t, tmp, "init", "-q", "--bare", remote)
	git(t, tmp, "init", "-q", clone)
	git(t, clone, "remote", "add", "origin", remote)
	commits := map[string]string{}
	release := func(version string) {
		git(t, clone, "commit", "-q", "--allow-empty", "-m", version)
		commits[version] = git(t, clone, "rev-parse", "HEAD")
		git(t, clone, "tag", version)
		git(t, clone, "push", "-q", "origin", "HEAD:refs/heads/main", "refs/tags/"+version)
		cmd := exec.Command("bash", script, version, "origin")
		cmd.Dir = clone
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("move-major-tags.sh %s: %v\n%s", version, err, out)
		}
	}
	tagsOnRemote := func() map[string]string {
		got := map[string]string{}
		for _, line := range strings.Split(git(t, clone, "ls-remote", "--tags", "origin"), "\n") {
			sha, ref, ok := strings.Cut(line, "\t")
			if ok && !strings.HasSuffix(ref, "^{}") {
				got[strings.TrimPrefix(ref, "refs/tags/")] = sha
			}
		}
		return got
	}
	steps := []struct {
		release string
		want    map[string]string // moving tag → the release it must point at
	}{
		{"v0.1.0", map[string]string{"v0": "v0.1.0", "v0.1": "v0.1.0"}},
		{"v0.2.0", map[string]string{"v0": "v0.2.0", "v0.1": "v0.1.0", "v0.2": "v0.2.0"}},
		{"v0.1.1", map[string]string{"v0": "v0.2.0", "v0.1": "v0.1.1", "v0.2": "v0.2.0"}},
		{"v0.10.0", map[string]string{"v0": "v0.10.0", "v0.2": "v0.2.0", "v0.10": "v0.10.0"}},
		{"v1.0.0-rc.1", map[string]string{"v0": "v0.10.0", "v1": ""}},
	}
	for _, s := range steps {
		release(s.release)
		got := tagsOnRemote()
		for tag, want := range s.want {
			if want == "" {
				if sha, ok := got[tag]; ok {
					t.Errorf("after %s: %s exists (at %s), want none", s.release, tag, sha)
				}
				continue
			}
			if got[tag] != commits[want] {
				t.Errorf("after %s: %s is at %.12s, want %s (%.12s)", s.release, tag, got[tag], want, commits[want])
			}
		}
	}
}

// TestReleaseWorkflowMovesTags: the release workflow runs on release tags only (not on the
// moving tags it pushes), fetches every tag, and moves the tags after publishing.
func TestReleaseWorkflowMovesTags(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join(testenv.RepoRoot(t), ".github", "workflows", "release.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		On struct {
			Push struct{ Tags []string } `yaml:"push"`
		} `yaml:"on"`
		Jobs map[string]struct {
			Steps []struct {
				Uses string
				Run  string
				With map[string]any
			}
		}
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	if len(wf.On.Push.Tags) == 0 {
		t.Fatal("release.yml runs on no tag")
	}
	for _, p := range wf.On.Push.Tags {
		if !strings.HasPrefix(p, "v[0-9]+.[0-9]+.[0-9]+") {
			t.Errorf("tag filter %q would also match the moving tags v0, v0.2", p)
		}
	}
	steps := wf.Jobs["release"].Steps
	published, fetchedAll, moved := -1, false, -1
	for i, s := range steps {
		if strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["fetch-depth"] == 0 {
			fetchedAll = true
		}
		if strings.Contains(s.Run, "gh release create") {
			published = i
		}
		if strings.Contains(s.Run, "scripts/move-major-tags.sh \"$GITHUB_REF_NAME\"") {
			moved = i
		}
	}
	if !fetchedAll || published < 0 || moved < published {
		t.Errorf("release.yml: checkout with every tag %v, publish at step %d, move the tags at step %d (want after publishing)", fetchedAll, published, moved)
	}
}

// TestReleasingDocsSetupGo: the setup-go advice in docs/releasing.md works from a calling
// workflow: no workflow snippet there uses github.action_path (empty outside the action), and
// the Go version it names is the one go.mod asks for.
func TestReleasingDocsSetupGo(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "releasing.md"))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	snippets := 0
	for _, block := range strings.Split(string(doc), "```yaml\n")[1:] {
		body, _, _ := strings.Cut(block, "```")
		if !strings.Contains(body, "actions/setup-go") {
			continue
		}
		snippets++
		if strings.Contains(body, "github.action_path") {
			t.Errorf("a setup-go snippet uses github.action_path, which the calling workflow does not have:\n%s", body)
		}
		if m := regexp.MustCompile(`go-version: '([^']+)'`).FindStringSubmatch(body); m == nil || m[1] != string(goLine[1]) {
			t.Errorf("the setup-go snippet asks for Go %v, go.mod for %s:\n%s", m, goLine[1], body)
		}
	}
	if snippets == 0 {
		t.Error("docs/releasing.md shows no setup-go step")
	}
}
