// The time estimates' rules (ui/estimate.js), without a browser: a first guess is a range, a
// measured score of the same space and size gives one number, a score of another size a range
// open towards the side the size moves it, and nothing reads "0.0 s".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEstimator, sayEstimate } from '../estimate.js';

test('before a space is measured, its estimate is a range around the first guess', () => {
  const e = createEstimator().estimate('darts', 1);
  assert.equal(e.measured, false);
  assert.ok(e.low < e.high, 'a range');
  assert.ok(e.low < 1 / 0.045 && 1 / 0.045 < e.high, 'around the first guess');
});

test('a measured score of the same space and size gives its time; other spaces keep their guess', () => {
  const est = createEstimator();
  est.note('nb201', 2, 5); // 2 ideal seconds took 5
  assert.deepEqual(est.estimate('nb201', 2), { low: 5, high: 5, measured: true });
  assert.deepEqual(est.estimate('nb201', 3), { low: 7.5, high: 7.5, measured: true });
  assert.equal(est.estimate('nb101', 2).measured, false);
});

test('the nearest size in work decides, and far sizes give a range on the right side', () => {
  const est = createEstimator();
  est.note('nb201', 1, 10); // small: efficiency 0.1
  est.note('nb201', 100, 250); // large: efficiency 0.4
  assert.deepEqual(est.estimate('nb201', 120), { low: 300, high: 300, measured: true });
  // Ten times the large one's work: at least as efficient, so at most its rate's time.
  assert.deepEqual(est.estimate('nb201', 1000), { low: 1250, high: 2500, measured: true });
  // A tenth of the small one's: at most as efficient.
  assert.deepEqual(est.estimate('nb201', 0.1), { low: 1, high: 2, measured: true });
});

test('scores without work or time are not noted', () => {
  const est = createEstimator();
  est.note('nb201', 0, 1);
  est.note('nb201', 1, 0);
  est.note('nb201', NaN, 1);
  assert.equal(est.estimate('nb201', 1).measured, false);
});

test('estimates are said with two digits, as a range where they are one, never as 0.0 s', () => {
  assert.equal(sayEstimate({ low: 3.21, high: 3.21 }), 'about 3.2 s');
  assert.equal(sayEstimate({ low: 21.4, high: 21.4 }), 'about 21 s');
  assert.equal(sayEstimate({ low: 2.1, high: 8.44 }), 'about 2.1–8.4 s');
  assert.equal(sayEstimate({ low: 0.02, high: 0.04 }), 'under 0.1 s');
  assert.equal(sayEstimate({ low: 0.04, high: 0.16 }), 'under 0.2 s');
});
