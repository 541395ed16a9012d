package matmul

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestGemmNT checks a·bᵀ + beta·c against the triple loop, on the kernel's shapes and others,
// with every dot-product kernel this CPU runs.
func TestGemmNT(t *testing.T) {
	for _, kern := range dotKernels() {
		dotNT = kern
		testGemmNT(t)
	}
}

func testGemmNT(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, sz := range [][3]int{{4, 4, 16}, {16, 144, 1024}, {8, 12, 32}, {5, 4, 16}, {4, 4, 17}, {3, 27, 1024}} {
		m, n, k := sz[0], sz[1], sz[2]
		a, b, c := randSlice(rng, m*k), randSlice(rng, n*k), randSlice(rng, m*n)
		for _, beta := range []float64{0, 1} {
			want := toNamed(c)
			gemmGeneric(false, true, m, n, k, toNamed(a), toNamed(b), named(beta), want)
			got := to32(c)
			GemmNT(m, n, k, to32(a), to32(b), float32(beta), got)
			for i := range want {
				if d := math.Abs(float64(got[i]) - float64(want[i])); d > 1e-5*float64(k+1) {
					t.Fatalf("%v beta %v: c[%d] = %v, want %v", sz, beta, i, got[i], want[i])
				}
			}
		}
	}
}

func BenchmarkGemmNT16x144x1024(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y, c := to32(randSlice(rng, 16*1024)), to32(randSlice(rng, 144*1024)), make([]float32, 16*144)
	for b.Loop() {
		GemmNT(16, 144, 1024, x, y, 0, c)
	}
	b.ReportMetric(float64(2*16*144*1024)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkGemmTransB16x144x1024(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y, c := to32(randSlice(rng, 16*1024)), to32(randSlice(rng, 144*1024)), make([]float32, 16*144)
	for b.Loop() {
		Gemm(false, true, 16, 144, 1024, x, y, 0, c)
	}
	b.ReportMetric(float64(2*16*144*1024)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
