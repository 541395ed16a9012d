// Shared by the depthwise kernels: the geometry (one K×K filter per channel, stride, padding,
// dilation) of n samples of C channels, and the layer's offset in the sign accumulators.
struct P { n: u32, c: u32, h: u32, w: u32, k: u32, stride: u32, pad: u32, dilate: u32, oh: u32, ow: u32, off: u32 }
@group(0) @binding(0) var<uniform> p: P;

// tapAt is the input position in its plane that output (oy, ox) reads with tap (ky, kx), or
// -1 in the padding.
fn tapAt(oy: u32, ox: u32, ky: u32, kx: u32) -> i32 {
  let y = i32(oy * p.stride + ky * p.dilate) - i32(p.pad);
  let x = i32(ox * p.stride + kx * p.dilate) - i32(p.pad);
  if (y < 0 || y >= i32(p.h) || x < 0 || x >= i32(p.w)) { return -1; }
  return y * i32(p.w) + x;
}
