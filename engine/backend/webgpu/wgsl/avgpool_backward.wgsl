// The input gradient of avgpool_forward, added to dinp: each input gathers dout/count from the
// outputs whose window holds it.
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.planes * p.h * p.w) { return; }
  let x = i32(i % p.w);
  let y = i32((i / p.w) % p.h);
  let plane = i / (p.h * p.w);
  let s = i32(p.stride);
  let oy0 = max((y + i32(p.pad) - i32(p.k) + s) / s, 0);
  let oy1 = min((y + i32(p.pad)) / s, i32(p.oh) - 1);
  let ox0 = max((x + i32(p.pad) - i32(p.k) + s) / s, 0);
  let ox1 = min((x + i32(p.pad)) / s, i32(p.ow) - 1);
  var g = 0.0;
  for (var oy = oy0; oy <= oy1; oy++) {
    let wy = min(oy * s - i32(p.pad) + i32(p.k), i32(p.h)) - max(oy * s - i32(p.pad), 0);
    for (var ox = ox0; ox <= ox1; ox++) {
      let wx = min(ox * s - i32(p.pad) + i32(p.k), i32(p.w)) - max(ox * s - i32(p.pad), 0);
      g += dout[(plane * p.oh + u32(oy)) * p.ow + u32(ox)] / f32(wy * wx);
    }
  }
  dinp[i] += g;
}
