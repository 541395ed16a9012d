// The browser's GEMM kernel: WebAssembly SIMD128 modules written by tools/mkkernel and
// assembled by `make web` (sgemm-relaxed.wasm with relaxed-SIMD multiply-adds, sgemm-simd.wasm
// with plain SIMD128). Go's wasm code has no SIMD, so the engine's float32 products call this
// kernel through globalThis.gradsignSgemm (engine/matmul/kernel_wasm.go), which must be set
// before the Go program starts. The kernel imports the Go module's memory and works on the
// engine's packed panels in place. A classic script: the worker loads it with importScripts,
// the Node.js test runner (tools/wasmexec) evaluates it.

// installGradsignKernel instantiates the best kernel this engine validates against the Go
// module's memory and installs it; it returns the kernel's name ('wasm-relaxed-simd',
// 'wasm-simd128', or 'go' when neither validates and Go's own kernel will run).
function installGradsignKernel(memory, modules) {
  const choices = [['wasm-relaxed-simd', modules.relaxed], ['wasm-simd128', modules.simd]];
  for (const [kind, bytes] of choices) {
    if (!bytes || !WebAssembly.validate(bytes)) continue;
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem: memory } });
    const block = instance.exports.block.bind(null);
    block.kind = kind;
    // B read in place through a table of row offsets (a convolution's shifted rows).
    if (instance.exports.blockB) block.blockB = instance.exports.blockB.bind(null);
    // The weight gradient's dot products, both operands read along k in place.
    if (instance.exports.dot) block.dot = instance.exports.dot.bind(null);
    // GradSign's sign fold of a sample's weight gradient into the int32 accumulators.
    if (instance.exports.fold) block.fold = instance.exports.fold.bind(null);
    // A depthwise convolution's taps over shifted rows, and its weight gradient.
    if (instance.exports.sumRows) block.sumRows = instance.exports.sumRows.bind(null);
    if (instance.exports.dotRows) block.dotRows = instance.exports.dotRows.bind(null);
    // ReLU forward and backward over a whole activation.
    if (instance.exports.relu) block.relu = instance.exports.relu.bind(null);
    if (instance.exports.reluBack) block.reluBack = instance.exports.reluBack.bind(null);
    globalThis.gradsignSgemm = block;
    return kind;
  }
  return 'go';
}
globalThis.installGradsignKernel = installGradsignKernel;
