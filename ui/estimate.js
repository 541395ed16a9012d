// How long a score will take on this device, from the scores measured here.
//
// A score's work is counted in ideal seconds: its arithmetic (6 × FLOPs × N: the forward pass
// and the two products of the backward pass) at the float32 kernel's measured rate on every
// worker that can take a share. Whole scores reach a fraction of that, the efficiency, which
// differs by space (DARTS's depthwise convolutions and NAS-Bench-101's narrow layers run far
// below the kernel's rate) and by size (a small score is mostly fixed costs). So an estimate
// takes the measured score of the same space closest in work; it is one number where that
// score's work is within a factor of two, and otherwise a range, open towards the side the
// size moves it (a larger score reaches a higher efficiency, a smaller one a lower).
// Before a space's first score here the efficiency is the one its spaces reached in Chromium
// on a 2-core laptop (NAS-Bench-201's index 11 at N = 128 in 20 s, NAS-Bench-101's narrow cell
// at N = 32 in 1.6 s, darts_v2 narrow in 6.3 s, NDS pnas at N = 16 in 7.8 s), said as the range
// from half to twice the time it gives.
const FIRST_GUESS = { nb201: 0.33, nb101: 0.06, darts: 0.045, nds: 0.09, onnx: 0.15 };

// The scores kept for estimates, per space (the most recent first).
const KEPT = 20;

export function createEstimator() {
  const measured = new Map(); // space -> [{work, efficiency}]
  return {
    // note records a score of `work` ideal seconds that took `seconds`.
    note(space, work, seconds) {
      if (!(work > 0 && seconds > 0)) return;
      const list = measured.get(space) ?? [];
      list.unshift({ work, efficiency: work / seconds });
      measured.set(space, list.slice(0, KEPT));
    },
    // estimate answers {low, high, measured} in seconds for a score of `work` ideal seconds
    // in space (low === high where it is one number); measured says whether a score of the
    // space measured here gave it.
    estimate(space, work) {
      const list = measured.get(space);
      if (!list?.length) {
        const t = work / (FIRST_GUESS[space] ?? 0.1);
        return { low: t / 2, high: t * 2, measured: false };
      }
      const nearest = list.reduce((a, b) => (Math.abs(Math.log(b.work / work)) < Math.abs(Math.log(a.work / work)) ? b : a));
      const t = work / nearest.efficiency;
      const ratio = work / nearest.work;
      if (ratio >= 0.5 && ratio <= 2) return { low: t, high: t, measured: true };
      return ratio > 2 ? { low: t / 2, high: t, measured: true } : { low: t, high: t * 2, measured: true };
    },
  };
}

// sayEstimate says an estimate as the page shows it: "about 3.2 s", a range "about 2.1–8.4 s",
// and never "0.0 s".
export function sayEstimate({ low, high }) {
  const part = (s) => (s < 10 ? s.toFixed(1) : String(Math.round(s)));
  if (high < 0.1) return 'under 0.1 s';
  if (high / low < 1.05) return `about ${part(low)} s`;
  if (low < 0.1) return `under ${part(high)} s`;
  return `about ${part(low)}–${part(high)} s`;
}
