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
