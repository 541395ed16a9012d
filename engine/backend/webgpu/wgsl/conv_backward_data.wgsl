// dinp[s, ci, y, x] += sum over the outputs (co, oy, ox) whose window holds (y, x) of
// w[co, ci, ky, kx] · dout[s, co, oy, ox], with oy·stride + ky - pad = y (and so for x).
struct P { n: u32, cin: u32, h: u32, w: u32, cout: u32, k: u32, stride: u32, pad: u32, oh: u32, ow: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> wt: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = flat(gid, groups);
  if (i >= p.n * p.cin * p.h * p.w) { return; }
  let x = i % p.w;
  let y = (i / p.w) % p.h;
  let ci = (i / (p.w * p.h)) % p.cin;
  let s = i / (p.w * p.h * p.cin);
  var acc = 0.0;
  for (var co = 0u; co < p.cout; co++) {
    let plane = (s * p.cout + co) * p.oh;
    let wrow = (co * p.cin + ci) * p.k;
    for (var ky = 0u; ky < p.k; ky++) {
      let ty = i32(y + p.pad) - i32(ky);
      if (ty < 0 || u32(ty) % p.stride != 0u || u32(ty) / p.stride >= p.oh) { continue; }
      let oy = u32(ty) / p.stride;
      for (var kx = 0u; kx < p.k; kx++) {
        let tx = i32(x + p.pad) - i32(kx);
        if (tx < 0 || u32(tx) % p.stride != 0u || u32(tx) / p.stride >= p.ow) { continue; }
        acc = fma(dout[(plane + oy) * p.ow + u32(tx) / p.stride], wt[(wrow + ky) * p.k + kx], acc);
      }
    }
  }
  dinp[i] += acc;
}
