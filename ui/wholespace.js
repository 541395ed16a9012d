// The whole-space view: every NAS-Bench-201 architecture's GradSign (N=128, computed natively)
// against its accuracy, the editor's architecture marked in it.
import { gradsign } from './gradsign.js';
import uPlot from './vendor/uPlot.esm.js';
import { $, fmt, compact } from './dom.js';
import { nearestPoint } from './plot.js';

// space: gradsign.wholeSpace() once loaded; spacePlot its uPlot, redrawn for another dataset
// and given a new red point on every edit.
let space = null;
let spacePlot = null;
// marked: the architecture the red point marks; loadArch: the page's editor (setWholeSpace).
let marked = null;
let loadArch = () => {};
const DATASET_NAMES = { cifar10: 'CIFAR-10', cifar100: 'CIFAR-100', imagenet16: 'ImageNet16-120' };

// setWholeSpace takes gradsign.wholeSpace()'s answer and the editor's loadArch(arch), and draws.
export function setWholeSpace(w, load) {
  space = w;
  loadArch = load;
  drawSpace();
}

// wholeSpaceScored says whether every index has a score (the race needs them all), and how
// many of how many do.
export function wholeSpaceScored() {
  return { complete: !!space && space.scored === space.scores.length, scored: space ? space.scored : 0, total: space ? space.scores.length : 15625 };
}

// drawSpace plots every scored architecture, sorted by score (uPlot wants x ascending), with
// the editor's architecture as its own series.
export function drawSpace() {
  if (!space) return;
  const dataset = $('space-dataset').value;
  const acc = space.accuracy[dataset];
  const order = [];
  for (let i = 0; i < space.scores.length; i++) if (!Number.isNaN(space.scores[i])) order.push(i);
  order.sort((a, b) => space.scores[a] - space.scores[b]);
  space.order = order;
  const xs = order.map((i) => space.scores[i]);
  const ys = order.map((i) => acc[i]);
  $('space-caption').textContent = (space.scored < space.scores.length
    ? `${fmt(space.scored)} of ${fmt(space.scores.length)} architectures scored so far (the whole-space run goes on; the page shows what it has). `
    : `All ${fmt(space.scores.length)} architectures of NAS-Bench-201. `)
    + `Spearman's rank correlation with ${DATASET_NAMES[dataset]} accuracy over them: ${fmt(space.spearman[dataset], 3)}.`;
  const width = Math.min($('space-plot').clientWidth || 600, 900);
  const opts = {
    width, height: 320,
    scales: { x: { time: false }, y: { range: [0, 100] } },
    axes: [
      { label: 'GradSign score (N=128)', values: (u, ticks) => ticks.map(compact) },
      { label: `${DATASET_NAMES[dataset]} test accuracy (%)` },
    ],
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, dataIdx: nearestPoint },
    hooks: {
      setCursor: [(u) => {
        const k = u.cursor.idx;
        const i = k == null ? null : order[k];
        if (i == null) {
          $('space-hover').textContent = 'Point at a dot to name it; click it to load it into the editor.';
          return;
        }
        const line = `NAS-Bench-201 index ${i}: GradSign ${fmt(space.scores[i])}, ${DATASET_NAMES[dataset]} ${fmt(acc[i], 2)}%`;
        $('space-hover').textContent = line;
        gradsign.lookup(i).then((info) => { // the arch string, if the pointer is still there
          if (u.cursor.idx === k) $('space-hover').textContent = `${line}, ${info.arch}`;
        });
      }],
      ready: [(u) => {
        u.over.addEventListener('click', async () => {
          const k = u.cursor.idx;
          if (k == null) return;
          loadArch((await gradsign.lookup(order[k])).arch);
        });
      }],
    },
    series: [
      { label: 'GradSign' },
      { label: 'architectures', stroke: '#2456d3', paths: () => null, points: { show: true, size: 3, fill: '#2456d3', width: 0 } },
      { label: 'this architecture', stroke: '#b3261e', paths: () => null, points: { show: true, size: 11, fill: '#b3261e' } },
    ],
  };
  if (spacePlot) spacePlot.destroy();
  spacePlot = new uPlot(opts, [xs, ys, xs.map(() => null)], $('space-plot'));
  markSpace();
}

// markSpace moves the red point to the editor's architecture (info: gradsign.lookup's answer)
// and says where it stands.
export function markSpace(info = marked) {
  marked = info;
  if (!space || !spacePlot || !info || info.space !== 'nb201') return;
  const i = info.index;
  const k = space.order.indexOf(i);
  const dataset = $('space-dataset').value;
  const red = space.order.map((j) => (j === i ? space.accuracy[dataset][j] : null));
  spacePlot.setData([spacePlot.data[0], spacePlot.data[1], red]);
  if (k < 0) {
    $('space-here').textContent = `Index ${i} is not in the whole-space file yet.`;
    return;
  }
  const acc = space.accuracy[dataset];
  const byScore = (100 * k) / Math.max(1, space.order.length - 1);
  const byAcc = (100 * space.order.filter((j) => acc[j] < acc[i]).length) / Math.max(1, space.order.length - 1);
  $('space-here').textContent = `Index ${i}: GradSign ${fmt(space.scores[i])} at N=128, above ${fmt(byScore, 1)}% of the ${space.scored < space.scores.length ? 'scored ' : ''}space; `
    + `its ${DATASET_NAMES[dataset]} accuracy ${fmt(acc[i], 2)}% is above ${fmt(byAcc, 1)}% of them.`;
}
