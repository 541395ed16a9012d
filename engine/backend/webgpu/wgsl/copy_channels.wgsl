// For each of n samples, count channels of hw values from channel srcOff of src (srcC a
// sample) to channel dstOff of dst (dstC a sample): copied, or added when add is 1.
struct P { n: u32, hw: u32, count: u32, dstC: u32, dstOff: u32, srcC: u32, srcOff: u32, add: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> src: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  let per = p.count * p.hw;
  if (i >= p.n * per) { return; }
  let b = i / per;
  let r = i % per;
  let d = (b * p.dstC + p.dstOff) * p.hw + r;
  let v = src[(b * p.srcC + p.srcOff) * p.hw + r];
  if (p.add == 1u) {
    dst[d] += v;
  } else {
    dst[d] = v;
  }
}
