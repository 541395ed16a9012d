// Depthwise convolution forward: one invocation per output.
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read> wt: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.n * p.c * p.oh * p.ow) { return; }
  let ox = i % p.ow;
  let oy = (i / p.ow) % p.oh;
  let plane = i / (p.oh * p.ow);
  let c = plane % p.c;
  var s = 0.0;
  for (var ky = 0u; ky < p.k; ky++) {
    for (var kx = 0u; kx < p.k; kx++) {
      let at = tapAt(oy, ox, ky, kx);
      if (at >= 0) {
        s += wt[(c * p.k + ky) * p.k + kx] * inp[plane * p.h * p.w + u32(at)];
      }
    }
  }
  out[i] = s;
}
