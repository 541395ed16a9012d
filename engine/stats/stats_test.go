package stats

import (
	"cmp"
	"math"
	"math/rand/v2"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

// Expected values computed with scipy 1.10.1 (Debian's python3-scipy): spearmanr and
// kendalltau (tau-b, its default).
func TestAgainstScipy(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	y := []float64{2, 1, 4, 3, 6, 5, 8, 7}
	// spearmanr(x, y) = 0.9047619047619048; kendalltau(x, y) = 0.7142857142857142
	if r := Spearman(x, y); !near(r, 0.9047619047619048) {
		t.Errorf("Spearman = %v", r)
	}
	if r := KendallTauB(x, y); !near(r, 0.7142857142857143) {
		t.Errorf("Kendall = %v", r)
	}
	// With ties: x = [1,1,2,3,3,3,4], y = [1,2,2,2,3,4,4]
	// spearmanr = 0.823529411764706, kendalltau = 0.7647058823529412
	xt := []float64{1, 1, 2, 3, 3, 3, 4}
	yt := []float64{1, 2, 2, 2, 3, 4, 4}
	if r := Spearman(xt, yt); !near(r, 0.823529411764706) {
		t.Errorf("Spearman with ties = %v", r)
	}
	if r := KendallTauB(xt, yt); !near(r, 0.7647058823529412) {
		t.Errorf("Kendall tau-b with ties = %v", r)
	}
	// Reversed order is -1 for both.
	rev := []float64{8, 7, 6, 5, 4, 3, 2, 1}
	if !near(Spearman(x, rev), -1) || !near(KendallTauB(x, rev), -1) {
		t.Errorf("reversed: %v %v", Spearman(x, rev), KendallTauB(x, rev))
	}
}

func TestRanksAndNonFinite(t *testing.T) {
	r := Ranks([]float64{10, math.NaN(), 5, 10, math.Inf(-1)})
	want := []float64{4.5, 1.5, 3, 4.5, 1.5}
	for i := range want {
		if r[i] != want[i] {
			t.Fatalf("ranks %v, want %v", r, want)
		}
	}
}

func TestTopPrecision(t *testing.T) {
	truth := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	// k = 2 of 10 at 20%: truth's top is {8, 9}; pred's top is {9, 0}.
	pred := []float64{100, 0, 0, 0, 0, 0, 0, 0, 1, 50}
	if p := TopPrecision(pred, truth, 0.2); p != 0.5 {
		t.Fatalf("precision %v, want 0.5", p)
	}
	if p := TopPrecision(truth, truth, 0.1); p != 1 {
		t.Fatalf("self precision %v", p)
	}
}

// kendallPairs is tau-b by its definition, every pair compared: the reference for KendallTauB.
func kendallPairs(x, y []float64) float64 {
	var conc, disc, tieX, tieY, n0 float64
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			// Compared, not subtracted: two non-finite scores (both -Inf as keys) are tied.
			dx, dy := cmp.Compare(key(x[i]), key(x[j])), cmp.Compare(key(y[i]), key(y[j]))
			n0++
			switch {
			case dx == 0 && dy == 0:
				tieX++
				tieY++
			case dx == 0:
				tieX++
			case dy == 0:
				tieY++
			case (dx > 0) == (dy > 0):
				conc++
			default:
				disc++
			}
		}
	}
	return (conc - disc) / math.Sqrt((n0-tieX)*(n0-tieY))
}

// TestKendallMatchesPairs checks the O(n log n) tau-b against every pair compared, on data
// with many ties (few distinct values), non-finite scores and lengths from 2 to 300.
func TestKendallMatchesPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 400 {
		n := 2 + rng.IntN(299)
		levels := 1 + rng.IntN(20)
		x, y := make([]float64, n), make([]float64, n)
		for i := range x {
			x[i] = float64(rng.IntN(levels))
			y[i] = float64(rng.IntN(levels)) + 0.3*x[i]
			switch rng.IntN(40) {
			case 0:
				x[i] = math.NaN()
			case 1:
				y[i] = math.Inf(1)
			}
		}
		got, want := KendallTauB(x, y), kendallPairs(x, y)
		if !(near(got, want) || math.IsNaN(got) && math.IsNaN(want)) {
			t.Fatalf("trial %d (n %d, %d levels): tau-b %v, every pair compared gives %v", trial, n, levels, got, want)
		}
	}
}

// BenchmarkKendall is tau-b over the NAS-Bench-201 space's size (15,625 architectures).
func BenchmarkKendall(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	x, y := make([]float64, 15625), make([]float64, 15625)
	for i := range x {
		x[i] = rng.NormFloat64()
		y[i] = x[i] + rng.NormFloat64()
	}
	b.Run("sorted", func(b *testing.B) {
		for b.Loop() {
			KendallTauB(x, y)
		}
	})
	b.Run("every-pair", func(b *testing.B) {
		for b.Loop() {
			kendallPairs(x, y)
		}
	})
}

// TestQuantile checks numpy's default (linear) quantiles: numpy.quantile([1, 2, 4, 8], p) for
// p = 0, 0.25, 0.5, 0.75, 1 is 1, 1.75, 3, 5, 8.
func TestQuantile(t *testing.T) {
	x := []float64{1, 2, 4, 8}
	for p, want := range map[float64]float64{0: 1, 0.25: 1.75, 0.5: 3, 0.75: 5, 1: 8} {
		if got := Quantile(x, p); !near(got, want) {
			t.Errorf("Quantile(%v) = %v, want %v", p, got, want)
		}
	}
	if got := Quantile([]float64{7}, 0.25); got != 7 {
		t.Errorf("one value: %v", got)
	}
}

// TestBootstrapInterval: a monotone relation gives [1, 1]; independent values at n=400 give an
// interval around 0 about 2·1.96/√n wide; the same seed gives the same interval.
func TestBootstrapInterval(t *testing.T) {
	n := 400
	x, y, z := make([]float64, n), make([]float64, n), make([]float64, n)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range x {
		x[i], y[i], z[i] = float64(i), float64(i*i), rng.Float64()
	}
	if lo, hi := BootstrapInterval(x, y, Spearman, 200, 1); lo != 1 || hi != 1 {
		t.Fatalf("monotone: [%v, %v], want [1, 1]", lo, hi)
	}
	lo, hi := BootstrapInterval(x, z, Spearman, 1000, 1)
	if width := hi - lo; !(lo < 0 && hi > 0 && width > 0.15 && width < 0.25) {
		t.Fatalf("independent: [%v, %v], want about ±0.098 around 0", lo, hi)
	}
	if lo2, hi2 := BootstrapInterval(x, z, Spearman, 1000, 1); lo2 != lo || hi2 != hi {
		t.Fatalf("same seed: [%v, %v] then [%v, %v]", lo, hi, lo2, hi2)
	}
}
