//go:build js && wasm && !noasm

package matmul

import (
	"gradsign/engine/internal/simd"
	"syscall/js"
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
	// dotSIMD is the SIMD module's dot-product kernel, nil without it.
	dotSIMD dotKernel
)

func init() {
	f := simd.Module
	if f.Type() != js.TypeFunction {
		return
	}
	kernel32 = simdKernel(f)
	kernelName = f.Get("kind").String()
	if g := f.Get("dot"); g.Type() == js.TypeFunction {
		dotSIMD = simdDot(g)
		dotNT = dotSIMD
	}
	if g, h := f.Get("sumRows"), f.Get("dotRows"); g.Type() == js.TypeFunction && h.Type() == js.TypeFunction {
		sumRows32, dotRows32 = simdRows(g, h)
	}
}

// sumRows32 and dotRows32 are SumRows and DotRows in the SIMD module (n a multiple of 4; the
// callers have checked every row's bounds), nil without it.
var sumRows32, dotRows32 func(n int, a, b []float32, offs []int, out []float32)

// rowsMultiple is the n they take a multiple of.
const rowsMultiple = 4

// simdRows wraps the SIMD module's sumRows and dotRows. offs is passed as it lies: Go's int is
// 64 bits in wasm, which the module reads.
func simdRows(sum, dot js.Value) (func(n int, w, b []float32, offs []int, out []float32), func(n int, a, b []float32, offs []int, out []float32)) {
	sumRows := func(n int, w, b []float32, offs []int, out []float32) {
		_ = out[n-1]
		_ = offs[len(w)-1]
		simd.Call(sum, []any{w, b, offs, out}, n, simd.Addr(w), len(w), simd.Addr(b), simd.Addr(offs), simd.Addr(out))
	}
	dotRows := func(n int, a, b []float32, offs []int, out []float32) {
		_ = a[n-1]
		_ = offs[len(out)-1]
		simd.Call(dot, []any{a, b, offs, out}, n, simd.Addr(a), simd.Addr(b), simd.Addr(offs), len(out), simd.Addr(out))
	}
	return sumRows, dotRows
}

// simdDot wraps the SIMD module's dot-product kernel (the weight gradient's a·bᵀ, both
// operands read along k in place): m a multiple of 2, n of 4, k of 4.
func simdDot(g js.Value) dotKernel {
	return func(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc, ldcCol int) {
		if m%2 != 0 || n%4 != 0 || k%4 != 0 {
			panic("matmul: the SIMD dot kernel takes m a multiple of 2, n of 4, k of 4")
		}
		_ = a[(m-1)*lda+k-1]
		_ = b[(n-1)*ldb+k-1]
		_ = c[(m-1)*ldc+(n-1)*ldcCol]
		simd.Call(g, []any{a, b, c}, m, n, k, simd.Addr(a), lda, simd.Addr(b), ldb, simd.Addr(c), ldc, ldcCol)
	}
}

// simdKernel wraps the JavaScript entries of the SIMD kernel: block, and blockB (B read in
// place through a table of row offsets) where the module has it.
func simdKernel(f js.Value) microkernel[float32] {
	k := microkernel[float32]{mr: 4, nr: 8, block: func(kb, mb, nb int, a, b, c, tile []float32, ldc int) {
		_ = a[(mb+3)/4*4*kb-1]
		_ = b[(nb+7)/8*8*kb-1]
		_ = c[(mb-1)*ldc+nb-1]
		_ = tile[31]
		simd.Call(f, []any{a, b, c, tile}, kb, mb, nb, simd.Addr(a), simd.Addr(b), simd.Addr(c), ldc, simd.Addr(tile))
	}}
	if g := f.Get("blockB"); g.Type() == js.TypeFunction {
		k.blockB = func(kb, mb, nb int, a, b []float32, boff []int32, c, tile []float32, ldc int) {
			if nb%8 != 0 {
				panic("matmul: blockB takes whole panels of B")
			}
			_ = a[(mb+3)/4*4*kb-1]
			_ = boff[kb-1]
			_ = c[(mb-1)*ldc+nb-1]
			_ = tile[31]
			simd.Call(g, []any{a, b, boff, c, tile}, kb, mb, nb, simd.Addr(a), simd.Addr(b), simd.Addr(boff), simd.Addr(c), ldc, simd.Addr(tile))
		}
	}
	return k
}
