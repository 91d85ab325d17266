package chatapi

import (
	"context"
	"sync"
	"time"
)

// Budget rations the model: Take spends one request of the day's allowance, or says it is
// spent. day is the UTC date ("2006-01-02", see Day), so an implementation needs no clock and
// one backed by a store can count across processes.
type Budget interface {
	Take(ctx context.Context, day string) (ok bool, err error)
}

// Day is t's UTC date, the key a Budget counts by.
func Day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// MemoryBudget is a Budget held in this process: perDay requests per UTC day, counted from
// zero when the process starts and again when the day changes. It is safe for concurrent use.
type MemoryBudget struct {
	perDay int

	mu   sync.Mutex
	day  string
	used int
}

// NewMemoryBudget returns a Budget of perDay requests a day (at least none: a perDay of 0 or
// less allows nothing).
func NewMemoryBudget(perDay int) *MemoryBudget { return &MemoryBudget{perDay: perDay} }

// Take spends one request of day's allowance. A day earlier than the latest seen (a clock
// stepped back) counts against the latest, so stepping the clock cannot refill the budget.
func (b *MemoryBudget) Take(_ context.Context, day string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if day > b.day {
		b.day, b.used = day, 0
	}
	if b.used >= b.perDay {
		return false, nil
	}
	b.used++
	return true, nil
}
