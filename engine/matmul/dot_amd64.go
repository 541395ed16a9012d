//go:build !noasm

package matmul

import "golang.org/x/sys/cpu"

// dotNT is the dot-product kernel this CPU runs (dotKernel): AVX-512 in 4×4 tiles of c, AVX2+FMA
// in 2×4 (k then a multiple of 8); none without either.
var dotNT dotKernel

// The kernels of this CPU's kinds.
var (
	dotAVX512 = dotKernel{run: dot4x4}
	dotAVX2   = dotKernel{run: dot2x4}
)

func init() {
	switch {
	case cpu.X86.HasAVX512F:
		dotNT = dotAVX512
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		dotNT = dotAVX2
	}
}

// dot4x4 runs the AVX-512 kernel over c in 4×4 tiles (m and n multiples of 4), checking each
// tile's bounds before the assembly reads them.
func dot4x4(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc, ldcCol int) {
	for i := 0; i < m; i += 4 {
		_ = a[(i+3)*lda+k-1]
		for j := 0; j < n; j += 4 {
			_ = b[(j+3)*ldb+k-1]
			_ = c[(i+3)*ldc+(j+3)*ldcCol]
			sdotKernel4x4(k, &a[i*lda], lda, &b[j*ldb], ldb, &c[i*ldc+j*ldcCol], ldc, ldcCol)
		}
	}
}

// dot2x4 runs the AVX2 kernel over c in 2×4 tiles (m a multiple of 2, n of 4).
func dot2x4(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc, ldcCol int) {
	for i := 0; i < m; i += 2 {
		_ = a[(i+1)*lda+k-1]
		for j := 0; j < n; j += 4 {
			_ = b[(j+3)*ldb+k-1]
			_ = c[(i+1)*ldc+(j+3)*ldcCol]
			sdotKernel2x4AVX2(k, &a[i*lda], lda, &b[j*ldb], ldb, &c[i*ldc+j*ldcCol], ldc, ldcCol)
		}
	}
}

// sdotKernel4x4 (AVX-512) and sdotKernel2x4AVX2 are in dot_amd64.s.
//
//go:noescape
func sdotKernel4x4(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc, ldcCol int)

//go:noescape
func sdotKernel2x4AVX2(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc, ldcCol int)
