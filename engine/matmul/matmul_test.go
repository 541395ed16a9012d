package matmul

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

type named float64

func TestGemmAgainstTripleLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sz := range [][3]int{{1, 1, 1}, {3, 5, 7}, {16, 64, 27}, {64, 33, 576}, {5, 0, 4}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, beta := range []float64{0, 1} {
					a := randSlice(rng, m*k)
					b := randSlice(rng, k*n)
					c := randSlice(rng, m*n)
					want := make([]named, m*n)
					for i := range c {
						want[i] = named(c[i])
					}
					gemmGeneric(ta, tb, m, n, k, toNamed(a), toNamed(b), named(beta), want)
					c32 := to32(c)
					Gemm(ta, tb, m, n, k, a, b, beta, c)
					Gemm(ta, tb, m, n, k, to32(a), to32(b), float32(beta), c32)
					for i := range want {
						if d := math.Abs(c[i] - float64(want[i])); d > 1e-12*float64(k+1) {
							t.Fatalf("%v ta=%v tb=%v beta=%v: float64 c[%d]=%v want %v", sz, ta, tb, beta, i, c[i], want[i])
						}
						if d := math.Abs(float64(c32[i]) - float64(want[i])); d > 1e-5*float64(k+1) {
							t.Fatalf("%v ta=%v tb=%v beta=%v: float32 c[%d]=%v want %v", sz, ta, tb, beta, i, c32[i], want[i])
						}
					}
				}
			}
		}
	}
}

func TestGemmBetaZeroIgnoresNaN(t *testing.T) {
	c := []float32{float32(math.NaN())}
	Gemm(false, false, 1, 1, 1, []float32{2}, []float32{3}, 0, c)
	if c[0] != 6 {
		t.Fatalf("c = %v, want 6", c[0])
	}
}

func randSlice(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.Float64()*2 - 1
	}
	return x
}

func to32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

func toNamed(x []float64) []named {
	y := make([]named, len(x))
	for i, v := range x {
		y[i] = named(v)
	}
	return y
}

