package githubapi_test

import (
	"errors"
	"testing"

	"github.com/releasegate/releasegate/internal/githubapi"
)

// FuzzParseDelivery: the webhook entry point never panics, accepts nothing whose signature
// does not verify, and what it accepts is whole.
func FuzzParseDelivery(f *testing.F) {
	f.Add([]byte(`{"zen":"Design for failure.","hook_id":1,"installation":{"id":2}}`), "", "ping", "application/json", true)
	f.Add([]byte(`{"action":"requested","deployment_callback_url":"https://api.github.com/repos/o/r/actions/runs/1/deployment_protection_rule"}`), "", "deployment_protection_rule", "", true)
	f.Add([]byte("payload=%7B%22zen%22%3A%22x%22%7D"), "", "ping", "application/x-www-form-urlencoded", true)
	f.Add([]byte(`{"ref":1}`), "sha256=00", "push", "text/plain", false)
	f.Add([]byte(`null`), "", "pull_request", "application/json; charset=utf-8", true)
	f.Fuzz(func(t *testing.T, body []byte, signature, event, contentType string, sign bool) {
		key := []byte("fuzz-secret")
		if sign {
			signature = githubapi.Sign(key, body)
		}
		h := headers(event, "delivery-1", signature, contentType)
		d, err := githubapi.ParseDelivery(h, body, key)
		if verr := githubapi.VerifySignature(h.Get(githubapi.HeaderSignature), body, key); verr != nil {
			if !errors.Is(err, githubapi.ErrBadSignature) || d != nil {
				t.Fatalf("a bad signature (%v) gave %+v, %v", verr, d, err)
			}
			return
		}
		if err != nil {
			if d != nil || !errors.Is(err, githubapi.ErrBadDelivery) {
				t.Fatalf("a signed delivery failed as %v with %+v", err, d)
			}
			return
		}
		if d.Event == "" || d.ID != "delivery-1" || d.Payload == nil || d.Parsed != nil && d.ParseError != nil {
			t.Fatalf("an accepted delivery is not whole: %+v", d)
		}
	})
}
