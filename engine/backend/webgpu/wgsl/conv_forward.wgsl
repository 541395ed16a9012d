// out[s] = w · im2col(inp[s]) for sample s = the workgroup's z: M = Cout, N = OH·OW,
// R = Cin·K·K.
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;
@group(0) @binding(3) var<storage, read> wt: array<f32>;

fn dims() -> vec3<u32> { return vec3(p.cout, p.oh * p.ow, p.cin * p.k * p.kw); }
fn loadA(s: u32, co: u32, r: u32) -> f32 { return wt[co * p.cin * p.k * p.kw + r]; }
fn loadB(s: u32, r: u32, q: u32) -> f32 { return unfolded(s, r, q); }
fn store(s: u32, co: u32, q: u32, v: f32) { out[(s * p.cout + co) * p.oh * p.ow + q] = v; }
