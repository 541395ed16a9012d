// The search spaces beyond NAS-Bench-201 in the page, in headless Chromium: the NAS-Bench-101
// cell editor and the DARTS / NDS cell editors, the benchmark's facts, scores equal to the
// native CLI's, structural zeros shown, and a network the browser cannot hold refused with its
// estimate. Run alone with `node --test ui/test/spaces.test.mjs` after `make web` and
// `go build -o bin/ ./tools/serve ./tools/gradsign`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from '../../tools/serve/harness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(root, 'build', 'test-output');
const SCORE_TIMEOUT = 240_000;

let url;
let page;
let problems;
let browser;

before(async () => {
  mkdirSync(outDir, { recursive: true });
  browser = await openBrowser();
  ({ url, page, problems } = browser);
});

after(async () => { await browser?.close(); });

async function open(query) {
  await page.goto(url + query);
  await page.evaluate(() => window.gradsign.ready);
  await page.waitForFunction(() => !document.getElementById('score').disabled);
}

const text = (id) => page.evaluate((i) => document.getElementById(i)?.textContent ?? '', id);

// native runs the CLI's score with args and returns its JSON.
function native(...args) {
  return JSON.parse(execFileSync(join(root, 'bin', 'gradsign'), ['score', ...args, '--json']).toString());
}

