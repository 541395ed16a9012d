// The guided tour (ui/tour.js) in a real Chromium on the built app: every step at 1280×900 and
// 390×844 lights its figure in view beside a panel that fits the screen, answers its question
// from the page, follows the editor, can be left and resumed and linked to (#tour/3), and the
// glossary's words explain themselves on tap. Run alone with `node --test ui/test/tour.test.mjs`
// after `make web` and `go build -o bin/ ./tools/serve ./tools/gradsign`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBrowser } from '../../tools/serve/harness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(root, 'build', 'test-output');
const TIMEOUT = 240_000;
const QUERY = '?n=16&seed=31&backend=wasm';
const FIGURES = ['arch-section', 'run-section', 'signs-figure', 'layers-figure', 'space-section', 'race-section'];

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

async function ready() {
  await page.evaluate(() => window.gradsign.ready);
  await page.waitForFunction(() => !document.getElementById('score').disabled && document.getElementById('tour-start'));
}

// checkStep: step k's panel, address and figure, lit and in view, nothing past the screen.
async function checkStep(k, width) {
  await page.waitForFunction((n) => document.getElementById('tour-count').textContent === `Step ${n} of 6`, k);
  assert.equal(await page.evaluate(() => location.hash), `#tour/${k}`);
  const figure = FIGURES[k - 1];
  await page.waitForFunction((id) => document.getElementById(id).classList.contains('tour-target'), figure);
  await page.waitForFunction(() => document.getElementById('tour-body').textContent.length > 20);
  const [fig, panel, overflow, view] = await page.evaluate((id) => [
    document.getElementById(id).getBoundingClientRect().toJSON(), document.getElementById('tour').getBoundingClientRect().toJSON(),
    document.documentElement.scrollWidth - innerWidth, { w: innerWidth, h: innerHeight }], figure);
  assert.ok(fig.top >= -1 && fig.top < view.h / 2, `${width}px step ${k}: ${figure} at y ${fig.top}, not in view`);
  assert.ok(fig.top < panel.top, `${width}px step ${k}: the panel covers the top of ${figure}`);
  assert.ok(panel.left >= 0 && panel.right <= view.w + 0.5 && panel.bottom <= view.h + 0.5, `${width}px step ${k}: the panel ${JSON.stringify(panel)} is past the screen`);
  assert.ok(overflow <= 0, `${width}px step ${k}: the page is ${overflow}px wider than the screen`);
  await navInReach(k, width);
  await page.screenshot({ path: join(outDir, `tour-${k}-${width}.png`) });
}

// navInReach: Back, Next and Leave are on the screen and on top at their middle (nothing
// covers them), however long the step's text has grown.
async function navInReach(k, width) {
  const blocked = await page.evaluate(() => ['tour-back', 'tour-next', 'tour-leave'].filter((id) => {
    const b = document.getElementById(id).getBoundingClientRect();
    const x = b.left + b.width / 2;
    const y = b.top + b.height / 2;
    return b.top < 0 || b.bottom > innerHeight || b.left < 0 || b.right > innerWidth || !document.getElementById(id).contains(document.elementFromPoint(x, y));
  }));
  assert.deepEqual(blocked, [], `${width}px step ${k}: off the screen or covered`);
}

// answer picks a choice of the step's question and returns what the tour reveals.
async function answer(choice = 0) {
  await page.locator('#tour-ask button').nth(choice).click();
  await page.waitForFunction(() => document.getElementById('tour-reveal').textContent !== '');
  return page.textContent('#tour-reveal');
}

