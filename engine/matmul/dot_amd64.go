//go:build !noasm

package matmul

import "golang.org/x/sys/cpu"

// dotNT adds a·bᵀ to c with the AVX-512 dot-product kernel, 4×4 tiles of c at a time; nil
// without AVX-512.
var dotNT func(m, n, k int, a, b, c []float32)

func init() {
	if cpu.X86.HasAVX512F {
		dotNT = dot4x4
	}
}

func dot4x4(m, n, k int, a, b, c []float32) {
	for i := 0; i < m; i += 4 {
		_ = a[(i+3)*k+k-1]
		for j := 0; j < n; j += 4 {
			_ = b[(j+3)*k+k-1]
			_ = c[(i+3)*n+j+3]
			sdotKernel4x4(k, &a[i*k], k, &b[j*k], k, &c[i*n+j], n)
		}
	}
}

// sdotKernel4x4 is in dot_amd64.s.
//
//go:noescape
func sdotKernel4x4(k int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int)
