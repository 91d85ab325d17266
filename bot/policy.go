package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/githubapi"
)

// The policy's places: the repository's own file at the deployed commit, else the owner's
// default in its .github repository (on its default branch), as policy-bot and GitHub's own
// community files do.
const (
	orgPolicyRepo = ".github"
	orgPolicyPath = "releasegate.yml"
	maxPolicySize = 1 << 20
)

// policySource is a policy and where it was read.
type policySource struct {
	Policy *gate.Policy
	// Label names the file in messages: "acme/web@2f6c1a9:.github/releasegate.yml".
	Label string
}

// fileReader reads a file of a repository at a ref (githubapi.Client).
type fileReader interface {
	ReadFile(ctx context.Context, owner, repo, path, ref string, maxSize int64) ([]byte, error)
}

// readPolicy reads the policy for a commit. No file in either place is (nil, nil): no policy
// covers the deployment. A file that does not load, or a GitHub that refuses to show it, is an
// errkind.Config error naming the file; GitHub unavailable is returned as it is (undecided).
func readPolicy(ctx context.Context, gh fileReader, owner, repo, sha string) (*policySource, error) {
	places := []struct{ repo, path, ref string }{
		{repo, gate.PolicyPath, sha},
		{orgPolicyRepo, orgPolicyPath, ""},
	}
	for _, p := range places {
		label := fmt.Sprintf("%s/%s@%s:%s", owner, p.repo, shortRef(p.ref), p.path)
		data, err := gh.ReadFile(ctx, owner, p.repo, p.path, p.ref, maxPolicySize)
		switch {
		case errors.Is(err, githubapi.ErrNotFound) && !errors.Is(err, githubapi.ErrMisconfigured):
			continue
		case errors.Is(err, githubapi.ErrMisconfigured):
			return nil, errkind.WithHint(errkind.Config, fmt.Errorf("reading %s: %w", label, err),
				"the App needs Contents: read on the repository (docs/app.md)")
		case err != nil:
			return nil, fmt.Errorf("reading %s: %w", label, err)
		}
		policy, err := gate.LoadPolicy(data, label)
		if err != nil {
			return nil, errkind.Wrap(errkind.Config, err)
		}
		return &policySource{Policy: policy, Label: label}, nil
	}
	return nil, nil
}

// shortRef is a ref as messages show it: a commit's first 12 characters, the default branch
// as "HEAD".
func shortRef(ref string) string {
	switch {
	case ref == "":
		return "HEAD"
	case len(ref) > 12 && strings.Trim(ref, "0123456789abcdefABCDEF") == "":
		return ref[:12]
	}
	return ref
}
