// out = the sum of the first `ins` of a, b, c, d (zero for none).
struct P { count: u32, ins: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> b: array<f32>;
@group(0) @binding(4) var<storage, read> c: array<f32>;
@group(0) @binding(5) var<storage, read> d: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.count) { return; }
  var s = 0.0;
  if (p.ins > 0u) { s = a[i]; }
  if (p.ins > 1u) { s += b[i]; }
  if (p.ins > 2u) { s += c[i]; }
  if (p.ins > 3u) { s += d[i]; }
  out[i] = s;
}
