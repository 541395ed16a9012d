// The per-layer view of a result: a bar per weight layer, input to output, of its agreement,
// on an axis from 0 to the highest, with chance's dashed line, the key's colours (the cells'
// layers, the reduction blocks, the stem and the classifier) in the space's own words, the
// stages, a table to read without hovering, and, for NAS-Bench-201, each cell edge's bars lit
// with the edge in the diagram; and the same bars small, for two results side by side.
import { $, el, fmt } from './dom.js';

// LAYER_WORDS say, per space, what the layer view's colours are and how its layers are named (the
// reference model's PyTorch parameter names, which the reference files and the CLI use too).
const LAYER_WORDS = {
  nb201: {
    cell: 'convolutions of the cells\' edges',
    reduction: 'reduction blocks',
    names: 'Layers keep the names of NAS-Bench-201\'s PyTorch model: stem.0 is the first convolution, cells.K.layers.E.op.1 the convolution on edge E of cell K (edges numbered 0–5 in the editor\'s order, 0 → 1 first), cells.5 and cells.11 the reduction blocks (conv_a, conv_b, downsample), classifier the last layer. Point at a bar of a cell edge to light its edge in the diagram, or at an edge to light its bars.',
  },
  nb101: {
    cell: 'convolutions of the cells\' vertices and their inputs\' projections',
    names: 'Layers keep the names of the official GradSign code\'s NAS-Bench-101 model: layers.0 is the stem; layers.K.vertex_op.V the convolution of vertex V in the K-th layer (cell) and layers.K.input_op.V the 1×1 projection of the cell\'s input to it; NAS-Bench-101 reduces by max pools between the stacks, which have no weights.',
  },
  darts: {
    cell: 'convolutions of the cells\' edges',
    reduction: 'reduction cells',
    names: 'Layers keep the names of DARTS\'s NetworkCIFAR: stem.0 is the first convolution, cells.K.preprocess0/1 the 1×1 convolutions on a cell\'s two inputs, cells.K._ops.E.op.J the convolutions of edge E of cell K (a separable convolution has four: depthwise, pointwise, twice), cells.2 and cells.5 the reduction cells, classifier the last layer.',
  },
  nds: {
    cell: 'convolutions of the cells\' edges',
    reduction: 'reduction cells',
    names: 'Layers keep the names of pycls\'s NetworkCIFAR (NDS): stem, cells.K.preprocess0/1 on a cell\'s two inputs, cells.K._ops.E the convolutions of edge E of cell K, cells.2 and cells.5 the reduction cells, classifier the last layer.',
  },
  onnx: { names: 'Layers are named by your file\'s ONNX nodes.' },
};

// drawLayers shows each weight layer's agreement, input to output, on an axis of 0 to 1, with a
// key, the stages marked, a table to read without hovering, and each cell edge's bars linked
// both ways with its edge in the cell diagram.
// layerKind is the key's colour of a result's layer i (named name): 'cell', 'reduction' or
// 'head' (the stem and the classifier).
function layerKind(r, name, i) {
  const space = r.space ?? 'nb201';
  // An ONNX model's layers are its own: its first and last (stem, classifier) marked, the rest
  // alike.
  if (space === 'onnx') return i === 0 || i === r.layers.length - 1 ? 'head' : 'cell';
  // DARTS's reduction cells are at a third and two thirds of the depth; NAS-Bench-101 reduces
  // by max pools, which have no weights.
  const cell = name.match(/^cells\.(\d+)\./);
  if ((space === 'nb201' && /conv_a|conv_b|downsample/.test(name)) || (cell && ['darts', 'nds'].includes(space) && [2, 5].includes(Number(cell[1])))) return 'reduction';
  return /classifier/.test(name) || isStem(r, name) ? 'head' : 'cell';
}

// isStem says whether a result's layer is its stem (NAS-Bench-101's is layers.0).
function isStem(r, name) {
  return name.startsWith('stem') || (r.space === 'nb101' && name.startsWith('layers.0.'));
}

// chanceLine is chance's dashed line across bars whose axis tops at top.
function chanceLine(chance, top, attrs = {}) {
  return el('span', { ...attrs, class: 'chance-line', style: { bottom: `${Math.min(100, (chance / top) * 100)}%` } });
}

