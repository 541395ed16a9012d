// Updates: the service worker that keeps this build for offline use, and the page's offer of a
// newer build.
import { gradsign } from './gradsign.js';
import { $ } from './dom.js';

// watchUpdates registers the service worker, which keeps this build for offline use, and looks
// on the server for a newer build (at start and whenever the page is shown again). When there
// is one, the page offers Update: it drops the worker and its cache and reloads from the
// server, so the new build runs whole; a page never mixes two builds. (Left alone, the new
// build runs from the first load after every page of the old one is closed.)
export async function watchUpdates() {
  if (!('serviceWorker' in navigator)) return;
  // Once the engine is ready: the worker's install fetches the whole build, which must not
  // compete with what the first score needs.
  await gradsign.ready.catch(() => {});
  navigator.serviceWorker.register('sw.js').catch(() => {}); // no offline copy in a private window
  const mine = await gradsign.version();
  const look = async () => {
    try {
      const r = await fetch('version.json?latest', { cache: 'no-store' });
      if (r.ok && (await r.json()).version !== mine) $('update').hidden = false;
    } catch {
      // offline: nothing newer to be had
    }
  };
  $('update-now').addEventListener('click', async () => {
    await Promise.all((await navigator.serviceWorker.getRegistrations()).map((r) => r.unregister()));
    await Promise.all((await caches.keys()).filter((k) => k.startsWith('gradsign-')).map((k) => caches.delete(k)));
    location.reload();
  });
  document.addEventListener('visibilitychange', () => { if (!document.hidden) look(); });
  await look();
}

