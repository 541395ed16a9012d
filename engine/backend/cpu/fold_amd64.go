//go:build !noasm

package cpu

import "golang.org/x/sys/cpu"

// foldAVX512 says the sign fold of float32 gradients runs in AVX-512 (fold_amd64.s).
var foldAVX512 = cpu.X86.HasAVX512F

// foldSigns32 adds sign(grad[i]) to acc[i] (0 for zero and NaN) and reports whether grad holds
// a NaN: 16 lanes at a time where the CPU has AVX-512, the rest in Go.
func foldSigns32(acc []int32, grad []float32) (nan bool) {
	head := 0
	if foldAVX512 {
		head = len(grad) / 16 * 16
		if head > 0 {
			_ = acc[head-1]
			nan = foldSigns16(&acc[0], &grad[0], head)
		}
	}
	return foldSignsGo(acc[head:], grad[head:]) || nan
}

//go:noescape
func foldSigns16(acc *int32, grad *float32, n int) (nan bool)
