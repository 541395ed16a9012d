// An average pool that does not count the padding, over planes [P, H, W]: one invocation per
// output (pool.wgsl's geometry).
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.planes * p.oh * p.ow) { return; }
  let ox = i % p.ow;
  let oy = (i / p.ow) % p.oh;
  let base = (i / (p.oh * p.ow)) * p.h * p.w;
  let y0 = max(i32(oy * p.stride) - i32(p.pad), 0);
  let y1 = min(i32(oy * p.stride + p.k) - i32(p.pad), i32(p.h));
  let x0 = max(i32(ox * p.stride) - i32(p.pad), 0);
  let x1 = min(i32(ox * p.stride + p.k) - i32(p.pad), i32(p.w));
  var s = 0.0;
  for (var y = y0; y < y1; y++) {
    for (var x = x0; x < x1; x++) {
      s += inp[base + u32(y) * p.w + u32(x)];
    }
  }
  out[i] = s / f32((y1 - y0) * (x1 - x0));
}
