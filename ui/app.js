// The page: an architecture editor, the data, a Score button, the result beside the benchmark,
// and the history. Everything it knows comes from window.gradsign (gradsign.js).
import { gradsign } from './gradsign.js';
import uPlot from './vendor/uPlot.esm.js';
import { $, el, fmt, compact } from './dom.js';
import { createSpaceEditor } from './spaces.js';
import { createModelEditor } from './onnx.js';
import { nearestPoint } from './plot.js';
import { setWholeSpace, drawSpace, markSpace } from './wholespace.js';
import { openRace, runRace, noteScoreTime, watchCharge } from './race.js';
import { startTour } from './tour.js';
import { openExplorer } from './explore.js';
import { createEstimator, sayEstimate } from './estimate.js';
import { drawLayers, miniBars } from './layers.js';
import { runBench } from './bench.js';
import { watchUpdates } from './updates.js';
import { createHistoryView } from './historyview.js';

// The engine's facts (gradsign.facts(): ops, edges, proxies and their N limits, index range, N
// choices, seed range) are the one source of these; main() fills them in before anything else.
let OPS = [];
let EDGES = []; // in arch-string order: [to, from]
let FACTS = null;
const OP_LABEL = { none: 'none', skip_connect: 'skip', nor_conv_1x1: 'conv 1×1', nor_conv_3x3: 'conv 3×3', avg_pool_3x3: 'avg pool' };
const OP_COLOR = { none: 'var(--none)', skip_connect: 'var(--skip)', nor_conv_1x1: 'var(--c1)', nor_conv_3x3: 'var(--c3)', avg_pool_3x3: 'var(--pool)' };
const NODE_XY = [[40, 100], [150, 100], [260, 100], [370, 100]];
// How far each edge's curve bows from the line of nodes (negative: above).
const EDGE_BOW = [0, -80, 0, -160, 80, 0];
const DEFAULT_ARCH = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

// space: the search space shown; nets: the architecture of each other space ({space, arch,
// channels} as the engine takes it), kept while another space is shown.
const state = { ops: [], n: 16, seed: 0, proxies: [], backend: 'auto', space: 'nb201', nets: {} };
const DEFAULT_NETS = { nb101: '0', darts: '0', nds: 'amoeba' };
// editor: the other spaces' editors (spaces.js).
let editor = null;
// models: the ONNX model editor (onnx.js).
let models = null;
// backendInfo: gradsign.backends() once known: the GPU's adapter and self-check, what auto picks.
let backendInfo = null;
let plot = null;

// parseOps reads an arch string into op numbers for the editor, or null; the engine is the
// authority on validity and gives the error messages.
function parseOps(s) {
  const m = s.trim().match(/^\|(\w+)~0\|\+\|(\w+)~0\|(\w+)~1\|\+\|(\w+)~0\|(\w+)~1\|(\w+)~2\|$/);
  if (!m) return null;
  const ops = m.slice(1).map((o) => OPS.indexOf(o));
  return ops.includes(-1) ? null : ops;
}

function archString(ops) {
  const e = ops.map((o) => OPS[o]);
  return `|${e[0]}~0|+|${e[1]}~0|${e[2]}~1|+|${e[3]}~0|${e[4]}~1|${e[5]}~2|`;
}


// --- the editor ---

function buildEditor() {
  const edges = $('edges');
  EDGES.forEach(([to, from], e) => {
    const select = el('select', { id: `edge-${e}`, 'data-edge': e });
    OPS.forEach((op, i) => select.append(el('option', { value: i }, OP_LABEL[op])));
    select.addEventListener('change', () => { state.ops[e] = Number(select.value); archChanged(); });
    edges.append(el('label', { for: `edge-${e}` }, `edge ${from} → ${to}`, select));
  });
  $('arch').addEventListener('input', () => {
    const ops = parseOps($('arch').value);
    if (ops) { state.ops = ops; archChanged({ keepText: true }); } else validateText();
  });
  $('index').addEventListener('change', () => { applyIndex(); });
  $('random').addEventListener('click', async () => {
    const info = await gradsign.lookup(Math.floor(Math.random() * FACTS.numArchs));
    state.ops = parseOps(info.arch);
    archChanged();
  });
}

// indexShown is the NAS-Bench-201 index the editor's cell has (the index field's value when
// the editor took it): a typed index that differs is applied before a score.
let indexShown = '';

// applyIndex puts the index typed in the field into the editor; it resolves to whether it
// could (an index out of range or not a number says why and keeps nothing of the last cell).
async function applyIndex() {
  const typed = $('index').value;
  // A number input holds "" for anything that is not a number ("abc", a cleared field).
  if (typed.trim() === '') { showArchError(`NAS-Bench-201 index: want a whole number from 0 to ${FACTS.numArchs - 1}`); forgetKnown(); return false; }
  try {
    const info = await gradsign.lookup(typed);
    if ($('index').value !== typed) return false; // typed over meanwhile: that one is applied
    state.ops = parseOps(info.arch);
    await archChanged();
    return true;
  } catch (err) { showArchError(err.message); forgetKnown(); return false; }
}

async function validateText() {
  try {
    await gradsign.lookup($('arch').value);
    showArchError('');
  } catch (err) {
    showArchError(err.message);
    // What the page said of the last cell is not this text's: gone, the index too.
    forgetKnown();
    $('index').value = '';
    indexShown = '';
  }
}

function showArchError(msg) {
  $('arch-error').textContent = msg;
  $('arch').setAttribute('aria-invalid', msg ? 'true' : 'false');
  updateScoreButton();
  // The diagram and the edges still show the last cell the engine took: greyed, not current.
  $('cell').classList.toggle('stale', !!msg);
  $('edges').classList.toggle('stale', !!msg);
  markStale();
}

// shown is the request of the result on the page ({space, arch, channels, n, seed}), null
// before the first.
let shown = null;

// markStale says, above the result, when the editor no longer holds what it was computed for
// (another architecture, N or seed, or none the engine takes).
function markStale() {
  if (!shown) return;
  const net = $('arch-error').textContent ? null : currentNet();
  const same = net && net.space === shown.space && net.arch === shown.arch && (net.channels ?? 0) === shown.channels
    && state.n === shown.n && state.seed === shown.seed;
  $('result-section').classList.toggle('stale', !same);
  $('result-stale').hidden = !!same;
  $('result-stale').textContent = same ? '' : `This result is of ${shown.name}, N = ${shown.n}, seed ${shown.seed}; the editor now holds ${net ? 'something else' : 'no architecture the engine takes'}. Press Score for what it holds.`;
}

