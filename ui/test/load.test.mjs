// The first visit fetches what the first score needs, and the rest when a view or a request
// asks for it (issue 34, item 9): the first 128 images, not the 1,000; NAS-Bench-201's tables,
// not the other spaces'. Counted in bytes, on a fresh profile (nothing cached, no service
// worker yet). A real Chromium on the built app (make web); run alone with
// `node --test ui/test/load.test.mjs` after `make web` and `go build -o bin/ ./tools/serve ./tools/gradsign`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, nativeScore } from '../../tools/serve/harness.mjs';

let browser;
let page;
const fetched = []; // [path, bytes on the wire, finished before the engine was ready]
let ready = false;

before(async () => {
  browser = await openBrowser();
  page = browser.page;
  page.on('requestfinished', async (req) => {
    const when = ready;
    const sizes = await req.sizes().catch(() => null);
    fetched.push([new URL(req.url()).pathname, sizes ? sizes.responseBodySize + sizes.responseHeadersSize : 0, !when]);
  });
});

after(async () => {
  assert.deepEqual(browser?.problems ?? [], [], 'no page errors, no policy complaints');
  await browser?.close();
});

const beforeReady = () => fetched.filter(([, , early]) => early);

test('the first load: the engine once, 128 images, no other space\'s tables, under 2.8 MB before the engine is ready', async () => {
  await page.goto(browser.url);
  await page.evaluate(() => window.gradsign.ready);
  ready = true;
  await page.waitForFunction(() => !document.getElementById('score').disabled);
  const names = beforeReady().map(([p]) => p);
  assert.ok(names.includes('/assets/cifar10_test_first128.bin'), names.join(' '));
  for (const later of ['/assets/cifar10_test_rest872.bin', '/assets/nb101_1000.csv.gz', '/assets/nb301_1218.csv.gz', '/assets/reference_spaces.json']) {
    assert.ok(!names.includes(later), `${later} fetched before the first score needs it`);
  }
  const engine = beforeReady().filter(([p, bytes]) => p === '/gradsign.wasm' && bytes > 1e6);
  assert.equal(engine.length, 1, 'the engine is downloaded once (the other workers find it cached)');
  const total = beforeReady().reduce((a, [, b]) => a + b, 0);
  assert.ok(total < 2.8e6, `${total} bytes before the engine was ready`);
});

test('another space\'s tables come when it is chosen; more than 128 images when a request asks for them', { timeout: 180_000 }, async () => {
  await page.selectOption('#space', 'nb101');
  await page.waitForFunction(() => /108 epochs/.test(document.getElementById('known-accuracy')?.textContent ?? ''));
  assert.ok(fetched.some(([p]) => p === '/assets/nb101_1000.csv.gz'));
  const arch = '|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|';
  const r = await page.evaluate((a) => window.gradsign.score({ arch: a, n: 200, seed: 0, backend: 'wasm' }), arch);
  assert.ok(fetched.some(([p]) => p === '/assets/cifar10_test_rest872.bin'));
  assert.ok(Math.abs(r.gradsign - nativeScore(arch, 200, 0)) <= 1e-3 * r.gradsign, `N=200: page ${r.gradsign}`);
  const tooMany = await page.evaluate(() => window.gradsign.check({ arch: '0', n: 1001, seed: 0 }).then(() => 'no error', (e) => e.message));
  assert.match(tooMany, /from 1 to 1000/);
});
