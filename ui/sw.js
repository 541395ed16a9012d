// Service worker: keeps the shell, the wasm and the assets of this build, so the page loads
// and scores offline after one visit. The build (tools/webbuild) fills in VERSION and FILES;
// a new build gets a new cache and drops the old one.
const VERSION = '__VERSION__';
const FILES = __FILES__;
const CACHE = `gradsign-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('gradsign-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  // The page's state lives in its query string: any ?arch=... is the same shell.
  event.respondWith(caches.open(CACHE)
    .then((c) => c.match(event.request, { ignoreSearch: event.request.mode === 'navigate' }))
    .then((hit) => hit || fetch(event.request)));
});
