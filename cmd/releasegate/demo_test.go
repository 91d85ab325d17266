package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasegate/releasegate/demo"
	"github.com/releasegate/releasegate/gate"
)

// TestDemoOnce runs the demo as `releasegate demo --once` does — the action and the gate
// through this package's own commands — and checks each outcome against what the stand-ins
// recorded. (It lives here, not in demo/, because the action is package main's.)
func TestDemoOnce(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	f := &Factory{}
	o, err := demo.Run(t.Context(), demo.Options{
		Out: &out, Once: true, Dir: t.TempDir(),
		Releasegate: func(_ context.Context, inv demo.Invocation) (int, error) {
			return executeWith(demoFactory(f, inv), inv.Args)
		},
	})
	if err != nil {
		t.Fatalf("the demo failed: %v\n%s", err, out.String())
	}
	text := out.String()
	for _, v := range []string{"v1", "v2"} {
		for _, phase := range []string{"validate", "upload", "ownership sync", "release", "commits", "deploy"} {
			if !slices.ContainsFunc(o.Phases[v], func(l string) bool { return strings.HasPrefix(l, phase+" ") && strings.Contains(l, " ok") }) {
				t.Errorf("%s: the action's phase %q did not run ok: %q", v, phase, o.Phases[v])
			}
		}
	}
	if v1, v2 := o.Gate["v1"].Verdict, o.Gate["v2"].Verdict; v1 != gate.StatusPass || v2 != gate.StatusFail {
		t.Errorf("the gate said %s for v1 and %s for v2; want pass and fail", v1, v2)
	}
	if r := o.Reviews["v1"]; r.State != "approved" || r.Status != 202 {
		t.Errorf("v1's protection rule: %+v; want approved after a 202", r)
	}
	if r := o.Reviews["v2"]; r.State != "rejected" || !strings.Contains(r.Comment, o.IssueShortID) || o.IssueShortID == "" {
		t.Errorf("v2's protection rule: %+v; want rejected with a comment naming %q", r, o.IssueShortID)
	}
	if o.JiraTickets != 1 || o.JiraKey == "" {
		t.Errorf("%d Jira tickets (key %q), want 1", o.JiraTickets, o.JiraKey)
	}
	if o.TriageComment != 1 {
		t.Errorf("%d triage comments, want 1", o.TriageComment)
	}
	for _, want := range []string{"#checkout", o.JiraKey, "Blast radius: 3 tenants", "Suggested fix", "cart.coupon?.code", o.IssueShortID} {
		if !strings.Contains(o.Comment, want) {
			t.Errorf("the PR comment lacks %q:\n%s", want, o.Comment)
		}
	}
	if o.FixPRs != 1 || o.FixPR == 0 || !strings.HasPrefix(o.FixPRBranch, "releasegate/fix-") || o.GitDataCalls != 4 {
		t.Errorf("fix pull requests: %d (#%d from %q, %d git data calls); want one, made by 4 git data calls", o.FixPRs, o.FixPR, o.FixPRBranch, o.GitDataCalls)
	}
	if !slices.ContainsFunc(o.SentryLinks, func(u string) bool { return strings.HasSuffix(u, "/browse/"+o.JiraKey) }) {
		t.Errorf("Sentry's issue links %q, want one to %s", o.SentryLinks, o.JiraKey)
	}
	if !strings.HasPrefix(o.DecisionPage, o.ServiceURL+"/decisions/") || o.DecisionPageStatus != 200 || !strings.HasPrefix(o.ServiceURL, "http://127.0.0.1:") {
		t.Errorf("decision page %q (status %d) of the service at %q", o.DecisionPage, o.DecisionPageStatus, o.ServiceURL)
	}
	if o.Elapsed > time.Minute {
		t.Errorf("the demo took %s, more than a minute", o.Elapsed)
	}
	// The narration prints what the calls returned: the comment and the gate's report whole.
	for _, want := range []string{"local stand-ins", o.Comment[:200], "releasegate gate: FAIL " + o.Gate["v2"].Release, o.DecisionPage} {
		if !strings.Contains(text, want) {
			t.Errorf("the narration lacks %q", want)
		}
	}
}
