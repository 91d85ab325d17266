// Package ratelimit is a token bucket rate limiter.
package ratelimit

import (
	"sync"
	"time"
)

// Clock tells the time; tests replace it.
type Clock interface {
	Now() time.Time
}

// Bucket holds up to Capacity tokens, refilled at Rate per second.
type Bucket struct {
	mu       sync.Mutex
	clock    Clock
	capacity float64
	rate     float64
	tokens   float64
	last     time.Time
}

// New returns a full bucket.
func New(capacity, rate float64, clock Clock) *Bucket {
	return &Bucket{capacity: capacity, rate: rate, tokens: capacity, clock: clock, last: clock.Now()}
}

// Take takes n tokens if the bucket holds them.
func (b *Bucket) Take(n float64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.tokens = min(b.capacity, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	b.last = now
	if b.tokens < n {
		return false
	}
	b.tokens -= n
	return true
}
