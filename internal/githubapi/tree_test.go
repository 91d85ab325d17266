package githubapi_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
)

// TestCommitTree: a commit's blobs, in git's order, without folders or submodules; a tree
// GitHub cuts short is an error, never a partial list.
func TestCommitTree(t *testing.T) {
	t.Parallel()
	b := setup(t, githubapitest.Options{})
	const sha = "c0ffee0000000000000000000000000000000001"
	for _, p := range []string{"b.txt", "a/x.txt", "a.txt", "a/b/c.txt"} {
		b.gh.SetFile("acme", "web", sha, p, []byte("hello"))
	}
	b.gh.SetSubmodule("acme", "web", sha, "vendor/lib", "feed000000000000000000000000000000000002")
	b.gh.SetFile("acme", "web", "release/v2", "sentry.properties", []byte("defaults.project = web\n"))
	c := b.installation(t)
	// git hash-object of "hello", as GitHub names the blob.
	const helloSHA = "b6fc4c620b67d95f953a5c1c1230aaab5db5a1b0"
	tests := []struct {
		name, sha string
		paths     []string
		is, isNot []error
		message   string
	}{
		{name: "a commit's files, in git's order", sha: sha, paths: []string{"a.txt", "a/b/c.txt", "a/x.txt", "b.txt"}},
		{name: "a branch whose name has a slash", sha: "release/v2", paths: []string{"sentry.properties"}},
		{
			name: "a commit GitHub does not know", sha: "0000000000000000000000000000000000000bad", is: []error{githubapi.ErrNotFound},
			message: "or 0000000000000000000000000000000000000bad is not a commit of acme/web",
		},
		{name: "a SHA that would leave the path", sha: "../../contents/x", message: "is not a commit SHA or ref name"},
		{name: "a SHA with a query", sha: "main?recursive=0", message: "is not a commit SHA or ref name"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.CommitTree(t.Context(), "acme", "web", tc.sha)
			for _, target := range tc.is {
				if !errors.Is(err, target) {
					t.Errorf("error %v; want %v", err, target)
				}
			}
			if tc.message != "" && (err == nil || !strings.Contains(err.Error(), tc.message)) {
				t.Errorf("error %v; want one saying %q", err, tc.message)
			}
			if tc.paths == nil {
				if err == nil {
					t.Errorf("CommitTree = %v; want an error", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if paths := githubapi.Paths(got); !slices.Equal(paths, tc.paths) {
				t.Errorf("paths %q; want %q", paths, tc.paths)
			}
			for _, e := range got {
				if e.Mode != "100644" || tc.sha == sha && (e.Size != int64(len("hello")) || e.SHA != helloSHA) {
					t.Errorf("entry %+v; want mode 100644, size 5 and the blob's SHA %s", e, helloSHA)
				}
			}
		})
	}
	for _, call := range b.gh.CallsTo("GET /repos/{owner}/{repo}/git/trees/{tree_sha}") {
		if call.Query.Get("recursive") != "1" {
			t.Errorf("%s was asked without recursive=1", call.Path)
		}
	}
}

// TestCommitTreeRefuses: a truncated listing and an empty repository are errors that say
// what happened; a spoiled answer is undecided.
func TestCommitTreeRefuses(t *testing.T) {
	t.Parallel()
	t.Run("truncated", func(t *testing.T) {
		t.Parallel()
		b := setup(t, githubapitest.Options{})
		for _, p := range []string{"a.txt", "b.txt", "c/sentry.properties"} {
			b.gh.SetFile("acme", "web", "main", p, []byte("x"))
		}
		b.gh.SetTreeLimit(2)
		got, err := b.installation(t).CommitTree(t.Context(), "acme", "web", "main")
		var te *githubapi.TreeTruncatedError
		if !errors.As(err, &te) || te.Listed != 2 || te.SHA != "main" || got != nil {
			t.Fatalf("CommitTree = %v, %v; want no list and a TreeTruncatedError of 2 entries", got, err)
		}
		if errors.Is(err, githubapi.ErrMisconfigured) || errors.Is(err, githubapi.ErrUnavailable) {
			t.Errorf("error %v is a misconfiguration or an outage; it is neither", err)
		}
		if !strings.Contains(err.Error(), "too large for GitHub to list") {
			t.Errorf("error %q does not say why", err)
		}
	})
	t.Run("empty repository", func(t *testing.T) {
		t.Parallel()
		b := setup(t, githubapitest.Options{})
		_, err := b.installation(t).CommitTree(t.Context(), "acme", "web", "main")
		var ae *githubapi.APIError
		if !errors.As(err, &ae) || ae.Status != 409 || !strings.Contains(ae.Message, "empty") {
			t.Errorf("error %v; want GitHub's 409 for an empty repository", err)
		}
	})
	t.Run("null body", func(t *testing.T) {
		t.Parallel()
		b := setup(t, githubapitest.Options{}, func(o *githubapi.Options) { o.MaxRetries = -1 })
		b.gh.SetFile("acme", "web", "main", "a.txt", []byte("x"))
		b.gh.InjectFault(githubapitest.Fault{Path: "/repos/acme/web/git/trees/*", NullBody: true})
		_, err := b.installation(t).CommitTree(t.Context(), "acme", "web", "main")
		var pe *githubapi.ProtocolError
		if !errors.As(err, &pe) || !errors.Is(err, githubapi.ErrUnavailable) {
			t.Errorf("error %T %v; want a ProtocolError (ErrUnavailable)", err, err)
		}
	})
}