function drawCell() {
  const svg = $('cell');
  svg.replaceChildren();
  EDGES.forEach(([to, from], e) => {
    const [x1, y1] = NODE_XY[from];
    const [x2, y2] = NODE_XY[to];
    const cx = (x1 + x2) / 2;
    const cy = y1 + EDGE_BOW[e];
    const apex = (y1 + 2 * cy + y2) / 4; // the curve's middle point
    const labelY = EDGE_BOW[e] > 0 ? apex + 14 : apex - 6;
    const op = OPS[state.ops[e]];
    const g = el('g', { class: 'edge', 'data-edge': e },
      el('title', {}, `edge ${from} → ${to}: ${op} (click to change)`),
      el('path', { class: 'hit', d: `M${x1},${y1} Q${cx},${cy} ${x2},${y2}` }),
      el('path', { d: `M${x1},${y1} Q${cx},${cy} ${x2},${y2}`, stroke: OP_COLOR[op], 'stroke-dasharray': op === 'none' ? '4 4' : '' }),
      el('text', { x: cx, y: labelY, 'text-anchor': 'middle', fill: OP_COLOR[op] }, OP_LABEL[op]));
    // A click or tap on an edge, or Enter or Space on it, gives it the next operation.
    const cycle = () => { state.ops[e] = (state.ops[e] + 1) % OPS.length; archChanged(); requestAnimationFrame(() => document.querySelector(`#cell [data-edge="${e}"]`)?.focus()); };
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
    g.setAttribute('aria-label', `edge ${from} → ${to}: ${OP_LABEL[op]}; press to change`);
    g.addEventListener('click', cycle);
    g.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); cycle(); } });
    svg.append(g);
  });
  linkEdgesToBars();
  NODE_XY.forEach(([x, y], i) => {
    svg.append(el('g', { class: 'node' }, el('circle', { cx: x, cy: y, r: 14 }), el('text', { x, y: y + 4, 'text-anchor': 'middle' }, String(i))));
  });
}

// loadArch puts an architecture picked elsewhere on the page (a plot's point, a race's result)
// into the editor and brings the editor into view.
function loadArch(arch) {
  state.ops = parseOps(arch);
  archChanged();
  $('arch-section').scrollIntoView({ behavior: 'smooth' });
}

async function archChanged({ keepText = false } = {}) {
  const arch = archString(state.ops);
  if (!keepText) $('arch').value = arch;
  EDGES.forEach((_, e) => { $(`edge-${e}`).value = state.ops[e]; });
  drawCell();
  showArchError('');
  saveURL();
  try {
    const info = await gradsign.lookup(arch);
    $('index').value = info.index;
    indexShown = String(info.index);
    showKnown(info);
  } catch (err) { showArchError(err.message); forgetKnown(); }
  updateEstimate();
}

// setSpace shows a search space's editor; the whole-space view and the race are NAS-Bench-201's.
async function setSpace(space) {
  state.space = space;
  $('space').value = space;
  const other = space !== 'nb201';
  $('nb201-editor').hidden = other;
  $('nb201-index').hidden = other;
  $('space-editor').hidden = !other || space === 'onnx';
  $('model-editor').hidden = space !== 'onnx';
  $('space-section').hidden = other;
  $('race-section').hidden = other;
  $('nb201-only').hidden = !other;
  document.querySelector('main').classList.toggle('other-space', other);
  if (!other) { await archChanged(); return; }
  if (space === 'onnx') {
    // A model is the person's file: nothing to show until one is read.
    if (models.net()) await netChanged(models.net());
    else { forgetKnown(); showArchError(''); updateEstimate(); }
    return;
  }
  editor.setSpace(space);
  await netChanged(state.nets[space] ?? { space, arch: DEFAULT_NETS[space], channels: 0 });
}

// The architecture the editors show now, as gradsign.score takes it.
function currentNet() {
  return state.space === 'nb201' ? { space: 'nb201', arch: archString(state.ops) } : state.nets[state.space];
}

// netChanged asks the engine about an architecture of another space (any form: a row, a name,
// the editor's text) and shows its answer, or what is wrong with it.
let netAsked = 0;
async function netChanged(net) {
  const asked = ++netAsked;
  state.nets[net.space] = net;
  saveURL();
  try {
    const info = await gradsign.lookup(net);
    if (asked !== netAsked) return;
    state.nets[net.space] = { space: net.space, arch: info.arch, channels: info.channels, ...(net.init ? { init: true } : {}) };
    if (net.space !== 'onnx') editor.show(info, net);
    saveURL();
    showArchError('');
    showKnown(info);
    // A network the browser cannot hold is refused now, with the estimate, not at Score.
    await gradsign.check({ ...state.nets[net.space], n: state.n, seed: state.seed, proxies: ['gradsign'] });
  } catch (err) {
    if (asked !== netAsked) return;
    showArchError(err.message);
    if (!/browser engine can hold/.test(err.message)) forgetKnown();
  }
  updateEstimate();
}

// forgetKnown clears what the page said of the previous architecture, once the editor holds
// one the engine refuses.
function forgetKnown() {
  lastInfo = null;
  $('known').replaceChildren();
}

// showKnown says at once what the benchmark knows of the architecture: no computing needed.
function showKnown(info) {
  lastInfo = info;
  if (info.space !== 'nb201') { showKnownOther(info); return; }
  markSpace(info);
  const acc = info.accuracy;
  $('known').replaceChildren(
    el('dt', {}, 'After 200 epochs of training'),
    el('dd', { id: 'known-accuracy' }, `CIFAR-10 ${fmt(acc.cifar10, 2)}% · CIFAR-100 ${fmt(acc.cifar100, 2)}% · ImageNet16-120 ${fmt(acc.imagenet16, 2)}%`),
    el('dt', {}, 'Size'),
    el('dd', { id: 'known-size' }, `${fmt(info.params)} parameters · ${fmt(info.flops / 1e6, 2)} M FLOPs per image`));
}

const SPACE_NAMES = { nb201: 'NAS-Bench-201', nb101: 'NAS-Bench-101', darts: 'DARTS', nds: 'NDS', onnx: 'your own' };

