// history: the person's results, kept in this browser's IndexedDB, read in pages.
//
// Database "gradsign", version 2, two object stores under one key per result (the engine's
// history key: everything that determines the result):
//   results    each record whole (as the score returned it, per-layer rows included)
//   summaries  the record without its per-layer rows and genotype, with an index on time:
//              what the list, the plots and the CSV export read, so that 10,000 results list
//              without reading 10,000 whole records.
// Version 1 (before the summaries) held JSON strings in "results": the upgrade parses them
// and writes their summaries in its own transaction.
//
// History is optional. Any failure of IndexedDB (none in this browser, open throwing as in
// private modes, quota exceeded, a database of another version, a store missing, the
// connection closed or the database deleted from another tab) leaves scoring working: reads
// answer as an empty history with `unavailable` set, writes reject with "history unavailable:
// <reason>", and watchers hear each new reason once. A closed connection is opened again at the
// next call. A stored record that is not a well-formed result is skipped and counted, never
// shown. Another tab's changes reach watchers through a BroadcastChannel.

const NAME = 'gradsign';
const VERSION = 2;
const RESULTS = 'results';
const SUMMARIES = 'summaries';
const BY_TIME = 'time';

const watchers = new Set();
let said = null; // the last reason told to watchers
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('gradsign-history') : null;
if (channel) channel.onmessage = () => tell({ changed: true });

function tell(event) {
  for (const w of watchers) {
    try { w(event); } catch (err) { console.error(err); }
  }
}

// available tells the watchers, after a failure, that history works again.
function available() {
  if (said === null) return;
  said = null;
  tell({ available: true });
}

// unavailable turns an IndexedDB failure into the one-line reason, tells the watchers once per
// reason, and returns it.
function unavailable(err) {
  const reason = `history unavailable: ${reasonOf(err)}`;
  if (reason !== said) {
    said = reason;
    tell({ unavailable: reason });
  }
  return reason;
}

function reasonOf(err) {
  const name = err?.name ?? '';
  const message = String(err?.message ?? err ?? 'unknown error');
  if (name === 'QuotaExceededError') return 'the browser\'s storage quota for this site is full (free some space, or clear the history)';
  if (name === 'VersionError') return `${message} (another build of this page made the database)`;
  return err instanceof DOMException && !message.startsWith(name) ? `${name}: ${message}` : message;
}

// request wraps an IDBRequest in a Promise.
function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(txn) {
  return new Promise((resolve, reject) => {
    txn.oncomplete = () => resolve();
    txn.onerror = () => reject(txn.error);
    txn.onabort = () => reject(txn.error ?? new DOMException('the transaction was aborted', 'AbortError'));
  });
}

// summary is a record without what only its own view needs.
function summary(record) {
  const { layers, genotype, ...rest } = record;
  return rest;
}

let opening = null; // Promise<IDBDatabase> of the open connection, null when there is none

function database() {
  opening ??= openDatabase(VERSION).catch((err) => {
    // A database of a later version (another build): use it as it is if it has the stores.
    if (err?.name === 'VersionError') return openDatabase(undefined);
    throw err;
  }).then((db) => {
    for (const store of [RESULTS, SUMMARIES]) {
      if (!db.objectStoreNames.contains(store)) {
        db.close();
        throw new Error(`the database "${NAME}" (version ${db.version}) has no "${store}" store: another build made it; delete the site's data to start a new history`);
      }
    }
    // Another tab deleting or upgrading the database, or the browser closing the connection:
    // let go of it, and open again at the next call.
    db.onversionchange = () => { db.close(); opening = null; tell({ changed: true }); };
    db.onclose = () => { opening = null; };
    return db;
  });
  const p = opening;
  p.catch(() => { if (opening === p) opening = null; });
  return p;
}

function openDatabase(version) {
  return new Promise((resolve, reject) => {
    const r = version === undefined ? indexedDB.open(NAME) : indexedDB.open(NAME, version);
    r.onupgradeneeded = (e) => upgrade(r.result, r.transaction, e.oldVersion);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.onblocked = () => {}; // the other tabs close on versionchange; success follows
  });
}

