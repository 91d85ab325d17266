package gateevidence

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/releasegate/releasegate/gate"
	"github.com/releasegate/releasegate/internal/sentryapi"
	"github.com/releasegate/releasegate/internal/sentryapi/sentryapitest"
)

// fakeClock moves only when Poll sleeps on it.
type fakeClock struct{ now atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.now.Store(t.UnixNano())
	return c
}
func (c *fakeClock) Now() time.Time { return time.Unix(0, c.now.Load()).UTC() }
func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.now.Add(int64(d))
	return nil
}

// TestPoll drives the shared evaluation as both front doors use it: with an injected clock and
// sleep, against the local Sentry, each case in parallel (no process state is touched).
func TestPoll(t *testing.T) {
	t.Parallel()
	soaked := &gate.Environment{Soak: gate.Duration(20 * time.Minute), Deadline: gate.Duration(2 * time.Hour), Confidence: 0.95,
		OnError: gate.OutcomeFail, OnTimeout: gate.OutcomeFail,
		NewIssues: &gate.NewIssuesPolicy{Thresholds: gate.Thresholds{EventsPerHour: 60}}}
	tests := []struct {
		name    string
		setup   func(f *fixture)
		poll    func(c *fakeClock) Poll
		want    gate.Status
		wantErr func(error) bool
		looks   int
	}{
		{
			name:  "one look while soaking is pending",
			poll:  func(c *fakeClock) Poll { return Poll{Now: c.Now, Sleep: c.Sleep, Interval: time.Minute} },
			want:  gate.StatusPending,
			looks: 1,
		},
		{
			name: "polling rides out the soak and passes",
			poll: func(c *fakeClock) Poll {
				return Poll{Now: c.Now, Sleep: c.Sleep, Interval: 5 * time.Minute, Wait: time.Hour}
			},
			want: gate.StatusPass,
		},
		{
			name: "a Sentry that stays down is on_error's after the failures allowed",
			setup: func(f *fixture) {
				f.srv.InjectFault(sentryapitest.Fault{Status: http.StatusServiceUnavailable})
			},
			poll: func(c *fakeClock) Poll {
				return Poll{Now: c.Now, Sleep: c.Sleep, Interval: time.Minute, Wait: time.Hour, MaxFailures: 3}
			},
			want:  gate.StatusFail,
			looks: 3,
		},
		{
			name: "an unknown release is ErrUnknownRelease, not a verdict",
			setup: func(f *fixture) {
				f.srv.InjectFault(sentryapitest.Fault{Path: "/api/0/organizations/acme/releases/*", Status: http.StatusNotFound})
			},
			poll:    func(c *fakeClock) Poll { return Poll{Now: c.Now, Sleep: c.Sleep, Interval: time.Minute} },
			wantErr: func(err error) bool { return errors.Is(err, ErrUnknownRelease) },
		},
		{
			name: "a token that cannot read issues is the configuration's, not on_error's",
			setup: func(f *fixture) {
				f.srv.InjectFault(sentryapitest.Fault{Path: "/api/0/organizations/acme/issues/", Status: http.StatusForbidden})
			},
			poll: func(c *fakeClock) Poll {
				return Poll{Now: c.Now, Sleep: c.Sleep, Interval: time.Minute, Wait: time.Hour}
			},
			wantErr: func(err error) bool { return errors.Is(err, sentryapi.ErrMisconfigured) },
		},
		{
			name: "a wait cut short is undecided, not a verdict",
			poll: func(c *fakeClock) Poll {
				return Poll{Now: c.Now, Interval: time.Minute, Wait: time.Hour,
					Sleep: func(context.Context, time.Duration) error { return context.Canceled }}
			},
			wantErr: func(err error) bool {
				var u *UndecidedError
				return errors.As(err, &u) && u.While == "pending"
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.release("v2", t0.Add(-5*time.Minute))
			f.deploy("v2", "production", t0.Add(-5*time.Minute))
			f.ingest(events{release: "v2", typ: "Rare", from: t0.Add(-4 * time.Minute), n: 2, every: time.Minute})
			if tc.setup != nil {
				tc.setup(f)
			}
			clock := newFakeClock(t0)
			o := tc.poll(clock)
			looks := 0
			o.Requests = func() int64 { return int64(len(f.srv.Requests())) }
			waiting := o.Waiting
			o.Waiting = func(d gate.Decision, asked bool, failures int) {
				looks++
				f.srv.SetNow(clock.Now().Add(o.Interval))
				if waiting != nil {
					waiting(d, asked, failures)
				}
			}
			d, err := (&Gatherer{Client: f.c}).Poll(context.Background(), Query{Org: "acme", Release: "v2", Environment: "production"}, soaked, "production", o)
			if tc.wantErr != nil {
				if !tc.wantErr(err) {
					t.Fatalf("err = %v (decision %s)", err, d.Verdict)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Verdict != tc.want {
				t.Fatalf("verdict %s (%s), want %s", d.Verdict, d.Reason, tc.want)
			}
			if tc.looks > 0 && looks+1 != tc.looks {
				t.Errorf("%d looks, want %d", looks+1, tc.looks)
			}
			if d.Requests <= 0 {
				t.Errorf("the decision counts %d requests", d.Requests)
			}
		})
	}
}
