// One engine per Web Worker: the Go wasm build of the engine (wasm/main_js.go) runs here, off
// the page's thread. Messages in: {id, method, args}; out: {id, result} | {id, error} |
// {id, progress} (samples done, for accumulate). memoryBytes answers the size of the wasm
// memory.
importScripts('wasm_exec.js');

const ready = new Promise((resolve) => { self.onGradsignEngine = resolve; });
const go = new Go();
const started = (async () => {
  let instance;
  try {
    ({ instance } = await WebAssembly.instantiateStreaming(fetch('gradsign.wasm'), go.importObject));
  } catch (err) { // a server without application/wasm, or a cache that lost the type
    const bytes = await (await fetch('gradsign.wasm')).arrayBuffer();
    ({ instance } = await WebAssembly.instantiate(bytes, go.importObject));
  }
  go.run(instance);
  await ready;
  return self.gradsignEngine;
})();

self.onmessage = async (event) => {
  const { id, method, args } = event.data;
  try {
    const engine = await started;
    if (method === 'memoryBytes') { // the wasm linear memory: what the engine has taken so far
      self.postMessage({ id, result: go._inst.exports.mem.buffer.byteLength });
      return;
    }
    if (typeof engine[method] !== 'function') throw new Error(`unknown engine method ${method}`);
    const callArgs = method === 'accumulate'
      ? [...args, (done) => self.postMessage({ id, progress: done })]
      : args;
    const result = await engine[method](...callArgs);
    self.postMessage({ id, result }, result instanceof Uint8Array ? [result.buffer] : []);
  } catch (err) {
    self.postMessage({ id, error: String((err && err.message) || err) });
  }
};
