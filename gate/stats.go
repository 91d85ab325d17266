package gate

import (
	"math"
	"time"
)

// The statistics of the gate, in pure Go: exact (Garwood) confidence bounds for a Poisson
// rate, exact (Clopper–Pearson) bounds for a binomial proportion, a bound on the difference of
// two proportions built from them, and (at the end of this file) the anytime-valid tests on a
// Poisson rate that judge the rates of new issues and regressions. docs/gate.md explains how
// the decision uses them, with worked examples.
//
// Every fixed-sample bound is one-sided at the given confidence c: the lower bound is below the
// true value with probability at least c, and so is the upper bound above it, for ONE look at
// the data. Together they form a two-sided interval at 2c−1 (90% for c = 0.95). Looked at again
// and again as the data grows, they fail a release at the threshold far more often than 1−c,
// which is why rates are judged with SequentialRateTest instead.

// Bounds is a point estimate and its one-sided confidence bounds.
type Bounds struct {
	Estimate float64
	Lower    float64
	Upper    float64
}

// PoissonBounds returns exact one-sided bounds, each at confidence, for the mean of a Poisson
// variable observed as k: the lower bound L solves P(X ≥ k | L) = 1−confidence (0 when k = 0)
// and the upper bound U solves P(X ≤ k | U) = 1−confidence. They come from the relation
// between the Poisson and gamma distributions (P(X ≥ k | λ) is the regularized lower
// incomplete gamma function P(k, λ)), the same as the chi-square formulation
// χ²(α; 2k)/2 and χ²(1−α; 2k+2)/2. Confidence must be in (0, 1); otherwise, or for k < 0, the
// bounds are NaN.
func PoissonBounds(k int64, confidence float64) Bounds {
	if k < 0 || !(confidence > 0 && confidence < 1) {
		return Bounds{Estimate: math.NaN(), Lower: math.NaN(), Upper: math.NaN()}
	}
	alpha := 1 - confidence
	b := Bounds{Estimate: float64(k)}
	if k > 0 {
		b.Lower = gammaPInv(float64(k), alpha)
	}
	if k == 0 {
		b.Upper = -math.Log(alpha) // Q(1, x) = e^−x
	} else {
		b.Upper = gammaQInv(float64(k)+1, alpha)
	}
	return b
}

// RateBounds is PoissonBounds for k events over exposure, as a rate per hour.
func RateBounds(k int64, exposure time.Duration, confidence float64) Bounds {
	b := PoissonBounds(k, confidence)
	h := exposure.Hours()
	if !(h > 0) {
		return Bounds{Estimate: math.NaN(), Lower: math.NaN(), Upper: math.NaN()}
	}
	return Bounds{Estimate: b.Estimate / h, Lower: b.Lower / h, Upper: b.Upper / h}
}

// ProportionBounds returns exact one-sided Clopper–Pearson bounds, each at confidence, for a
// binomial proportion observed as k successes in n trials, as fractions in [0, 1].
//
// Clopper–Pearson rather than Wilson: the gate judges proportions close to 0 or 1 (crash-free
// rates of 99.9%, context on 100% of events, an issue in 0.1% of sessions), exactly where
// Wilson's one-sided coverage falls below its nominal level, so a Wilson lower bound would fail
// healthy releases more often than the policy's confidence promises. Clopper–Pearson never
// covers less than the nominal level (it is conservative, which at worst keeps a check pending
// a little longer), it is exact for every n including n = 1, and it is the binomial counterpart
// of the exact Poisson bounds above: for small proportions it converges to them.
//
// With n ≤ 0, k outside [0, n] or confidence outside (0, 1) the bounds are NaN.
func ProportionBounds(k, n int64, confidence float64) Bounds {
	if n <= 0 || k < 0 || k > n || !(confidence > 0 && confidence < 1) {
		return Bounds{Estimate: math.NaN(), Lower: math.NaN(), Upper: math.NaN()}
	}
	if 2*k > n {
		// Work on the smaller count for precision near 1 and mirror.
		m := ProportionBounds(n-k, n, confidence)
		return Bounds{Estimate: float64(k) / float64(n), Lower: 1 - m.Upper, Upper: 1 - m.Lower}
	}
	alpha := 1 - confidence
	b := Bounds{Estimate: float64(k) / float64(n), Upper: 1}
	kf, nf := float64(k), float64(n)
	if k > 0 {
		// P(X ≥ k | p) = I_p(k, n−k+1) = α.
		b.Lower = betaInv(kf, nf-kf+1, alpha, false)
	}
	if k < n {
		// P(X ≤ k | p) = 1 − I_p(k+1, n−k) = α.
		b.Upper = betaInv(kf+1, nf-kf, alpha, true)
	}
	return b
}

