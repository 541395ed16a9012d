// window.gradsign: the one JavaScript API of the engine, for the page, power users and tests.
//
//   gradsign.ready                          Promise, resolved when the engines are loaded
//   gradsign.score({space, arch, channels, n, seed, proxies, backend}, onProgress)
//                                           -> Promise<{arch, gradsign, params, flops, n, seed, backend,
//                                              adapter,
//                                              seconds, layers: [{name, weights, score, agreement,
//                                              chance, excess, structural_zeros}], chance, chance_score,
//                                              above_chance, index, accuracy, percentile, rank:
//                                              {gradsign, accuracy, of}, cached, proxies,
//                                              proxyRanks: {name: {rank, of, percentile}} (each
//                                              proxy among the reference set's at this N),
//                                              proxyError (when the proxies failed: GradSign stands)}>
//                                           onProgress({done, total, seconds, stage}) as the
//                                           images go by, {waiting: true} once while another
//                                           tab of the page scores (one score at a time per
//                                           browser: navigator.locks).
//                                           GradSign always; `proxies` may add the mini-batch
//                                           baselines, each up to its maxN (gradsign.facts()).
//                                           The request is checked before any work. backend:
//                                           'auto' (default: WebGPU where an adapter exists and
//                                           passes the self-check, else wasm), 'webgpu' or 'wasm';
//                                           the result says which ran ('webgpu' | 'wasm').
//                                           Should WebGPU fail during an auto score, the
//                                           score runs again on wasm, its result has
//                                           fellBack: the GPU's error, and auto stays wasm.
//   gradsign.backends()                     -> Promise<{webgpu: {adapter, software, check: {ok, cpu,
//                                              other, relDiff, skipped}, failed (the error, once it
//                                              failed a score)} | null, auto: 'webgpu' | 'wasm'}>:
//                                              auto passes a software adapter by (check.skipped)
//                                              unless the URL has ?softwaregpu=1
//   gradsign.facts()                        -> Promise<{ops, edges, proxies: [{name, maxN}], numArchs,
//                                              images, nChoices, maxSeed, datasets}>
//   gradsign.check({arch, n, seed, proxies}) -> Promise: rejects with what is wrong, if anything
//                                           space: 'nb201' (default), 'nb101', 'darts' or 'nds'; arch in
//                                           that space's terms (an arch string; a cell "DIGITS ops|...",
//                                           hash or row; a genotype, name or row); channels: the
//                                           network's width, 0 (default) the benchmark's own.
//   gradsign.lookup(archOrIndex | {space, arch, channels}) -> Promise<{space, index, arch, hash,
//                                              channels, params, flops, accuracy, truth,
//                                              structuralZeros, memory, engines}>
//   gradsign.loadModel(bytes, {allowFolded}) -> Promise<{id, input, size, ops, nodes: [{op, shape,
//                                              params, layer, detail}], notes, folded}>: an ONNX
//                                              file, read by every engine; then score {space:
//                                              'onnx', arch: id, init} (init: weights drawn from
//                                              the seed instead of the file's)
//   gradsign.spaceReference(space)          -> Promise<{network, channels, n, seed, metric, points:
//                                              [{row, gradsign, params, accuracy}], spearman}>
//   gradsign.cancel()                       stops every running score: its Promise rejects at once
//   gradsign.reference(n)                   -> Promise<{points: [{index, arch, gradsign, params, accuracy}],
//                                              spearman: {gradsign, params}}>: the reference set at N
//   gradsign.thumbnails(n)                  -> Promise<{rgba, labels}>
//   gradsign.race({algo, runs, seed, budget, candidates, chargeScoring}, onRun) -> Promise: NAS on
//                                              the benchmark, vanilla against GradSign-assisted
//                                              (chargeScoring: simulated seconds per GradSign score,
//                                              default 0); onRun({run, vanilla, gradsign, soFar}) per
//                                              run, each side {index, arch, evaluated, scored,
//                                              seconds, accuracy, curve}, soFar the runs ended:
//                                              {runs, vanilla and gradsign: {mean, q1, q3} per grid
//                                              point, final: {vanilla, gradsign, gap, se, low, high,
//                                              runsToSignificance}}
//   gradsign.proxyRankings()                -> Promise<{architectures, correlations: [{proxy,
//                                              spearman, kendall_tau_b, top10_precision,
//                                              non_finite}], run}>: the 1,000 sample, N=128
//   gradsign.explore({proxy, dataset, ranks, k}) -> Promise<{proxy, architectures, nonFinite,
//                                              index, x, y (sorted by x), positive, spearman, top:
//                                              {k, mean, best, bestK, allMean, bestOverall}}>
//   gradsign.trainingCost(index)            -> Promise<{seconds200, seconds12, spaceSeconds200,
//                                              architectures}>: NAS-Bench-201's training time of
//                                              one architecture and of the whole space (GPU s)
//   gradsign.wholeSpace()                   -> Promise<{n, seed, scored, scores: Float32Array (NaN where
//                                              not yet scored), accuracy: {cifar10, cifar100,
//                                              imagenet16: Float32Array}, spearman: {...}}>: GradSign
//                                              of every NAS-Bench-201 index (N=128, seed 0)
//   gradsign.memory()                       -> Promise<[bytes of wasm memory per worker]>
//   gradsign.kernel()                       -> Promise<'wasm-relaxed-simd' | 'wasm-simd128' | 'go'>:
//                                              the GEMM kernel the engines run (?kernel=go forces Go's)
//   gradsign.signSamples({space, arch, channels, seed, n, k}, onRow) -> Promise<{layer, weights, signs,
//                                              sums, score, agreement, chance}>; a score started
//                                              meanwhile stops it (rejects, Cancelled)
//   gradsign.gemmRate(ms)                   -> Promise<{kernel, gflops}>: that kernel's speed
//   gradsign.history.list({offset, limit}) -> Promise<{records, total, skipped, unavailable}>: summaries
//                                              (no per-layer rows), newest first
//   gradsign.history.get(key) -> the whole record / .put(record | records) / .clear() / .take()
//                                           (clear, answering the records whole) / .export('csv' |
//                                           'json') -> Blob / .watch(f): f({unavailable}) once per
//                                           reason history stopped working, f({changed}) when
//                                           another tab changed it (ui/history.js)
//
// Scoring runs in a pool of Web Workers (one wasm engine each). On the wasm backend the n
// images of one score are split across them, each returns its sign accumulators, and one engine
// adds them up; on WebGPU the first worker, which holds the GPU device, takes all n. Results
// are kept in IndexedDB under a key of everything that determines them, so a repeated request
// is answered from there; history is optional (a browser without IndexedDB, or a failing one,
// still scores). The page never does the arithmetic itself.

