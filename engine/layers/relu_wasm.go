//go:build js && wasm && !noasm

package layers

import (
	"runtime"
	"syscall/js"
	"unsafe"
)

// The browser's SIMD kernel module's ReLU passes (tools/mkkernel: relu, reluBack), which
// ui/kernel.js installs beside the GEMM kernel before the Go program starts; undefined without
// it. A ReLU of a whole activation in Go took 5–9% of a browser score.
var reluFwd, reluBack = func() (js.Value, js.Value) {
	if k := js.Global().Get("gradsignSgemm"); k.Type() == js.TypeFunction {
		return k.Get("relu"), k.Get("reluBack")
	}
	return js.Undefined(), js.Undefined()
}()

func addr(x []float32) int { return int(uintptr(unsafe.Pointer(unsafe.SliceData(x)))) }

// reluSIMD runs out = max(inp, 0) in the module, four at a time, and says whether it did (it
// leaves short or odd lengths, and a page without the module, to Go).
func reluSIMD(out, inp []float32) bool {
	if reluFwd.Type() != js.TypeFunction || len(out) < 64 || len(out)%4 != 0 {
		return false
	}
	inp = inp[:len(out)]
	reluFwd.Invoke(len(out), addr(out), addr(inp))
	runtime.KeepAlive(out)
	runtime.KeepAlive(inp)
	return true
}

// reluBackSIMD runs dinp += dout where inp > 0 in the module, as reluSIMD does.
func reluBackSIMD(dinp, dout, inp []float32) bool {
	if reluBack.Type() != js.TypeFunction || len(dinp) < 64 || len(dinp)%4 != 0 {
		return false
	}
	dout, inp = dout[:len(dinp)], inp[:len(dinp)]
	reluBack.Invoke(len(dinp), addr(dinp), addr(dout), addr(inp))
	runtime.KeepAlive(dinp)
	runtime.KeepAlive(dout)
	runtime.KeepAlive(inp)
	return true
}
