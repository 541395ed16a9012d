// Prepended to conv_weight_grad and conv_weight_signs: their parameters, dout and inp bound as
// 1 and 2, and one sample's gradient of one weight.
struct P { n: u32, cin: u32, h: u32, w: u32, cout: u32, k: u32, stride: u32, pad: u32, oh: u32, ow: u32, off: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;

// weightGrad is sample s's gradient of weight (co, ci, ky, kx): the sum over output positions
// of dout[s, co, oy, ox] · inp[s, ci, oy·stride+ky-pad, ox·stride+kx-pad].
fn weightGrad(s: u32, co: u32, ci: u32, ky: u32, kx: u32) -> f32 {
  var acc = 0.0;
  let plane = (s * p.cin + ci) * p.h;
  let oplane = (s * p.cout + co) * p.oh;
  for (var oy = 0u; oy < p.oh; oy++) {
    let iy = i32(oy * p.stride + ky) - i32(p.pad);
    if (iy < 0 || iy >= i32(p.h)) { continue; }
    for (var ox = 0u; ox < p.ow; ox++) {
      let ix = i32(ox * p.stride + kx) - i32(p.pad);
      if (ix < 0 || ix >= i32(p.w)) { continue; }
      acc = fma(dout[(oplane + oy) * p.ow + ox], inp[(plane + u32(iy)) * p.w + u32(ix)], acc);
    }
  }
  return acc;
}