async function score() {
  await page.click('#score');
  await page.waitForFunction(() => /Done in|From history|Error/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
  assert.doesNotMatch(await text('progress-text'), /Error/);
}

test('NAS-Bench-101: the cell drawn, edges and ops changed by click, the rules said, the benchmark\'s facts, the native score, a rank', { timeout: SCORE_TIMEOUT }, async () => {
  await open('?space=nb101&arch=0&n=32');
  await page.waitForFunction(() => /108 epochs/.test(document.getElementById('known-accuracy')?.textContent ?? ''));
  assert.equal(await page.inputValue('#space'), 'nb101');
  assert.ok(await page.locator('#space-diagram .nb101-vertex').count() === 7, 'seven vertices drawn');
  assert.ok(await page.isHidden('#space-section'), 'the whole-space view is NAS-Bench-201\'s');
  const before = await text('known-hash');
  // A click on a missing edge adds it (the cell changes, or the rules say why not).
  const off = page.locator('#space-controls .edge-toggle[aria-pressed="false"]').first();
  await off.click();
  await page.waitForFunction((h) => (document.getElementById('known-hash')?.textContent ?? '') !== h || document.getElementById('arch-error').textContent !== '', before);
  assert.match(await text('nb101-rules'), /edges? of at most 9/);
  // Too many edges: the engine's rule, in words, and no stale facts.
  for (let i = 0; i < 12; i++) {
    const t = page.locator('#space-controls .edge-toggle[aria-pressed="false"]').first();
    if (await t.count() === 0) break;
    await t.click();
  }
  await page.waitForFunction(() => /at most 9/.test(document.getElementById('arch-error').textContent));
  assert.equal(await text('known'), '');
  // Back to row 5, narrow (the reference's stem 16), scored at the reference's N.
  await page.fill('#space-row', '5');
  await page.dispatchEvent('#space-row', 'change');
  await page.waitForFunction(() => /row 5 of the table/.test(document.getElementById('known-hash')?.textContent ?? ''));
  const wide = await text('known-size');
  await page.selectOption('#space-width', '16');
  // The engine's answer for the narrow network redraws the cell and then its size: wait for
  // the size, so that the clicks below land on the cell as redrawn (on a busy machine the
  // answer comes late, and a click on the cell it replaces was lost).
  await page.waitForFunction((w) => /row 5 of the table/.test(document.getElementById('known-hash')?.textContent ?? '') && /stem 16/.test(document.getElementById('space-width').selectedOptions[0].textContent)
    && (document.getElementById('known-size')?.textContent ?? w) !== w, wide);
  await page.waitForFunction(() => !document.getElementById('arch-error').textContent);
  // A click on a vertex gives it the next op; a second and third bring the first back.
  const opOf = () => page.inputValue('#nb101-op-1');
  const first = await opOf();
  await page.click('#space-diagram .nb101-vertex.editable >> nth=0');
  await page.waitForFunction((f) => document.getElementById('nb101-op-1').value !== f, first);
  await page.click('#space-diagram .nb101-vertex.editable >> nth=0');
  await page.click('#space-diagram .nb101-vertex.editable >> nth=0');
  await page.waitForFunction((f) => document.getElementById('nb101-op-1').value === f && /row 5 of the table/.test(document.getElementById('known-hash')?.textContent ?? ''), first);
  await score();
  const r = await page.evaluate(() => window.gradsign.history.list({ limit: 1 }).then((h) => h.records[0]));
  const cli = native('--space', 'nb101', '--index', '5', '--channels', '16', '--n', '32');
  assert.ok(Math.abs(r.gradsign - cli.gradsign) <= 1e-6 * cli.gradsign, `browser ${r.gradsign}, native ${cli.gradsign}`);
  assert.equal(r.params, cli.params);
  assert.match(await text('result'), /#\d+ of 1001 by GradSign, #\d+ of 1001 by the benchmark's accuracy/);
  assert.match(await text('plot-caption'), /1000 NAS-Bench-101 architectures scored natively \(stem 16, N=32/);
  await page.waitForSelector('#plot canvas');
  assert.ok(await page.locator('#layers div').count() > 20, 'a bar per layer');
  // The key and the names in NAS-Bench-101's words, not NAS-Bench-201's edges.
  assert.match(await text('layers-key'), /vertices/);
  assert.doesNotMatch(await text('layers-key'), /edges|reduction blocks/);
  assert.match(await text('layers-how'), /layers\.K\.vertex_op\.V the convolution of vertex V/);
  assert.doesNotMatch(await text('layers-how'), /Point at a bar of a cell edge/);
  // The three stages named; the stem's and classifier's one-bar spans left to the key's colour.
  assert.deepEqual(await page.locator('#layers-stages span').allTextContents(), ['', 'stage 1 (C)', 'stage 2 (2C)', 'stage 3 (4C)', '']);
  await page.screenshot({ path: join(outDir, 'nb101.png'), fullPage: true });
});

test('DARTS: a NAS-Bench-301 genotype edited by its node choices, the surrogate\'s accuracy, the native score', { timeout: SCORE_TIMEOUT }, async () => {
  await open('?space=darts&arch=0&channels=16&n=16');
  await page.waitForFunction(() => /surrogate/.test(document.getElementById('known-accuracy')?.textContent ?? ''));
  assert.equal(await page.locator('#space-diagram figure').count(), 2, 'a normal and a reduction cell');
  await page.selectOption('#normal-op-0-0', 'sep_conv_5x5');
  await page.waitForFunction(() => /'sep_conv_5x5', \d\)/.test(document.getElementById('space-text').value.split('normal_concat')[0]));
  const genotype = await page.inputValue('#space-text');
  await page.waitForFunction(() => /not among|surrogate/.test(document.getElementById('known-accuracy')?.textContent ?? ''));
  await score();
  const r = await page.evaluate(() => window.gradsign.history.list({ limit: 1 }).then((h) => h.records[0]));
  assert.equal(r.arch, genotype);
  const cli = native('--space', 'darts', '--genotype', genotype, '--channels', '16', '--n', '16');
  // Float32 rounding: the native engine's depthwise kernels (AVX-512) sum in another order
  // than the browser's loops (17 in a million apart here).
  assert.ok(Math.abs(r.gradsign - cli.gradsign) <= 1e-4 * cli.gradsign, `browser ${r.gradsign}, native ${cli.gradsign}`);
  assert.equal(r.structural_zeros, cli.structural_zeros);
  assert.match(await text('plot-caption'), /not placed among them/, 'N=16 is not the reference\'s N=32');
});

test('NDS: DARTS_V2 by name, every gradient a structural zero, said and explained', { timeout: SCORE_TIMEOUT }, async () => {
  // NDS opens on a named cell, and names it.
  await open('?space=nds');
  await page.waitForFunction(() => document.getElementById('space-named').value === 'amoeba');
  await open('?space=nds&arch=darts_v2&channels=16&n=16');
  await page.waitForFunction(() => /exactly zero/.test(document.getElementById('known-zeros')?.textContent ?? ''));
  assert.equal(await page.inputValue('#space-named'), 'darts_v2');
  await score();
  assert.match(await text('result-gradsign'), /^0$/);
  assert.ok(await page.isVisible('#zeros-note'));
  assert.match(await text('zeros-note'), /official code counts the noise's signs/);
  assert.match(await text('zeros-note'), /GradSign cannot see it, and its 0 says nothing about how good it is/);
  assert.match(await text('result-rank'), /^none: GradSign cannot see this network at initialisation/, 'a 0 is not ranked as the worst');
  assert.match(await text('zeros-note'), /ranks by counting that noise/);
  assert.match(await text('plot-caption'), /NDS ships no accuracies/);
});

test('a network the browser cannot hold is refused at once, with its estimate', async () => {
  // NAS-Bench-101's largest cell at the benchmark's width fits; at stem 256 it does not.
  await open('?space=nb101&arch=849');
  await page.waitForFunction(() => /49,105,546 parameters/.test(document.getElementById('known-size')?.textContent ?? ''));
  assert.equal(await text('arch-error'), '');
  await page.goto(`${url}?space=nb101&arch=849&channels=256`);
  await page.evaluate(() => window.gradsign.ready);
  await page.waitForFunction(() => /MiB in each engine to score, more than the 1024 MiB a browser engine can hold/.test(document.getElementById('arch-error').textContent));
  await assert.rejects(page.evaluate(() => window.gradsign.score({ space: 'nb101', arch: '849', channels: 256, n: 16 })), /browser engine can hold/);
  assert.deepEqual(problems, []);
});

test('phone width: the editors fit', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  for (const q of ['?space=nb101&arch=3', '?space=darts&arch=3']) {
    await open(q);
    await page.waitForFunction(() => document.getElementById('known').textContent !== '');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 390, `${q}: the page is ${wide} px wide`);
    await page.screenshot({ path: join(outDir, `phone_${q.includes('nb101') ? 'nb101' : 'darts'}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('NAS-Bench-101\'s cell reads on a phone and at 1280: vertices and labels full size, arcs told apart and hit 4 px off, the grid\'s headers over their columns', async () => {
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await open('?space=nb101&arch=5');
    await page.waitForFunction(() => document.querySelectorAll('#space-diagram .nb101-edge').length > 3);
    const m = await page.evaluate(() => {
      const circle = document.querySelector('#space-diagram .nb101-vertex circle').getBoundingClientRect();
      const label = document.querySelector('#space-diagram .nb101-vertex .op-label').getBoundingClientRect();
      const colours = new Set([...document.querySelectorAll('#space-diagram .nb101-edge .line')].map((l) => getComputedStyle(l).stroke));
      // A point 4 px beside the middle of an arc, on the side away from its bow.
      const line = document.querySelector('#space-diagram .nb101-edge[data-edge="1-5"] .line');
      const svg = line.ownerSVGElement;
      const mid = line.getPointAtLength(line.getTotalLength() / 2);
      const screen = new DOMPoint(mid.x, mid.y).matrixTransform(svg.getScreenCTM());
      const box = svg.getBoundingClientRect();
      const inward = { x: box.left + box.width / 2 - screen.x, y: box.top + box.height / 2 - screen.y };
      const len = Math.hypot(inward.x, inward.y);
      const hit = document.elementFromPoint(screen.x + (4 * inward.x) / len, screen.y + (4 * inward.y) / len)?.closest('.nb101-edge')?.dataset.edge;
      const heads = [...document.querySelectorAll('.nb101-matrix tr:first-child th')].slice(1).map((h) => { const r = h.getBoundingClientRect(); return r.left + r.width / 2; });
      const cells = [...document.querySelectorAll('.nb101-matrix tr:nth-child(2) td')].map((d) => { const r = d.getBoundingClientRect(); return r.left + r.width / 2; });
      return { diameter: circle.width, label: label.height, colours: colours.size, hit, off: Math.max(...heads.map((h, j) => Math.abs(h - cells[j]))) };
    });
    assert.ok(m.diameter >= 28, `${width}px: vertices ${m.diameter} px across`);
    assert.ok(m.label >= 10, `${width}px: op labels ${m.label} px high`);
    assert.ok(m.colours >= 3, `${width}px: the arcs in ${m.colours} colours`);
    assert.equal(m.hit, '1-5', `${width}px: 4 px beside arc 1 → 5 is ${m.hit}`);
    assert.ok(m.off <= 2, `${width}px: a column header ${m.off} px off its column`);
    await page.locator('#space-diagram').screenshot({ path: join(outDir, `nb101-cell-${width}.png`) });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
});
