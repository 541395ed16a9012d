// What the browser tests and the Node.js bench scripts share: the built static server
// (bin/serve, from tools/serve), Chromium's flags with and without WebGPU, and the native CLI's
// score to compare the page with.
import { spawn, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

// CHROMIUM_FLAGS run Debian's headless Chromium quietly and without a GPU.
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// WEBGPU_FLAGS give it SwiftShader's WebGPU adapter, a CPU implementation (pages on 127.0.0.1):
// right for correctness, meaningless for speed.
export const WEBGPU_FLAGS = [...CHROMIUM_FLAGS.filter((f) => f !== '--disable-gpu'),
  '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

// startServer runs bin/serve on a free port of 127.0.0.1 and resolves to {url, process} once it
// listens. dir defaults to the built web app (build/web).
export function startServer(dir = join(root, 'build', 'web'), addr = '127.0.0.1:0') {
  const server = spawn(join(root, 'bin', 'serve'), ['-dir', dir, '-addr', addr], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    server.stdout.on('data', (d) => {
      const m = String(d).match(/on (http:\/\/\S+)/);
      if (m) resolve({ url: m[1], process: server });
    });
    server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

// nativeScore is the native CLI's (bin/gradsign) GradSign of arch on the first n bundled images
// with weights from seed.
export function nativeScore(arch, n, seed) {
  const out = execFileSync(join(root, 'bin', 'gradsign'), ['score', '--arch', arch, '--n', String(n), '--seed', String(seed), '--json']);
  return JSON.parse(String(out)).gradsign;
}

// openBrowser starts the server and a headless Chromium with a fresh profile, a page at
// 1280×900 whose uncaught errors and Content-Security-Policy complaints are collected in
// problems; close() ends them all.
export async function openBrowser() {
  const { chromium } = await import('playwright-core');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { url, process: server } = await startServer();
  const profile = mkdtempSync(join(tmpdir(), 'gradsign-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] || await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => { if (/Content Security Policy/i.test(msg.text())) problems.push(msg.text()); });
  const close = async () => {
    await context.close();
    server.kill();
    rmSync(profile, { recursive: true, force: true });
  };
  return { url, page, problems, close };
}
