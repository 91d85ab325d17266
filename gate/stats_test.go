package gate

import (
	"math"
	"testing"
	"time"
)

// Reference values: the exact one-sided 95% Poisson bounds (two-sided 90%, the usual Garwood
// tables) and Clopper–Pearson bounds that have closed forms.
func TestPoissonBoundsKnownValues(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		k            int64
		lower, upper float64
	}{
		"no event":  {0, 0, 2.995732},
		"one event": {1, 0.051293, 4.743865},
		"three":     {3, 0.817691, 7.753657},
		"ten":       {10, 5.425406, 16.962242},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := PoissonBounds(tc.k, 0.95)
			if b.Estimate != float64(tc.k) || !near(b.Lower, tc.lower, 1e-4) || !near(b.Upper, tc.upper, 1e-4) {
				t.Errorf("PoissonBounds(%d) = %+v, want lower %g upper %g", tc.k, b, tc.lower, tc.upper)
			}
		})
	}
}

// near says whether got is within rel (relative) of want, or within rel absolutely near 0.
func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(1, math.Abs(want))
}

// The bounds solve their defining equations: P(X ≥ k | lower) = α and P(X ≤ k | upper) = α,
// checked with Poisson probabilities summed term by term (independent of the gamma functions).
func TestPoissonBoundsSolveTheirEquations(t *testing.T) {
	t.Parallel()
	for _, conf := range []float64{0.8, 0.95, 0.99} {
		alpha := 1 - conf
		for _, k := range []int64{1, 2, 5, 17, 60, 250} {
			b := PoissonBounds(k, conf)
			if got := 1 - poissonCDF(k-1, b.Lower); !near(got, alpha, 1e-7) {
				t.Errorf("k=%d conf=%g: P(X ≥ k | %g) = %g, want %g", k, conf, b.Lower, got, alpha)
			}
			if got := poissonCDF(k, b.Upper); !near(got, alpha, 1e-7) {
				t.Errorf("k=%d conf=%g: P(X ≤ k | %g) = %g, want %g", k, conf, b.Upper, got, alpha)
			}
			if !(b.Lower < float64(k) && float64(k) < b.Upper) {
				t.Errorf("k=%d: bounds %+v do not surround k", k, b)
			}
		}
	}
}

func poissonCDF(k int64, mean float64) float64 {
	sum, term := 0.0, math.Exp(-mean)
	for i := int64(0); i <= k; i++ {
		if i > 0 {
			term *= mean / float64(i)
		}
		sum += term
	}
	return sum
}

func TestProportionBoundsKnownValues(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		k, n         int64
		lower, upper float64
	}{
		// With k = 0 the upper bound is 1 − α^(1/n); with k = n the lower bound is α^(1/n).
		"none of ten":    {0, 10, 0, 1 - math.Pow(0.05, 0.1)},
		"all of ten":     {10, 10, math.Pow(0.05, 0.1), 1},
		"one of one":     {1, 1, 0.05, 1},
		"none of a 1000": {0, 1000, 0, 1 - math.Pow(0.05, 0.001)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := ProportionBounds(tc.k, tc.n, 0.95)
			if !near(b.Lower, tc.lower, 1e-4) || !near(b.Upper, tc.upper, 1e-4) {
				t.Errorf("ProportionBounds(%d, %d) = %+v, want lower %g upper %g", tc.k, tc.n, b, tc.lower, tc.upper)
			}
		})
	}
}

// Clopper–Pearson bounds solve P(X ≥ k | lower) = α and P(X ≤ k | upper) = α, checked with
// binomial probabilities summed in log space.
func TestProportionBoundsSolveTheirEquations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ k, n int64 }{{1, 3}, {2, 50}, {25, 50}, {49, 50}, {3, 2000}, {1990, 2000}} {
		b := ProportionBounds(tc.k, tc.n, 0.95)
		if got := 1 - binomialCDF(tc.k-1, tc.n, b.Lower); !near(got, 0.05, 1e-6) {
			t.Errorf("%d/%d: P(X ≥ k | %g) = %g, want 0.05", tc.k, tc.n, b.Lower, got)
		}
		if got := binomialCDF(tc.k, tc.n, b.Upper); !near(got, 0.05, 1e-6) {
			t.Errorf("%d/%d: P(X ≤ k | %g) = %g, want 0.05", tc.k, tc.n, b.Upper, got)
		}
	}
}

