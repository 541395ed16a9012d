// Go's wasm_exec_node.js, plus the SIMD GEMM kernel the browser's worker installs (ui/kernel.js):
// the engine's tests and the wasm CLI run under Node.js with the kernel the page runs. Sets
// GRADSIGN_KERNEL in the program's environment to the kernel installed, so the Go side can
// check that it runs.
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

if (process.argv.length < 3) {
  console.error('usage: go_js_wasm_exec [wasm binary] [arguments]');
  process.exit(1);
}
globalThis.require = require;
globalThis.fs = fs;
globalThis.path = path;
globalThis.TextEncoder = require('util').TextEncoder;
globalThis.TextDecoder = require('util').TextDecoder;
globalThis.performance ??= require('perf_hooks').performance;
globalThis.crypto ??= require('crypto');

require(path.join(process.env.GRADSIGN_GOROOT, 'lib', 'wasm', 'wasm_exec.js'));
vm.runInThisContext(fs.readFileSync(path.join(__dirname, '..', '..', 'ui', 'kernel.js'), 'utf8'));

const kernelDir = process.env.GRADSIGN_KERNEL_DIR;
const read = (name) => {
  try { return fs.readFileSync(path.join(kernelDir, name)); } catch { return null; }
};

const go = new Go();
go.argv = process.argv.slice(2);
go.exit = process.exit;
WebAssembly.instantiate(fs.readFileSync(process.argv[2]), go.importObject).then((result) => {
  const kind = process.env.GRADSIGN_NO_KERNEL ? 'go'
    : installGradsignKernel(result.instance.exports.mem, { relaxed: read('sgemm-relaxed.wasm'), simd: read('sgemm-simd.wasm') });
  go.env = Object.assign({ TMPDIR: require('os').tmpdir() }, process.env, kind === 'go' ? {} : { GRADSIGN_KERNEL: kind });
  process.on('exit', (code) => { // Node.js exits if no event handler is pending
    if (code === 0 && !go.exited) { // deadlock: make Go print its error and stack traces
      go._pendingEvent = { id: 0 };
      go._resume();
    }
  });
  return go.run(result.instance);
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
