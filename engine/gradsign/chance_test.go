package gradsign_test

import (
	"math"
	"math/big"
	"testing"

	"gradsign/engine/gradsign"
)

// TestChance checks Chance against E|sum of n signs| summed exactly over the binomial
// distribution (big rationals), and its limit √(2/(πn)).
func TestChance(t *testing.T) {
	for n := 1; n <= 300; n++ {
		var sum big.Int // Σ_k C(n,k)·|2k − n|
		for k := 0; k <= n; k++ {
			var c big.Int
			c.Binomial(int64(n), int64(k))
			d := 2*k - n
			if d < 0 {
				d = -d
			}
			sum.Add(&sum, c.Mul(&c, big.NewInt(int64(d))))
		}
		den := new(big.Int).Lsh(big.NewInt(int64(n)), uint(n)) // n·2ⁿ
		want, _ := new(big.Rat).SetFrac(&sum, den).Float64()
		if got := gradsign.Chance(n); math.Abs(got-want) > 1e-12*want {
			t.Fatalf("gradsign.Chance(%d) = %.17g, exactly %.17g", n, got, want)
		}
	}
	if got, want := gradsign.Chance(10000), math.Sqrt(2/(math.Pi*10000)); math.Abs(got-want) > 1e-4*want {
		t.Errorf("gradsign.Chance(10000) = %v, want about %v", got, want)
	}
	if !math.IsNaN(gradsign.Chance(0)) {
		t.Errorf("gradsign.Chance(0) = %v, want NaN", gradsign.Chance(0))
	}
	r := gradsign.Result{N: 16, Score: 100, Layers: []gradsign.Layer{{Weights: 10, StructuralZeros: 2, Score: 60}, {Weights: 5, Score: 40}}}
	if got, want := r.AboveChance(), 100-16*gradsign.Chance(16)*13; math.Abs(got-want) > 1e-9 {
		t.Errorf("AboveChance = %v, want %v", got, want)
	}
}
