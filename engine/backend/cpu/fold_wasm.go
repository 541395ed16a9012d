//go:build js && wasm && !noasm

package cpu

import "gradsign/engine/internal/simd"

// foldSIMD is the SIMD module's sign fold (fold(n, acc, grad) -> nan), undefined without it.
var foldSIMD = simd.Func("fold")

// foldSigns32 adds sign(grad[i]) to acc[i] (0 for zero and NaN) and reports whether grad holds
// a NaN: in the SIMD module four at a time, in Go where the module is missing or the layer is
// too small for the call to pay.
func foldSigns32(acc []int32, grad []float32) bool {
	if !simd.Has(foldSIMD) || len(grad) < 64 {
		return foldSignsGo(acc, grad)
	}
	acc = acc[:len(grad)]
	return simd.Call(foldSIMD, []any{acc, grad}, len(grad), simd.Addr(acc), simd.Addr(grad)).Int() != 0
}
