// End-to-end test of the web app in a real browser: Debian's Chromium driven by
// playwright-core, against the built app (make web) served by tools/serve. `make test` builds
// everything first; run alone with `node --test ui/test/` after `make web` and
// `go build -o bin/ ./tools/serve ./tools/gradsign`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, startServer, nativeScore } from '../../tools/serve/harness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(root, 'build', 'test-output');
const SCORE_TIMEOUT = 120_000;

let server;
let url;
let context;
let page;
let profile;

before(async () => {
  mkdirSync(outDir, { recursive: true });
  ({ url, process: server } = await startServer());
  profile = mkdtempSync(join(tmpdir(), 'gradsign-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1200, height: 900 },
  });
  page = context.pages()[0] || await context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  page.on('console', (msg) => { if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text()); });
});

const cspViolations = [];

after(async () => {
  await context?.close();
  server?.kill();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

// scrolled resolves once the page has stopped scrolling (its position the same on two
// animation frames 100 ms apart).
async function scrolled() {
  await page.evaluate(() => new Promise((resolve) => {
    let last = null;
    const look = () => {
      if (last === window.scrollY) resolve();
      else { last = window.scrollY; setTimeout(() => requestAnimationFrame(look), 100); }
    };
    look();
  }));
}

async function open(query = '') {
  await page.goto(url + query);
  await page.evaluate(() => window.gradsign.ready);
  await page.waitForFunction(() => !document.getElementById('score').disabled);
}

test('edit an edge, score with N=16, see the result, the plot and the layers', async () => {
  await open('?arch=' + encodeURIComponent('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|') + '&n=16&seed=0');
  await page.selectOption('#edge-5', '2'); // edge 2 -> 3 becomes nor_conv_1x1
  const arch = await page.inputValue('#arch');
  assert.equal(arch, '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|');
  assert.equal(new URL(page.url()).searchParams.get('arch'), arch, 'the arch is in the URL');
  assert.notEqual(await page.inputValue('#index'), '');
  // The thumbnails of the N images are drawn once the engine has decoded them (asynchronously).
  await page.waitForFunction(() => document.querySelectorAll('#thumbs canvas').length === 16);
  await page.click('#score');
  await page.waitForSelector('#result-section:not([hidden])', { timeout: SCORE_TIMEOUT });
  await page.waitForSelector('#plot canvas');
  const text = await page.textContent('#result');
  assert.match(text, /GradSign/);
  assert.match(text, /CIFAR-10 \d+\.\d\d%/);
  assert.match(text, /above \d+\.\d% of the reference/);
  assert.ok(await page.locator('#layers div').count() > 10, 'a bar per layer');
  await page.waitForFunction(() => document.querySelectorAll('#history tbody tr').length === 1);
  await page.screenshot({ path: join(outDir, 'result.png'), fullPage: true });
});

test('the browser gives the native CLI score', async () => {
  await open();
  const arch = '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|';
  const r = await page.evaluate((a) => window.gradsign.score({ arch: a, n: 16, seed: 3 }), arch);
  assert.equal(r.cached, false);
  const native = nativeScore(arch, 16, 3);
  assert.ok(Math.abs(r.gradsign - native) <= 1e-3 * native, `browser ${r.gradsign}, native ${native}`);
  assert.equal(r.params, 129306);
  assert.equal(r.flops, 15647370);
  assert.equal(r.index, 0);
  assert.equal(r.layers.length, 38);
  for (const key of ['arch', 'gradsign', 'params', 'flops', 'n', 'seed', 'seconds', 'layers']) assert.ok(key in r, key);
  const info = await page.evaluate(() => window.gradsign.lookup(11));
  assert.equal(info.arch, '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|');
  assert.equal(info.accuracy.cifar10, 91.5833);
});

test('the baseline proxies, beside GradSign', async () => {
  await open();
  const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|';
  const r = await page.evaluate((a) => window.gradsign.score({ arch: a, n: 16, seed: 0, proxies: ['gradsign', 'snip', 'synflow', 'naswot'] }), arch);
  const native = JSON.parse(execFileSync(join(root, 'bin', 'gradsign'), ['score', '--arch', arch, '--n', '16', '--seed', '0', '--proxies', 'snip,synflow,naswot', '--json']).toString());
  for (const p of ['snip', 'synflow', 'naswot']) {
    assert.ok(Math.abs(r.proxies[p] - native.proxies[p]) <= 1e-3 * Math.abs(native.proxies[p]), `${p}: browser ${r.proxies[p]}, native ${native.proxies[p]}`);
  }
  await assert.rejects(page.evaluate((a) => window.gradsign.score({ arch: a, n: 64, seed: 0, proxies: ['snip'] }), arch), /N at most 32/);
});

test('after a reload the same request comes from history', async () => {
  const arch = '|nor_conv_1x1~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|';
  await open('?arch=' + encodeURIComponent(arch) + '&n=16&seed=21');
  await page.click('#score');
  await page.waitForFunction(() => /Done in|From history/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
  await page.reload();
  await page.evaluate(() => window.gradsign.ready);
  await page.waitForFunction(() => !document.getElementById('score').disabled);
  await page.click('#score');
  await page.waitForFunction(() => /From history/.test(document.getElementById('progress-text').textContent), null, { timeout: 10_000 });
  const csv = await page.evaluate(() => window.gradsign.history.export('csv').then((b) => b.text()));
  assert.match(csv.split('\n')[0], /^time,space,index,arch,channels,n,seed,data,gradsign/);
  assert.ok(csv.includes(arch), 'the scored arch is in the export');
});

test('a malformed arch string gets an inline error', async () => {
  await open();
  await page.fill('#arch', '|nor_conv_3x3~0|+|bogus~0|none~1|+|none~0|none~1|none~2|');
  await page.waitForFunction(() => document.getElementById('arch-error').textContent !== '');
  assert.match(await page.textContent('#arch-error'), /unknown operation "bogus"/);
  assert.equal(await page.isDisabled('#score'), true);
  await assert.rejects(page.evaluate(() => window.gradsign.score({ arch: '|x~0|', n: 16 })), /want 3 nodes/);
  await assert.rejects(page.evaluate(() => window.gradsign.score({ arch: '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|', n: 16, proxies: ['nope'] })), /unknown proxy "nope"/);
});

test('a running score can be cancelled', async () => {
  await open('?arch=' + encodeURIComponent('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|') + '&n=128&seed=9');
  await page.click('#score');
  await page.waitForFunction(() => !document.getElementById('cancel').disabled);
  // While GradSign runs the line counts images (it once read "GradSign done; gradsign…").
  await page.waitForFunction(() => /^\d+ of 128 images, \d+\.\d s/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
  assert.doesNotMatch(await page.textContent('#progress-text'), /GradSign done/);
  await page.click('#cancel');
  await page.waitForFunction(() => /Cancelled/.test(document.getElementById('progress-text').textContent), null, { timeout: 10_000 });
});

test('offline after one visit: the page loads and scores', async () => {
  await open();
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload(); // now controlled by the service worker
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.setOffline(true);
  try {
    await open('?arch=' + encodeURIComponent('|skip_connect~0|+|nor_conv_1x1~0|none~1|+|avg_pool_3x3~0|skip_connect~1|nor_conv_1x1~2|') + '&n=16&seed=5');
    await page.click('#score');
    await page.waitForFunction(() => /Done in/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
    assert.match(await page.textContent('#result'), /GradSign/);
  } finally {
    await context.setOffline(false);
  }
});

test('phone width', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await open();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page wider than the screen by ${overflow}px`);
    await page.screenshot({ path: join(outDir, 'phone.png'), fullPage: true });
  } finally {
    await page.setViewportSize({ width: 1200, height: 900 });
  }
});

test('the engine runs the SIMD kernel, and Go\'s own kernel gives the native score too', async () => {
  await open();
  assert.equal(await page.evaluate(() => window.gradsign.kernel()), 'wasm-relaxed-simd', 'Chromium has relaxed SIMD');
  const other = await context.newPage();
  try {
    await other.goto(url + '?kernel=go&workers=1');
    await other.evaluate(() => window.gradsign.ready);
    assert.equal(await other.evaluate(() => window.gradsign.kernel()), 'go');
    const arch = '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|';
    const r = await other.evaluate((a) => window.gradsign.score({ arch: a, n: 16, seed: 5 }), arch);
    const native = nativeScore(arch, 16, 5);
    assert.ok(Math.abs(r.gradsign - native) <= 1e-3 * native, `Go kernel in the browser ${r.gradsign}, native ${native}`);
  } finally {
    await other.close();
  }
});

test('the server forbids sniffing, listings and foreign scripts, and the app meets its policy', async () => {
  await open('?n=16');
  await page.evaluate(() => window.gradsign.score({ arch: '|skip_connect~0|+|none~0|nor_conv_1x1~1|+|none~0|none~1|avg_pool_3x3~2|', n: 16, seed: 11 }));
  const r = await page.request.get(url + 'app.js');
  assert.equal(r.headers()['x-content-type-options'], 'nosniff');
  assert.match(r.headers()['content-security-policy'], /script-src 'self' 'wasm-unsafe-eval'/);
  assert.equal((await page.request.get(url + 'assets/')).status(), 404, 'no directory listing');
  const plain = await page.request.get(url + 'gradsign.wasm', { headers: { 'Accept-Encoding': 'gzip;q=0' } });
  assert.equal(plain.headers()['content-encoding'], undefined, 'gzip;q=0 gets no gzip');
  assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violations');
});

test('the API refuses a bad request before any work, and cancel always settles', async () => {
  await open();
  const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';
  const refused = async (request, pattern) => {
    const t0 = Date.now();
    await assert.rejects(page.evaluate((r) => window.gradsign.score(r), request), pattern);
    assert.ok(Date.now() - t0 < 2000, `refused at once (${Date.now() - t0} ms)`);
  };
  await refused({ arch, n: 64, seed: 0, proxies: ['gradsign', 'snip'] }, /snip .*N at most 32/);
  await refused({ arch, n: 32, seed: 0, proxies: ['grasp'] }, /grasp .*N at most 16/);
  await refused({ arch, n: 16, seed: 2 ** 64 }, /seed .*want a whole number from 0 to 9007199254740991/);
  await refused({ arch, n: 16, seed: 2 ** 60 }, /seed/);
  await refused({ arch, n: 16, seed: -1 }, /seed/);
  await refused({ arch, n: 3.5, seed: 0 }, /image count 3.5/);
  await refused({ arch: '|bogus~0|', n: 16, seed: 0 }, /arch/);
  // A callback is a function or absent: anything else is refused, not thrown later uncaught.
  await assert.rejects(page.evaluate((a) => window.gradsign.score({ arch: a, n: 16 }, 5), arch), /onProgress must be a function/);
  await assert.rejects(page.evaluate(() => window.gradsign.race({ algo: 'rs', runs: 1, seed: 0 }, 5)), /onRun must be a function/);
  const facts = await page.evaluate(() => window.gradsign.facts());
  assert.deepEqual(facts.proxies.find((p) => p.name === 'grasp'), { name: 'grasp', maxN: 16 });
  assert.equal(facts.ops.length, 5);
  assert.equal(facts.edges.length, 6);

  // score() then cancel() in the same tick: the Promise settles (rejects), and so does every
  // later one; the pool keeps its workers.
  const workers = page.workers().length;
  for (let round = 0; round < 3; round++) {
    const outcome = await page.evaluate((a) => {
      const p = window.gradsign.score({ arch: a, n: 128, seed: 100 + Math.floor(Math.random() * 1e9) });
      window.gradsign.cancel();
      return p.then(() => 'resolved', (e) => e.name);
    }, arch);
    assert.equal(outcome, 'Cancelled');
  }
  const late = await page.evaluate(async (a) => {
    const p = window.gradsign.score({ arch: a, n: 128, seed: 77 });
    await new Promise((r) => setTimeout(r, 1500));
    window.gradsign.cancel();
    return p.then(() => 'resolved', (e) => e.name);
  }, arch);
  assert.equal(late, 'Cancelled');
  assert.equal(page.workers().length, workers, 'no worker leaks');
  // The pool still works after the cancels.
  const r = await page.evaluate(() => window.gradsign.score({ arch: '|skip_connect~0|+|nor_conv_1x1~0|none~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|', n: 16, seed: 4 }));
  assert.ok(r.gradsign > 0);
});

test('the all-none cell: every layer\'s agreement is 0, and the axis says so', { timeout: SCORE_TIMEOUT }, async () => {
  await open('?arch=' + encodeURIComponent('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|') + '&n=16&seed=0');
  await page.click('#score');
  await page.waitForSelector('#result-section:not([hidden])', { timeout: SCORE_TIMEOUT });
  await page.waitForFunction(() => /all 0/.test(document.getElementById('layers-axis').textContent));
  assert.doesNotMatch(await page.textContent('#layers-axis'), /0\.00/);
});

test('a link\'s parameters the page cannot use are named, not silently replaced', async () => {
  await open('?n=7&seed=12345678901234567890&backend=quantum&space=nb102');
  await page.waitForFunction(() => /not used/.test(document.getElementById('status').textContent));
  const status = await page.textContent('#status');
  for (const name of ['n="7"', 'seed="12345678901234567890"', 'backend="quantum"', 'space="nb102"']) assert.ok(status.includes(name), `${name} in ${status}`);
  assert.equal(await page.inputValue('#seed'), '0');
  assert.equal(await page.inputValue('#n'), '16');
});

test('every edit answers at once with what the benchmark knows; a click on an edge changes it', async () => {
  await open('?arch=' + encodeURIComponent('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|') + '&n=16&seed=0');
  await page.waitForFunction(() => /CIFAR-10 91\.58%/.test(document.getElementById('known-accuracy')?.textContent ?? ''));
  assert.match(await page.textContent('#known-size'), /802,426 parameters · 113\.95 M FLOPs/);
  await page.click('#cell [data-edge="3"] text'); // its label: none -> skip_connect
  await page.waitForFunction(() => document.getElementById('arch').value.includes('+|skip_connect~0|nor_conv_3x3~1|'));
  await page.waitForFunction(() => !/91\.58%/.test(document.getElementById('known-accuracy').textContent));
  await page.focus('#cell [data-edge="3"]');
  await page.keyboard.press('Enter'); // skip_connect -> nor_conv_1x1
  await page.waitForFunction(() => document.getElementById('arch').value.includes('+|nor_conv_1x1~0|nor_conv_3x3~1|'));
  assert.equal(await page.textContent('#progress-text'), '', 'nothing was scored');
  assert.match(await page.textContent('#estimate'), /About [\d.]+ s on this device/);
});

test('Enter scores; a proxy over its N limit cannot be ticked and says why; a bad seed is named', async () => {
  await open('?n=16&seed=3');
  await page.focus('#seed');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /Done in|From history/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
  await page.selectOption('#n', '64');
  assert.equal(await page.isDisabled('#proxy-snip'), true);
  assert.match(await page.textContent('#proxy-limits'), /snip \(N ≤ 32\)/);
  await page.selectOption('#n', '16');
  assert.equal(await page.isDisabled('#proxy-grasp'), false);
  await page.fill('#seed', '-4');
  await page.waitForFunction(() => document.getElementById('seed-error').textContent !== '');
  assert.equal(await page.isDisabled('#score'), true);
  await page.fill('#seed', '4');
  await page.waitForFunction(() => !document.getElementById('score').disabled);
});

test('Clear history can be undone; the CSV export has every proxy and no internal fields', async () => {
  await open();
  const arch = '|skip_connect~0|+|nor_conv_3x3~0|none~1|+|avg_pool_3x3~0|skip_connect~1|nor_conv_1x1~2|';
  await page.evaluate((a) => window.gradsign.score({ arch: a, n: 16, seed: 8, proxies: ['gradsign', 'snip'] }), arch);
  await page.reload();
  await page.evaluate(() => window.gradsign.ready);
  await page.waitForFunction(() => document.querySelectorAll('#history tbody tr').length > 0);
  const before = await page.locator('#history tbody tr').count();
  const csv = await page.evaluate(() => window.gradsign.history.export('csv').then((b) => b.text()));
  const head = csv.split('\n')[0].split(',');
  assert.ok(head.includes('snip') && !head.includes('key'), `header ${head}`);
  const row = csv.split('\n').find((l) => l.includes(arch)).split(',');
  assert.match(row[head.indexOf('seconds')], /^\d+\.\d\d$/, 'seconds to the hundredth');
  await page.click('#clear');
  await page.waitForFunction(() => document.querySelectorAll('#history tbody tr').length === 0);
  await page.waitForSelector('#undo:not([hidden])');
  await page.click('#undo-clear');
  await page.waitForFunction((n) => document.querySelectorAll('#history tbody tr').length === n, before);
});

test('layout: no page wider than the screen, Score in reach on a phone, a favicon', async () => {
  for (const [width, height] of [[390, 844], [1280, 800]]) {
    await page.setViewportSize({ width, height });
    try {
      await open();
      await page.fill('#arch', '|nor_conv_3x3~0|+|bogus' + 'x'.repeat(300) + '~0|none~1|+|none~0|none~1|none~2|');
      await page.waitForFunction(() => document.getElementById('arch-error').textContent !== '');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${width}px: page wider than the screen by ${overflow}px with an arch error`);
      const box = await page.locator('#score').boundingBox();
      if (width < 720) assert.ok(box.y + box.height <= height, `${width}px: Score at ${box.y}, off the screen`);
      await page.screenshot({ path: join(outDir, `layout-${width}.png`) });
    } finally {
      await page.setViewportSize({ width: 1200, height: 900 });
    }
  }
  assert.equal((await page.request.get(url + 'favicon.svg')).status(), 200);
  assert.equal(await page.getAttribute('link[rel=icon]', 'href'), 'favicon.svg');
});

test('the result ranks, explains and plots: hover names a point, a click loads it, the x-axis switches', async () => {
  await page.setViewportSize({ width: 1280, height: 800 });
  try {
    await open('?arch=' + encodeURIComponent('|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|') + '&n=16&seed=0');
    await page.click('#score');
    await page.waitForSelector('#result-section:not([hidden])', { timeout: SCORE_TIMEOUT });
    await page.waitForSelector('#plot canvas');
    assert.match(await page.textContent('#result'), /#\d+ of 201 by GradSign, #\d+ of 201 by CIFAR-10 accuracy/);
    assert.match(await page.textContent('#plot-caption'), /Spearman's rank correlation with accuracy is 0\.\d{3} for GradSign and 0\.\d{3} for simply counting parameters/);
    assert.match(await page.textContent('.explain'), /higher predicts better/);
    // The page scrolls the result into view smoothly: the plot's box is read once that ends
    // (the pointer moves by page coordinates).
    await scrolled();
    const box = await page.locator('#plot .u-over').boundingBox();
    let named = null;
    for (let x = 5; x < box.width && !named; x += 6) {
      for (let y = 5; y < box.height && !named; y += 6) {
        await page.mouse.move(box.x + x, box.y + y);
        const t = await page.textContent('#plot-hover');
        if (/NAS-Bench-201 index \d+/.test(t)) named = { x, y, t };
      }
    }
    assert.ok(named, 'some point names itself under the pointer');
    const arch = named.t.match(/(\|[^ ,]+\|)/)[1];
    await page.mouse.click(box.x + named.x, box.y + named.y);
    await page.waitForFunction((a) => document.getElementById('arch').value === a, arch);
    await page.screenshot({ path: join(outDir, 'result-1280.png') });
    await page.selectOption('#plot-x', 'params');
    await page.waitForFunction(() => /Parameters against/.test(document.getElementById('plot-title').textContent));
  } finally {
    await page.setViewportSize({ width: 1200, height: 900 });
  }
});

test('the sign view fills in image by image and adds up as GradSign does', async () => {
  await open('?arch=' + encodeURIComponent('|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|') + '&n=16&seed=1');
  await page.click('#score');
  await page.waitForSelector('#result-section:not([hidden])', { timeout: SCORE_TIMEOUT });
  await page.waitForFunction(() => /these 32 weights add \d+ of at most 512/.test(document.getElementById('signs-total').textContent), null, { timeout: SCORE_TIMEOUT });
  const cells = await page.locator('#signs div').count();
  assert.equal(cells, 16 * 32 + 32, '16 rows of 32 signs and a row of sums');
  // The total the page states is the sum over columns of |blue − orange|.
  const [total, computed] = await page.evaluate(() => {
    const divs = [...document.querySelectorAll('#signs div')];
    let sum = 0;
    for (let j = 0; j < 32; j++) {
      let s = 0;
      for (let i = 0; i < 16; i++) s += divs[i * 32 + j].className === 'pos' ? 1 : divs[i * 32 + j].className === 'neg' ? -1 : 0;
      sum += Math.abs(s);
    }
    return [Number(document.getElementById('signs-total').textContent.match(/add (\d+)/)[1]), sum];
  });
  assert.equal(total, computed);
});

test('the per-layer view has an axis, a key, stages, a table, and bars linked to the cell diagram', async () => {
  await open('?arch=' + encodeURIComponent('|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|') + '&n=16&seed=2');
  await page.click('#score');
  await page.waitForSelector('#result-section:not([hidden])', { timeout: SCORE_TIMEOUT });
  await page.waitForFunction(() => document.querySelectorAll('#layers-axis span').length === 3);
  const bars = await page.locator('#layers div').count();
  assert.equal(await page.locator('#layers-table tbody tr').count(), bars, 'a table row per bar');
  assert.equal(await page.locator('#layers-axis span').count(), 3);
  assert.match(await page.textContent('#layers-stages'), /stage 1 \(C\).*stage 2 \(2C\).*stage 3 \(4C\)/);
  assert.match(await page.textContent('.key'), /reduction blocks/);
  await page.hover('#layers [data-edge="1"]');
  assert.equal(await page.getAttribute('#cell .edge[data-edge="1"]', 'class'), 'edge lit');
  await page.hover('#cell [data-edge="4"] text');
  assert.ok(await page.locator('#layers .lit[data-edge="4"]').count() > 0, 'the edge lights its bars');
});

test('on a phone the history keeps its Show buttons on the screen; an index like 3.5 is named as an index', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    await open('?n=16&seed=12');
    await page.click('#score');
    await page.waitForFunction(() => document.querySelectorAll('#history tbody tr').length > 0, null, { timeout: SCORE_TIMEOUT });
    const box = await page.locator('#history tbody tr button').first().boundingBox();
    assert.ok(box.x + box.width <= 390, `Show at x ${box.x}, off the screen`);
    await page.screenshot({ path: join(outDir, 'history-390.png'), fullPage: true });
  } finally {
    await page.setViewportSize({ width: 1200, height: 900 });
  }
  await page.fill('#index', '3.5');
  await page.dispatchEvent('#index', 'change');
  await page.waitForFunction(() => /index "3\.5": want a whole number/.test(document.getElementById('arch-error').textContent));
  // A cleared index is named as an index, not as an empty arch string, and the facts go.
  await page.fill('#index', '');
  await page.dispatchEvent('#index', 'change');
  await page.waitForFunction(() => /NAS-Bench-201 index: want a whole number from 0 to 15624/.test(document.getElementById('arch-error').textContent));
  assert.equal(await page.textContent('#known'), '');
});

test("without WebGPU (this Chromium has none), 'auto' runs on wasm and 'webgpu' says why not", { timeout: SCORE_TIMEOUT }, async () => {
  await open();
  const b = await page.evaluate(() => window.gradsign.backends());
  assert.equal(b.webgpu, null);
  assert.equal(b.auto, 'wasm');
  await page.waitForFunction(() => /No WebGPU adapter/.test(document.getElementById('backend-status').textContent));
  assert.equal(await page.locator('#backend option[value=webgpu]').isDisabled(), true);
  const arch = '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|';
  const r = await page.evaluate((a) => window.gradsign.score({ arch: a, n: 16, seed: 5 }), arch);
  assert.equal(r.backend, 'wasm');
  assert.equal(r.adapter, undefined);
  await assert.rejects(page.evaluate((a) => window.gradsign.score({ arch: a, n: 16, seed: 5, backend: 'webgpu' }), arch),
    /no WebGPU adapter.*use 'wasm' or 'auto'/);
});

test('the whole space: every scored architecture, the editor\'s one placed in it, hover names, click loads', { timeout: SCORE_TIMEOUT }, async () => {
  // Index 1's score in the project's whole-space file.
  const row = readFileSync(join(root, 'results', 'gradsign_nb201_all_cifar10_n128_seed0.csv'), 'utf8').split('\n').find((l) => l.startsWith('1,'));
  const [, arch, score] = row.split(',');
  await open('?arch=' + encodeURIComponent(arch));
  await page.waitForSelector('#space-plot canvas');
  await page.waitForFunction(() => /^Index 1: /.test(document.getElementById('space-here').textContent));
  const here = await page.textContent('#space-here');
  assert.match(here, new RegExp(`GradSign ${Number(score).toLocaleString('en-US')} at N=128, above \\d+\\.\\d% of the space`));
  // The whole space, with the ρ that RESULTS.md gives from the CLI (gradsign eval --merge).
  const caption = await page.textContent('#space-caption');
  assert.match(caption, /^All 15,625 architectures of NAS-Bench-201\. Spearman's rank correlation with CIFAR-10 accuracy over them: 0\.777\.$/);
  await page.selectOption('#space-dataset', 'cifar100');
  assert.match(await page.textContent('#space-caption'), /with CIFAR-100 accuracy over them: 0\.751\.$/);
  assert.match(await page.textContent('#space-here'), /its CIFAR-100 accuracy/);
  // Sweep the pointer over the plot until it names an architecture, then click it.
  await page.locator('#space-plot').scrollIntoViewIfNeeded();
  const box = await page.locator('#space-plot .u-over').boundingBox();
  let named = null;
  for (let y = box.y + 5; y < box.y + box.height && !named; y += 6) {
    for (let x = box.x + 5; x < box.x + box.width && !named; x += 12) {
      await page.mouse.move(x, y);
      const m = (await page.textContent('#space-hover')).match(/^NAS-Bench-201 index (\d+): GradSign/);
      if (m) named = m[1];
    }
  }
  assert.ok(named, 'some point names itself under the pointer');
  await page.mouse.down();
  await page.mouse.up();
  await page.waitForFunction((i) => document.getElementById('index').value === i, named);
  assert.match(await page.textContent('#space-here'), new RegExp(`^Index ${named}: `));
});

test('the search race: vanilla against GradSign-assisted, curves, final architectures, a plain summary', { timeout: SCORE_TIMEOUT }, async () => {
  await open();
  await page.waitForFunction(() => document.querySelector('#space-plot canvas'));
  const scored = await page.evaluate(async () => (await window.gradsign.wholeSpace()).scored);
  assert.equal(scored, 15625, 'the shipped whole-space asset is complete');
  assert.equal(await page.locator('#race-start').isDisabled(), false);
  await page.selectOption('#race-algo', 'rea');
  await page.selectOption('#race-runs', '10');
  await page.click('#race-start');
  await page.waitForFunction(() => /^After 10 runs of REA/.test(document.getElementById('race-summary').textContent), null, { timeout: SCORE_TIMEOUT });
  assert.match(await page.textContent('#race-summary'), /GradSign-assisted search ended on architectures averaging \d+\.\d\d% CIFAR-10 test accuracy, vanilla on \d+\.\d\d%/);
  assert.equal(await page.locator('#race-table tbody tr').count(), 10);
  assert.ok(await page.locator('#race-plot canvas').count() > 0);
  const first = await page.locator('#race-table tbody tr').first().locator('button').nth(1);
  const index = (await first.textContent()).slice(1);
  await first.click();
  await page.waitForFunction((i) => document.getElementById('index').value === i, index);
});

test('?bench=1 without WebGPU times the wasm engine and says why only it', { timeout: SCORE_TIMEOUT }, async () => {
  await page.goto(url + '?bench=1&benchn=2');
  await page.evaluate(() => window.gradsign.ready);
  await page.waitForFunction(() => /^Done/.test(document.getElementById('bench-status').textContent), null, { timeout: SCORE_TIMEOUT });
  assert.match(await page.textContent('#bench-status'), /no WebGPU adapter: the wasm engine only/);
  assert.equal(await page.locator('#bench-table tbody tr').count(), 1);
  const cells = await page.locator('#bench-table tr[data-backend=wasm] td').allTextContents();
  assert.equal(cells[1], '2');
  assert.ok(Number(cells[2]) > 0 && Number(cells[4].replace(/,/g, '')) > 0, cells.join(' | '));
});
