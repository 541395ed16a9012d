package proxies

import (
	"slices"

	"gradsign/engine/backend/cpu"
	"gradsign/engine/layers"
	"gradsign/engine/matmul"
	"gradsign/engine/network"
)

// grasp is GraSP (Wang et al., 2020) as zero-cost-nas computes it: sum -w·(H g) over the
// Conv2d and Linear weights, g the mini-batch gradient of the loss and H g the exact
// Hessian-vector product, as autograd's double backward gives it: forward-mode
// differentiation of the backward pass. It runs on the CPU backend (BatchNorm's tangents need
// host memory), on a float64 copy of the network: -w·(H g)
// sums terms that cancel, and a float32 Hessian product is off by up to 0.2% on the
// reference nets (against PyTorch's float32 within 0.001%); in float64 it matches PyTorch's
// float64 within 1e-5.
func grasp[T matmul.Float](b *batch[T]) (float64, error) {
	net, err := toFloat64(b.net)
	if err != nil {
		return 0, err
	}
	x := make([]float64, len(b.x))
	for i, v := range b.x {
		x[i] = float64(v)
	}
	n := len(b.labels)
	ws := net.NewWorkspace(cpu.New[float64](b.threads), n, network.MiniBatch)
	logits := ws.Forward(x)
	d := make([]float64, len(logits))
	layers.SoftmaxCrossEntropy(make([]float64, n), d, logits, b.labels, n, net.Classes, 1/float64(n))
	ws.Backward(d)

	dir := make([][]float64, len(net.Params))
	for _, p := range net.Weights() {
		dir[p] = slices.Clone(ws.ParamGrad(p))
	}
	err = ws.HessianVector(dir, func(logitsDot, dlogitsDot []float64) {
		layers.SoftmaxCrossEntropyTangent(dlogitsDot, logits, logitsDot, n, net.Classes, 1/float64(n))
	})
	if err != nil {
		return 0, err
	}
	var score float64
	for _, p := range net.Weights() {
		hg := ws.HessianVectorOf(p)
		for k, w := range net.Params[p].Data {
			score -= w * hg[k]
		}
	}
	return score, nil
}
