// Prepended to the convolution kernels that read inp (after conv.wgsl).

// unfolded is the im2col value of sample s at row r = (ci, ky, kx) and output position q = (oy, ox):
// inp[s, ci, oy·stride+ky-pad, ox·sw+kx-pw], zero outside the image.
fn unfolded(s: u32, r: u32, q: u32) -> f32 {
  let kx = r % p.kw;
  let ky = (r / p.kw) % p.k;
  let ci = r / (p.k * p.kw);
  let iy = i32((q / p.ow) * p.stride + ky) - i32(p.pad);
  let ix = i32((q % p.ow) * p.sw + kx) - i32(p.pw);
  if (iy < 0 || iy >= i32(p.h) || ix < 0 || ix >= i32(p.w)) { return 0.0; }
  return inp[((s * p.cin + ci) * p.h + u32(iy)) * p.w + u32(ix)];
}
