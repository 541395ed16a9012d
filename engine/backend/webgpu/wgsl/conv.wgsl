// Prepended to the convolution kernels (after gemm.wgsl): the parameters of a convolution (off:
// the layer's first accumulator, for the sign fold; k, stride and pad along the height, kw, sw
// and pw along the width).
struct P { n: u32, cin: u32, h: u32, w: u32, cout: u32, k: u32, stride: u32, pad: u32, oh: u32, ow: u32, off: u32, kw: u32, sw: u32, pw: u32 }
@group(0) @binding(0) var<uniform> p: P;
