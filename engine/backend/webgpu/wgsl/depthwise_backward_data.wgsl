// Depthwise convolution, input gradient added to dinp: each input gathers w · dout over the
// taps that read it (no float atomics, which WGSL lacks).
@group(0) @binding(1) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> wt: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.n * p.c * p.h * p.w) { return; }
  let x = i32(i % p.w);
  let y = i32((i / p.w) % p.h);
  let plane = i / (p.h * p.w);
  let c = plane % p.c;
  var g = 0.0;
  for (var ky = 0u; ky < p.k; ky++) {
    let ny = y + i32(p.pad) - i32(ky * p.dilate); // = oy · stride
    if (ny < 0 || ny % i32(p.stride) != 0 || ny / i32(p.stride) >= i32(p.oh)) { continue; }
    for (var kx = 0u; kx < p.k; kx++) {
      let nx = x + i32(p.pad) - i32(kx * p.dilate);
      if (nx < 0 || nx % i32(p.stride) != 0 || nx / i32(p.stride) >= i32(p.ow)) { continue; }
      let o = (plane * p.oh + u32(ny / i32(p.stride))) * p.ow + u32(nx / i32(p.stride));
      g += wt[(c * p.k + ky) * p.k + kx] * dout[o];
    }
  }
  dinp[i] += g;
}