// ProportionDrop bounds how much lower the release's proportion of successes is than the
// baseline's: the estimate is kBase/nBase − kRel/nRel and Lower and Upper are one-sided bounds
// at confidence. The gate uses it for crash-free rates: a positive drop is a release that
// crashes more than its baseline.
//
// The bounds are Newcombe's hybrid (MOVER) construction on the two exact Clopper–Pearson
// intervals: the lower bound of a difference combines the distances from each estimate to the
// bound that pushes the difference down, in quadrature, and likewise for the upper bound. Unlike
// the Wald test (the raw difference over a pooled standard error), it stays valid when a
// proportion is 0 or 1 or a sample is small, and it needs no continuity correction.
func ProportionDrop(kBase, nBase, kRel, nRel int64, confidence float64) Bounds {
	b := ProportionBounds(kBase, nBase, confidence)
	r := ProportionBounds(kRel, nRel, confidence)
	d := b.Estimate - r.Estimate
	return Bounds{
		Estimate: d,
		Lower:    d - math.Hypot(b.Estimate-b.Lower, r.Upper-r.Estimate),
		Upper:    d + math.Hypot(b.Upper-b.Estimate, r.Estimate-r.Lower),
	}
}

// --- special functions ---

const (
	statsEps     = 1e-16
	statsTiny    = 1e-300
	statsMaxIter = 1_000_000
)

// gammaPQ returns the regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 − P(a, x),
// each computed directly (the series for P when x < a+1, the continued fraction for Q
// otherwise), so the smaller of the two keeps its relative precision.
func gammaPQ(a, x float64) (p, q float64) {
	switch {
	case math.IsNaN(a) || math.IsNaN(x) || a <= 0:
		return math.NaN(), math.NaN()
	case x <= 0:
		return 0, 1
	case math.IsInf(x, 1):
		return 1, 0
	}
	lp, lq := logGammaPQ(a, x)
	if x < a+1 {
		p = math.Exp(lp)
		return p, 1 - p
	}
	q = math.Exp(lq)
	return 1 - q, q
}

// logGammaPQ returns log P(a, x) and log Q(a, x) for a > 0 and finite x > 0, the smaller one
// computed directly in logarithms: the mixtures of the sequential tests need tails far below
// the smallest float64 (P(300, 13) is about 1e−292, P(400, 13) underflows).
func logGammaPQ(a, x float64) (lp, lq float64) {
	lg, _ := math.Lgamma(a)
	logFront := a*math.Log(x) - x - lg
	if x < a+1 {
		// P(a, x) = x^a e^−x / Γ(a+1) · Σ x^n / ((a+1)…(a+n)).
		sum, term := 1.0, 1.0
		for n := 1; n < statsMaxIter; n++ {
			term *= x / (a + float64(n))
			sum += term
			if term < sum*statsEps {
				break
			}
		}
		lp = logFront + math.Log(sum) - math.Log(a)
		return lp, math.Log1p(-math.Exp(lp))
	}
	// Q(a, x) = x^a e^−x / Γ(a) · 1/(x+1−a− 1·(1−a)/(x+3−a− 2·(2−a)/(x+5−a− …))), by
	// the modified Lentz method.
	b := x + 1 - a
	c := 1 / statsTiny
	d := 1 / b
	h := d
	for i := 1; i < statsMaxIter; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < statsTiny {
			d = statsTiny
		}
		c = b + an/c
		if math.Abs(c) < statsTiny {
			c = statsTiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < statsEps {
			break
		}
	}
	lq = logFront + math.Log(h)
	return math.Log1p(-math.Exp(lq)), lq
}

