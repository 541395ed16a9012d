//go:build !amd64 || noasm

package matmul

// kernel is the register-tiled Go microkernel: no assembly here (wasm, other architectures,
// or the noasm build tag).
var kernel = kernelGo
