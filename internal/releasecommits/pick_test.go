package releasecommits

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/gitlog"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/testenv"
)

// isolated is the environment git runs with here: none of the machine's configuration.
var isolated = []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}

func git(t *testing.T, dir string, tick int, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	date := fmt.Sprintf("2024-05-01T12:%02d:00Z", tick)
	cmd.Env = append(os.Environ(), append(isolated, "GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_NAME=CI", "GIT_COMMITTER_EMAIL=ci@example.com", "GIT_COMMITTER_DATE="+date)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// history is a repository of n commits; it returns its folder and the SHAs, oldest first.
func history(t *testing.T, n int) (string, []string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		testenv.Missing(t, "git", "install git")
	}
	dir := t.TempDir()
	git(t, dir, 0, "init", "-q", "-b", "main")
	var shas []string
	for i := range n {
		git(t, dir, i, "commit", "-q", "--allow-empty", "-m", fmt.Sprintf("commit %d", i))
		shas = append(shas, git(t, dir, i, "rev-parse", "HEAD"))
	}
	return dir, shas
}

func TestPick(t *testing.T) {
	t.Parallel()
	dir, shas := history(t, 5)
	// A shallow clone of the last two commits: the older ones are missing from it.
	shallow := filepath.Join(t.TempDir(), "shallow")
	git(t, dir, 0, "clone", "-q", "--depth", "2", "file://"+dir, shallow)
	// A commit the history does not have, as one force-pushed away would be.
	gone := []string{strings.Repeat("d", 40)}

	tests := []struct {
		name        string
		dir         string
		prev        Previous
		opts        PickOptions
		want        []string // newest first
		basis       Basis
		wantMissing *MissingError
	}{
		{name: "no previous commit: the last InitialDepth", dir: dir, opts: PickOptions{InitialDepth: 3}, want: []string{shas[4], shas[3], shas[2]}, basis: FromStart},
		{name: "since the previous release's commit", dir: dir, prev: Previous{Version: "web@1", SHA: shas[1]}, opts: PickOptions{InitialDepth: 1}, want: []string{shas[4], shas[3], shas[2]}, basis: SincePrevious},
		{name: "at the previous release's commit: none", dir: dir, prev: Previous{Version: "web@1", SHA: shas[4]}, opts: PickOptions{InitialDepth: 1}, want: nil, basis: SincePrevious},
		{
			name: "missing from the history", dir: dir, prev: Previous{Version: "web@1", SHA: gone[0]}, opts: PickOptions{InitialDepth: 2},
			wantMissing: &MissingError{Previous: Previous{Version: "web@1", SHA: gone[0]}, Repo: "acme/web"},
		},
		{
			name: "missing from a shallow clone", dir: shallow, prev: Previous{Version: "web@1", SHA: shas[1]}, opts: PickOptions{InitialDepth: 2},
			wantMissing: &MissingError{Previous: Previous{Version: "web@1", SHA: shas[1]}, Repo: "acme/web", Shallow: true},
		},
		{
			name: "missing, and passed over", dir: shallow, prev: Previous{Version: "web@1", SHA: shas[1]}, opts: PickOptions{InitialDepth: 5, IgnoreMissing: true},
			want: []string{shas[4], shas[3]}, basis: MissingPrevious,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			repo, err := gitlog.Open(ctx, tt.dir, isolated)
			if err != nil {
				t.Fatal(err)
			}
			head, err := repo.Head(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Pick(ctx, repo, head, "acme/web", tt.prev, tt.opts)
			if tt.wantMissing != nil {
				me, ok := errors.AsType[*MissingError](err)
				if !ok || *me != *tt.wantMissing || errkind.Of(err) != errkind.Usage {
					t.Fatalf("error %v (%#v), want %+v of kind usage", err, me, tt.wantMissing)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var shas []string
			for _, c := range got.Commits {
				shas = append(shas, c.SHA)
			}
			if !slices.Equal(shas, tt.want) || got.Basis != tt.basis {
				t.Errorf("Pick = %v (basis %d), want %v (basis %d)", shas, got.Basis, tt.want, tt.basis)
			}
			if (got.Basis == MissingPrevious) != (got.Missing != nil) {
				t.Errorf("basis %d with Missing %+v", got.Basis, got.Missing)
			}
		})
	}
}

// TestPickRefusesNoDepth: a depth below one is the caller's mistake, not an empty pick.
func TestPickRefusesNoDepth(t *testing.T) {
	t.Parallel()
	_, err := Pick(context.Background(), nil, "HEAD", "acme/web", Previous{}, PickOptions{})
	if errkind.Of(err) != errkind.Usage {
		t.Fatalf("error %v, want a usage error", err)
	}
}

func TestMissingErrorMessage(t *testing.T) {
	t.Parallel()
	err := &MissingError{Previous: Previous{Version: "web@1", SHA: "0123456789abcdef0123456789abcdef01234567"}, Repo: "acme/web"}
	if got, want := err.Error(), "commit 0123456789ab, the last of acme/web in release web@1, is not in the local git history"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestToSentry(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		commits []gitlog.Commit
		check   func(t *testing.T, got []sentryapi.Commit)
	}{
		{
			name:    "none",
			commits: nil,
			check: func(t *testing.T, got []sentryapi.Commit) {
				if got == nil || len(got) != 0 {
					t.Errorf("got %#v, want an empty list", got)
				}
			},
		},
		{
			name: "authors, time, files, in order",
			commits: []gitlog.Commit{
				{SHA: sha2, Message: "two", AuthorName: "Ada", AuthorEmail: "ada@example.com", AuthorTime: at, Files: []gitlog.FileChange{{Status: "M", Path: "a.ts"}, {Status: "D", Path: "b.ts"}}},
				{SHA: sha1, Message: "one"},
			},
			check: func(t *testing.T, got []sentryapi.Commit) {
				if len(got) != 2 || got[0].ID != sha2 || got[1].ID != sha1 {
					t.Fatalf("got %+v", got)
				}
				c := got[0]
				if c.Repository != "acme/web" || c.Message != "two" || c.AuthorName != "Ada" || c.AuthorEmail != "ada@example.com" ||
					c.Timestamp == nil || !c.Timestamp.Equal(at) || len(c.PatchSet) != 2 || c.PatchSet[1].Path != "b.ts" || c.PatchSet[1].Type != "D" {
					t.Errorf("first commit %+v", c)
				}
				if got[1].Timestamp != nil {
					t.Errorf("a commit without an author time was sent one: %v", got[1].Timestamp)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.check(t, ToSentry(tt.commits, "acme/web"))
		})
	}
}
