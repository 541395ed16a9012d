// startServer runs the built static server (bin/serve, from tools/serve) on a free port of
// 127.0.0.1 for the Node.js scripts and browser tests, and resolves to {url, process} once it
// listens. dir defaults to the built web app (build/web).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

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
