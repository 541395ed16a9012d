// Package webgpu is the engine's backend on a WebGPU device, for the browser: every operation of
// package backend's seam as a WGSL compute kernel (wgsl/), driven from Go through syscall/js and
// the device layer of ui/webgpu.js, which the worker loads and initialises before the engine
// starts. Activations and gradients stay on the device; each sample's weight gradient is
// computed and folded into GradSign's int32 sign accumulators there (atomic adds), so only the
// accumulators come back. Arithmetic is float32 (WGSL has no float64): BatchNorm's statistics
// and the softmax are summed in float32 where the CPU backend uses float64.
//
// The convolutions (forward, input gradient, summed and per-sample weight gradients) are
// implicit GEMMs tiled in workgroup memory (wgsl/gemm.wgsl); the other ops run one invocation per
// value (BatchNorm one workgroup per channel and group). The conformance suite checks them in
// headless Chromium on SwiftShader's CPU adapter; no real GPU has timed them yet.
//
// It registers itself as "webgpu" with package backend in the js/wasm build only.
package webgpu
