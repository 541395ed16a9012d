//go:build !(js && wasm)

// Command wasm is the engine's bridge to JavaScript; it only does something when built with
// GOOS=js GOARCH=wasm (make serve does). Natively it says so, and its plain-Go parts are tested.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "wasm: build with GOOS=js GOARCH=wasm (make serve)")
	os.Exit(2)
}
