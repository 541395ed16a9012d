// out[s, co, oy, ox] = sum over ci, ky, kx of w[co, ci, ky, kx] · inp[s, ci, oy·stride+ky-pad, ox·stride+kx-pad].
struct P { n: u32, cin: u32, h: u32, w: u32, cout: u32, k: u32, stride: u32, pad: u32, oh: u32, ow: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read> wt: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.n * p.cout * p.oh * p.ow) { return; }
  let ox = i % p.ow;
  let oy = (i / p.ow) % p.oh;
  let co = (i / (p.ow * p.oh)) % p.cout;
  let s = i / (p.ow * p.oh * p.cout);
  var acc = 0.0;
  for (var ci = 0u; ci < p.cin; ci++) {
    let plane = (s * p.cin + ci) * p.h;
    let wrow = (co * p.cin + ci) * p.k;
    for (var ky = 0u; ky < p.k; ky++) {
      let iy = i32(oy * p.stride + ky) - i32(p.pad);
      if (iy < 0 || iy >= i32(p.h)) { continue; }
      for (var kx = 0u; kx < p.k; kx++) {
        let ix = i32(ox * p.stride + kx) - i32(p.pad);
        if (ix < 0 || ix >= i32(p.w)) { continue; }
        acc = fma(inp[(plane + u32(iy)) * p.w + u32(ix)], wt[(wrow + ky) * p.k + kx], acc);
      }
    }
  }
  out[i] = acc;
}
