//go:build js && wasm && !noasm

package cpu

import (
	"runtime"
	"syscall/js"
	"unsafe"
)

// foldSIMD is the browser's SIMD kernel module's sign fold (tools/mkkernel: fold(n, acc,
// grad) -> nan), which ui/kernel.js installs beside the GEMM kernel before the Go program
// starts; undefined without it.
var foldSIMD = func() js.Value {
	if k := js.Global().Get("gradsignSgemm"); k.Type() == js.TypeFunction {
		return k.Get("fold")
	}
	return js.Undefined()
}()

// foldSigns32 adds sign(grad[i]) to acc[i] (0 for zero and NaN) and reports whether grad holds
// a NaN: in the SIMD module four at a time, in Go where the module is missing or the layer is
// too small for the call to pay.
func foldSigns32(acc []int32, grad []float32) bool {
	if foldSIMD.Type() != js.TypeFunction || len(grad) < 64 {
		return foldSignsGo(acc, grad)
	}
	acc = acc[:len(grad)]
	nan := foldSIMD.Invoke(len(grad), int(uintptr(unsafe.Pointer(&acc[0]))), int(uintptr(unsafe.Pointer(&grad[0])))).Int() != 0
	runtime.KeepAlive(acc)
	runtime.KeepAlive(grad)
	return nan
}