// showKnownOther is showKnown for the spaces beyond NAS-Bench-201.
function showKnownOther(info) {
  if (info.space === 'onnx') {
    $('known').replaceChildren(
      el('dt', {}, 'The benchmark says'),
      el('dd', { id: 'known-accuracy' }, 'nothing: your own network is in no benchmark, so its score stands alone (compare it with other networks of yours)'),
      el('dt', {}, 'Size'),
      el('dd', { id: 'known-size' }, `${fmt(info.params)} parameters · ${fmt(info.flops / 1e6, 1)} M FLOPs per image · ${fmt(info.memory / 2 ** 20)} MiB per engine to score`),
      el('dt', {}, 'Weights'),
      el('dd', { id: 'known-weights' }, info.init ? 'drawn from the seed with PyTorch\'s default initialisation per layer' : 'the file\'s'),
      el('dt', {}, 'Structural zeros'),
      el('dd', { id: 'known-zeros' }, info.structuralZeros > 0 ? `${fmt(info.structuralZeros)} weights' gradients are exactly zero (see the result)` : 'none found'));
    return;
  }
  const size = `${fmt(info.params)} parameters · ${fmt(info.flops / 1e6, 1)} M FLOPs per image · ${fmt(info.memory / 2 ** 20)} MiB per engine to score`;
  const table = info.space === 'nb101' ? 'the 1,000 NAS-Bench-101 cells shipped' : info.space === 'darts' ? 'the 1,218 NAS-Bench-301 genotypes shipped' : null;
  $('known').replaceChildren(
    el('dt', {}, 'The benchmark says'),
    el('dd', { id: 'known-accuracy' }, info.truth || (table ? `nothing: not among ${table}` : 'nothing: NDS ships no accuracies for its cells')),
    el('dt', {}, 'Size'),
    el('dd', { id: 'known-size' }, size),
    ...(info.space === 'nb101' ? [el('dt', {}, 'NAS-Bench-101 hash'), el('dd', { id: 'known-hash' }, `${info.hash}${info.index != null ? ` (row ${info.index} of the table)` : ''}`)] : []),
    ...(info.space === 'darts' && info.index != null ? [el('dt', {}, 'NAS-Bench-301 table'), el('dd', {}, `row ${info.index}`)] : []),
    el('dt', {}, 'Structural zeros'),
    el('dd', { id: 'known-zeros' }, info.structuralZeros > 0
      ? `${fmt(info.structuralZeros)} weights' gradients are exactly zero (see the result)`
      : 'none: every weight\'s gradient can be nonzero'));
}

// --- time, before and during a run ---

// The device's speed: the float32 kernel's rate on a convolution's product, measured at load
// and after each score, and the scores measured here (estimate.js turns them into estimates).
let gemm = null;
const estimator = createEstimator();
let lastInfo = null;

// idealSeconds is a score's arithmetic (6 × FLOPs × N) at the kernel's rate on the workers that
// take a share of it: null where there is no rate to count with (before it is measured, or on
// WebGPU). r is the editor's architecture (lookup's answer) or a result.
function idealSeconds(n, r, workers) {
  if (!gemm || !r || runsOn() === 'webgpu') return null;
  return (6 * r.flops * n) / (gemm.gflops * 1e9 * workers);
}

// estimate is what a score of the editor's architecture on n images should take here.
function estimate(n, info = lastInfo) {
  const work = idealSeconds(n, info, Math.min(gradsign.workers, n, info?.engines ?? Infinity));
  return work == null ? null : estimator.estimate(info.space ?? 'nb201', work);
}

// noteTime adds a score's measured time (of GradSign alone, on the wasm engine) to the estimates.
function noteTime(r) {
  const work = r.backend === 'wasm' && !Object.keys(r.proxies ?? {}).length && r.workers > 0 ? idealSeconds(r.n, r, r.workers) : null;
  if (work != null) estimator.note(r.space ?? 'nb201', work, r.seconds);
}

// noteHistoryTimes gives the estimates the times of the scores kept from earlier visits.
async function noteHistoryTimes() {
  const { records } = await gradsign.history.list({ limit: 100 });
  for (const r of records.reverse()) noteTime(r); // the newest noted last: first in the list
}

// runsOn is the backend a score would run on now: 'webgpu' or 'wasm' (auto's pick once known).
function runsOn() {
  if (state.backend !== 'auto') return state.backend;
  return backendInfo ? backendInfo.auto : 'wasm';
}

function updateEstimate() {
  const e = estimate(state.n);
  const space = SPACE_NAMES[lastInfo?.space ?? 'nb201'];
  $('estimate').textContent = e == null ? '' : `${sayEstimate(e).replace(/^./, (c) => c.toUpperCase())} on this device (${gradsign.workers} worker${gradsign.workers > 1 ? 's' : ''}, ${gemm.kernel} kernel at ${gemm.gflops.toFixed(1)} GFLOP/s; `
    + (e.measured ? `from the ${space} scores measured here).` : `a first guess: no ${space} score measured here yet).`);
}

// --- state in the URL ---

function saveURL() {
  const p = new URLSearchParams(location.search);
  const net = currentNet();
  if (state.space === 'nb201') p.delete('space'); else p.set('space', state.space);
  // A model is the person's file, which a URL cannot carry.
  if (net && state.space !== 'onnx') p.set('arch', net.arch); else p.delete('arch');
  if (net?.channels) p.set('channels', net.channels); else p.delete('channels');
  p.set('n', state.n);
  p.set('seed', state.seed);
  if (state.backend === 'auto') p.delete('backend'); else p.set('backend', state.backend);
  history.replaceState(null, '', `?${p}${location.hash}`); // the hash is the tour's step
  markStale();
}

// loadURL takes the page's state from its URL; a parameter it cannot use is named in the
// status line (with what the page uses instead), never dropped without a word.
function loadURL() {
  const p = new URLSearchParams(location.search);
  const ignored = [];
  const refuse = (name, want) => ignored.push(`${name}=${JSON.stringify(p.get(name)).slice(0, 40)} (${want})`);
  let space = p.get('space') ?? 'nb201';
  if (!FACTS.spaces.some((f) => f.name === space)) { refuse('space', `want ${FACTS.spaces.map((f) => f.name).join(', ')}`); space = 'nb201'; }
  // Another space's architecture and width; the engine checks both (a bad one is named).
  if (space !== 'nb201' && space !== 'onnx') state.nets[space] = { space, arch: p.get('arch') || DEFAULT_NETS[space], channels: Number(p.get('channels')) || 0 };
  state.space = space;
  if (space === 'nb201' && p.has('arch')) {
    const ops = parseOps(p.get('arch'));
    if (ops) state.ops = ops; else refuse('arch', 'not a NAS-Bench-201 arch string');
  }
  if (p.has('n')) {
    if (FACTS.nChoices.map(String).includes(p.get('n'))) state.n = Number(p.get('n')); else refuse('n', `want one of ${FACTS.nChoices.join(', ')}`);
  }
  if (p.has('seed')) {
    const seed = Number(p.get('seed'));
    if (/^\d+$/.test(p.get('seed')) && Number.isSafeInteger(seed)) state.seed = seed; else refuse('seed', `want a whole number from 0 to ${FACTS.maxSeed}`);
  }
  if (p.has('backend')) {
    if (['auto', 'webgpu', 'wasm'].includes(p.get('backend'))) state.backend = p.get('backend'); else refuse('backend', 'want auto, webgpu or wasm');
  }
  $('n').value = state.n;
  $('seed').value = state.seed;
  $('backend').value = state.backend;
  urlProblems = ignored.length ? `This link's ${ignored.join('; ')} ${ignored.length > 1 ? 'are' : 'is'} not used: the page shows its defaults there.` : '';
}

