// Train-mode BatchNorm with the statistics of groups of `group` consecutive samples: one
// workgroup per channel (x) and group (y) sums in float32 over the group's values (a
// two-pass mean and biased variance, as the CPU backend, which sums in float64), saves mean
// and rstd = 1/sqrt(var + eps) in stats (means first, rstds from `half`), and normalises.
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> stats: array<f32>;
@group(0) @binding(3) var<storage, read> inp: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read> beta: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) l: u32) {
  let c = wg.x;
  let g = wg.y;
  let count = p.group * p.hw;
  var s = 0.0;
  for (var j = l; j < count; j += 64u) { s += inp[at(g, c, j)]; }
  let mean = total(l, s) / f32(count);
  var ss = 0.0;
  for (var j = l; j < count; j += 64u) {
    let d = inp[at(g, c, j)] - mean;
    ss = fma(d, d, ss);
  }
  let rstd = 1.0 / sqrt(total(l, ss) / f32(count) + p.eps);
  if (l == 0u) {
    stats[g * p.c + c] = mean;
    stats[p.half + g * p.c + c] = rstd;
  }
  let scale = rstd * gamma[c];
  let shift = beta[c] - mean * rstd * gamma[c];
  for (var j = l; j < count; j += 64u) {
    let k = at(g, c, j);
    out[k] = fma(inp[k], scale, shift);
  }
}
