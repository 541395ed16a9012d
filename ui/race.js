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

// noteScoreTime tells the race what a score took on this device: at the race's N (128) it
// becomes the seconds charged per score, unless the person has typed their own.
export function noteScoreTime(r) {
  const where = r.backend === 'webgpu' ? 'on the GPU' : `with ${r.workers} worker${r.workers > 1 ? 's' : ''}`;
  $('race-charge-note').textContent = `The native engine takes about 1 s to score an architecture at N = 128 on two cores (the race's scores are N = 128); your last score here took ${fmt(r.seconds, 1)} s at N = ${r.n} ${where}.`
    + (r.n === 128 && !chargeTyped ? ' The charge below is set to it.' : '');
  if (r.n === 128 && !chargeTyped) $('race-charge-s').value = r.seconds.toFixed(1);
}

// chargeTyped: the person set the seconds charged per score themselves.
let chargeTyped = false;
export function watchCharge() {
  $('race-charge-s').addEventListener('input', () => { chargeTyped = true; });
}

// runRace runs the chosen algorithm vanilla and GradSign-assisted, drawing both mean
// best-so-far curves with the middle half of the runs around each, listing each run's final
// architectures as the runs end, and saying how sure the final gap is (the engine's summary).
export async function runRace() {
  const algo = $('race-algo').value;
  const runs = Number($('race-runs').value);
  // Run r of seed s draws from PCG(s, r), as `gradsign search --seed s` does: another seed,
  // other runs.
  const seed = Math.max(0, Math.trunc(Number($('race-seed').value)) || 0);
  const chargeScoring = $('race-charge').checked ? Number($('race-charge-s').value) : 0;
  if (!(chargeScoring >= 0) || !Number.isFinite(chargeScoring)) {
    $('race-status').textContent = 'The seconds charged per GradSign score: want 0 or more.';
    return;
  }
  $('race-start').disabled = true;
  $('race-summary').textContent = '';
  const body = $('race-table').querySelector('tbody');
  body.replaceChildren();
  $('race-table').hidden = false;
  let last = null;
  const cell = (side) => {
    const b = el('button', { type: 'button', class: 'link', title: side.arch }, `#${side.index}`);
    b.addEventListener('click', () => loadArch(side.arch));
    return el('td', {}, b);
  };
  try {
    await gradsign.race({ algo, runs, seed, budget: RACE.budget, candidates: RACE.candidates, chargeScoring }, (run) => {
      last = run.soFar;
      body.append(el('tr', {}, el('td', {}, String(run.run + 1)), cell(run.vanilla), el('td', {}, `${fmt(run.vanilla.accuracy.cifar10, 2)}%`),
        cell(run.gradsign), el('td', {}, `${fmt(run.gradsign.accuracy.cifar10, 2)}%`)));
      $('race-status').textContent = `${run.run + 1} of ${runs} runs of ${ALGO_NAMES[algo]}.`;
      drawRace(run.vanilla.curve.map((_, k, c) => (RACE.budget * (k + 1)) / c.length), last);
    });
    $('race-summary').textContent = summary(last, algo, seed, chargeScoring);
  } catch (err) {
    $('race-status').textContent = `Error: ${err.message}`;
  } finally {
    $('race-start').disabled = false;
  }
}

// summary says the race's outcome in words, with the engine's interval for the gap.
function summary(s, algo, seed, charge) {
  const f = s.final;
  const lead = Math.abs(f.gap) < 0.005 ? 'no difference' : `${f.gap > 0 ? 'GradSign ahead' : 'vanilla ahead'} by ${fmt(Math.abs(f.gap), 2)} points`;
  let sure = '';
  if (f.se != null) {
    const excludes = f.low > 0 || f.high < 0;
    sure = ` Paired run by run, the gap is ${fmt(f.gap, 2)} points, 95% interval ${fmt(f.low, 2)} to ${fmt(f.high, 2)} (standard error ${fmt(f.se, 2)}): `
      + (excludes ? 'the interval excludes 0, so the difference is significant at this many runs.'
        : `the interval includes 0, so ${s.runs} runs cannot tell the two apart${f.runsToSignificance != null ? `; at this gap and spread about ${fmt(f.runsToSignificance)} runs would` : ''}.`);
  }
  return `After ${s.runs} runs of ${ALGO_NAMES[algo]} (seed ${seed}) with ${fmt(RACE.budget)} s of simulated training each`
    + `${charge > 0 ? ` and ${fmt(charge, 1)} s charged per GradSign score` : ''}, `
    + `GradSign-assisted search ended on architectures averaging ${fmt(f.gradsign, 2)}% CIFAR-10 test accuracy, vanilla on ${fmt(f.vanilla, 2)}%: ${lead}.${sure}`
    + ' The paper reports gains of up to 0.3 points on CIFAR-10 over 500 runs.';
}

// drawRace plots each side's mean best-so-far curve and, shaded, the middle half of its runs.
function drawRace(xs, s) {
  const data = [xs, s.vanilla.mean, s.gradsign.mean, s.vanilla.q3, s.vanilla.q1, s.gradsign.q3, s.gradsign.q1];
  if (racePlot) {
    racePlot.setData(data);
    return;
  }
  const width = Math.min($('race-plot').clientWidth || 600, 900);
  const edge = { stroke: 'transparent', width: 0, points: { show: false } };
  racePlot = new uPlot({
    width, height: 280,
    scales: { x: { time: false } },
    axes: [{ label: 'simulated training time (s)', values: (u, ticks) => ticks.map(compact) }, { label: 'CIFAR-10 test accuracy (%)' }],
    legend: { show: false }, // the key above the plot names the lines and bands
    cursor: { drag: { x: false, y: false } },
    series: [
      { label: 'seconds' },
      { label: 'vanilla', stroke: '#7a8494', width: 2 },
      { label: 'GradSign-assisted', stroke: '#2456d3', width: 2 },
      { label: 'vanilla q3', ...edge }, { label: 'vanilla q1', ...edge },
      { label: 'GradSign-assisted q3', ...edge }, { label: 'GradSign-assisted q1', ...edge },
    ],
    bands: [{ series: [3, 4], fill: 'rgba(122, 132, 148, 0.22)' }, { series: [5, 6], fill: 'rgba(36, 86, 211, 0.18)' }],
  }, data, $('race-plot'));
}
