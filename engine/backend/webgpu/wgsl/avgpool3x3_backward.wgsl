// The input gradient of avgpool3x3_forward, added to dinp: each input gathers dout/count from
// the outputs whose window holds it (the same neighbours, the window being symmetric).
struct P { planes: u32, h: u32, w: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;

// count is how many inputs the window of output (y, x) averages.
fn count(y: u32, x: u32) -> f32 {
  return f32((min(y + 1u, p.h - 1u) - (max(y, 1u) - 1u) + 1u) * (min(x + 1u, p.w - 1u) - (max(x, 1u) - 1u) + 1u));
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.planes * p.h * p.w) { return; }
  let x = i % p.w;
  let y = (i / p.w) % p.h;
  let base = i - y * p.w - x;
  var s = 0.0;
  for (var yy = max(y, 1u) - 1u; yy <= min(y + 1u, p.h - 1u); yy++) {
    for (var xx = max(x, 1u) - 1u; xx <= min(x + 1u, p.w - 1u); xx++) {
      s += dout[base + yy * p.w + xx] / count(yy, xx);
    }
  }
  dinp[i] += s;
}
