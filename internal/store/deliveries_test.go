package store_test

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/store"
)

func delivery(id string) store.Delivery {
	return store.Delivery{
		Source: store.SourceGitHub, ID: id, Event: "deployment_protection_rule", Action: "requested",
		Body: []byte(`{"action":"requested"}`), ReceivedAt: at,
	}
}

func TestAcceptStoresOnceAndEnqueuesOnce(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		s := openStore(t, url, store.Options{})
		ctx := t.Context()
		d := delivery("72d3162e-cc78-11e3-81ab-4c9367dc0958")
		isNew, err := s.Accept(ctx, d)
		if err != nil || !isNew {
			t.Fatalf("first Accept = %v, %v; want new", isNew, err)
		}
		// A redelivery with a different body must not replace what was signed first.
		again := d
		again.Body = []byte(`{"tampered":true}`)
		isNew, err = s.Accept(ctx, again)
		if err != nil || isNew {
			t.Fatalf("redelivery Accept = %v, %v; want not new", isNew, err)
		}
		// The same ID from the other source is another delivery.
		other := d
		other.Source = store.SourceSentry
		if isNew, err := s.Accept(ctx, other); err != nil || !isNew {
			t.Fatalf("same ID from sentry = %v, %v; want new", isNew, err)
		}
		got, err := s.Delivery(ctx, d.Source, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Body, d.Body) || got.Event != d.Event || got.Action != d.Action || !got.ReceivedAt.Equal(at) {
			t.Errorf("stored delivery = %+v, want %+v", got, d)
		}
		if n := countJobs(t, s); n != 2 {
			t.Errorf("jobs enqueued = %d, want 2 (one per new delivery)", n)
		}
		if _, err := s.Delivery(ctx, store.SourceGitHub, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Delivery(unknown) error = %v, want ErrNotFound", err)
		}
	})
}

func TestAcceptConcurrentRedeliveriesStoreExactlyOne(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		s := openStore(t, url, store.Options{})
		const n = 50
		var wg sync.WaitGroup
		var mu sync.Mutex
		fresh := 0
		errs := make(chan error, n)
		start := make(chan struct{})
		for range n {
			wg.Go(func() {
				<-start
				isNew, err := s.Accept(t.Context(), delivery("same-id"))
				if err != nil {
					errs <- err
					return
				}
				if isNew {
					mu.Lock()
					fresh++
					mu.Unlock()
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("Accept: %v", err)
		}
		if fresh != 1 {
			t.Errorf("%d of %d concurrent Accepts of one ID reported new, want exactly 1", fresh, n)
		}
		if jobs := countJobs(t, s); jobs != 1 {
			t.Errorf("jobs enqueued = %d, want 1", jobs)
		}
	})
}

func TestAcceptRejectsIncompleteDeliveries(t *testing.T) {
	t.Parallel()
	s := openStore(t, engineURLs()["sqlite"](t), store.Options{})
	tests := map[string]func(d *store.Delivery){
		"unknown source": func(d *store.Delivery) { d.Source = "gitlab" },
		"no ID":          func(d *store.Delivery) { d.ID = "" },
		"ID too long":    func(d *store.Delivery) { d.ID = string(bytes.Repeat([]byte("x"), store.MaxDeliveryIDLen+1)) },
		"no event":       func(d *store.Delivery) { d.Event = "" },
		"no time":        func(d *store.Delivery) { d.ReceivedAt = time.Time{} },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := delivery("bad-" + name)
			mutate(&d)
			isNew, err := s.Accept(t.Context(), d)
			if !errors.Is(err, store.ErrInvalidDelivery) || isNew {
				t.Errorf("Accept = %v, %v; want ErrInvalidDelivery", isNew, err)
			}
		})
	}
	if n := countJobs(t, s); n != 0 {
		t.Errorf("jobs enqueued for invalid deliveries = %d, want 0", n)
	}
}

// countJobs counts the store's River jobs of every state.
func countJobs(t testing.TB, s *store.Store) int {
	t.Helper()
	counts, err := s.JobCounts(t.Context())
	if err != nil {
		t.Fatal(fmt.Errorf("count jobs: %w", err))
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}
