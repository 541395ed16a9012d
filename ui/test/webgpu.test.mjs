// The page on WebGPU: headless Chromium with SwiftShader's CPU adapter (right for correctness,
// says nothing of speed), against the built app served by tools/serve. GradSign on the GPU must
// equal the native CLI within 0.1% on architectures that use every kind of operation, 'auto'
// must pass this software adapter by unless asked (?softwaregpu=1) and then pick it after its
// self-check, and the result, the page and the exports must say which backend ran. (That 'auto' falls back to wasm without an adapter is e2e.test.mjs's,
// whose Chromium has no WebGPU.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { WEBGPU_FLAGS, startServer, nativeScore } from '../../tools/serve/harness.mjs';

const SCORE_TIMEOUT = 300_000;
const root = fileURLToPath(new URL('../../', import.meta.url));

let server;
let url;
let browser;
let page;

before(async () => {
  ({ url, process: server } = await startServer());
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: WEBGPU_FLAGS });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await page.goto(url);
  await page.evaluate(() => window.gradsign.ready);
});

after(async () => {
  await browser?.close();
  server?.kill();
});

test('auto passes a software adapter by, says so, and scores on wasm; WebGPU can still be chosen', { timeout: SCORE_TIMEOUT }, async () => {
  const b = await page.evaluate(() => window.gradsign.backends());
  assert.match(b.webgpu.adapter, /swiftshader/);
  assert.equal(b.webgpu.software, true);
  assert.equal(b.auto, 'wasm');
  await page.waitForFunction(() => /is a software adapter .* so auto runs on the wasm engine/.test(document.getElementById('backend-status').textContent));
  assert.equal(await page.isDisabled('#backend option[value=webgpu]'), false, 'WebGPU stays a choice');
  const r = await page.evaluate((a) => window.gradsign.score({ arch: a, n: 4, seed: 9 }), ARCHS[0]);
  assert.equal(r.backend, 'wasm');
});

test('with ?softwaregpu=1, auto picks WebGPU after its self-check', async () => {
  await page.goto(url + '?softwaregpu=1');
  await page.evaluate(() => window.gradsign.ready);
  const b = await page.evaluate(() => window.gradsign.backends());
  assert.ok(b.webgpu, 'an adapter');
  assert.match(b.webgpu.adapter, /swiftshader/);
  assert.equal(b.webgpu.check.ok, true, `self-check: ${JSON.stringify(b.webgpu.check)}`);
  assert.ok(b.webgpu.check.cpu > 0);
  assert.equal(b.auto, 'webgpu');
  await page.waitForFunction(() => /auto runs on the GPU/.test(document.getElementById('backend-status').textContent));
});

// Between them: 3×3 and 1×1 convolutions, 3×3 average pooling, skip and none edges, a node with
// one input, the reduction blocks and the classifier.
const ARCHS = [
  '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|', // index 0
  '|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|',
];

for (const arch of ARCHS) {
  test(`GradSign on WebGPU equals the native CLI within 0.1%: ${arch}`, { timeout: SCORE_TIMEOUT }, async () => {
    const r = await page.evaluate((a) => window.gradsign.score({ arch: a, n: 16, seed: 0, backend: 'webgpu' }), arch);
    assert.equal(r.backend, 'webgpu');
    assert.match(r.adapter, /swiftshader/);
    const native = nativeScore(arch, 16, 0);
    assert.ok(native > 0);
    const rel = Math.abs(r.gradsign - native) / native;
    assert.ok(rel <= 1e-3, `webgpu ${r.gradsign}, native ${native}: ${(100 * rel).toFixed(3)}% apart`);
    const wasm = await page.evaluate((a) => window.gradsign.score({ arch: a, n: 16, seed: 0, backend: 'wasm' }), arch);
    assert.equal(wasm.backend, 'wasm');
    assert.equal(wasm.cached, false, 'a wasm result is not the WebGPU one from history');
  });
}

// The other spaces on WebGPU: a narrow NAS-Bench-101 network (max pools, channel slices and
// concatenations), a narrow DARTS one (separable and dilated depthwise convolutions, factorized
// reductions, structural zeros) and an NDS one (non-square convolutions, 5x5 and 7x7 pools).
const OTHERS = [
  [{ space: 'nb101', arch: '5', channels: 16 }, ['--space', 'nb101', '--index', '5', '--channels', '16']],
  [{ space: 'darts', arch: '0', channels: 8 }, ['--space', 'darts', '--index', '0', '--channels', '8']],
  [{ space: 'nds', arch: 'amoeba', channels: 8 }, ['--space', 'nds', '--genotype', 'amoeba', '--channels', '8']],
];
for (const [net, flags] of OTHERS) {
  test(`${net.space} on WebGPU equals the native CLI within 0.1%`, { timeout: SCORE_TIMEOUT }, async () => {
    const r = await page.evaluate((q) => window.gradsign.score({ ...q, n: 8, seed: 0, backend: 'webgpu' }), net);
    assert.equal(r.backend, 'webgpu');
    const native = JSON.parse(execFileSync(join(root, 'bin', 'gradsign'), ['score', ...flags, '--n', '8', '--seed', '0', '--json']).toString());
    const rel = Math.abs(r.gradsign - native.gradsign) / native.gradsign;
    assert.ok(rel <= 1e-3, `webgpu ${r.gradsign}, native ${native.gradsign}: ${(100 * rel).toFixed(3)}% apart`);
    assert.equal(r.structural_zeros, native.structural_zeros);
  });
}

