// Times GradSign on the page's WebGPU backend beside its wasm engine (all workers) and the
// native CLI (all cores), on the built app (make web) in Chromium. Prints a Markdown table
// with the adapter's name. Run it where there is a GPU:
//
//   make gpubench                           N=128, Chromium's default GPU flags for WebGPU
//   N=16 make gpubench                      fewer images
//   GPU_FLAGS='--enable-unsafe-webgpu --use-webgpu-adapter=swiftshader' make gpubench
//                                           SwiftShader's CPU adapter (what CI has: it checks
//                                           that the bench runs, and says nothing of GPU speed)
//   CHROMIUM=/path/to/chrome HEADED=1 make gpubench
//                                           another Chrome, with a window (some drivers give
//                                           headless Chrome no adapter)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../serve/harness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const n = Number(process.argv[2] || process.env.N || 128);
const gpuFlags = (process.env.GPU_FLAGS ?? '--enable-unsafe-webgpu --enable-features=Vulkan').split(' ').filter(Boolean);
const archs = [
  ['all nor_conv_3x3 (largest)', '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'],
  ['NB201 index 0', '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|'],
];

const { url, process: server } = await startServer();

const profile = mkdtempSync(join(tmpdir(), 'gradsign-gpubench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: !process.env.HEADED,
  args: ['--no-sandbox', '--disable-quic', '--no-first-run', ...gpuFlags],
});
const cli = (arch) => JSON.parse(String(execFileSync(join(root, 'bin', 'gradsign'), ['score', '--arch', arch, '--n', String(n), '--json'])));
const rows = [];
let adapter = 'none';
try {
  const page = context.pages()[0] || await context.newPage();
  await page.goto(`${url}?workers=${cpus().length}`);
  await page.evaluate(() => window.gradsign.ready);
  const b = await page.evaluate(() => window.gradsign.backends());
  if (!b.webgpu) throw new Error('this Chromium offers no WebGPU adapter: try HEADED=1, CHROMIUM=..., or GPU_FLAGS');
  adapter = `${b.webgpu.adapter} (self-check ${b.webgpu.check.ok ? 'passed' : 'failed'}, ${(100 * b.webgpu.check.relDiff).toFixed(4)}% apart)`;
  // Seeds differ per run so that no result comes from history.
  const seed = Date.now() % 1e9;
  const score = (arch, backend, s, k) => page.evaluate(({ arch, backend, s, k }) => window.gradsign.score({ arch, n: k, seed: s, backend }), { arch, backend, s, k });
  for (const [name, arch] of archs) {
    await score(arch, 'webgpu', seed + 1, 32); // compiles the pipelines, warms the driver
    await score(arch, 'wasm', seed + 1, 8 * cpus().length); // warms the workers' JIT
    const gpu = await score(arch, 'webgpu', seed, n);
    const wasm = await score(arch, 'wasm', seed + 2, n);
    const native = cli(arch);
    const gflop = (6 * native.flops * n) / 1e9;
    const rate = (s) => `${s.toFixed(2)} s (${(gflop / s).toFixed(1)} GFLOP/s)`;
    rows.push(`| ${name} | ${n} | ${rate(gpu.seconds)} | ${rate(wasm.seconds)} (${wasm.workers} workers) | ${rate(native.seconds)} | ${(wasm.seconds / gpu.seconds).toFixed(2)}x |`);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  server.kill();
}
console.log(`WebGPU adapter: ${adapter}\n`);
console.log('| network | N | WebGPU | wasm engine | native CLI, all cores | wasm / WebGPU |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
