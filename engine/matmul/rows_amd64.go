//go:build !noasm

package matmul

import "golang.org/x/sys/cpu"

// sumRows32 and dotRows32 are SumRows and DotRows in AVX-512 for n a multiple of 64 (nil
// without AVX-512): four ZMM accumulators, 64 values, at a time.
var sumRows32, dotRows32 func(n int, a, b []float32, offs []int, out []float32)

// rowsMultiple is the n they take a multiple of.
const rowsMultiple = 64

func init() {
	if cpu.X86.HasAVX512F {
		sumRows32 = func(n int, w, b []float32, offs []int, out []float32) {
			_ = out[n-1]
			sumRows64(n, &w[0], len(w), &b[0], &offs[0], &out[0])
		}
		dotRows32 = func(n int, a, b []float32, offs []int, out []float32) {
			_ = a[n-1]
			dotRows64(n, &a[0], &b[0], &offs[0], len(out), &out[0])
		}
	}
}

// sumRows64 and dotRows64 are in rows_amd64.s; the callers have checked every row's bounds.
//
//go:noescape
func sumRows64(n int, w *float32, taps int, b *float32, offs *int, out *float32)

//go:noescape
func dotRows64(n int, a *float32, b *float32, offs *int, rows int, out *float32)
