package store_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/releasegate/releasegate/internal/store"
)

// noopWorker completes each delivery job, so that a benchmark can measure intake while the
// same database works the queue, as `serve` does.
type noopWorker struct {
	river.WorkerDefaults[store.DeliveryArgs]
}

func (noopWorker) Work(context.Context, *river.Job[store.DeliveryArgs]) error { return nil }

// BenchmarkAccept measures webhook intake: concurrent Accepts of distinct deliveries (an
// 8 KiB body, about a deployment_protection_rule payload), each one transaction storing the
// delivery and enqueuing its job. It reports deliveries/s and the p99 latency of one Accept,
// the time a sender waits for its 2xx beyond the handler's own work. The bar, on
// SQLite on 2 cores: at least 1,000/s sustained, p99 under 50 ms. Run with, for example,
//
//	go test -run '^$' -bench BenchmarkAccept -benchtime 20000x ./internal/store/
func BenchmarkAccept(b *testing.B) {
	body := bytes.Repeat([]byte(`{"action":"requested","environment":"production"},`), 8192/50)
	for _, eng := range []string{"sqlite", "postgres"} {
		for _, working := range []bool{false, true} {
			name := eng + "/intake"
			if working {
				name = eng + "/intake+working"
			}
			b.Run(name, func(b *testing.B) {
				opts := store.Options{}
				if working {
					workers := river.NewWorkers()
					river.AddWorker(workers, noopWorker{})
					opts.Workers = workers
				}
				s := openStore(b, engineURLs()[eng](b), opts)
				if working {
					if err := s.Start(b.Context()); err != nil {
						b.Fatal(err)
					}
				}
				var seq atomic.Int64
				var mu sync.Mutex
				latencies := make([]time.Duration, 0, b.N)
				b.SetParallelism(8) // 16 handlers in flight on 2 cores
				b.ResetTimer()
				start := time.Now()
				b.RunParallel(func(pb *testing.PB) {
					local := make([]time.Duration, 0, 1024)
					for pb.Next() {
						d := store.Delivery{
							Source: store.SourceGitHub, ID: fmt.Sprintf("bench-%d", seq.Add(1)),
							Event: "deployment_protection_rule", Action: "requested", Body: body, ReceivedAt: time.Now(),
						}
						t0 := time.Now()
						if _, err := s.Accept(b.Context(), d); err != nil {
							b.Error(err)
							return
						}
						local = append(local, time.Since(t0))
					}
					mu.Lock()
					latencies = append(latencies, local...)
					mu.Unlock()
				})
				elapsed := time.Since(start)
				b.StopTimer()
				if len(latencies) == 0 {
					return
				}
				slices.Sort(latencies)
				p := func(q float64) float64 {
					return float64(latencies[int(q*float64(len(latencies)-1))]) / float64(time.Millisecond)
				}
				b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "deliveries/s")
				b.ReportMetric(p(0.50), "p50-ms")
				b.ReportMetric(p(0.99), "p99-ms")
			})
		}
	}
}

// BenchmarkAcceptPaced offers deliveries at a steady 1,000 per second (the bar),
// each in its own goroutine as webhook requests arrive (with the store working their jobs,
// or not), and reports the p99 time from each delivery's arrival to its acknowledgement; a store that
// falls behind pays for its backlog in that latency. BenchmarkAccept, by contrast, runs
// saturated, where latency is mostly waiting in line. Run with, for example,
//
//	go test -run '^$' -bench BenchmarkAcceptPaced -benchtime 20000x ./internal/store/
func BenchmarkAcceptPaced(b *testing.B) {
	const interval = time.Millisecond
	body := bytes.Repeat([]byte(`{"action":"requested","environment":"production"},`), 8192/50)
	for _, name := range []string{"sqlite/intake", "sqlite/intake+working", "postgres/intake", "postgres/intake+working"} {
		eng, mode, _ := strings.Cut(name, "/")
		b.Run(name, func(b *testing.B) {
			workers := river.NewWorkers()
			river.AddWorker(workers, noopWorker{})
			s := openStore(b, engineURLs()[eng](b), store.Options{Workers: workers})
			if mode == "intake+working" {
				if err := s.Start(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
			latencies := make([]time.Duration, b.N)
			var wg sync.WaitGroup
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				due := start.Add(time.Duration(i) * interval)
				time.Sleep(time.Until(due))
				wg.Go(func() {
					d := store.Delivery{
						Source: store.SourceGitHub, ID: fmt.Sprintf("paced-%d", i),
						Event: "deployment_protection_rule", Action: "requested", Body: body, ReceivedAt: time.Now(),
					}
					if _, err := s.Accept(b.Context(), d); err != nil {
						b.Error(err)
					}
					latencies[i] = time.Since(due)
				})
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			slices.Sort(latencies)
			p := func(q float64) float64 {
				return float64(latencies[int(q*float64(len(latencies)-1))]) / float64(time.Millisecond)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
			b.ReportMetric(p(0.50), "p50-ms")
			b.ReportMetric(p(0.99), "p99-ms")
		})
	}
}
