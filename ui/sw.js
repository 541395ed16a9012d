// Service worker: keeps one build of the app (the shell, the workers, the wasm, the assets) in
// one versioned cache, so the page loads and scores offline after one visit and never mixes
// builds. The build (tools/webbuild) fills in VERSION and FILES ([name, sha256] of every file).
//
// Install fetches every file of this build and checks its SHA-256: if the server already holds
// another build, the install fails (and is tried again on a later visit) rather than cache a
// mix. A new worker waits while pages of the old build are open, so the next load after they
// close runs the new build. A page that finds a newer build on the server (version.json?latest,
// which passes to the network) offers Update: it unregisters this worker, drops its cache and
// reloads from the server. Files of the build come from the cache only.
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = `gradsign-${VERSION}`;
const NAMES = new Set(FILES.map(([name]) => new URL(name, self.registration.scope).href));

async function digest(buffer) {
  const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
  return Array.from(sum, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function install() {
  const cache = await caches.open(CACHE);
  await Promise.all(FILES.map(async ([name, sha]) => {
    const response = await fetch(name, { cache: 'reload' });
    if (!response.ok) throw new Error(`${name}: ${response.status}`);
    const body = await response.clone().arrayBuffer();
    if ((await digest(body)) !== sha) throw new Error(`${name} is not this build's (${VERSION}): the server holds another build`);
    await cache.put(name, response);
  }));
}

self.addEventListener('install', (event) => event.waitUntil(install()));

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('gradsign-') && k !== CACHE).map((k) => caches.delete(k)))));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || url.searchParams.has('latest')) return;
  // The page's state lives in its query string: any ?arch=... is the same shell; a worker's
  // ?kernel=go is the same worker.
  url.search = '';
  if (!NAMES.has(url.href)) return; // not part of the build: the network's
  event.respondWith(caches.open(CACHE).then((c) => c.match(url.href)).then((hit) => hit || fetch(event.request)));
});
