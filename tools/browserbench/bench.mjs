// Times GradSign scores in headless Chromium (the built app, make web): one worker with the
// SIMD kernel, one worker with Go's own kernel (?kernel=go), all workers; beside the native CLI
// on one core (its assembly kernel, GOMAXPROCS=1) and on all cores, on the same machine; and
// the float32 GEMM rate of each kernel in the page. Prints Markdown tables. Beside NAS-Bench-201
// the largest network of each other space: NAS-Bench-101's row 849 at stem 128 (49 M
// parameters) and NAS-Bench-301's row 408 at C=32.
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
// Each network as gradsign.score takes it, and the CLI's flags for the same one.
const nb201 = (arch) => ({ net: { arch }, flags: ['--arch', arch] });
const archs = [
  ['all nor_conv_3x3 (largest)', nb201('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|')],
  ['NB201 index 0', nb201('|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|')],
  ['NB101 row 849, stem 128 (largest)', { net: { space: 'nb101', arch: '849' }, flags: ['--space', 'nb101', '--index', '849'] }],
  ['NB301 row 408, C=32 (largest)', { net: { space: 'darts', arch: '408' }, flags: ['--space', 'darts', '--index', '408'] }],
].filter(([name]) => !process.env.ONLY || name.toLowerCase().includes(process.env.ONLY.toLowerCase()));

const { url, process: server } = await startServer();

async function browser(query, net, seed) {
  const profile = mkdtempSync(join(tmpdir(), 'gradsign-bench-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
  try {
    const page = context.pages()[0] || await context.newPage();
    await page.goto(`${url}?${query}`);
    await page.evaluate(() => window.gradsign.ready);
    const workers = await page.evaluate(() => window.gradsign.workers);
    // Warm up every worker's JIT on a small score first: the table reports steady state.
    await page.evaluate(({ net, n }) => window.gradsign.score({ ...net, n, seed: 999 }), { net, n: (net.space ? 2 : 8) * workers });
    const r = await page.evaluate(({ net, n, seed }) => window.gradsign.score({ ...net, n, seed }), { net, n, seed });
    r.memory = Math.max(...await page.evaluate(() => window.gradsign.memory()));
    r.rate = await page.evaluate(() => window.gradsign.gemmRate(500));
    r.workers = workers;
    return r;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const cli = (flags, env) => JSON.parse(String(execFileSync(join(root, 'bin', 'gradsign'), ['score', ...flags, '--n', String(n), '--json'], { env: { ...process.env, ...env } })));
const rows = [];
const rates = [];
for (const [name, { net, flags }] of archs) {
  const native = cli(flags, {});
  const native1 = cli(flags, { GOMAXPROCS: '1' });
  const one = await browser('workers=1', net, 0);
  const oneGo = await browser('workers=1&kernel=go', net, 0);
  const all = await browser(`workers=${cpus().length}`, net, 0);
  const gflop = (6 * native.flops * n) / 1e9;
  const rate = (r) => `${r.seconds.toFixed(2)} s (${(gflop / r.seconds).toFixed(2)} GFLOP/s)`;
  rows.push(`| ${name} | ${n} | ${rate(one)} | ${rate(oneGo)} | ${rate(native1)} | ${(one.seconds / native1.seconds).toFixed(2)}x | ${all.seconds.toFixed(2)} s (${all.workers} workers) | ${native.seconds.toFixed(2)} s | ${(one.memory / 2 ** 20).toFixed(0)} MB | ${one.gradsign === native.gradsign ? 'equal' : `${one.gradsign} vs ${native.gradsign}`} |`);
  if (rates.length === 0) rates.push(`| ${one.rate.kernel} | ${one.rate.gflops.toFixed(2)} |`, `| ${oneGo.rate.kernel} | ${oneGo.rate.gflops.toFixed(2)} |`);
}
server.kill();
console.log(`| network | N | browser, 1 worker | browser, 1 worker, Go kernel | native CLI, 1 core (${cli(archs[0][1].flags, {}).kernel}) | browser / native, 1 core | browser, all workers | native CLI, all cores | wasm memory per worker | score browser vs native |`);
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
console.log('\n| kernel in Chromium, 1 worker | GFLOP/s on 16×1024×144 |\n| --- | --- |');
for (const r of rates) console.log(r);
