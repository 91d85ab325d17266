package gate

import (
	"math"
	"time"
)

// The statistics of the gate, in pure Go: exact (Garwood) confidence bounds for a Poisson
// rate, exact (Clopper–Pearson) bounds for a binomial proportion, and a bound on the
// difference of two proportions built from them. docs/gate.md explains how the decision uses
// them, with worked examples.
//
// Every bound is one-sided at the given confidence c: the lower bound is below the true value
// with probability at least c, and so is the upper bound above it. Together they form a
// two-sided interval at 2c−1 (90% for c = 0.95). A gate that fails on a lower bound above a
// threshold therefore fails a release whose true rate is at the threshold at most 1−c of the
// time.

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
		p = math.Exp(logFront+math.Log(sum)) / a
		return p, 1 - p
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
	q = math.Exp(logFront + math.Log(h))
	return 1 - q, q
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
