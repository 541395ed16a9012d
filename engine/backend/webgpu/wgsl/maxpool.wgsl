// Shared by maxpool_forward and maxpool_backward (after pool.wgsl): which input a window takes.

// maxAt is the position in plane `base` of the input that output (oy, ox) takes: the first
// maximal element of its window in row-major order (a NaN takes over), the padding never
// winning, as PyTorch's CPU kernel and layers.MaxPoolForward choose.
fn maxAt(base: u32, oy: u32, ox: u32) -> u32 {
  let y0 = i32(oy * p.stride) - i32(p.pad);
  let x0 = i32(ox * p.stride) - i32(p.pad);
  var best = -1;
  var m = 0.0;
  for (var y = max(y0, 0); y < min(y0 + i32(p.k), i32(p.h)); y++) {
    for (var x = max(x0, 0); x < min(x0 + i32(p.k), i32(p.w)); x++) {
      let at = y * i32(p.w) + x;
      let v = inp[base + u32(at)];
      if (best < 0 || v > m || nanOf(v)) {
        best = at;
        m = v;
      }
    }
  }
  return u32(best);
}
