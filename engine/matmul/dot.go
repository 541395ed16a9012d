package matmul

// GemmNT computes c = a·bᵀ + beta·c for a (m×k) and b (n×k) stored row by row: both operands
// run along k in memory, as the weight gradient of a convolution, dout·colᵀ, has them. On an
// AVX-512 or AVX2+FMA CPU, with m and n multiples of 4 and k of 16, a dot-product kernel
// computes it without packing either operand; otherwise Gemm does.
func GemmNT[T Float](m, n, k int, a, b []T, beta T, c []T) {
	if m == 0 || n == 0 {
		return
	}
	if len(a) < m*k || len(b) < n*k || len(c) < m*n {
		panic("matmul: slice shorter than its matrix")
	}
	if a32, ok := any(a).([]float32); ok && dotNT != nil && m%4 == 0 && n%4 == 0 && k%16 == 0 && k > 0 {
		c32 := any(c).([]float32)
		scale(float32(beta), c32[:m*n])
		dotNT(m, n, k, a32, any(b).([]float32), c32)
		return
	}
	Gemm(false, true, m, n, k, a, b, beta, c)
}
