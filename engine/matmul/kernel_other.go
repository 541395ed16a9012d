//go:build (!amd64 && !(js && wasm)) || noasm

package matmul

// kernel32 and kernel64 are the register-tiled Go microkernels: no assembly here (wasm, other
// architectures, or the noasm build tag).
var (
	kernel32   = kernelGo32
	kernel64   = kernelGo64
	kernelName = "go"
)