func binomialCDF(k, n int64, p float64) float64 {
	sum := 0.0
	ln, _ := math.Lgamma(float64(n + 1))
	for i := int64(0); i <= k; i++ {
		li, _ := math.Lgamma(float64(i + 1))
		lr, _ := math.Lgamma(float64(n - i + 1))
		sum += math.Exp(ln - li - lr + float64(i)*math.Log(p) + float64(n-i)*math.Log1p(-p))
	}
	return sum
}

func TestBoundsRejectNonsense(t *testing.T) {
	t.Parallel()
	for name, b := range map[string]Bounds{
		"negative count":       PoissonBounds(-1, 0.95),
		"confidence 1":         PoissonBounds(3, 1),
		"confidence 0":         PoissonBounds(3, 0),
		"no exposure":          RateBounds(3, 0, 0.95),
		"no trials":            ProportionBounds(0, 0, 0.95),
		"more successes":       ProportionBounds(11, 10, 0.95),
		"negative successes":   ProportionBounds(-1, 10, 0.95),
		"confidence above one": ProportionBounds(1, 10, 1.5),
	} {
		if !math.IsNaN(b.Lower) || !math.IsNaN(b.Upper) || !math.IsNaN(b.Estimate) {
			t.Errorf("%s: %+v, want NaN bounds", name, b)
		}
	}
}

func TestRateBoundsArePerHour(t *testing.T) {
	t.Parallel()
	b := RateBounds(40, 10*time.Minute, 0.95)
	p := PoissonBounds(40, 0.95)
	if b.Estimate != 240 || !near(b.Lower, 6*p.Lower, 1e-12) || !near(b.Upper, 6*p.Upper, 1e-12) {
		t.Errorf("RateBounds(40, 10m) = %+v, want 6× %+v", b, p)
	}
}

func TestProportionDrop(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		kBase, nBase, kRel, nRel int64
		// what the bounds must say about a drop of 0.5 points
		above, below bool
	}{
		"same rates, large samples: no drop beyond half a point":        {9950, 10000, 9950, 10000, false, true},
		"a 3-point drop on thousands of sessions is above half a point": {9950, 10000, 2900, 3000, true, false},
		"a 3-point drop on 40 sessions is undecided":                    {9950, 10000, 39, 40, false, false},
		"better than the baseline":                                      {9900, 10000, 9990, 10000, false, true},
		"perfect baseline and release, 5000 sessions each":              {5000, 5000, 5000, 5000, false, true},
		"perfect on 500 sessions cannot rule half a point out":          {500, 500, 500, 500, false, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := ProportionDrop(tc.kBase, tc.nBase, tc.kRel, tc.nRel, 0.95)
			want := float64(tc.kBase)/float64(tc.nBase) - float64(tc.kRel)/float64(tc.nRel)
			if !near(b.Estimate, want, 1e-12) || !(b.Lower <= b.Estimate && b.Estimate <= b.Upper) {
				t.Fatalf("ProportionDrop = %+v, estimate want %g inside the bounds", b, want)
			}
			if got := b.Lower > 0.005; got != tc.above {
				t.Errorf("lower bound %g above 0.005 = %v, want %v", b.Lower, got, tc.above)
			}
			if got := b.Upper <= 0.005; got != tc.below {
				t.Errorf("upper bound %g at most 0.005 = %v, want %v", b.Upper, got, tc.below)
			}
		})
	}
}

// The bounds keep their promise: over many simulated releases whose true rate is exactly the
// threshold, a lower bound above the threshold happens at most 1 − confidence of the time.
func TestPoissonLowerBoundCoverage(t *testing.T) {
	t.Parallel()
	for _, mean := range []float64{0.5, 3, 12, 80} {
		// P(lower(X) > mean) summed exactly over the Poisson distribution of X.
		falseFail := 0.0
		term := math.Exp(-mean)
		for k := int64(0); k < 2000; k++ {
			if k > 0 {
				term *= mean / float64(k)
			}
			if PoissonBounds(k, 0.95).Lower > mean {
				falseFail += term
			}
		}
		if falseFail > 0.05+1e-9 {
			t.Errorf("mean %g: the lower bound is above the true mean %.4f of the time, more than 5%%", mean, falseFail)
		}
	}
}
