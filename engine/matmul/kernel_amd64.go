//go:build !noasm

package matmul

import "golang.org/x/sys/cpu"

// kernel32 and kernel64 are the best microkernels the CPU runs, chosen at start: AVX-512,
// else AVX2+FMA, else the Go kernels.
var (
	kernel32   = kernelGo32
	kernel64   = kernelGo64
	kernelName = "go"
)

// GODEBUG=cpu.avx512f=off (read by golang.org/x/sys/cpu) forces the AVX2 kernels, as on an
// AVX2-only machine.
func init() {
	switch {
	case cpu.X86.HasAVX512F:
		kernel32, kernel64, kernelName = kernelAVX512x32, kernelAVX512x64, "avx512"
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		kernel32, kernel64, kernelName = kernelAVX2x32, kernelAVX2x64, "avx2"
	}
}

// The assembly kernels: AVX2+FMA with 6×16 float32 or 6×8 float64 tiles in 12 YMM registers,
// AVX-512 with 6×32 or 6×16 tiles in 12 ZMM registers.
var (
	kernelAVX2x32   = microkernel[float32]{mr: 6, nr: 16, run: kernel6x16}
	kernelAVX2x64   = microkernel[float64]{mr: 6, nr: 8, run: kernel6x8}
	kernelAVX512x32 = microkernel[float32]{mr: 6, nr: 32, run: kernel6x32, idx: kernel6x32Idx}
	kernelAVX512x64 = microkernel[float64]{mr: 6, nr: 16, run: kernel6x16d}
)

func kernel6x32(k int, a, b, c []float32, ldc int) {
	_ = a[6*k-1]
	_ = b[32*k-1]
	_ = c[5*ldc+31]
	sgemmKernel6x32(k, &a[0], &b[0], &c[0], ldc)
}

func kernel6x16d(k int, a, b, c []float64, ldc int) {
	_ = a[6*k-1]
	_ = b[16*k-1]
	_ = c[5*ldc+15]
	dgemmKernel6x16(k, &a[0], &b[0], &c[0], ldc)
}

// kernel6x32Idx is kernel6x32 reading both operands in place through index tables: the caller
// (gemmBlocks) has checked that every a[aoff[p] + i·lda] of the tile's six rows and every
// b[boff[p] : boff[p]+32] lie inside a and b.
func kernel6x32Idx(k int, a []float32, lda int, aoff []int, b []float32, boff []int, c []float32, ldc int) {
	_ = aoff[k-1]
	_ = boff[k-1]
	_ = c[5*ldc+31]
	sgemmKernel6x32Idx(k, &a[0], lda, &aoff[0], &b[0], &boff[0], &c[0], ldc)
}

//go:noescape
func sgemmKernel6x32Idx(k int, a *float32, lda int, aoff *int, b *float32, boff *int, c *float32, ldc int)

// sgemmKernel6x32 and dgemmKernel6x16 are the AVX-512 kernels (kernel_amd64.s).
//
//go:noescape
func sgemmKernel6x32(k int, a, b, c *float32, ldc int)

//go:noescape
func dgemmKernel6x16(k int, a, b, c *float64, ldc int)

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
