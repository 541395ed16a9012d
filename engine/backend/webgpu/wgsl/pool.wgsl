// Shared by the pooling kernels: the geometry of a window over planes [P, H, W].
struct P { planes: u32, h: u32, w: u32, k: u32, stride: u32, pad: u32, oh: u32, ow: u32 }
