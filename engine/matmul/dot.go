package matmul

// GemmNT computes c = a·bᵀ + beta·c for a (m×k) and b (n×k) stored row by row: both operands
// run along k in memory, as the weight gradient of a convolution, dout·colᵀ, has them. On an
// AVX-512 or AVX2+FMA CPU, with m and n multiples of 4 and k of 16, a dot-product kernel
// computes it without packing either operand; otherwise Gemm does.
// dotKernel adds a·bᵀ to c (rows of a lda apart, of b ldb apart; c's rows ldc apart and its
// columns ldcCol) with dot products in tiles of c, packing neither operand: m and n multiples
// of 4, k of 16.
type dotKernel func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc, ldcCol int)

func GemmNT[T Float](m, n, k int, a, b []T, beta T, c []T) {
	GemmNTStrided(m, n, k, a, k, b, k, beta, c, n, 1)
}

// GemmNTStrided is GemmNT with the rows of a lda values apart and those of b ldb apart (rows
// of k values each, inside a larger array, overlapping or not: a convolution's padded planes),
// and c's element (i, j) at c[i·ldc + j·ldcCol] (a weight gradient's taps, written in place).
func GemmNTStrided[T Float](m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T, ldc, ldcCol int) {
	if m == 0 || n == 0 {
		return
	}
	if lda < 0 || ldb < 0 || ldc < 0 || ldcCol < 1 || len(a) < (m-1)*lda+k || len(b) < (n-1)*ldb+k || len(c) < (m-1)*ldc+(n-1)*ldcCol+1 {
		panic("matmul: slice shorter than its matrix")
	}
	for i := 0; i < m && beta != 1; i++ {
		if ldcCol == 1 {
			scale(beta, c[i*ldc:i*ldc+n])
			continue
		}
		for j := range n {
			if beta == 0 {
				c[i*ldc+j*ldcCol] = 0 // not 0·c: NaN·0 is NaN
			} else {
				c[i*ldc+j*ldcCol] *= beta
			}
		}
	}
	if k == 0 {
		return
	}
	if a32, ok := any(a).([]float32); ok && dotNT != nil && m%4 == 0 && n%4 == 0 && k%16 == 0 {
		dotNT(m, n, k, a32, lda, any(b).([]float32), ldb, any(c).([]float32), ldc, ldcCol)
		return
	}
	if ldc == n && ldcCol == 1 {
		gemm(m, n, k, a, layout{ld: lda}, b, layout{trans: true, ld: ldb}, 1, c)
		return
	}
	t := make([]T, m*n)
	gemm(m, n, k, a, layout{ld: lda}, b, layout{trans: true, ld: ldb}, 0, t)
	for i := range m {
		for j := range n {
			c[i*ldc+j*ldcCol] += t[i*n+j]
		}
	}
}
