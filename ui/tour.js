// The guided tour: six steps through zero-cost NAS, each one figure of the page (lit and
// brought into view) with a sentence or two, a question to answer before the figure answers
// it, and Next. A step has an address (#tour/3); the tour remembers where it was left and
// offers to resume. The words the page uses are explained in a glossary, on hover or tap.
// Every number it states is the engine's (gradsign.trainingCost) or a figure's own text.
import { gradsign } from './gradsign.js';
import { $, el, fmt } from './dom.js';

const STORE = 'gradsign-tour-step';

// GLOSSARY: the page's words, for the term buttons and the glossary list.
export const GLOSSARY = {
  'zero-cost proxy': 'A number computed from an untrained network in seconds (a forward and backward pass on a few images) that is meant to predict how well the network will do once trained.',
  cell: 'The small graph NAS-Bench-201 searches over: 4 nodes, each earlier node joined to each later one by an edge. The network stacks 15 copies of the one cell.',
  edge: 'A connection in the cell from node i to node j, carrying one operation: none, skip, 1×1 or 3×3 convolution, or 3×3 average pooling.',
  'reduction block': 'The fixed block between the network\'s three stages that halves the image size and doubles the channels (not searched).',
  N: 'The number of images GradSign looks at, each on its own. The official setting is 128.',
  seed: 'The number that draws the untrained network\'s random initial weights: another seed, other weights, a slightly different score.',
  agreement: 'For one weight, |number of images pushing it up − number pushing it down| / N: 1 when all images agree, near chance when they push at random.',
  chance: 'The agreement that coin tosses would give: E|sum of N random ±1| / N, 0.196 at N = 16, 0.070 at N = 128. Not zero, because N coins rarely cancel exactly.',
  'ρ': 'Spearman\'s rank correlation: 1 when a score puts the architectures in exactly the order of their trained accuracy, 0 when it says nothing of it.',
};

// term makes a glossary word a button: its definition on hover (title) and on tap (popover).
export function term(word, shown = word) {
  return el('button', { type: 'button', class: 'term', 'data-term': word, title: GLOSSARY[word] }, shown);
}

