// Package manifest is the GitHub App's manifest: the App releasegate registers through GitHub's
// manifest flow, with the least permissions its features need. Each permission carries the
// reason it is asked for; docs/app.md prints the same table, and a test keeps the two equal.
package manifest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/releasegate/releasegate/internal/serveconf"
)

// Permission is one permission the App asks for, and why.
type Permission struct {
	Name, Access, Why string
}

// Permissions are the App's permissions, least first. GitHub grants metadata: read to every
// App; it is listed so the table is complete.
var Permissions = []Permission{
	{"metadata", "read", "Granted to every App: repository names and IDs."},
	{"contents", "write", "Read `.github/releasegate.yml`, `sentry.properties` and the ownership files at the deployed commit, and the organization's default policy in its `.github` repository; write only for fix pull requests (off unless a repository turns on `triage.fix_pull_requests`): a new branch holding the suggested change — never an existing branch."},
	{"actions", "read", "GitHub requires it of an App that acts as a deployment protection rule."},
	{"deployments", "write", "Approve or reject the deployments it protects, and post progress reports while a gate is pending."},
	{"checks", "write", "Put the gate's report on the deployed commit as a check run."},
	{"pull_requests", "write", "Read the pull requests of a release's commits and their files and commits, to find the one suspected of a new Sentry issue; post a suggested fix as a review comment, and open fix pull requests where a repository turns them on."},
	{"issues", "write", "Keep the triage bot's one comment on a suspected pull request (pull request comments are issue comments)."},
}

// Events are the webhook events the App subscribes to. (Installation events come to every App
// without a subscription.)
var Events = []struct{ Name, Why string }{
	{"deployment_protection_rule", "A job is waiting for the App's review to deploy to a protected environment."},
	{"pull_request", "A merged pull request that says it fixes a Sentry issue (`Fixes WEB-123`) resolves it in the next release."},
}

// Manifest is GitHub's App manifest (docs: "Registering a GitHub App from a manifest").
type Manifest struct {
	Name               string            `json:"name"`
	URL                string            `json:"url"`
	Description        string            `json:"description"`
	HookAttributes     HookAttributes    `json:"hook_attributes"`
	RedirectURL        string            `json:"redirect_url"`
	SetupURL           string            `json:"setup_url,omitempty"`
	Public             bool              `json:"public"`
	DefaultEvents      []string          `json:"default_events"`
	DefaultPermissions map[string]string `json:"default_permissions"`
}

// HookAttributes is where GitHub sends the webhooks.
type HookAttributes struct {
	URL    string `json:"url"`
	Active bool   `json:"active"`
}

// New is the manifest of an App served at publicURL (https://gate.example.com). name is the
// App's name on GitHub (unique across GitHub; default "releasegate").
func New(publicURL, name string) (Manifest, error) {
	u, err := url.Parse(publicURL)
	if err != nil || serveconf.CheckHTTPS(publicURL) != "" {
		return Manifest{}, fmt.Errorf("the public URL %q must be https://HOST[/PATH], where GitHub reaches the service (plain http only for localhost)", publicURL)
	}
	if name == "" {
		name = "releasegate"
	}
	if len(name) > 34 {
		return Manifest{}, fmt.Errorf("the App name %q is longer than GitHub's 34 characters", name)
	}
	base := strings.TrimRight(u.String(), "/")
	m := Manifest{
		Name:               name,
		URL:                base,
		Description:        "Gates deployments on Sentry evidence: new, high-frequency errors in the release.",
		HookAttributes:     HookAttributes{URL: base + "/webhooks/github", Active: true},
		RedirectURL:        base + "/setup/callback",
		DefaultPermissions: map[string]string{},
	}
	for _, e := range Events {
		m.DefaultEvents = append(m.DefaultEvents, e.Name)
	}
	for _, p := range Permissions {
		if p.Name != "metadata" {
			m.DefaultPermissions[p.Name] = p.Access
		}
	}
	return m, nil
}

// JSON is the manifest as GitHub's form field takes it.
func (m Manifest) JSON() ([]byte, error) {
	return json.MarshalIndent(m, "", "  ")
}

// DocTable is the permissions table docs/app.md shows.
func DocTable() string {
	var b strings.Builder
	b.WriteString("| Permission | Access | Why |\n| --- | --- | --- |\n")
	for _, p := range Permissions {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", p.Name, p.Access, p.Why)
	}
	b.WriteString("\n| Event | Why |\n| --- | --- |\n")
	for _, e := range Events {
		fmt.Fprintf(&b, "| `%s` | %s |\n", e.Name, e.Why)
	}
	return b.String()
}
