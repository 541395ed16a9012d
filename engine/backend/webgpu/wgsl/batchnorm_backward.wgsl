// The input gradient of batchnorm_forward, added to dinp: dx = gamma·rstd·(dy - mean(dy) -
// xhat·mean(dy·xhat)) over each group; one workgroup per channel (x). With affine = 0 each
// workgroup takes one group (y); with affine = 1 the dispatch has one row and each workgroup
// walks every group of its channel in turn, adding sum(dy·xhat) to dgamma and sum(dy) to dbeta.
// With flat = 1 (group 1), a sample whose channel has the same nonzero dy at every position adds
// nothing to dinp (the exact input gradient is zero) and 1 to flatCounts[sample·c + channel].
@group(0) @binding(1) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(2) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(3) var<storage, read_write> dbeta: array<f32>;
@group(0) @binding(4) var<storage, read> dout: array<f32>;
@group(0) @binding(5) var<storage, read> inp: array<f32>;
@group(0) @binding(6) var<storage, read> stats: array<f32>;
@group(0) @binding(7) var<storage, read> gamma: array<f32>;
@group(0) @binding(8) var<storage, read_write> flatCounts: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) l: u32) {
  let c = wg.x;
  let count = p.group * p.hw;
  var sumGamma = 0.0;
  var sumBeta = 0.0;
  for (var g = wg.y; g < p.groups; g += nwg.y) {
    let mean = stats[g * p.c + c];
    let rstd = stats[p.half + g * p.c + c];
    var sdy = 0.0;
    var sdyx = 0.0;
    var differ = 0.0;
    let first = dout[at(g, c, 0u)];
    for (var j = l; j < count; j += 64u) {
      let k = at(g, c, j);
      sdy += dout[k];
      sdyx = fma(dout[k], (inp[k] - mean) * rstd, sdyx);
      differ += select(0.0, 1.0, dout[k] != first);
    }
    sdy = total(l, sdy);
    sdyx = total(l, sdyx);
    differ = total(l, differ);
    // Not a branch around the rest: total's barriers must stay in uniform control flow.
    let exactZero = p.flat == 1u && differ == 0.0 && first != 0.0;
    if (exactZero && l == 0u) { flatCounts[g * p.c + c] += 1.0; }
    sumGamma += sdyx;
    sumBeta += sdy;
    let scale = gamma[c] * rstd;
    let mdy = sdy / f32(count);
    let mdyx = sdyx / f32(count);
    for (var j = l; j < count; j += 64u) {
      let k = at(g, c, j);
      let xhat = (inp[k] - mean) * rstd;
      if (!exactZero) { dinp[k] += scale * (dout[k] - mdy - xhat * mdyx); }
    }
  }
  if (p.affine == 1u && l == 0u) {
    dgamma[c] += sumGamma;
    dbeta[c] += sumBeta;
  }
}
