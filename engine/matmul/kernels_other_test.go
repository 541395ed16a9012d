//go:build (!amd64 && !(js && wasm)) || noasm

package matmul

func kernels32() []microkernel[float32] { return []microkernel[float32]{kernelGo32} }
func kernels64() []microkernel[float64] { return []microkernel[float64]{kernelGo64} }

func dotKernels() []func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32) {
	return []func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32){nil}
}
