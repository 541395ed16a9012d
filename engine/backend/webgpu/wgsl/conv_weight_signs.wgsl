// Each sample's weight gradient (sample s = the workgroup's z), folded into GradSign's
// accumulators at off (fold.wgsl) as it is computed: M = Cout, N = Cin·K·K, R = OH·OW;
// A = dout[s], B = im2col(inp[s])ᵀ.
@group(0) @binding(1) var<storage, read> dout: array<f32>;
@group(0) @binding(2) var<storage, read> inp: array<f32>;

fn dims() -> vec3<u32> { return vec3(p.cout, p.cin * p.k * p.kw, p.oh * p.ow); }
fn loadA(s: u32, co: u32, q: u32) -> f32 { return dout[(s * p.cout + co) * p.oh * p.ow + q]; }
fn loadB(s: u32, q: u32, c: u32) -> f32 { return unfolded(s, c, q); }
fn store(s: u32, co: u32, c: u32, v: f32) { fold(p.off + co * p.cin * p.k * p.kw + c, v); }
