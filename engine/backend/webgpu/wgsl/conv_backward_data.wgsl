// dinp[s] += the input gradient of sample s = the workgroup's z, gathered: M = Cin, N = H·W,
// R = Cout·K·K; A[ci, (co, ky, kx)] = w[co, ci, ky, kx], B[(co, ky, kx), (y, x)] =
// dout[s, co, oy, ox] where oy·stride + ky - pad = y and ox·sw + kx - pw = x, else zero.
@group(0) @binding(1) var<storage, read_write> dinp: array<f32>;
@group(0) @binding(2) var<storage, read> dout: array<f32>;
@group(0) @binding(3) var<storage, read> wt: array<f32>;

fn dims() -> vec3<u32> { return vec3(p.cin, p.h * p.w, p.cout * p.k * p.kw); }

fn loadA(s: u32, ci: u32, r: u32) -> f32 {
  let co = r / (p.k * p.kw);
  return wt[(co * p.cin + ci) * p.k * p.kw + r % (p.k * p.kw)];
}

fn loadB(s: u32, r: u32, q: u32) -> f32 {
  let kx = r % p.kw;
  let ky = (r / p.kw) % p.k;
  let co = r / (p.k * p.kw);
  let ty = i32(q / p.w + p.pad) - i32(ky);
  let tx = i32(q % p.w + p.pw) - i32(kx);
  if (ty < 0 || tx < 0 || u32(ty) % p.stride != 0u || u32(tx) % p.sw != 0u) { return 0.0; }
  let oy = u32(ty) / p.stride;
  let ox = u32(tx) / p.sw;
  if (oy >= p.oh || ox >= p.ow) { return 0.0; }
  return dout[((s * p.cout + co) * p.oh + oy) * p.ow + ox];
}

fn store(s: u32, ci: u32, q: u32, v: f32) {
  let i = (s * p.cin + ci) * p.h * p.w + q;
  dinp[i] += v;
}
