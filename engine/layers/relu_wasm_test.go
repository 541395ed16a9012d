//go:build js && wasm && !noasm

package layers

import (
	"os"
	"syscall/js"
	"testing"
)

// TestSIMDReLUPresent: where the runner installed the SIMD kernel (tools/wasmexec sets
// GRADSIGN_KERNEL), the ReLU passes run in it, so TestReLULong tests them.
func TestSIMDReLUPresent(t *testing.T) {
	if os.Getenv("GRADSIGN_KERNEL") == "" {
		t.Skip("run under tools/wasmexec to test the SIMD kernel")
	}
	if reluFwd.Type() != js.TypeFunction || reluBack.Type() != js.TypeFunction {
		t.Fatal("the SIMD kernel module has no relu or reluBack")
	}
}
