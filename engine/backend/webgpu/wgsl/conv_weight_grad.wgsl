// dw += the weight gradient summed over the chunk, as one product: M = Cout, N = Cin·K·K,
// R = n·OH·OW (every sample's output positions in turn); A = dout, B = im2col(inp)ᵀ.
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw: array<f32>;

fn dims() -> vec3<u32> { return vec3(p.cout, p.cin * p.k * p.kw, p.n * p.oh * p.ow); }

fn loadA(b: u32, co: u32, r: u32) -> f32 {
  let q = p.oh * p.ow;
  return dout[((r / q) * p.cout + co) * q + r % q];
}

fn loadB(b: u32, r: u32, c: u32) -> f32 {
  let q = p.oh * p.ow;
  return unfolded(r / q, c, r % q);
}

fn store(b: u32, co: u32, c: u32, v: f32) { dw[co * p.cin * p.k * p.kw + c] += v; }
