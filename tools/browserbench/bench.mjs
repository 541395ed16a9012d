// Times GradSign scores in headless Chromium (the built app, make web): one worker with the
// SIMD kernel, one worker with Go's own kernel (?kernel=go), all workers; beside the native CLI
// on one core (its assembly kernel, GOMAXPROCS=1) and on all cores, on the same machine; and
// the float32 GEMM rate of each kernel in the page. Prints Markdown tables.
//
//   make browserbench        (or: node tools/browserbench/bench.mjs [N])
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, startServer } from '../serve/harness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const n = Number(process.argv[2] || 64);
const archs = [
  ['all nor_conv_3x3 (largest)', '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|'],
  ['NB201 index 0', '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|'],
];

const { url, process: server } = await startServer();

async function browser(query, arch, seed) {
  const profile = mkdtempSync(join(tmpdir(), 'gradsign-bench-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
  try {
    const page = context.pages()[0] || await context.newPage();
    await page.goto(`${url}?${query}`);
    await page.evaluate(() => window.gradsign.ready);
    const workers = await page.evaluate(() => window.gradsign.workers);
    // Warm up every worker's JIT on a small score first: the table reports steady state.
    await page.evaluate(({ arch, n }) => window.gradsign.score({ arch, n, seed: 999 }), { arch, n: 8 * workers });
    const r = await page.evaluate(({ arch, n, seed }) => window.gradsign.score({ arch, n, seed }), { arch, n, seed });
    r.memory = Math.max(...await page.evaluate(() => window.gradsign.memory()));
    r.rate = await page.evaluate(() => window.gradsign.gemmRate(500));
    r.workers = workers;
    return r;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const cli = (arch, env) => JSON.parse(String(execFileSync(join(root, 'bin', 'gradsign'), ['score', '--arch', arch, '--n', String(n), '--json'], { env: { ...process.env, ...env } })));
const rows = [];
const rates = [];
for (const [name, arch] of archs) {
  const native = cli(arch, {});
  const native1 = cli(arch, { GOMAXPROCS: '1' });
  const one = await browser('workers=1', arch, 0);
  const oneGo = await browser('workers=1&kernel=go', arch, 0);
  const all = await browser(`workers=${cpus().length}`, arch, 0);
  const gflop = (6 * native.flops * n) / 1e9;
  const rate = (r) => `${r.seconds.toFixed(2)} s (${(gflop / r.seconds).toFixed(2)} GFLOP/s)`;
  rows.push(`| ${name} | ${n} | ${rate(one)} | ${rate(oneGo)} | ${rate(native1)} | ${(one.seconds / native1.seconds).toFixed(2)}x | ${all.seconds.toFixed(2)} s (${all.workers} workers) | ${native.seconds.toFixed(2)} s | ${(one.memory / 2 ** 20).toFixed(0)} MB | ${one.gradsign === native.gradsign ? 'equal' : `${one.gradsign} vs ${native.gradsign}`} |`);
  if (rates.length === 0) rates.push(`| ${one.rate.kernel} | ${one.rate.gflops.toFixed(2)} |`, `| ${oneGo.rate.kernel} | ${oneGo.rate.gflops.toFixed(2)} |`);
}
server.kill();
console.log(`| network | N | browser, 1 worker | browser, 1 worker, Go kernel | native CLI, 1 core (${cli(archs[0][1], {}).kernel}) | browser / native, 1 core | browser, all workers | native CLI, all cores | wasm memory per worker | score browser vs native |`);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
console.log('\n| kernel in Chromium, 1 worker | GFLOP/s on 16×1024×144 |\n| --- | --- |');
for (const r of rates) console.log(r);
