package proxies

import "gradsign/engine/matmul"

// params counts the trainable parameters: a baseline every proxy should beat.
func params[T matmul.Float](b *batch[T]) (float64, error) { return float64(b.net.NumParams()), nil }

// flops is NAS-Bench-201's FLOP count per image: the other size baseline.
func flops[T matmul.Float](b *batch[T]) (float64, error) { return float64(b.net.FLOPs()), nil }
