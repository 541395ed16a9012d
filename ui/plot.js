// Helpers for the page's uPlot scatters.

// nearestPoint is the index of the point nearest the pointer (in pixels) whatever its series,
// so that hover and click find scattered points, not only the nearest x.
export function nearestPoint(u, seriesIdx, hoveredIdx) {
  if (seriesIdx !== 1) return hoveredIdx;
  const { left, top } = u.cursor;
  if (left == null || left < 0) return null;
  let best = null;
  let bestD = 15 * 15; // within 15 px
  for (let i = 0; i < u.data[0].length; i++) {
    for (let s = 1; s < u.data.length; s++) {
      const y = u.data[s][i];
      if (y == null) continue;
      const dx = u.valToPos(u.data[0][i], 'x') - left;
      const dy = u.valToPos(y, 'y') - top;
      if (dx * dx + dy * dy < bestD) { bestD = dx * dx + dy * dy; best = i; }
    }
  }
  return best;
}
