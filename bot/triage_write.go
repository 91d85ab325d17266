package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/releasegate/releasegate/bot/triage"
	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/jira"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/serveconf"
	"github.com/releasegate/releasegate/internal/store"
)

// The triage pipeline, writing half: one Jira ticket per issue and one comment per pull
// request, each claimed in the store first so that duplicate webhooks, concurrent workers and
// retries after a crash make exactly one; then the links between Sentry, Jira and GitHub.

// errRetryLater is returned when another worker holds a claim this run needs: the job's
// retry finds it done.
var errRetryLater = errors.New("another worker is writing it; retry later")

func (b *Bot) write(ctx context.Context, r TriageReport, f *found, o TriageOptions) (TriageReport, error) {
	is := &r.Issue
	in, _ := b.cfg.Installation(r.Owner)
	var pr store.PR
	if f.suspect != nil {
		pr = store.PR{Repo: r.Repo, Number: f.suspect.Number}
	}
	assignee := ""
	if in.Jira != nil {
		for _, owner := range append([]string{is.Team()}, is.Owners...) {
			if acct := in.Jira.Accounts[owner]; acct != "" {
				assignee = acct
				break
			}
		}
	}
	opens := in.Jira != nil && f.settings.OpensTicket(is.Playbook)
	if !o.DryRun {
		if _, err := b.store.TrackIssue(ctx, r.Owner, r.IssueID, r.ShortID); err != nil {
			return r, err
		}
		if !pr.IsZero() {
			if _, err := b.store.SetSuspect(ctx, r.Owner, r.IssueID, pr); err != nil {
				return r, err
			}
		}
		if l, err := b.store.Link(ctx, r.Owner, r.IssueID); err == nil && l.JiraKey != "" {
			is.Jira = b.jiraLink(in, l.JiraKey)
		}
	}
	if opens {
		t := triage.NewTicket(triage.TicketInput{Issue: *is, Exceptions: f.exceptions, StackResolved: hasFrames(framesOf(f.exceptions)), OwnerAssigned: assignee != ""})
		r.Ticket = &t
	}
	var ticketErr error
	if opens && !o.DryRun {
		key, held, err := b.ticket(ctx, in, r, f, *r.Ticket, assignee, o.Worker)
		r.TicketHeld = held
		switch {
		case err != nil:
			ticketErr = err
			r.TicketPending = true
			b.log.WarnContext(ctx, "triage: the Jira ticket could not be written; the comment goes without it and a retry opens it", "issue", r.ShortID, "err", err)
		case key != "":
			r.JiraKey = key
			is.Jira = b.jiraLink(in, key)
		}
	}
	if !pr.IsZero() && f.settings.Comments {
		r.CommentPR = pr
		body, err := b.commentBody(ctx, f, r, pr)
		if err != nil {
			return r, err
		}
		r.Comment = body
		if !o.DryRun {
			if err := b.postComment(ctx, f.gh, pr, body, o.Worker); err != nil {
				return r, errors.Join(err, ticketErr)
			}
		}
	}
	if f.suggestion.Suggested {
		if err := b.actOnSuggestion(ctx, &r, f, f.suggestion, o); err != nil {
			return r, errors.Join(err, ticketErr)
		}
	}
	if ticketErr != nil {
		return r, fmt.Errorf("the Jira ticket of %s: %w", r.ShortID, ticketErr)
	}
	return r, nil
}

// ticket creates the issue's one ticket, or finds the one already made, and links it.
// held says another run holds the issue's claim and is opening it: this run leaves it alone.
func (b *Bot) ticket(ctx context.Context, in serveconf.Installation, r TriageReport, f *found, t triage.Ticket, assignee, worker string) (key string, held bool, err error) {
	key, err = b.openTicket(ctx, in, r, f, t, assignee, worker)
	if errors.Is(err, errTicketHeld) {
		return "", true, nil
	}
	return key, false, err
}

// errTicketHeld: another run holds the issue's ticket claim.
var errTicketHeld = errors.New("another run is opening the ticket")

