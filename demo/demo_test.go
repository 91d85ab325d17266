package demo

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// The whole run is tested in cmd/releasegate (TestDemoOnce, demo_once.txtar): the action it
// runs is package main's. These are the demo's own guarantees.

func TestReporterCollectsAndCleansUp(t *testing.T) {
	t.Parallel()
	r := newReporter(t.Context())
	var order []int
	r.Cleanup(func() { order = append(order, 1) })
	r.Cleanup(func() { order = append(order, 2) })
	r.Errorf("fake: unexpected request %s", "GET /x")
	stopped := func() (p any) {
		defer func() { p = recover() }()
		r.Fatalf("fake: cannot load %s", "the description")
		return nil
	}()
	f, ok := stopped.(fatal)
	if !ok || !strings.Contains(f.err.Error(), "cannot load the description") {
		t.Fatalf("Fatalf did not stop the demo with its message: %v", stopped)
	}
	err := r.finish()
	if err == nil || !strings.Contains(err.Error(), "unexpected request GET /x") || !strings.Contains(err.Error(), "cannot load") {
		t.Errorf("finish = %v; want both complaints", err)
	}
	if len(order) != 2 || order[0] != 2 || order[1] != 1 {
		t.Errorf("cleanups ran in the order %v; want the last registered first", order)
	}
}

func TestRunNeedsACommandRunner(t *testing.T) {
	t.Parallel()
	if _, err := Run(t.Context(), Options{Once: true}); err == nil || !strings.Contains(err.Error(), "Releasegate is required") {
		t.Errorf("Run without a command runner: %v", err)
	}
}

// TestRunStopsAtAFailingAction: when the action fails, the demo stops there with its reason,
// after stopping the stand-ins and the service.
func TestRunStopsAtAFailingAction(t *testing.T) {
	t.Parallel()
	refused := errors.New("releasegate action refused its inputs")
	var calls int
	out, err := Run(t.Context(), Options{Once: true, Dir: t.TempDir(), Releasegate: func(_ context.Context, inv Invocation) (int, error) {
		calls++
		if inv.Args[0] != "action" || inv.Env["INPUT_SOURCEMAPS"] != "dist" || inv.Env["SENTRY_AUTH_TOKEN"] == "" {
			t.Errorf("the first command = %v with %v; want the action with its inputs and Sentry's token", inv.Args, inv.Env)
		}
		return 2, refused
	}})
	if err == nil || !errors.Is(err, refused) || !strings.Contains(err.Error(), "the action of v1 exited 2") {
		t.Fatalf("Run = %v; want the action's failure, wrapped", err)
	}
	if calls != 1 || out == nil || out.Gate["v1"].Verdict != "" || out.ServiceURL == "" {
		t.Errorf("%d commands ran, outcome %+v; want the run stopped after the action", calls, out)
	}
}
