package githubapi_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-github/v88/github"

	"github.com/releasegate/releasegate/internal/githubapi"
	"github.com/releasegate/releasegate/internal/githubapi/githubapitest"
	"github.com/releasegate/releasegate/internal/testenv"
)

const secret = "It's a Secret to Everybody"

func headers(event, delivery, signature, contentType string) http.Header {
	h := http.Header{}
	for k, v := range map[string]string{
		githubapi.HeaderEvent: event, githubapi.HeaderDelivery: delivery, githubapi.HeaderSignature: signature, "Content-Type": contentType,
	} {
		if v != "" {
			h.Set(k, v)
		}
	}
	return h
}

// TestEveryExampleParses: each of GitHub's published example payloads of the events the App
// handles verifies and parses into go-github's type for its event, with the action and
// installation read. They are not checked against the webhook schema: the captures predate
// fields it now requires (repository.has_discussions, pull_request.auto_merge) and give
// installation.created_at as epoch seconds where it says a string, so a parser must take both.
func TestEveryExampleParses(t *testing.T) {
	t.Parallel()
	dir := testenv.External(t, "github-webhook-examples")
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(names) < 20 {
		t.Fatalf("examples: %v (%d)", err, len(names))
	}
	wantType := map[string]any{
		"check_run": &github.CheckRunEvent{}, "installation": &github.InstallationEvent{},
		"installation_repositories": &github.InstallationRepositoriesEvent{}, "ping": &github.PingEvent{},
		"pull_request": &github.PullRequestEvent{}, "push": &github.PushEvent{},
	}
	// GitHub's 2018 examples of check_run rerequested give the app's created_at as
	// "2018-04-25 20:42:10", which go-github's Timestamp rejects: signed deliveries that are
	// still kept, with the reason.
	unreadable := map[string]bool{"check_run.rerequested.7.json": true, "check_run.rerequested.8.json": true}
	for _, path := range names {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			event, rest, _ := strings.Cut(name, ".")
			action, _, _ := strings.Cut(rest, ".")
			d, err := githubapi.ParseDelivery(headers(event, "d-"+name, githubapi.Sign([]byte(secret), body), "application/json"), body, []byte(secret))
			if err != nil {
				t.Fatal(err)
			}
			if unreadable[name] {
				if d.ParseError == nil || d.Parsed != nil || d.Action != action {
					t.Errorf("an example go-github cannot read: %+v", d)
				}
				return
			}
			if d.ParseError != nil {
				t.Fatal(d.ParseError)
			}

			if reflect.TypeOf(d.Parsed) != reflect.TypeOf(wantType[event]) {
				t.Errorf("parsed as %T, want %T", d.Parsed, wantType[event])
			}
			if action != "event" && d.Action != action {
				t.Errorf("action %q, want %q", d.Action, action)
			}
			if !bytes.Equal(d.Payload, body) || d.ID != "d-"+name || d.Event != event {
				t.Errorf("delivery = %+v", d)
			}
		})
	}
}

// TestProtectionRulePayloads: deployment_protection_rule payloads built to GitHub's webhook
// schema validate against it, parse with go-github, and give the run to review.
func TestProtectionRulePayloads(t *testing.T) {
	t.Parallel()
	gh := githubapitest.Start(t, githubapitest.Options{})
	f, err := githubapi.New(githubapi.Options{BaseURL: gh.URL(), AppID: gh.AppID(), PrivateKey: gh.PrivateKey()})
	if err != nil {
		t.Fatal(err)
	}
	inst := gh.AddInstallation("acme", []string{"web"}, nil)
	c, err := f.Installation(inst)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []githubapitest.ProtectionRule{
		{Owner: "acme", Repo: "web", Installation: inst, RunID: 23625057533, Environment: "production", Event: "push", SHA: strings.Repeat("a", 40), Ref: "main", DeploymentID: 9},
		{Owner: "acme", Repo: "web", Installation: inst, RunID: 5, Environment: "release", Event: "workflow_dispatch", SHA: strings.Repeat("b", 40), Ref: "v1.2.0"},
	} {
		body := gh.ProtectionRulePayload(t, p)
		d, err := githubapi.ParseDelivery(headers("deployment_protection_rule", "x", githubapi.Sign([]byte(secret), body), ""), body, []byte(secret))
		if err != nil {
			t.Fatal(err)
		}
		ev, ok := d.Parsed.(*github.DeploymentProtectionRuleEvent)
		if !ok {
			t.Fatalf("parsed as %T", d.Parsed)
		}
		if ev.GetEnvironment() != p.Environment || ev.GetAction() != "requested" || d.Installation != inst || ev.GetRepo().GetFullName() != "acme/web" {
			t.Errorf("event = %+v", ev)
		}
		if d.SHA != p.SHA || d.Ref != p.Ref {
			t.Errorf("delivery sha and ref = %q %q, want %q %q", d.SHA, d.Ref, p.SHA, p.Ref)
		}
		if (ev.Deployment != nil) != (p.DeploymentID != 0) {
			t.Errorf("deployment present = %v, want %v", ev.Deployment != nil, p.DeploymentID != 0)
		}
		owner, repo, run, err := c.ProtectionRuleRun(ev.GetDeploymentCallbackURL())
		if err != nil || owner != "acme" || repo != "web" || run != p.RunID {
			t.Errorf("ProtectionRuleRun = %s/%s %d, %v", owner, repo, run, err)
		}
		if id, _ := ev.GetRunID(); id != p.RunID {
			t.Errorf("go-github's GetRunID = %d, want %d", id, p.RunID)
		}
	}
	// The schema check is not vacuous: a payload without the repository fails it.
	if err := githubapitest.CheckWebhook(t, "deployment-protection-rule-requested", []byte(`{"action":"requested","sender":{}}`)); err == nil {
		t.Error("a payload without a repository passed the schema")
	}
}

