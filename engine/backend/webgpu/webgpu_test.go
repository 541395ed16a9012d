//go:build js && wasm

package webgpu

import (
	"os"
	"testing"

	"gradsign/engine/backend/backendtest"
)

// TestConformance runs the backend conformance suite on the WebGPU device of the browser that
// runs this test (tools/gputest). Under Node.js there is no device and the test is skipped,
// unless GRADSIGN_WANT_WEBGPU is set, as the browser run sets it, where a missing device fails.
func TestConformance(t *testing.T) {
	if !Available() {
		if os.Getenv("GRADSIGN_WANT_WEBGPU") != "" {
			t.Fatal("no WebGPU device: ui/webgpu.js found no adapter")
		}
		t.Skip("no WebGPU device here (Node.js): tools/gputest runs this in headless Chromium")
	}
	t.Logf("adapter: %s", Adapter())
	backendtest.Run(t, "webgpu")
}
