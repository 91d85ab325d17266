package githubapitest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/releasegate/releasegate/internal/testenv"
)

// GitHub's webhook description (OpenAPI 3.1), loaded once per test binary.
var (
	hooksOnce sync.Once
	hooksDoc  *openapi3.T
	hooksErr  error
)

func loadWebhooks(t testenv.T) *openapi3.T {
	t.Helper()
	path := testenv.External(t, "github-openapi", "webhooks.trimmed.json")
	hooksOnce.Do(func() {
		hooksDoc, hooksErr = openapi3.NewLoader().LoadFromFile(path)
	})
	if hooksErr != nil {
		t.Fatalf("githubapitest: loading GitHub's webhook description: %v", hooksErr)
	}
	return hooksDoc
}

// ValidateWebhook checks a payload against the schema of one webhook of GitHub's description
// ("deployment-protection-rule-requested", "pull-request-opened", …), failing the test if it
// does not match.
func ValidateWebhook(t testenv.T, webhook string, payload []byte) {
	t.Helper()
	if err := CheckWebhook(t, webhook, payload); err != nil {
		t.Errorf("githubapitest: the %s payload does not match GitHub's webhook description: %v", webhook, err)
	}
}

// CheckWebhook is ValidateWebhook returning the mismatch instead.
func CheckWebhook(t testenv.T, webhook string, payload []byte) error {
	t.Helper()
	doc := loadWebhooks(t)
	item := doc.Webhooks[webhook]
	if item == nil || item.Post == nil || item.Post.RequestBody == nil || item.Post.RequestBody.Value == nil {
		t.Fatalf("githubapitest: the vendored webhook description has no %s webhook", webhook)
	}
	mt := item.Post.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		t.Fatalf("githubapitest: the %s webhook has no JSON schema", webhook)
	}
	var v any
	if err := json.Unmarshal(payload, &v); err != nil {
		return err
	}
	err := mt.Schema.Value.VisitJSON(v, openapi3.EnableJSONSchema2020())
	if err != nil {
		msg := err.Error()
		if i := strings.Index(msg, "\nSchema:"); i >= 0 {
			msg = msg[:i]
		}
		return fmt.Errorf("%s", msg)
	}
	return nil
}

// ProtectionRule describes a deployment_protection_rule event ("requested").
type ProtectionRule struct {
	// Owner and Repo name the repository; Installation the App's installation on it.
	Owner, Repo  string
	Installation int64
	// RunID is the workflow run waiting; the callback URL is built from it and the server's URL.
	RunID int64
	// Environment, Event ("push", "workflow_dispatch", …), SHA and Ref (short, "main") are the
	// payload's fields of those names.
	Environment, Event, SHA, Ref string
	// DeploymentID, when set, adds the deployment object (a job with deployment: false has none).
	DeploymentID int64
}

// ProtectionRulePayload builds a deployment_protection_rule payload as GitHub sends it, with
// the callback URL on this server, and checks it against GitHub's webhook schema. GitHub
// publishes no example of this event, so the payload follows the schema (and the top-level
// sha and ref GitHub added for jobs without a deployment). Its repository and sender are the
// published pull_request example's, renamed.
func (s *Server) ProtectionRulePayload(t testenv.T, p ProtectionRule) []byte {
	t.Helper()
	raw, err := os.ReadFile(testenv.External(t, "github-webhook-examples", "pull_request.opened.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	// The example's repository is Codertocat/Hello-World; its URLs follow the new name.
	text := strings.ReplaceAll(string(raw), "Codertocat/Hello-World", p.Owner+"/"+p.Repo)
	var example struct {
		Repository map[string]any `json:"repository"`
		Sender     map[string]any `json:"sender"`
	}
	if err := json.Unmarshal([]byte(text), &example); err != nil {
		t.Fatal(err)
	}
	example.Repository["name"] = p.Repo
	example.Repository["owner"].(map[string]any)["login"] = p.Owner
	base := strings.TrimSuffix(s.URL(), "/")
	payload := map[string]any{
		"action":                  "requested",
		"environment":             p.Environment,
		"event":                   p.Event,
		"sha":                     p.SHA,
		"ref":                     p.Ref,
		"deployment_callback_url": fmt.Sprintf("%s/repos/%s/%s/actions/runs/%d/deployment_protection_rule", base, p.Owner, p.Repo, p.RunID),
		"pull_requests":           []any{},
		"repository":              example.Repository,
		"installation":            map[string]any{"id": p.Installation, "node_id": fmt.Sprintf("MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u%d", p.Installation)},
		"sender":                  example.Sender,
	}
	if p.DeploymentID != 0 {
		repoURL := fmt.Sprintf("%s/repos/%s/%s", base, p.Owner, p.Repo)
		when := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC).Format(time.RFC3339)
		payload["deployment"] = map[string]any{
			"id": p.DeploymentID, "node_id": fmt.Sprintf("DE_%d", p.DeploymentID), "sha": p.SHA, "ref": p.Ref, "task": "deploy",
			"payload": map[string]any{}, "original_environment": p.Environment, "environment": p.Environment, "description": nil,
			"creator": example.Sender, "created_at": when, "updated_at": when,
			"statuses_url":   fmt.Sprintf("%s/deployments/%d/statuses", repoURL, p.DeploymentID),
			"repository_url": repoURL, "url": fmt.Sprintf("%s/deployments/%d", repoURL, p.DeploymentID),
			"transient_environment": false, "production_environment": p.Environment == "production",
		}
	}
	data, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	ValidateWebhook(t, "deployment-protection-rule-requested", data)
	return data
}

// Delivery builds a webhook delivery as GitHub sends it to url: the headers, and the body
// signed with secret (X-Hub-Signature-256).
func Delivery(t testenv.T, url, secret, event, deliveryID string, payload []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(payload)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "GitHub-Hookshot/githubapitest")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", deliveryID)
	req.Header.Set("X-GitHub-Hook-ID", "1")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	return req
}
