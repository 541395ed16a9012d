// db += the sum of dout·a over the positions each factor of b multiplies; count is b's
// length, one invocation per factor.
@group(0) @binding(1) var<storage, read_write> db: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> a: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let j = flat(gid, groups);
  if (j >= p.count) { return; }
  let first = (j / p.bhw) * p.hw + j % p.bhw;
  var s = 0.0;
  for (var k = 0u; k < p.hw / p.bhw; k++) {
    let i = first + k * p.bhw;
    s += dout[i] * a[i];
  }
  db[j] += s;
}
