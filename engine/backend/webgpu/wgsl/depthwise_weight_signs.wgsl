// Depthwise convolution: one invocation per weight and sample, the sign of that sample's
// gradient folded into the layer's accumulators at off (fold.wgsl).
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  let weights = p.c * p.k * p.k;
  if (i >= weights * p.n) { return; }
  let wi = i % weights;
  let kx = wi % p.k;
  let ky = (wi / p.k) % p.k;
  let c = wi / (p.k * p.k);
  fold(p.off + wi, gradAt(i / weights, c, ky, kx));
}
