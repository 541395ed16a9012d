// Per sample: loss = logsumexp(z) - z[label], and dlogits = scale·(softmax(z) - onehot(label)),
// after subtracting the largest logit (in float32; the CPU backend uses float64).
struct P { n: u32, classes: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read_write> losses: array<f32>;
@group(0) @binding(2) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(3) var<storage, read> logits: array<f32>;
@group(0) @binding(4) var<storage, read> labels: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let s = flat(gid, groups);
  if (s >= p.n) { return; }
  let z = s * p.classes;
  var m = logits[z];
  for (var k = 1u; k < p.classes; k++) { m = max(m, logits[z + k]); }
  var sum = 0.0;
  for (var k = 0u; k < p.classes; k++) { sum += exp(logits[z + k] - m); }
  let lse = m + log(sum);
  losses[s] = lse - logits[z + labels[s]];
  for (var k = 0u; k < p.classes; k++) {
    var q = exp(logits[z + k] - lse);
    if (k == labels[s]) { q -= 1.0; }
    dlogits[z + k] = p.scale * q;
  }
}
