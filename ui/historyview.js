// The history table: the newest results a page at a time (Show more adds the next page), a Show
// button each that puts the result back on the page (onShow), Clear with Undo, and the CSV
// and JSON exports. accuracy(r) is the benchmark's headline accuracy of a record, modelName(id)
// an ONNX model's file name.
import { gradsign } from './gradsign.js';
import { $, el, fmt } from './dom.js';

const HISTORY_PAGE = 50;

export function createHistoryView({ onShow, accuracy, modelName }) {
  let shown = HISTORY_PAGE;
  // problem is why results are not being kept where reads still work (a full quota).
  let problem = null;

  async function draw() {
    const h = await gradsign.history.list({ limit: shown });
    const why = h.unavailable ?? problem;
    $('history-note').textContent = why ? `${why[0].toUpperCase()}${why.slice(1)}. Scoring works; results are not kept.`
      : h.skipped ? `${h.skipped} stored record${h.skipped > 1 ? 's are' : ' is'} not a result this page can show (another build's, or damaged): left out.` : '';
    $('history-paging').hidden = h.total <= h.records.length + h.skipped;
    $('history-count').textContent = `The newest ${h.records.length} of ${h.total} results.`;
    $('history').tBodies[0].replaceChildren(...h.records.map((r) => {
      const open = el('button', { type: 'button' }, 'Show');
      open.addEventListener('click', async () => {
        const whole = await gradsign.history.get(r.key);
        if (!whole) {
          $('history-note').textContent = 'That result is no longer in the history (cleared, or from another tab).';
          await draw();
          return;
        }
        await onShow(r, whole);
      });
      const acc = accuracy(r);
      const space = r.space ?? 'nb201';
      const short = { nb101: 'NB101', darts: 'DARTS', nds: 'NDS' }[space];
      const name = space === 'nb201' ? String(r.index) : space === 'onnx' ? (modelName(r.arch) || 'ONNX model')
        : `${short} ${r.index != null ? r.index : space === 'nb101' ? (r.hash ?? '').slice(0, 6) : ''}`;
      return el('tr', {}, el('td', { class: 'num' }, name), el('td', { class: 'num' }, fmt(r.gradsign)),
        el('td', {}, Object.keys(r.proxies || {}).join(', ') || '—'),
        el('td', { class: 'num' }, String(r.n)), el('td', { class: 'num' }, String(r.seed)),
        el('td', { class: 'num' }, acc == null ? '—' : `${fmt(acc, 2)}%`), el('td', {}, new Date(r.time).toLocaleString()), el('td', {}, open));
    }));
  }

  // clear empties the history and offers, for a while, to bring it back.
  async function clear() {
    let kept;
    try { kept = await gradsign.history.take(); } catch (err) {
      $('history-note').textContent = err.message;
      return;
    }
    await draw();
    if (kept.length === 0) return;
    $('undo-text').textContent = `Cleared ${kept.length} result${kept.length > 1 ? 's' : ''}.`;
    $('undo').hidden = false;
    const hide = setTimeout(() => { $('undo').hidden = true; }, 30_000);
    $('undo-clear').onclick = async () => {
      clearTimeout(hide);
      $('undo').hidden = true;
      try { await gradsign.history.put(kept); } catch (err) { $('history-note').textContent = err.message; }
      await draw();
    };
  }

  async function download(format) {
    let blob;
    try { blob = await gradsign.history.export(format); } catch (err) {
      $('history-note').textContent = err.message;
      return;
    }
    const a = el('a', { href: URL.createObjectURL(blob), download: `gradsign-history.${format}` });
    a.click();
    URL.revokeObjectURL(a.href);
  }

  return {
    draw,
    clear,
    download,
    // more shows the next page of results.
    more() { shown += HISTORY_PAGE; return draw(); },
    // watched takes history.watch's news: why results stopped being kept, or that they are again.
    watched(e) {
      if (e.unavailable) problem = e.unavailable;
      if (e.available) problem = null;
    },
  };
}
