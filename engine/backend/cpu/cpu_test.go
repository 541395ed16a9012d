package cpu_test

import (
	"math"
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

// TestConformance runs the backends' conformance suite on the CPU backend.
func TestConformance(t *testing.T) { backendtest.Run(t, "cpu") }