// urlProblems says which URL parameters loadURL could not use ('' when none).
let urlProblems = '';

// showBackends says which backends this browser offers and what auto picks, and keeps WebGPU
// from being chosen where there is no adapter.
function showBackends() {
  const gpu = backendInfo.webgpu;
  $('backend').querySelector('option[value=webgpu]').disabled = !gpu;
  if (!gpu && state.backend === 'webgpu') {
    state.backend = 'auto';
    $('backend').value = 'auto';
  }
  $('backend-status').textContent = !gpu
    ? 'No WebGPU adapter in this browser: scores run on the wasm engine (CPU).'
    : gpu.check.skipped
      ? `WebGPU: ${gpu.adapter} is a software adapter (the CPU standing in for a GPU, many times slower than the wasm engine), so auto runs on the wasm engine. Choose WebGPU to run on it anyway.`
    : gpu.failed
      ? `WebGPU: ${gpu.adapter} passed its self-check but then failed (${gpu.failed}): auto runs on the wasm engine.`
      : gpu.check.ok
        ? `WebGPU: ${gpu.adapter}. Its self-check agreed with the wasm engine (${(100 * gpu.check.relDiff).toFixed(3)}% apart), so auto runs on the GPU.`
        : `WebGPU: ${gpu.adapter}, but its self-check ${gpu.check.error ? `failed (${gpu.check.error})` : `disagreed with the wasm engine by ${(100 * gpu.check.relDiff).toFixed(2)}%`}: auto runs on the wasm engine.`;
}

// --- data ---

async function drawThumbs() {
  const { rgba, labels } = await gradsign.thumbnails(state.n);
  const names = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
  const box = $('thumbs');
  box.replaceChildren();
  labels.forEach((label, i) => {
    const canvas = el('canvas', { width: 32, height: 32, 'aria-hidden': 'true' });
    canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba.buffer, i * 4096, 4096), 32, 32), 0, 0);
    box.append(el('figure', { title: `image ${i}: ${names[label]}` }, canvas, el('figcaption', {}, names[label])));
  });
}

// --- scoring ---

let engineReady = false;
let limitProxies = () => {};

// scoring is true from a click on Score until its result shows: Score is disabled meanwhile,
// and Enter does nothing.
let scoring = false;

// updateScoreButton enables Score when the engine is ready, the editor holds an architecture it
// takes and a seed, and no score runs.
function updateScoreButton() {
  $('score').disabled = scoring || !engineReady || !!$('arch-error').textContent || !!$('seed-error').textContent;
}

async function runScore() {
  if (scoring) return;
  scoring = true;
  updateScoreButton();
  try {
    await scoreEditor();
  } finally {
    scoring = false;
    updateScoreButton();
  }
}

// scoreEditor scores what the editor shows, with the progress bar, the result and the history.
async function scoreEditor() {
  // Score acts on what the editor shows: an index typed and not yet applied (Enter, or a click
  // on Score, comes before the field's change is handled) is applied first.
  if (state.space === 'nb201' && $('index').value !== indexShown && !(await applyIndex())) return;
  if (!currentNet()) { showArchError('Read a model first: drop an .onnx file on the editor, pick one, or load an example.'); return; }
  const request = { ...currentNet(), n: state.n, seed: state.seed, proxies: ['gradsign', ...state.proxies], backend: state.backend };
  $('cancel').disabled = false;
  $('progress').value = 0;
  $('progress-text').textContent = runsOn() === 'webgpu' ? `Scoring on ${request.n} images on the GPU…` : `Scoring on ${request.n} images with ${gradsign.workers} workers…`;
  const expected = estimate(request.n);
  const guess = expected && Math.sqrt(expected.low * expected.high);
  // While the proxies run (one call, no progress of its own) the bar creeps on by the clock.
  let creep = null;
  let waited = false; // on another tab's score: this run's time is not the device's rate
  try {
    const r = await gradsign.score(request, ({ done, total, seconds, stage, waiting }) => {
      if (waiting) {
        waited = true;
        $('progress-text').textContent = 'Waiting: another tab of this page is scoring (one score at a time uses every core); this one starts when it ends.';
        return;
      }
      const share = request.proxies.length > 1 ? 0.8 : 1; // GradSign's part of the bar
      $('progress').value = share * done / total;
      if (stage) {
        $('progress-text').textContent = `GradSign done; ${stage}…`;
        creep ??= setInterval(() => { $('progress').value = Math.min(0.99, $('progress').value + 0.005); }, 250);
        return;
      }
      // Time left: the estimate made before the run, handed over to the measured rate as the
      // images go by, so the number does not swing when the workers report unevenly.
      const measured = done > 0 ? (seconds * (total - done)) / done : Infinity;
      const w = done / total;
      const left = guess == null ? measured : (1 - w) * Math.max(0, guess - seconds) + w * measured;
      $('progress-text').textContent = `${done} of ${total} images, ${seconds.toFixed(1)} s` + (done < total && Number.isFinite(left) ? `, about ${Math.ceil(left)} s left` : '');
    });
    $('progress').value = 1;
    $('progress-text').textContent = r.cached ? 'From history (computed earlier with the same arch, N, seed, images and engine).'
      : `Done in ${r.seconds.toFixed(2)} s.${r.notKept ? ` Not kept: ${r.notKept}.` : ''}`;
    if (!r.cached) noteScoreTime(r);
    if (!r.cached && !waited) {
      // The kernel's rate is timed again, and the sign view waits for it (nothing else may run
      // meanwhile): at load the browser still runs its quick first compile of the kernel, 3×
      // slower than the code it settles on. Then this score's time joins the estimates.
      signsAfter = gradsign.gemmRate(200).then((rate) => { gemm = rate; noteTime(r); updateEstimate(); });
    }
    if (r.fellBack && backendInfo) showBackends();
    await showResult(r);
    // The result comes into view, unless the tour is showing the reader one of its figures.
    if ($('tour').hidden) $('result-section').scrollIntoView({ behavior: 'smooth', block: 'start' });
    await drawHistory();
  } catch (err) {
    $('progress-text').textContent = err.message === 'cancelled' ? 'Cancelled.' : `Error: ${err.message}`;
  } finally {
    clearInterval(creep);
    $('cancel').disabled = true;
  }
}


