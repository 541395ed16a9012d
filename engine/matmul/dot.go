package matmul

// GemmNT computes c = a·bᵀ + beta·c for a (m×k) and b (n×k) stored row by row: both operands
// run along k in memory, as the weight gradient of a convolution, dout·colᵀ, has them. On an
// AVX-512 or AVX2+FMA CPU, with m and n multiples of 4 and k of 16, a dot-product kernel
// computes it without packing either operand; otherwise Gemm does.
func GemmNT[T Float](m, n, k int, a, b []T, beta T, c []T) {
	GemmNTStrided(m, n, k, a, k, b, k, beta, c)
}

// GemmNTStrided is GemmNT with the rows of a lda values apart and those of b ldb apart (rows
// of k values each, inside a larger array, overlapping or not: a convolution's padded planes).
func GemmNTStrided[T Float](m, n, k int, a []T, lda int, b []T, ldb int, beta T, c []T) {
	if m == 0 || n == 0 {
		return
	}
	if lda < 0 || ldb < 0 || len(a) < (m-1)*lda+k || len(b) < (n-1)*ldb+k || len(c) < m*n {
		panic("matmul: slice shorter than its matrix")
	}
	if a32, ok := any(a).([]float32); ok && dotNT != nil && m%4 == 0 && n%4 == 0 && k%16 == 0 && k > 0 {
		c32 := any(c).([]float32)
		scale(float32(beta), c32[:m*n])
		dotNT(m, n, k, a32, lda, any(b).([]float32), ldb, c32)
		return
	}
	if k == 0 {
		scale(beta, c[:m*n])
		return
	}
	gemm(m, n, k, a, layout{ld: lda}, b, layout{trans: true, ld: ldb}, beta, c)
}
