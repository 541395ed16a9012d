// The history in a real browser (Debian's Chromium): optional, so that scoring works with
// IndexedDB broken in each way a browser breaks it; read in pages; exported as Blobs; shared
// between tabs; requests checked by shape before any work. Each test has a fresh profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from '../../tools/serve/harness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(root, 'build', 'test-output');
const SCORE_TIMEOUT = 120_000;
// A small cell: a score of two images takes well under a second.
const ARCH = '|nor_conv_1x1~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|';

// withPage opens a fresh browser; setup (optional: a function and its argument) runs in a first
// page of the site before the app is loaded for the test (to leave IndexedDB as another build
// or another tab would).
async function withPage(f, { setup, init } = {}) {
  const b = await openBrowser();
  try {
    if (init) await b.page.addInitScript(init);
    if (setup) {
      await b.page.goto(b.url + 'favicon.svg');
      await b.page.evaluate(...setup);
    }
    await b.page.goto(b.url + '?arch=' + encodeURIComponent(ARCH) + '&n=16');
    await b.page.evaluate(() => window.gradsign.ready);
    await b.page.waitForFunction(() => !document.getElementById('score').disabled);
    await f(b);
    assert.deepEqual(b.problems, [], 'no uncaught errors');
  } finally {
    await b.close();
  }
}

// scoreInPage scores ARCH on two images through the page's API and answers the result.
const scoreInPage = (page, seed = 0) => page.evaluate(([arch, s]) => window.gradsign.score({ arch, n: 2, seed: s, backend: 'wasm' }), [ARCH, seed]);

// scoreByButton presses Score and waits for the line under the bar to end.
async function scoreByButton(page) {
  await page.click('#score');
  await page.waitForFunction(() => /Done in|From history|Error|failed/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
  return page.textContent('#progress-text');
}

// A database as a test leaves it: name, version, stores and records (JSON strings in version 1,
// as the builds before the summaries wrote them).
const makeDatabase = ({ version, stores = [], records = [] }) => new Promise((resolve, reject) => {
  const r = indexedDB.open('gradsign', version);
  r.onupgradeneeded = () => { for (const s of stores) r.result.createObjectStore(s); };
  r.onerror = () => reject(r.error);
  r.onsuccess = () => {
    const db = r.result;
    if (records.length === 0) { db.close(); resolve(); return; }
    const txn = db.transaction('results', 'readwrite');
    for (const [key, value] of records) txn.objectStore('results').put(value, key);
    txn.oncomplete = () => { db.close(); resolve(); };
    txn.onerror = () => reject(txn.error);
  };
});

// record is a well-formed stored result of NAS-Bench-201 index i, made at the given time.
function record(i, time) {
  return {
    space: 'nb201', index: i, arch: '|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|', channels: 16,
    params: 1000 + i, flops: 2000 + i, accuracy: { cifar10: 90.125, cifar100: 70, imagenet16: 40 }, structuralZeros: 0,
    memory: 1, engines: 2, gradsign: 123456 + i, n: 16, seed: 2, data: 'cifar10-test-0..999', percentile: 37.5,
    rank: null, structural_zeros: 0, layers: [{ name: 'stem', weights: 432, score: 216, structural_zeros: 0, agreement: 0.5 }], seconds: 1.4999999999, workers: 2,
    backend: 'wasm', time, key: `test-key-${i}`,
  };
}

test('scores with IndexedDB refusing to open (as private modes do): the result shows, the history says why once', { timeout: SCORE_TIMEOUT }, async () => {
  await withPage(async ({ page }) => {
    const line = await scoreByButton(page);
    assert.match(line, /Done in .* Not kept: history unavailable: .*storage is disabled/);
    await page.waitForSelector('#result-section:not([hidden])');
    assert.match(await page.textContent('#history-note'), /^History unavailable: .*storage is disabled.*Scoring works; results are not kept\.$/);
    assert.equal(await page.locator('#history tbody tr').count(), 0);
    assert.equal(await page.textContent('#status').then((s) => /failed to load/.test(s)), false, 'the engine is not said to have failed');
    const told = await page.evaluate(() => window.told);
    assert.equal(told.length, 1, `told once: ${JSON.stringify(told)}`);
  }, {
    init: () => {
      IDBFactory.prototype.open = function open() { throw new DOMException('storage is disabled in this window', 'SecurityError'); };
      window.told = [];
      window.addEventListener('load', () => window.gradsign.history.watch((e) => { if (e.unavailable) window.told.push(e.unavailable); }));
    },
  });
});

test('scores with the storage quota full: the result shows and says it was not kept', { timeout: SCORE_TIMEOUT }, async () => {
  await withPage(async ({ page, url }) => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(url).origin, quotaSize: 1 });
    const r = await scoreInPage(page);
    assert.ok(r.gradsign > 0);
    assert.match(r.notKept, /history unavailable: the browser's storage quota for this site is full/);
    await page.waitForFunction(() => /^History unavailable: the browser's storage quota/.test(document.getElementById('history-note').textContent));
    // Room again: the next result is kept, and the note goes.
    await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(url).origin });
    const again = await scoreInPage(page, 1);
    assert.equal(again.notKept, undefined);
    await page.waitForFunction(() => document.getElementById('history-note').textContent === '' && document.querySelectorAll('#history tbody tr').length === 1);
  });
});

