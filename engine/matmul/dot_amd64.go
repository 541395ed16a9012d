//go:build !noasm

package matmul

import "golang.org/x/sys/cpu"

// dotNT adds a·bᵀ to c with a dot-product kernel (dotKernel): AVX-512 in 4×4 tiles of c,
// AVX2+FMA in 2×4 (k then a multiple of 8); nil without either.
var dotNT dotKernel

// dotAVX512 and dotAVX2 run the AVX-512 and AVX2 kernels over c.
var (
	dotAVX512 = dotTiles(4, sdotKernel4x4)
	dotAVX2   = dotTiles(2, sdotKernel2x4AVX2)
)

func init() {
	switch {
	case cpu.X86.HasAVX512F:
		dotNT = dotAVX512
	case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
		dotNT = dotAVX2
	}
}

// dotTiles runs a kernel of rows×4 tiles of dot products over all of c (m a multiple of rows,
// n of 4), checking each tile's bounds before the assembly reads them.
func dotTiles(rows int, kernel func(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc, ldcCol int)) dotKernel {
	return func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc, ldcCol int) {
		for i := 0; i < m; i += rows {
			_ = a[(i+rows-1)*lda+k-1]
			for j := 0; j < n; j += 4 {
				_ = b[(j+3)*ldb+k-1]
				_ = c[(i+rows-1)*ldc+(j+3)*ldcCol]
				kernel(k, &a[i*lda], lda, &b[j*ldb], ldb, &c[i*ldc+j*ldcCol], ldc, ldcCol)
			}
		}
	}
}

// sdotKernel4x4 (AVX-512) and sdotKernel2x4AVX2 are in dot_amd64.s.
//
//go:noescape
func sdotKernel4x4(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc, ldcCol int)

//go:noescape
func sdotKernel2x4AVX2(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc, ldcCol int)
