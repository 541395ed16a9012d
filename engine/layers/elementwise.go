package layers

import "gradsign/engine/matmul"

// ReLUForward is out = max(inp, 0).
func ReLUForward[T matmul.Float](out, inp []T) {
	for i, v := range inp[:len(out)] {
		out[i] = max(v, 0)
	}
}

// ReLUBackward adds dout where inp > 0 to dinp (PyTorch's gradient at 0 is 0 too).
func ReLUBackward[T matmul.Float](dinp, dout, inp []T) {
	for i, v := range inp[:len(dinp)] {
		if v > 0 {
			dinp[i] += dout[i]
		}
	}
}

// AddForward is out = the sum of ins (zero for no ins: a node whose every edge is `none`).
func AddForward[T matmul.Float](out []T, ins ...[]T) {
	if len(ins) == 0 {
		clear(out)
		return
	}
	copy(out, ins[0])
	for _, in := range ins[1:] {
		for i, v := range in[:len(out)] {
			out[i] += v
		}
	}
}

// AddBackward adds dout to every gradient of the sum's inputs.
func AddBackward[T matmul.Float](dout []T, dins ...[]T) {
	for _, d := range dins {
		for i, v := range dout[:len(d)] {
			d[i] += v
		}
	}
}
