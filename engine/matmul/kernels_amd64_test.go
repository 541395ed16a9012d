//go:build !noasm

package matmul

import "golang.org/x/sys/cpu"

// kernels32 and kernels64 list every kernel this CPU can run, for the tests and benchmarks.
func kernels32() []microkernel[float32] {
	k := []microkernel[float32]{kernelGo32}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		k = append(k, kernelAVX2x32)
	}
	if cpu.X86.HasAVX512F {
		k = append(k, kernelAVX512x32)
	}
	return k
}

func kernels64() []microkernel[float64] {
	k := []microkernel[float64]{kernelGo64}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		k = append(k, kernelAVX2x64)
	}
	if cpu.X86.HasAVX512F {
		k = append(k, kernelAVX512x64)
	}
	return k
}

// dotKernels lists every dot-product kernel this CPU runs (nil: the fallback), restoring the
// chosen one when the test ends.
func dotKernels() []dotKernel {
	k := []dotKernel{nil}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		k = append(k, dotAVX2)
	}
	if cpu.X86.HasAVX512F {
		k = append(k, dotAVX512)
	}
	return append(k, dotNT)
}
