package store

import (
	"testing"
	"time"
)

// TestRescueAfter: a job a killed process left marked running is retried a minute after
// its timeout, not after River's hour (the scale-and-faults test in bot/soak lost rules to
// that hour).
func TestRescueAfter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                 string
		opts                 Options
		wantTimeout, wantRes time.Duration
	}{
		{name: "defaults", wantTimeout: time.Minute, wantRes: 2 * time.Minute},
		{name: "a short job timeout", opts: Options{JobTimeout: 5 * time.Second}, wantTimeout: 5 * time.Second, wantRes: 65 * time.Second},
		{name: "rescue set", opts: Options{JobTimeout: 5 * time.Second, RescueAfter: 20 * time.Second}, wantTimeout: 5 * time.Second, wantRes: 20 * time.Second},
		{name: "rescue before the timeout is not taken", opts: Options{JobTimeout: time.Minute, RescueAfter: 30 * time.Second}, wantTimeout: time.Minute, wantRes: 2 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := riverConfig(tt.opts)
			if cfg.JobTimeout != tt.wantTimeout || cfg.RescueStuckJobsAfter != tt.wantRes {
				t.Errorf("job timeout %s, rescue after %s; want %s, %s", cfg.JobTimeout, cfg.RescueStuckJobsAfter, tt.wantTimeout, tt.wantRes)
			}
		})
	}
}
