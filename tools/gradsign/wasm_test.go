//go:build !(js && wasm)

package main

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gradsign/internal/oracle"
)

// TestNativeAndWasmAgree builds this CLI for WebAssembly, runs it under Node.js with the
// browser's SIMD kernel (tools/wasmexec; make kernel builds it) on every reference file, and
// checks its score against the native build's within 0.1%: the browser's engine is this same
// code on the same inputs.
func TestNativeAndWasmAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the wasm CLI")
	}
	runner, err := filepath.Abs(filepath.Join("..", "wasmexec", "go_js_wasm_exec"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join("..", "..", "build", "kernel", "sgemm-simd.wasm")); err != nil {
		t.Fatal("the SIMD kernel is not built: make kernel")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("node (Node.js) is needed to run the wasm build")
	}
	bin := filepath.Join(t.TempDir(), "gradsign.wasm")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the wasm CLI: %v\n%s", err, out)
	}
	refs, err := oracle.NB201()
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs {
		args := []string{"score", "--weights", filepath.Join(oracle.Dir(), ref.Name), "--arch", ref.Arch.String(),
			"--n", strconv.Itoa(ref.N), "--offset", strconv.Itoa(ref.Offset),
			"--channels", strconv.Itoa(ref.C), "--cells", strconv.Itoa(ref.Cells), "--json"}
		native, errOut, code := runCLI(args...)
		if code != 0 {
			t.Fatalf("%s native: %s", ref.Name, errOut)
		}
		out, err := exec.Command(runner, append([]string{bin}, args...)...).Output()
		if err != nil {
			t.Fatalf("%s under node: %v", ref.Name, err)
		}
		var n, w scoreOutput
		if err := json.Unmarshal([]byte(native), &n); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &w); err != nil {
			t.Fatalf("%s: %v in %q", ref.Name, err, out)
		}
		if !strings.HasPrefix(w.Kernel, "wasm-") {
			t.Errorf("%s: the wasm CLI ran kernel %q, not the SIMD kernel", ref.Name, w.Kernel)
		}
		if d := math.Abs(*n.GradSign - *w.GradSign); d > 1e-3**n.GradSign {
			t.Errorf("%s: native %v, wasm %v", ref.Name, *n.GradSign, *w.GradSign)
		}
		t.Logf("%s: native %v, wasm %v (%.1f s)", ref.Name, *n.GradSign, *w.GradSign, w.Seconds)
	}
}
