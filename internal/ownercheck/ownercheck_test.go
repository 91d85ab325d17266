package ownercheck

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/releasegate/releasegate/errkind"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
	"github.com/releasegate/releasegate/ownership"
)

// acme is a local Sentry whose organization acme has projects web and billing, team frontend
// on web, team payments on billing, team idle on none, and members on some of them.
func acme(t *testing.T) (*sentryapitest.Server, *sentryapi.Client) {
	t.Helper()
	srv := sentryapitest.Start(t, sentryapitest.Options{Org: "acme", Projects: []string{"web", "billing"}})
	srv.AddTeam("acme", "frontend", "web")
	srv.AddTeam("acme", "payments", "billing")
	srv.AddTeam("acme", "idle")
	srv.AddMember("acme", "ada@example.com", "frontend")
	srv.AddMember("acme", "bob@example.com", "payments")
	c, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: srv.Token(), HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func rules(t *testing.T, src string) []ownership.Rule {
	t.Helper()
	r, err := ownership.Parse([]byte(src), "sentry.properties")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		project string
		rules   string
		want    []Finding
	}{
		{
			name:    "owners Sentry accepts",
			project: "web",
			rules:   "path:src/* #frontend ada@example.com\nurl:*checkout* ADA@example.com\n",
		},
		{
			name:    "an unknown team and a team without access",
			project: "web",
			rules:   "path:src/* #ghosts\npath:lib/* #payments\n",
			want: []Finding{
				{Code: "unknown-team", File: "sentry.properties", Line: 1, Message: "team #ghosts does not exist in organization acme: create it, or fix the slug (Sentry refuses rules with unknown owners)"},
				{Code: "team-no-access", File: "sentry.properties", Line: 2, Message: "team #payments has no access to project web: add it under the project's Settings › Teams (Sentry refuses the rules otherwise)"},
			},
		},
		{
			name:    "an unknown member and one on no team of the project",
			project: "web",
			rules:   "path:src/* eve@example.com bob@example.com\n",
			want: []Finding{
				{Code: "unknown-user", File: "sentry.properties", Line: 1, Message: "eve@example.com is not a member of organization acme: invite them, or use the email of their Sentry account"},
				{Code: "user-no-access", File: "sentry.properties", Line: 1, Message: "bob@example.com is on no team with access to project web: add them to one of its teams (#frontend)"},
			},
		},
		{
			name:    "a project Sentry does not have is a finding on the label",
			project: "shop",
			rules:   "path:src/* #frontend\n",
			want: []Finding{
				{Code: "unknown-project", File: "web/sentry.properties", Message: `organization acme has no project "shop": fix defaults.project, or create the project in Sentry`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := acme(t)
			got, err := NewChecker().Check(context.Background(), Project{
				Client: c, Server: srv.URL(), Org: "acme", Project: tt.project, Label: "web/sentry.properties", Rules: rules(t, tt.rules),
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("findings\n%+v\nwant\n%+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("finding %d\n%+v\nwant\n%+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestCheckerAsksOnce: a second project of the same organization reuses its teams and
// members, and a team's members are listed once.
func TestCheckerAsksOnce(t *testing.T) {
	t.Parallel()
	srv, c := acme(t)
	checker := NewChecker()
	for _, project := range []string{"web", "web", "billing"} {
		if _, err := checker.Check(context.Background(), Project{Client: c, Server: srv.URL(), Org: "acme", Project: project, Rules: rules(t, "path:* #frontend\n")}); err != nil {
			t.Fatal(err)
		}
	}
	counts := map[string]int{}
	for _, r := range srv.Requests() {
		switch {
		case strings.HasSuffix(r.Path, "/organizations/acme/teams/"):
			counts["teams"]++
		case strings.HasSuffix(r.Path, "/organizations/acme/members/"):
			counts["members"]++
		case strings.HasSuffix(r.Path, "/teams/acme/frontend/members/"):
			counts["frontend members"]++
		}
	}
	for what, n := range counts {
		if n != 1 {
			t.Errorf("%s asked %d times, want once", what, n)
		}
	}
	if len(counts) != 3 {
		t.Errorf("asked %v; the request paths have changed?", counts)
	}
}

// TestCheckSentryFails: a token Sentry refuses is a *SentryError of kind config, saying what
// was being asked.
func TestCheckSentryFails(t *testing.T) {
	t.Parallel()
	srv, _ := acme(t)
	c, err := sentryapi.New(sentryapi.Options{BaseURL: srv.URL(), Token: "refused", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewChecker().Check(context.Background(), Project{Client: c, Server: srv.URL(), Org: "acme", Project: "web", Rules: rules(t, "path:* #frontend\n")})
	se, ok := errors.AsType[*SentryError](err)
	if !ok || se.What != "checking owners in organization acme" || errkind.Of(err) != errkind.Config {
		t.Fatalf("error %v (kind %v), want a *SentryError of kind config", err, errkind.Of(err))
	}
}

func TestTeamList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		slugs []string
		want  string
	}{
		{name: "none", want: "it has none"},
		{name: "one", slugs: []string{"web"}, want: "#web"},
		{name: "several, in order", slugs: []string{"web", "api"}, want: "#web, #api"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := teamList(tt.slugs); got != tt.want {
				t.Errorf("teamList = %q, want %q", got, tt.want)
			}
		})
	}
}