// STEPS: each step's title, the figure it lights (an element id), what it says, and a question
// whose answer the figure gives (reveal says where to look, in the figure's own words; right is
// the index of the choice the page shows to be right, or null while it does not show it yet).
const STEPS = [
  {
    title: 'Training every candidate is expensive',
    target: 'arch-section',
    body: async () => {
      const index = Number($('index').value);
      if ($('index').value === '' || !Number.isInteger(index)) return ['Pick a cell in the editor: the tour tells what training it cost.'];
      const c = await gradsign.trainingCost(index);
      return [`This `, term('cell'), ` is one of NAS-Bench-201's ${fmt(c.architectures)}. To learn how good it is, the benchmark trained it for 200 epochs: ${fmt(c.seconds200 / 3600, 1)} GPU-hours. Training every cell took ${fmt(c.spaceSeconds200 / 86400, 0)} GPU-days. Neural architecture search wants the best cell without paying that for each one. Change an `, term('edge'), ` in the diagram: the cost here follows.`];
    },
    ask: {
      question: 'Before you go on: how much would a search that trains 100 such cells cost?',
      choices: ['Hours', 'Days', 'Months'],
      right: async () => { const h = await hundredCells(); return h == null ? null : h < 24 ? 0 : h < 24 * 60 ? 1 : 2; },
      reveal: async () => {
        const h = await hundredCells();
        if (h == null) return 'Pick a cell in the editor first.';
        return `100 × ${fmt(h / 100, 1)} GPU-hours = ${fmt(h, 0)} GPU-hours: ${h < 24 ? 'hours' : h < 24 * 60 ? `${fmt(h / 24, 1)} days` : `${fmt(h / 24 / 30, 1)} months`} of a GPU, for one search of this cell's size. That is why NAS looks for shortcuts.`;
      },
    },
  },
  {
    title: 'Score it at initialisation instead',
    target: 'run-section',
    body: async () => ['A ', term('zero-cost proxy'), ' looks at the network before any training: random weights (drawn by the ', term('seed'), '), ', term('N'), ' images, one backward pass per image. Press Score.'],
    ask: {
      question: 'How long will scoring this cell take in your browser?',
      choices: ['As long as training', 'Minutes', 'Seconds'],
      right: () => { const t = $('progress-text').textContent.match(/^Done in ([\d.]+) s/); return t ? (Number(t[1]) < 60 ? 2 : 1) : null; },
      reveal: () => ($('progress-text').textContent ? `The page says: “${$('progress-text').textContent}”` : 'Press Score to find out.'),
    },
  },
  {
    title: 'GradSign\'s idea, on a few weights',
    target: 'signs-figure',
    body: async () => ['Each column is one weight, each row one image alone: blue where that image asks the weight to grow, orange where it asks it to shrink. GradSign adds up, weight by weight, |blue − orange|: a column of one colour adds N, a mixed one little.'],
    ask: {
      question: 'Will most columns be a single colour?',
      choices: ['Yes, mostly one colour', 'No, mixed like coin tosses'],
      right: () => { const a = $('signs-total').textContent.match(/agreement ([\d.]+)/); return a ? (Number(a[1]) > 0.5 ? 0 : 1) : null; },
      reveal: () => $('signs-total').textContent || 'Score a cell first: the grid fills in image by image.',
    },
  },
  {
    title: 'Chance level: what coins would score',
    target: 'layers-figure',
    body: async () => ['One bar per layer: its ', term('agreement'), '. The dashed line is ', term('chance'), ': what signs drawn by tossing coins would agree at this N. Only the excess over the line is the images agreeing.'],
    ask: {
      question: 'Will the cells\' convolutions stand far above the dashed line?',
      choices: ['Far above', 'Close to it'],
      right: () => ($('result-above') ? 1 : null),
      reveal: () => ($('result-above') ? `Most sit close to it. The result says: above chance ${$('result-above').textContent}` : 'Score a cell first: the bars appear with the result.'),
    },
  },
  {
    title: 'How well it ranks the whole space, beside the other proxies',
    target: 'space-section',
    body: async () => ['Every one of the 15,625 cells, scored once (N = 128) against its accuracy after training, and below, how each zero-cost proxy ranks a sample of 1,000. ', term('ρ'), ' is 1 for a perfect order. Counting parameters is the bar to beat: GradSign adds up agreement over every weight, so a bigger network scores higher, and much of its order is the parameter count\'s; only its excess over chance can add to it.'],
    ask: {
      question: 'Does GradSign rank the cells better than simply counting their parameters?',
      choices: ['Better', 'About the same', 'Worse'],
      right: () => { const r = tableRho(); return r ? (Math.abs(r.gradsign - r.params) < 0.05 ? 1 : r.gradsign > r.params ? 0 : 2) : null; },
      reveal: () => {
        const r = tableRho();
        return `${$('space-caption').textContent}${r ? ` On the 1,000-cell sample (the table below the plot): gradsign ρ ${fmt(r.gradsign, 3)}, params ρ ${fmt(r.params, 3)}.` : ''}`;
      },
    },
  },
  {
    title: 'Why that makes search faster',
    target: 'race-section',
    body: async () => ['A search trains the architectures it proposes. GradSign-assisted search draws 10, scores them for free (or charged, if you tick it), and trains only the best by GradSign. Run a race: both searches get the same budget of simulated training.'],
    ask: {
      question: 'After the race, will GradSign-assisted search be ahead for sure?',
      choices: ['Ahead, for sure', 'Ahead, but not for sure', 'Behind'],
      right: () => {
        const t = $('race-summary').textContent;
        if (!t) return null;
        if (/vanilla ahead/.test(t)) return 2;
        return /GradSign ahead/.test(t) && /is significant/.test(t) ? 0 : 1;
      },
      reveal: () => $('race-summary').textContent || 'Press Race to find out.',
    },
  },
];

// hundredCells is what training 100 cells like the editor's costs, in GPU-hours (null without one).
async function hundredCells() {
  const index = Number($('index').value);
  if ($('index').value === '' || !Number.isInteger(index)) return null;
  return (100 * (await gradsign.trainingCost(index)).seconds200) / 3600;
}

// tableRho reads GradSign's and params' ρ from the proxies' table (null before it is drawn).
function tableRho() {
  const rho = (name) => {
    const row = [...$('proxy-rankings').tBodies[0].rows].find((r) => r.cells[0].textContent === name);
    return row ? Number(row.cells[1].textContent) : null;
  };
  const [g, p] = [rho('gradsign'), rho('params')];
  return g == null || p == null ? null : { gradsign: g, params: p };
}

let step = -1;
let lit = null;
// moved says the reader has scrolled since the step brought its figure into view; until then,
// the figure is kept there while the page's views load above it and move it.
let moved = false;

// show opens step k (0-based): its words, its question, its figure lit and in view.
async function show(k) {
  step = k;
  localStorage.setItem(STORE, String(k));
  const s = STEPS[k];
  $('tour').hidden = false;
  document.body.classList.add('touring');
  $('tour-count').textContent = `Step ${k + 1} of ${STEPS.length}`;
  $('tour-title').textContent = s.title;
  $('tour-back').disabled = k === 0;
  $('tour-next').textContent = k === STEPS.length - 1 ? 'Finish' : 'Next';
  if (location.hash !== `#tour/${k + 1}`) history.replaceState(history.state, '', `${location.search}#tour/${k + 1}`);
  lit?.classList.remove('tour-target');
  lit = null;
  $('tour-reveal').textContent = '';
  $('tour-ask').replaceChildren(el('p', {}, s.ask.question), el('div', { class: 'row' }, ...s.ask.choices.map((c) => {
    const b = el('button', { type: 'button' }, c);
    b.addEventListener('click', async () => {
      for (const o of $('tour-ask').querySelectorAll('button')) o.setAttribute('aria-pressed', String(o === b));
      const [right, reveal] = await Promise.all([s.ask.right(), s.ask.reveal()]);
      const chosen = s.ask.choices.indexOf(c);
      const verdict = right == null ? '' : chosen === right ? 'Right. ' : `Not quite: “${s.ask.choices[right]}”. `;
      if (step === k) $('tour-reveal').textContent = verdict + reveal;
    });
    return b;
  })));
  await refresh();
}