test('the tour start to end at 1280×900: each step lights its figure, asks, and the figure answers', { timeout: 3 * TIMEOUT }, async () => {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(browser.url + QUERY);
  await ready();
  await page.fill('#index', '1');
  await page.press('#index', 'Tab');
  await page.waitForFunction(() => /CIFAR-10 93\.66%/.test(document.getElementById('known').textContent)); // index 1's
  assert.equal(await page.locator('text=NAS-Bench-201 index').count(), 1, 'the index is said once: its field');
  assert.equal(await page.textContent('#tour-start'), 'Take the tour');
  await page.click('#tour-start');
  await checkStep(1, 1280);
  // Step 1: the benchmark's own training cost of the cell on screen, following the editor.
  assert.match(await page.textContent('#tour-body'), /trained it for 200 epochs: 0\.6 GPU-hours/);
  const cost = await page.evaluate(() => window.gradsign.trainingCost(0));
  await page.fill('#index', '0');
  await page.press('#index', 'Tab');
  await page.waitForFunction((h) => document.getElementById('tour-body').textContent.includes(`${h} GPU-hours`), (cost.seconds200 / 3600).toFixed(1));
  // The answer is worked out from the cell's own cost, and says whether the choice was right.
  const hours = (100 * cost.seconds200) / 3600;
  const right = hours < 24 ? 'Hours' : hours < 24 * 60 ? 'Days' : 'Months';
  const said = await answer(1);
  assert.match(said, right === 'Days' ? /^Right\. 100 × / : new RegExp(`^Not quite: “${right}”\\. 100 × `));
  assert.match(said, /GPU-hours = [\d,]+ GPU-hours: /);
  await navInReach(1, 1280);
  await page.click('#tour-next');
  // Step 2: predict, then score and read the time.
  await checkStep(2, 1280);
  assert.match(await answer(2), /Press Score/);
  await page.click('#score');
  await page.waitForFunction(() => /^Done in/.test(document.getElementById('progress-text').textContent), null, { timeout: TIMEOUT });
  await page.locator('#tour-ask button').nth(2).click();
  await page.waitForFunction(() => /^Right\. The page says: “Done in [\d.]+ s\./.test(document.getElementById('tour-reveal').textContent));
  await page.click('#tour-next');
  // Step 3: the sign grid; its own total answers.
  await checkStep(3, 1280);
  await page.waitForFunction(() => /Coins tossed/.test(document.getElementById('signs-total').textContent), null, { timeout: TIMEOUT });
  assert.match(await answer(1), /these 32 weights add \d+ of at most 512/);
  await page.click('#tour-next');
  await checkStep(4, 1280);
  // A glossary word in the step explains itself on tap, and the tap again hides it.
  await page.click('#tour-body .term[data-term="chance"]');
  await page.waitForSelector('#term-pop:not([hidden])');
  assert.match(await page.textContent('#term-pop'), /^chance: The agreement that coin tosses would give/);
  await page.click('#tour-body .term[data-term="chance"]');
  await page.waitForSelector('#term-pop[hidden]', { state: 'attached' });
  assert.match(await answer(1), /^Right\. Most sit close to it\. The result says: above chance [\d,]+: random signs at every weight would score/);
  // Leave and resume where it was left.
  await page.click('#tour-leave');
  await page.waitForSelector('#tour[hidden]', { state: 'attached' });
  assert.equal(await page.evaluate(() => location.hash), '');
  assert.equal(await page.textContent('#tour-start'), 'Resume the tour (step 4 of 6)');
  await page.click('#tour-start');
  await checkStep(4, 1280);
  await page.click('#tour-next');
  await checkStep(5, 1280);
  assert.match(await answer(0), /^Not quite: “About the same”\. .*Spearman's rank correlation with CIFAR-10 accuracy over them: 0\.77\d.* gradsign ρ 0\.766, params ρ 0\.744\./);
  assert.equal(await page.locator('#proxy-rankings tbody tr').count(), 11, 'every proxy ranked');
  await page.click('#tour-next');
  await checkStep(6, 1280);
  await page.selectOption('#race-runs', '10');
  await page.waitForFunction(() => !document.getElementById('race-start').disabled, null, { timeout: TIMEOUT });
  await page.click('#race-start');
  await page.waitForFunction(() => /^After 10 runs/.test(document.getElementById('race-summary').textContent), null, { timeout: TIMEOUT });
  assert.match(await answer(1), /^(Right|Not quite: “[^”]+”)\. After 10 runs of REA .* 95% interval/);
  assert.equal(await page.textContent('#tour-next'), 'Finish');
  await page.click('#tour-next');
  await page.waitForSelector('#tour[hidden]', { state: 'attached' });
  assert.equal(await page.textContent('#tour-start'), 'Take the tour', 'a finished tour starts again from the start');
});

test('every step has an address and fits a 390 px phone and a 1280×720 screen, its buttons in reach once answered', { timeout: 5 * TIMEOUT }, async () => {
  for (const [width, height] of [[390, 844], [1280, 720]]) {
    await page.setViewportSize({ width, height });
    try {
      for (let k = 1; k <= 6; k++) {
        await page.goto(`${browser.url}${QUERY}#tour/${k}`);
        await ready();
        if (k === 3) {
          // The result's figures: before a score the step sends the reader to Score first.
          await page.waitForFunction(() => document.getElementById('run-section').classList.contains('tour-target'));
          assert.match(await page.textContent('#tour-body'), /^Press Score first/);
          await page.click('#score'); // from history: the first test scored this request
          await page.waitForFunction(() => /^From history|^Done in/.test(document.getElementById('progress-text').textContent), null, { timeout: TIMEOUT });
        }
        if (k === 4) {
          await page.click('#score');
          await page.waitForFunction(() => /^From history|^Done in/.test(document.getElementById('progress-text').textContent), null, { timeout: TIMEOUT });
        }
        await checkStep(k, width);
        // Answered, the step's text grows; the buttons stay in reach.
        await answer(0);
        await navInReach(k, width);
        await page.screenshot({ path: join(outDir, `tour-${k}-${width}-answered.png`) });
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  }
});

test('in another space the tour says it follows NAS-Bench-201, and describes no cell', async () => {
  await page.goto(`${browser.url}?space=nb101&n=16#tour/1`);
  await ready();
  await page.waitForFunction(() => /^The tour follows NAS-Bench-201: choose it as the search space first\.\s*$/.test(document.getElementById('tour-body').textContent));
  await page.selectOption('#space', 'nb201');
  await page.waitForFunction(() => /is one of NAS-Bench-201's 15,625/.test(document.getElementById('tour-body').textContent));
});

test('the glossary lists every word the page explains', async () => {
  await page.goto(browser.url + QUERY);
  await ready();
  const terms = await page.evaluate(() => [...new Set([...document.querySelectorAll('.term')].map((t) => t.dataset.term))]);
  const listed = await page.locator('#glossary-list dt').allTextContents();
  for (const t of terms) assert.ok(listed.includes(t), `"${t}" is not in the glossary`);
  for (const t of ['cell', 'edge', 'N', 'seed', 'reduction block', 'agreement', 'ρ']) assert.ok(listed.includes(t), `the glossary lacks "${t}"`);
  const title = await page.getAttribute('#arch-section .term[data-term="cell"]', 'title');
  assert.match(title, /4 nodes/);
});
