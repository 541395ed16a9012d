// dw[co, ci, ky, kx] += the weight's gradient summed over the chunk's samples (conv_weight.wgsl).
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.cout * p.cin * p.k * p.k) { return; }
  let kx = i % p.k;
  let ky = (i / p.k) % p.k;
  let ci = (i / (p.k * p.k)) % p.cin;
  let co = i / (p.k * p.k * p.cin);
  var acc = 0.0;
  for (var s = 0u; s < p.n; s++) {
    acc += weightGrad(s, co, ci, ky, kx);
  }
  dw[i] += acc;
}
