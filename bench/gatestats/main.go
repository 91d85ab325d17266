// Command gatestats measures the gate's decisions on simulated releases: seeded Poisson event
// streams of one new issue, judged by gate.Decide under the policy the real loader reads
// (threshold 30 events/h, soak 30m, deadline 2h, confidence 95%: the defaults), looked at as
// --wait or the App would.
//
//	go run ./bench/gatestats                    # writes bench/results/gatestats.md
//	go run ./bench/gatestats -streams 2000 -out -
//
// It prints the false-fail rate at the threshold for one look and under polling every 1, 5 and
// 15 minutes; the power at 2, 5 and 10 times the threshold over time; the time to detect a
// spike against the naive rule "more than the threshold in the last hour"; and how releases at
// each rate end at the deadline (passed, failed, or still pending: decided by on_timeout, not
// by the evidence). Each figure is a fraction of the streams, with its Monte Carlo standard
// error; gate/sequential_test.go computes the same quantities exactly. For contrast, the first
// table also runs the rule the gate applied before (one-look bounds on the last hour).
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/releasegate/releasegate/gate"
)

// policyYAML is the policy every stream is judged by, read by the real loader; "zoned" adds
// an indifference zone for the last table.
const policyYAML = `environments:
  production:
    projects: [web]
    new_issues:
      events_per_hour: 30
  zoned:
    projects: [web]
    new_issues:
      events_per_hour: 30
      pass_below: 50
`

var start = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func main() {
	streams := flag.Int("streams", 20000, "simulated releases per cell")
	seed := flag.Uint64("seed", 1, "random seed")
	out := flag.String("out", "bench/results/gatestats.md", `where to write the tables ("-": standard output)`)
	flag.Parse()
	pol, err := gate.LoadPolicy([]byte(policyYAML), "bench.yml")
	if err != nil {
		log.Fatal(err)
	}
	env, err := pol.Environment("production")
	if err != nil {
		log.Fatal(err)
	}
	zoned, err := pol.Environment("zoned")
	if err != nil {
		log.Fatal(err)
	}
	w := io.Writer(os.Stdout)
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		w = io.MultiWriter(os.Stdout, f)
	}
	b := &bench{env: env, th: env.NewIssues.EventsPerHour, n: *streams, seed: *seed, cache: map[look]gate.Status{}, prev: map[look]gate.Status{}}
	b.run(w)
	z := &bench{env: zoned, th: zoned.NewIssues.EventsPerHour, n: *streams, seed: *seed, cache: map[look]gate.Status{}, prev: map[look]gate.Status{}}
	fmt.Fprintf(w, "\n## With `pass_below: 50`: how releases end by the deadline, a look a minute\n\n")
	z.ends(w)
}

type bench struct {
	env   *gate.Environment
	th    float64
	n     int
	seed  uint64
	cache map[look]gate.Status
	prev  map[look]gate.Status
}

// look is what Decide sees of one stream at one moment: the count and the age.
type look struct {
	k   int64
	age time.Duration
}

// verdict is gate.Decide's verdict on a release whose one new issue had k events by age, with
// the deadline's verdict told apart: statusDeadline is whatever on_timeout decided. Decide is
// deterministic in (k, age) here, so each pair is decided once.
const statusDeadline gate.Status = "deadline"

func (b *bench) verdict(k int64, age time.Duration) gate.Status {
	l := look{k, age}
	if s, ok := b.cache[l]; ok {
		return s
	}
	is := gate.Issue{ID: "1", ShortID: "WEB-1", Project: "web", Title: "TypeError", Level: "error", Status: "unresolved",
		FirstSeen: start, Events: k, Users: k}
	ev := gate.Evidence{Release: "web@2.0.0", Environment: "production", Start: start, Deployed: true,
		NewIssues: []gate.Issue{is}, Interval: time.Minute}
	d := gate.Decide(b.env, ev, start.Add(age))
	s := d.Verdict
	if strings.HasPrefix(d.Reason, gate.ByDeadline) {
		s = statusDeadline
	}
	b.cache[l] = s
	return s
}

// stream is the event times of one simulated release, sorted, up to the deadline.
func stream(r *rand.Rand, perHour float64, until time.Duration) []time.Duration {
	var ts []time.Duration
	if !(perHour > 0) {
		return nil
	}
	t := 0.0
	for {
		t += r.ExpFloat64() / perHour
		d := time.Duration(t * float64(time.Hour))
		if d > until {
			return ts
		}
		ts = append(ts, d)
	}
}

