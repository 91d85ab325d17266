package gate

import (
	"math"
	"testing"
	"time"
)

// looks is the exact probability, for a Poisson stream at rate rho × threshold judged by the
// gate's new-issue rule at every look, that the gate has failed, and that it has passed, by
// each look. The rule is as Decide applies it: the fail test on the age (at least minExposure),
// the pass test on the true age and only from the soak on; a decision ends the stream.
//
// Nothing is simulated: the distribution of the count is carried from look to look (a
// convolution with the Poisson increments) and the mass the rule decides is removed. At each
// look the rule is a pair of count boundaries, since the fail test only gets easier and the
// pass test only harder with more events; counts beyond the truncation have probability
// below 1e−15.
type looks struct {
	at         []time.Duration
	fail, pass []float64 // cumulative, at each look
}

func exactLooks(threshold, zone, rho, confidence float64, interval, soak, deadline time.Duration) looks {
	rate := rho * threshold
	mean := rate * deadline.Hours()
	maxK := int(mean + 12*math.Sqrt(mean+1) + 40)
	dist := make([]float64, maxK+1)
	dist[0] = 1
	var out looks
	var failed, passed float64
	var prev time.Duration
	pois := make([]float64, maxK+1)
	for t := interval; t <= deadline; t += interval {
		m := rate * (t - prev).Hours()
		pois[0] = math.Exp(-m)
		for i := 1; i <= maxK; i++ {
			pois[i] = pois[i-1] * m / float64(i)
		}
		next := make([]float64, maxK+1)
		for k, p := range dist {
			if p == 0 {
				continue
			}
			for j := 0; k+j <= maxK && pois[j] > 0; j++ {
				next[k+j] += p * pois[j]
			}
		}
		dist, prev = next, t
		tf, tp := max(t, minExposure).Hours(), t.Hours()
		for k := range dist {
			fail, pass := sequentialDecision(int64(k), tf, tp, zone*threshold, threshold, confidence)
			switch {
			case fail:
				failed += dist[k]
				dist[k] = 0
			case pass && t >= soak:
				passed += dist[k]
				dist[k] = 0
			}
		}
		out.at = append(out.at, t)
		out.fail = append(out.fail, failed)
		out.pass = append(out.pass, passed)
	}
	return out
}

// by is the cumulative probability at the look at t (the last look before it).
func (l looks) by(p []float64, t time.Duration) float64 {
	v := 0.0
	for i, at := range l.at {
		if at <= t {
			v = p[i]
		}
	}
	return v
}

// The guarantee: a release whose new issue runs at or below the threshold is failed at any
// look up to the deadline with probability at most 1 − confidence, however often the gate
// looks; and one at the threshold or above is passed with at most that probability. Exact
// probabilities, for thresholds, confidences and polling intervals around the defaults.
func TestSequentialErrorsOverEveryLook(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		threshold float64
		conf      float64
		interval  time.Duration
		deadline  time.Duration
	}{
		{"30/h, one look a minute", 30, 0.95, time.Minute, 2 * time.Hour},
		{"30/h, every 10 seconds", 30, 0.95, 10 * time.Second, 2 * time.Hour},
		{"30/h, every 5 minutes", 30, 0.95, 5 * time.Minute, 2 * time.Hour},
		{"30/h, every 15 minutes", 30, 0.95, 15 * time.Minute, 2 * time.Hour},
		{"30/h, 99%", 30, 0.99, time.Minute, 2 * time.Hour},
		{"10/h, a day", 10, 0.95, 5 * time.Minute, 24 * time.Hour},
		{"2/h, a day", 2, 0.95, time.Minute, 24 * time.Hour},
		{"300/h", 300, 0.95, time.Minute, 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			alpha := 1 - tc.conf
			for _, rho := range []float64{0.25, 0.8, 1} {
				l := exactLooks(tc.threshold, 1, rho, tc.conf, tc.interval, 30*time.Minute, tc.deadline)
				if f := l.fail[len(l.fail)-1]; f > alpha {
					t.Errorf("rate %g×threshold: failed at some look with probability %.5f, more than %g", rho, f, alpha)
				}
			}
			for _, rho := range []float64{1, 1.25, 2} {
				l := exactLooks(tc.threshold, 1, rho, tc.conf, tc.interval, 30*time.Minute, tc.deadline)
				if p := l.pass[len(l.pass)-1]; p > alpha {
					t.Errorf("rate %g×threshold: passed at some look with probability %.5f, more than %g", rho, p, alpha)
				}
			}
		})
	}
}

