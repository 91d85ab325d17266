package githubapi

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v88/github"
)

// MaxCommentBody is the longest issue or pull request comment GitHub takes, in characters;
// longer bodies are cut to it, ending in "…".
const MaxCommentBody = 65536

// Comment is an issue or pull request comment.
type Comment struct {
	ID   int64
	Body string
	// Author is the login; URL the comment's page.
	Author, URL      string
	Created, Updated time.Time
}

func commentOf(ic *github.IssueComment) (*Comment, error) {
	if ic == nil || ic.GetID() == 0 || ic.Body == nil {
		return nil, errors.New("a comment has no id or body")
	}
	return &Comment{
		ID: ic.GetID(), Body: ic.GetBody(), Author: ic.GetUser().GetLogin(), URL: ic.GetHTMLURL(),
		Created: ic.GetCreatedAt().Time, Updated: ic.GetUpdatedAt().Time,
	}, nil
}

// checkMarker accepts a marker only as a hidden HTML comment: a visible one would show on
// every comment, and a short one could match someone's words.
func checkMarker(marker string) error {
	if !strings.HasPrefix(marker, "<!--") || !strings.HasSuffix(marker, "-->") || len(marker) < len("<!-- x -->") ||
		strings.Contains(marker[4:len(marker)-3], "--") {
		return fmt.Errorf("githubapi: the comment marker %q is not a hidden HTML comment such as \"<!-- releasegate:triage -->\"", marker)
	}
	return nil
}

// FindComment finds the App's comment on an issue or pull request that holds marker (a
// hidden HTML comment), reading every page; comments by anyone else, a quote of the marker
// included, are passed over. It returns nil, nil when there is none, and the oldest when two
// workers raced to create one. The App's bot login comes from [Factory.BotLogin].
func (c *Client) FindComment(ctx context.Context, owner, repo string, number int, marker string) (*Comment, error) {
	if err := checkPull(owner, repo, number); err != nil {
		return nil, err
	}
	if err := checkMarker(marker); err != nil {
		return nil, err
	}
	if c.factory == nil {
		return nil, errors.New("githubapi: FindComment needs a client of a Factory")
	}
	login, err := c.factory.BotLogin(ctx)
	if err != nil {
		return nil, err
	}
	cl := call{op: fmt.Sprintf("list the comments of #%d of %s/%s", number, owner, repo)}
	ctx, a := begin(ctx, cl)
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: perPage}}
	for {
		page, resp, err := c.gh.Issues.ListComments(ctx, owner, repo, number, opts)
		if err != nil {
			return nil, c.fail(cl, a, resp, err)
		}
		if page == nil {
			return nil, c.protocol(cl, resp, errors.New("the answer is not a list"))
		}
		// GitHub lists comments by ascending ID, so the first match is the oldest.
		for _, ic := range page {
			if strings.EqualFold(ic.GetUser().GetLogin(), login) && strings.Contains(ic.GetBody(), marker) {
				cm, err := commentOf(ic)
				if err != nil {
					return nil, c.protocol(cl, resp, err)
				}
				return cm, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}

// CreateComment comments on an issue or pull request, the body cut to MaxCommentBody. It is
// not repeated after a server error, which may have created it: find it before creating
// again. A rate limit or a connection that failed before sending is retried.
func (c *Client) CreateComment(ctx context.Context, owner, repo string, number int, body string) (*Comment, error) {
	if err := checkPull(owner, repo, number); err != nil {
		return nil, err
	}
	if strings.TrimSpace(body) == "" {
		return nil, errors.New("githubapi: a comment needs a body")
	}
	body = Truncate(body, MaxCommentBody)
	cl := call{op: fmt.Sprintf("comment on #%d of %s/%s", number, owner, repo)}
	ctx, a := begin(ctx, cl)
	ic, resp, err := c.gh.Issues.CreateComment(ctx, owner, repo, number, &github.IssueComment{Body: &body})
	if err != nil {
		return nil, c.fail(cl, a, resp, err)
	}
	cm, err := commentOf(ic)
	if err != nil {
		return nil, c.protocol(cl, resp, err)
	}
	return cm, nil
}

// UpdateComment replaces a comment's body, cut to MaxCommentBody. Safe to repeat, so it is
// retried. A comment deleted since is ErrNotFound (and not ErrMisconfigured): create another.
func (c *Client) UpdateComment(ctx context.Context, owner, repo string, id int64, body string) (*Comment, error) {
	if err := checkRepo(owner, repo); err != nil {
		return nil, err
	}
	if id <= 0 {
		return nil, fmt.Errorf("githubapi: comment id %d is not valid", id)
	}
	if strings.TrimSpace(body) == "" {
		return nil, errors.New("githubapi: a comment needs a body")
	}
	body = Truncate(body, MaxCommentBody)
	cl := call{op: fmt.Sprintf("update comment %d of %s/%s", id, owner, repo), retrySafe: true, absentIsData: true}
	ctx, a := begin(ctx, cl)
	ic, resp, err := c.gh.Issues.EditComment(ctx, owner, repo, id, &github.IssueComment{Body: &body})
	if err != nil {
		return nil, c.fail(cl, a, resp, err)
	}
	cm, err := commentOf(ic)
	if err != nil {
		return nil, c.protocol(cl, resp, err)
	}
	if cm.ID != id {
		return nil, c.protocol(cl, resp, fmt.Errorf("the answer is comment %d, not %d", cm.ID, id))
	}
	return cm, nil
}