import * as history from './history.js';

const MAX_WORKERS = 16;

class Engine {
  constructor(files, gpu) {
    // The worker's name carries the page's ?kernel=go (a query string on the worker's URL
    // would not survive the service worker's cache) and whether it opens the GPU.
    const kernel = new URLSearchParams(location.search).get('kernel') === 'go' ? 'kernel=go' : '';
    const name = [kernel, gpu ? 'gpu' : ''].filter(Boolean).join(' ');
    this.worker = new Worker(new URL('worker.js', import.meta.url), { name });
    engineModule.then((module) => this.worker.postMessage({ module }));
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
    // The worker starts at once (fetching and compiling the engine) while the files load.
    this.ready = files.then((f) => this.call('init', [f]));
  }

  call(method, args, onProgress) { return this.start(method, args, onProgress).promise; }

  // start sends a call and returns its message id (which a cancel message names) and Promise.
  start(method, args, onProgress) {
    const id = this.next++;
    const promise = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, method, args });
    });
    return { id, promise };
  }

  // cancel stops call id at its next chunk or image (accumulate, signSamples), if it has not
  // settled yet.
  cancel(id) {
    if (this.pending.has(id)) this.worker.postMessage({ id: -1, method: 'cancel', args: [id] });
  }

  fail(err) {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

async function bytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function loadFiles() {
  const [version, cifar, table, reference, space] = await Promise.all([
    fetch('version.json').then((r) => r.json()),
    bytes('assets/cifar10_test_first128.bin'),
    bytes('assets/nb201.csv.gz'),
    bytes('assets/reference.json'),
    bytes('assets/nb201_space.bin'),
  ]);
  return { version: version.version, cifar, table, reference, space };
}

// The engine, compiled once while it downloads (streaming), for every worker (a worker whose
// module is null compiles its own: a server that does not send application/wasm).
const engineModule = WebAssembly.compileStreaming(fetch('gradsign.wasm')).catch(() => null);

// The bundled CIFAR-10 test images: the first 128 (every N the page offers: 393 KB) come at
// load, the other 872 when a request asks for more than 128.
const FIRST_IMAGES = 128;
let moreImages = null;

// imagesFor makes sure every engine holds the first n images (as far as the bundled 1,000 go).
function imagesFor(n) {
  if (!(n > FIRST_IMAGES)) return undefined;
  moreImages ??= (async () => {
    const b = await bytes('assets/cifar10_test_rest872.bin');
    await Promise.all((await engines()).map((e) => e.call('addImages', [b])));
  })().catch((err) => { moreImages = null; throw err; });
  return moreImages;
}

// The other spaces' tables and reference scores (290 KB, and a second of each engine's time to
// read and check): loaded into every engine when a call first names one of those spaces.
const TABLE_SPACES = new Set(['nb101', 'darts', 'nds']);
let spaceTables = null;

function tablesFor(space) {
  if (!TABLE_SPACES.has(space)) return undefined;
  spaceTables ??= (async () => {
    const [nb101, nb301, spaceRefs] = await Promise.all([
      bytes('assets/nb101_1000.csv.gz'), bytes('assets/nb301_1218.csv.gz'), bytes('assets/reference_spaces.json')]);
    await Promise.all((await engines()).map((e) => e.call('loadSpaces', [{ nb101, nb301, spaceRefs }])));
  })().catch((err) => { spaceTables = null; throw err; });
  return spaceTables;
}

// One worker per core; a page URL with ?workers=K asks for K (for benchmarks and slow machines).
const askedWorkers = Number(new URLSearchParams(location.search).get('workers'));
const poolSize = Math.max(1, Math.min(Number.isInteger(askedWorkers) && askedWorkers > 0 ? askedWorkers : (navigator.hardwareConcurrency || 2), MAX_WORKERS));

// The pool: made once, for the page's life. A cancelled score stops its workers' jobs between
// two chunks; the workers stay.
const files = loadFiles();
const pool = Array.from({ length: poolSize }, (_, i) => new Engine(files, i === 0));
const engines = async () => {
  await Promise.all(pool.map((e) => e.ready));
  return pool;
};
const first = async () => (await engines())[0];
// facts: the engine's one source of ops, edges, proxies and their N limits, N choices, seeds.
const facts = first().then((e) => e.call('facts', []));

// backends: the first worker's WebGPU device, if any, and the self-check that decides 'auto':
// a small network with every kind of operation scored on WebGPU and on wasm, equal within 0.1%.
// A software adapter (SwiftShader: the CPU standing in for a GPU, 117 s for a score the wasm
// engine does in 4) is passed by unless the page's URL asks for it with ?softwaregpu=1; a
// request for backend 'webgpu' still runs on it.
let backendsOnce = null;
function backends() {
  backendsOnce ??= (async () => {
    const e = await first();
    const gpu = await e.call('gpu', []);
    if (!gpu) return { webgpu: null, auto: 'wasm' };
    if (gpu.software && new URLSearchParams(location.search).get('softwaregpu') !== '1') {
      return { webgpu: { adapter: gpu.adapter, software: true, check: { ok: false, skipped: 'a software adapter' } }, auto: 'wasm' };
    }
    let check;
    try {
      check = await e.call('checkBackend', ['webgpu']);
    } catch (err) {
      check = { ok: false, error: err.message };
    }
    return { webgpu: { adapter: gpu.adapter, software: gpu.software, check }, auto: check.ok ? 'webgpu' : 'wasm' };
  })();
  return backendsOnce;
}

// backendFor resolves a request's backend to 'webgpu' or 'wasm', or says what is wrong.
async function backendFor(asked) {
  if (asked === 'wasm') return 'wasm';
  if (asked !== 'auto' && asked !== 'webgpu') throw new Error(`backend ${JSON.stringify(asked)}: want 'auto', 'webgpu' or 'wasm'`);
  const b = await backends();
  if (asked === 'auto') return b.auto;
  if (!b.webgpu) throw new Error("backend 'webgpu': this browser offers no WebGPU adapter (navigator.gpu); use 'wasm' or 'auto'");
  return 'webgpu';
}

// The scores running now: cancel settles each at once.
const running = new Set();

class Cancelled extends Error {
  constructor() { super('cancelled'); this.name = 'Cancelled'; }
}

// score checks the whole request with the engine before any work (a proxy over its N limit,
// a seed outside 0..2^53-1, a malformed arch), answers from history when it can, and otherwise
// splits the images across the workers and adds up their sign accumulators.
// callback checks that a callback is a function or absent (a number there would throw, later
// and uncaught, in the worker's message handler).
function callback(name, f) {
  if (f != null && typeof f !== 'function') throw new Error(`${name} must be a function or left out, not ${typeof f}`);
}

// checkShape refuses a request that is not an object of the right kinds before anything reads
// it (a huge array-like proxies list would hold an engine for minutes).
function checkShape(what, request) {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new Error(`${what}: want a request object {space, arch, channels, n, seed, proxies, backend}`);
  }
  const { proxies } = request;
  if (proxies !== undefined && (!Array.isArray(proxies) || proxies.length > MAX_PROXY_NAMES || !proxies.every((p) => typeof p === 'string'))) {
    throw new Error(`${what}: proxies must be an array of at most ${MAX_PROXY_NAMES} proxy names (gradsign.facts().proxies)`);
  }
}

