//go:build !noasm

package matmul

import "golang.org/x/sys/cpu"

// kernel32 and kernel64 are the AVX2+FMA assembly microkernels (a 6×16 float32 or 6×8
// float64 tile in 12 YMM registers) where the CPU has both, the Go kernels otherwise.
var (
	kernel32 = kernelGo32
	kernel64 = kernelGo64
)

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		kernel32 = microkernel[float32]{mr: 6, nr: 16, run: kernel6x16}
		kernel64 = microkernel[float64]{mr: 6, nr: 8, run: kernel6x8}
	}
}

func kernel6x8(k int, a, b, c []float64, ldc int) {
	_ = a[6*k-1]
	_ = b[8*k-1]
	_ = c[5*ldc+7]
	dgemmKernel6x8(k, &a[0], &b[0], &c[0], ldc)
}

// dgemmKernel6x8 adds a 6×k panel times a k×8 panel (both packed k-major) to the 6×8 tile at
// c (row stride ldc doubles). Implemented in kernel_amd64.s.
//
//go:noescape
func dgemmKernel6x8(k int, a, b, c *float64, ldc int)

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
