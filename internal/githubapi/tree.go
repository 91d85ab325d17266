package githubapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// TreeEntry is one file of a commit: a blob of its tree, listed by [Client.CommitTree].
type TreeEntry struct {
	// Path is relative to the repository root, slash-separated.
	Path string
	// Mode is git's: "100644" (a file), "100755" (executable), "120000" (a symbolic link,
	// whose content is its target).
	Mode string
	// SHA is the blob's; Size its length in bytes.
	SHA  string
	Size int64
}

// TreeTruncatedError is a commit whose tree GitHub would not list whole (more than 100,000
// entries or 7 MB in one answer). [Client.CommitTree] returns it rather than a partial list,
// since a missing sentry.properties or CODEOWNERS would silently change what is read. It is
// neither ErrMisconfigured nor ErrUnavailable: retrying cannot help and nothing is set up
// wrong; the caller reports that the commit's files could not be listed.
type TreeTruncatedError struct {
	Owner, Repo, SHA string
	// Listed is how many entries the truncated answer held.
	Listed int
}

func (e *TreeTruncatedError) Error() string {
	return fmt.Sprintf("githubapi: the tree of %s in %s/%s is too large for GitHub to list in one answer (it cut it at %d entries; the limit is 100,000 entries or 7 MB): its files were not read, since a partial list could miss some",
		e.SHA, e.Owner, e.Repo, e.Listed)
}

// checkRef rejects a commit SHA or ref name that would change the request's path or query.
func checkRef(ref string) error {
	switch {
	case ref == "" || strings.HasPrefix(ref, "/") || strings.HasSuffix(ref, "/") || strings.Contains(ref, ".."):
		return fmt.Errorf("githubapi: %q is not a commit SHA or ref name", ref)
	case strings.ContainsAny(ref, "?#%\\ \t\r\n\x00"):
		return fmt.Errorf("githubapi: %q is not a commit SHA or ref name (it holds a character that would change the request's URL)", ref)
	}
	return nil
}

// CommitTree lists the files of a commit (its SHA; a branch or tag name also works) through
// GET /repos/{owner}/{repo}/git/trees/{sha}?recursive=1, in GitHub's order. Only blobs are
// listed: folders are implied by the paths, and submodules (other repositories' commits)
// hold no file of this one. A tree GitHub truncates is a *TreeTruncatedError; a commit
// GitHub does not know is ErrNotFound (and ErrMisconfigured, as GitHub answers the same for
// a repository the installation cannot see).
func (c *Client) CommitTree(ctx context.Context, owner, repo, sha string) ([]TreeEntry, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	if err := checkRef(sha); err != nil {
		return nil, err
	}
	cl := call{op: fmt.Sprintf("list the files of %s in %s/%s", sha, owner, repo)}
	ctx, a := begin(ctx, cl)
	tree, resp, err := c.gh.Git.GetTree(ctx, owner, repo, sha, true)
	if err != nil {
		err = c.fail(cl, a, resp, err)
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			ae.Hint += fmt.Sprintf("; or %s is not a commit of %s/%s", sha, owner, repo)
		}
		return nil, err
	}
	switch {
	case tree == nil || tree.SHA == nil:
		return nil, c.protocol(cl, resp, errors.New("the answer is not a tree"))
	case tree.Truncated == nil:
		return nil, c.protocol(cl, resp, errors.New("the answer does not say whether the tree is complete"))
	case *tree.Truncated:
		return nil, &TreeTruncatedError{Owner: owner, Repo: repo, SHA: sha, Listed: len(tree.Entries)}
	}
	var out []TreeEntry
	for _, e := range tree.Entries {
		if e.GetType() != "blob" {
			continue
		}
		if e.GetPath() == "" || e.GetSHA() == "" {
			return nil, c.protocol(cl, resp, errors.New("a blob of the tree has no path or SHA"))
		}
		out = append(out, TreeEntry{Path: e.GetPath(), Mode: e.GetMode(), SHA: e.GetSHA(), Size: int64(e.GetSize())})
	}
	return out, nil
}

// Paths are the entries' paths, in the same order: an ownership.Tree's Files.
func Paths(entries []TreeEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Path
	}
	return out
}