// upgrade makes the stores of version 2 and writes the summaries of version 1's records.
function upgrade(db, txn, oldVersion) {
  const results = db.objectStoreNames.contains(RESULTS) ? txn.objectStore(RESULTS) : db.createObjectStore(RESULTS);
  const summaries = db.objectStoreNames.contains(SUMMARIES) ? txn.objectStore(SUMMARIES) : db.createObjectStore(SUMMARIES);
  if (!summaries.indexNames.contains(BY_TIME)) summaries.createIndex(BY_TIME, 'time');
  if (oldVersion !== 1) return;
  results.openCursor().onsuccess = (e) => {
    const c = e.target.result;
    if (!c) return;
    let record = c.value;
    try { if (typeof record === 'string') record = JSON.parse(record); } catch { record = null; }
    if (wholeFormed(record)) c.update(record);
    // A malformed record gets a summary too (with a time, for the index), so that the list
    // counts it as skipped.
    const s = record !== null && typeof record === 'object' ? summary(record) : {};
    summaries.put({ ...s, time: typeof s.time === 'string' ? s.time : '' }, c.primaryKey);
    c.continue();
  };
}

// wellFormed says whether a stored value is a result this page can show: an object with its
// key, a time, the score, N, seed, architecture and the benchmark's accuracies (null where the
// benchmark does not know the architecture: an edited genotype, an ONNX model).
function wellFormed(r) {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) return false;
  const accuracyOK = r.accuracy === null
    || (typeof r.accuracy === 'object' && !Array.isArray(r.accuracy) && Object.values(r.accuracy).every(Number.isFinite));
  return typeof r.key === 'string' && r.key !== '' && typeof r.time === 'string' && !Number.isNaN(Date.parse(r.time))
    && Number.isFinite(r.gradsign) && Number.isInteger(r.n) && Number.isInteger(r.seed) && r.seed >= 0
    && typeof r.arch === 'string' && (r.space === undefined || typeof r.space === 'string')
    && Number.isFinite(r.params) && Number.isFinite(r.seconds) && accuracyOK
    && (r.proxies == null || (typeof r.proxies === 'object' && Object.values(r.proxies).every(Number.isFinite)));
}

// wholeFormed says whether a stored value is a whole result: well formed, with its layers
// (name, weights, score, agreement, structural zeros).
function wholeFormed(r) {
  return wellFormed(r) && Array.isArray(r.layers) && r.layers.every((l) => l !== null && typeof l === 'object' && typeof l.name === 'string'
    && Number.isFinite(l.weights) && Number.isFinite(l.score) && Number.isFinite(l.agreement) && Number.isFinite(l.structural_zeros));
}

// withStores runs f on the stores in one transaction, and waits for it to commit.
async function withStores(mode, f) {
  const db = await database();
  const txn = db.transaction([RESULTS, SUMMARIES], mode);
  const committed = done(txn);
  try {
    const value = await f(txn.objectStore(RESULTS), txn.objectStore(SUMMARIES));
    await committed;
    return value;
  } catch (err) {
    committed.catch(() => {});
    throw err;
  }
}

// get answers the whole record stored under key, or null (none, or no history).
export async function get(key) {
  try {
    const value = await withStores('readonly', (results) => request(results.get(key)));
    return wholeFormed(value) ? value : null;
  } catch (err) {
    unavailable(err);
    return null;
  }
}

// put stores one record, or an array of them in one transaction (to undo a clear).
export async function put(records) {
  const all = Array.isArray(records) ? records : [records];
  for (const r of all) {
    if (!wholeFormed(r)) throw new Error('history.put: not a result as score returns it (key, time, gradsign, n, seed, arch, params, seconds, accuracy, layers)');
  }
  try {
    await withStores('readwrite', (results, summaries) => {
      for (const r of all) {
        results.put(r, r.key);
        summaries.put(summary(r), r.key);
      }
    });
  } catch (err) {
    throw new Error(unavailable(err));
  }
  available();
  channel?.postMessage('changed');
}

// list answers {records, total, skipped}: summaries of the stored results, newest first, from
// the offset-th, at most limit (all when limit is left out); total counts the stored results,
// skipped the malformed ones left out of this page; unavailable says why there is no history.
export async function list({ offset = 0, limit = Infinity } = {}) {
  if (!Number.isInteger(offset) || offset < 0 || !(limit === Infinity || (Number.isInteger(limit) && limit >= 0))) {
    throw new Error('history.list: offset and limit are whole numbers of records, 0 or more');
  }
  try {
    return await withStores('readonly', async (_, summaries) => {
      const total = request(summaries.count());
      const index = summaries.index(BY_TIME);
      let values;
      if (offset === 0 && limit === Infinity) {
        values = (await request(index.getAll())).reverse();
      } else {
        values = await new Promise((resolve, reject) => {
          const out = [];
          let skippedAhead = offset === 0;
          const r = index.openCursor(null, 'prev');
          r.onerror = () => reject(r.error);
          r.onsuccess = () => {
            const c = r.result;
            if (!c || out.length >= limit) { resolve(out); return; }
            if (!skippedAhead) { skippedAhead = true; c.advance(offset); return; }
            out.push(c.value);
            c.continue();
          };
        });
      }
      const records = values.filter(wellFormed);
      return { records, total: await total, skipped: values.length - records.length };
    });
  } catch (err) {
    return { records: [], total: 0, skipped: 0, unavailable: unavailable(err) };
  }
}

