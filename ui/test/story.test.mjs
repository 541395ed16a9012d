// The page as a newcomer and a teacher see it (issue 21): chance level beside every agreement,
// the first screen at 1280×900, a result that fits a phone, results marked once the editor
// changes, and a time estimate the device earned. A real Chromium on the built app (make web);
// run alone with `node --test ui/test/story.test.mjs` after `make web` and
// `go build -o bin/ ./tools/serve ./tools/gradsign`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from '../../tools/serve/harness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(root, 'build', 'test-output');
const SCORE_TIMEOUT = 180_000;
const ARCH = '|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|';

let browser;
let page;

before(async () => {
  mkdirSync(outDir, { recursive: true });
  browser = await openBrowser();
  page = browser.page;
});

after(async () => {
  assert.deepEqual(browser?.problems ?? [], [], 'no page errors, no policy complaints');
  await browser?.close();
});

async function open(query = '', size = { width: 1280, height: 900 }) {
  await page.setViewportSize(size);
  await page.goto(browser.url + query);
  await page.evaluate(() => window.gradsign.ready);
  await page.waitForFunction(() => !document.getElementById('score').disabled);
}

async function score() {
  await page.click('#score');
  await page.waitForFunction(() => /^Done in|^From history/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
  await page.waitForSelector('#result-section:not([hidden])');
  await page.waitForFunction(() => !document.getElementById('score').disabled);
}

// chance is E|sum of n fair signs| / n, summed over the binomial distribution: the test's own
// count, to check the engine's.
function chance(n) {
  let sum = 0;
  let c = 1; // C(n, k)
  for (let k = 0; k <= n; k++) {
    sum += c * Math.abs(2 * k - n);
    c = (c * (n - k)) / (k + 1);
  }
  return sum / n / 2 ** n;
}

test('chance level: the result, the layer bars, the table and the sign view say what random signs would give', { timeout: SCORE_TIMEOUT }, async () => {
  await open(`?arch=${encodeURIComponent(ARCH)}&n=16&seed=3&backend=wasm`);
  await score();
  // The sign view first: a score (the API's, next) stops its pass.
  await page.waitForFunction(() => /Coins tossed for the signs would agree 0\.196 on average at N = 16/.test(document.getElementById('signs-total').textContent), null, { timeout: SCORE_TIMEOUT });
  const r = await page.evaluate(async (arch) => window.gradsign.score({ arch, n: 16, seed: 3, backend: 'wasm' }), ARCH);
  assert.ok(Math.abs(r.chance - chance(16)) < 1e-12, `chance ${r.chance}, counted ${chance(16)}`);
  assert.ok(Math.abs(r.chance_score + r.above_chance - r.gradsign) < 1e-6 * r.gradsign);
  // Every weight adds N·chance but those no gradient reaches (node 2 feeds nothing here: the
  // 1×1 convolution into it is structural zeros).
  const weights = r.layers.reduce((a, l) => a + l.weights - l.structural_zeros, 0);
  assert.ok(r.structural_zeros > 0);
  assert.ok(Math.abs(r.chance_score - 16 * chance(16) * weights) < 1e-6 * r.chance_score, 'every weight adds N·chance');
  for (const l of r.layers) assert.ok(Math.abs(l.excess - (l.agreement - l.chance)) < 1e-12, `${l.name}: excess`);
  // The page shows them, in the engine's words.
  // GradSign per weight: the mean agreement, beside random signs', as size times agreement.
  assert.ok(Math.abs(r.agreement - r.gradsign / (16 * r.weights)) < 1e-9, `agreement ${r.agreement}`);
  assert.match(await page.textContent('#result-per'), new RegExp(`^agreement ${r.agreement.toFixed(3)} \\(random signs 0\\.196\\) over [\\d,]+ weights: GradSign = weights × N × agreement`));
  const row = await page.textContent('#result-above');
  assert.match(row, /random signs at every weight would score/);
  assert.ok(row.includes(r.above_chance.toLocaleString('en-US', { maximumFractionDigits: 0 })), `${row} names ${r.above_chance}`);
  const line = page.locator('#layers-chance');
  assert.match(await line.textContent(), /random signs 0\.196/);
  // The line sits at chance's height on the bars' scale (the highest bar is the top).
  const [lineY, top, bottom] = await page.evaluate(() => {
    const box = document.getElementById('layers').getBoundingClientRect();
    return [document.getElementById('layers-chance').getBoundingClientRect().top, box.top, box.bottom];
  });
  const highest = Math.max(...r.layers.map((l) => l.agreement));
  const want = bottom - ((bottom - top) * r.chance) / highest;
  assert.ok(Math.abs(lineY - want) < 3, `chance line at y ${lineY}, want ${want}`);
  const head = await page.locator('#layers-table thead th').allTextContents();
  assert.deepEqual(head, ['Layer', 'Weights', 'Score', 'Agreement', 'Random signs', 'Excess', 'Structural zeros']);
  assert.equal(await page.textContent('#layers-table tbody tr:first-child td:nth-child(5)'), '0.196');
  assert.match(await page.textContent('#classifier-note'), /1 − 2\/10 = 0\.8/);
  assert.equal(await page.isVisible('#classifier-note'), true, 'NAS-Bench-201\'s classifier is explained');
  await page.locator('#result-section').screenshot({ path: join(outDir, 'chance-1280.png') });
});

test('1280×900, first load: Score in view, the data card not half empty, every label beside its control', async () => {
  await open();
  const score = await page.locator('#score').boundingBox();
  assert.ok(score.y + score.height <= 900 - 100, `Score at y ${score.y}: at the screen's bottom edge`);
  const gap = await page.evaluate(() => {
    const card = document.getElementById('data-section');
    const last = [...card.children].filter((c) => c.getBoundingClientRect().height > 0).pop();
    return card.getBoundingClientRect().bottom - last.getBoundingClientRect().bottom;
  });
  assert.ok(gap < 40, `${gap} px of empty card under the data`);
  for (const [label, control] of [['n', 'n'], ['seed', 'seed'], ['backend', 'backend']]) {
    const [a, b] = await Promise.all([page.locator(`label[for=${label}]`).boundingBox(), page.locator(`#${control}`).boundingBox()]);
    assert.ok(Math.abs((a.y + a.height / 2) - (b.y + b.height / 2)) < 6 && a.x < b.x, `the label of #${control} is not beside it`);
  }
  await page.screenshot({ path: join(outDir, 'first-load-1280.png') });
});

test('390 px: a result fits its card, the score reads whole, the stages are named, the sticky bar shows progress', { timeout: SCORE_TIMEOUT }, async () => {
  await open(`?arch=${encodeURIComponent(ARCH)}&n=64&seed=4&backend=wasm`, { width: 390, height: 844 });
  await page.click('#score');
  // While it runs, the bar at the bottom of the screen moves.
  await page.waitForFunction(() => document.getElementById('progress').value > 0, null, { timeout: SCORE_TIMEOUT });
  const bar = await page.locator('#progress').boundingBox();
  assert.ok(bar.y >= 0 && bar.y + bar.height <= 844, `progress at y ${bar.y}: not on the screen while scrolled to the top`);
  await page.waitForFunction(() => /^Done in/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
  await page.waitForFunction(() => document.querySelectorAll('#layers-stages span').length === 5);
  await page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = true; });
  const wide = await page.evaluate(() => {
    const out = [];
    const inScroller = (e) => { for (let p = e.parentElement; p; p = p.parentElement) if (/auto|scroll/.test(getComputedStyle(p).overflowX) && p.scrollWidth > p.clientWidth) return true; return false; };
    for (const e of document.querySelectorAll('#result-section *')) {
      const b = e.getBoundingClientRect();
      if (b.width > 0 && (b.right > innerWidth + 0.5 || b.left < -0.5) && !inScroller(e)) out.push(`${e.tagName}#${e.id}.${e.className} ${Math.round(b.left)}–${Math.round(b.right)}`);
    }
    return out;
  });
  assert.deepEqual(wide, [], 'elements past the 390 px screen');
  const lines = await page.evaluate(() => {
    const range = document.createRange();
    range.selectNodeContents(document.getElementById('result-gradsign'));
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  });
  assert.equal(lines, 1, 'the score breaks over lines');
  // One read of both boxes: the page is still scrolling the result into view.
  const [dt, dd] = await page.evaluate(() => [document.querySelector('#result dt'), document.getElementById('result-gradsign')]
    .map((e) => { const b = e.getBoundingClientRect(); return { y: b.y, height: b.height, width: b.width }; }));
  assert.ok(dd.width > 390 / 2, `the score's column is ${dd.width} px: the labels take half the width`);
  assert.ok(dd.y >= dt.y + dt.height - 1, `a fact's name stands above it: name at ${JSON.stringify(dt)}, score at ${JSON.stringify(dd)}`);
  const cut = await page.evaluate(() => [...document.querySelectorAll('#layers-stages span, #result dd, .known dd')]
    .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent));
  assert.deepEqual(cut, [], 'text cut inside its box');
  const stages = await page.locator('#layers-stages span').allTextContents();
  for (const s of stages) assert.ok(s === '' || /^stage \d \(\d?C\)$/.test(s), `stage label "${s}"`);
  await page.screenshot({ path: join(outDir, 'result-390.png'), fullPage: true });
});

