package main

import (
	"runtime/debug"
	"sync"
)

// defaultMemoryLimit is the Go runtime's soft memory limit when GOMEMLIMIT is not set. The
// sourcemaps commands bound the bytes of the files they hold at once (a few hundred MB), but
// with the default GC pacing the garbage of the files already done comes on top: a 250 MB
// bundle peaked at 1.4 GB, four of them at 1.9 GB. Under this limit the collector runs sooner
// instead, and the same runs peak near 830 MB at the same speed (docs/benchmarks.md). It is a
// soft limit: a build whose live data is larger still runs, with the GC's CPU share capped.
const defaultMemoryLimit = 768 << 20

var memoryLimitOnce sync.Once

// limitMemory sets defaultMemoryLimit unless the environment (GOMEMLIMIT) chose one.
func limitMemory(getenv func(string) string) {
	memoryLimitOnce.Do(func() {
		if getenv("GOMEMLIMIT") == "" {
			debug.SetMemoryLimit(defaultMemoryLimit)
		}
	})
}