const PAGE = 500; // whole records read in one transaction

// whole answers the whole records stored under keys, in their order.
async function whole(keys) {
  return withStores('readonly', (results) => Promise.all(keys.map((k) => request(results.get(k)))));
}

// clear removes every stored result.
export async function clear() {
  try {
    await withStores('readwrite', (results, summaries) => { results.clear(); summaries.clear(); });
  } catch (err) {
    throw new Error(unavailable(err));
  }
  channel?.postMessage('changed');
}

// take removes every stored result and answers them whole, newest first, to be put back.
export async function take() {
  const { records, unavailable: why } = await list();
  if (why) throw new Error(why);
  const kept = [];
  for (let i = 0; i < records.length; i += PAGE) kept.push(...(await whole(records.slice(i, i + PAGE).map((r) => r.key))).filter(wholeFormed));
  await clear();
  return kept;
}

// exportBlob answers the history as a Blob: 'csv' (one row per result, from the summaries) or
// 'json' (the whole records, an array), newest first, built in pages.
// proxies: the engine's proxy names, in the order of their columns.
export async function exportBlob(format, proxies) {
  if (format !== 'csv' && format !== 'json') throw new Error(`history.export: format ${JSON.stringify(format)}: want 'csv' or 'json'`);
  const { records, unavailable: why } = await list();
  if (why) throw new Error(why);
  if (format === 'csv') return new Blob(csv(records, proxies), { type: 'text/csv' });
  const parts = ['['];
  for (let i = 0; i < records.length; i += PAGE) {
    const page = (await whole(records.slice(i, i + PAGE).map((r) => r.key))).filter(wholeFormed);
    for (const r of page) parts.push(parts.length > 1 ? ',\n' : '\n', JSON.stringify(r, null, 2));
  }
  parts.push('\n]\n');
  return new Blob(parts, { type: 'application/json' });
}

// The CSV's columns: what determines each result and what it found, a column for every proxy
// and every benchmark accuracy any record holds (empty where one has none; NAS-Bench-201's
// three always), seconds to the hundredth and percentiles and accuracies as the page shows
// them; nothing internal (no key).
const ACCURACY_ORDER = ['cifar10', 'cifar100', 'imagenet16', 'valid108', 'valid36', 'valid12', 'valid4', 'nb301'];

function csv(records, proxyOrder) {
  const present = (field, order) => {
    const seen = new Set(records.flatMap((r) => Object.keys(r[field] ?? {})));
    const known = order.filter((n) => seen.has(n) || (field === 'accuracy' && ACCURACY_ORDER.indexOf(n) < 3));
    return [...known, ...[...seen].filter((n) => !order.includes(n) && n !== 'gradsign').sort()];
  };
  const proxies = present('proxies', proxyOrder.filter((p) => p !== 'gradsign'));
  const accuracies = present('accuracy', ACCURACY_ORDER);
  const header = ['time', 'space', 'index', 'arch', 'channels', 'n', 'seed', 'data', 'gradsign', ...proxies,
    'params', 'flops', 'structural_zeros', ...accuracies, 'percentile', 'seconds', 'workers', 'backend', 'adapter'];
  const number = (x, digits) => (Number.isFinite(x) ? (digits === undefined ? String(x) : x.toFixed(digits)) : '');
  const field = (s) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const parts = [header.join(',') + '\n'];
  for (let i = 0; i < records.length; i += PAGE) {
    parts.push(records.slice(i, i + PAGE).map((r) => [
      r.time, r.space ?? 'nb201', r.index ?? '', r.arch, r.channels ?? '', r.n, r.seed, r.data ?? '', number(r.gradsign),
      ...proxies.map((p) => number(r.proxies?.[p])),
      number(r.params), number(r.flops), number(r.structural_zeros),
      ...accuracies.map((a) => number(r.accuracy?.[a], 2)),
      number(r.percentile, 1), number(r.seconds, 2), r.workers ?? '', r.backend ?? '', r.adapter ?? '',
    ].map((v) => field(String(v))).join(',') + '\n').join(''));
  }
  return parts;
}

// watch calls f({unavailable: reason}) once for each new reason history stops working,
// f({available: true}) when a result is kept again after that, and f({changed: true}) when
// another tab changed the history.
export function watch(f) {
  if (typeof f !== 'function') throw new Error('history.watch: want a function');
  watchers.add(f);
  return () => watchers.delete(f);
}
