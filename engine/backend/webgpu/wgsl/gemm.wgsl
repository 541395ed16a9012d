// Prepended to the convolution kernels: a tiled matrix product C = A·B over workgroup memory, for
// batch b = the workgroup's z. Each kernel defines, for its implicit matrices (nothing is
// unfolded in memory), dims() -> (M, N, R) (rows, columns, reduction), loadA(b, m, r),
// loadB(b, r, n) and store(b, m, n, value). A 16×16 workgroup computes a 32×32 tile of C, each
// invocation 2×2 of it, stepping through R 16 at a time.
const TM = 32u;
const TN = 32u;
const TK = 16u;

var<workgroup> tileA: array<array<f32, TK>, TM>;
var<workgroup> tileB: array<array<f32, TN>, TK>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let d = dims();
  let b = wg.z;
  let m0 = wg.y * TM;
  let n0 = wg.x * TN;
  let t = lid.y * 16u + lid.x;
  var c00 = 0.0;
  var c01 = 0.0;
  var c10 = 0.0;
  var c11 = 0.0;
  for (var r0 = 0u; r0 < d.z; r0 += TK) {
    for (var i = t; i < TM * TK; i += 256u) {
      let m = m0 + i / TK;
      let r = r0 + i % TK;
      var v = 0.0;
      if (m < d.x && r < d.z) { v = loadA(b, m, r); }
      tileA[i / TK][i % TK] = v;
    }
    for (var i = t; i < TK * TN; i += 256u) {
      let r = r0 + i / TN;
      let n = n0 + i % TN;
      var v = 0.0;
      if (r < d.z && n < d.y) { v = loadB(b, r, n); }
      tileB[i / TN][i % TN] = v;
    }
    workgroupBarrier();
    for (var k = 0u; k < TK; k++) {
      let a0 = tileA[2u * lid.y][k];
      let a1 = tileA[2u * lid.y + 1u][k];
      let b0 = tileB[k][2u * lid.x];
      let b1 = tileB[k][2u * lid.x + 1u];
      c00 = fma(a0, b0, c00);
      c01 = fma(a0, b1, c01);
      c10 = fma(a1, b0, c10);
      c11 = fma(a1, b1, c11);
    }
    workgroupBarrier();
  }
  let m = m0 + 2u * lid.y;
  let n = n0 + 2u * lid.x;
  if (m < d.x && n < d.y) { store(b, m, n, c00); }
  if (m < d.x && n + 1u < d.y) { store(b, m, n + 1u, c01); }
  if (m + 1u < d.x && n < d.y) { store(b, m + 1u, n, c10); }
  if (m + 1u < d.x && n + 1u < d.y) { store(b, m + 1u, n + 1u, c11); }
}
