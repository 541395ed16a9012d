// Prepended to the sign kernels: GradSign's accumulators, an int32 sum of signs per weight and
// a NaN flag per weight, bound as 3 and 4 (after dout and inp).
@group(0) @binding(3) var<storage, read_write> acc: array<atomic<i32>>;
@group(0) @binding(4) var<storage, read_write> nan: array<atomic<u32>>;

// fold adds the sign of g (+1, -1, or 0 for a zero gradient) at acc[at]; a NaN adds nothing and
// sets nan[at].
fn fold(at: u32, g: f32) {
  if (nanOf(g)) {
    atomicOr(&nan[at], 1u);
    return;
  }
  let sg = signOf(g);
  if (sg != 0) { atomicAdd(&acc[at], sg); }
}