async function showResult(r) {
  $('result-section').hidden = false;
  const space = r.space ?? 'nb201';
  shown = { space, arch: r.arch, channels: space === 'nb201' ? 0 : (r.channels ?? 0), n: r.n, seed: r.seed, name: architectureName(r) };
  markStale();
  const byAccuracy = space === 'nb201' ? 'CIFAR-10 accuracy' : 'the benchmark\'s accuracy';
  // A model scored with its BatchNorms folded away (asked for) is not GradSign's network.
  const folded = space === 'onnx' && r.arch.endsWith('+folded');
  const unseen = r.weights > 0 && r.structural_zeros === r.weights;
  const rows = [
    [folded ? 'GradSign of the folded model' : 'GradSign', fmt(r.gradsign), 'big'],
    ...(folded ? [['Not comparable', 'Its BatchNorms were folded into its convolutions (an eval-mode export), so each image ran without the per-sample BatchNorm GradSign needs: the sign agreement of another network than the one GradSign scores. Export the model in training mode for its GradSign.', 'error']] : []),
    // Results kept by an earlier build have no chance level.
    ...(r.chance == null ? [] : [['Above chance', aboveChance(r)]]),
    // GradSign is size times agreement: what it adds to counting parameters is the agreement.
    ...(r.agreement == null ? [] : [['Per weight', `agreement ${fmt(r.agreement, 3)} (random signs ${fmt(r.chance, 3)}) over ${fmt(r.weights)} weights: GradSign = weights × N × agreement, so at the same agreement a network twice the size scores twice as much. Only the agreement says more than the parameter count does`]]),
    // A network whose every weight is a structural zero scores 0 whatever it is: its place
    // among the scores says nothing (DARTS genotypes the benchmark rates highly among them).
    ['Rank', unseen ? 'none: GradSign cannot see this network at initialisation (every weight\'s gradient is exactly zero, see below), so its 0 is not a low score and ranks nothing'
      : r.rank == null ? (space === 'nb201' ? 'no reference set at this N' : space === 'onnx' ? 'none: your own network is in no benchmark; compare scores of your networks at one N'
        : 'not comparable with the reference scores (see the scatter)')
        : `#${r.rank.gradsign} of ${r.rank.of} by GradSign${r.rank.accuracy ? `, #${r.rank.accuracy} of ${r.rank.of} by ${byAccuracy}` : ''} (the reference set and this one; above ${fmt(r.percentile, 1)}% of the reference architectures)`],
    ['Architecture', architectureName(r)],
    ['Parameters', `${fmt(r.params)} (${fmt(r.params / 1e6, 3)} M)`],
    ['FLOPs', `${fmt(r.flops / 1e6, 2)} M per image`],
    space === 'nb201'
      ? ['Benchmark test accuracy', `CIFAR-10 ${fmt(r.accuracy.cifar10, 2)}% · CIFAR-100 ${fmt(r.accuracy.cifar100, 2)}% · ImageNet16-120 ${fmt(r.accuracy.imagenet16, 2)}%`]
      : ['Benchmark', r.truth || 'not known to the benchmark'],
    ['Structural zeros', [r.structural_zeros > 0 ? `${fmt(r.structural_zeros)} weights given sign 0` : 'none',
      r.data_zeros > 0 ? `; ${fmt(r.data_zeros)} (image, weight) pairs exactly zero on that image's data, given sign 0 too` : ''].join('')],
    space === 'onnx'
      ? ['Images and weights', `${r.n} CIFAR-10 test images; ${r.init ? `weights drawn from seed ${r.seed}` : 'the file\'s weights'}`]
      : ['Images, seed', `${r.n} CIFAR-10 test images, seed ${r.seed}`],
    ['Time', `${fmt(r.seconds, 2)} s ${r.backend === 'webgpu' ? 'on the GPU' : `with ${r.workers} worker${r.workers > 1 ? 's' : ''}`}${r.cached ? ' (from history)' : ''}`],
    ['Backend', r.backend === 'webgpu' ? `WebGPU (${r.adapter})`
      : `wasm engine (CPU)${r.fellBack ? `: WebGPU failed (${r.fellBack}), so this score ran again here, and auto stays on the wasm engine` : ''}`],
  ];
  // Each proxy with how well it ranks the 1,000-architecture sample (NAS-Bench-201, N = 128).
  const ranks = (name) => {
    const c = rankings?.correlations.find((x) => x.proxy === name);
    return c ? ` (on NAS-Bench-201's 1,000-cell sample at N = 128 it ranks accuracy with ρ ${fmt(c.spearman, 3)}, τ ${fmt(c.kendall_tau_b, 3)}, top-10% ${fmt(c.top10_precision, 2)})` : '';
  };
  // ... and where it stands among the reference set's values at this N.
  const place = (name) => {
    const p = r.proxyRanks?.[name];
    return p ? `: #${p.rank} of ${p.of} by ${name} (the reference set at N = ${r.n} and this one; above ${fmt(p.percentile, 1)}% of the reference architectures)` : '';
  };
  for (const name of Object.keys(r.proxies || {})) rows.push([name, `${r.proxies[name].toPrecision(6)}${place(name)}${ranks(name)}`, 'proxy']);
  $('result').replaceChildren(...rows.flatMap(([k, v, cls]) => [el('dt', {}, k), el('dd', { class: cls || '', id: `result-${k.toLowerCase().split(' ')[0]}` }, v)]));
  const missing = (state.proxies || []).filter((p) => r.proxies && !(p in r.proxies));
  if (r.proxyError) $('result').append(el('dt', {}, missing.join(', ') || 'proxies'), el('dd', { class: 'error' }, `not computed: ${r.proxyError}`));
  else if (r.proxies && missing.length) $('result').append(el('dt', {}, missing.join(', ')), el('dd', {}, 'no finite value'));
  const zeros = $('zeros-note');
  zeros.hidden = !(r.structural_zeros > 0);
  zeros.textContent = r.structural_zeros > 0
    ? [`${fmt(r.structural_zeros)} of this network's ${fmt(r.params)} parameters have gradients that are exactly zero in exact arithmetic: each image goes through the network alone, and a BatchNorm whose output reaches the loss only through sums, concatenations and the global pool then passes back nothing. Float arithmetic leaves rounding noise there, and the official code counts the noise's signs; here these weights count 0, found from the network's graph (no threshold).`,
      r.structural_zeros === r.weights ? ' Every weight is such a zero: at initialisation this network\'s output does not depend on its input, so GradSign cannot see it, and its 0 says nothing about how good it is (NAS-Bench-301 rates its 85 such genotypes of 1,218 among the more accurate).' : '',
      r.space === 'darts' || r.space === 'nds' ? ' On DARTS networks the official score ranks by counting that noise: on all 1,218 NAS-Bench-301 genotypes its ρ against accuracy is 0.49, the exact score\'s −0.04, the parameter count\'s 0.52 (RESULTS.md).' : ''].join('')
    : '';
  await drawPlot(r);
  drawLayers(r);
  // The comparison is NAS-Bench-201's (its suggestions are cells), and of the result shown.
  $('compare').hidden = space !== 'nb201';
  $('compare-pair').replaceChildren();
  $('compare-status').textContent = '';
  drawSigns(r);
  if (space === 'onnx') models.colour(r);
}

// aboveChance says how the score stands to what random signs would give, and what that says: a
// negative excess (the images' signs cancel more than coins') is said as such, and neither is
// a verdict on the architecture (a poor NAS-Bench-201 cell can have more excess than a good one).
function aboveChance(r) {
  const coins = `random signs at every weight would score ${fmt(r.chance_score)} (each weight's agreement ${fmt(r.chance, 3)} at N = ${r.n})`;
  return r.above_chance >= 0
    ? `${fmt(r.above_chance)}: ${coins}; the rest is what the images share. The excess tells how much the images agree, not how good the network is: compare architectures by the whole score, and GradSign with parameters (the scatter's x-axis)`
    : `${fmt(r.above_chance)}: below what ${coins}. The images' gradient signs cancel more than coin tosses would: all of the score is the coins' share`;
}

// architectureName says which architecture a result is, in its space's terms.
function architectureName(r) {
  switch (r.space ?? 'nb201') {
    case 'nb201': return `NAS-Bench-201 index ${r.index}`;
    case 'nb101': return `NAS-Bench-101 cell ${r.hash}${r.index != null ? ` (row ${r.index} of the shipped table)` : ''}, stem ${r.channels}`;
    case 'darts': return `DARTS genotype${r.index != null ? `, row ${r.index} of the shipped NAS-Bench-301 table` : ''}, C = ${r.channels}, 8 cells`;
    case 'onnx': return `${models.name(r.arch) || 'an ONNX model'} (${r.arch})`;
    default: return `NDS genotype in pycls's network, C = ${r.channels}, 8 cells`;
  }
}

// drawSigns fills in, image by image, the signs of the first images' gradients at a few weights
// of one layer, then each weight's agreement: GradSign's idea made visible.
let signsRun = 0;
let signsAfter = Promise.resolve(); // what the sign view's pass waits for: a timing of the kernel
async function drawSigns(r) {
  const run = ++signsRun;
  const n = Math.min(r.n, 16);
  const k = 32;
  const box = $('signs');
  box.replaceChildren();
  box.style.gridTemplateColumns = `repeat(${k}, 1fr)`;
  $('signs-total').textContent = `Computing the signs of ${n} images…`;
  const cells = (signs) => signs.map((v) => el('div', { class: v > 0 ? 'pos' : v < 0 ? 'neg' : 'zero' }));
  try {
    await signsAfter.catch(() => {});
    if (run !== signsRun) return;
    const v = await gradsign.signSamples({ space: r.space ?? 'nb201', arch: r.arch, channels: r.channels ?? 0, seed: r.seed, n, k, init: !!r.init }, (image, signs) => {
      if (run === signsRun) box.append(...cells(signs));
    });
    if (run !== signsRun) return;
    box.append(...v.sums.map((sm) => el('div', { class: 'sum', title: `|sum of signs| = ${Math.abs(sm)} of ${n}`, style: { opacity: String(0.15 + 0.85 * Math.abs(sm) / n) } })));
    $('signs-total').textContent = `Layer ${v.layer}: these ${v.weights.length} weights add ${v.score} of at most ${n * v.weights.length} to GradSign on ${n} images: agreement ${fmt(v.agreement, 3)}. `
      + `Coins tossed for the signs would agree ${fmt(v.chance, 3)} on average at N = ${n} (a column of N fair coins rarely cancels exactly), so only the excess over that is the images agreeing.`;
  } catch (err) {
    if (run !== signsRun) return;
    $('signs-total').textContent = err.name === 'Cancelled' ? 'Stopped: a score needed every worker (the sign view never delays one).' : `No sign view: ${err.message}`;
  }
}

// The plot's current result, for the x-axis switch.
let plotted = null;

// headline is the accuracy a space's scatter plots for a result or history record: NAS-Bench-201's
// CIFAR-10 test accuracy, NAS-Bench-101's validation accuracy after 108 epochs, NAS-Bench-301's
// prediction; undefined where the benchmark does not know the architecture.
function headline(r) {
  return { nb201: r.accuracy?.cifar10, nb101: r.accuracy?.valid108, darts: r.accuracy?.nb301 }[r.space ?? 'nb201'];
}

// plotSource is what the result's scatter shows: the space's reference scores, how to name and
// load a point, and whether the result was scored as they were (the same N and width).
async function plotSource(r) {
  const space = r.space ?? 'nb201';
  if (space === 'nb201') {
    const ref = await gradsign.reference(r.n);
    return {
      points: ref.points.map((p) => ({ ...p, name: `NAS-Bench-201 index ${p.index}, ${p.arch}`, load: () => loadArch(p.arch) })),
      spearman: ref.spearman, metric: 'CIFAR-10 test accuracy (%)', short: 'CIFAR-10 accuracy', comparable: true,
      about: `${ref.points.length} NAS-Bench-201 architectures scored natively with N=${r.n}, seed 0, on the same images (blue)`,
    };
  }
  if (space === 'nds') throw new Error('NDS ships no accuracies for its cells: there is nothing to plot this score against.');
  if (space === 'onnx') throw new Error('Your own network is in no benchmark: there is no accuracy to plot this score against.');
  const ref = await gradsign.spaceReference(space);
  const comparable = r.n === ref.n && r.channels === ref.channels;
  const load = (row) => { netChanged({ space, arch: String(row), channels: ref.channels }); $('arch-section').scrollIntoView({ behavior: 'smooth' }); };
  return {
    points: ref.points.map((p) => ({ ...p, name: `row ${p.row} of the ${SPACE_NAMES[space]} table`, load: () => load(p.row) })),
    spearman: ref.spearman, metric: `${SPACE_NAMES[space]} accuracy (%)`, short: 'the benchmark\'s accuracy', comparable,
    about: `Accuracy: ${ref.metric}. ${ref.points.length} ${SPACE_NAMES[space]} architectures scored natively (${ref.network}, N=${ref.n}, seed ${ref.seed}, the file ${ref.results}) (blue)`
      + (comparable ? '' : `. This score (${space === 'nb101' ? 'stem' : 'C ='} ${r.channels}, N=${r.n}) was not made as they were, so it is not placed among them: choose the narrow network and N=${ref.n} to place one`),
  };
}

// drawPlot shows the space's reference set (GradSign or parameters against the benchmark's
// accuracy), the person's own history scored the same way, and the result; a point names itself
// under the pointer and loads into the editor on a click.
async function drawPlot(r) {
  plotted = r;
  let src;
  try { src = await plotSource(r); } catch (err) {
    $('plot-caption').textContent = err.message;
    $('plot-title').textContent = 'GradSign against the benchmark';
    if (plot) { plot.destroy(); plot = null; }
    $('plot').replaceChildren();
    return;
  }
  const space = r.space ?? 'nb201';
  const byParams = $('plot-x').value === 'params';
  const xOf = (p) => (byParams ? p.params : p.gradsign);
  const sameRun = (h) => (h.space ?? 'nb201') === space && h.n === r.n && (h.channels ?? 16) === (r.channels ?? 16) && h.arch !== r.arch && headline(h) != null;
  const own = src.comparable ? (await gradsign.history.list()).records.filter(sameRun) : [];
  const here = src.comparable && headline(r) != null;
  // How a history record or the result names itself: NAS-Bench-201's by index and arch string.
  const nameOf = (h) => (space === 'nb201' ? `NAS-Bench-201 index ${h.index}, ${h.arch}` : architectureName(h));
  const points = [
    ...src.points.map((p) => ({ ...p, kind: 0 })),
    ...own.map((h) => ({ name: nameOf(h), load: () => (space === 'nb201' ? loadArch(h.arch) : netChanged({ space, arch: h.arch, channels: h.channels })), gradsign: h.gradsign, params: h.params, accuracy: headline(h), kind: 1 })),
    ...(here ? [{ name: nameOf(r), load: () => { if (space === 'nb201') loadArch(r.arch); }, gradsign: r.gradsign, params: r.params, accuracy: headline(r), kind: 2 }] : []),
  ].sort((a, b) => xOf(a) - xOf(b));
  const xs = points.map(xOf);
  const series = [0, 1, 2].map((k) => points.map((p) => (p.kind === k ? p.accuracy : null)));
  const sp = src.spearman || {};
  $('plot-title').textContent = `${byParams ? 'Parameters' : 'GradSign'} against ${src.short}`;
  $('plot-caption').textContent = `${src.about}${src.comparable ? ', your earlier scores made the same way (grey), this one (red)' : ''}. `
    + `On them, Spearman's rank correlation with accuracy is ${fmt(sp.gradsign ?? NaN, 3)} for GradSign and ${fmt(sp.params ?? NaN, 3)} for simply counting parameters.`
    + (here || !src.comparable ? '' : ' The benchmark does not know this architecture, so it has no point here.');
  const accs = points.map((p) => p.accuracy);
  const lo = Math.max(0, Math.floor(Math.min(...accs) - 1));
  const hi = Math.min(100, Math.ceil(Math.max(...accs) + 1));
  const width = Math.min($('plot').clientWidth || 600, 900);
  const opts = {
    width, height: 300,
    scales: { x: { time: false, distr: byParams ? 3 : 1 }, y: { range: [lo, hi] } },
    axes: [
      { label: byParams ? 'parameters (log scale)' : 'GradSign score', values: (u, ticks) => ticks.map(compact) },
      { label: src.metric },
    ],
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, dataIdx: nearestPoint },
    hooks: {
      setCursor: [(u) => {
        const i = u.cursor.idx;
        const p = i == null ? null : points[i];
        $('plot-hover').textContent = p
          ? `${['Reference', 'Your history', 'This result'][p.kind]}: ${p.name}, GradSign ${fmt(p.gradsign)}, ${fmt(p.params)} parameters, ${space === 'nb201' ? 'CIFAR-10' : 'accuracy'} ${fmt(p.accuracy, 2)}%`
          : 'Point at a dot to name it; click it to load it into the editor.';
      }],
      ready: [(u) => {
        u.over.addEventListener('click', () => {
          const i = u.cursor.idx;
          if (i != null) points[i].load();
        });
      }],
    },
    series: [
      { label: byParams ? 'parameters' : 'GradSign' },
      { label: 'reference', stroke: '#2456d3', paths: () => null, points: { show: true, size: 5, fill: '#2456d3' } },
      { label: 'your history', stroke: '#7a8494', paths: () => null, points: { show: true, size: 7, fill: '#7a8494' } },
      { label: 'this architecture', stroke: '#b3261e', paths: () => null, points: { show: true, size: 11, fill: '#b3261e' } },
    ],
  };
  if (plot) plot.destroy();
  plot = new uPlot(opts, [xs, ...series], $('plot'));
}

