//go:build js && wasm && !noasm

// Package simd reaches the browser's SIMD kernel module (tools/mkkernel), which ui/kernel.js
// (or tools/wasmexec under Node.js) installs as globalThis.gradsignSgemm before the Go program
// starts: its functions, the addresses they take, and calls that keep their operands alive.
package simd

import (
	"runtime"
	"syscall/js"
	"unsafe"
)

// Module is gradsignSgemm (its block kernel, with the module's other functions as fields), or
// undefined without the module.
var Module = js.Global().Get("gradsignSgemm")

// Func is the module's function name, or undefined where the module or the function is missing.
func Func(name string) js.Value {
	if Module.Type() != js.TypeFunction {
		return js.Undefined()
	}
	return Module.Get(name)
}

// Has says whether f is a function.
func Has(f js.Value) bool { return f.Type() == js.TypeFunction }

// Addr is a slice's address in the linear memory: a byte offset, which is what a Go pointer is
// under wasm.
func Addr[E any](x []E) int { return int(uintptr(unsafe.Pointer(unsafe.SliceData(x)))) }

// Call runs f on args, keeping alive the slices whose addresses they hold (Go's collector does
// not move memory, but could free it during the call).
func Call(f js.Value, slices []any, args ...any) js.Value {
	r := f.Invoke(args...)
	runtime.KeepAlive(slices)
	return r
}
