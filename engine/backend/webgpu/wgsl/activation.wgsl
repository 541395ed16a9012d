// Shared by the activation kernels: the nonlinearities of layers.Activation (fn: 0 clip,
// 1 leaky ReLU, 2 sigmoid, 3 hard sigmoid, 4 hard swish, 5 affine, 6 ELU, 7 erf, 8 GELU; a and b
// its parameters, as f32 bits) and their derivatives, with PyTorch's gradient at each kink.
struct P { count: u32, fn_: u32, a: u32, b: u32 }
@group(0) @binding(0) var<uniform> p: P;

fn sigmoid(x: f32) -> f32 {
  // exp overflows float32 past 88: the clamp keeps it finite, where sigmoid is 0 or 1 anyway.
  return 1.0 / (1.0 + exp(-clamp(x, -87.0, 87.0)));
}

// erf by Abramowitz and Stegun's 7.1.26 (absolute error below 1.5e-7: float32's own at 1).
fn erf(x: f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(x));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-x * x);
  return sign(x) * y;
}

fn act(x: f32) -> f32 {
  let a = bitcast<f32>(p.a);
  let b = bitcast<f32>(p.b);
  switch p.fn_ {
    case 0u: { return min(max(x, a), b); }
    case 1u: { if (x > 0.0) { return x; } return a * x; }
    case 2u: { return sigmoid(x); }
    case 3u: { return min(max(a * x + b, 0.0), 1.0); }
    case 4u: { return x * min(max(x / 6.0 + 0.5, 0.0), 1.0); }
    case 6u: { if (x > 0.0) { return x; } return a * (exp(x) - 1.0); }
    case 7u: { return erf(x); }
    case 8u: { return x * (1.0 + erf(x * 0.70710678)) * 0.5; }
    default: { return a * x + b; }
  }
}

fn act_grad(x: f32) -> f32 {
  let a = bitcast<f32>(p.a);
  let b = bitcast<f32>(p.b);
  switch p.fn_ {
    case 0u: { if (x > a && x < b) { return 1.0; } return 0.0; }
    case 1u: { if (x > 0.0) { return 1.0; } return a; }
    case 2u: { let s = sigmoid(x); return s * (1.0 - s); }
    case 3u: { let y = a * x + b; if (y > 0.0 && y < 1.0) { return a; } return 0.0; }
    case 4u: {
      if (x < -3.0) { return 0.0; }
      if (x <= 3.0) { return x / 3.0 + 0.5; }
      return 1.0;
    }
    case 6u: { if (x > 0.0) { return 1.0; } return a * exp(x); }
    case 7u: { return 1.1283791671 * exp(-x * x); }
    case 8u: { return (1.0 + erf(x * 0.70710678)) * 0.5 + x * 0.3989422804 * exp(-0.5 * x * x); }
    default: { return a; }
  }
}
