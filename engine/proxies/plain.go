package proxies

import "gradsign/engine/matmul"

// plain is sum w · dL/dw: snip without the absolute value, so its terms cancel.
func plain[T matmul.Float](b *batch[T]) (float64, error) {
	var score float64
	for _, p := range b.net.Weights() {
		g := b.ws.ParamGrad(p)
		for i, w := range b.net.Params[p].Data {
			score += float64(w) * float64(g[i])
		}
	}
	return score, nil
}
