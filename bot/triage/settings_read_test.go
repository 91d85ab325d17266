package triage

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
)

// TestReadSettingsAtACommit: the bot's way (the file at the release's commit, through the App's
// installation client and githubapi.CommitFS) and the CLI's (the work tree on disk) give the
// same settings, and a problem names the file as labelled.
func TestReadSettingsAtACommit(t *testing.T) {
	t.Parallel()
	const sha = "c0ffee0000000000000000000000000000000001"
	file := []byte("triage:\n  environments: [production]\n  min_events: 3\n")
	gh := githubapitest.Start(t, githubapitest.Options{})
	inst := gh.AddInstallation("acme", []string{"web"}, nil)
	gh.SetFile("acme", "web", sha, gate.PolicyPath, file)
	gh.SetFile("acme", "web", "main", gate.PolicyPath, []byte("triage: {min_events: 0}\n")) // not at the commit
	f, err := githubapi.New(githubapi.Options{BaseURL: gh.URL(), AppID: gh.AppID(), PrivateKey: gh.PrivateKey(), UserAgent: "releasegate-test"})
	if err != nil {
		t.Fatal(err)
	}
	client, err := f.Installation(inst)
	if err != nil {
		t.Fatal(err)
	}
	label := "acme/web@c0ffee000000:" + gate.PolicyPath
	atCommit, err := ReadSettings(githubapi.CommitFS(t.Context(), client, "acme", "web", sha, 1<<20), gate.PolicyPath, label)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".github"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(gate.PolicyPath)), file, 0o600); err != nil {
		t.Fatal(err)
	}
	inTree, err := ReadSettings(os.DirFS(dir), gate.PolicyPath, "")
	if err != nil {
		t.Fatal(err)
	}
	if atCommit.File != label || atCommit.MinEvents != 3 || len(atCommit.Environments) != 1 {
		t.Errorf("at the commit: %+v", atCommit)
	}
	atCommit.File = gate.PolicyPath
	if !reflect.DeepEqual(atCommit, inTree) {
		t.Errorf("at the commit %+v, in the work tree %+v", atCommit, inTree)
	}
	if s, err := ReadSettings(githubapi.CommitFS(t.Context(), client, "acme", "web", "main", 1<<20), gate.PolicyPath, "acme/web@main:"+gate.PolicyPath); err == nil ||
		err.Error() != "acme/web@main:.github/releasegate.yml:1: triage.min_events: must be at least 1, not 0: leave the key out for the default, 1" {
		t.Errorf("a bad file at a ref: %+v, %v", s, err)
	}
	none := "c0ffee0000000000000000000000000000000002"
	gh.SetFile("acme", "web", none, "README.md", []byte("no settings here\n"))
	if s, err := ReadSettings(githubapi.CommitFS(t.Context(), client, "acme", "web", none, 1<<20), gate.PolicyPath, ""); err != nil || s.File != "" || !s.Enabled {
		t.Errorf("no file at the commit: %+v, %v; want the defaults", s, err)
	}
}
