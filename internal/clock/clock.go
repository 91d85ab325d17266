// Package clock holds the one way releasegate waits: a sleep that a cancelled context ends at
// once. Code that waits takes a sleep function as a value (tests and the GitHub App pass
// their own); this is the one they get by default.
package clock

import (
	"context"
	"time"
)

// Sleep waits d or until ctx is done, returning ctx.Err() then. A d of zero or less returns at
// once (with ctx.Err(), so a done context is still noticed).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