const MAX_PROXY_NAMES = 32; // as the engine's (wasm/main_js.go)

function score(request, onProgress) {
  stopSigns(); // the sign view is a picture of the last result; a score needs every worker now
  try {
    callback('score: onProgress', onProgress);
    checkShape('score', request);
  } catch (err) { return Promise.reject(err); }
  let reject;
  const ticket = { jobs: [], cancelled: false };
  const settled = new Promise((_, r) => { reject = r; });
  ticket.cancel = () => {
    ticket.cancelled = true;
    ticket.onCancel?.();
    for (const { engine, id } of ticket.jobs) engine.cancel(id);
    reject(new Cancelled());
  };
  running.add(ticket);
  const work = run(request, onProgress, ticket).finally(() => running.delete(ticket));
  work.catch(() => {}); // a cancelled run's own rejection is not the caller's
  return Promise.race([work, settled]);
}

async function run(request, onProgress, ticket) {
  const { arch, n = 16, seed = 0, proxies = ['gradsign'], space = 'nb201', channels = 0 } = request ?? {};
  const all = await engines();
  await Promise.all([imagesFor(n), tablesFor(space)]);
  if (typeof arch !== 'string') throw new Error("score: arch must be a string: the architecture in its space's terms");
  const net = { space, arch, channels, ...(request.init ? { init: true } : {}) };
  await all[0].call('check', [{ ...net, n, seed, proxies }]);
  const info = await all[0].call('lookup', [net]);
  const asked = request.backend ?? 'auto';
  const backend = await backendFor(asked);
  const others = (await facts).proxies.map((p) => p.name).filter((p) => p !== 'gradsign' && proxies.includes(p));
  const key = await all[0].call('historyKey', [{ ...net, n, seed, proxies: ['gradsign', ...others], backend }]);
  const cached = await history.get(key);
  if (cached) return { ...cached, cached: true };
  if (ticket.cancelled) throw new Cancelled();
  const job = { all, net, n, seed, others, info, onProgress, ticket };
  return oneAtATime(ticket, () => onProgress?.({ done: 0, total: n, seconds: 0, waiting: true }), async () => {
    try {
      return await compute(job, backend, key);
    } catch (err) {
      if (backend !== 'webgpu' || asked !== 'auto' || ticket.cancelled) throw err;
      // The GPU passed its self-check but failed now (a lost device, say): auto moves to wasm,
      // for this score and the page's next ones, and the result says why.
      const b = await backends();
      b.auto = 'wasm';
      b.webgpu.failed = err.message;
      const wasmKey = await all[0].call('historyKey', [{ ...net, n, seed, proxies: ['gradsign', ...others], backend: 'wasm' }]);
      return { ...(await compute(job, 'wasm', wasmKey)), fellBack: err.message };
    }
  });
}

