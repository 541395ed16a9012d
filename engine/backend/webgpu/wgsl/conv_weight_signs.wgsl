// One invocation per weight and sample: the sign of that sample's gradient of the weight
// (conv_weight.wgsl) folded into the layer's accumulators at off (fold.wgsl).
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  let weights = p.cout * p.cin * p.k * p.k;
  if (i >= weights * p.n) { return; }
  let wi = i % weights;
  let kx = wi % p.k;
  let ky = (wi / p.k) % p.k;
  let ci = (wi / (p.k * p.k)) % p.cin;
  let co = wi / (p.k * p.k * p.cin);
  fold(p.off + wi, weightGrad(i / weights, co, ci, ky, kx));
}
