package proxies

import "gradsign/engine/matmul"

// params counts the trainable parameters: a baseline every proxy should beat.
func params[T matmul.Float](b *batch[T]) (float64, error) { return float64(b.net.NumParams()), nil }

// flops is NAS-Bench-201's FLOP count per image: the other size baseline.
func flops[T matmul.Float](b *batch[T]) (float64, error) { return float64(b.net.FLOPs()), nil }

// structuralZeros counts the weights whose gradient is zero in exact arithmetic for every input
// (network.StructuralZeros): the weights GradSign gives sign 0 and the official code counts
// rounding noise at.
func structuralZeros[T matmul.Float](b *batch[T]) (float64, error) {
	zeros, _ := countZeros(b.net.StructuralZeros())
	return float64(zeros), nil
}

// zeroFraction is the structural zeros' share of the weights GradSign reads.
func zeroFraction[T matmul.Float](b *batch[T]) (float64, error) {
	zeros, weights := countZeros(b.net.StructuralZeros())
	if weights == 0 {
		return 0, nil
	}
	return float64(zeros) / float64(weights), nil
}

// countZeros counts the true entries of per-layer zero masks, and all entries.
func countZeros(layers [][]bool) (zeros, all int) {
	for _, l := range layers {
		all += len(l)
		for _, z := range l {
			if z {
				zeros++
			}
		}
	}
	return zeros, all
}
