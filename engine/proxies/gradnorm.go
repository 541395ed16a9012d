package proxies

import (
	"math"

	"gradsign/engine/matmul"
)

// gradNorm is the sum over layers of the Frobenius norm of the mini-batch weight gradient.
func gradNorm[T matmul.Float](b *batch[T]) (float64, error) {
	var score float64
	for _, p := range b.net.Weights() {
		var ss float64
		for _, g := range b.ws.ParamGrad(p) {
			ss += float64(g) * float64(g)
		}
		score += math.Sqrt(ss)
	}
	return score, nil
}