// The power the issue asks for, at the defaults (threshold 30/h, soak 30m, deadline 2h, 95%,
// a look a minute): by the deadline a release at half the threshold passes with probability at
// least 95% and one at twice the threshold fails with at least 99%; a 5× spike fails within
// 10 minutes with at least 99%, and reaches 50% and 90% at least twice as soon as the naive
// rule "more than the threshold in the last hour" (which, in the first hour, is the count
// since the start: exactly P(N(t) > 30)).
func TestSequentialPower(t *testing.T) {
	t.Parallel()
	const th = 30.0
	half := exactLooks(th, 1, 0.5, 0.95, time.Minute, 30*time.Minute, 2*time.Hour)
	if p := half.pass[len(half.pass)-1]; p < 0.95 {
		t.Errorf("T/2 passes by the deadline with probability %.4f, want at least 0.95", p)
	}
	double := exactLooks(th, 1, 2, 0.95, time.Minute, 30*time.Minute, 2*time.Hour)
	if f := double.fail[len(double.fail)-1]; f < 0.99 {
		t.Errorf("2T fails by the deadline with probability %.4f, want at least 0.99", f)
	}
	spike := exactLooks(th, 1, 5, 0.95, time.Minute, 30*time.Minute, 2*time.Hour)
	if f := spike.by(spike.fail, 10*time.Minute); f < 0.99 {
		t.Errorf("5T fails within 10 minutes with probability %.4f, want at least 0.99", f)
	}
	for _, q := range []float64{0.5, 0.9} {
		gate, naive := time.Duration(-1), time.Duration(-1)
		for m := 1; m <= 60; m++ {
			at := time.Duration(m) * time.Minute
			if gate < 0 && spike.by(spike.fail, at) >= q {
				gate = at
			}
			// P(N(at) > 30) at 150/h.
			if naive < 0 && 1-poissonCDF(30, 5*th*at.Hours()) >= q {
				naive = at
			}
		}
		if gate < 0 || naive < 0 || 2*gate > naive {
			t.Errorf("5T: %.0f%% of spikes fail by %s, the naive rule by %s: want at least twice as soon", 100*q, gate, naive)
		}
	}
}

// SequentialRateTest's bounds say what its decisions say, the decisions are those of
// sequentialDecision, and more events never make failing harder or passing easier.
func TestSequentialRateTestBounds(t *testing.T) {
	t.Parallel()
	for _, age := range []time.Duration{time.Minute, 10 * time.Minute, 45 * time.Minute, 2 * time.Hour} {
		prevFail, prevPass := false, true
		// Up to counts whose tails underflow float64 (a plain P(k+4, x) is 0 from k ≈ 320 at
		// 10 minutes, which once made the pass test pass 320 events).
		for k := int64(0); k <= 2000; k++ {
			r := SequentialRateTest(k, max(age, minExposure), age, 30, 30, 0.95)
			fail, pass := sequentialDecision(k, max(age, minExposure).Hours(), age.Hours(), 30, 30, 0.95)
			if r.Fail != fail || r.Pass != pass || (r.Bounds.Lower > 30) != fail || (r.Bounds.Upper < 30) != pass {
				t.Errorf("%d events in %s: %+v, decision fail %v pass %v", k, age, r, fail, pass)
			}
			if !(r.Bounds.Lower <= r.Bounds.Estimate && r.Bounds.Estimate <= r.Bounds.Upper) {
				t.Errorf("%d events in %s: bounds %+v do not surround the estimate", k, age, r.Bounds)
			}
			if r.Fail && r.Pass {
				t.Errorf("%d events in %s: both fail and pass", k, age)
			}
			if (prevFail && !r.Fail) || (!prevPass && r.Pass) {
				t.Errorf("%d events in %s: fail %v pass %v after fail %v pass %v with fewer", k, age, r.Fail, r.Pass, prevFail, prevPass)
			}
			prevFail, prevPass = r.Fail, r.Pass
		}
	}
	// The anytime bounds are wider than the one-look bounds: that is the price of looking often.
	r, g := SequentialRateTest(40, time.Hour, time.Hour, 30, 30, 0.95), RateBounds(40, time.Hour, 0.95)
	if !(r.Bounds.Lower < g.Lower && r.Bounds.Upper > g.Upper) {
		t.Errorf("40 events in 1h: anytime %+v, one look %+v", r.Bounds, g)
	}
}

