//go:build js && wasm && !noasm

package matmul

import (
	"runtime"
	"syscall/js"
	"unsafe"
)

// In the browser, float32 products run in a WebAssembly SIMD128 kernel (tools/mkkernel writes
// it, make web assembles it) when the page has instantiated it against this module's memory
// and set globalThis.gradsignSgemm(kb, mb, nb, a, b, c, ldc, tile) to its block function (ui/kernel.js
// does, before the Go program starts; tools/wasmexec does under Node.js). Go's own wasm code has
// no SIMD. Without it, the register-tiled Go kernels run.
var (
	kernel32 = kernelGo32
	kernel64 = kernelGo64
	// kernelName says which float32 kernel runs: "go", "wasm-simd128" or
	// "wasm-relaxed-simd".
	kernelName = "go"
)

func init() {
	f := js.Global().Get("gradsignSgemm")
	if f.Type() != js.TypeFunction {
		return
	}
	kernel32 = simdKernel(f)
	kernelName = f.Get("kind").String()
}

// simdKernel wraps the JavaScript entry of the SIMD kernel. Addresses are byte offsets in the
// linear memory, which is what a Go pointer is under wasm; the slices stay alive (and Go's
// collector does not move memory) for the call.
func simdKernel(f js.Value) microkernel[float32] {
	addr := func(x []float32) int { return int(uintptr(unsafe.Pointer(unsafe.SliceData(x)))) }
	return microkernel[float32]{mr: 4, nr: 8, block: func(kb, mb, nb int, a, b, c, tile []float32, ldc int) {
		_ = a[(mb+3)/4*4*kb-1]
		_ = b[(nb+7)/8*8*kb-1]
		_ = c[(mb-1)*ldc+nb-1]
		_ = tile[31]
		f.Invoke(kb, mb, nb, addr(a), addr(b), addr(c), ldc, addr(tile))
		runtime.KeepAlive(a)
		runtime.KeepAlive(b)
		runtime.KeepAlive(c)
		runtime.KeepAlive(tile)
	}}
}
