//go:build js && wasm && !noasm

package layers

import "gradsign/engine/internal/simd"

// The SIMD module's ReLU passes (relu, reluBack), undefined without it. A ReLU of a whole
// activation in Go took 5–9% of a browser score.
var reluFwd, reluBack = simd.Func("relu"), simd.Func("reluBack")

// reluSIMD runs out = max(inp, 0) in the module, four at a time, and says whether it did (it
// leaves short or odd lengths, and a page without the module, to Go).
func reluSIMD(out, inp []float32) bool {
	if !simd.Has(reluFwd) || len(out) < 64 || len(out)%4 != 0 {
		return false
	}
	inp = inp[:len(out)]
	simd.Call(reluFwd, []any{out, inp}, len(out), simd.Addr(out), simd.Addr(inp))
	return true
}

// reluBackSIMD runs dinp += dout where inp > 0 in the module, as reluSIMD does.
func reluBackSIMD(dinp, dout, inp []float32) bool {
	if !simd.Has(reluBack) || len(dinp) < 64 || len(dinp)%4 != 0 {
		return false
	}
	dout, inp = dout[:len(dinp)], inp[:len(dinp)]
	simd.Call(reluBack, []any{dinp, dout, inp}, len(dinp), simd.Addr(dinp), simd.Addr(dout), simd.Addr(inp))
	return true
}