// compare scores the chosen other cell as the result was scored (its N, seed, backend) and
// shows both cells' bars side by side.
async function compare() {
  const mine = plotted;
  if (!mine || (mine.space ?? 'nb201') !== 'nb201') return;
  const choice = $('compare-with').value;
  const other = choice === 'own' ? $('compare-own').value.trim() : choice;
  $('compare-status').textContent = 'Scoring the other cell…';
  try {
    const arch = (await gradsign.lookup(other)).arch;
    const r = await gradsign.score({ arch, n: mine.n, seed: mine.seed, backend: state.backend });
    $('compare-pair').replaceChildren(miniBars(mine, 'This cell:'), miniBars(r, 'The other:'));
    $('compare-status').textContent = `Both with N = ${mine.n}, seed ${mine.seed}; dashed line: chance.`;
    await drawHistory();
  } catch (err) {
    $('compare-status').textContent = err.message === 'cancelled' ? 'Cancelled.' : err.message;
  }
}

// A cell edge in the diagram lights its layers' bars while pointed at.
function linkEdgesToBars() {
  for (const g of document.querySelectorAll('#cell .edge')) {
    const e = g.getAttribute('data-edge');
    const lit = (on) => { for (const b of document.querySelectorAll(`#layers [data-edge="${e}"]`)) b.classList.toggle('lit', on); };
    g.addEventListener('pointerenter', () => lit(true));
    g.addEventListener('pointerleave', () => lit(false));
  }
}