func TestSequentialRateTestRejectsNonsense(t *testing.T) {
	t.Parallel()
	for name, r := range map[string]SequentialRate{
		"negative count":              SequentialRateTest(-1, time.Hour, time.Hour, 30, 30, 0.95),
		"no fail exposure":            SequentialRateTest(3, 0, time.Hour, 30, 30, 0.95),
		"negative age":                SequentialRateTest(3, time.Hour, -time.Hour, 30, 30, 0.95),
		"zero threshold":              SequentialRateTest(3, time.Hour, time.Hour, 0, 30, 0.95),
		"infinite":                    SequentialRateTest(3, time.Hour, time.Hour, 30, math.Inf(1), 0.95),
		"confidence 1":                SequentialRateTest(3, time.Hour, time.Hour, 30, 30, 1),
		"healthy above the threshold": SequentialRateTest(3, time.Hour, time.Hour, 31, 30, 0.95),
		"confidence NaN":              SequentialRateTest(3, time.Hour, time.Hour, 30, 30, math.NaN()),
		"threshold NaN":               SequentialRateTest(3, time.Hour, time.Hour, math.NaN(), 30, 0.95),
	} {
		if r.Fail || r.Pass || !math.IsNaN(r.Bounds.Lower) || !math.IsNaN(r.Bounds.Upper) {
			t.Errorf("%s: %+v, want no decision and NaN bounds", name, r)
		}
	}
	// No time observed yet: nothing can pass.
	if r := SequentialRateTest(0, minExposure, 0, 30, 30, 0.95); r.Pass || r.Fail || !math.IsInf(r.Bounds.Upper, 1) {
		t.Errorf("age 0: %+v", r)
	}
}

// pass_below opens an indifference zone: the guarantees then hold at its two ends (no fail at
// or below the healthy rate, no pass at or above the threshold, each at most 1 − confidence
// over every look), and a release in between is decided by the deadline far more often.
func TestSequentialIndifferenceZone(t *testing.T) {
	t.Parallel()
	const th, zone = 30.0, 0.5
	for _, rho := range []float64{0.25, 0.5} {
		l := exactLooks(th, zone, rho, 0.95, time.Minute, 30*time.Minute, 2*time.Hour)
		if f := l.fail[len(l.fail)-1]; f > 0.05 {
			t.Errorf("zone 50%%, rate %gT: failed with probability %.5f, more than 0.05", rho, f)
		}
	}
	for _, rho := range []float64{1, 2} {
		l := exactLooks(th, zone, rho, 0.95, time.Minute, 30*time.Minute, 2*time.Hour)
		if p := l.pass[len(l.pass)-1]; p > 0.05 {
			t.Errorf("zone 50%%, rate %gT: passed with probability %.5f, more than 0.05", rho, p)
		}
	}
	// Without the zone, rates near the threshold stay pending (up to 97% at T); with it, at
	// most 30% of releases at any rate reach the deadline undecided.
	for _, rho := range []float64{0.67, 0.75, 0.8, 1, 1.25} {
		plain := exactLooks(th, 1, rho, 0.95, time.Minute, 30*time.Minute, 2*time.Hour)
		zoned := exactLooks(th, zone, rho, 0.95, time.Minute, 30*time.Minute, 2*time.Hour)
		n := len(plain.at) - 1
		pendPlain, pendZoned := 1-plain.fail[n]-plain.pass[n], 1-zoned.fail[n]-zoned.pass[n]
		if !(pendZoned < pendPlain && pendZoned <= 0.3) {
			t.Errorf("rate %gT: pending at the deadline %.4f with the zone, %.4f without", rho, pendZoned, pendPlain)
		}
	}
}
