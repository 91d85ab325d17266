package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/testenv"
)

// TestVendoredCopiesAreCurrent rebuilds every data set from the shared originals and compares
// it, file by file, with the copy in testdata/external. The originals sit beside the repository
// only on the team's machines; elsewhere (a plain clone, GitHub's CI) there is nothing to
// compare with, and the test says so.
func TestVendoredCopiesAreCurrent(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot(t)
	from := filepath.Join(root, "..", "shared", "testdata")
	if _, err := os.Stat(from); err != nil {
		t.Skipf("the shared originals are not beside this clone (%s); nothing to compare the vendored copies with", from)
	}
	for _, ds := range dataSets {
		t.Run(ds.name, func(t *testing.T) {
			t.Parallel()
			want, err := ds.build(filepath.Join(from, ds.origin))
			if err != nil {
				t.Fatal(err)
			}
			got := readTree(t, testenv.External(t, ds.name))
			for _, name := range sortedKeys(want) {
				if g, ok := got[name]; !ok {
					t.Errorf("%s/%s is missing; run `go run ./scripts/vendor-external`", ds.name, name)
				} else if !bytes.Equal(g, want[name]) {
					t.Errorf("%s/%s differs from what the originals give; run `go run ./scripts/vendor-external`", ds.name, name)
				}
			}
			for _, name := range sortedKeys(got) {
				if _, ok := want[name]; !ok {
					t.Errorf("%s/%s is not built from the originals; remove it or run `go run ./scripts/vendor-external`", ds.name, name)
				}
			}
		})
	}
}

// TestBuildKeepsWhatTheTestsRead checks the trimming on the originals: the paths and maps the
// tests name are kept, and nothing half-built is written when an original is missing.
func TestBuildKeepsWhatTheTestsRead(t *testing.T) {
	t.Parallel()
	root := testenv.RepoRoot(t)
	from := filepath.Join(root, "..", "shared", "testdata")
	if _, err := os.Stat(from); err != nil {
		t.Skipf("the shared originals are not beside this clone (%s)", from)
	}
	out := t.TempDir()
	if err := vendorAll(from, out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"sentry-openapi/openapi-derefed.json",
		"sentry-openapi/SOURCE",
		"sentry-openapi/LICENSE",
		"tc39-source-map-tests/source-map-spec-tests.json",
		"tc39-source-map-tests/resources/basic-mapping.js.map",
		"tc39-source-map-tests/SOURCE",
		"tc39-source-map-tests/LICENSE",
		"github-openapi/api.github.com.json",
		"github-openapi/webhooks.trimmed.json",
		"github-openapi/SOURCE",
		"github-openapi/LICENSE",
		"github-webhook-examples/pull_request.opened.0.json",
		"github-webhook-examples/SOURCE",
		"github-webhook-examples/LICENSE",
		"jira-openapi/jira-platform-v3.trimmed.json",
		"jira-openapi/SOURCE",
		"jira-openapi/LICENSE",
	} {
		if _, err := os.Stat(filepath.Join(out, want)); err != nil {
			t.Errorf("not written: %v", err)
		}
	}
	spec, err := os.ReadFile(filepath.Join(out, "sentry-openapi", "openapi-derefed.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		`"/api/0/organizations/{organization_id_or_slug}/issues/{issue_id}/"`,
		`"/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/ownership/"`,
		`"/api/0/organizations/{organization_id_or_slug}/releases/{version}/deploys/"`,
		`"/api/0/teams/{organization_id_or_slug}/{team_id_or_slug}/members/"`,
	} {
		if !bytes.Contains(spec, []byte(path)) {
			t.Errorf("the trimmed description lacks %s", path)
		}
	}
	if bytes.Contains(spec, []byte(`"/api/0/organizations/{organization_id_or_slug}/dashboards/"`)) {
		t.Error("the trimmed description keeps dashboards, which nothing uses")
	}

	rest, err := os.ReadFile(filepath.Join(out, "github-openapi", "api.github.com.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, op := range githubOperations {
		_, path, _ := strings.Cut(op, " ")
		if !bytes.Contains(rest, []byte(`"`+path+`"`)) {
			t.Errorf("the trimmed GitHub description lacks %s", op)
		}
	}
	if bytes.Contains(rest, []byte(`"/repos/{owner}/{repo}/deployments"`)) {
		t.Error("the trimmed GitHub description keeps the deployments API, which nothing calls")
	}
	hooks, err := os.ReadFile(filepath.Join(out, "github-openapi", "webhooks.trimmed.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(hooks, []byte(`"deployment-protection-rule-requested"`)) || bytes.Contains(hooks, []byte(`"workflow-run-completed"`)) {
		t.Error("the trimmed webhook description does not keep exactly the events the App handles")
	}
	if _, err := os.Stat(filepath.Join(out, "github-webhook-examples", "release.published.0.json")); err == nil {
		t.Error("the examples of an event the App does not handle were kept")
	}

	// A missing original fails before anything is replaced.
	broken := t.TempDir()
	if err := vendorAll(broken, out); err == nil {
		t.Fatal("vendoring from an empty folder succeeded")
	}
	if _, err := os.Stat(filepath.Join(out, "sentry-openapi", "openapi-derefed.json")); err != nil {
		t.Errorf("a failed run removed the previous copy: %v", err)
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
