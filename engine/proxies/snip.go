package proxies

import (
	"math"

	"gradsign/engine/matmul"
)

// snip is sum |w · dL/dw|, the connection sensitivity of SNIP (Lee et al., 2019).
func snip[T matmul.Float](b *batch[T]) (float64, error) {
	var score float64
	for _, p := range b.net.Weights() {
		g := b.ws.ParamGrad(p)
		for i, w := range b.net.Params[p].Data {
			score += math.Abs(float64(w) * float64(g[i]))
		}
	}
	return score, nil
}
