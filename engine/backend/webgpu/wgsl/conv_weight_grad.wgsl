// dw[co, ci, ky, kx] += sum over samples and output positions of dout[s, co, oy, ox] ·
// inp[s, ci, oy·stride+ky-pad, ox·stride+kx-pad]: the weight gradient summed over the chunk.
struct P { n: u32, cin: u32, h: u32, w: u32, cout: u32, k: u32, stride: u32, pad: u32, oh: u32, ow: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> dw: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> inp: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.cout * p.cin * p.k * p.k) { return; }
  let kx = i % p.k;
  let ky = (i / p.k) % p.k;
  let ci = (i / (p.k * p.k)) % p.cin;
  let co = i / (p.k * p.k * p.cin);
  var acc = 0.0;
  for (var s = 0u; s < p.n; s++) {
    acc += weightGrad(s, co, ci, ky, kx);
  }
  dw[i] += acc;
}

// weightGrad is one sample's gradient of weight (co, ci, ky, kx).
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
