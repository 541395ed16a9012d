// Shared by the depthwise weight-gradient kernels (after depthwise.wgsl).

// gradAt is sample s's gradient of weight (c, ky, kx): the sum over output positions of
// dout · the input the tap read.
fn gradAt(s: u32, c: u32, ky: u32, kx: u32) -> f32 {
  let plane = s * p.c + c;
  var g = 0.0;
  for (var oy = 0u; oy < p.oh; oy++) {
    for (var ox = 0u; ox < p.ow; ox++) {
      let at = tapAt(oy, ox, ky, kx);
      if (at >= 0) {
        g += dout[(plane * p.oh + oy) * p.ow + ox] * inp[plane * p.h * p.w + u32(at)];
      }
    }
  }
  return g;
}
