// Shared by the product kernels: a [n·c, hw] times b [n·c, bhw], bhw hw or 1 (broadcast).
// c and known are mul_backward_b's: the channels, and whether amean holds known means.
struct P { count: u32, hw: u32, bhw: u32, c: u32, known: u32 }
@group(0) @binding(0) var<uniform> p: P;

// at is the index into b of a's element i.
fn at(i: u32) -> u32 { return (i / p.hw) * p.bhw + (i % p.hw) % p.bhw; }
