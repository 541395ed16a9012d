//go:build !amd64 || noasm

package matmul

// dotNT is none here: GemmNT falls back to Gemm.
var dotNT dotKernel
