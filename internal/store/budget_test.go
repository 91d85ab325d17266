package store_test

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestTakeBudgetUnderConcurrency: 40 takers racing for a budget of 7 get exactly 7; the next
// day starts afresh; another budget is apart; a limit of 0 allows nothing.
func TestTakeBudgetUnderConcurrency(t *testing.T) {
	t.Parallel()
	forEachEngine(t, func(t *testing.T, url string) {
		s := openStore(t, url, newClock(at).opts())
		ctx := t.Context()
		var granted atomic.Int64
		var wg sync.WaitGroup
		for range 40 {
			wg.Go(func() {
				ok, err := s.TakeBudget(ctx, "model", "2026-12-06", 7)
				if err != nil {
					t.Error(err)
				}
				if ok {
					granted.Add(1)
				}
			})
		}
		wg.Wait()
		if n := granted.Load(); n != 7 {
			t.Fatalf("granted %d of a budget of 7", n)
		}
		if used, err := s.BudgetUsed(ctx, "model", "2026-12-06"); err != nil || used != 7 {
			t.Fatalf("BudgetUsed = %d, %v; want 7", used, err)
		}
		if ok, err := s.TakeBudget(ctx, "model", "2026-12-07", 7); err != nil || !ok {
			t.Fatalf("the next day: %v, %v", ok, err)
		}
		if ok, err := s.TakeBudget(ctx, "other", "2026-12-06", 1); err != nil || !ok {
			t.Fatalf("another budget: %v, %v", ok, err)
		}
		if ok, err := s.TakeBudget(ctx, "model", "2026-12-08", 0); err != nil || ok {
			t.Fatalf("a limit of 0: %v, %v", ok, err)
		}
		if used, err := s.BudgetUsed(ctx, "model", "2026-12-09"); err != nil || used != 0 {
			t.Fatalf("an untouched day: %d, %v", used, err)
		}
	})
}
