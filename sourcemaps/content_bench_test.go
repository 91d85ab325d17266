package sourcemaps

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkContentCheck measures what the content check adds to validation, on the large
// genbuild build (go run ./bench/genbuild -out bench/out/large -size 60MB), one pair after
// another: all of CheckPair, CheckPair without the content check (the same steps, spelled out
// here), and MeasureContent alone on maps parsed beforehand. docs/benchmarks.md has the figures.
func BenchmarkContentCheck(b *testing.B) {
	dir := os.Getenv("RELEASEGATE_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join("..", "bench", "out")
	}
	d := Discover([]string{filepath.Join(dir, "large")}, DiscoverOptions{})
	var pairs []*Pair
	var bytes int64
	for i := range d.Pairs {
		if p := &d.Pairs[i]; p.JS != "" && p.MapData != nil {
			pairs = append(pairs, p)
			bytes += int64(len(p.JSData) + len(p.MapData))
		}
	}
	if len(pairs) == 0 {
		b.Skip("no large build in " + dir + "/large: run go run ./bench/genbuild -out bench/out/large -size 60MB")
	}
	maps := make([]*Map, len(pairs))
	for i, p := range pairs {
		m, _, err := Parse(p.MapData, Limits{})
		if err != nil {
			b.Fatal(err)
		}
		maps[i] = m
	}
	b.Run("validate", func(b *testing.B) {
		b.SetBytes(bytes)
		for b.Loop() {
			for _, p := range pairs {
				CheckPair(p, Limits{})
			}
		}
	})
	b.Run("validate-without-content", func(b *testing.B) {
		b.SetBytes(bytes)
		for b.Loop() {
			for _, p := range pairs {
				c := &pairChecker{p: p, mapPath: p.Map, counts: map[string]int{}}
				m, problems, err := Parse(p.MapData, Limits{})
				for _, pr := range problems {
					c.problem(pr)
				}
				if err != nil {
					b.Fatal(err)
				}
				c.checkGenerated(m)
				c.checkDebugIDs(m)
				c.checkOriginal(m)
				c.done()
			}
		}
	})
	b.Run("content-only", func(b *testing.B) {
		b.SetBytes(bytes)
		for b.Loop() {
			for i, p := range pairs {
				MeasureContent(maps[i], p.JSData)
			}
		}
	})
}
