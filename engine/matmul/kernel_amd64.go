//go:build !noasm

package matmul

import "golang.org/x/sys/cpu"

// kernel is the AVX2+FMA assembly microkernel (a 6×16 tile in 12 YMM registers) where the CPU
// has both, the Go kernel otherwise.
var kernel = kernelGo

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		kernel = microkernel{mr: 6, nr: 16, run: kernel6x16}
	}
}

func kernel6x16(k int, a, b, c []float32, ldc int) {
	_ = a[6*k-1]
	_ = b[16*k-1]
	_ = c[5*ldc+15]
	sgemmKernel6x16(k, &a[0], &b[0], &c[0], ldc)
}

// sgemmKernel6x16 adds a 6×k panel times a k×16 panel (both packed k-major) to the 6×16 tile
// at c (row stride ldc floats). Implemented in kernel_amd64.s.
//
//go:noescape
func sgemmKernel6x16(k int, a, b, c *float32, ldc int)
