package gradsign

import (
	"math"
	"testing"
)

// TestAllFinite: one NaN or infinity anywhere (in the blocks of four or after them) is found,
// and large finite values do not overflow the sum.
func TestAllFinite(t *testing.T) {
	for n := range 11 {
		x := make([]float32, n)
		for i := range x {
			x[i] = math.MaxFloat32
		}
		if !allFinite(x) {
			t.Fatalf("%d largest finite values: not finite", n)
		}
		for i := range n {
			for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
				y := append([]float32(nil), x...)
				y[i] = float32(bad)
				if allFinite(y) {
					t.Fatalf("%v at %d of %d: finite", bad, i, n)
				}
			}
		}
	}
}
