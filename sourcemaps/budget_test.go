package sourcemaps

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestByteBudget: however many take from it at once, the bytes held never pass the budget,
// except by one file larger than the whole budget, which then goes alone.
func TestByteBudget(t *testing.T) {
	t.Parallel()
	b := newByteBudget(100)
	var held, peak atomic.Int64
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			want := int64(10 + i%50)
			if i == 7 {
				want = 1000 // larger than the budget
			}
			n := b.acquire(want)
			now := held.Add(n)
			for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
			}
			time.Sleep(time.Millisecond)
			held.Add(-n)
			b.release(n)
		})
	}
	wg.Wait()
	if p := peak.Load(); p > 100 {
		t.Errorf("peak %d bytes held, budget 100", p)
	}
	if b.inUse != 0 {
		t.Errorf("%d bytes still taken after every release", b.inUse)
	}
}

// TestBudgetNeverLeaks runs validate, inject's plan and its writing over a lazy discovery
// whose budget holds one byte, so that every pair must give back what it took before the next
// can load: a Load without its Unload would hang here, not pass.
func TestBudgetNeverLeaks(t *testing.T) {
	t.Parallel()
	dir := copyBuild(t, filepath.Join("..", "testdata", "sample-build"))
	d := Discover([]string{dir}, DiscoverOptions{Lazy: true, MaxBytesInFlight: 1})
	done := make(chan struct{})
	go func() {
		defer close(done)
		Validate(d, ValidateOptions{})
		plan, _ := PlanInject(d, InjectOptions{})
		if err := ApplyInjectContext(context.Background(), plan); err != nil {
			t.Error(err)
		}
		files, err := BundleFiles(d, []string{dir}, BundleFilesOptions{})
		if err != nil {
			t.Error(err)
			return
		}
		var sink countWriter
		if _, err := WriteBundle(&sink, files, BundleMeta{Org: "acme", Projects: []string{"web"}}, BundleOptions{MaxBytesInFlight: 1}); err != nil {
			t.Error(err)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("validate, inject and the bundle did not finish with a one-byte budget: a loaded pair was never released")
	}
	if d.Pairs[0].budget.inUse != 0 {
		t.Errorf("%d bytes still taken after validate and inject", d.Pairs[0].budget.inUse)
	}
}

type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }
