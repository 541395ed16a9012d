package cpu_test

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gradsign/engine/backend"
	"gradsign/engine/backend/backendtest"
	"gradsign/engine/backend/cpu"
)

// TestFold: sign(0) = 0 (also for -0 and denormals' signs), a NaN adds nothing and is noted.
func TestFold(t *testing.T) {
	s := backend.NewSums([]int{4})
	nan := math.NaN()
	cpu.Fold(s, 0, []float64{1, -2, 0, nan})
	cpu.Fold(s, 0, []float64{3, 5, 0, 1})
	cpu.Fold(s, 0, []float64{1e-30, -1, math.Copysign(0, -1), 1})
	cpu.Fold(s, 0, []float32{-1, -1, 1, 1})
	if want := []int32{2, -2, 1, 3}; !reflect.DeepEqual(s.Sum[0], want) {
		t.Fatalf("sums %v, want %v", s.Sum[0], want)
	}
	if want := []bool{false, false, false, true}; !reflect.DeepEqual(s.NaN[0], want) {
		t.Fatalf("NaN marks %v, want %v", s.NaN[0], want)
	}
}

// TestFoldFloat32: the float32 fold (16 lanes at a time where the CPU has AVX-512) agrees with
// the float64 one (Go) on every value: zeros of both signs, subnormals, infinities, NaN, at
// positions inside and after the vector blocks.
func TestFoldFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-45, -1e-45, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for _, n := range []int{1, 15, 16, 37, 64, 100, 1001} {
		g32 := make([]float32, n)
		for i := range g32 {
			g32[i] = float32(rng.NormFloat64())
			if rng.IntN(3) == 0 {
				g32[i] = special[rng.IntN(len(special))]
			}
		}
		g64 := make([]float64, n)
		for i, v := range g32 {
			g64[i] = float64(v)
		}
		a, b := backend.NewSums([]int{n}), backend.NewSums([]int{n})
		for range 3 {
			cpu.Fold(a, 0, g32)
			cpu.Fold(b, 0, g64)
		}
		if !reflect.DeepEqual(a.Sum[0], b.Sum[0]) || !reflect.DeepEqual(a.NaN[0], b.NaN[0]) {
			t.Fatalf("n=%d: float32 %v %v, float64 %v %v", n, a.Sum[0], a.NaN[0], b.Sum[0], b.NaN[0])
		}
	}
}

// TestConformance runs the backends' conformance suite on the CPU backend.
func TestConformance(t *testing.T) { backendtest.Run(t, "cpu") }
