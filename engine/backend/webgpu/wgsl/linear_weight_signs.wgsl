// One invocation per weight and sample: the sign of dout[s, o] · inp[s, k] folded into the
// layer's accumulators at off (fold.wgsl).
struct P { n: u32, inputs: u32, outs: u32, off: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  let weights = p.outs * p.inputs;
  if (i >= weights * p.n) { return; }
  let wi = i % weights;
  let s = i / weights;
  let k = wi % p.inputs;
  let o = wi / p.inputs;
  fold(p.off + wi, dout[s * p.outs + o] * inp[s * p.inputs + k]);
}
