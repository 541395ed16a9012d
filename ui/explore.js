// The proxy explorer: any shipped proxy against the benchmark's accuracy (the 1,000 sample at
// N=128, or GradSign on the whole space), as values or rank against rank, on a log axis where
// every value is positive, zoomed by dragging; and what the top k by it would have given.
// Every number is the engine's (gradsign.explore).
import { gradsign } from './gradsign.js';
import uPlot from './vendor/uPlot.esm.js';
import { $, el, fmt, compact } from './dom.js';
import { nearestPoint } from './plot.js';

const DATASET_NAMES = { cifar10: 'CIFAR-10', cifar100: 'CIFAR-100', imagenet16: 'ImageNet16-120' };
let plot = null;
let asked = 0;

// openExplorer fills the proxy choice (the rankings' proxies, the whole space's GradSign
// first) and draws; load(arch) puts a clicked point into the editor.
export function openExplorer(rankings, load) {
  $('explore-proxy').replaceChildren(el('option', { value: 'space' }, 'GradSign: the whole space (15,625)'),
    ...rankings.correlations.map((c) => el('option', { value: c.proxy }, `${c.proxy}: the 1,000 sample`)));
  for (const id of ['explore-proxy', 'explore-view', 'explore-log', 'explore-k', 'space-dataset']) $(id).addEventListener('change', () => drawExplorer(load));
  drawExplorer(load);
}

async function drawExplorer(load) {
  const me = ++asked;
  const proxy = $('explore-proxy').value;
  const dataset = $('space-dataset').value;
  const ranks = $('explore-view').value === 'ranks';
  let v;
  try {
    v = await gradsign.explore({ proxy, dataset, ranks, k: Number($('explore-k').value) });
  } catch (err) {
    if (me === asked) $('explore-top').textContent = err.message;
    return;
  }
  if (me !== asked) return;
  const name = proxy === 'space' ? 'GradSign' : proxy;
  const acc = DATASET_NAMES[dataset];
  $('explore-k').max = String(v.architectures);
  // A log axis needs every value above 0 (synflow is 0 where no gradient crosses the cell).
  $('explore-log').disabled = ranks || !v.positive;
  $('explore-log').title = ranks ? 'ranks are shown on a linear axis' : v.positive ? '' : `some ${name} values are 0 or negative: no log axis`;
  const log = $('explore-log').checked && !$('explore-log').disabled;
  $('explore-caption').textContent = `${fmt(v.architectures)} architectures${v.nonFinite ? ` (${v.nonFinite} with no finite ${name} left out, here and in ρ; the table above ranks them lowest instead)` : ''}: Spearman's ρ ${fmt(v.spearman, 3)} between ${name} and ${acc} accuracy. Shown: ${ranks ? `rank against rank (1 the lowest)` : log ? `${name} on a log axis` : 'values'}. Drag across the plot to zoom in, double-click to zoom out; click a point to load it.`;
  const t = v.top;
  $('explore-top').textContent = `Take the top ${fmt(t.k)} by ${name}: their mean ${acc} accuracy is ${fmt(t.mean, 2)}%, the best of them ${fmt(t.best, 2)}%. `
    + `The ${fmt(t.k)} truly best average ${fmt(t.bestK, 2)}%, and ${fmt(t.k)} drawn at random ${fmt(t.allMean, 2)}% on average (the best of all: ${fmt(t.bestOverall, 2)}%).`;
  const opts = {
    width: Math.min($('explore-plot').clientWidth || 600, 900), height: 280,
    scales: { x: { time: false, distr: log ? 3 : 1 }, y: {} },
    axes: [{ label: ranks ? `rank by ${name} (1 the lowest)` : `${name}${log ? ' (log scale)' : ''}`, values: (u, ticks) => ticks.map(compact) },
      { label: ranks ? `rank by ${acc} accuracy` : `${acc} test accuracy (%)` }],
    legend: { show: false },
    cursor: { drag: { x: true, y: true, uni: 30 }, dataIdx: nearestPoint },
    hooks: {
      setCursor: [(u) => {
        const i = u.cursor.idx;
        $('explore-hover').textContent = i == null ? '' : `NAS-Bench-201 index ${v.index[i]}: ${name} ${ranks ? `rank ${fmt(v.x[i], 1)}` : fmt(v.x[i], 4)}, ${acc} ${ranks ? `rank ${fmt(v.y[i], 1)}` : `${fmt(v.y[i], 2)}%`}`;
      }],
      ready: [(u) => {
        u.over.addEventListener('click', async () => {
          const i = u.cursor.idx;
          if (i != null) load((await gradsign.lookup(v.index[i])).arch);
        });
      }],
    },
    series: [{ label: name }, { label: 'architectures', stroke: '#2456d3', paths: () => null, points: { show: true, size: 4, fill: '#2456d3' } }],
  };
  plot?.destroy();
  plot = new uPlot(opts, [v.x, v.y], $('explore-plot'));
}
