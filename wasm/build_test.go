//go:build !(js && wasm)

package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestWasmBuildIsLean builds the engine for the browser as make web does and checks the
// budget: at most 1.8 MB after gzip -9 (1.75 MB until the exact zeros of the data came, 8 KB:
// the run-time BatchNorm and gate rules in both element types, their counts and kernels; and
// ONNX's BatchNorm epsilon, ceil_mode pools and ReduceMean, 7 KB; the raw score beside the
// exact one 2 KB; the ImageNet16-120 image format 1 KB; 1,757,416 bytes then; 1.65 MB until
// ONNX models came to the page: the reader
// costs 76 KB, the ops ONNX models need and the page's model support 41 KB, 1,727,770 bytes,
// with model ids hashed by FNV rather than crypto/sha256, whose FIPS module cost 54 KB; 1.5 MB until the network graph and the other spaces'
// ops: the graph cost 20 KB, depthwise convolutions, average pools of any stride, crops and
// structural zeros in both element types another 33 KB, non-square convolutions 5 KB; 1,527,942
// bytes then; the NAS-Bench-101, DARTS and NDS front-ends with their tables and references 83
// KB more, 1,610,884 bytes, with the genotype reader written without regexp and MD5 without
// crypto/md5, which would have cost 190 KB), and none of the packages that belong to tests or
// to the native tools (the conformance suite and package testing, the CLI's progress bar,
// os/exec).
func TestWasmBuildIsLean(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the wasm")
	}
	env := append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	deps, err := cmd(env, "go", "list", "-deps", ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"testing", "gradsign/engine/backend/backendtest", "github.com/schollz/progressbar/v3", "os/exec", "regexp", "crypto/md5", "crypto/sha256"} {
		if slices.Contains(strings.Fields(deps), pkg) {
			t.Errorf("the wasm build imports %s", pkg)
		}
	}
	out := filepath.Join(t.TempDir(), "gradsign.wasm")
	if _, err := cmd(env, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "."); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	t.Logf("gradsign.wasm: %d bytes, %d after gzip -9", len(raw), gz.Len())
	if gz.Len() > 1_800_000 {
		t.Errorf("gradsign.wasm is %d bytes after gzip -9, over the 1.8 MB budget", gz.Len())
	}
}

func cmd(env []string, name string, args ...string) (string, error) {
	c := exec.Command(name, args...)
	c.Env = env
	out, err := c.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