test('a result is marked once the editor holds something else; a malformed arch string takes the old facts away', { timeout: SCORE_TIMEOUT }, async () => {
  await open(`?arch=${encodeURIComponent(ARCH)}&n=16&seed=5&backend=wasm`);
  await score();
  assert.equal(await page.isVisible('#result-stale'), false, 'the result is the editor\'s');
  await page.selectOption('#edge-0', { label: 'skip' });
  await page.waitForSelector('#result-stale:not([hidden])');
  assert.match(await page.textContent('#result-stale'), /This result is of NAS-Bench-201 index \d+, N = 16, seed 5; the editor now holds something else/);
  assert.match(await page.getAttribute('#result-section', 'class'), /stale/);
  await page.selectOption('#edge-0', { label: 'conv 3×3' });
  await page.waitForSelector('#result-stale[hidden]', { state: 'attached' });
  await page.selectOption('#n', '32');
  await page.waitForSelector('#result-stale:not([hidden])');
  await page.selectOption('#n', '16');
  await page.waitForSelector('#result-stale[hidden]', { state: 'attached' });
  // A malformed string: no index, no accuracies of the last cell, the diagram greyed.
  await page.waitForFunction(() => /CIFAR-10/.test(document.getElementById('known').textContent));
  await page.fill('#arch', '|nor_conv_3x3~0|+|bogus~0|');
  await page.waitForFunction(() => document.getElementById('arch-error').textContent !== '');
  await page.waitForFunction(() => document.getElementById('known').textContent === '');
  assert.equal(await page.inputValue('#index'), '');
  assert.match(await page.getAttribute('#cell', 'class'), /stale/);
  assert.match(await page.textContent('#result-stale'), /no architecture the engine takes/);
  await page.fill('#arch', ARCH);
  await page.waitForFunction(() => /CIFAR-10/.test(document.getElementById('known').textContent));
  assert.doesNotMatch(await page.getAttribute('#cell', 'class') ?? '', /stale/);
  await page.waitForSelector('#result-stale[hidden]', { state: 'attached' });
});