// gammaPInv returns x with P(a, x) = p.
func gammaPInv(a, p float64) float64 {
	lg, _ := math.Lgamma(a)
	f := func(x float64) (float64, float64) {
		pp, _ := gammaPQ(a, x)
		return pp - p, math.Exp((a-1)*math.Log(x) - x - lg)
	}
	return gammaSolve(a, f)
}

// gammaQInv returns x with Q(a, x) = q.
func gammaQInv(a, q float64) float64 {
	lg, _ := math.Lgamma(a)
	f := func(x float64) (float64, float64) {
		_, qq := gammaPQ(a, x)
		return q - qq, math.Exp((a-1)*math.Log(x) - x - lg)
	}
	return gammaSolve(a, f)
}

// gammaSolve finds the root of f, increasing in x > 0, where f returns the value and the
// derivative: it brackets the root, then takes Newton steps, falling back to bisection
// whenever a step would leave the bracket.
func gammaSolve(a float64, f func(x float64) (float64, float64)) float64 {
	lo, hi := 0.0, math.Max(2*a, 1)
	for v, _ := f(hi); v < 0; v, _ = f(hi) {
		lo, hi = hi, 2*hi
		if math.IsInf(hi, 1) {
			return math.Inf(1)
		}
	}
	return newtonBisect(f, lo, hi, a)
}

// newtonBisect finds the root of the increasing function f in [lo, hi], starting at x0 if it
// lies inside, to a relative precision of about 1e−15.
func newtonBisect(f func(x float64) (float64, float64), lo, hi, x0 float64) float64 {
	x := x0
	if !(x > lo && x < hi) {
		x = (lo + hi) / 2
	}
	for i := 0; i < 400; i++ {
		v, dv := f(x)
		if v == 0 {
			return x
		}
		if v < 0 {
			lo = x
		} else {
			hi = x
		}
		next := x - v/dv
		if !(next > lo && next < hi) || math.IsNaN(next) {
			next = (lo + hi) / 2
		}
		if math.Abs(next-x) <= 1e-15*math.Abs(x) || hi-lo <= 1e-15*math.Abs(x) {
			return next
		}
		x = next
	}
	return x
}