// rankings: gradsign.proxyRankings() once loaded (null before, or where it failed).
let rankings = null;

// drawRankings fills the table of how every proxy ranks the sample, GradSign's row marked.
function drawRankings() {
  $('proxy-rankings').tBodies[0].replaceChildren(...rankings.correlations.map((c) => el('tr', c.proxy === 'gradsign' ? { class: 'mark' } : {},
    el('th', { scope: 'row' }, c.proxy), el('td', { class: 'num' }, fmt(c.spearman, 3)), el('td', { class: 'num' }, fmt(c.kendall_tau_b, 3)),
    el('td', { class: 'num' }, fmt(c.top10_precision, 2)),
    el('td', { class: 'note' }, c.non_finite ? `${c.non_finite} of ${fmt(rankings.architectures)} have no finite value and rank lowest here (the explorer leaves them out)` : ''))));
}

// --- history ---

// showFromHistory puts a kept result back on the page: its space, architecture, N, seed and
// proxies in the editor, the result below.
async function showFromHistory(r, whole) {
  state.n = r.n; state.seed = r.seed;
  $('n').value = r.n; $('seed').value = r.seed;
  for (const box of $('proxies').querySelectorAll('input')) box.checked = r.proxies != null && box.value in r.proxies;
  limitProxies();
  const space = r.space ?? 'nb201';
  if (space === 'nb201') { state.ops = parseOps(r.arch); await setSpace('nb201'); } else {
    state.nets[space] = { space, arch: r.arch, channels: r.channels };
    await setSpace(space);
  }
  await drawThumbs();
  $('progress').value = 1;
  $('progress-text').textContent = `From history: computed ${new Date(r.time).toLocaleString()} in ${fmt(r.seconds, 2)} s.`;
  await showResult({ ...whole, cached: true });
  $('result-section').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

const historyView = createHistoryView({
  onShow: showFromHistory,
  accuracy: headline,
  modelName: (id) => models.name(id),
});
const drawHistory = () => historyView.draw();

// --- start ---

async function main() {
  try {
    FACTS = await gradsign.facts();
  } catch (err) {
    $('status').textContent = `The engine failed to load: ${err.message}`;
    return;
  }
  OPS = FACTS.ops;
  EDGES = FACTS.edges;
  state.ops = parseOps(DEFAULT_ARCH);
  buildEditor();
  $('space').replaceChildren(...FACTS.spaces.map((f) => el('option', { value: f.name }, f.title)));
  editor = createSpaceEditor({ facts: FACTS, root: $('space-editor'), onChange: netChanged });
  models = createModelEditor({ root: $('model-editor'), onChange: netChanged, onError: (m) => { showArchError(m); forgetKnown(); } });
  $('space').addEventListener('change', () => setSpace($('space').value));
  loadURL();
  setSpace(state.space);
  $('n').addEventListener('change', () => { state.n = Number($('n').value); saveURL(); drawThumbs(); limitProxies(); updateEstimate(); });
  $('seed').addEventListener('input', () => {
    const s = Number($('seed').value);
    const ok = $('seed').value.trim() !== '' && Number.isSafeInteger(s) && s >= 0;
    $('seed-error').textContent = ok ? '' : `The seed is a whole number from 0 to ${FACTS.maxSeed}.`;
    updateScoreButton();
    if (ok) { state.seed = s; saveURL(); }
  });
  // Enter in any field scores, as the button does.
  for (const id of ['arch', 'index', 'seed']) {
    $(id).addEventListener('keydown', (ev) => {
      // In the index field a number typed over an error is applied by Score itself.
      if (ev.key !== 'Enter') return;
      ev.preventDefault();
      if (!scoring && engineReady && !$('seed-error').textContent && (id === 'index' || !$('arch-error').textContent)) runScore();
    });
  }
  const limits = FACTS.proxies.filter((p) => p.name !== 'gradsign');
  const names = limits.map((p) => p.name);
  for (const { name } of limits) {
    const box = el('input', { type: 'checkbox', id: `proxy-${name}`, value: name });
    box.addEventListener('change', () => {
      state.proxies = names.filter((p) => $(`proxy-${p}`)?.checked);
    });
    $('proxies').append(el('label', { for: `proxy-${name}`, id: `proxy-label-${name}` }, box, name));
  }
  // A proxy over its image limit cannot be ticked, and says why: nothing is computed in vain.
  limitProxies = () => {
    for (const { name, maxN } of limits) {
      const box = $(`proxy-${name}`);
      box.disabled = state.n > maxN;
      if (box.disabled) box.checked = false;
      $(`proxy-label-${name}`).title = box.disabled ? `${name} holds all N images in memory at once: in the browser, N ≤ ${maxN}` : '';
    }
    state.proxies = names.filter((p) => $(`proxy-${p}`).checked);
    const over = limits.filter((p) => state.n > p.maxN).map((p) => `${p.name} (N ≤ ${p.maxN})`);
    $('proxy-limits').textContent = over.length ? `Not at N = ${state.n}: ${over.join(', ')}.` : '';
  };
  limitProxies();
  $('score').addEventListener('click', runScore);
  $('cancel').addEventListener('click', () => gradsign.cancel());
  $('clear').addEventListener('click', () => historyView.clear());
  $('export-csv').addEventListener('click', () => historyView.download('csv'));
  $('plot-x').addEventListener('change', () => { if (plotted) drawPlot(plotted); });
  $('space-dataset').addEventListener('change', drawSpace);
  $('race-start').addEventListener('click', runRace);
  $('compare-with').addEventListener('change', () => { $('compare-own').hidden = $('compare-with').value !== 'own'; });
  $('compare-go').addEventListener('click', compare);
  watchCharge();
  $('backend').addEventListener('change', () => {
    state.backend = $('backend').value;
    saveURL();
    updateEstimate();
  });
  $('export-json').addEventListener('click', () => historyView.download('json'));
  $('history-more').addEventListener('click', () => historyView.more());
  // Another tab's results, or history failing: the table says so at once.
  gradsign.history.watch((e) => {
    historyView.watched(e);
    if (engineReady) drawHistory();
  });
  watchUpdates();
  try {
    await gradsign.ready;
    engineReady = true;
    $('status').textContent = `Engine ready: ${gradsign.workers} workers.${urlProblems ? ` ${urlProblems}` : ''}`;
    gemm = await gradsign.gemmRate(200);
    await noteHistoryTimes().catch(() => {}); // no history: the first guesses stand
    updateEstimate();
    gradsign.backends().then((b) => { backendInfo = b; showBackends(); updateEstimate(); });
    const bench = new URLSearchParams(location.search);
    if (bench.get('bench') === '1') runBench(Math.max(1, Number(bench.get('benchn')) || 128));
    startTour();
    gradsign.proxyRankings().then((r) => { rankings = r; drawRankings(); openExplorer(r, loadArch); })
      .catch((err) => { $('rankings-caption').textContent = `The proxies' rankings did not load: ${err.message}`; });
    gradsign.wholeSpace().then((w) => { setWholeSpace(w, loadArch); openRace(loadArch); })
      .catch((err) => { $('space-caption').textContent = `The whole-space scores did not load: ${err.message}`; });
    updateScoreButton();
    await Promise.all([drawThumbs(), drawHistory(), state.space === 'nb201' ? validateText() : null]);
  } catch (err) {
    $('status').textContent = `The engine failed to load: ${err.message}`;
  }
}

main();
