// dw[o, k] += sum over samples of dout[s, o] · inp[s, k] (when hasWeight is 1), and
// dbias[o] += sum over samples of dout[s, o] (when hasBias is 1), by the invocations of k = 0.
struct P { n: u32, inputs: u32, outs: u32, hasWeight: u32, hasBias: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> dw: array<f32>;
@group(0) @binding(2) var<storage, read_write> dbias: array<f32>;
@group(0) @binding(3) var<storage, read> dout: array<f32>;
@group(0) @binding(4) var<storage, read> inp: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.outs * p.inputs) { return; }
  let k = i % p.inputs;
  let o = i / p.inputs;
  if (p.hasWeight == 1u) {
    var acc = 0.0;
    for (var s = 0u; s < p.n; s++) {
      acc = fma(dout[s * p.outs + o], inp[s * p.inputs + k], acc);
    }
    dw[i] += acc;
  }
  if (p.hasBias == 1u && k == 0u) {
    var acc = 0.0;
    for (var s = 0u; s < p.n; s++) {
      acc += dout[s * p.outs + o];
    }
    dbias[o] += acc;
  }
}
