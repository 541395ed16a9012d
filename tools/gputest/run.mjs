// Runs a Go test binary built for js/wasm (go test -c) in headless Chromium with a WebGPU
// adapter (SwiftShader, a CPU implementation: right for correctness, not for speed), where
// ui/webgpu.js has opened a device first. Go's tests run as under Node.js, but in a page: their
// output goes to this process's stdout and their exit code becomes its own. The files the tests
// read (the PyTorch reference files) are served read-only through a small in-memory file system
// in place of Node's.
//
//   node tools/gputest/run.mjs PACKAGE_DIR TEST.wasm [go test flags...]
//
// GRADSIGN_WANT_WEBGPU=1 is set for the test, which then fails rather than skips without an
// adapter. CHROMIUM_FLAGS_EXTRA adds Chromium flags (space-separated).
import { chromium } from 'playwright-core';
import { WEBGPU_FLAGS } from '../serve/harness.mjs';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

const [pkgDir, wasmPath, ...testArgs] = process.argv.slice(2);
if (!pkgDir || !wasmPath) {
  console.error('usage: node tools/gputest/run.mjs PACKAGE_DIR TEST.wasm [go test flags...]');
  process.exit(2);
}
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const goroot = execFileSync('go', ['env', 'GOROOT']).toString().trim();

// The files a test may read: the reference files and ONNX models (and those in their subfolders), under
// their absolute paths.
const shared = [path.join(root, 'testdata', 'oracle'), path.join(root, 'testdata', 'onnx')];
const files = [];
for (const dir of shared) {
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(path.join(entry.parentPath ?? entry.path, entry.name));
  }
}

const page = `<!doctype html><meta charset="utf-8"><title>go test (WebGPU)</title>
<script src="/wasm_exec.js"></script><script src="/webgpu.js"></script>
<script type="module">
const files = ${JSON.stringify(files)};
const data = new Map();
await Promise.all(files.map(async (f) => data.set(f, new Uint8Array(await (await fetch('/file' + f)).arrayBuffer()))));
const dirs = new Map();
for (const f of files) {
  for (let d = f; d !== '/';) {
    const parent = d.slice(0, d.lastIndexOf('/')) || '/';
    if (!dirs.has(parent)) dirs.set(parent, new Set());
    dirs.get(parent).add(d.slice(d.lastIndexOf('/') + 1));
    d = parent;
  }
}
const err = (code) => Object.assign(new Error(code), { code });
const stat = (p) => {
  const isDir = dirs.has(p);
  if (!isDir && !data.has(p)) return null;
  const size = isDir ? 0 : data.get(p).length;
  return { dev: 0, ino: 0, mode: isDir ? 0o40555 : 0o100444, nlink: 1, uid: 0, gid: 0, rdev: 0, size,
    blksize: 4096, blocks: Math.ceil(size / 512), atimeMs: 0, mtimeMs: 0, ctimeMs: 0, isDirectory: () => isDir };
};
const open = new Map(); // fd -> {path, pos}
let nextFd = 10;
Object.assign(globalThis.fs, {
  open(p, flags, mode, cb) {
    if (flags !== 0) return cb(err('EROFS'));
    if (!stat(p)) return cb(err('ENOENT'));
    open.set(nextFd, { path: p, pos: 0 });
    cb(null, nextFd++);
  },
  close(fd, cb) { open.delete(fd); cb(null); },
  fstat(fd, cb) { const f = open.get(fd); return f ? cb(null, stat(f.path)) : cb(err('EBADF')); },
  stat(p, cb) { const s = stat(p); return s ? cb(null, s) : cb(err('ENOENT')); },
  lstat(p, cb) { const s = stat(p); return s ? cb(null, s) : cb(err('ENOENT')); },
  readdir(p, cb) { return dirs.has(p) ? cb(null, [...dirs.get(p)]) : cb(err('ENOTDIR')); },
  read(fd, buf, off, len, pos, cb) {
    const f = open.get(fd);
    if (!f) return cb(err('EBADF'));
    const src = data.get(f.path);
    if (!src) return cb(err('EISDIR'));
    const at = pos ?? f.pos;
    const n = Math.max(0, Math.min(len, src.length - at));
    buf.set(src.subarray(at, at + n), off);
    if (pos === null || pos === undefined) f.pos += n;
    cb(null, n);
  },
});
globalThis.process.cwd = () => ${JSON.stringify(path.resolve(pkgDir))};
const gpu = await gradsignGPU.init();
console.log('gputest: adapter ' + (gpu ? gpu.adapter : 'none'));
const go = new Go();
go.argv = ['test.wasm', ...${JSON.stringify(testArgs)}];
go.env = { GRADSIGN_WANT_WEBGPU: '1', HOME: '/', TMPDIR: '/tmp' };
let code = 0;
go.exit = (c) => { code = c; };
const { instance } = await WebAssembly.instantiateStreaming(fetch('/test.wasm'), go.importObject);
await go.run(instance);
window.gotestExit = code;
</script>`;

const serve = (res, type, body) => { res.writeHead(200, { 'content-type': type }); res.end(body); };
const server = http.createServer((req, res) => {
  const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  if (url === '/') return serve(res, 'text/html', page);
  if (url === '/favicon.ico') return serve(res, 'image/x-icon', '');
  if (url === '/wasm_exec.js') return serve(res, 'text/javascript', fs.readFileSync(path.join(goroot, 'lib', 'wasm', 'wasm_exec.js')));
  if (url === '/webgpu.js') return serve(res, 'text/javascript', fs.readFileSync(path.join(root, 'ui', 'webgpu.js')));
  if (url === '/test.wasm') return serve(res, 'application/wasm', fs.readFileSync(wasmPath));
  if (url.startsWith('/file/') && files.includes(url.slice(5))) return serve(res, 'application/octet-stream', fs.readFileSync(url.slice(5)));
  res.writeHead(404);
  res.end();
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

const flags = [...WEBGPU_FLAGS, ...(process.env.CHROMIUM_FLAGS_EXTRA || '').split(' ').filter(Boolean)];
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: flags });
let code = 1;
try {
  const tab = await browser.newPage();
  tab.on('console', (m) => console.log(m.text()));
  // A callback that reaches Go after its test binary has exited is no failure of the tests.
  tab.on('pageerror', (e) => { if (!/Go program has already exited/.test(e.message)) console.error(`page error: ${e.message}`); });
  await tab.goto(`http://127.0.0.1:${server.address().port}/`);
  await tab.waitForFunction(() => window.gotestExit !== undefined, null, { timeout: 0, polling: 500 });
  code = await tab.evaluate(() => window.gotestExit);
} finally {
  await browser.close();
  server.close();
}
process.exit(code);
