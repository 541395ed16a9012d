// A max pool over planes [P, H, W]: one invocation per output.
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.planes * p.oh * p.ow) { return; }
  let ox = i % p.ow;
  let oy = (i / p.ow) % p.oh;
  let base = (i / (p.oh * p.ow)) * p.h * p.w;
  out[i] = inp[base + maxAt(base, oy, ox)];
}
