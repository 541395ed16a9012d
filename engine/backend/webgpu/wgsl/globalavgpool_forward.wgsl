// out[plane] = the mean of the plane's hw values.
struct P { planes: u32, hw: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.planes) { return; }
  var s = 0.0;
  for (var k = 0u; k < p.hw; k++) { s += inp[i * p.hw + k]; }
  out[i] = s / f32(p.hw);
}
