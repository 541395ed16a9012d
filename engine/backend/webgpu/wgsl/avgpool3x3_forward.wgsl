// A 3×3, stride 1, padding 1 average pool that does not count the padding, over planes of h×w.
struct P { planes: u32, h: u32, w: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.planes * p.h * p.w) { return; }
  let x = i % p.w;
  let y = (i / p.w) % p.h;
  let base = i - y * p.w - x;
  let y0 = max(y, 1u) - 1u;
  let y1 = min(y + 1u, p.h - 1u);
  let x0 = max(x, 1u) - 1u;
  let x1 = min(x + 1u, p.w - 1u);
  var s = 0.0;
  for (var yy = y0; yy <= y1; yy++) {
    for (var xx = x0; xx <= x1; xx++) { s += inp[base + yy * p.w + xx]; }
  }
  out[i] = s / f32((y1 - y0 + 1u) * (x1 - x0 + 1u));
}
