//go:build js && wasm && !noasm

package layers

import (
	"gradsign/engine/internal/simd"
	"os"
	"testing"
)

// TestSIMDReLUPresent: where the runner installed the SIMD kernel (tools/wasmexec sets
// GRADSIGN_KERNEL), the ReLU passes run in it, so TestReLULong tests them.
func TestSIMDReLUPresent(t *testing.T) {
	if os.Getenv("GRADSIGN_KERNEL") == "" {
		t.Skip("run under tools/wasmexec to test the SIMD kernel")
	}
	if !simd.Has(reluFwd) || !simd.Has(reluBack) {
		t.Fatal("the SIMD kernel module has no relu or reluBack")
	}
}
