// Depthwise convolution, weight gradient summed over the samples and added to dw: one
// invocation per weight.
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.c * p.k * p.k) { return; }
  let kx = i % p.k;
  let ky = (i / p.k) % p.k;
  let c = i / (p.k * p.k);
  var g = 0.0;
  for (var s = 0u; s < p.n; s++) {
    g += gradAt(s, c, ky, kx);
  }
  dw[i] += g;
}
