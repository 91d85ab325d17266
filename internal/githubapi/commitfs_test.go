package githubapi_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"sync"
	"testing"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
)

const contentsOp = "GET /repos/{owner}/{repo}/contents/{path}"

// TestCommitFS: files are read at the commit, once each; what the commit lacks is
// fs.ErrNotExist, and what cannot be read says why.
func TestCommitFS(t *testing.T) {
	t.Parallel()
	const sha = "c0ffee0000000000000000000000000000000001"
	props := []byte("defaults.project = web\nownership.file = OWNERS\n")
	tests := []struct {
		name, path string
		want       []byte
		is         []error
		as         any
		// calls is how many requests two reads make: 1 when the answer is kept.
		calls int
	}{
		{name: "a file", path: "web/sentry.properties", want: props, calls: 1},
		{name: "a file missing at the commit", path: "web/OWNERS", is: []error{fs.ErrNotExist}, calls: 1},
		{name: "a folder", path: "web", as: new(*githubapi.NotAFileError), calls: 1},
		{name: "a file over the cap", path: "web/big.txt", as: new(*githubapi.FileTooLargeError), calls: 1},
		{name: "an invalid name", path: "../web/sentry.properties", is: []error{fs.ErrInvalid}, calls: 0},
		{name: "the root", path: ".", is: []error{fs.ErrInvalid}, calls: 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, githubapitest.Options{})
			b.gh.SetFile("acme", "web", sha, "web/sentry.properties", props)
			b.gh.SetFile("acme", "web", sha, "web/big.txt", []byte(strings.Repeat("x", 100)))
			b.gh.SetFile("acme", "web", "main", "web/OWNERS", []byte("* #elsewhere\n")) // not at the commit
			fsys := githubapi.CommitFS(t.Context(), b.installation(t), "acme", "web", sha, 64)
			for range 2 {
				got, err := fs.ReadFile(fsys, tc.path)
				for _, target := range tc.is {
					if !errors.Is(err, target) {
						t.Errorf("error %v; want %v", err, target)
					}
				}
				if tc.as != nil && !errors.As(err, tc.as) {
					t.Errorf("error %T %v; want %T", err, err, tc.as)
				}
				var pe *fs.PathError
				if err != nil && (!errors.As(err, &pe) || pe.Path != tc.path) {
					t.Errorf("error %v is not an *fs.PathError naming %s", err, tc.path)
				}
				if tc.want != nil && (err != nil || string(got) != string(tc.want)) {
					t.Errorf("ReadFile = %q, %v; want %q", got, err, tc.want)
				}
			}
			if n := len(b.gh.CallsTo(contentsOp)); n != tc.calls {
				t.Errorf("%d requests for two reads; want %d", n, tc.calls)
			}
		})
	}
}

// TestCommitFSFiles: Open and Stat see the file ReadFile reads; the content handed out is
// the caller's to change.
func TestCommitFSFiles(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	b.gh.SetFile("acme", "web", "abc", "CODEOWNERS", []byte("* @acme/web\n"))
	fsys := githubapi.CommitFS(t.Context(), b.installation(t), "acme", "web", "abc", 0)
	info, err := fs.Stat(fsys, "CODEOWNERS")
	if err != nil || info.Name() != "CODEOWNERS" || info.Size() != 12 || info.IsDir() || !info.Mode().IsRegular() {
		t.Fatalf("Stat = %v, %v; want a regular file of 12 bytes", info, err)
	}
	f, err := fsys.Open("CODEOWNERS")
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(f)
	if err != nil || string(data) != "* @acme/web\n" || f.Close() != nil {
		t.Errorf("Open and read = %q, %v", data, err)
	}
	first, _ := fs.ReadFile(fsys, "CODEOWNERS")
	first[0] = '#'
	if again, _ := fs.ReadFile(fsys, "CODEOWNERS"); string(again) != "* @acme/web\n" {
		t.Errorf("a caller's change to the content reached the next read: %q", again)
	}
	if n := len(b.gh.CallsTo(contentsOp)); n != 1 {
		t.Errorf("%d requests; want 1", n)
	}
}

// TestCommitFSOutages: an outage is not kept, so the next read tries again; concurrent
// readers of a file share one request; a cancelled context stops every read.
func TestCommitFSOutages(t *testing.T) {
	t.Parallel()
	t.Run("an outage is not kept", func(t *testing.T) {
		t.Parallel()
		b := setup(t, githubapitest.Options{}, func(o *githubapi.Options) { o.MaxRetries = -1 })
		b.gh.SetFile("acme", "web", "abc", "sentry.properties", []byte("defaults.project = web\n"))
		b.gh.InjectFault(githubapitest.Fault{Path: "/repos/acme/web/contents/*", Status: 502, Times: 1})
		fsys := githubapi.CommitFS(t.Context(), b.installation(t), "acme", "web", "abc", 0)
		_, err := fs.ReadFile(fsys, "sentry.properties")
		if !errors.Is(err, githubapi.ErrUnavailable) || errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("error %v; want ErrUnavailable", err)
		}
		if data, err := fs.ReadFile(fsys, "sentry.properties"); err != nil || string(data) != "defaults.project = web\n" {
			t.Errorf("after the outage: %q, %v", data, err)
		}
	})
	t.Run("concurrent readers share a request", func(t *testing.T) {
		t.Parallel()
		b := setup(t, githubapitest.Options{})
		b.gh.SetFile("acme", "web", "abc", "sentry.properties", []byte("defaults.project = web\n"))
		fsys := githubapi.CommitFS(t.Context(), b.installation(t), "acme", "web", "abc", 0)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if _, err := fs.ReadFile(fsys, "sentry.properties"); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if n := len(b.gh.CallsTo(contentsOp)); n != 1 {
			t.Errorf("%d requests for 8 concurrent reads; want 1", n)
		}
	})
	t.Run("a cancelled context", func(t *testing.T) {
		t.Parallel()
		b := setup(t, githubapitest.Options{})
		b.gh.SetFile("acme", "web", "abc", "sentry.properties", []byte("defaults.project = web\n"))
		c := b.installation(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := fs.ReadFile(githubapi.CommitFS(ctx, c, "acme", "web", "abc", 0), "sentry.properties")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v; want context.Canceled", err)
		}
	})
}
