// A 2×2, stride 2 average pool of planes of h×w (h and w even).
struct P { planes: u32, h: u32, w: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  let oh = p.h / 2u;
  let ow = p.w / 2u;
  if (i >= p.planes * oh * ow) { return; }
  let x = i % ow;
  let y = (i / ow) % oh;
  let k = (i / (ow * oh)) * p.h * p.w + 2u * y * p.w + 2u * x;
  out[i] = (inp[k] + inp[k + 1u] + inp[k + p.w] + inp[k + p.w + 1u]) / 4.0;
}
