// Prepended to batchnorm_forward and batchnorm_backward: their parameters (groups, affine and
// flat are the backward pass's, eps the forward pass's), the workgroup's partial sums, a value's index in a group, and a
// sum over the workgroup.
struct P { c: u32, hw: u32, group: u32, half: u32, groups: u32, affine: u32, flat: u32, eps: f32 }
@group(0) @binding(0) var<uniform> p: P;

var<workgroup> part: array<f32, 64>;

// at is the index of the j-th value of channel c in group g.
fn at(g: u32, c: u32, j: u32) -> u32 {
  return ((g * p.group + j / p.hw) * p.c + c) * p.hw + j % p.hw;
}

// total sums v over the workgroup; every invocation gets the sum.
fn total(l: u32, v: f32) -> f32 {
  part[l] = v;
  workgroupBarrier();
  for (var stride = 32u; stride > 0u; stride >>= 1u) {
    if (l < stride) { part[l] += part[l + stride]; }
    workgroupBarrier();
  }
  let t = part[0];
  workgroupBarrier();
  return t;
}
