//go:build js && wasm && !noasm

package matmul

import (
	"os"
	"testing"
)

func kernels32() []microkernel[float32] {
	k := []microkernel[float32]{kernelGo32}
	if kernelName != "go" {
		packed := kernel32
		packed.blockB = nil // the SIMD kernel with B packed too, as it runs where B is transposed
		k = append(k, kernel32, packed)
	}
	return k
}

func kernels64() []microkernel[float64] { return []microkernel[float64]{kernelGo64} }

// TestSIMDKernelPresent fails when the runner installed a SIMD kernel (GRADSIGN_KERNEL, set by
// tools/wasmexec) and Go does not run it, or when the caller asked for a kernel
// (GRADSIGN_WANT_KERNEL) and another runs: the kernel's tests cannot pass without running it.
func TestSIMDKernelPresent(t *testing.T) {
	want := os.Getenv("GRADSIGN_WANT_KERNEL")
	if want == "" {
		want = os.Getenv("GRADSIGN_KERNEL")
	}
	if want == "" {
		t.Skip("run under tools/wasmexec to test the SIMD kernel")
	}
	if kernelName != want {
		t.Fatalf("float32 kernel %q, the runner set up %q", kernelName, want)
	}
	if kernel32.blockB == nil || dotSIMD == nil || sumRows32 == nil || dotRows32 == nil {
		t.Fatal("the SIMD kernel has no blockB or no dot: an operand would be packed for every product")
	}
	t.Logf("kernel %s", kernelName)
}

func dotKernels() []dotKernel {
	return []dotKernel{nil, dotSIMD}
}