// count is the events at or before t.
func count(ts []time.Duration, t time.Duration) int64 {
	i, _ := slices.BinarySearch(ts, t+1)
	return int64(i)
}

// outcome is how one stream ended under one way of looking: the verdict and when.
type outcome struct {
	status gate.Status // pass, fail, statusDeadline, or pending (no look at the deadline)
	at     time.Duration
}

// judge looks at the stream at each of the times and stops at the first decision.
func (b *bench) judge(ts []time.Duration, times []time.Duration) outcome {
	for _, t := range times {
		if s := b.verdict(count(ts, t), t); s != gate.StatusPending {
			return outcome{s, t}
		}
	}
	return outcome{gate.StatusPending, times[len(times)-1]}
}

// previous is the rule the gate applied before issue 13, for contrast: exact one-look
// (Garwood) bounds on the events of the last hour (the window; at least 10 minutes of
// exposure), failing when the lower bound is above the threshold and passing after the soak
// when the upper bound is below it. It stops at the first decision, as --wait does.
func (b *bench) previous(ts []time.Duration, times []time.Duration) gate.Status {
	conf := b.env.WithDefaults().Confidence
	soak := time.Duration(b.env.WithDefaults().Soak)
	for _, t := range times {
		window := min(t, time.Hour)
		l := look{count(ts, t) - count(ts, t-window), max(window, 10*time.Minute)}
		s, ok := b.prev[l]
		if !ok {
			r := gate.RateBounds(l.k, l.age, conf)
			switch {
			case r.Lower > b.th:
				s = gate.StatusFail
			case r.Upper < b.th:
				s = gate.StatusPass
			default:
				s = gate.StatusPending
			}
			b.prev[l] = s
		}
		if s == gate.StatusFail || (s == gate.StatusPass && t >= soak) {
			return s
		}
	}
	return gate.StatusPending
}

// naive is the first look at which the last hour holds more than the threshold's events.
func (b *bench) naive(ts []time.Duration, times []time.Duration) (time.Duration, bool) {
	for _, t := range times {
		if float64(count(ts, t)-count(ts, t-time.Hour)) > b.th {
			return t, true
		}
	}
	return 0, false
}

func every(interval, until time.Duration) []time.Duration {
	var out []time.Duration
	for t := interval; t <= until; t += interval {
		out = append(out, t)
	}
	return out
}

func (b *bench) rng(cell uint64) *rand.Rand { return rand.New(rand.NewPCG(b.seed, cell)) }

// pct is a fraction of the streams as a percentage with its standard error.
func (b *bench) pct(hits int) string {
	p := float64(hits) / float64(b.n)
	return fmt.Sprintf("%.2f%% ± %.2f", 100*p, 100*math.Sqrt(p*(1-p)/float64(b.n)))
}