test('the page shows the backend, and the exports carry it', { timeout: SCORE_TIMEOUT }, async () => {
  await page.goto(url + '?arch=' + encodeURIComponent(ARCHS[0]) + '&n=16&backend=webgpu');
  await page.evaluate(() => window.gradsign.ready);
  await page.waitForFunction(() => !document.getElementById('score').disabled);
  assert.equal(await page.inputValue('#backend'), 'webgpu');
  await page.click('#score');
  await page.waitForSelector('#result-section:not([hidden])', { timeout: SCORE_TIMEOUT });
  assert.match(await page.textContent('#result-backend'), /WebGPU \(.*swiftshader.*\)/);
  const csv = await page.evaluate(() => window.gradsign.history.export('csv').then((b) => b.text()));
  // CSV fields, quoted ones (genotypes hold commas) included.
  const fields = (line) => {
    const out = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted && c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = !quoted;
      else if (c === ',' && !quoted) { out.push(cur); cur = ''; } else cur += c;
    }
    return [...out, cur];
  };
  const [header, ...rows] = csv.trim().split('\n').map(fields);
  const col = header.indexOf('backend');
  assert.ok(col >= 0, 'a backend column');
  assert.deepEqual(new Set(rows.map((r) => r[col])), new Set(['webgpu', 'wasm']));
  const json = JSON.parse(await page.evaluate(() => window.gradsign.history.export('json').then((b) => b.text())));
  assert.ok(json.every((r) => r.backend === 'webgpu' || r.backend === 'wasm'));
  await page.selectOption('#backend', 'wasm');
  assert.equal(new URL(page.url()).searchParams.get('backend'), 'wasm');
});

test("'webgpu' with a bad backend name is refused with a clear message", async () => {
  await assert.rejects(page.evaluate(() => window.gradsign.score({ arch: '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|', n: 16, backend: 'cuda' })),
    /backend "cuda": want 'auto', 'webgpu' or 'wasm'/);
});

test('?bench=1 times the largest network on WebGPU and on wasm', { timeout: SCORE_TIMEOUT }, async () => {
  await page.goto(url + '?bench=1&benchn=2');
  await page.evaluate(() => window.gradsign.ready);
  await page.waitForFunction(() => /^Done/.test(document.getElementById('bench-status').textContent), null, { timeout: SCORE_TIMEOUT });
  for (const backend of ['wasm', 'webgpu']) {
    const cells = await page.locator(`#bench-table tr[data-backend=${backend}] td`).allTextContents();
    assert.equal(cells.length, 5, `${backend}: ${cells.join(' | ')}`);
    assert.equal(cells[1], '2');
    assert.ok(Number(cells[2]) > 0 && Number(cells[3].replace(/,/g, '')) > 0, cells.join(' | '));
  }
  const gs = await page.locator('#bench-table td:nth-child(5)').allTextContents();
  const [w, g] = gs.map((t) => Number(t.replace(/,/g, '')));
  assert.ok(Math.abs(w - g) / w <= 1e-3, `the two backends' scores: ${gs.join(' vs ')}`);
});

// Last, since it breaks the page's GPU: the device is destroyed at its next command encoder
// (as a driver reset or a lost GPU would end it), after the self-check passed. An auto score
// must then run again on wasm, say why and equal the native CLI, and the next auto score go to
// wasm at once.
test('auto falls back to wasm when the GPU fails after its self-check', { timeout: SCORE_TIMEOUT }, async () => {
  await page.goto(url + '?arch=' + encodeURIComponent(ARCHS[1]) + '&n=16&seed=3&softwaregpu=1');
  await page.evaluate(() => window.gradsign.ready);
  assert.equal((await page.evaluate(() => window.gradsign.backends())).auto, 'webgpu');
  for (const worker of page.workers()) {
    await worker.evaluate(() => {
      if (!self.GPUDevice) return;
      const create = GPUDevice.prototype.createCommandEncoder;
      GPUDevice.prototype.createCommandEncoder = function (...args) {
        this.destroy();
        return create.apply(this, args);
      };
    });
  }
  await page.waitForFunction(() => !document.getElementById('score').disabled);
  await page.click('#score');
  await page.waitForSelector('#result-section:not([hidden])', { timeout: SCORE_TIMEOUT });
  const backendText = await page.textContent('#result-backend');
  assert.match(backendText, /^wasm engine \(CPU\): WebGPU failed \(gradsign: the webgpu backend failed: webgpu: device lost: .+\)/);
  const b = await page.evaluate(() => window.gradsign.backends());
  assert.equal(b.auto, 'wasm');
  assert.match(b.webgpu.failed, /webgpu: device lost/);
  assert.match(await page.textContent('#backend-status'), /passed its self-check but then failed/);
  assert.equal(Number((await page.textContent('#result-gradsign')).replace(/,/g, '')), nativeScore(ARCHS[1], 16, 3));
  const r = await page.evaluate((a) => window.gradsign.score({ arch: a, n: 4, seed: 4 }), ARCHS[1]);
  assert.equal(r.cached, false);
  assert.equal(r.backend, 'wasm');
  assert.equal(r.fellBack, undefined, 'the next score goes to wasm directly');
  assert.equal(r.gradsign, nativeScore(ARCHS[1], 4, 4));
});
