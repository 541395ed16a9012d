// "Your own network" in the page, in headless Chromium: an example model loaded with one click,
// a file picked from disk, the structure listed and coloured by agreement, the score equal to
// the native CLI's (`gradsign score --onnx`), fresh weights from the seed, an eval-mode export
// refused with what to do and scored only when asked, an unsupported file's message. Run alone
// with `node --test ui/test/onnx.test.mjs` after `make web` and
// `go build -o bin/ ./tools/serve ./tools/gradsign`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from '../../tools/serve/harness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const models = join(root, 'testdata', 'onnx');
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

const text = (id) => page.evaluate((i) => document.getElementById(i)?.textContent ?? '', id);

function native(...args) {
  return JSON.parse(execFileSync(join(root, 'bin', 'gradsign'), ['score', ...args, '--json']).toString());
}

async function score() {
  await page.click('#score');
  await page.waitForFunction(() => /Done in|From history|Error/.test(document.getElementById('progress-text').textContent), null, { timeout: SCORE_TIMEOUT });
  assert.doesNotMatch(await text('progress-text'), /Error/);
}

const gradsignShown = async () => Number((await text('result-gradsign')).replace(/,/g, ''));

test('an example model: its structure, the native score, layers coloured by agreement, fresh weights', { timeout: SCORE_TIMEOUT }, async () => {
  await page.goto(`${url}?space=onnx&n=16`);
  await page.evaluate(() => window.gradsign.ready);
  await page.waitForFunction(() => !document.getElementById('score').disabled);
  assert.equal(await page.inputValue('#space'), 'onnx');
  assert.ok(await page.isVisible('#model-editor'));
  assert.match(await text('model-editor'), /Nothing is uploaded/);
  // The export recipe covers random layers and input sizes.
  assert.match(await text('model-export-random'), /stochastic_depth_prob=0\.0.*224×224/);
  // Score before any model: the page says what to do, and scores nothing.
  await page.click('#score');
  await page.waitForFunction(() => /Read a model first/.test(document.getElementById('arch-error').textContent));
  await page.click('#model-examples button[data-file="resnet20.onnx"]');
  await page.waitForFunction(() => /ONNX nodes/.test(document.getElementById('model-status').textContent));
  await page.waitForFunction(() => /272,474 parameters/.test(document.getElementById('known-size')?.textContent ?? ''));
  assert.match(await text('known-accuracy'), /in no benchmark/);
  assert.equal(await page.locator('#model-nodes tr.weight-layer').count(), 22, 'ResNet-20: 21 convolutions and the classifier');
  await score();
  const want = native('--onnx', join(models, 'resnet20.onnx'), '--n', '16');
  const got = await gradsignShown();
  assert.ok(Math.abs(got - want.gradsign) <= 1e-3 * want.gradsign, `page ${got}, CLI ${want.gradsign}`);
  assert.match(await text('result-architecture'), /resnet20\.onnx/);
  assert.match(await text('result-images'), /the file's weights/);
  // Every weight layer's row now shows its agreement.
  const shown = await page.$$eval('#model-nodes tr.weight-layer td.agreement', (cells) => cells.filter((c) => /^0\.\d{3}$/.test(c.textContent)).length);
  assert.equal(shown, 22);
  await page.waitForFunction(() => /resnet20\.onnx/.test(document.getElementById('history').tBodies[0].textContent));
  await page.screenshot({ path: join(outDir, 'onnx-1280.png'), fullPage: true });
  // Fresh weights from the seed: another score, the CLI's --init.
  await page.selectOption('#model-weights', 'init');
  await page.waitForFunction(() => /drawn from the seed/.test(document.getElementById('known-weights')?.textContent ?? ''));
  await score();
  const init = native('--onnx', join(models, 'resnet20.onnx'), '--n', '16', '--init', '--seed', '0');
  const gotInit = await gradsignShown();
  assert.ok(Math.abs(gotInit - init.gradsign) <= 1e-3 * init.gradsign, `page ${gotInit}, CLI --init ${init.gradsign}`);
  assert.notEqual(gotInit, got);
  assert.deepEqual(problems, []);
});

test('a file from disk; an eval-mode export refused, then scored as it is when asked; a file that is not a model', { timeout: SCORE_TIMEOUT }, async () => {
  await page.selectOption('#model-weights', 'file');
  await page.setInputFiles('#model-file', join(models, 'mobilenetv2.onnx'));
  await page.waitForFunction(() => /mobilenetv2\.onnx: \d+ ONNX nodes/.test(document.getElementById('model-status').textContent));
  await score();
  const want = native('--onnx', join(models, 'mobilenetv2.onnx'), '--n', '16');
  const got = await gradsignShown();
  assert.ok(Math.abs(got - want.gradsign) <= 1e-3 * want.gradsign, `page ${got}, CLI ${want.gradsign}`);

  await page.setInputFiles('#model-file', join(models, 'tiny_folded.onnx'));
  await page.waitForFunction(() => /training mode/.test(document.getElementById('arch-error').textContent));
  assert.equal(await text('known'), '', 'no facts of the previous model stay');
  assert.doesNotMatch(await text('arch-error'), /--allow-folded/, 'the page names its button, not the CLI\'s flag');
  await page.click('#model-anyway');
  await page.waitForFunction(() => /folded into its convolutions/.test(document.getElementById('model-status').textContent));
  await page.waitForFunction(() => document.getElementById('arch-error').textContent === '' && /parameters/.test(document.getElementById('known-size')?.textContent ?? ''));
  await score();
  const folded = native('--onnx', join(models, 'tiny_folded.onnx'), '--allow-folded', '--n', '16');
  assert.ok(Math.abs(await gradsignShown() - folded.gradsign) <= 1e-3 * folded.gradsign);
  assert.match(await page.textContent('#result dt'), /^GradSign of the folded model$/);
  assert.match(await text('result-not'), /another network than the one GradSign scores/);

  const junk = join(outDir, 'not-a-model.onnx');
  writeFileSync(junk, 'PK\x03\x04 a zip file, not a model');
  await page.setInputFiles('#model-file', junk);
  await page.waitForFunction(() => /not an ONNX model/.test(document.getElementById('arch-error').textContent));
  assert.match(await text('model-status'), /cannot be scored/);

  // Hostile models (a chain of Concat(v, v) doubling the channels, or a folded shape vector)
  // are refused while they are read, and the engine goes on scoring.
  await page.setInputFiles('#model-file', join(models, 'hostile_channels.onnx'));
  await page.waitForFunction(() => /larger than the engine holds/.test(document.getElementById('arch-error').textContent));
  await page.setInputFiles('#model-file', join(models, 'hostile_shape.onnx'));
  await page.waitForFunction(() => /joins 128 integers/.test(document.getElementById('arch-error').textContent));
  await page.setInputFiles('#model-file', join(models, 'mobilenetv2.onnx'));
  await page.waitForFunction(() => /mobilenetv2\.onnx: \d+ ONNX nodes/.test(document.getElementById('model-status').textContent));
  await score();
  assert.ok(Math.abs(await gradsignShown() - want.gradsign) <= 1e-3 * want.gradsign, 'mobilenetv2 after the hostile files');
  assert.deepEqual(problems, []);
});

test('a phone: the model editor and its structure fit 390 px', { timeout: SCORE_TIMEOUT }, async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.click('#model-examples button[data-file="vgg.onnx"]');
  await page.waitForFunction(() => /vgg\.onnx: \d+ ONNX nodes/.test(document.getElementById('model-status').textContent));
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  // What sticks out, if anything, named in the failure.
  const wide = await page.evaluate(() => [...document.querySelectorAll('body *')]
    .filter((e) => e.getBoundingClientRect().right > 392 && !e.closest('.scroll'))
    .slice(0, 5).map((e) => `${e.tagName}#${e.id}`).join(', '));
  await page.screenshot({ path: join(outDir, 'onnx-390.png'), fullPage: true });
  assert.ok(width <= 390, `the page is ${width} px wide: ${wide}`);
  // Scored: VGG's images agree less than coins would, and the result says so; the structure's
  // agreement column can be read (scrolled to, not cut off).
  await score();
  assert.match(await text('result-above'), /^-[\d,]+: below what random signs at every weight would score .* cancel more than coin tosses would/);
  const cell = page.locator('#model-nodes tr.weight-layer td.agreement').first();
  await cell.scrollIntoViewIfNeeded();
  const box = await cell.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `the agreement column at x ${box.x}..${box.x + box.width}`);
  assert.match(await cell.textContent(), /^0\.\d{3}$/);
  await page.screenshot({ path: join(outDir, 'onnx-390-scored.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
});
