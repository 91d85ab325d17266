package bot

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/store"
)

// TestANewIssueIsHandledOnce: Sentry's webhook and the leader's poll both hear of a new issue
// (Sentry does not retry webhooks to internal integrations, so the poll is the safety net);
// the issue becomes one job, which makes the owner's waiting rule be looked at.
func TestANewIssueIsHandledOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{})
	f.release(t0.Add(-2 * time.Minute))
	if code := f.request(5, "rule-delivery"); code != 202 {
		t.Fatal(code)
	}
	f.deliver("rule-delivery")
	f.errors(3, time.Minute)
	issues := f.sentry.Issues()
	if len(issues) != 1 {
		t.Fatalf("%d issues in Sentry, want 1", len(issues))
	}
	issueID := fmt.Sprint(issues[0].ID)

	body := []byte(fmt.Sprintf(`{"action":"created","installation":{"uuid":"u-1"},"data":{"issue":{"id":%q,"shortId":"WEB-1","firstRelease":{"version":%q}}},"actor":{"type":"application","id":"sentry","name":"Sentry"}}`, issueID, testRelease))
	send := func(id, secret string) int {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, f.web.URL+"/webhooks/sentry", bytes.NewReader(body))
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(body)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Sentry-Hook-Resource", "issue")
		req.Header.Set("Request-ID", id)
		req.Header.Set("Sentry-Hook-Signature", hex.EncodeToString(mac.Sum(nil)))
		return f.send(req)
	}
	if code := send("req-forged", "not-the-secret"); code != 401 {
		t.Errorf("a forged Sentry delivery answered %d, want 401", code)
	}
	if code := send("req-1", "sentry-client-secret"); code != 202 {
		t.Fatalf("Sentry delivery answered %d", code)
	}
	d, err := f.store.Delivery(t.Context(), store.SourceSentry, "req-1")
	if err != nil || d.Owner != "acme" {
		t.Fatalf("stored %+v, %v; want the owner whose secret signed it", d, err)
	}
	if err := f.bot.process(t.Context(), store.DeliveryArgs{Source: store.SourceSentry, ID: "req-1", Event: "issue", Action: "created"}); err != nil {
		t.Fatal(err)
	}
	if err := f.bot.reconcile(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := f.bot.reconcile(t.Context()); err != nil {
		t.Fatal(err)
	}
	if n, err := f.store.CountJobs(t.Context(), SentryIssueArgs{}.Kind()); err != nil || n != 1 {
		t.Errorf("%d issue jobs (%v), want 1: the webhook and two polls heard of one issue", n, err)
	}
	if err := f.bot.newIssue(t.Context(), SentryIssueArgs{Owner: "acme", IssueID: issueID, Source: "webhook"}, "job:1"); err != nil {
		t.Fatal(err)
	}
	if n, err := f.store.CountJobs(t.Context(), EvaluateArgs{}.Kind()); err != nil || n != 1 {
		t.Errorf("%d evaluation jobs (%v), want 1: the rule's own, still queued, absorbs the request to look now", n, err)
	}
}
