//go:build !amd64 || noasm

package matmul

// dotNT is nil here: GemmNT falls back to Gemm.
var dotNT func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32)
