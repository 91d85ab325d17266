package demo

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/releasegate/releasegate/bot/triage"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
	"github.com/releasegate/releasegate/internal/jira/jiratest"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// waitLimit bounds each wait for the service's jobs: they run in well under a second here.
const waitLimit = 30 * time.Second

// post sends a webhook to the service and returns its status.
func post(req *http.Request) (int, error) {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("POST %s: %w", req.URL, err)
	}
	res.Body.Close()
	return res.StatusCode, nil
}

// protectionRule sends GitHub's signed deployment_protection_rule webhook for a workflow run
// deploying v to production, and waits for the service's review of it.
func (w *world) protectionRule(ctx context.Context, rep *reporter, v version, runID int64) (githubapitest.ProtectionReview, int, error) {
	payload := w.github.ProtectionRulePayload(rep, githubapitest.ProtectionRule{
		Owner: org, Repo: repoName, Installation: w.inst, RunID: runID, Environment: "production", Event: "push", SHA: v.SHA, Ref: "main",
	})
	req := githubapitest.Delivery(rep, w.serviceURL+"/webhooks/github", w.webhookSecret, "deployment_protection_rule",
		fmt.Sprintf("demo-rule-%s", v.Name), payload)
	status, err := post(req)
	if err != nil {
		return githubapitest.ProtectionReview{}, status, err
	}
	review, err := waitFor(ctx, "the review of run "+fmt.Sprint(runID), func() (githubapitest.ProtectionReview, bool) {
		for _, r := range w.github.Reviews() {
			if r.RunID == runID && r.State != "" {
				return r, true
			}
		}
		return githubapitest.ProtectionReview{}, false
	})
	return review, status, err
}

// decisionPage is the decision page the check run of a commit links to.
func (w *world) decisionPage(sha string) string {
	for _, cr := range w.github.CheckRuns() {
		if cr.HeadSHA == sha && cr.DetailsURL != "" {
			return cr.DetailsURL
		}
	}
	return ""
}

// sentryIssueWebhook sends Sentry's signed "issue created" webhook for an issue, as Sentry's
// integration would on the issue's first event.
func (w *world) sentryIssueWebhook(ctx context.Context, is sentryapitest.Issue, release string) (int, error) {
	body, err := json.Marshal(map[string]any{
		"action":       "created",
		"installation": map[string]any{"uuid": "demo-installation"},
		"data":         map[string]any{"issue": map[string]any{"id": is.ID, "shortId": is.ShortID, "firstRelease": map[string]any{"version": release}}},
		"actor":        map[string]any{"type": "application", "id": "sentry", "name": "Sentry"},
	})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.serviceURL+"/webhooks/sentry", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	mac := hmac.New(sha256.New, []byte(w.sentrySecret))
	mac.Write(body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Sentry-Hook-Resource", "issue")
	req.Header.Set("Request-ID", "demo-issue-"+is.ID)
	req.Header.Set("Sentry-Hook-Signature", hex.EncodeToString(mac.Sum(nil)))
	return post(req)
}

// triageResult is what the triage left at the stand-ins.
type triageResult struct {
	Ticket  jiratest.Issue
	Comment githubapitest.Comment
	FixPull githubapitest.Pull
	Linked  []string // the Sentry issue's external issue links
}

// waitForTriage waits until the triage of issue has made its ticket, its comment, its fix pull
// request and Sentry's link to the ticket.
func (w *world) waitForTriage(ctx context.Context, issueID string) (triageResult, error) {
	return waitFor(ctx, "the triage of the new issue (ticket, comment, fix pull request, Sentry link)", func() (triageResult, bool) {
		var r triageResult
		tickets := w.jira.Issues()
		for _, c := range w.github.Comments() {
			if triage.IsTriageComment(c.Body) {
				r.Comment = c
			}
		}
		for _, p := range w.github.PullsOf(org, repoName) {
			if strings.HasPrefix(p.HeadRef, "releasegate/fix-") {
				r.FixPull = p
			}
		}
		for _, is := range w.sentry.Issues() {
			if is.ID == issueID {
				r.Linked = is.ExternalIssueWebURLs
			}
		}
		if len(tickets) == 0 || r.Comment.Body == "" || r.FixPull.Number == 0 || len(r.Linked) == 0 {
			return r, false
		}
		r.Ticket = tickets[0]
		// The comment is written before the ticket exists, then updated with its key.
		return r, strings.Contains(r.Comment.Body, r.Ticket.Key)
	})
}

// waitFor polls done until it reports true, ctx ends or waitLimit passes.
func waitFor[T any](ctx context.Context, what string, done func() (T, bool)) (T, error) {
	deadline := time.Now().Add(waitLimit)
	for {
		v, ok := done()
		if ok {
			return v, nil
		}
		if time.Now().After(deadline) {
			return v, fmt.Errorf("waited %s for %s; the service's jobs did not get there", waitLimit, what)
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
