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
	zeros, _ := b.structuralZeros()
	return float64(zeros), nil
}

// zeroFraction is the structural zeros' share of the weights GradSign reads.
func zeroFraction[T matmul.Float](b *batch[T]) (float64, error) {
	zeros, weights := b.structuralZeros()
	if weights == 0 {
		return 0, nil
	}
	return float64(zeros) / float64(weights), nil
}

// structuralZeros counts the network's structural zeros and its weights, once for both
// proxies.
func (b *batch[T]) structuralZeros() (zeros, weights int) {
	if b.zeros == nil {
		b.zeros = &[2]int{}
		for _, l := range b.net.StructuralZeros() {
			b.zeros[1] += len(l)
			for _, z := range l {
				if z {
					b.zeros[0]++
				}
			}
		}
	}
	return b.zeros[0], b.zeros[1]
}
