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

// TestGemmNTStrided: rows of a and b inside larger arrays (a convolution's padded planes) give
// the product of the same rows stored densely.
func TestGemmNTStrided(t *testing.T) {
	for _, kern := range dotKernels() {
		dotNT = kern
		rng := rand.New(rand.NewPCG(7, 7))
		for _, sz := range [][5]int{{4, 4, 16, 20, 35}, {16, 16, 80, 100, 100}, {8, 12, 32, 32, 40}, {3, 5, 17, 18, 19}} {
			m, n, k, lda, ldb := sz[0], sz[1], sz[2], sz[3], sz[4]
			a, b := to32(randSlice(rng, (m-1)*lda+k)), to32(randSlice(rng, (n-1)*ldb+k))
			da, db := make([]float32, m*k), make([]float32, n*k)
			for i := range m {
				copy(da[i*k:(i+1)*k], a[i*lda:])
			}
			for j := range n {
				copy(db[j*k:(j+1)*k], b[j*ldb:])
			}
			want := make([]named, m*n)
			gemmGeneric(false, true, m, n, k, toNamed(to64(da)), toNamed(to64(db)), 0, want)
			// c dense, then c's columns 3 apart and its rows 3n+1 apart (a weight gradient's
			// taps), over a NaN that beta 0 must overwrite and beside values it must keep.
			for _, ld := range [][2]int{{n, 1}, {3*n + 1, 3}} {
				ldc, col := ld[0], ld[1]
				got := make([]float32, (m-1)*ldc+(n-1)*col+2)
				for i := range got {
					got[i] = float32(math.NaN())
				}
				got[len(got)-1] = 7
				GemmNTStrided(m, n, k, a, lda, b, ldb, 0, got, ldc, col)
				for i := range m {
					for j := range n {
						g, w := got[i*ldc+j*col], want[i*n+j]
						if d := math.Abs(float64(g) - float64(w)); !(d <= 1e-5*float64(k+1)) {
							t.Fatalf("%v c strides %v: c[%d][%d] = %v, want %v", sz, ld, i, j, g, w)
						}
					}
				}
				if got[len(got)-1] != 7 {
					t.Fatalf("%v c strides %v: wrote past c", sz, ld)
				}
			}
		}
	}
}

// TestGemmRows: a B of shifted rows (offsets) (a 3×3 convolution's taps over a padded image) gives the
// product of the same rows unfolded.
func TestGemmRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for _, kern := range kernels32() {
		for _, sz := range [][3]int{{16, 100, 36}, {7, 33, 9}, {64, 80, 300}} {
			m, n, k := sz[0], sz[1], sz[2]
			src := to32(randSlice(rng, k+n+50))
			rows := make([]int, k)
			for p := range rows {
				rows[p] = (p * 7) % 50 // overlapping rows, as a convolution's taps are
			}
			unfolded := make([]float32, k*n)
			for p, r := range rows {
				copy(unfolded[p*n:(p+1)*n], src[r:])
			}
			for _, ta := range []bool{false, true} {
				a, c := to32(randSlice(rng, m*k)), to32(randSlice(rng, m*n))
				want := toNamed(to64(c))
				gemmGeneric(ta, false, m, n, k, toNamed(to64(a)), toNamed(to64(unfolded)), 1, want)
				gemmLayout(kern, m, n, k, a, dense(ta, m, k), src, layout{offs: rows}, 1, c)
				for i := range want {
					if d := math.Abs(float64(c[i]) - float64(want[i])); d > 1e-5*float64(k+1) {
						t.Fatalf("%dx%d kernel %v ta=%v: c[%d] = %v, want %v", kern.mr, kern.nr, sz, ta, i, c[i], want[i])
					}
				}
			}
		}
	}
	// The exported form checks its rows.
	defer func() {
		if recover() == nil {
			t.Error("MulRows with a row past the end of B: no panic")
		}
	}()
	Pack(false, 1, 1, []float32{1}).MulRows(4, make([]float32, 4), []int{1}, 0, make([]float32, 4))
}

// to64 widens float32 values for the reference product.
func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
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
