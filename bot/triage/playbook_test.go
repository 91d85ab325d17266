package triage

import (
	"slices"
	"testing"
)

func TestMatchPlaybook(t *testing.T) {
	t.Parallel()
	no := false
	playbooks := []Playbook{
		{Name: "Payment provider timeouts", Match: PlaybookMatch{ExceptionType: "*TimeoutError", Tags: []string{"transaction:/checkout/*"}}, Runbook: "https://wiki.example.com/rb/timeouts", Owner: "#payments"},
		{Name: "Stale cart", Match: PlaybookMatch{Title: "TypeError: Cannot read properties of undefined*", Culprit: "app:///src/checkout/* in *"}, Owner: "#checkout"},
		{Name: "Browser extensions", Match: PlaybookMatch{Title: "*ResizeObserver loop*", Level: "warning"}, Ticket: &no},
	}
	issue := func(edit func(*IssueFacts)) IssueFacts {
		is := IssueFacts{Title: "TypeError: Cannot read properties of undefined (reading 'total')", Culprit: "app:///src/checkout/cart.js in cartTotal",
			ExceptionType: "TypeError", Level: "error", Tags: map[string]string{"transaction": "/checkout/pay", "tenant_id": "acme"}}
		if edit != nil {
			edit(&is)
		}
		return is
	}
	tests := map[string]struct {
		is     IssueFacts
		want   string
		ticket bool
	}{
		"title and culprit":          {is: issue(nil), want: "Stale cart", ticket: true},
		"first match wins, in order": {is: issue(func(is *IssueFacts) { is.ExceptionType = "GatewayTimeoutError" }), want: "Payment provider timeouts", ticket: true},
		"every tag must match": {is: issue(func(is *IssueFacts) {
			is.ExceptionType = "GatewayTimeoutError"
			is.Tags["transaction"] = "/search"
		}), want: "Stale cart", ticket: true},
		"a missing tag does not match": {is: issue(func(is *IssueFacts) { is.ExceptionType = "GatewayTimeoutError"; is.Tags = nil }), want: "Stale cart", ticket: true},
		"level must equal":             {is: IssueFacts{Title: "ResizeObserver loop limit exceeded", Level: "error"}},
		"no ticket":                    {is: IssueFacts{Title: "ResizeObserver loop limit exceeded", Level: "warning"}, want: "Browser extensions"},
		"globs cross slashes":          {is: issue(func(is *IssueFacts) { is.Culprit = "app:///src/checkout/deep/er.js in f" }), want: "Stale cart", ticket: true},
		"nothing matches":              {is: IssueFacts{Title: "KeyError: 'vat_rate'"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := MatchPlaybook(playbooks, tt.is)
			got := ""
			if p != nil {
				got = p.Name
				if p.OpensTicket() != tt.ticket {
					t.Errorf("opens a ticket: %v, want %v", p.OpensTicket(), tt.ticket)
				}
			}
			if got != tt.want {
				t.Errorf("matched %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCheckPlaybooks(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		playbooks []Playbook
		want      []string
	}{
		"good": {playbooks: []Playbook{{Name: "a", Match: PlaybookMatch{Title: "x*"}, Runbook: "https://wiki.example.com/a"}}},
		"matches everything": {playbooks: []Playbook{{Name: "a"}},
			want: []string{"playbooks[0].match: set title, culprit, exception_type, level or tags: a playbook matching every issue hides the rest"}},
		"no name, bad glob, bad tag, bad runbook": {playbooks: []Playbook{{Match: PlaybookMatch{Culprit: "[x", Tags: []string{"nokey"}}, Runbook: "wiki/a"}},
			want: []string{"playbooks[0].name: must be set: the comment and the ticket name the playbook",
				`playbooks[0].match.culprit: "[x" is not a valid glob (a '[' without ']', or a '\' at the end?)`,
				`playbooks[0].match.tags[0]: must be key:glob, e.g. tenant_id:enterprise-*, not "nokey"`,
				`playbooks[0].runbook: "wiki/a" is not an absolute http(s) URL`}},
		"duplicate names": {playbooks: []Playbook{{Name: "a", Match: PlaybookMatch{Level: "error"}}, {Name: "a", Match: PlaybookMatch{Level: "fatal"}}},
			want: []string{`playbooks[1].name: "a" is also playbooks[0]'s name`}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := CheckPlaybooks(tt.playbooks); !slices.Equal(got, tt.want) {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}
