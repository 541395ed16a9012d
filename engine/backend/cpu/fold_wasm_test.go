//go:build js && wasm && !noasm

package cpu

import (
	"gradsign/engine/internal/simd"
	"os"
	"testing"
)

// TestSIMDFoldPresent: where the runner installed the SIMD kernel (tools/wasmexec sets
// GRADSIGN_KERNEL), the sign fold runs in it, so TestFoldFloat32 tests it.
func TestSIMDFoldPresent(t *testing.T) {
	if os.Getenv("GRADSIGN_KERNEL") == "" {
		t.Skip("run under tools/wasmexec to test the SIMD kernel")
	}
	if !simd.Has(foldSIMD) {
		t.Fatal("the SIMD kernel module has no fold")
	}
}
