//go:build !amd64 || noasm

package matmul

// dotNT is nil here: GemmNT falls back to Gemm.
var dotNT func(m, n, k int, a, b, c []float32)
