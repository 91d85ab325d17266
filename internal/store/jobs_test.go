package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/releasegate/releasegate/internal/store"
)

// soonRetry retries a failed job at once, so that a test of retries does not wait for
// River's backoff.
type soonRetry struct{}

func (soonRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(time.Millisecond) }

// flakyWorker fails each delivery's first attempt and records what it worked.
type flakyWorker struct {
	river.WorkerDefaults[store.DeliveryArgs]
	s        func() *store.Store
	mu       sync.Mutex
	attempts map[string]int
	bodies   map[string]string
}

func (w *flakyWorker) Work(ctx context.Context, job *river.Job[store.DeliveryArgs]) error {
	d, err := w.s().Delivery(ctx, job.Args.Source, job.Args.ID)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.attempts[job.Args.ID]++
	if job.Attempt == 1 {
		return errors.New("first attempt fails on purpose")
	}
	w.bodies[job.Args.ID] = string(d.Body)
	return nil
}

func TestDeliveryJobsRunAndRetry(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		var s *store.Store
		w := &flakyWorker{s: func() *store.Store { return s }, attempts: map[string]int{}, bodies: map[string]string{}}
		workers := river.NewWorkers()
		river.AddWorker(workers, w)
		s = openStore(t, url, store.Options{Workers: workers, RetryPolicy: soonRetry{}, FetchPollInterval: 100 * time.Millisecond})
		done, cancel := s.Subscribe(river.EventKindJobCompleted)
		defer cancel()
		if err := s.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		ids := []string{"d-1", "d-2", "d-3"}
		for _, id := range ids {
			if _, err := s.Accept(t.Context(), delivery(id)); err != nil {
				t.Fatal(err)
			}
		}
		for range ids {
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("jobs did not complete within 30s")
			}
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, id := range ids {
			if w.attempts[id] != 2 || w.bodies[id] != `{"action":"requested"}` {
				t.Errorf("delivery %s: %d attempts, body %q; want 2 attempts and the stored body", id, w.attempts[id], w.bodies[id])
			}
		}
	})
}

// blockingWorker works until its context is cancelled, to test a hard stop.
type blockingWorker struct {
	river.WorkerDefaults[store.DeliveryArgs]
	started chan struct{}
}

func (w *blockingWorker) Work(ctx context.Context, _ *river.Job[store.DeliveryArgs]) error {
	close(w.started)
	<-ctx.Done()
	return ctx.Err()
}

func TestStopReturnsUnfinishedJobsToTheQueue(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		w := &blockingWorker{started: make(chan struct{})}
		workers := river.NewWorkers()
		river.AddWorker(workers, w)
		s := openStore(t, url, store.Options{Workers: workers, FetchPollInterval: 100 * time.Millisecond})
		if err := s.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Accept(t.Context(), delivery("slow")); err != nil {
			t.Fatal(err)
		}
		select {
		case <-w.started:
		case <-time.After(30 * time.Second):
			t.Fatal("the job did not start within 30s")
		}
		// A deadline that has already passed: the soft stop gives up at once and the job's
		// context is cancelled.
		ctx, cancel := context.WithDeadline(t.Context(), time.Now())
		defer cancel()
		if err := s.Stop(ctx); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		counts, err := s.JobCounts(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if counts["retryable"]+counts["available"] != 1 || counts["running"] != 0 {
			t.Errorf("jobs after a hard stop = %v; want the one job back in the queue", counts)
		}
	})
}

func TestStartWithoutWorkersFails(t *testing.T) {
	t.Parallel()
	s := openStore(t, engineURLs()["sqlite"](t), store.Options{})
	if err := s.Start(t.Context()); err == nil {
		t.Error("Start of an insert-only store succeeded; want an error naming Options.Workers")
	}
}

// sweepArgs stands for the bot's periodic sweep.
type sweepArgs struct{}

func (sweepArgs) Kind() string { return "test.sweep" }

type sweepWorker struct {
	river.WorkerDefaults[sweepArgs]
	ran chan struct{}
}

func (w *sweepWorker) Work(context.Context, *river.Job[sweepArgs]) error {
	select {
	case w.ran <- struct{}{}:
	default:
	}
	return nil
}

func TestPeriodicJobsRunOnTheLeader(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		w := &sweepWorker{ran: make(chan struct{}, 1)}
		workers := river.NewWorkers()
		river.AddWorker(workers, w)
		periodic := river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return sweepArgs{}, nil },
			&river.PeriodicJobOpts{ID: "sweep", RunOnStart: true})
		s := openStore(t, url, store.Options{Workers: workers, PeriodicJobs: []*river.PeriodicJob{periodic}, FetchPollInterval: 100 * time.Millisecond})
		if err := s.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		select {
		case <-w.ran:
		case <-time.After(30 * time.Second):
			t.Fatal("the periodic job did not run within 30s of start (no leader elected?)")
		}
	})
}
