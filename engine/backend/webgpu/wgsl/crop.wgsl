// Crop forward (add 0) or backward (add 1): one invocation per value of the input planes
// [P, H, W]; the oh×ow window from (top, left) is copied to out, or its gradient added back.
struct P { planes: u32, h: u32, w: u32, top: u32, left: u32, oh: u32, ow: u32, add: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.planes * p.h * p.w) { return; }
  let x = i % p.w;
  let y = (i / p.w) % p.h;
  let plane = i / (p.h * p.w);
  if (y < p.top || y >= p.top + p.oh || x < p.left || x >= p.left + p.ow) { return; }
  let o = (plane * p.oh + y - p.top) * p.ow + x - p.left;
  if (p.add == 1u) {
    dst[i] += src[o];
  } else {
    dst[o] = src[i];
  }
}
