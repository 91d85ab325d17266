package bot

import (
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/releasegate/releasegate/internal/store"
)

// TestPipelineWithJobs runs the App as `serve` does — River working the jobs — with the real
// clock: a webhook in becomes a stored delivery, its job records the rule, the rule's job
// evaluates it (pending while the soak lasts, snoozing between looks) and the review goes out
// once the gate passes.
func TestPipelineWithJobs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, fixtureOptions{
		realClock: true,
		policy: `release:
  name: "web@{short_sha}"
environments:
  staging:
    projects: [web]
    new_issues: {events_per_hour: 60}
  production:
    projects: [web]
    evidence: staging
    soak: 3s
    deadline: 1h
    new_issues: {events_per_hour: 30}
`,
		storeOptions: store.Options{FetchPollInterval: 100 * time.Millisecond, RetryPolicy: immediateRetry{}},
	})
	f.bot.settings.Recheck = 500 * time.Millisecond
	f.release(time.Now().Add(-time.Second))
	if err := f.store.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.store.Stop(t.Context()) })
	if code := f.request(99, "pipeline-1"); code != 202 {
		t.Fatalf("webhook answered %d", code)
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(f.decisions()) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no decision after 30s; reviews so far: %+v", f.gh.Reviews())
		}
		time.Sleep(50 * time.Millisecond)
	}
	d := f.decisions()[0]
	if d.State != "approved" || d.RunID != 99 {
		t.Errorf("decision %+v", d)
	}
	if n := len(f.reports()); n != 1 {
		t.Errorf("%d progress reports while the soak lasted, want 1", n)
	}
	time.Sleep(700 * time.Millisecond) // a second look, if one were (wrongly) scheduled
	if n := len(f.decisions()); n != 1 {
		t.Errorf("%d decisions, want 1", n)
	}
}

// immediateRetry retries a failed job at once.
type immediateRetry struct{}

func (immediateRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now() }
