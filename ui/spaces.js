// The editors of the search spaces beyond NAS-Bench-201: NAS-Bench-101's cell (a DAG of up to 7
// vertices, edges and vertex ops changed by a click or tap) and the DARTS / NDS cells (each
// node's two inputs and ops chosen from lists, or a genotype pasted, named or taken from
// NAS-Bench-301's table). An editor only writes the architecture in its space's own terms; the
// engine checks it (gradsign.lookup), prunes it, names it and says what the benchmark knows.

import { el } from './dom.js';

const NB101_V = 7;
const NB101_LABEL = { 'conv3x3-bn-relu': 'conv 3×3', 'conv1x1-bn-relu': 'conv 1×1', maxpool3x3: 'max pool' };
const NB101_COLOR = { 'conv3x3-bn-relu': 'var(--c3)', 'conv1x1-bn-relu': 'var(--c1)', maxpool3x3: 'var(--pool)' };
// NB101_EDGE colours the arcs leaving each vertex (and that vertex's ring), so that crossing arcs
// can be told apart.
const NB101_EDGE = ['#1d2430', '#2456d3', '#2a9d8f', '#b3261e', '#8a5a00', '#7b2cbf'];

// A NAS-Bench-101 cell the editor starts from: row 0's of the shipped table is loaded instead
// once the engine answers; this one only fills the first frame.
function emptyCell() {
  const adj = Array.from({ length: NB101_V }, () => new Array(NB101_V).fill(false));
  adj[0][1] = adj[1][6] = true;
  return { adj, ops: ['input', 'conv3x3-bn-relu', 'conv3x3-bn-relu', 'conv3x3-bn-relu', 'conv3x3-bn-relu', 'conv3x3-bn-relu', 'output'] };
}

// cellString writes the editor's cell as the engine reads it: 49 digits, a space, the ops.
function cellString(c) {
  return `${c.adj.map((row) => row.map((e) => (e ? '1' : '0')).join('')).join('')} ${c.ops.join('|')}`;
}

// cellFromString reads the engine's canonical (pruned) cell into the editor's seven vertices:
// its output becomes vertex 6, the vertices it lacks stay unconnected.
function cellFromString(s) {
  const [digits, ops] = s.split(' ');
  const names = ops.split('|');
  const v = names.length;
  const c = emptyCell();
  c.adj[0][1] = c.adj[1][6] = false;
  const place = (i) => (i === v - 1 ? NB101_V - 1 : i);
  for (let i = 0; i < v; i++) {
    for (let j = 0; j < v; j++) if (digits[i * NB101_V + j] === '1') c.adj[place(i)][place(j)] = true;
    if (i > 0 && i < v - 1) c.ops[i] = names[i];
  }
  return c;
}

function genotypeString(g) {
  const edges = (list) => `[${list.map((e) => `('${e.op}', ${e.input})`).join(', ')}]`;
  const ints = (list) => `[${list.join(', ')}]`;
  return `Genotype(normal=${edges(g.normal)}, normal_concat=${ints(g.normal_concat)}, reduce=${edges(g.reduce)}, reduce_concat=${ints(g.reduce_concat)})`;
}

// opKind is the colour class of a DARTS / NDS op: convolution, pooling, skip or none.
function opKind(op) {
  if (op === 'skip_connect') return 'skip';
  if (op === 'none') return 'none';
  return op.includes('pool') ? 'pool' : 'conv';
}

// stateName names a cell state as DARTS's papers draw them.
function stateName(i) { return i === 0 ? 'c(k−2)' : i === 1 ? 'c(k−1)' : `node ${i - 2}`; }

// svg makes an SVG element with attributes and, optionally, its text.
function svg(tag, attrs = {}, text) {
  return text == null ? el(tag, attrs) : el(tag, attrs, text);
}