// figure is the element a step lights: its own figure, or where to go first while that is
// hidden (the result's figures before a score) or the editor holds another space (the tour's
// words and numbers are NAS-Bench-201's).
function figure(s) {
  if ($('space').value !== 'nb201') return { fig: $('arch-section'), first: 'The tour follows NAS-Bench-201: choose it as the search space first.' };
  const fig = $(s.target);
  const hidden = fig.closest('[hidden]');
  if (!hidden) return { fig, first: null };
  return hidden.id === 'result-section' ? { fig: $('run-section'), first: 'Press Score first: this figure comes with the result.' }
    : { fig: $('arch-section'), first: 'Choose NAS-Bench-201 as the search space first: this view is its.' };
}

// refresh rewrites the step's text from the page as it is now (the editor, the last score),
// and lights its figure, bringing it into view when it changed.
async function refresh() {
  if (step < 0 || $('tour').hidden) return;
  const k = step;
  const { fig, first } = figure(STEPS[k]);
  if (fig !== lit) {
    lit?.classList.remove('tour-target');
    lit = fig;
    lit.classList.add('tour-target');
    lit.scrollIntoView({ block: 'start' });
    moved = false;
  }
  let body;
  try { body = $('space').value === 'nb201' ? await STEPS[k].body() : []; } catch (err) { body = [err.message]; }
  if (k === step) $('tour-body').replaceChildren(el('p', {}, ...(first ? [el('b', {}, first), ' '] : []), ...body));
}

function leave() {
  $('tour').hidden = true;
  document.body.classList.remove('touring');
  lit?.classList.remove('tour-target');
  lit = null;
  if (step === STEPS.length - 1) localStorage.removeItem(STORE);
  step = -1;
  history.replaceState(history.state, '', location.search || location.pathname);
  label();
}

// label names the header's button: start, or resume where the tour was left.
function label() {
  const saved = Number(localStorage.getItem(STORE));
  $('tour-start').textContent = localStorage.getItem(STORE) != null && saved > 0 ? `Resume the tour (step ${saved + 1} of ${STEPS.length})` : 'Take the tour';
}

// fromHash opens the step the address names (#tour/3), if any.
function fromHash() {
  const m = location.hash.match(/^#tour\/(\d+)$/);
  if (!m) return false;
  const k = Math.min(STEPS.length, Math.max(1, Number(m[1]))) - 1;
  show(k);
  return true;
}

// startTour wires the tour and the glossary; the page calls it once the engine is ready.
export function startTour() {
  $('tour-start').addEventListener('click', () => show(Number(localStorage.getItem(STORE)) || 0));
  $('tour-next').addEventListener('click', () => (step === STEPS.length - 1 ? leave() : show(step + 1)));
  $('tour-back').addEventListener('click', () => show(Math.max(0, step - 1)));
  $('tour-leave').addEventListener('click', leave);
  window.addEventListener('hashchange', fromHash);
  for (const ev of ['wheel', 'touchstart', 'keydown']) window.addEventListener(ev, () => { moved = true; }, { passive: true });
  new ResizeObserver(() => { if (lit && !moved && !$('tour').hidden) lit.scrollIntoView({ block: 'start' }); }).observe(document.body);
  $('space').addEventListener('change', () => refresh());
  // The step's words follow the editor and the results as they change.
  const watch = new MutationObserver(() => refresh());
  for (const id of ['known', 'progress-text', 'signs-total', 'race-summary']) watch.observe($(id), { childList: true, characterData: true, subtree: true });
  // A term's definition on tap, in one popover under it.
  document.addEventListener('click', (ev) => {
    const t = ev.target.closest?.('.term');
    const pop = $('term-pop');
    if (!t) { pop.hidden = true; return; }
    const word = t.dataset.term;
    if (!pop.hidden && pop.dataset.term === word) { pop.hidden = true; return; }
    pop.dataset.term = word;
    pop.replaceChildren(el('b', {}, word), ': ', GLOSSARY[word]);
    pop.hidden = false;
    const b = t.getBoundingClientRect();
    pop.style.top = `${window.scrollY + b.bottom + 4}px`;
    pop.style.left = `${Math.max(8, Math.min(window.scrollX + b.left, window.scrollX + document.documentElement.clientWidth - pop.offsetWidth - 8))}px`;
  });
  for (const t of document.querySelectorAll('.term')) t.title = GLOSSARY[t.dataset.term];
  $('glossary-list').replaceChildren(...Object.entries(GLOSSARY).flatMap(([w, d]) => [el('dt', { id: `glossary-${w.replace(/\W+/g, '-')}` }, w), el('dd', {}, d)]));
  label();
  fromHash();
}
