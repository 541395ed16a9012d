// dinp[s, k] += sum over o of dout[s, o] · w[o, k].
struct P { n: u32, inputs: u32, outs: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> wt: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.n * p.inputs) { return; }
  let k = i % p.inputs;
  let s = i / p.inputs;
  var acc = 0.0;
  for (var o = 0u; o < p.outs; o++) {
    acc = fma(dout[s * p.outs + o], wt[o * p.inputs + k], acc);
  }
  dinp[i] += acc;
}