func (b *Bot) openTicket(ctx context.Context, in serveconf.Installation, r TriageReport, f *found, t triage.Ticket, assignee, worker string) (string, error) {
	jc, err := b.jiraClient(in)
	if err != nil {
		return "", err
	}
	c, err := b.store.ClaimTicket(ctx, r.Owner, r.IssueID, worker)
	if err != nil {
		return "", err
	}
	key := c.Link.JiraKey
	label := store.TicketLabel(r.Owner, r.IssueID)
	switch c.Outcome {
	case store.HeldByOther:
		return "", errTicketHeld // its holder links it and updates the comment
	case store.Resume:
		// An earlier attempt may have created it: the bot's label finds it (Cloud's search
		// can lag a fresh issue; a duplicate that slips through is refused by RecordTicket).
		found, err := jc.Search(ctx, jira.Search{JQL: fmt.Sprintf("labels = %q", label), Limit: 1})
		if err != nil {
			return "", err
		}
		if len(found) > 0 {
			key = found[0].Key
		}
	}
	if key == "" {
		labels := append(slices.Clone(in.Jira.Labels), label)
		ni := jira.NewIssue{Project: in.Jira.Project, IssueType: in.Jira.IssueType, Summary: t.Summary, Description: t.Body,
			Labels: labels, Priority: in.Jira.Priority}
		if in.Jira.Component != "" {
			ni.Components = []string{in.Jira.Component}
		}
		ref, err := jc.CreateIssue(ctx, ni)
		if err != nil {
			return "", err
		}
		key = ref.Key
		if assignee != "" {
			if err := jc.Assign(ctx, key, assignee); err != nil {
				b.log.WarnContext(ctx, "triage: the ticket could not be assigned", "key", key, "assignee", assignee, "err", err)
			}
		}
	}
	if c.Outcome != store.AlreadyDone {
		if _, err := b.store.RecordTicket(ctx, r.Owner, r.IssueID, key); err != nil {
			return "", err
		}
	}
	// Links: upserted by their stable globalId, so every run may repeat them.
	if r.Issue.URL != "" {
		if _, err := jc.UpsertRemoteLink(ctx, key, jira.RemoteLink{GlobalID: "releasegate:sentry:" + r.Owner + ":" + r.IssueID,
			URL: r.Issue.URL, Title: "Sentry " + r.ShortID, Summary: r.Issue.Title, AppName: "Sentry", Relationship: "caused by"}); err != nil {
			return key, err
		}
	}
	if f.suspect != nil && f.suspect.URL != "" {
		if _, err := jc.UpsertRemoteLink(ctx, key, jira.RemoteLink{GlobalID: "releasegate:github:" + strings.ToLower(r.Repo) + "#" + strconv.Itoa(f.suspect.Number),
			URL: f.suspect.URL, Title: fmt.Sprintf("%s#%d", r.Repo, f.suspect.Number), Summary: f.suspect.Title, AppName: "GitHub", Relationship: "suspected pull request"}); err != nil {
			return key, err
		}
	}
	if in.SentryIntegration != "" {
		id, _ := strconv.ParseInt(r.IssueID, 10, 64)
		if _, err := f.conn.client.LinkExternalIssue(ctx, in.SentryIntegration, sentryapi.ExternalIssueLink{
			IssueID: id, WebURL: jc.BrowseURL(key), Project: in.Jira.Project, Identifier: key}); err != nil {
			return key, fmt.Errorf("linking %s on Sentry issue %s: %w", key, r.ShortID, err)
		}
	}
	return key, nil
}

