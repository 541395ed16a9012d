// Times GradSign scores in headless Chromium (the built app, make web) with one worker and
// with all workers, beside the native CLI (all cores) and the same pure-Go code natively on one
// core (-tags noasm, GOMAXPROCS=1) on the same machine, and prints a Markdown table.
//
//   make browserbench        (or: node tools/browserbench/bench.mjs [N])
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = fileURLToPath(new URL('../../', import.meta.url));
const n = Number(process.argv[2] || 64);
const archs = [
  ['all nor_conv_3x3 (largest)', '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'],
  ['NB201 index 0', '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|'],
];
const flags = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const server = spawn(join(root, 'bin', 'serve'), ['-dir', join(root, 'build', 'web'), '-addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url = await new Promise((resolve) => server.stdout.on('data', (d) => {
  const m = String(d).match(/on (http:\/\/\S+)/);
  if (m) resolve(m[1]);
}));

async function browserSeconds(workers, arch, seed) {
  const profile = mkdtempSync(join(tmpdir(), 'gradsign-bench-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: flags });
  try {
    const page = context.pages()[0] || await context.newPage();
    await page.goto(`${url}?workers=${workers}`);
    await page.evaluate(() => window.gradsign.ready);
    // Warm up every worker's JIT on a small score first: the table reports steady state.
    await page.evaluate(({ arch, n }) => window.gradsign.score({ arch, n, seed: 999 }), { arch, n: 8 * workers });
    const r = await page.evaluate(({ arch, n, seed }) => window.gradsign.score({ arch, n, seed }), { arch, n, seed });
    r.memory = Math.max(...await page.evaluate(() => window.gradsign.memory()));
    return r;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const rows = [];
for (const [name, arch] of archs) {
  const native = JSON.parse(String(execFileSync(join(root, 'bin', 'gradsign'), ['score', '--arch', arch, '--n', String(n), '--json'])));
  // The same pure-Go code as the wasm build (no assembly), natively on one core.
  const pure = JSON.parse(String(execFileSync(join(root, 'bin', 'gradsign-noasm'), ['score', '--arch', arch, '--n', String(n), '--json'], { env: { ...process.env, GOMAXPROCS: '1' } })));
  const one = await browserSeconds(1, arch, 0);
  const all = await browserSeconds(cpus().length, arch, 0);
  const gflop = (6 * native.flops * n) / 1e9;
  rows.push(`| ${name} | ${n} | ${one.seconds.toFixed(2)} s (${(gflop / one.seconds).toFixed(2)} GFLOP/s) | ${all.seconds.toFixed(2)} s (${all.workers} workers) | ${(one.seconds / all.seconds).toFixed(2)}x | ${native.seconds.toFixed(2)} s | ${pure.seconds.toFixed(2)} s (browser ${(one.seconds / pure.seconds).toFixed(2)}x) | ${(one.memory / 2 ** 20).toFixed(0)} MB | ${one.gradsign === native.gradsign ? 'equal' : `${one.gradsign} vs ${native.gradsign}`} |`);
}
server.kill();
console.log('| network | N | browser, 1 worker | browser, all workers | speed-up | native CLI, all cores | pure Go (noasm), 1 core | wasm memory per worker | score browser vs native |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
