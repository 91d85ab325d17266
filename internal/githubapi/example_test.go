package githubapi_test

import (
	"fmt"
	"net/http"

	"github.com/google/go-github/v88/github"

	"github.com/releasegate/releasegate/internal/githubapi"
)

// A webhook handler verifies and parses a delivery before anything else, and keys its work by
// the delivery ID, which a redelivery repeats.
func ExampleParseDelivery() {
	secret := []byte("webhook secret")
	body := []byte(`{"action":"requested","environment":"production","installation":{"id":7},` +
		`"deployment_callback_url":"https://api.github.com/repos/acme/web/actions/runs/42/deployment_protection_rule"}`)
	h := http.Header{}
	h.Set(githubapi.HeaderEvent, "deployment_protection_rule")
	h.Set(githubapi.HeaderDelivery, "72d3162e-cc78-11e3-81ab-4c9367dc0958")
	h.Set(githubapi.HeaderSignature, githubapi.Sign(secret, body))

	d, err := githubapi.ParseDelivery(h, body, secret)
	if err != nil {
		fmt.Println(err)
		return
	}
	ev := d.Parsed.(*github.DeploymentProtectionRuleEvent)
	fmt.Println(d.ID, d.Event, d.Action, d.Installation, ev.GetEnvironment())

	h.Set(githubapi.HeaderSignature, githubapi.Sign([]byte("another secret"), body))
	_, err = githubapi.ParseDelivery(h, body, secret)
	fmt.Println(err)
	// Output:
	// 72d3162e-cc78-11e3-81ab-4c9367dc0958 deployment_protection_rule requested 7 production
	// webhook signature check failed: the signature does not match the body (is the webhook secret the App's?)
}
