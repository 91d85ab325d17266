package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/releasegate/releasegate/bot/triage"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/richtext"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/store"
)

// A merged pull request that names Sentry issues it fixes (Fixes WEB-123, in its title, body or
// commits) resolves each in the next release: the fix is recorded once per issue (SetFix), the
// Sentry status and the Jira comment go through the effects ledger so a redelivery repeats
// neither, and the suspect PR's comment is rendered again to say which PR fixed it.

// pullRequestClosed handles a pull_request delivery: only a merge into a repository of an
// owner with a Sentry connection does anything.
func (b *Bot) pullRequestClosed(ctx context.Context, gd *githubapi.Delivery) error {
	var p struct {
		Action      string `json:"action"`
		PullRequest struct {
			Number int    `json:"number"`
			Title  string `json:"title"`
			Body   string `json:"body"`
			Merged bool   `json:"merged"`
		} `json:"pull_request"`
		Repository struct {
			FullName string `json:"full_name"`
		} `json:"repository"`
	}
	if err := json.Unmarshal(gd.Payload, &p); err != nil {
		b.log.WarnContext(ctx, "pull_request delivery is not the JSON GitHub sends; dropped", "delivery", gd.ID, "err", err)
		return nil
	}
	if p.Action != "closed" || !p.PullRequest.Merged || p.PullRequest.Number <= 0 {
		return nil
	}
	owner, repo, ok := strings.Cut(p.Repository.FullName, "/")
	if !ok || gd.Installation == 0 {
		return nil
	}
	if _, ok := b.sentry(owner); !ok {
		return nil
	}
	client, err := b.github.Installation(gd.Installation)
	if err != nil {
		return err
	}
	texts := []string{p.PullRequest.Title, p.PullRequest.Body}
	commits, _, err := client.PullCommits(ctx, owner, repo, p.PullRequest.Number)
	if err != nil {
		return fmt.Errorf("reading the commits of %s#%d: %w", p.Repository.FullName, p.PullRequest.Number, err)
	}
	for _, c := range commits {
		texts = append(texts, c.Message)
	}
	fix := store.PR{Repo: p.Repository.FullName, Number: p.PullRequest.Number}
	var errs []error
	for _, ref := range triage.ParseFixes(texts...) {
		if err := b.resolveFixed(ctx, owner, ref.ShortID, fix, "delivery:"+gd.ID); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ref.ShortID, err))
		}
	}
	return errors.Join(errs...)
}

// resolveFixed records that fix fixes the issue and resolves it in the next release, once.
// worker names the delivery: its retries resume what it began.
func (b *Bot) resolveFixed(ctx context.Context, owner, shortID string, fix store.PR, worker string) error {
	conn, _ := b.sentry(owner)
	var issueID string
	if l, err := b.store.LinkByShortID(ctx, owner, shortID); err == nil {
		issueID = l.IssueID
	} else {
		det, err := conn.client.LookupIssue(ctx, conn.org, shortID)
		if errors.Is(err, sentryapi.ErrNotFound) {
			b.log.InfoContext(ctx, "a merged pull request names an issue Sentry does not know; ignored", "issue", shortID, "pr", fix.String())
			return nil
		}
		if err != nil {
			return err
		}
		issueID = string(det.ID)
		if _, err := b.store.TrackIssue(ctx, owner, issueID, det.ShortID); err != nil {
			return err
		}
	}
	l, _, err := b.store.SetFix(ctx, owner, issueID, fix)
	if err != nil {
		return err
	}
	if !strings.EqualFold(l.Fix.Repo, fix.Repo) || l.Fix.Number != fix.Number {
		return nil // another pull request fixed it first: that one resolved it
	}
	if err := b.once(ctx, worker, "resolve:"+owner+":"+issueID, func() error {
		_, err := conn.client.ResolveInNextRelease(ctx, conn.org, issueID)
		return err
	}); err != nil {
		return fmt.Errorf("resolving it in the next release: %w", err)
	}
	in, _ := b.cfg.Installation(owner)
	if l.JiraKey != "" && in.Jira != nil {
		if err := b.once(ctx, worker, "jira-fix:"+owner+":"+issueID, func() error {
			jc, err := b.jiraClient(in)
			if err != nil {
				return err
			}
			_, err = jc.AddComment(ctx, l.JiraKey, richtext.Doc{Blocks: []richtext.Block{richtext.Para(
				richtext.Plain("Fixed by "), richtext.Link{Text: fix.String(), URL: strings.TrimSuffix(b.cfg.GitHub.WebURL, "/") + "/" + fix.Repo + "/pull/" + fmt.Sprint(fix.Number)},
				richtext.Plain(", merged; "+shortID+" is resolved in Sentry in the next release (and reopens as a regression if it happens there again)."))}})
			return err
		}); err != nil {
			return fmt.Errorf("commenting on %s: %w", l.JiraKey, err)
		}
	}
	if !l.Suspect.IsZero() {
		// The suspect's comment says which pull request fixed it.
		if _, err := b.Triage(ctx, owner, issueID, TriageOptions{Worker: worker}); err != nil {
			return fmt.Errorf("updating the comment on %s: %w", l.Suspect, err)
		}
	}
	return nil
}

// once makes a call at most once through the effects ledger, keyed by key; owner is the
// worker making it.
func (b *Bot) once(ctx context.Context, owner, key string, call func() error) error {
	_, outcome, err := b.store.BeginEffect(ctx, key, owner)
	if err != nil || outcome == store.AlreadyDone || outcome == store.HeldByOther {
		return err
	}
	if err := call(); err != nil {
		return err
	}
	return b.store.CompleteEffect(ctx, key, owner, nil)
}
