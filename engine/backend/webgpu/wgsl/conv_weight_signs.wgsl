// One invocation per weight and sample: the sign of that sample's gradient of the weight
// folded into the layer's accumulators at off (fold.wgsl).
struct P { n: u32, cin: u32, h: u32, w: u32, cout: u32, k: u32, stride: u32, pad: u32, oh: u32, ow: u32, off: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read> inp: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  let weights = p.cout * p.cin * p.k * p.k;
  if (i >= weights * p.n) { return; }
  let wi = i % weights;
  let s = i / weights;
  let kx = wi % p.k;
  let ky = (wi / p.k) % p.k;
  let ci = (wi / (p.k * p.k)) % p.cin;
  let co = wi / (p.k * p.k * p.cin);
  var g = 0.0;
  let plane = (s * p.cin + ci) * p.h;
  let oplane = (s * p.cout + co) * p.oh;
  for (var oy = 0u; oy < p.oh; oy++) {
    let iy = i32(oy * p.stride + ky) - i32(p.pad);
    if (iy < 0 || iy >= i32(p.h)) { continue; }
    for (var ox = 0u; ox < p.ow; ox++) {
      let ix = i32(ox * p.stride + kx) - i32(p.pad);
      if (ix < 0 || ix >= i32(p.w)) { continue; }
      g = fma(dout[(oplane + oy) * p.ow + ox], inp[(plane + u32(iy)) * p.w + u32(ix)], g);
    }
  }
  fold(p.off + wi, g);
}