// createSpaceEditor builds the editors into root. facts: gradsign.facts(). onChange({space,
// arch, channels}) is called after every edit, with the architecture in its space's terms; the
// page asks the engine about it and hands the answer back with show(info).
export function createSpaceEditor({ facts, root, onChange }) {
  const spaces = Object.fromEntries(facts.spaces.map((s) => [s.name, s]));
  // channels: each space's width now, the benchmark's own (the first offered) at first.
  const st = { space: 'nb101', cell: emptyCell(), genotype: null, channels: Object.fromEntries(facts.spaces.map((s) => [s.name, s.channels[0]])) };
  const ids = {};
  const add = (id, node) => { ids[id] = node; node.id = `space-${id}`; return node; };

  // The parts every space shares: the text form, a table row or a random one, a name, the width.
  const hint = add('hint', el('p', { class: 'hint' }));
  const diagram = add('diagram', el('div', { class: 'space-diagram' }));
  const controls = add('controls', el('div', { class: 'space-controls' }));
  const text = add('text', el('textarea', { rows: '3', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'arch-error' }));
  const textLabel = el('label', { for: 'space-text' }, 'Architecture');
  const row = add('row', el('input', { type: 'number', min: '0', step: '1' }));
  const rowLabel = el('label', { for: 'space-row' });
  const random = add('random', el('button', { type: 'button' }, 'Random from the table'));
  const named = add('named', el('select', {}));
  const namedLabel = el('label', { for: 'space-named' }, 'Named cell');
  const width = add('width', el('select', {}));
  const rowBox = el('div', { class: 'row' }, rowLabel, row, random);
  const namedBox = el('div', { class: 'row' }, namedLabel, named);
  root.replaceChildren(hint, diagram, controls, textLabel, text,
    el('div', { class: 'row' }, el('label', { for: 'space-width' }, 'Network'), width), rowBox, namedBox);

  const net = () => ({
    space: st.space,
    arch: st.space === 'nb101' ? cellString(st.cell) : st.genotype ? genotypeString(st.genotype) : text.value.trim(),
    channels: st.channels[st.space],
  });
  const changed = () => { st.pruned = null; text.value = net().arch; draw(); onChange(net()); };

  text.addEventListener('change', () => onChange({ space: st.space, arch: text.value.trim(), channels: st.channels[st.space] }));
  row.addEventListener('change', () => onChange({ space: st.space, arch: row.value.trim(), channels: st.channels[st.space] }));
  random.addEventListener('click', () => {
    const r = Math.floor(Math.random() * spaces[st.space].rows);
    onChange({ space: st.space, arch: String(r), channels: st.channels[st.space] });
  });
  named.addEventListener('change', () => { if (named.value) onChange({ space: st.space, arch: named.value, channels: st.channels[st.space] }); });
  width.addEventListener('change', () => { st.channels[st.space] = Number(width.value); onChange(net()); });

  // --- NAS-Bench-101 ---
  function drawNB101() {
    const c = st.cell;
    // Left to right where there is room; top to bottom on a phone, where a row of seven
    // vertices would shrink them to 20 px and their labels to 6.
    const tall = diagram.clientWidth > 0 && diagram.clientWidth < 480;
    const r = 19;
    const at = (i) => (tall ? { x: 130, y: 40 + i * 66 } : { x: 44 + i * 78, y: 160 });
    const g = svg('svg', {
      viewBox: tall ? '0 0 340 470' : '0 0 560 205', role: 'img',
      'aria-label': `The NAS-Bench-101 cell as a graph: vertices ${tall ? 'top to bottom' : 'left to right'}, edges as arcs coloured by the vertex they leave; click a vertex to change its op, an arc to remove it`,
    });
    for (let i = 0; i < NB101_V; i++) {
      for (let j = i + 1; j < NB101_V; j++) {
        if (!c.adj[i][j]) continue;
        // Longer arcs leave and arrive steeper, so that the arcs at a vertex do not meet in
        // one point; each is coloured by its start.
        const span = j - i;
        const angle = ((22 + 11 * span) * Math.PI) / 180;
        const [a, b] = [at(i), at(j)];
        const bow = 14 + 20 * span;
        const d = tall
          ? `M${a.x + r * Math.sin(angle)},${a.y + r * Math.cos(angle)} Q${a.x + 2 * bow},${(a.y + b.y) / 2} ${b.x + r * Math.sin(angle)},${b.y - r * Math.cos(angle)}`
          : `M${a.x + r * Math.cos(angle)},${a.y - r * Math.sin(angle)} Q${(a.x + b.x) / 2},${a.y - 2 * bow} ${b.x - r * Math.cos(angle)},${b.y - r * Math.sin(angle)}`;
        const edge = el('g', { class: 'nb101-edge', tabindex: '0', 'data-edge': `${i}-${j}` },
          svg('path', { d, class: 'hit' }), svg('path', { d, class: 'line', style: { stroke: NB101_EDGE[i] } }), svg('title', {}, `edge ${i} → ${j}: click to remove`));
        const remove = () => { c.adj[i][j] = false; changed(); };
        edge.addEventListener('click', remove);
        edge.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ' || ev.key === 'Delete') { ev.preventDefault(); remove(); } });
        g.append(edge);
      }
    }
    for (let i = 0; i < NB101_V; i++) {
      const op = c.ops[i];
      const { x, y } = at(i);
      const node = svg('g', { class: `nb101-vertex${i > 0 && i < NB101_V - 1 ? ' editable' : ''}`, tabindex: i > 0 && i < NB101_V - 1 ? '0' : '-1' });
      node.append(svg('circle', { cx: x, cy: y, r, style: { fill: NB101_COLOR[op] || 'var(--node)', stroke: NB101_EDGE[i] ?? 'var(--fg)' } }));
      node.append(svg('text', { x, y: y + 5, 'text-anchor': 'middle' }, String(i)));
      const label = i === 0 ? 'input' : i === NB101_V - 1 ? 'output' : NB101_LABEL[op];
      node.append(tall ? svg('text', { x: x - r - 8, y: y + 5, 'text-anchor': 'end', class: 'op-label' }, label)
        : svg('text', { x, y: y + r + 18, 'text-anchor': 'middle', class: 'op-label' }, label));
      if (i > 0 && i < NB101_V - 1) {
        node.append(svg('title', {}, `vertex ${i}: ${op}; click for the next op`));
        const next = () => {
          const opsList = spaces.nb101.ops;
          c.ops[i] = opsList[(opsList.indexOf(op) + 1) % opsList.length];
          changed();
        };
        node.addEventListener('click', next);
        node.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); next(); } });
      }
      g.append(node);
    }
    diagram.replaceChildren(g);
    // The adjacency as a grid of toggles: row i, column j is the edge i → j.
    const grid = el('table', { class: 'nb101-matrix', 'aria-label': 'Edges: row is the edge\'s start, column its end' });
    grid.append(el('tr', {}, el('th', {}, 'from \\ to'), ...Array.from({ length: NB101_V }, (_, j) => el('th', { scope: 'col' }, String(j)))));
    for (let i = 0; i < NB101_V - 1; i++) {
      grid.append(el('tr', {}, el('th', { scope: 'row' }, String(i)), ...Array.from({ length: NB101_V }, (_, j) => {
        if (j <= i) return el('td', {});
        const b = el('button', { type: 'button', class: 'edge-toggle', 'aria-pressed': String(c.adj[i][j]), 'aria-label': `edge ${i} → ${j}`, id: `nb101-edge-${i}-${j}` }, c.adj[i][j] ? '●' : '·');
        b.addEventListener('click', () => { c.adj[i][j] = !c.adj[i][j]; changed(); });
        return el('td', {}, b);
      })));
    }
    const opSelects = Array.from({ length: NB101_V - 2 }, (_, k) => {
      const i = k + 1;
      const s = el('select', { id: `nb101-op-${i}`, 'aria-label': `vertex ${i} op` }, ...spaces.nb101.ops.map((o) => el('option', { value: o }, NB101_LABEL[o] || o)));
      s.value = c.ops[i];
      s.addEventListener('change', () => { c.ops[i] = s.value; changed(); });
      return el('label', { class: 'edge' }, `vertex ${i}`, s);
    });
    const edges = c.adj.flat().filter(Boolean).length;
    // The cell as NAS-Bench-101 prunes it (the engine's answer), when it differs.
    let pruned = '';
    if (st.pruned && st.pruned !== cellString(c)) {
      const [digits, ops] = st.pruned.split(' ');
      pruned = ` Scored as NAS-Bench-101 prunes it: ${ops.split('|').length} vertices, ${digits.split('').filter((d) => d === '1').length} edges.`;
    }
    controls.replaceChildren(el('div', { class: 'edges' }, ...opSelects), grid,
      el('p', { id: 'nb101-rules', class: edges > 9 ? 'error' : 'hint' }, `${edges} edge${edges === 1 ? '' : 's'} of at most 9. Edges run from a lower vertex to a higher one; a vertex on no path from the input to the output is dropped, as NAS-Bench-101 does.${pruned}`));
  }

  // --- DARTS and NDS ---
  function drawCells() {
    const g = st.genotype;
    const opsList = spaces[st.space].ops;
    const panels = ['normal', 'reduce'].map((kind) => {
      const edges = g[kind];
      const concat = g[`${kind}_concat`];
      const nodes = edges.length / 2;
      // The drawing: the two inputs at the left, the nodes left to right, the output at the right.
      // The nodes zigzag so that edges between neighbours stay apart; an edge's colour is its
      // op's kind, its name in the lists below and under the pointer.
      const W = 150 + nodes * 90;
      const pic = svg('svg', { viewBox: `0 0 ${W} 170`, role: 'img', 'aria-label': `The ${kind} cell as a graph` });
      const pos = (s) => (s < 2 ? [30, 40 + 90 * s] : [120 + (s - 2) * 90, s % 2 ? 130 : 40]);
      const out = [W - 25, 85];
      edges.forEach((e, k) => {
        const [x1, y1] = pos(e.input);
        const [x2, y2] = pos(2 + Math.floor(k / 2));
        const bend = k % 2 ? 18 : -18;
        const path = svg('path', { d: `M${x1},${y1} Q${(x1 + x2) / 2 + bend},${(y1 + y2) / 2 + bend} ${x2},${y2}`, class: `darts-edge ${opKind(e.op)}` });
        path.append(svg('title', {}, `${stateName(e.input)} → node ${Math.floor(k / 2)}: ${e.op}`));
        pic.append(path);
      });
      for (const s of concat) {
        const [x1, y1] = pos(s);
        pic.append(svg('path', { d: `M${x1},${y1} L${out[0]},${out[1]}`, class: 'darts-concat' }));
      }
      for (let s = 0; s < 2 + nodes; s++) {
        const [cx, cy] = pos(s);
        pic.append(svg('circle', { cx, cy, r: 15, class: s < 2 ? 'darts-input' : 'darts-node' }));
        pic.append(svg('text', { x: cx, y: cy + 4, 'text-anchor': 'middle' }, s < 2 ? ['k−2', 'k−1'][s] : String(s - 2)));
      }
      pic.append(svg('rect', { x: out[0] - 15, y: out[1] - 15, width: 30, height: 30, class: 'darts-output' }));
      pic.append(svg('text', { x: out[0], y: out[1] + 4, 'text-anchor': 'middle' }, 'out'));
      // The choices: each node's two inputs, each with its op.
      const rows = Array.from({ length: nodes }, (_, n) => el('div', { class: 'darts-node-row' }, el('span', {}, `node ${n} =`),
        ...[0, 1].flatMap((h) => {
          const e = edges[2 * n + h];
          const op = el('select', { id: `${kind}-op-${n}-${h}`, 'aria-label': `${kind} node ${n}, input ${h + 1}: op` },
            ...[...new Set([...opsList, e.op])].map((o) => el('option', { value: o }, o)));
          op.value = e.op;
          op.addEventListener('change', () => { e.op = op.value; changed(); });
          const input = el('select', { id: `${kind}-in-${n}-${h}`, 'aria-label': `${kind} node ${n}, input ${h + 1}: from` },
            ...Array.from({ length: 2 + n }, (_, s) => el('option', { value: String(s) }, stateName(s))));
          input.value = String(e.input);
          input.addEventListener('change', () => { e.input = Number(input.value); changed(); });
          return [h ? el('span', {}, '+') : '', op, el('span', {}, 'of'), input];
        })));
      return el('figure', { class: 'darts-cell' }, el('figcaption', {}, `${kind === 'normal' ? 'Normal' : 'Reduction'} cell (output: ${concat.map(stateName).join(', ')} concatenated)`), pic, ...rows);
    });
    diagram.replaceChildren(...panels);
    controls.replaceChildren(el('p', { class: 'key' }, el('span', { class: 'swatch conv' }), 'convolutions', el('span', { class: 'swatch pool' }), 'pooling',
      el('span', { class: 'swatch skip' }), 'skip connections', el('span', {}, '(dashed: the states the cell concatenates into its output)')));
  }

  function draw() {
    if (st.space === 'nb101') drawNB101(); else if (st.genotype) drawCells(); else diagram.replaceChildren();
  }
  // NAS-Bench-101's cell is laid out by the room it has: drawn again when that changes (a phone
  // turned), and when it first gets room (the editor shown).
  new ResizeObserver(() => { if (st.space === 'nb101') drawNB101(); }).observe(diagram);

  const HINTS = {
    nb101: 'NAS-Bench-101 (Ying et al., 2019): a cell is a graph of up to 7 vertices and 9 edges; the network stacks 3 × 3 cells with max pooling between the stacks. The benchmark trained all 423,624 cells; 1,000 of them ship with the page.',
    darts: 'The DARTS space of NAS-Bench-301 (Siems et al., 2020): a normal and a reduction cell, each node the sum of two ops on earlier states, the cells\' outputs concatenated; 8 cells at C = 32. NAS-Bench-301\'s accuracy is a surrogate model\'s prediction; 1,218 genotypes ship with the page.',
    nds: 'The NDS cell spaces (Radosavovic et al., 2019) in pycls\'s network: the DARTS network with NASNet\'s, PNAS\'s and AmoebaNet\'s further ops and loose-end concatenation. No benchmark accuracy ships for them.',
  };

  return {
    net,
    // setSpace shows space's editor (nb101, darts or nds).
    setSpace(space) {
      st.space = space;
      const f = spaces[space];
      hint.textContent = HINTS[space];
      textLabel.textContent = space === 'nb101' ? 'Cell (adjacency digits, then the ops)' : 'Genotype (as DARTS writes it, NAS-Bench-301\'s compact form, or a name)';
      rowBox.hidden = !f.rows;
      rowLabel.textContent = space === 'nb101' ? 'Row of the NAS-Bench-101 table' : 'Row of the NAS-Bench-301 table';
      row.max = String(f.rows - 1);
      namedBox.hidden = !f.named;
      named.replaceChildren(el('option', { value: '' }, '—'), ...(f.named || []).map((n) => el('option', { value: n }, n)));
      const unit = space === 'nb101' ? 'stem' : 'C =';
      width.replaceChildren(...f.channels.map((c, i) => el('option', { value: String(c) }, `${unit} ${c}${i === 0 ? (space === 'nds' ? ' (pycls\'s)' : ' (the benchmark\'s)') : space === 'nds' ? '' : ' (narrow: the reference scatter\'s)'}`)));
      width.value = String(st.channels[space]);
      draw();
    },
    // show puts the engine's answer for an architecture into the editor: asked is the request
    // it answers; an edit of the editor's own keeps the cell as drawn (NAS-Bench-101's pruning
    // is said in words, not done to the drawing under the pointer).
    show(info, asked) {
      st.channels[info.space] = info.channels;
      width.value = String(info.channels);
      st.pruned = info.space === 'nb101' ? info.arch : null;
      if (asked.arch !== net().arch) {
        if (info.space === 'nb101') st.cell = cellFromString(info.arch);
        else st.genotype = structuredClone(info.genotype);
      }
      text.value = net().arch;
      row.value = info.index ?? '';
      named.value = info.named ?? '';
      draw();
    },
  };
}