// oneAtATime runs f holding this origin's one scoring lock (the Web Locks API), so that two
// tabs of the page never score at once: each has its own pool of workers, one per core, and
// two scores side by side would each run at half speed on an oversubscribed CPU. While another
// tab holds the lock, waiting() is called once and the score waits; Cancel ends the wait.
// (A browser without navigator.locks scores at once.)
async function oneAtATime(ticket, waiting, f) {
  if (!navigator.locks) return f();
  const now = await navigator.locks.request(SCORE_LOCK, { ifAvailable: true }, async (lock) => (lock ? { value: await f() } : null));
  if (now) return now.value;
  if (ticket.cancelled) throw new Cancelled();
  waiting();
  const abort = new AbortController();
  ticket.onCancel = () => abort.abort();
  try {
    return await navigator.locks.request(SCORE_LOCK, { signal: abort.signal }, f);
  } catch (err) {
    if (ticket.cancelled) throw new Cancelled();
    throw err;
  }
}

const SCORE_LOCK = 'gradsign-score';

// compute scores a checked request on backend: the images split across the workers (WebGPU:
// the first takes them all), their sign accumulators added up, then the other proxies; the
// result kept in history under key.
async function compute({ all, net, n, seed, others, info, onProgress, ticket }, backend, key) {
  const adapter = backend === 'webgpu' ? (await backends()).webgpu.adapter : undefined;
  const start = performance.now();
  // Each engine holds the whole network: a large one runs on as many as the page can hold.
  const k = backend === 'webgpu' ? 1 : Math.min(all.length, n, info.engines);
  const done = new Array(k).fill(0);
  // report hands progress on: images done (stage undefined while GradSign runs), then the
  // proxies' stage; nothing once the score is cancelled (late worker messages).
  const report = (stage) => {
    if (ticket.cancelled) return;
    const total = done.reduce((a, b) => a + b, 0);
    onProgress?.({ done: total, total: n, seconds: (performance.now() - start) / 1000, ...(stage ? { stage } : {}) });
  };
  const parts = await Promise.all(all.slice(0, k).map((engine, i) => {
    const from = Math.floor((i * n) / k);
    const to = Math.floor(((i + 1) * n) / k);
    const job = engine.start('accumulate', [{ ...net, seed, from, to, backend: backend === 'webgpu' ? 'webgpu' : 'cpu' }], (d) => { done[i] = d; report(); });
    ticket.jobs.push({ engine, id: job.id });
    return job.promise;
  }));
  const result = await all[0].call('finish', [{ ...net, seed, n }, parts]);
  if (others.length) {
    report(`computing ${others.join(', ')}`);
    try {
      result.proxies = await all[0].call('proxies', [{ ...net, seed, n, names: others }]);
      result.proxyRanks = await all[0].call('proxyRanks', [{ space: net.space, n, values: result.proxies }]);
    } catch (err) { // GradSign's result stands; the proxies say what went wrong
      if (ticket.cancelled) throw new Cancelled();
      result.proxies = {};
      result.proxyError = err.message;
    }
  }
  if (ticket.cancelled) throw new Cancelled();
  const record = {
    ...result,
    seconds: (performance.now() - start) / 1000,
    workers: k,
    backend,
    ...(adapter ? { adapter } : {}),
    time: new Date().toISOString(),
    key,
  };
  // A result history cannot keep still shows; it says why it was not kept.
  let notKept;
  try { await history.put(record); } catch (err) { notKept = err.message; }
  return { ...record, cached: false, ...(notKept ? { notKept } : {}) };
}