test('after a warm score, the estimate is within 2× of the time the next score takes', { timeout: 3 * SCORE_TIMEOUT }, async () => {
  await open(`?arch=${encodeURIComponent(ARCH)}&n=32&seed=6&backend=wasm`);
  await score(); // cold: the workers build their networks
  await page.fill('#seed', '7');
  await score(); // warm: this one calibrates
  await page.fill('#seed', '8');
  await page.waitForFunction(() => /^About/.test(document.getElementById('estimate').textContent));
  const said = Number((await page.textContent('#estimate')).match(/^About ([\d.]+) s/)[1]);
  await score();
  const took = Number((await page.textContent('#progress-text')).match(/^Done in ([\d.]+) s/)[1]);
  assert.ok(said <= 2 * took && took <= 2 * said, `estimated ${said} s, took ${took} s`);
  // The kernel's rate is the device's, not the start's: the fastest of its timed runs.
  const rate = await page.evaluate(() => window.gradsign.gemmRate(200));
  const shown = Number((await page.textContent('#estimate')).match(/at ([\d.]+) GFLOP\/s/)[1]);
  assert.ok(shown >= rate.gflops / 2, `the estimate uses ${shown} GFLOP/s, the kernel runs at ${rate.gflops}`);
});

test('a first estimate is a range; after one score of the space it is that score\'s time, said as measured', { timeout: SCORE_TIMEOUT }, async () => {
  await open();
  await page.evaluate(() => window.gradsign.history.clear()); // no earlier scores to learn from
  await open(`?arch=${encodeURIComponent(ARCH)}&n=16&seed=21&backend=wasm`);
  await page.waitForFunction(() => /first guess/.test(document.getElementById('estimate').textContent));
  assert.match(await page.textContent('#estimate'), /^(About [\d.]+–[\d.]+ s|Under [\d.]+ s) on this device .*no NAS-Bench-201 score measured here yet/);
  await score();
  await page.waitForFunction(() => /measured here\)/.test(document.getElementById('estimate').textContent));
  const said = (await page.textContent('#estimate')).match(/^About ([\d.]+) s on this device/);
  const took = Number((await page.textContent('#progress-text')).match(/^Done in ([\d.]+) s/)[1]);
  assert.ok(said, `one number: ${await page.textContent('#estimate')}`);
  assert.ok(Math.abs(Number(said[1]) - took) <= 0.051 * Math.max(1, took), `the same cell and N: estimated ${said[1]} s, took ${took} s`);
  // Another space has its own: DARTS is still a first guess.
  await page.selectOption('#space', 'darts');
  await page.waitForFunction(() => /no DARTS score measured here yet/.test(document.getElementById('estimate').textContent));
});

