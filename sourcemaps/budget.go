package sourcemaps

import "sync"

// Workers bound how many files are handled at once, not how many bytes: four workers on four
// 250 MB bundles once held 2.3 GB. A byteBudget bounds the bytes of the files held at once
// across all workers; a file larger than the whole budget still goes, alone.

// DefaultMaxBytesInFlight is the budget when an option leaves it 0: ample for real builds,
// whose largest files are tens of megabytes, so only outsized files wait for each other.
const DefaultMaxBytesInFlight = 384 << 20

// byteBudget is a counting semaphore over bytes.
type byteBudget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	cap   int64
	inUse int64
}

func newByteBudget(max int64) *byteBudget {
	if max <= 0 {
		max = DefaultMaxBytesInFlight
	}
	b := &byteBudget{cap: max}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire waits until n bytes (at least 1, at most the whole budget) are free, takes them and
// returns how many it took, for release.
func (b *byteBudget) acquire(n int64) int64 {
	if b == nil {
		return 0
	}
	n = min(max(n, 1), b.cap)
	b.mu.Lock()
	for b.inUse+n > b.cap {
		b.cond.Wait()
	}
	b.inUse += n
	b.mu.Unlock()
	return n
}

func (b *byteBudget) release(n int64) {
	if b == nil || n == 0 {
		return
	}
	b.mu.Lock()
	b.inUse -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}
