// db += the sum of dout·a over the positions each factor of b multiplies; count is b's
// length, one invocation per factor. With known = 1 (bhw 1), amean [c] holds the exactly known
// mean of each channel of a (NaN where unknown): where dout is one value d at every position of
// the factor's channel, db gets d·hw·mean, the exact sum (layers.MulBackward).
@group(0) @binding(1) var<storage, read_write> db: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> a: array<f32>;
@group(0) @binding(4) var<storage, read> amean: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let j = flat(gid, groups);
  if (j >= p.count) { return; }
  let first = (j / p.bhw) * p.hw + j % p.bhw;
  var s = 0.0;
  var same = dout[first] != 0.0;
  for (var k = 0u; k < p.hw / p.bhw; k++) {
    let i = first + k * p.bhw;
    s += dout[i] * a[i];
    same = same && dout[i] == dout[first];
  }
  if (p.known == 1u) {
    let m = amean[j % p.c];
    if (same && m == m) { s = dout[first] * f32(p.hw) * m; }
  }
  db[j] += s;
}
