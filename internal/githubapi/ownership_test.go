package githubapi_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
	"github.com/releasegate/releasegate/internal/issueowners"
	"github.com/releasegate/releasegate/ownership"
)

// TestOwnershipAtACommit is the GitHub App's read of ownership at the deployed commit: the
// commit's file list from the trees API and its files through the contents API give the same
// projects, and the same rules by project, as the same files on disk would (an fstest.MapFS
// standing for the work tree the CLI reads).
func TestOwnershipAtACommit(t *testing.T) {
	t.Parallel()
	const sha = "9e1d5a0000000000000000000000000000000003"
	files := map[string]string{
		// A service whose rules live in a file of their own.
		"services/api/sentry.properties": "defaults.org = acme\ndefaults.project = api\nownership.file = OWNERS\nownership.fallthrough = false\n",
		"services/api/OWNERS":            "path:src/handlers/* #api\nurl:*checkout* alice@example.com\n",
		"services/api/src/handlers/x.go": "package handlers\n",
		// A service that imports the repository's CODEOWNERS.
		"services/web/sentry.properties": "defaults.org = acme\ndefaults.project = web\nownership.rules = path:src/legacy/* #web-legacy\n" +
			"ownership.codeowners = true\nownership.codeowners.owner.@acme/frontend = #frontend\nownership.codeowners.owner.@acme/design = #design\n",
		// A service whose rules file is not in the commit: the same problem either way.
		"services/jobs/sentry.properties": "defaults.project = jobs\nownership.file = OWNERS\n",
		".github/CODEOWNERS":              "/services/web/ @acme/frontend\n*.css @acme/design\n",
		"services/web/src/app.js":         "export {}\n",
		"services/web/src/app.css":        "body {}\n",
		"README.md":                       "# acme\n",
		"docs/sentry.properties.md":       "not a sentry.properties\n",
	}
	gh := githubapitest.Start(t, githubapitest.Options{})
	inst := gh.AddInstallation("acme", []string{"monorepo"}, nil)
	disk := fstest.MapFS{}
	for name, content := range files {
		gh.SetFile("acme", "monorepo", sha, name, []byte(content))
		disk[name] = &fstest.MapFile{Data: []byte(content)}
	}
	// Another commit's files and a submodule must not leak into this commit's tree.
	gh.SetFile("acme", "monorepo", "main", "services/billing/sentry.properties", []byte("defaults.project = billing\n"))
	gh.SetSubmodule("acme", "monorepo", sha, "third_party/sdk", "5dc0000000000000000000000000000000000004")

	f, err := githubapi.New(githubapi.Options{BaseURL: gh.URL(), AppID: gh.AppID(), PrivateKey: gh.PrivateKey()})
	if err != nil {
		t.Fatal(err)
	}
	client, err := f.Installation(inst)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := client.CommitTree(t.Context(), "acme", "monorepo", sha)
	if err != nil {
		t.Fatal(err)
	}
	commit := ownership.Tree{FS: githubapi.CommitFS(t.Context(), client, "acme", "monorepo", sha, 0), Files: githubapi.Paths(entries)}
	local := ownership.Tree{FS: disk}
	for name := range disk {
		local.Files = append(local.Files, name)
	}

	if got, want := slices.Sorted(slices.Values(commit.Files)), slices.Sorted(slices.Values(local.Files)); !slices.Equal(got, want) {
		t.Fatalf("the commit's files %q; want %q", got, want)
	}
	paths := commit.FindProperties("")
	if want := []string{"services/api/sentry.properties", "services/jobs/sentry.properties", "services/web/sentry.properties"}; !slices.Equal(paths, want) {
		t.Fatalf("sentry.properties found %q; want %q", paths, want)
	}
	fromCommit, err := ownership.LoadProjects(commit, paths)
	if err != nil {
		t.Fatal(err)
	}
	fromDisk, err := ownership.LoadProjects(local, local.FindProperties(""))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromCommit, fromDisk) {
		t.Errorf("the projects read at the commit differ from the same files on disk:\ncommit: %s\ndisk:   %s", describe(fromCommit), describe(fromDisk))
	}
	// The comparison means something only if both read every file: rules from OWNERS and
	// from CODEOWNERS, and the one problem of the missing rules file.
	rules := map[string][]string{}
	for _, p := range fromCommit {
		if got := fmt.Sprint(p.Problems); p.DefaultProject == "jobs" && got != "[services/jobs/sentry.properties:2: ownership.file: open services/jobs/OWNERS: file does not exist]" ||
			p.DefaultProject != "jobs" && len(p.Problems) > 0 {
			t.Errorf("%s has problems %s", p.Path, got)
		}
		for _, r := range p.Rules() {
			rules[p.DefaultProject] = append(rules[p.DefaultProject], r.String())
		}
	}
	want := map[string][]string{
		"api": {"path:src/handlers/* #api", "url:*checkout* alice@example.com"},
		"web": {"codeowners:/services/web/ #frontend", "codeowners:*.css #design", "path:src/legacy/* #web-legacy"},
	}
	if !reflect.DeepEqual(rules, want) {
		t.Errorf("rules by project %q; want %q", rules, want)
	}

	byCommit, byDisk := issueowners.FromTree(commit), issueowners.FromTree(local)
	if !reflect.DeepEqual(byCommit, byDisk) || len(byCommit.ByProject) != 2 || len(byCommit.Broken) != 1 || len(byCommit.Broken["jobs"]) != 1 {
		t.Errorf("issueowners.FromTree at the commit %+v; on disk %+v; want the same two projects' rules and a note for jobs", byCommit, byDisk)
	}
	// Each file was read once, though LoadProjects and FromTree both read them.
	reads := map[string]int{}
	for _, c := range gh.CallsTo("GET /repos/{owner}/{repo}/contents/{path}") {
		reads[c.Path]++
		if c.Query.Get("ref") != sha {
			t.Errorf("%s read at %q; want the commit %s", c.Path, c.Query.Get("ref"), sha)
		}
	}
	for path, n := range reads {
		if n != 1 {
			t.Errorf("%s read %d times; want once", path, n)
		}
	}
	if len(reads) != 6 {
		t.Errorf("%d files read (%v); want the three sentry.properties, both OWNERS and CODEOWNERS", len(reads), reads)
	}
}

func describe(projects []*ownership.Project) string {
	var out []string
	for _, p := range projects {
		out = append(out, fmt.Sprintf("%s (project %q, %d rules, problems %v, codeowners %q)", p.Path, p.DefaultProject, len(p.Rules()), p.Problems, p.Codeowners))
	}
	return fmt.Sprint(out)
}
