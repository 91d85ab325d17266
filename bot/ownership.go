package bot

import (
	"context"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/issueowners"
	"github.com/releasegate/releasegate/ownership"
)

// maxOwnershipFile caps a sentry.properties, ownership or CODEOWNERS file read from GitHub.
const maxOwnershipFile = 1 << 20

// ownershipAt reads the repository's ownership rules at a commit through the API: the commit's
// file list decides where sentry.properties files are, and each is read (with the files it
// names) as the CLI reads a workspace. A repository that cannot be read gives no owners and a
// note the report shows.
func (b *Bot) ownershipAt(ctx context.Context, client *githubapi.Client, owner, repo, sha string) issueowners.Rules {
	entries, err := client.CommitTree(ctx, owner, repo, sha)
	if err != nil {
		return issueowners.Unreadable(err)
	}
	label := owner + "/" + repo + "@" + shortRef(sha) + ":"
	return issueowners.FromTree(ownership.Tree{
		FS:    githubapi.CommitFS(ctx, client, owner, repo, sha, maxOwnershipFile),
		Files: githubapi.Paths(entries),
		Label: func(rel string) string { return label + rel },
	})
}