// commentBody renders the PR's comment: every issue it is suspected of, this one as just
// triaged, the others as Sentry has them now.
func (b *Bot) commentBody(ctx context.Context, f *found, r TriageReport, pr store.PR) (string, error) {
	links, err := b.store.LinksOfPR(ctx, pr)
	if err != nil {
		return "", err
	}
	in, _ := b.cfg.Installation(r.Owner)
	list := []triage.Issue{r.Issue}
	for i, l := range links {
		if l.IssueID == r.IssueID && l.Owner == r.Owner {
			list[0].FixedBy = l.Fix.Number
			continue
		}
		if i >= f.settings.MaxIssuesPerComment {
			list = append(list, triage.Issue{ShortID: l.ShortID}) // counted, not shown
			continue
		}
		other := triage.Issue{ShortID: l.ShortID, FixedBy: l.Fix.Number}
		if l.JiraKey != "" {
			other.Jira = b.jiraLink(in, l.JiraKey)
		}
		if conn, ok := b.sentry(l.Owner); ok {
			if det, err := conn.client.GetIssue(ctx, conn.org, l.IssueID); err == nil {
				other.Title, other.URL, other.Events, other.Users = det.Title, det.Permalink, int64(det.Count), det.UserCount
				if det.FirstSeen != nil {
					other.FirstSeen = *det.FirstSeen
				}
				if det.FirstRelease != nil {
					other.Release = det.FirstRelease.Version
				}
			}
		}
		list = append(list, other)
	}
	return triage.RenderCommentUpTo(list, f.settings.MaxIssuesPerComment), nil
}

// postComment posts the PR's one comment, or edits it in place.
func (b *Bot) postComment(ctx context.Context, gh *githubapi.Client, pr store.PR, body, worker string) error {
	owner, repo, _ := strings.Cut(pr.Repo, "/")
	for range 2 {
		c, err := b.store.ClaimComment(ctx, pr, worker)
		if err != nil {
			return err
		}
		switch c.Outcome {
		case store.HeldByOther:
			return fmt.Errorf("the comment on %s: %w", pr, errRetryLater)
		case store.AlreadyDone:
			_, err := gh.UpdateComment(ctx, owner, repo, c.Comment.CommentID, body)
			if errors.Is(err, githubapi.ErrNotFound) {
				// Someone deleted it: post it anew.
				if err := b.store.ForgetComment(ctx, pr, c.Comment.CommentID); err != nil {
					return err
				}
				continue
			}
			return err
		case store.Resume:
			old, err := gh.FindComment(ctx, owner, repo, pr.Number, triage.CommentMarker)
			if err != nil {
				return err
			}
			if old != nil {
				if _, err := gh.UpdateComment(ctx, owner, repo, old.ID, body); err != nil {
					return err
				}
				_, err = b.store.SetComment(ctx, pr, old.ID)
				return err
			}
		}
		made, err := gh.CreateComment(ctx, owner, repo, pr.Number, body)
		if err != nil {
			return err
		}
		_, err = b.store.SetComment(ctx, pr, made.ID)
		return err
	}
	return fmt.Errorf("the comment on %s was deleted twice while being edited; the next run posts it", pr)
}

// jiraClient builds an owner's Jira client.
func (b *Bot) jiraClient(in serveconf.Installation) (*jira.Client, error) {
	j := in.Jira
	if j == nil {
		return nil, fmt.Errorf("%s has no jira: in the installations file", in.Owner)
	}
	flavor := jira.Cloud
	if j.Flavour == "datacenter" {
		flavor = jira.DataCenter
	}
	var hc *http.Client
	if b.jiraTransport != nil {
		hc = &http.Client{Transport: b.jiraTransport}
	}
	return jira.New(jira.Options{Flavor: flavor, BaseURL: j.URL, Email: j.Email, Token: j.Token.Reveal(), HTTPClient: hc,
		UserAgent: b.userAgent, MaxRetries: b.jiraRetries, Logger: b.log})
}

// jiraLink is a ticket as the comment links it.
func (b *Bot) jiraLink(in serveconf.Installation, key string) *triage.Link {
	l := &triage.Link{Key: key}
	if in.Jira != nil {
		l.URL = strings.TrimSuffix(in.Jira.URL, "/") + "/browse/" + key
	}
	return l
}

func framesOf(excs []triage.Exception) [][]triage.Frame {
	out := make([][]triage.Frame, len(excs))
	for i, e := range excs {
		out[i] = e.Frames
	}
	return out
}
