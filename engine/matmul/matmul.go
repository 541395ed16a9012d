// Package matmul holds the engine's one matrix-product primitive, Gemm.
//
// Every layer that does real arithmetic (convolution, linear) reduces to Gemm, so a faster
// kernel for one platform (amd64 assembly, a register-tiled wasm kernel, a GPU) plugs in here
// and nowhere else. Matrices are dense, row-major and contiguous: the leading dimension of a
// matrix is its column count.
package matmul

// Float is the element type of the numeric core: float32 for scoring, as PyTorch does, and
// float64 for gradient checks and for proxies whose values leave float32's range.
type Float interface {
	~float32 | ~float64
}

// KernelName says which float32 microkernel this process runs: "avx512", "avx2", "go",
// "wasm-simd128" or "wasm-relaxed-simd".
func KernelName() string { return kernelName }

// Gemm computes c = op(a)·op(b) + beta·c, where op(x) is x or its transpose.
//
// c is m×n. op(a) is m×k: a is stored m×k, or k×m when transA is set. op(b) is k×n: b is stored
// k×n, or n×k when transB is set. With beta 0, c is overwritten (its old values, even NaN, are
// ignored); with beta 1 the product is accumulated into c.
//
// Gemm panics if a slice is shorter than its matrix.
func Gemm[T Float](transA, transB bool, m, n, k int, a, b []T, beta T, c []T) {
	if m == 0 || n == 0 {
		return
	}
	if len(a) < m*k || len(b) < k*n || len(c) < m*n {
		panic("matmul: slice shorter than its matrix")
	}
	if k == 0 {
		scale(beta, c[:m*n])
		return
	}
	gemm(m, n, k, a, dense(transA, m, k), b, dense(transB, k, n), beta, c)
}

// gemm runs the product on the platform's kernel for the element type.
func gemm[T Float](m, n, k int, a []T, la layout, b []T, lb layout, beta T, c []T) {
	switch c := any(c).(type) {
	case []float32:
		gemmLayout(kernel32, m, n, k, any(a).([]float32), la, any(b).([]float32), lb, float32(beta), c)
	case []float64:
		gemmLayout(kernel64, m, n, k, any(a).([]float64), la, any(b).([]float64), lb, float64(beta), c)
	default:
		gemmGenericLayout(m, n, k, a, la, b, lb, beta, any(c).([]T))
	}
}

// scale sets x = beta·x, with beta 0 clearing x.
func scale[T Float](beta T, x []T) {
	if beta == 0 {
		clear(x)
		return
	}
	for i := range x {
		x[i] *= beta
	}
}

// gemmGenericLayout is the plain triple loop, the operands read as their layouts say: for
// element types that are neither float32 nor float64 by name (a named type over them). It also
// serves as the reference in tests.
func gemmGenericLayout[T Float](m, n, k int, a []T, la layout, b []T, lb layout, beta T, c []T) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s T
			for p := 0; p < k; p++ {
				var av, bv T
				switch {
				case la.offs != nil:
					av = a[la.offs[p]+i*la.ld]
				case la.trans:
					av = a[p*la.ld+i]
				default:
					av = a[i*la.ld+p]
				}
				switch {
				case lb.trans:
					bv = b[j*lb.ld+p]
				case lb.offs != nil:
					bv = b[lb.offs[p]+j]
				default:
					bv = b[p*lb.ld+j]
				}
				s += av * bv
			}
			if beta == 0 {
				c[i*n+j] = s
			} else {
				c[i*n+j] = beta*c[i*n+j] + s
			}
		}
	}
}