test('scores with a database of a later version that lacks the stores (another build\'s)', { timeout: SCORE_TIMEOUT }, async () => {
  await withPage(async ({ page }) => {
    const line = await scoreByButton(page);
    assert.match(line, /Not kept: history unavailable: the database "gradsign" \(version 99\) has no "results" store/);
    assert.match(await page.textContent('#history-note'), /version 99/);
  }, { setup: [makeDatabase, { version: 99 }] });
});

test('a version 1 database without its store, or with records of the builds before, is upgraded; a malformed record is left out and counted', { timeout: 2 * SCORE_TIMEOUT }, async () => {
  let good;
  await withPage(async ({ page }) => {
    await scoreByButton(page);
    await page.waitForFunction(() => document.querySelectorAll('#history tbody tr').length === 1);
    assert.equal(await page.textContent('#history-note'), '');
    good = await page.evaluate(async () => window.gradsign.history.get((await window.gradsign.history.list()).records[0].key));
  }, { setup: [makeDatabase, { version: 1 }] });

  // The builds before the summaries stored each result as a JSON string.
  const { accuracy, ...noAccuracy } = { ...good, key: 'another key' };
  const old = [[good.key, JSON.stringify(good)], [noAccuracy.key, JSON.stringify(noAccuracy)], ['junk', '{"not json']];
  await withPage(async ({ page }) => {
    await page.waitForFunction(() => document.querySelectorAll('#history tbody tr').length === 1);
    assert.match(await page.textContent('#history-note'), /^2 stored records are not a result this page can show/);
    const h = await page.evaluate(() => window.gradsign.history.list());
    assert.deepEqual([h.records.length, h.total, h.skipped], [1, 3, 2]);
    assert.equal(h.records[0].key, good.key);
    assert.equal(h.records[0].layers, undefined, 'the list holds summaries');
    const whole = await page.evaluate((k) => window.gradsign.history.get(k), good.key);
    assert.deepEqual(whole, good, 'the whole record, layers and all');
    await page.click('#history tbody tr button');
    await page.waitForFunction(() => /From history: computed/.test(document.getElementById('progress-text').textContent));
    await page.waitForSelector('#result-section:not([hidden])');
    assert.equal(await page.locator('#layers-table tbody tr').count(), good.layers.length, 'a row per layer');
  }, { setup: [makeDatabase, { version: 1, stores: ['results'], records: old }] });
});

test('the database deleted from another tab: the next score is kept in a new one', { timeout: SCORE_TIMEOUT }, async () => {
  await withPage(async ({ page, url }) => {
    await scoreInPage(page, 1);
    await page.waitForFunction(() => window.gradsign.history.list().then((h) => h.total === 1));
    const other = await page.context().newPage();
    await other.goto(url + 'favicon.svg');
    await other.evaluate(() => new Promise((resolve, reject) => {
      const r = indexedDB.deleteDatabase('gradsign');
      r.onsuccess = resolve;
      r.onerror = () => reject(r.error);
    }));
    await other.close();
    const r = await scoreInPage(page, 2);
    assert.equal(r.notKept, undefined, `kept: ${r.notKept}`);
    const h = await page.evaluate(() => window.gradsign.history.list());
    assert.deepEqual([h.total, h.records[0].seed], [1, 2]);
  });
});

test('a result scored in one tab appears in the other tab\'s history', { timeout: SCORE_TIMEOUT }, async () => {
  await withPage(async ({ page, url }) => {
    const other = await page.context().newPage();
    await other.goto(url);
    await other.evaluate(() => window.gradsign.ready);
    await scoreInPage(other, 5);
    await page.waitForFunction(() => document.querySelectorAll('#history tbody tr').length === 1);
    await other.close();
  });
});

