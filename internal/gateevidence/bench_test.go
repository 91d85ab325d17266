package gateevidence

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// BenchmarkGather1000NewIssues decides about a release with 1,000 new issues (980 with a stray
// event each, 20 at a high rate), a baseline, sessions and required context, from a Sentry that
// answers every request after 50 ms, as `releasegate gate` does: gather, decide, enrich the
// failing issues (top tag values), decide again. Target: under 5 s per decision, with a number
// of requests that does not grow with the harmless issues (reported as requests/op).
func BenchmarkGather1000NewIssues(b *testing.B) {
	f := newFixture(b)
	f.release("v1", t0.Add(-5*time.Hour))
	f.deploy("v1", "production", t0.Add(-5*time.Hour))
	f.ingest(events{release: "v1", typ: "Old", from: t0.Add(-4 * time.Hour), n: 10, every: time.Minute})
	f.release("v2", t0.Add(-40*time.Minute))
	f.deploy("v2", "production", t0.Add(-30*time.Minute))
	tags := map[string]string{"tenant_id": "t1"}
	for i := range 980 {
		f.ingest(events{release: "v2", typ: fmt.Sprintf("Stray%03d", i), from: t0.Add(-25 * time.Minute), n: 1, tags: tags})
	}
	for i := range 20 {
		f.ingest(events{release: "v2", typ: fmt.Sprintf("Hot%02d", i), from: t0.Add(-20 * time.Minute), n: 60, every: 20 * time.Second, users: 5, tags: tags})
	}
	for _, s := range []sentryapitest.Session{
		{Release: "v1", Environment: "production", DistinctID: "a", Status: "healthy", Started: t0.Add(-4 * time.Hour), Count: 500},
		{Release: "v2", Environment: "production", DistinctID: "b", Status: "healthy", Started: t0.Add(-20 * time.Minute), Count: 200},
		{Release: "v2", Environment: "production", DistinctID: "c", Status: "crashed", Started: t0.Add(-10 * time.Minute), Count: 3},
	} {
		if err := f.srv.RecordSession("web", s); err != nil {
			b.Fatal(err)
		}
	}
	p := hot()
	p.Regressions = &gate.RegressionsPolicy{}
	p.Health = &gate.HealthPolicy{CrashFreeSessions: &gate.RateRule{Floor: 99}}
	p.Context = &gate.ContextPolicy{Required: []string{"tenant_id", "user.id"}}
	f.srv.InjectFault(sentryapitest.Fault{Delay: 50 * time.Millisecond}) // every request, every path
	g := &Gatherer{Client: f.c}
	q := Query{Org: "acme", Release: "v2", Environment: "production", Now: t0}

	var requests int
	b.ResetTimer()
	for b.Loop() {
		ev, err := g.Gather(context.Background(), q, p)
		if err != nil {
			b.Fatal(err)
		}
		if len(ev.NewIssues) != 1000 || ev.Health == nil || ev.Baseline != "v1" {
			b.Fatalf("%d new issues, health %v, baseline %q", len(ev.NewIssues), ev.Health, ev.Baseline)
		}
		d := gate.Decide(p, ev, t0)
		var failing []string
		for _, is := range d.Checks[0].Issues {
			failing = append(failing, is.ID)
		}
		if err := g.Enrich(context.Background(), &ev, failing); err != nil {
			b.Fatal(err)
		}
		d = gate.Decide(p, ev, t0)
		if d.Verdict != gate.StatusFail || len(failing) != 20 || len(d.Checks[0].Issues[0].TopValues) == 0 {
			b.Fatalf("verdict %s with %d failing issues, want fail with the 20 hot ones enriched", d.Verdict, len(failing))
		}
		requests = ev.Requests
	}
	b.ReportMetric(float64(requests), "requests/op")
}
