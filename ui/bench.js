// ?bench=1: the largest NAS-Bench-201 network timed on this device, on the wasm engine and,
// where there is an adapter, on WebGPU.
import { gradsign } from './gradsign.js';
import { $, el, fmt } from './dom.js';

const LARGEST = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';

// runBench times the largest network on the wasm engine and, where there is an adapter, on
// WebGPU: a one-image warm-up on each (compiles the pipelines, warms the JIT), then n images
// with a seed of its own so that nothing comes from history.
export async function runBench(n) {
  $('bench-section').hidden = false;
  const body = $('bench-table').querySelector('tbody');
  const info = await gradsign.lookup(LARGEST);
  const b = await gradsign.backends();
  const kinds = b.webgpu ? ['wasm', 'webgpu'] : ['wasm'];
  const seed = Date.now() % 1e9;
  for (const backend of kinds) {
    const name = backend === 'webgpu' ? `WebGPU (${b.webgpu.adapter})` : `wasm engine (${gradsign.workers} workers)`;
    $('bench-status').textContent = `Timing ${name} on ${n} images…`;
    try {
      await gradsign.score({ arch: LARGEST, n: 1, seed: seed + 1, backend });
      const r = await gradsign.score({ arch: LARGEST, n, seed, backend });
      const gflops = (6 * info.flops * n) / 1e9 / r.seconds;
      body.append(el('tr', { 'data-backend': backend }, el('td', {}, name), el('td', {}, String(n)), el('td', {}, fmt(r.seconds, 2)),
        el('td', {}, fmt(gflops, 1)), el('td', {}, fmt(r.gradsign))));
    } catch (err) {
      body.append(el('tr', { 'data-backend': backend }, el('td', {}, name), el('td', { colspan: 4, class: 'error' }, err.message)));
    }
  }
  $('bench-status').textContent = b.webgpu ? 'Done.' : 'Done. This browser offers no WebGPU adapter: the wasm engine only.';
}

