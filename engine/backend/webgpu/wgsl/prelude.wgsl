// Prepended to every kernel. Kernels over a flat range run 64 invocations per workgroup on a
// grid of up to 65535 workgroups in x (y for the rest); flat() is an invocation's index there.
fn flat(gid: vec3<u32>, groups: vec3<u32>) -> u32 {
  return gid.x + gid.y * groups.x * 64u;
}

// signOf is -1, 0 or +1 from the bits of v, and nanOf whether v is NaN: WGSL lets a compiler
// assume floats are never NaN, so comparisons cannot be trusted to see one.
fn signOf(v: f32) -> i32 {
  let b = bitcast<u32>(v);
  if ((b & 0x7fffffffu) == 0u) { return 0; }
  return select(1, -1, (b >> 31u) == 1u);
}

fn nanOf(v: f32) -> bool {
  return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}
