//go:build (!amd64 && !(js && wasm)) || noasm

package matmul

func kernels32() []microkernel[float32] { return []microkernel[float32]{kernelGo32} }
func kernels64() []microkernel[float64] { return []microkernel[float64]{kernelGo64} }

func dotKernels() []dotKernel {
	return []dotKernel{nil}
}
