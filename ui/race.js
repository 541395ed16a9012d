// The search race: NAS on NAS-Bench-201's tables, vanilla against GradSign-assisted, run in
// the last worker, both mean best-so-far curves drawn as the runs end.
import { gradsign } from './gradsign.js';
import uPlot from './vendor/uPlot.esm.js';
import { $, el, fmt, compact } from './dom.js';
import { wholeSpaceScored } from './wholespace.js';

const RACE = { budget: 12000, candidates: 10 };
const ALGO_NAMES = { rs: 'random search', rea: 'REA', reinforce: 'REINFORCE', bohb: 'BOHB' };
let racePlot = null;
// loadArch: the page's editor (openRace).
let loadArch = () => {};

// openRace lets the race start once the whole space is scored (GradSign-assisted search looks
// every candidate up there); load(arch) puts a run's architecture into the editor.
export function openRace(load) {
  loadArch = load;
  const { complete, scored, total } = wholeSpaceScored();
  $('race-start').disabled = !complete;
  $('race-status').textContent = complete ? ''
    : `The race needs GradSign of all ${fmt(total)} architectures; the whole-space file has ${fmt(scored)} so far (its run is still going). The race opens when it is complete.`;
}

// runRace runs the chosen algorithm vanilla and GradSign-assisted, drawing both mean
// best-so-far curves and listing each run's final architectures as the runs end.
export async function runRace() {
  const algo = $('race-algo').value;
  const runs = Number($('race-runs').value);
  // Run r of seed s draws from PCG(s, r), as `gradsign search --seed s` does: another seed,
  // other runs.
  const seed = Math.max(0, Math.trunc(Number($('race-seed').value)) || 0);
  $('race-start').disabled = true;
  $('race-summary').textContent = '';
  const body = $('race-table').querySelector('tbody');
  body.replaceChildren();
  $('race-table').hidden = false;
  const sides = ['vanilla', 'gradsign'];
  const sum = {}; const count = {}; const finals = { vanilla: [], gradsign: [] };
  let xs = null;
  const cell = (side) => {
    const b = el('button', { type: 'button', class: 'link', title: side.arch }, `#${side.index}`);
    b.addEventListener('click', () => loadArch(side.arch));
    return el('td', {}, b);
  };
  try {
    await gradsign.race({ algo, runs, seed, budget: RACE.budget, candidates: RACE.candidates }, (run) => {
      for (const s of sides) {
        const c = run[s].curve;
        xs ??= c.map((_, k) => (RACE.budget * (k + 1)) / c.length);
        sum[s] ??= c.map(() => 0);
        count[s] ??= c.map(() => 0);
        c.forEach((v, k) => { if (v != null) { sum[s][k] += v; count[s][k]++; } });
        finals[s].push(run[s].accuracy.cifar10);
      }
      body.append(el('tr', {}, el('td', {}, String(run.run + 1)), cell(run.vanilla), el('td', {}, `${fmt(run.vanilla.accuracy.cifar10, 2)}%`),
        cell(run.gradsign), el('td', {}, `${fmt(run.gradsign.accuracy.cifar10, 2)}%`)));
      $('race-status').textContent = `${run.run + 1} of ${runs} runs of ${ALGO_NAMES[algo]}.`;
      drawRace(xs, sides.map((s) => sum[s].map((v, k) => (count[s][k] ? v / count[s][k] : null))));
    });
    const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
    const v = mean(finals.vanilla);
    const g = mean(finals.gradsign);
    const d = g - v;
    $('race-summary').textContent = `After ${runs} runs of ${ALGO_NAMES[algo]} (seed ${seed}) with ${fmt(RACE.budget)} s of simulated training each, `
      + `GradSign-assisted search ended on architectures averaging ${fmt(g, 2)}% CIFAR-10 test accuracy, vanilla on ${fmt(v, 2)}%: `
      + (Math.abs(d) < 0.005 ? 'no difference.' : `${d > 0 ? 'GradSign ahead' : 'vanilla ahead'} by ${fmt(Math.abs(d), 2)} points.`)
      + ' The paper reports gains of up to 0.3 points on CIFAR-10 over 500 runs.';
  } catch (err) {
    $('race-status').textContent = `Error: ${err.message}`;
  } finally {
    $('race-start').disabled = false;
  }
}

function drawRace(xs, means) {
  const width = Math.min($('race-plot').clientWidth || 600, 900);
  if (racePlot) {
    racePlot.setData([xs, ...means]);
    return;
  }
  racePlot = new uPlot({
    width, height: 280,
    scales: { x: { time: false } },
    axes: [{ label: 'simulated training time (s)', values: (u, ticks) => ticks.map(compact) }, { label: 'CIFAR-10 test accuracy (%)' }],
    legend: { show: true },
    cursor: { drag: { x: false, y: false } },
    series: [
      { label: 'seconds' },
      { label: 'vanilla', stroke: '#7a8494', width: 2 },
      { label: 'GradSign-assisted', stroke: '#2456d3', width: 2 },
    ],
  }, [xs, ...means], $('race-plot'));
}
