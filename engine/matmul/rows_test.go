package matmul

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSumAndDotRows: the rows' weighted sum and their dot products with a vector, on the
// kernel's lengths (multiples of 64) and others, against the plain loops in float64.
func TestSumAndDotRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, sz := range [][2]int{{64, 9}, {1152, 25}, {128, 1}, {80, 9}, {5, 3}, {20, 4}, {4, 2}} {
		n, taps := sz[0], sz[1]
		b := to32(randSlice(rng, n+200))
		offs := make([]int, taps)
		for p := range offs {
			offs[p] = rng.IntN(200)
		}
		w, a := to32(randSlice(rng, taps)), to32(randSlice(rng, n))
		sum, dots := make([]float32, n), make([]float32, taps)
		SumRows(n, w, b, offs, sum)
		DotRows(n, a, b, offs, dots)
		for j := range n {
			var s float64
			for p := range taps {
				s += float64(w[p]) * float64(b[offs[p]+j])
			}
			if math.Abs(float64(sum[j])-s) > 1e-5*float64(taps) {
				t.Fatalf("%v: sum[%d] = %v, want %v", sz, j, sum[j], s)
			}
		}
		for p := range taps {
			var s float64
			for j := range n {
				s += float64(a[j]) * float64(b[offs[p]+j])
			}
			if math.Abs(float64(dots[p])-s) > 1e-5*float64(n) {
				t.Fatalf("%v: dot[%d] = %v, want %v", sz, p, dots[p], s)
			}
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("a row past the end: no panic")
		}
	}()
	SumRows(64, []float32{1}, make([]float32, 64), []int{1}, make([]float32, 64))
}