test('10,000 results: listed a page at a time, exported whole as CSV and JSON', { timeout: 10 * SCORE_TIMEOUT }, async () => {
  await withPage(async ({ page }) => {
    const base = Date.parse('2026-01-01T00:00:00Z');
    const records = Array.from({ length: 10_000 }, (_, i) => record(i, new Date(base + i * 1000).toISOString()));
    const timings = await page.evaluate(async (all) => {
      for (let i = 0; i < all.length; i += 1000) await window.gradsign.history.put(all.slice(i, i + 1000));
      const t = (f) => async () => { const s = performance.now(); const v = await f(); return [performance.now() - s, v]; };
      const [listMs, page1] = await t(() => window.gradsign.history.list({ limit: 50 }))();
      const [allMs, every] = await t(() => window.gradsign.history.list())();
      const [csvMs, csv] = await t(async () => (await window.gradsign.history.export('csv')).text())();
      const [jsonMs, json] = await t(async () => (await window.gradsign.history.export('json')).text())();
      const page2 = await window.gradsign.history.list({ offset: 50, limit: 50 });
      return {
        listMs, allMs, csvMs, jsonMs, first: page1.records.map((r) => r.index).slice(0, 3), total: page1.total, n1: page1.records.length,
        second: page2.records[0].index, every: every.records.length, csvLines: csv.trim().split('\n'), jsonLength: JSON.parse(json).length,
        jsonFirst: JSON.parse(json)[0].layers,
      };
    }, records);
    assert.deepEqual(timings.first, [9999, 9998, 9997], 'newest first');
    assert.deepEqual([timings.total, timings.n1, timings.second, timings.every], [10_000, 50, 9949, 10_000]);
    assert.equal(timings.csvLines.length, 10_001);
    const head = timings.csvLines[0].split(',');
    assert.deepEqual(head, ['time', 'space', 'index', 'arch', 'channels', 'n', 'seed', 'data', 'gradsign', 'params', 'flops', 'structural_zeros',
      'cifar10', 'cifar100', 'imagenet16', 'percentile', 'seconds', 'workers', 'backend', 'adapter']);
    const row = timings.csvLines[1].split(',');
    const col = (name) => row[head.indexOf(name)];
    assert.deepEqual([col('index'), col('gradsign'), col('cifar10'), col('percentile'), col('seconds'), col('adapter')], ['9999', '133455', '90.13', '37.5', '1.50', '']);
    assert.ok(!timings.csvLines[0].includes('key') && !timings.csvLines[1].includes('test-key'), 'nothing internal in the CSV');
    assert.equal(timings.jsonLength, 10_000);
    assert.deepEqual(timings.jsonFirst, [{ name: 'stem', weights: 432, score: 216, structural_zeros: 0, agreement: 0.5 }], 'the JSON holds whole records');
    // Times are written down for BENCHMARKS.md, not asserted (the machine is shared).
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'history-10000.json'), JSON.stringify({ listMs: timings.listMs, allMs: timings.allMs, csvMs: timings.csvMs, jsonMs: timings.jsonMs }) + '\n');
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#history tbody tr').length === 50);
    assert.equal(await page.textContent('#history-count'), 'The newest 50 of 10000 results.');
    await page.click('#history-more');
    await page.waitForFunction(() => document.querySelectorAll('#history tbody tr').length === 100);
    const memory = await page.evaluate(() => window.gradsign.memory());
    assert.ok(memory.every((m) => m < 150 * 2 ** 20), `worker memory ${memory}`);
  });
});

test('requests are checked by shape before any work: huge array-like proxies, a non-function callback', { timeout: SCORE_TIMEOUT }, async () => {
  await withPage(async ({ page }) => {
    for (const kind of ['huge', 'array-like', 'sparse', 'numbers']) {
      const [scored, checked] = await page.evaluate(async ([arch, k]) => {
        const make = { huge: () => new Array(2 ** 32 - 1), 'array-like': () => ({ length: 1e9 }), sparse: () => new Array(1e8), numbers: () => [1, 2] }[k];
        const message = (p) => p.then(() => 'accepted', (e) => e.message);
        return [await message(window.gradsign.score({ arch, n: 2, proxies: make() })), await message(window.gradsign.check({ arch, n: 2, proxies: make() }))];
      }, [ARCH, kind]);
      assert.match(scored, /proxies must be an array of at most 32 proxy names/, kind);
      assert.match(checked, /proxies must be an array of at most 32 proxy names/, kind);
    }
    assert.match(await page.evaluate(() => window.gradsign.race({}, 5).then(() => 'ran', (e) => e.message)), /onRun must be a function/);
    const r = await scoreInPage(page);
    assert.ok(r.gradsign > 0, 'the engine still scores');
  });
});
