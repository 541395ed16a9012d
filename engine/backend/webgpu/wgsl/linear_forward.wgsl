// out[s, o] = inp[s, :]·w[o, :] + bias[o] (bias when hasBias is 1).
struct P { n: u32, inputs: u32, outs: u32, hasBias: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read> wt: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.n * p.outs) { return; }
  let o = i % p.outs;
  let s = i / p.outs;
  var acc = 0.0;
  for (var k = 0u; k < p.inputs; k++) {
    acc = fma(inp[s * p.inputs + k], wt[o * p.inputs + k], acc);
  }
  if (p.hasBias == 1u) { acc += bias[o]; }
  out[i] = acc;
}