test('while a score runs Score is disabled, and Enter or a click starts no second one; it scores the index typed', { timeout: SCORE_TIMEOUT }, async () => {
  await open(`?arch=${encodeURIComponent(ARCH)}&n=32&seed=22&backend=wasm`);
  await page.evaluate(() => {
    const score = window.gradsign.score;
    window.scoreCalls = 0;
    window.gradsign.score = (...args) => { window.scoreCalls++; return score(...args); };
  });
  await page.fill('#index', '8604');
  await page.press('#index', 'Enter');
  await page.press('#index', 'Enter');
  await page.waitForFunction(() => /of 32 images/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
  assert.equal(await page.isDisabled('#score'), true, 'Score is disabled while it runs');
  await page.evaluate(() => document.getElementById('score').click());
  await page.press('#index', 'Enter');
  await page.waitForFunction(() => /^Done in|^From history/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
  assert.equal(await page.evaluate(() => window.scoreCalls), 1, 'one score');
  await page.waitForFunction(() => /NAS-Bench-201 index 8604/.test(document.getElementById('result-architecture')?.textContent ?? ''));
  await page.waitForFunction(() => !document.getElementById('score').disabled);
});

test('the sign view never delays a score: a score stops its pass', { timeout: SCORE_TIMEOUT }, async () => {
  await open();
  const r = await page.evaluate(async (arch) => {
    const big = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';
    const signs = window.gradsign.signSamples({ arch: big, n: 32, k: 32 }).then(() => 'finished', (err) => err.name);
    const s = await window.gradsign.score({ arch, n: 16, seed: 23, backend: 'wasm' });
    return { signs: await signs, gradsign: s.gradsign };
  }, ARCH);
  assert.equal(r.signs, 'Cancelled');
  assert.ok(r.gradsign > 0);
  // Alone, the same pass finishes.
  const alone = await page.evaluate(() => window.gradsign.signSamples({ arch: '|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|', n: 4, k: 8 }).then((v) => v.signs.length));
  assert.equal(alone, 4);
});

test('the race: a key without placeholders, the middle half of the runs, the gap\'s interval, scoring time charged', { timeout: 3 * SCORE_TIMEOUT }, async () => {
  await open();
  await page.waitForFunction(() => !document.getElementById('race-start').disabled, null, { timeout: SCORE_TIMEOUT });
  await page.selectOption('#race-algo', 'rs');
  await page.selectOption('#race-runs', '10');
  await page.click('#race-start');
  await page.waitForFunction(() => /^After 10 runs of random search/.test(document.getElementById('race-summary').textContent), null, { timeout: SCORE_TIMEOUT });
  const said = await page.textContent('#race-summary');
  // The engine's own summary of the same race, to check the words against.
  const runs = await page.evaluate(async () => {
    const out = [];
    await window.gradsign.race({ algo: 'rs', runs: 10, seed: 0, budget: 12000, candidates: 10 }, (r) => out.push(r));
    return out;
  });
  const s = runs.at(-1).soFar;
  assert.equal(s.runs, 10);
  const f = s.final;
  const diffs = runs.map((r) => r.gradsign.accuracy.cifar10 - r.vanilla.accuracy.cifar10);
  const gap = diffs.reduce((a, d) => a + d, 0) / 10;
  const sd = Math.sqrt(diffs.reduce((a, d) => a + (d - gap) ** 2, 0) / 9);
  assert.ok(Math.abs(f.gap - gap) < 1e-9 && Math.abs(f.se - sd / Math.sqrt(10)) < 1e-9, `gap ${f.gap} ± ${f.se}, counted ${gap} ± ${sd / Math.sqrt(10)}`);
  const two = (v) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  assert.ok(said.includes(`95% interval ${two(f.low)} to ${two(f.high)}`), said);
  assert.match(said, f.low > 0 || f.high < 0 ? /significant/ : /cannot tell the two apart/);
  for (const side of [s.vanilla, s.gradsign]) {
    side.q1.forEach((q, k) => assert.ok(q == null ? side.q3[k] == null : q <= side.q3[k], `quartiles at ${k}`));
  }
  const legend = await page.textContent('#race-section');
  assert.doesNotMatch(legend, /--/, 'a placeholder in the race');
  assert.equal(await page.locator('#race-section .u-legend').count(), 0);
  assert.match(await page.textContent('#race-key'), /middle half/);
  await page.locator('#race-section').screenshot({ path: join(outDir, 'race-1280.png') });
  // Charged scoring: 100 s a score leaves the assisted side fewer trainings, and the summary says so.
  await page.check('#race-charge');
  await page.fill('#race-charge-s', '100');
  await page.click('#race-start');
  await page.waitForFunction(() => /100\.0 s charged per GradSign score/.test(document.getElementById('race-summary').textContent), null, { timeout: SCORE_TIMEOUT });
  const charged = await page.evaluate(async () => {
    let trainings = 0;
    await window.gradsign.race({ algo: 'rs', runs: 10, seed: 0, budget: 12000, candidates: 10, chargeScoring: 100 }, (r) => { trainings += r.gradsign.evaluated; });
    return trainings;
  });
  assert.ok(charged < runs.reduce((a, r) => a + r.gradsign.evaluated, 0), 'charging scores left as many trainings');
  await assert.rejects(page.evaluate(() => window.gradsign.race({ algo: 'rs', runs: 1, seed: 0, budget: 12000, candidates: 10, chargeScoring: -1 }, () => {})), /chargeScoring -1/);
});

test('two tabs score one at a time: the second waits for the first, says so, and can be cancelled while it waits', { timeout: 3 * SCORE_TIMEOUT }, async () => {
  await open('?n=128&seed=21&backend=wasm');
  const other = await page.context().newPage();
  try {
    await other.setViewportSize({ width: 1280, height: 900 });
    await other.goto(browser.url + '?n=16&seed=22&backend=wasm');
    await other.evaluate(() => window.gradsign.ready);
    await other.waitForFunction(() => !document.getElementById('score').disabled);
    // Each tab notes when its progress line first counts images and when it says Done.
    const watch = () => {
      window.seen = {};
      new MutationObserver(() => {
        const t = document.getElementById('progress-text').textContent;
        if (/^\d+ of \d+ images/.test(t) && /^[1-9]/.test(t)) window.seen.counting ??= Date.now();
        if (/^Done in/.test(t)) window.seen.done ??= Date.now();
      }).observe(document.getElementById('progress-text'), { childList: true, characterData: true, subtree: true });
    };
    await page.evaluate(watch);
    await other.evaluate(watch);
    await page.click('#score');
    await page.waitForFunction(() => window.seen.counting, null, { timeout: SCORE_TIMEOUT });
    // Cancel while waiting: the wait ends at once, the first tab goes on.
    await other.click('#score');
    await other.waitForFunction(() => /^Waiting: another tab of this page is scoring/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
    await other.click('#cancel');
    await other.waitForFunction(() => document.getElementById('progress-text').textContent === 'Cancelled.');
    assert.equal(await page.evaluate(() => window.seen.done), undefined, 'the first tab finished before the second could cancel');
    // Again, to the end: the second counts images only after the first is done.
    await other.click('#score');
    await other.waitForFunction(() => /^Waiting/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
    await other.waitForFunction(() => window.seen.done, null, { timeout: 2 * SCORE_TIMEOUT });
    const first = await page.evaluate(() => window.seen);
    const second = await other.evaluate(() => window.seen);
    assert.ok(first.done && second.counting >= first.done, `the second tab counted images at ${second.counting}, the first was done at ${first.done}`);
  } finally {
    await other.close();
  }
});

test('every proxy in context: its rank among the reference set at this N, and how it ranks the 1,000 sample', { timeout: SCORE_TIMEOUT }, async () => {
  const ref = JSON.parse(readFileSync(join(root, 'assets', 'reference.json'), 'utf8'));
  const e = ref.archs[0];
  await open(`?arch=${encodeURIComponent(e.arch)}&n=16&seed=0&backend=wasm`);
  await page.check('#proxy-snip');
  await page.check('#proxy-synflow');
  await score();
  const r = await page.evaluate((arch) => window.gradsign.score({ arch, n: 16, seed: 0, proxies: ['gradsign', 'snip', 'synflow'], backend: 'wasm' }), e.arch);
  for (const name of ['snip', 'synflow']) {
    // The browser's value is the native CLI's that made the reference set's.
    const native = e.proxies[name][0];
    assert.ok(Math.abs(r.proxies[name] - native) <= 1e-5 * Math.abs(native), `${name}: browser ${r.proxies[name]}, reference ${native}`);
    const above = ref.archs.filter((a) => a.proxies[name][0] > r.proxies[name]).length;
    assert.deepEqual({ rank: r.proxyRanks[name].rank, of: r.proxyRanks[name].of }, { rank: 1 + above, of: 201 });
  }
  const row = await page.textContent('#result-snip');
  assert.match(row, new RegExp(`: #${r.proxyRanks.snip.rank} of 201 by snip \\(the reference set at N = 16`));
  assert.match(row, /on NAS-Bench-201's 1,000-cell sample at N = 128 it ranks accuracy with ρ 0\.604/);
  assert.equal(await page.locator('#proxy-rankings tbody tr').count(), 11);
  assert.match(await page.textContent('#proxy-rankings tr.mark'), /^gradsign0\.766/);
  // naswot's ρ differs between the table and the explorer: the table says why.
  const naswot = await page.locator('#proxy-rankings tbody tr', { hasText: 'naswot' }).textContent();
  assert.match(naswot, /^naswot0\.789.*11 of 1,000 have no finite value and rank lowest here \(the explorer leaves them out\)/);
});

test('two cells side by side: a suggested poor cell, or one of your own, beside the result', { timeout: SCORE_TIMEOUT }, async () => {
  await open(`?arch=${encodeURIComponent(ARCH)}&n=16&seed=3&backend=wasm`);
  await score();
  await page.selectOption('#compare-with', { index: 1 });
  await page.click('#compare-go');
  await page.waitForFunction(() => document.querySelectorAll('#compare-pair figure').length === 2, null, { timeout: SCORE_TIMEOUT });
  const captions = await page.locator('#compare-pair figcaption').allTextContents();
  const poor = await page.evaluate(() => window.gradsign.lookup(document.getElementById('compare-with').value));
  assert.match(captions[0], /^This cell: NAS-Bench-201 index \d+, CIFAR-10 \d+\.\d\d% after training$/);
  assert.equal(captions[1], `The other: NAS-Bench-201 index ${poor.index}, CIFAR-10 ${poor.accuracy.cifar10.toFixed(2)}% after training`);
  assert.equal(await page.locator('#compare-pair .chance-line').count(), 2);
  const bars = await page.locator('#compare-pair figure').nth(0).locator('.layers div').count();
  assert.equal(bars, await page.locator('#layers div').count(), 'the result\'s bars, one per layer');
  await page.selectOption('#compare-with', 'own');
  await page.fill('#compare-own', '|bogus~0|');
  await page.click('#compare-go');
  await page.waitForFunction(() => /arch|operation|want/i.test(document.getElementById('compare-status').textContent) && !/Scoring/.test(document.getElementById('compare-status').textContent));
  await page.locator('#layers-box').screenshot({ path: join(outDir, 'compare-1280.png') });
});

test('the proxy explorer: any shipped proxy, rank against rank, a log axis where it can be, the top k, a click loads', { timeout: SCORE_TIMEOUT }, async () => {
  await open();
  await page.waitForFunction(() => document.querySelectorAll('#explore-proxy option').length === 12 && /Take the top 10 by GradSign/.test(document.getElementById('explore-top').textContent), null, { timeout: SCORE_TIMEOUT });
  assert.match(await page.textContent('#explore-caption'), /^15,625 architectures: Spearman's ρ 0\.777 between GradSign and CIFAR-10 accuracy/);
  await page.selectOption('#explore-proxy', 'synflow');
  await page.waitForFunction(() => /by synflow/.test(document.getElementById('explore-top').textContent));
  const v = await page.evaluate(() => window.gradsign.explore({ proxy: 'synflow', dataset: 'cifar10', ranks: false, k: 10 }));
  const two = (x) => x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  assert.equal(await page.textContent('#explore-top'), `Take the top 10 by synflow: their mean CIFAR-10 accuracy is ${two(v.top.mean)}%, the best of them ${two(v.top.best)}%. The 10 truly best average ${two(v.top.bestK)}%, and 10 drawn at random ${two(v.top.allMean)}% on average (the best of all: ${two(v.top.bestOverall)}%).`);
  // The top 10 by hand: the points are sorted by synflow.
  const mean = v.y.slice(-10).reduce((a, y) => a + y, 0) / 10;
  assert.ok(Math.abs(mean - v.top.mean) < 1e-9);
  assert.equal(await page.isDisabled('#explore-log'), true, 'synflow has zeros: no log axis');
  await page.selectOption('#explore-proxy', 'params');
  await page.waitForFunction(() => /by params/.test(document.getElementById('explore-top').textContent) && !document.getElementById('explore-log').disabled);
  await page.check('#explore-log');
  await page.waitForFunction(() => /Shown: params on a log axis/.test(document.getElementById('explore-caption').textContent));
  await page.selectOption('#explore-view', 'ranks');
  await page.waitForFunction(() => /Shown: rank against rank/.test(document.getElementById('explore-caption').textContent));
  await page.fill('#explore-k', '50');
  await page.dispatchEvent('#explore-k', 'change');
  await page.waitForFunction(() => /^Take the top 50 by params/.test(document.getElementById('explore-top').textContent));
  await page.fill('#explore-k', '5000');
  await page.dispatchEvent('#explore-k', 'change');
  await page.waitForFunction(() => /k 5000: want 1 to 1000/.test(document.getElementById('explore-top').textContent));
  await page.locator('#space-section').screenshot({ path: join(outDir, 'explore-1280.png') });
  // Hover names the point under the pointer; a click loads it into the editor.
  await page.locator('#explore-plot').scrollIntoViewIfNeeded();
  const box = await page.locator('#explore-plot .u-over').boundingBox();
  await page.mouse.move(box.x + box.width - 3, box.y + 3);
  await page.waitForFunction(() => /^NAS-Bench-201 index \d+/.test(document.getElementById('explore-hover').textContent));
  const index = (await page.textContent('#explore-hover')).match(/index (\d+)/)[1];
  await page.mouse.click(box.x + box.width - 3, box.y + 3);
  await page.waitForFunction((i) => document.getElementById('index').value === i, index);
});

test('Score acts on what the editor shows: a typed index is scored on Enter and on a click, not the last cell', { timeout: 3 * SCORE_TIMEOUT }, async () => {
  await open('?n=16&seed=0&backend=wasm');
  await page.fill('#index', '8604');
  await page.press('#index', 'Enter');
  await page.waitForFunction(() => /index 8604\b/.test(document.getElementById('result-architecture')?.textContent ?? ''), null, { timeout: SCORE_TIMEOUT });
  await page.waitForFunction(() => !document.getElementById('score').disabled);
  assert.equal(await page.isVisible('#result-stale'), false, 'the result is the editor\'s');
  assert.equal(await page.inputValue('#index'), '8604');
  // Typed, then Score clicked at once (the field's change and the click come together).
  await page.fill('#index', '11');
  await page.click('#score');
  await page.waitForFunction(() => /index 11\b/.test(document.getElementById('result-architecture')?.textContent ?? ''), null, { timeout: SCORE_TIMEOUT });
  await page.waitForFunction(() => !document.getElementById('score').disabled);
  assert.equal(await page.isVisible('#result-stale'), false, 'the result is the editor\'s');
  // An index out of range is said, and nothing is scored.
  await page.fill('#index', '15625');
  await page.press('#index', 'Enter');
  await page.waitForFunction(() => document.getElementById('arch-error').textContent !== '');
  assert.match(await page.textContent('#result-architecture'), /index 11\b/);
});