func benchmarkGemm(b *testing.B, m, n, k int) {
	rng := rand.New(rand.NewPCG(1, 2))
	x, y, z := to32(randSlice(rng, m*k)), to32(randSlice(rng, k*n)), make([]float32, m*n)
	b.SetBytes(0)
	for b.Loop() {
		Gemm(false, false, m, n, k, x, y, 0, z)
	}
	b.ReportMetric(float64(2*m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// The shapes of NB201's 3x3 convolutions per sample: Cout × HW × Cin·9.
func BenchmarkGemmConv16x1024x144(b *testing.B) { benchmarkGemm(b, 16, 1024, 144) }
func BenchmarkGemmConv32x256x288(b *testing.B)  { benchmarkGemm(b, 32, 256, 288) }
func BenchmarkGemmConv64x64x576(b *testing.B)   { benchmarkGemm(b, 64, 64, 576) }

// TestKernels checks each microkernel through the packed product against the triple loop, on
// shapes that cross every block and tile edge.
func TestKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, kern := range kernels32() {
		for _, sz := range [][3]int{{1, 1, 1}, {6, 16, 5}, {7, 17, 300}, {100, 40, 600}, {13, 1030, 9}} {
			m, n, k := sz[0], sz[1], sz[2]
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					a, b, c := randSlice(rng, m*k), randSlice(rng, k*n), randSlice(rng, m*n)
					want := toNamed(c)
					gemmGeneric(ta, tb, m, n, k, toNamed(a), toNamed(b), 1, want)
					got := to32(c)
					gemmPacked(kern, ta, tb, m, n, k, to32(a), to32(b), 1, got)
					for i := range want {
						if d := math.Abs(float64(got[i]) - float64(want[i])); d > 1e-5*float64(k+1) {
							t.Fatalf("%dx%d kernel, %v ta=%v tb=%v: c[%d] = %v, want %v", kern.mr, kern.nr, sz, ta, tb, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}

func TestKernels64(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, kern := range kernels64() {
		for _, sz := range [][3]int{{1, 1, 1}, {6, 8, 5}, {7, 17, 300}, {100, 40, 600}} {
			m, n, k := sz[0], sz[1], sz[2]
			for _, ta := range []bool{false, true} {
				for _, tb := range []bool{false, true} {
					a, b, c := randSlice(rng, m*k), randSlice(rng, k*n), randSlice(rng, m*n)
					want := toNamed(c)
					gemmGeneric(ta, tb, m, n, k, toNamed(a), toNamed(b), 1, want)
					gemmPacked(kern, ta, tb, m, n, k, a, b, 1, c)
					for i := range want {
						if d := math.Abs(c[i] - float64(want[i])); d > 1e-12*float64(k+1) {
							t.Fatalf("%dx%d float64 kernel, %v ta=%v tb=%v: c[%d] = %v, want %v", kern.mr, kern.nr, sz, ta, tb, i, c[i], want[i])
						}
					}
				}
			}
		}
	}
}

func BenchmarkKernels(b *testing.B) {
	for _, kern := range kernels32() {
		for _, sz := range [][3]int{{16, 1024, 144}, {32, 256, 288}, {64, 64, 576}} {
			m, n, k := sz[0], sz[1], sz[2]
			b.Run(fmt.Sprintf("%dx%d/%dx%dx%d", kern.mr, kern.nr, m, n, k), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				x, y, z := to32(randSlice(rng, m*k)), to32(randSlice(rng, k*n)), make([]float32, m*n)
				for b.Loop() {
					gemmPacked(kern, false, false, m, n, k, x, y, 0, z)
				}
				b.ReportMetric(float64(2*m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// TestPacked: an operand packed once gives the product Gemm gives, with dense and shifted B,
// across block edges (k past kc, m past mc), in float32 and float64.
func TestPacked(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, sz := range [][3]int{{1, 1, 1}, {16, 100, 144}, {100, 37, 600}, {7, 5, 3}} {
		m, n, k := sz[0], sz[1], sz[2]
		for _, ta := range []bool{false, true} {
			a, b, c := randSlice(rng, m*k), randSlice(rng, k*n), randSlice(rng, m*n)
			want := toNamed(c)
			gemmGeneric(ta, false, m, n, k, toNamed(a), toNamed(b), 1, want)
			rows := make([]int, k)
			for q := range rows {
				rows[q] = q * n
			}
			for _, r := range [][]int{nil, rows} {
				p := Pack(ta, m, k, to32(a))
				got := to32(c)
				p.MulRows(n, to32(b), r, 1, got)
				p.Release()
				p64 := Pack(ta, m, k, a)
				got64 := append([]float64(nil), c...)
				p64.MulRows(n, b, r, 1, got64)
				p64.Release()
				for i := range want {
					if d := math.Abs(float64(got[i]) - float64(want[i])); d > 1e-5*float64(k+1) {
						t.Fatalf("%v ta=%v rows %v: c[%d] = %v, want %v", sz, ta, r != nil, i, got[i], want[i])
					}
					if d := math.Abs(got64[i] - float64(want[i])); d > 1e-12*float64(k+1) {
						t.Fatalf("float64 %v ta=%v rows %v: c[%d] = %v, want %v", sz, ta, r != nil, i, got64[i], want[i])
					}
				}
			}
		}
	}
}

// TestPackOffsets: a matrix read through a table of column offsets and a row stride (a
// convolution's kernel flipped and transposed, read where it lies) gives the product of the
// same matrix laid out densely, with full and partial panels of rows and columns, across kc.
func TestPackOffsets(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for _, sz := range [][3]int{{7, 33, 9}, {12, 64, 300}, {16, 100, 144}, {1, 1, 1}} {
		m, n, k := sz[0], sz[1], sz[2]
		// The array holds A's element (i, p) at aoff[p] + i·lda with lda = 3 and the columns
		// in reverse order, interleaved with values that are never read.
		lda := 3
		store := to32(randSlice(rng, k*lda*m+lda))
		aoff := make([]int, k)
		for p := range aoff {
			aoff[p] = (k - 1 - p) * lda * m
		}
		unfolded := make([]float64, m*k)
		for i := range m {
			for p := range k {
				unfolded[i*k+p] = float64(store[aoff[p]+i*lda])
			}
		}
		b, c := randSlice(rng, k*n), randSlice(rng, m*n)
		want := toNamed(c)
		gemmGeneric(false, false, m, n, k, toNamed(unfolded), toNamed(b), 1, want)
		p := PackOffsets(m, k, store, lda, aoff)
		got := to32(c)
		p.MulRows(n, to32(b), nil, 1, got)
		p.Release()
		for i := range want {
			if d := math.Abs(float64(got[i]) - float64(want[i])); d > 1e-5*float64(k+1) {
				t.Fatalf("%v: c[%d] = %v, want %v", sz, i, got[i], want[i])
			}
		}
	}
}

// gemmPacked computes c = op(a)·op(b) + beta·c with a microkernel, a and b contiguous.
func gemmPacked[T Float](kern microkernel[T], transA, transB bool, m, n, k int, a, b []T, beta T, c []T) {
	gemmLayout(kern, m, n, k, a, dense(transA, m, k), b, dense(transB, k, n), beta, c)
}

// gemmGeneric is the reference triple loop on contiguous operands.
func gemmGeneric[T Float](transA, transB bool, m, n, k int, a, b []T, beta T, c []T) {
	gemmGenericLayout(m, n, k, a, dense(transA, m, k), b, dense(transB, k, n), beta, c)
}
