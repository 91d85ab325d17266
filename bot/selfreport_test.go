package bot

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// TestSelfReport: the service's own failures reach Sentry through the real SDK, with what
// identifies the work on the scope — the rule the seed asks of every team, applied to itself.
func TestSelfReport(t *testing.T) {
	t.Parallel()
	srv := sentryapitest.Start(t, sentryapitest.Options{Projects: []string{"releasegate"}})
	r, err := NewSelfReporter(srv.DSN("releasegate"), "1.2.3", srv.Client().Transport, nil)
	if err != nil {
		t.Fatal(err)
	}
	job := &rivertype.JobRow{ID: 41, Kind: EvaluateArgs{}.Kind(), Attempt: 2, EncodedArgs: []byte(`{"rule_id":7}`)}
	r.HandlePanic(t.Context(), job, "index out of range", "goroutine 1 [running]")
	req := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/webhooks/github", nil)
	req.Header.Set("X-GitHub-Delivery", "delivery-123")
	req.Header.Set("X-GitHub-Hook-Installation-Target-ID", "987")
	r.Panic(req, "nil map")
	r.Flush(5 * time.Second)

	issues := srv.Issues()
	if len(issues) != 2 {
		t.Fatalf("%d issues in Sentry, want 2: %+v", len(issues), issues)
	}
	byTitle := map[string]sentryapitest.Issue{}
	for _, is := range issues {
		byTitle[is.Title] = is
	}
	var jobIssue, handlerIssue sentryapitest.Issue
	for title, is := range byTitle {
		switch {
		case strings.Contains(title, "job releasegate.evaluate_rule panicked"):
			jobIssue = is
		case strings.Contains(title, "handler panicked: nil map"):
			handlerIssue = is
		}
	}
	if jobIssue.LastEventTags["job_kind"] != "releasegate.evaluate_rule" || jobIssue.LastEventTags["job_id"] != "41" {
		t.Errorf("job panic reported with tags %v (issues: %v)", jobIssue.LastEventTags, byTitle)
	}
	if handlerIssue.LastEventTags["request_id"] != "delivery-123" || handlerIssue.LastEventTags["installation"] != "987" ||
		handlerIssue.LastEventTags["path"] != "/webhooks/github" {
		t.Errorf("handler panic reported with tags %v", handlerIssue.LastEventTags)
	}
	if release := handlerIssue.FirstRelease; release != "releasegate@1.2.3" {
		t.Errorf("release %q", release)
	}

	quiet, err := NewSelfReporter("", "1.2.3", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	quiet.Panic(req, "not sent") // no DSN: logged only, nothing to send, no panic
}