export function drawLayers(r) {
  const box = $('layers');
  const space = r.space ?? 'nb201';
  const nb201 = space === 'nb201';
  const onnx = space === 'onnx';
  const edgeOf = (name) => { const m = nb201 && name.match(/^cells\.\d+\.layers\.(\d)\./); return m ? Number(m[1]) : null; };
  $('layers-key').replaceChildren(...(onnx
    ? [el('span', { class: 'swatch cell' }), 'the model\'s weight layers ', el('span', { class: 'swatch head' }), 'its first and last']
    : [el('span', { class: 'swatch cell' }), LAYER_WORDS[space].cell, ' ',
      ...(space === 'nb101' ? [] : [el('span', { class: 'swatch reduction' }), LAYER_WORDS[space].reduction, ' ']),
      el('span', { class: 'swatch head' }), 'stem and classifier']));
  $('layers-how').textContent = LAYER_WORDS[space].names;
  const top = Math.max(...r.layers.map((l) => l.agreement), 1e-9);
  box.replaceChildren(...r.layers.map((l, i) => {
    const e = edgeOf(l.name);
    const bar = el('div', {
      role: 'listitem', tabindex: '0', class: layerKind(r, l.name, i), style: { height: `${Math.max(1, (l.agreement / top) * 100)}%` },
      title: `${l.name}: ${fmt(l.weights)} weights, score ${fmt(l.score)}, agreement ${fmt(l.agreement, 3)}${l.chance == null ? '' : ` (random signs ${fmt(l.chance, 3)}, excess ${fmt(l.excess, 3)})`}`,
      'aria-label': `${l.name}: agreement ${fmt(l.agreement, 3)}${l.chance == null ? '' : `, ${fmt(l.excess, 3)} over chance`}`,
      ...(e == null ? {} : { 'data-edge': String(e) }),
    });
    if (e != null) {
      const lit = (on) => document.querySelector(`#cell .edge[data-edge="${e}"]`)?.classList.toggle('lit', on);
      bar.addEventListener('pointerenter', () => lit(true));
      bar.addEventListener('pointerleave', () => lit(false));
      bar.addEventListener('focus', () => lit(true));
      bar.addEventListener('blur', () => lit(false));
    }
    return bar;
  }));
  // The classifier's 0.8 is NAS-Bench-201's and -101's: their features come out of a ReLU.
  $('classifier-note').hidden = !(nb201 || r.space === 'nb101');
  $('layers-chance-note').hidden = r.chance == null;
  // Chance level: the agreement random signs would give, a dashed line across the bars.
  if (r.chance != null) {
    const line = chanceLine(r.chance, top, { id: 'layers-chance', 'aria-hidden': 'true' });
    line.append(el('span', {}, `random signs ${fmt(r.chance, 3)}`));
    box.append(line);
  }
  // An axis of 0 to the highest agreement; where every layer's is 0 (no gradient reaches any
  // weight: an all-none cell), one tick says so.
  const flat = r.layers.every((l) => l.agreement === 0);
  $('layers-axis').replaceChildren(...(flat ? [el('span', {}, ''), el('span', {}, 'all 0'), el('span', {}, '0')]
    : [el('span', {}, fmt(top, 2)), el('span', {}, fmt(top / 2, 2)), el('span', {}, '0')]));
  // The stages: the stem (0), the cells before the first reduction (1), from it to the second
  // (2), from that on (3), and the classifier (4).
  const cellOf = (name) => { const m = name.match(/^(?:cells|layers)\.(\d+)\./); return m ? Number(m[1]) : null; };
  const reductions = nb201 ? r.layers.filter((l) => /conv_a/.test(l.name)).map((l) => cellOf(l.name))
    : r.space === 'nb101' ? [...new Set(r.layers.filter((l) => /^layers\.\d+\./.test(l.name)).map((l) => cellOf(l.name)))].filter((c, i, a) => i > 0 && c !== a[i - 1] + 1)
      : [2, 5];
  const stage = (name) => {
    const c = cellOf(name);
    if (isStem(r, name)) return 0;
    if (c == null) return 4;
    return 1 + reductions.filter((x) => c >= x).length;
  };
  const counts = [0, 0, 0, 0, 0];
  for (const l of r.layers) counts[stage(l.name)]++;
  // The stem's and the classifier's bars are one or two wide: the key's colour names them, a
  // label there would be cut to a letter.
  $('layers-stages').replaceChildren(...['', 'stage 1 (C)', 'stage 2 (2C)', 'stage 3 (4C)', ''].map((label, i) =>
    el('span', { style: { flexGrow: String(counts[i]) } }, counts[i] ? label : '')));
  $('layers-table').tBodies[0].replaceChildren(...r.layers.map((l) => el('tr', {}, el('td', {}, l.name), el('td', { class: 'num' }, fmt(l.weights)),
    el('td', { class: 'num' }, fmt(l.score)), el('td', { class: 'num' }, fmt(l.agreement, 3)),
    el('td', { class: 'num' }, l.chance == null ? '—' : fmt(l.chance, 3)), el('td', { class: 'num' }, l.excess == null ? '—' : fmt(l.excess, 3)),
    el('td', { class: 'num' }, fmt(l.structural_zeros ?? 0)))));
}

// miniBars is a result's layer bars as a small figure for the comparison: its agreement per
// layer on its own 0-to-highest axis, chance's dashed line, and what it is.
export function miniBars(r, title) {
  const top = Math.max(...r.layers.map((l) => l.agreement), 1e-9);
  const bars = el('div', { class: 'layers mini', role: 'img', 'aria-label': `${title}: agreement per layer` },
    ...r.layers.map((l, i) => el('div', { class: layerKind(r, l.name, i), style: { height: `${Math.max(1, (l.agreement / top) * 100)}%` }, title: `${l.name}: agreement ${fmt(l.agreement, 3)}` })),
    chanceLine(r.chance, top));
  const acc = r.accuracy?.cifar10;
  return el('figure', { class: 'compare-one' }, el('figcaption', {}, el('b', {}, title), ` NAS-Bench-201 index ${r.index}${acc == null ? '' : `, CIFAR-10 ${fmt(acc, 2)}% after training`}`),
    bars, el('p', { class: 'hint' }, `GradSign ${fmt(r.gradsign)}, of which ${fmt(r.above_chance)} above chance (top of the axis: agreement ${fmt(top, 2)})`));
}