// betaI returns the regularized incomplete beta function I_x(a, b) and its complement
// 1 − I_x(a, b), each computed directly by the continued fraction on the side where it
// converges fast.
func betaI(x, a, b float64) (i, c float64) {
	switch {
	case x <= 0:
		return 0, 1
	case x >= 1:
		return 1, 0
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	logFront := lab - la - lb + a*math.Log(x) + b*math.Log1p(-x)
	if x < (a+1)/(a+b+2) {
		i = math.Exp(logFront) * betaCF(x, a, b) / a
		return i, 1 - i
	}
	c = math.Exp(logFront) * betaCF(1-x, b, a) / b
	return 1 - c, c
}

// betaCF evaluates the continued fraction of the incomplete beta function by the modified
// Lentz method.
func betaCF(x, a, b float64) float64 {
	qab, qap, qam := a+b, a+1, a-1
	c := 1.0
	d := 1 - qab*x/qap
	if math.Abs(d) < statsTiny {
		d = statsTiny
	}
	d = 1 / d
	h := d
	for m := 1; m < statsMaxIter; m++ {
		fm := float64(m)
		m2 := 2 * fm
		aa := fm * (b - fm) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < statsTiny {
			d = statsTiny
		}
		c = 1 + aa/c
		if math.Abs(c) < statsTiny {
			c = statsTiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + fm) * (qab + fm) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < statsTiny {
			d = statsTiny
		}
		c = 1 + aa/c
		if math.Abs(c) < statsTiny {
			c = statsTiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < statsEps {
			break
		}
	}
	return h
}

// betaInv returns x in (0, 1) with I_x(a, b) = target, or, with complement, with
// 1 − I_x(a, b) = target (computed without cancellation).
func betaInv(a, b, target float64, complement bool) float64 {
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	f := func(x float64) (float64, float64) {
		i, c := betaI(x, a, b)
		dens := math.Exp(lab - la - lb + (a-1)*math.Log(x) + (b-1)*math.Log1p(-x))
		if complement {
			return target - c, dens
		}
		return i - target, dens
	}
	return newtonBisect(f, 0, 1, a/(a+b))
}

// --- anytime-valid decisions on a Poisson rate ---
//
// The bounds above are right for one look. A gate is looked at many times (--wait polls, the
// App re-evaluates), and a fixed-sample bound checked at every look fails a release whose rate
// is exactly the threshold far more often than 1 − confidence. The tests below are valid at
// every look at once, whenever the looks are taken: each is a mixture of Poisson likelihood
// ratios, a nonnegative supermartingale under the null hypothesis, so by Ville's inequality
// the chance that it EVER reaches 1/α is at most α (Robbins' method of mixtures).
//
// Write T for the rate a test is about (the threshold for the pass test; for the fail test the
// threshold, or its pass_below share), ρ for a rate as a multiple of T and s = T·t for the
// events expected at T over exposure t. For a candidate rate ν·T the likelihood ratio of the rate ρ·T
// after k events is (ρ/ν)^k · e^−(ρ−ν)s. Mixed over a gamma prior on ρ, restricted to ρ > ν
// (evidence against "at most ν·T") or ρ < ν (against "at least ν·T"), it has a closed form
// with the incomplete gamma function:
//
//	M±(ν) = ν^−k e^(νs) · b^a/Γ(a) · Γ(k+a)/(s+b)^(k+a) · {Q or P}(k+a, (s+b)ν)
//
// Each ratio with ρ > ν is a supermartingale whenever the true rate is at most ν·T (and each
// with ρ < ν whenever it is at least ν·T), the restricted prior has mass at most 1, so M± is a
// supermartingale that starts at most at 1. The two priors are fixed multiples of T, chosen
// before any data: the fail side puts its weight on spikes (mean 3T), so a 5×
// spike fails within minutes; the pass side on rates around T/2, so a release at T/2 passes
// before the default deadline. docs/gate.md shows the figures (bench/gatestats measures them).

// Sequential priors on ρ = rate/T: gamma shape a and rate b.
const (
	seqFailShape, seqFailRate = 2.0, 2.0 / 3.0 // mean 3: spikes
	seqPassShape, seqPassRate = 4.0, 8.0       // mean 0.5: healthy releases
)

// SequentialRate is the anytime-valid judgement of a Poisson rate.
type SequentialRate struct {
	// Fail: with confidence, at every look at once, the rate is above the healthy rate. The
	// chance that a rate at or below it is ever failed is at most 1 − confidence.
	Fail bool
	// Pass: with confidence, at every look at once, the rate is below the threshold. The
	// chance that a rate at or above it is ever passed is at most 1 − confidence.
	Pass bool
	// Bounds are the anytime-valid bounds per hour: Lower is the largest rate the fail test
	// rejects and Upper the smallest rate the pass test rejects (so Fail is Lower > healthy
	// and Pass is Upper < threshold); Estimate is k over the fail exposure.
	Bounds Bounds
}

// SequentialRateTest judges k events at confidence: it fails a rate that is, with
// confidence, above healthy and passes one that is below threshold (both per hour, healthy ≤
// threshold). With healthy = threshold it is the plain question "above the threshold or
// not?"; with healthy < threshold, rates in between may get either answer (an indifference
// zone), which lets the test decide sooner. Each test's prior is a multiple of its own rate.
//
// failExposure is the exposure the fail test divides by and passExposure the one the pass
// test does: the gate gives the fail test at least minExposure (a burst in the first seconds
// is not a Poisson stream; a longer exposure only makes failing harder) and the pass test the
// true age (a longer one would make passing easier). With rates or a confidence out of
// range, a negative count or a non-positive fail exposure, the bounds are NaN and neither
// test holds.
func SequentialRateTest(k int64, failExposure, passExposure time.Duration, healthy, threshold, confidence float64) SequentialRate {
	nan := SequentialRate{Bounds: Bounds{Estimate: math.NaN(), Lower: math.NaN(), Upper: math.NaN()}}
	tf, tp := failExposure.Hours(), passExposure.Hours()
	if k < 0 || !(healthy > 0) || !(threshold >= healthy) || math.IsInf(threshold, 0) || !(confidence > 0 && confidence < 1) || !(tf > 0) || tp < 0 {
		return nan
	}
	logLevel := -math.Log(1 - confidence)
	r := SequentialRate{Bounds: Bounds{Estimate: float64(k) / tf}}
	// The tests, as functions of the candidate rate μ (per hour).
	failAt := func(mu float64) float64 {
		return logMixture(k, mu/healthy, healthy*tf, seqFailShape, seqFailRate, true) - logLevel
	}
	passAt := func(mu float64) float64 {
		return logMixture(k, mu/threshold, threshold*tp, seqPassShape, seqPassRate, false) - logLevel
	}
	r.Fail, r.Pass = sequentialDecision(k, tf, tp, healthy, threshold, confidence)
	// The fail test rejects an interval (0, L) below the estimate, the pass test an interval
	// (U, ∞) above it (docs/gate.md, "The method"); the bounds are found by bisection, and
	// kept consistent with the decisions.
	if k > 0 {
		// Near 0 every event is overwhelming evidence (the ratio grows as ν^−k).
		r.Bounds.Lower = bisect(failAt, 0, float64(k)/tf, true)
	}
	if r.Fail {
		r.Bounds.Lower = max(r.Bounds.Lower, math.Nextafter(healthy, math.Inf(1)))
	} else {
		r.Bounds.Lower = min(r.Bounds.Lower, healthy)
	}
	r.Bounds.Upper = math.Inf(1)
	if tp > 0 {
		hi := max(float64(k)/tp, threshold)
		for passAt(hi) < 0 {
			hi *= 2
			if math.IsInf(hi, 1) {
				break
			}
		}
		if !math.IsInf(hi, 1) {
			r.Bounds.Upper = bisect(passAt, float64(k)/tp, hi, false)
		}
	}
	if r.Pass {
		r.Bounds.Upper = min(r.Bounds.Upper, math.Nextafter(threshold, 0))
	} else {
		r.Bounds.Upper = max(r.Bounds.Upper, threshold)
	}
	return r
}

// sequentialDecision is the decision of SequentialRateTest without the bounds (exposures in
// hours, arguments valid): the fail test rejects "at most healthy", the pass test "at least
// threshold", each when its mixture reaches 1/(1 − confidence).
func sequentialDecision(k int64, tf, tp, healthy, threshold, confidence float64) (fail, pass bool) {
	logLevel := -math.Log(1 - confidence)
	fail = logMixture(k, 1, healthy*tf, seqFailShape, seqFailRate, true) >= logLevel
	pass = logMixture(k, 1, threshold*tp, seqPassShape, seqPassRate, false) >= logLevel
	return fail, pass
}

// logMixture is log M±(ν) for k events with s events expected at the threshold, under a
// gamma(a, b) prior on ρ restricted to ρ > ν (above) or ρ < ν.
func logMixture(k int64, nu, s, a, b float64, above bool) float64 {
	if !(nu > 0) {
		if above {
			return math.Inf(1)
		}
		return math.Inf(-1)
	}
	kf := float64(k)
	lgA, _ := math.Lgamma(a)
	lgKA, _ := math.Lgamma(kf + a)
	x := (s + b) * nu
	if math.IsInf(x, 1) {
		// An infinite candidate rate: nothing is above it, and the whole prior is below.
		if above {
			return math.Inf(-1)
		}
		x = math.MaxFloat64
	}
	lp, lq := logGammaPQ(kf+a, x)
	tail := lp
	if above {
		tail = lq
	}
	if math.IsNaN(tail) || math.IsInf(tail, -1) {
		return math.Inf(-1)
	}
	return -kf*math.Log(nu) + nu*s + a*math.Log(b) - lgA + lgKA - (kf+a)*math.Log(s+b) + tail
}

// bisect finds where f changes sign in [lo, hi]: with rejectBelow, f ≥ 0 below the root (the
// fail test); otherwise f ≥ 0 above it (the pass test). It returns the edge of the region
// where f < 0.
func bisect(f func(float64) float64, lo, hi float64, rejectBelow bool) float64 {
	for i := 0; i < 200 && hi-lo > 1e-12*hi; i++ {
		mid := (lo + hi) / 2
		if (f(mid) >= 0) == rejectBelow {
			lo = mid
		} else {
			hi = mid
		}
	}
	if rejectBelow {
		return lo
	}
	return hi
}
