package chatapi_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/releasegate/releasegate/internal/chatapi"
)

func TestMemoryBudget(t *testing.T) {
	t.Parallel()
	type take struct {
		day string
		ok  bool
	}
	for _, tc := range []struct {
		name   string
		perDay int
		takes  []take
	}{
		{name: "two a day", perDay: 2, takes: []take{{"2026-03-14", true}, {"2026-03-14", true}, {"2026-03-14", false}, {"2026-03-15", true}, {"2026-03-15", true}, {"2026-03-15", false}}},
		{name: "none", perDay: 0, takes: []take{{"2026-03-14", false}, {"2026-03-15", false}}},
		{name: "a clock stepped back counts against the latest day", perDay: 1, takes: []take{{"2026-03-15", true}, {"2026-03-14", false}, {"2026-03-15", false}, {"2026-03-16", true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := chatapi.NewMemoryBudget(tc.perDay)
			for i, tk := range tc.takes {
				ok, err := b.Take(t.Context(), tk.day)
				if err != nil || ok != tk.ok {
					t.Fatalf("take %d on %s = %v, %v; want %v", i+1, tk.day, ok, err, tk.ok)
				}
			}
		})
	}
}

// TestMemoryBudgetConcurrent: concurrent takes never spend more than the day allows.
func TestMemoryBudgetConcurrent(t *testing.T) {
	t.Parallel()
	b := chatapi.NewMemoryBudget(50)
	var granted atomic.Int32
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			if ok, _ := b.Take(t.Context(), "2026-03-14"); ok {
				granted.Add(1)
			}
		})
	}
	wg.Wait()
	if granted.Load() != 50 {
		t.Errorf("%d granted, want 50", granted.Load())
	}
}

func TestDay(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 14, 23, 30, 0, 0, time.FixedZone("UTC-2", -7200))
	if got := chatapi.Day(at); got != "2026-03-15" {
		t.Errorf("Day = %q, want the UTC date 2026-03-15", got)
	}
}