func TestParseDeliveryRefuses(t *testing.T) {
	t.Parallel()
	body := []byte(`{"action":"requested","installation":{"id":3}}`)
	good := githubapi.Sign([]byte(secret), body)
	form := []byte("payload=" + url.QueryEscape(string(body)))
	tests := []struct {
		name    string
		h       http.Header
		body    []byte
		secrets []string
		is      error
	}{
		{"no signature", headers("ping", "1", "", ""), body, []string{secret}, githubapi.ErrBadSignature},
		{"sha1 only", headers("ping", "1", "sha1=0123456789abcdef0123456789abcdef01234567", ""), body, []string{secret}, githubapi.ErrBadSignature},
		{"not hex", headers("ping", "1", "sha256=zz", ""), body, []string{secret}, githubapi.ErrBadSignature},
		{"short", headers("ping", "1", good[:20], ""), body, []string{secret}, githubapi.ErrBadSignature},
		{"wrong secret", headers("ping", "1", good, ""), body, []string{"other"}, githubapi.ErrBadSignature},
		{"no secret configured", headers("ping", "1", githubapi.Sign(nil, body), ""), body, []string{""}, githubapi.ErrBadSignature},
		{"body changed", headers("ping", "1", good, ""), append([]byte(" "), body...), []string{secret}, githubapi.ErrBadSignature},
		{"no event", headers("", "1", good, ""), body, []string{secret}, githubapi.ErrBadDelivery},
		{"no delivery id", headers("ping", "", good, ""), body, []string{secret}, githubapi.ErrBadDelivery},
		{"text body", headers("ping", "1", good, "text/plain"), body, []string{secret}, githubapi.ErrBadDelivery},
		{"not JSON", headers("ping", "1", githubapi.Sign([]byte(secret), []byte("[1]")), ""), []byte("[1]"), []string{secret}, githubapi.ErrBadDelivery},
		{"rotated secret", headers("ping", "1", good, ""), body, []string{"new", secret}, nil},
		{"form encoded", headers("ping", "1", githubapi.Sign([]byte(secret), form), "application/x-www-form-urlencoded"), form, []string{secret}, nil},
		{"unknown event", headers("sponsorship_tier_x", "1", good, "application/json; charset=utf-8"), body, []string{secret}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			secrets := make([][]byte, len(tc.secrets))
			for i, s := range tc.secrets {
				secrets[i] = []byte(s)
			}
			d, err := githubapi.ParseDelivery(tc.h, tc.body, secrets...)
			if tc.is == nil {
				if err != nil || d.Installation != 3 || d.Action != "requested" {
					t.Fatalf("ParseDelivery = %+v, %v", d, err)
				}
				if tc.name == "unknown event" && d.Parsed != nil {
					t.Errorf("an unknown event parsed as %T", d.Parsed)
				}
				return
			}
			if !errors.Is(err, tc.is) || d != nil {
				t.Errorf("ParseDelivery = %+v, %v; want %v", d, err, tc.is)
			}
		})
	}
}

func TestUnreadablePayloadIsKept(t *testing.T) {
	t.Parallel()
	body := []byte(`{"ref":1,"installation":{"id":4}}`)
	d, err := githubapi.ParseDelivery(headers("push", "1", githubapi.Sign([]byte(secret), body), ""), body, []byte(secret))
	if err != nil || d.ParseError == nil || d.Parsed != nil || d.Installation != 4 {
		t.Errorf("ParseDelivery = %+v, %v; want the delivery with a ParseError", d, err)
	}
}

func TestReadDeliveryCapsTheBody(t *testing.T) {
	t.Parallel()
	body := []byte(`{"zen":"Keep it logically awesome.","hook_id":1}`)
	req := githubapitest.Delivery(t, "http://127.0.0.1/webhooks/github", secret, "ping", "abc", body)
	d, err := githubapi.ReadDelivery(req, 1024, []byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Parsed.(*github.PingEvent); !ok || d.ID != "abc" {
		t.Errorf("delivery = %+v", d)
	}
	for _, unknownLength := range []bool{false, true} {
		req = githubapitest.Delivery(t, "http://127.0.0.1/webhooks/github", secret, "ping", "abc", body)
		if unknownLength {
			req.ContentLength = -1
		}
		if _, err := githubapi.ReadDelivery(req, int64(len(body)-1), []byte(secret)); !errors.Is(err, githubapi.ErrBadDelivery) {
			t.Errorf("a body over the cap (length known: %v): %v", !unknownLength, err)
		}
	}
}
