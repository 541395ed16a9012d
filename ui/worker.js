// One engine per Web Worker: the Go wasm build of the engine (wasm/main_js.go) runs here, off
// the page's thread. Messages in: {id, method, args}; out: {id, result} | {id, error} |
// {id, progress} (samples done, for accumulate); {method: 'cancel', args: [id]} stops the
// accumulate or signSamples of message id between two chunks or images (it then rejects).
// memoryBytes answers the size of the wasm memory; kernel, which GEMM kernel runs (kernel.js). The worker's name is a list of words:
// 'kernel=go' leaves the SIMD kernel out (for comparisons); 'gpu' opens a WebGPU device
// (webgpu.js) before the engine starts, for the engine's webgpu backend.
importScripts('wasm_exec.js', 'kernel.js', 'webgpu.js');

const words = self.name.split(' ');
const useKernel = !words.includes('kernel=go');

// The kernel modules' bytes, or null where one cannot be fetched.
async function kernelModules() {
  const get = (url) => fetch(url).then((r) => (r.ok ? r.arrayBuffer() : null)).catch(() => null);
  const [relaxed, simd] = await Promise.all([get('sgemm-relaxed.wasm'), get('sgemm-simd.wasm')]);
  return { relaxed: relaxed && new Uint8Array(relaxed), simd: simd && new Uint8Array(simd) };
}

const ready = new Promise((resolve) => { self.onGradsignEngine = resolve; });
// The page compiles the engine once, while it downloads, and sends every worker the compiled
// module as the first message ({module}: a WebAssembly.Module, or null where the page could
// not compile it; then the worker fetches and compiles it itself).
const compiled = new Promise((resolve) => {
  self.addEventListener('message', (event) => resolve(event.data.module ?? null), { once: true });
});
const go = new Go();
const started = (async () => {
  const kernels = useKernel ? kernelModules() : null; // fetched while the engine compiles
  let instance;
  const module = await compiled;
  if (module) {
    instance = await WebAssembly.instantiate(module, go.importObject);
  } else {
    try {
      ({ instance } = await WebAssembly.instantiateStreaming(fetch('gradsign.wasm'), go.importObject));
    } catch (err) { // a server without application/wasm, or a cache that lost the type
      const bytes = await (await fetch('gradsign.wasm')).arrayBuffer();
      ({ instance } = await WebAssembly.instantiate(bytes, go.importObject));
    }
  }
  self.gradsignKernelKind = useKernel ? installGradsignKernel(instance.exports.mem, await kernels) : 'go';
  if (words.includes('gpu')) {
    try {
      await self.gradsignGPU.init();
    } catch (err) { // no device: the engine's webgpu backend says so when asked
      console.warn(`WebGPU: ${err.message}`);
    }
  }
  go.run(instance);
  await ready;
  return self.gradsignEngine;
})();

self.onmessage = async (event) => {
  if ('module' in event.data) return; // the first message: taken by compiled
  const { id, method, args } = event.data;
  try {
    const engine = await started;
    if (method === 'memoryBytes') { // the wasm linear memory: what the engine has taken so far
      self.postMessage({ id, result: go._inst.exports.mem.buffer.byteLength });
      return;
    }
    if (method === 'kernel') {
      self.postMessage({ id, result: self.gradsignKernelKind });
      return;
    }
    if (typeof engine[method] !== 'function') throw new Error(`unknown engine method ${method}`);
    // accumulate and signSamples get their message id as their job number, which a later
    // cancel message names; they and race report progress as they go.
    const progress = (...p) => self.postMessage({ id, progress: p.length > 1 ? p : p[0] });
    const callArgs = method === 'accumulate' || method === 'signSamples' ? [...args, progress, id]
      : method === 'race' ? [...args, progress] : args;
    const result = await engine[method](...callArgs);
    self.postMessage({ id, result }, result instanceof Uint8Array ? [result.buffer] : []);
  } catch (err) {
    self.postMessage({ id, error: String((err && err.message) || err) });
  }
};
