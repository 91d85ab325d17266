package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// reporter is what the fakes are given in place of a test (testenv.T): a complaint of theirs —
// an unexpected call, an answer outside the published API description — is a failure of the
// demo, reported when it ends; a fatal one stops the demo at once. Cleanups run at the end, the
// last registered first, as a test's do.
type reporter struct {
	ctx      context.Context
	mu       sync.Mutex
	errs     []error
	cleanups []func()
}

// fatal is the panic a fatal complaint stops the demo with; Run recovers it.
type fatal struct{ err error }

func newReporter(ctx context.Context) *reporter { return &reporter{ctx: ctx} }

func (r *reporter) Helper() {}

func (r *reporter) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

func (r *reporter) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Errorf(format, args...))
}

func (r *reporter) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(fatal{fmt.Errorf(format, args...)})
}

func (r *reporter) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

// Skip cannot happen in a demo (the fakes never skip); it stops the demo like Fatal.
func (r *reporter) Skip(args ...any) { r.Fatalf("skipped: %s", fmt.Sprint(args...)) }

func (r *reporter) Context() context.Context { return r.ctx }

// finish runs the cleanups and returns every complaint, joined.
func (r *reporter) finish() error {
	r.mu.Lock()
	cleanups := slices.Clone(r.cleanups)
	r.cleanups = nil
	r.mu.Unlock()
	for _, f := range slices.Backward(cleanups) {
		f()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.errs...)
}
