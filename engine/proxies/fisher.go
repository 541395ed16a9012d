package proxies

import (
	"math"

	"gradsign/engine/matmul"
)

// fisher is zero-cost-nas's Fisher proxy (Turner et al., 2020): for each output channel k of
// each Conv2d and Linear, 0.5 · mean over samples of (sum over positions a·dL/da)², a the
// layer's output, counted once per weight of channel k as zero-cost-nas's per-weight sum does.
func fisher[T matmul.Float](b *batch[T]) (float64, error) {
	n := len(b.labels)
	var score float64
	for _, p := range b.net.Weights() {
		act, grad, per := b.ws.WeightOutput(p)
		channels := b.net.Params[p].Shape[0]
		positions := per / channels
		perChannel := float64(len(b.net.Params[p].Data) / channels)
		for k := 0; k < channels; k++ {
			var sq float64
			for s := 0; s < n; s++ {
				var sum float64
				off := s*per + k*positions
				for i := off; i < off+positions; i++ {
					sum += float64(act[i]) * float64(grad[i])
				}
				sq += sum * sum
			}
			score += math.Abs(0.5*sq/float64(n)) * perChannel
		}
	}
	return score, nil
}