// The sign view's pass while one runs ({cancelled, engine, id}): on the last worker, so that
// the first answers the editor's lookups meanwhile, and stopped by any score.
let signsJob = null;

function stopSigns() {
  if (!signsJob) return;
  signsJob.cancelled = true;
  signsJob.engine?.cancel(signsJob.id);
  signsJob = null;
}

// signSamples runs the sign view's pass (one at a time: a new one stops the last); a pass a
// score stopped rejects with an Error named 'Cancelled'.
function signSamples({ space = 'nb201', arch, channels = 0, seed = 0, n = 16, k = 32, init = false } = {}, onRow) {
  try {
    callback('signSamples: onRow', onRow);
  } catch (err) { return Promise.reject(err); }
  stopSigns();
  const job = { cancelled: false };
  signsJob = job; // at once: a score called next stops it even before it reaches a worker
  return (async () => {
    const all = await engines();
    await tablesFor(space);
    if (job.cancelled) throw new Cancelled();
    job.engine = all[all.length - 1];
    const call = job.engine.start('signSamples', [{ space, arch, channels, seed, n, k, ...(init ? { init: true } : {}) }], (p) => onRow?.(...p));
    job.id = call.id;
    try {
      return await call.promise;
    } catch (err) {
      throw job.cancelled ? new Cancelled() : err;
    } finally {
      if (signsJob === job) signsJob = null;
    }
  })();
}

// trainingEngine is the last worker, with the benchmark's training table loaded (the race and
// the training costs read it; scoring in the first worker goes on meanwhile).
async function trainingEngine() {
  const all = await engines();
  const e = all[all.length - 1];
  e.training ??= bytes('assets/nb201_training.csv.gz').then((b) => e.call('loadTraining', [b]));
  await e.training;
  return e;
}

