// Updates without mixed builds: the app built twice (the second with a changed app.js), served
// in turn at one address. A page of the first build keeps running it whole after the server
// holds the second (its service worker serves its own cache), sees the newer build and offers
// Update, and after Update runs the second build whole. Needs make web and bin/serve, bin/webbuild (make test-browser).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, startServer } from '../../tools/serve/harness.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'gradsign-update-'));
let server;
let context;

after(async () => {
  await context?.close();
  server?.kill();
  rmSync(work, { recursive: true, force: true });
});

async function serve(dir, addr) {
  let url;
  ({ url, process: server } = await startServer(dir, addr));
  return url;
}

async function stop() {
  const s = server;
  const exited = new Promise((resolve) => s.on('exit', resolve));
  s.kill();
  await exited;
}

test('a page keeps its build while a new one waits, and Update switches to the new one whole', async () => {
  const first = join(work, 'first');
  const second = join(work, 'second');
  const ui = join(work, 'ui');
  cpSync(join(root, 'build', 'web'), first, { recursive: true });
  cpSync(join(root, 'ui'), ui, { recursive: true });
  appendFileSync(join(ui, 'app.js'), '\n// the second build\n');
  cpSync(join(root, 'build', 'web', 'gradsign.wasm'), join(second, 'gradsign.wasm'));
  const goroot = String(execFileSync('go', ['env', 'GOROOT'])).trim();
  execFileSync(join(root, 'bin', 'webbuild'), ['-out', second, '-goroot', goroot, '-kernel', join(root, 'build', 'kernel'), '-ui', ui], { cwd: root });

  const url = await serve(first, '127.0.0.1:0');
  const profile = mkdtempSync(join(work, 'profile-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS });
  const page = context.pages()[0] || await context.newPage();
  const appJS = () => page.evaluate(() => fetch('app.js').then((r) => r.text()));
  await page.goto(url);
  await page.evaluate(() => window.gradsign.ready);
  const v1 = await page.evaluate(() => window.gradsign.version());
  await page.evaluate(() => navigator.serviceWorker.ready);

  await stop();
  await serve(second, new URL(url).host);
  await page.reload();
  await page.evaluate(() => window.gradsign.ready);
  assert.equal(await page.evaluate(() => window.gradsign.version()), v1, 'the reload runs the first build');
  assert.ok(!(await appJS()).includes('the second build'), 'with the first build\'s app.js');
  await page.waitForSelector('#update:not([hidden])', { timeout: 30_000 });
  const r = await page.evaluate(() => window.gradsign.score({ arch: '|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|nor_conv_1x1~1|avg_pool_3x3~2|', n: 16, seed: 2 }));
  assert.ok(r.gradsign > 0, 'the first build still scores');

  await Promise.all([page.waitForEvent('load'), page.click('#update-now')]);
  await page.evaluate(() => window.gradsign.ready);
  const v2 = await page.evaluate(() => window.gradsign.version());
  assert.notEqual(v2, v1, 'after Update, the second build');
  assert.ok((await appJS()).includes('the second build'), 'with its own app.js');
  assert.equal(await page.isHidden('#update'), true, 'no update offered any more');
});
