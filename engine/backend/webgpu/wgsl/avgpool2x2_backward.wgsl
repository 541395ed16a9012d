// The input gradient of avgpool2x2_forward, added to dinp: a quarter of its output's gradient.
struct P { planes: u32, h: u32, w: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.planes * p.h * p.w) { return; }
  let x = i % p.w;
  let y = (i / p.w) % p.h;
  let oh = p.h / 2u;
  let ow = p.w / 2u;
  if (y / 2u >= oh || x / 2u >= ow) { return; }
  dinp[i] += dout[(i / (p.w * p.h)) * oh * ow + (y / 2u) * ow + x / 2u] / 4.0;
}