func (b *bench) run(w io.Writer) {
	deadline := time.Duration(b.env.WithDefaults().Deadline)
	fmt.Fprintf(w, "# gatestats: %d streams a cell, seed %d\n\n", b.n, b.seed)
	fmt.Fprintf(w, "Policy: events_per_hour %g, soak %s, deadline %s, confidence %g (`go run ./bench/gatestats -streams %d -seed %d`).\n\n",
		b.th, short(time.Duration(b.env.WithDefaults().Soak)), short(deadline), b.env.WithDefaults().Confidence, b.n, b.seed)

	// 1. False fails at and below the threshold.
	fmt.Fprintf(w, "## Failed by the evidence at some look, rate at or below the threshold\n\n")
	fmt.Fprintf(w, "| rate | one look at 1h | every 15m | every 5m | every 1m | previous rule, every 5m | previous rule, every 1m |\n|---|---|---|---|---|---|---|\n")
	for i, rho := range []float64{1, 0.8, 0.5} {
		r := b.rng(uint64(100 + i))
		ways := [][]time.Duration{{time.Hour}, every(15*time.Minute, deadline), every(5*time.Minute, deadline), every(time.Minute, deadline)}
		fails := make([]int, len(ways)+2)
		for range b.n {
			ts := stream(r, rho*b.th, deadline)
			for j, times := range ways {
				if b.judge(ts, times).status == gate.StatusFail {
					fails[j]++
				}
			}
			for j, times := range ways[2:] {
				if b.previous(ts, times) == gate.StatusFail {
					fails[len(ways)+j]++
				}
			}
		}
		fmt.Fprintf(w, "| %gT |", rho)
		for _, f := range fails {
			fmt.Fprintf(w, " %s |", b.pct(f))
		}
		fmt.Fprintln(w)
	}

	// 2. Power over time, and 3. time to detect against the naive rule, polling every minute.
	minute := every(time.Minute, deadline)
	marks := []time.Duration{5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, deadline}
	fmt.Fprintf(w, "\n## Failed by the evidence by each time, a look a minute\n\n| rate |")
	for _, m := range marks {
		fmt.Fprintf(w, " by %s |", short(m))
	}
	fmt.Fprintf(w, "\n|---|%s\n", strings.Repeat("---|", len(marks)))
	type detect struct {
		rho         float64
		gate, naive []time.Duration
	}
	var detects []detect
	for i, rho := range []float64{2, 5, 10} {
		r := b.rng(uint64(200 + i))
		by := make([]int, len(marks))
		d := detect{rho: rho}
		for range b.n {
			ts := stream(r, rho*b.th, deadline)
			o := b.judge(ts, minute)
			if o.status == gate.StatusFail {
				d.gate = append(d.gate, o.at)
				for j, m := range marks {
					if o.at <= m {
						by[j]++
					}
				}
			}
			if t, ok := b.naive(ts, minute); ok {
				d.naive = append(d.naive, t)
			}
		}
		detects = append(detects, d)
		fmt.Fprintf(w, "| %gT |", rho)
		for _, h := range by {
			fmt.Fprintf(w, " %s |", b.pct(h))
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "\n## Time to fail a spike: the gate against \"more than %g events in the last hour\", a look a minute\n\n", b.th)
	fmt.Fprintf(w, "| rate | gate median | naive median | gate 90%% | naive 90%% | gate 99%% | naive 99%% |\n|---|---|---|---|---|---|---|\n")
	for _, d := range detects {
		fmt.Fprintf(w, "| %gT | %s | %s | %s | %s | %s | %s |\n", d.rho,
			quantile(d.gate, b.n, 0.5), quantile(d.naive, b.n, 0.5), quantile(d.gate, b.n, 0.9), quantile(d.naive, b.n, 0.9),
			quantile(d.gate, b.n, 0.99), quantile(d.naive, b.n, 0.99))
	}
	// The naive rule's own false fails, for contrast.
	r := b.rng(300)
	naiveFalse := 0
	for range b.n {
		if _, ok := b.naive(stream(r, b.th, deadline), minute); ok {
			naiveFalse++
		}
	}
	fmt.Fprintf(w, "\nThe naive rule fails a release at exactly the threshold by %s in %s of streams.\n", short(deadline), b.pct(naiveFalse))

	// 4. How releases end by the deadline.
	fmt.Fprintf(w, "\n## How releases end by the deadline, a look a minute\n\n")
	b.ends(w)
}

// ends tables how releases at each rate end by the deadline, looked at every minute.
func (b *bench) ends(w io.Writer) {
	minute := every(time.Minute, time.Duration(b.env.WithDefaults().Deadline))
	deadline := minute[len(minute)-1]
	fmt.Fprintf(w, "| rate | passed | failed by the evidence | pending at the deadline (on_timeout decides) |\n|---|---|---|---|\n")
	for i, rho := range []float64{0, 0.25, 0.5, 0.67, 0.75, 0.8, 1, 1.25, 1.5, 2} {
		r := b.rng(uint64(400 + i))
		counts := map[gate.Status]int{}
		for range b.n {
			counts[b.judge(stream(r, rho*b.th, deadline), minute).status]++
		}
		fmt.Fprintf(w, "| %gT | %s | %s | %s |\n", rho, b.pct(counts[gate.StatusPass]), b.pct(counts[gate.StatusFail]), b.pct(counts[statusDeadline]))
	}
}

// quantile is the time by which a fraction q of all n streams had been detected ("—" if
// fewer were detected at all).
func quantile(at []time.Duration, n int, q float64) string {
	slices.Sort(at)
	i := int(math.Ceil(q*float64(n))) - 1
	if i >= len(at) || i < 0 {
		return "—"
	}
	return short(at[i])
}

// short writes whole minutes: 7m, 1h, 1h24m.
func short(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}
