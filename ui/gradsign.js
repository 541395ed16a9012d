// window.gradsign: the one JavaScript API of the engine, for the page, power users and tests.
//
//   gradsign.ready                          Promise, resolved when the engines are loaded
//   gradsign.score({arch, n, seed, proxies}, onProgress)
//                                           -> Promise<{arch, gradsign, params, flops, n, seed,
//                                              seconds, layers, index, accuracy, percentile, cached,
//                                              proxies}>
//                                           GradSign always; `proxies` may add the mini-batch
//                                           baselines (gradsign.proxyNames), for n <= 32
//   gradsign.lookup(archOrIndex)            -> Promise<{index, arch, params, flops, accuracy}>
//   gradsign.cancel()                       stops a running score (its Promise rejects)
//   gradsign.reference(n)                   -> Promise<[{index, arch, gradsign, accuracy}]>
//   gradsign.thumbnails(n)                  -> Promise<{rgba, labels}>
//   gradsign.memory()                       -> Promise<[bytes of wasm memory per worker]>
//   gradsign.kernel()                       -> Promise<'wasm-relaxed-simd' | 'wasm-simd128' | 'go'>:
//                                              the GEMM kernel the engines run (?kernel=go forces Go's)
//   gradsign.gemmRate(ms)                   -> Promise<{kernel, gflops}>: that kernel's speed
//   gradsign.history.list() / .clear() / .export('csv' | 'json')
//
// Scoring runs in a pool of Web Workers (one wasm engine each). The n images of one score are
// split across them, each returns its sign accumulators, and one engine adds them up. Results
// are kept in IndexedDB under a key of everything that determines them, so a repeated request
// is answered from there. The page never does the arithmetic itself.

const PROXIES = ['gradsign', 'grad_norm', 'snip', 'grasp', 'fisher', 'synflow', 'jacob_cov', 'naswot', 'plain'];
const MAX_WORKERS = 16;

class Engine {
  constructor(files) {
    const kernel = new URLSearchParams(location.search).get('kernel') === 'go' ? '?kernel=go' : '';
    this.worker = new Worker(new URL(`worker.js${kernel}`, import.meta.url));
    this.pending = new Map();
    this.next = 0;
    this.worker.onmessage = (e) => {
      const { id, result, error, progress } = e.data;
      const p = this.pending.get(id);
      if (!p) return;
      if (progress !== undefined) { p.onProgress?.(progress); return; }
      this.pending.delete(id);
      if (error !== undefined) p.reject(new Error(error)); else p.resolve(result);
    };
    this.worker.onerror = (e) => this.fail(new Error(`engine worker failed: ${e.message}`));
    this.ready = this.call('init', [files]);
  }

  call(method, args, onProgress) {
    return new Promise((resolve, reject) => {
      const id = this.next++;
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, method, args });
    });
  }

  fail(err) {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  terminate(reason) {
    this.worker.terminate();
    this.fail(reason);
  }
}

async function bytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function loadFiles() {
  const [version, cifar, table, reference] = await Promise.all([
    fetch('version.json').then((r) => r.json()),
    bytes('assets/cifar10_test_first1000.bin'),
    bytes('assets/nb201.csv.gz'),
    bytes('assets/reference.json'),
  ]);
  return { version: version.version, cifar, table, reference };
}

// One worker per core; a page URL with ?workers=K asks for K (for benchmarks and slow machines).
const askedWorkers = Number(new URLSearchParams(location.search).get('workers'));
const poolSize = Math.max(1, Math.min(Number.isInteger(askedWorkers) && askedWorkers > 0 ? askedWorkers : (navigator.hardwareConcurrency || 2), MAX_WORKERS));
const files = loadFiles();
let pool = null;

// engines starts the pool (again, after a cancel) and resolves when every engine is ready.
async function engines() {
  if (!pool) {
    const f = await files;
    pool = Array.from({ length: poolSize }, () => new Engine(f));
  }
  const p = pool;
  await Promise.all(p.map((e) => e.ready));
  return p;
}

async function first() { return (await engines())[0]; }

function checkRequest({ arch, n = 16, seed = 0, proxies = ['gradsign'] } = {}) {
  if (typeof arch !== 'string') throw new Error('score: arch must be a NAS-Bench-201 arch string');
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`score: n = ${n}: want a whole number of images from 1 to 1000 (the bundled set)`);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`score: seed = ${seed}: want a whole number from 0`);
  for (const p of proxies) {
    if (!PROXIES.includes(p)) throw new Error(`score: unknown proxy "${p}": available: ${PROXIES.join(', ')}`);
  }
  const others = PROXIES.filter((p) => p !== 'gradsign' && proxies.includes(p));
  return { arch, n, seed, others };
}

async function score(request, onProgress) {
  const { arch, n, seed, others } = checkRequest(request);
  const all = await engines();
  const key = await all[0].call('historyKey', [{ arch, n, seed, proxies: ['gradsign', ...others] }]);
  const cached = await all[0].call('historyGet', [key]);
  if (cached) return { ...cached, cached: true };

  const start = performance.now();
  const k = Math.min(all.length, n);
  const done = new Array(k).fill(0);
  const report = () => {
    const total = done.reduce((a, b) => a + b, 0);
    onProgress?.({ done: total, total: n, seconds: (performance.now() - start) / 1000 });
  };
  const parts = await Promise.all(all.slice(0, k).map((engine, i) => {
    const from = Math.floor((i * n) / k);
    const to = Math.floor(((i + 1) * n) / k);
    return engine.call('accumulate', [{ arch, seed, from, to }], (d) => { done[i] = d; report(); });
  }));
  const result = await all[0].call('finish', [{ arch, seed, n }, parts]);
  if (others.length) {
    onProgress?.({ done: n, total: n, seconds: (performance.now() - start) / 1000, stage: `computing ${others.join(', ')}` });
    result.proxies = await all[0].call('proxies', [{ arch, seed, n, names: others }]);
  }
  const record = {
    ...result,
    seconds: (performance.now() - start) / 1000,
    workers: k,
    time: new Date().toISOString(),
    key,
  };
  await all[0].call('historyPut', [record]);
  return { ...record, cached: false };
}

// cancel stops every engine; the running score rejects, and the next call starts fresh ones.
function cancel() {
  if (!pool) return;
  const p = pool;
  pool = null;
  for (const e of p) e.terminate(new Error('cancelled'));
}

export const gradsign = {
  ready: engines().then(() => undefined),
  workers: poolSize,
  proxyNames: PROXIES,
  score,
  cancel,
  lookup: async (q) => (await first()).call('lookup', [String(q)]),
  reference: async (n) => (await first()).call('reference', [n]),
  thumbnails: async (n) => (await first()).call('thumbnails', [n]),
  // memory: the wasm memory of each engine, in bytes (Go's heap only grows).
  memory: async () => Promise.all((await engines()).map((e) => e.call('memoryBytes', []))),
  kernel: async () => (await engines())[0].call('kernel', []),
  // gemmRate: the first engine's float32 kernel and its GFLOP/s on a convolution's product.
  gemmRate: async (ms = 300) => (await engines())[0].call('gemmRate', [ms]),
  history: {
    list: async () => (await first()).call('historyList', []),
    clear: async () => (await first()).call('historyClear', []),
    export: async (format) => (await first()).call('historyExport', [format]),
  },
};

window.gradsign = gradsign;
