package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/store"
)

// Sentry does not retry a webhook to an internal integration: one lost delivery would be a new
// issue the App never hears of. So the leader polls each owner's Sentry for issues first seen
// in recent releases, and every issue — from a webhook or the poll — is handled once, as a
// SentryIssueArgs job. What the App does with a new issue today: look again at once at the
// owner's waiting protection rules, since a new issue may fail a gate before its next look.

// How far back the reconcile looks, and how much it reads per owner.
const (
	reconcileEvery    = 5 * time.Minute
	reconcileReleases = 10
	reconcileSince    = 24 * time.Hour
)

// SentryIssueArgs is one new Sentry issue to handle.
type SentryIssueArgs struct {
	Owner   string `json:"owner" river:"unique"`
	IssueID string `json:"issue_id" river:"unique"`
	Release string `json:"release,omitempty"`
	// Source says how the App heard of it: "webhook" or "reconcile".
	Source string `json:"source"`
}

// Kind names the job.
func (SentryIssueArgs) Kind() string { return "releasegate.sentry_issue" }

// InsertOpts makes an issue one job however often it is heard of.
func (SentryIssueArgs) InsertOpts() river.InsertOpts {
	// The default states include completed: an issue is handled once, ever.
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// ReconcileArgs is the leader's periodic poll of Sentry.
type ReconcileArgs struct{}

// Kind names the job.
func (ReconcileArgs) Kind() string { return "releasegate.reconcile" }

// sentryEvent turns a Sentry webhook (issue.created, event_alert.triggered) into the issue's job.
func (b *Bot) sentryEvent(ctx context.Context, d store.Delivery) error {
	var payload struct {
		Data struct {
			Issue *struct {
				ID           string `json:"id"`
				FirstRelease *struct {
					Version string `json:"version"`
				} `json:"firstRelease"`
			} `json:"issue"`
			Event *struct {
				IssueID string `json:"issue_id"`
				Release string `json:"release"`
			} `json:"event"`
		} `json:"data"`
	}
	if err := json.Unmarshal(d.Body, &payload); err != nil {
		b.log.WarnContext(ctx, "Sentry delivery is not the JSON Sentry sends; dropped", "delivery", d.ID, "err", err)
		return nil
	}
	args := SentryIssueArgs{Owner: d.Owner, Source: "webhook"}
	switch {
	case payload.Data.Issue != nil:
		args.IssueID = payload.Data.Issue.ID
		if fr := payload.Data.Issue.FirstRelease; fr != nil {
			args.Release = fr.Version
		}
	case payload.Data.Event != nil:
		args.IssueID, args.Release = payload.Data.Event.IssueID, payload.Data.Event.Release
	}
	if args.IssueID == "" || args.Owner == "" {
		b.log.InfoContext(ctx, "Sentry delivery names no issue; nothing to do", "delivery", d.ID, "event", d.Event)
		return nil
	}
	_, err := b.store.Enqueue(ctx, args, nil)
	return err
}

type sentryIssueWorker struct {
	river.WorkerDefaults[SentryIssueArgs]
	b *Bot
}

func (w *sentryIssueWorker) Work(ctx context.Context, job *river.Job[SentryIssueArgs]) error {
	start := w.b.now()
	err := w.b.newIssue(ctx, job.Args, "job:"+strconv.FormatInt(job.ID, 10))
	w.b.metrics.job("sentry_issue", w.b.now().Sub(start), err)
	return err
}

// newIssue handles a new Sentry issue: the owner's waiting rules are looked at now, then the
// issue is triaged. worker names the job (its retries resume its claims). A triage that fails
// on the configuration (the App not installed, a settings file that does not load) is logged
// and not retried: a retry would fail alike.
func (b *Bot) newIssue(ctx context.Context, a SentryIssueArgs, worker string) error {
	rules, err := b.store.WaitingRules(ctx, a.Owner+"/", 500)
	if err != nil {
		return err
	}
	for _, r := range rules {
		if _, err := b.store.Enqueue(ctx, EvaluateArgs{RuleID: r.ID}, nil); err != nil {
			return err
		}
	}
	b.log.InfoContext(ctx, "new Sentry issue", "owner", a.Owner, "issue", a.IssueID, "release", a.Release, "source", a.Source, "rules", len(rules))
	r, err := b.Triage(ctx, a.Owner, a.IssueID, TriageOptions{Worker: worker})
	switch {
	case err != nil && errkind.Of(err) == errkind.Config:
		b.log.WarnContext(ctx, "triage: not possible with this configuration", "owner", a.Owner, "issue", a.IssueID, "err", err)
		return nil
	case err != nil:
		return err
	}
	b.log.InfoContext(ctx, "triaged", "owner", a.Owner, "issue", r.ShortID, "skipped", r.Skipped, "jira", r.JiraKey, "pr", r.CommentPR.String(), "notes", len(r.Notes))
	return nil
}

type reconcileWorker struct {
	river.WorkerDefaults[ReconcileArgs]
	b *Bot
}

func (w *reconcileWorker) Work(ctx context.Context, _ *river.Job[ReconcileArgs]) error {
	start := w.b.now()
	err := w.b.reconcile(ctx)
	w.b.metrics.job("reconcile", w.b.now().Sub(start), err)
	return err
}

// reconcile polls every owner's Sentry for the issues first seen in its recent releases and
// enqueues each as a SentryIssueArgs job (unique: one already heard of by webhook adds
// nothing). One owner's failing Sentry does not stop the others'.
func (b *Bot) reconcile(ctx context.Context) error {
	var errs []error
	for _, owner := range b.cfg.Owners() {
		if err := b.reconcileOwner(ctx, owner); err != nil {
			b.log.WarnContext(ctx, "reconcile: Sentry could not be polled", "owner", owner, "err", err)
			errs = append(errs, fmt.Errorf("%s: %w", owner, err))
		}
	}
	return errors.Join(errs...)
}

func (b *Bot) reconcileOwner(ctx context.Context, owner string) error {
	conn, ok := b.sentry(owner)
	if !ok {
		return fmt.Errorf("no Sentry connection")
	}
	since := b.now().Add(-reconcileSince)
	var releases []string
	err := conn.client.ListReleases(ctx, conn.org, sentryapi.ReleaseQuery{PerPage: reconcileReleases}, func(page []sentryapi.Release) error {
		for _, r := range page {
			if len(releases) < reconcileReleases && r.DateCreated != nil && r.DateCreated.After(since) {
				releases = append(releases, r.Version)
			}
		}
		return errStopPaging
	})
	if err != nil && !errors.Is(err, errStopPaging) {
		return err
	}
	for _, release := range releases {
		err := conn.client.ListIssues(ctx, conn.org, sentryapi.IssueQuery{
			Query: "firstRelease:" + sentryapi.SearchQuote(release), TimeRange: sentryapi.TimeRange{StatsPeriod: "24h"}, Limit: 100,
		}, func(page []sentryapi.Issue) error {
			for _, is := range page {
				if _, err := b.store.Enqueue(ctx, SentryIssueArgs{Owner: owner, IssueID: string(is.ID), Release: release, Source: "reconcile"}, nil); err != nil {
					return err
				}
			}
			return errStopPaging // the newest 100 of a release are plenty for a poll every few minutes
		})
		if err != nil && !errors.Is(err, errStopPaging) {
			return fmt.Errorf("issues of %s: %w", release, err)
		}
	}
	return nil
}

var errStopPaging = errors.New("stop paging")
