//go:build !amd64 || noasm

package matmul

// dotNT is nil here: GemmNT falls back to Gemm.
var dotNT dotKernel