// cancel stops every running score: each Promise rejects at once (with an Error named
// 'Cancelled'), and the workers drop their jobs at their next chunk.
function cancel() {
  for (const t of running) t.cancel();
}

export const gradsign = {
  ready: engines().then(() => undefined),
  workers: poolSize,
  // version: the build this page runs (a hash of all its files, from version.json).
  version: async () => (await files).version,
  // facts: {ops, edges, proxies: [{name, maxN}], numArchs, images, nChoices, maxSeed, datasets}
  facts: () => facts,
  check: async (request) => {
    checkShape('check', request);
    await Promise.all([imagesFor(request.n), tablesFor(request.space)]);
    return (await first()).call('check', [request]);
  },
  score,
  backends,
  cancel,
  // lookup: an arch string or index of NAS-Bench-201, or {space, arch, channels}.
  lookup: async (q) => {
    const query = typeof q === 'object' && q !== null ? q : String(q);
    await tablesFor(query.space);
    return (await first()).call('lookup', [query]);
  },
  // loadModel: an ONNX file's bytes (Uint8Array), read by every engine (nothing leaves the
  // machine); its info's id is the arch of {space: 'onnx', arch: id, init} afterwards.
  loadModel: async (bytes, { allowFolded = false } = {}) => {
    if (!(bytes instanceof Uint8Array)) throw new Error('loadModel: want the file\'s bytes as a Uint8Array');
    const infos = await Promise.all((await engines()).map((e) => e.call('loadModel', [bytes, { allowFolded }])));
    return infos[0];
  },
  // spaceReference: a space's reference scores (nb101, darts) as its results file has them.
  spaceReference: async (space) => {
    await tablesFor(space);
    return (await first()).call('spaceReference', [space]);
  },
  reference: async (n) => (await first()).call('reference', [n]),
  thumbnails: async (n) => (await first()).call('thumbnails', [n]),
  wholeSpace: async () => (await first()).call('wholeSpace', []),
  // race: `algo` vanilla against GradSign-assisted on the benchmark's tables, `runs` runs of
  // `budget` seconds, each run's {run, vanilla, gradsign, soFar} handed to onRun as it ends (in
  // the last worker, so that scoring in the first goes on).
  race: async (request, onRun) => {
    callback('race: onRun', onRun);
    return (await trainingEngine()).call('race', [request], onRun);
  },
  // proxyRankings: how every proxy ranks the 1,000-architecture sample (N=128) against
  // CIFAR-10 accuracy, as `gradsign eval --merge --json` computed it (assets/proxy_rankings.json).
  proxyRankings: async () => {
    const r = await fetch('assets/proxy_rankings.json');
    if (!r.ok) throw new Error(`assets/proxy_rankings.json: ${r.status}`);
    return r.json();
  },
  // explore: a proxy against the benchmark's accuracy, on the 1,000 sample (every proxy, N=128)
  // or the whole space ('space': GradSign), as values or ranks, with the top k it picks.
  explore: async (request) => {
    if (request === null || typeof request !== 'object' || Array.isArray(request)) throw new Error('explore: want a request object {proxy, dataset, ranks, k}');
    const e = await first();
    e.sample ??= bytes('assets/sample1000.csv').then((b) => e.call('loadSample', [b]));
    await e.sample;
    return e.call('explore', [request]);
  },
  // trainingCost: what NAS-Bench-201 spent training architecture index (200 epochs, in its
  // GPU seconds) and the whole space, from the race's training table.
  trainingCost: async (index) => (await trainingEngine()).call('trainingCost', [index]),
  // memory: the wasm memory of each engine, in bytes (Go's heap only grows).
  memory: async () => Promise.all((await engines()).map((e) => e.call('memoryBytes', []))),
  kernel: async () => (await engines())[0].call('kernel', []),
  // signSamples: the signs of each of the first n images' gradients at k weights of one layer,
  // each row handed to onRow(image, signs) as it is done: GradSign's idea, on a few weights.
  // A score stops it (it rejects, Cancelled): it never delays one.
  signSamples,
  // gemmRate: the first engine's float32 kernel and its GFLOP/s on a convolution's product.
  gemmRate: async (ms = 300) => (await engines())[0].call('gemmRate', [ms]),
  history: {
    list: history.list,
    get: history.get,
    put: history.put,
    clear: history.clear,
    take: history.take,
    export: async (format) => history.exportBlob(format, (await facts).proxies.map((p) => p.name)),
    watch: history.watch,
  },
};

window.gradsign = gradsign;
