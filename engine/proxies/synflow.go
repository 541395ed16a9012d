package proxies

import (
	"math"

	"gradsign/engine/backend/cpu"
	"gradsign/engine/matmul"
	"gradsign/engine/network"
)

// synflow is SynFlow (Tanaka et al., 2020) as zero-cost-nas computes it: on a float64 copy
// of the network with every parameter replaced by its absolute value and BatchNorm left out,
// one input of ones, R the sum of the outputs: sum |w · dR/dw|.
func synflow[T matmul.Float](b *batch[T]) (float64, error) {
	net, err := toFloat64(b.net)
	if err != nil {
		return 0, err
	}
	for _, p := range net.Params {
		for k, v := range p.Data {
			p.Data[k] = math.Abs(v)
		}
	}
	ws := net.NewWorkspace(cpu.New[float64](1), 1, network.MiniBatch)
	ws.SkipBatchNorm = true
	ones := make([]float64, net.InputSize())
	for i := range ones {
		ones[i] = 1
	}
	logits := ws.Forward(ones)
	d := make([]float64, len(logits))
	for i := range d {
		d[i] = 1
	}
	ws.Backward(d)
	var score float64
	for _, p := range net.Weights() {
		g := ws.ParamGrad(p)
		for k, w := range net.Params[p].Data {
			score += math.Abs(w * g[k])
		}
	}
	return score, nil
}
