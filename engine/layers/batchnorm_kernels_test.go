package layers

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPlaneKernels: BatchNorm's per-plane loops where they run in AVX-512 (float32 planes of a
// multiple of 16 values) agree with the plain loops: the float64 sums to 1e-12 (another order
// of exact-or-nearly-exact additions), the normalisation to the bit (not fused, as Go computes
// it), the input gradient to float32's last bit. Without AVX-512 both sides are the plain loops.
func TestPlaneKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{16, 64, 1024} {
		x, dy, dx := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], dy[i], dx[i] = float32(rng.NormFloat64()+3), float32(rng.NormFloat64()*1e-3), float32(rng.NormFloat64())
		}
		const mu = 2.9
		var s, ss, sdy, sdyx float64
		for i, v := range x {
			s += float64(v)
			ss += (float64(v) - mu) * (float64(v) - mu)
			sdy += float64(dy[i])
			sdyx += float64(dy[i]) * (float64(v) - mu)
		}
		gs, gx := gradSums64(dy, x, mu)
		for _, c := range []struct {
			what      string
			got, want float64
		}{{"sum", sum64(x), s}, {"squares", squares64(x, mu), ss}, {"sum of dy", gs, sdy}, {"sum of dy·(x−mu)", gx, sdyx}} {
			if math.Abs(c.got-c.want) > 1e-12*math.Abs(c.want) {
				t.Errorf("n=%d %s: %v, want %v", n, c.what, c.got, c.want)
			}
		}
		out := make([]float32, n)
		affine(out, x, 0.7, -0.2)
		for i, v := range x {
			if out[i] != v*0.7+(-0.2) {
				t.Fatalf("n=%d affine[%d]: %v, want %v", n, i, out[i], v*0.7+(-0.2))
			}
		}
		got := append([]float32(nil), dx...)
		addBackward(got, dy, x, 1.3, 2e-4, mu, 0.01)
		for i, v := range x {
			want := dx[i] + float32(1.3*((float64(dy[i])-2e-4)-(float64(v)-mu)*0.01))
			if d := math.Abs(float64(got[i] - want)); d > 1e-7*math.Abs(float64(want)) {
				t.Fatalf("n=%d backward[%d]: %v, want %v", n, i, got[i], want)
			}
		}
	}
}
