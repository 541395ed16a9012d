package layers

import (
	"math"
	"runtime"

	"gradsign/engine/matmul"
)

// ReLUForward is out = max(inp, 0).
func ReLUForward[T matmul.Float](out, inp []T) {
	if o, ok := any(out).([]float32); ok && reluSIMD(o, any(inp).([]float32)) {
		return
	}
	if runtime.GOARCH == "wasm" {
		// Go's max of floats is a runtime call in wasm (fmax32, for NaN and signed zeros), 7%
		// of a score in the browser; this is the same function: NaN stays NaN, -0 becomes +0.
		for i, v := range inp[:len(out)] {
			if !(v <= 0) {
				out[i] = v
			} else {
				out[i] = 0
			}
		}
		return
	}
	for i, v := range inp[:len(out)] {
		out[i] = max(v, 0)
	}
}

// ReLUBackward adds dout where inp > 0 to dinp (PyTorch's gradient at 0 is 0 too).
// The signs of inp are random, so a branch would be mispredicted half the time: float32 takes
// dout through a bit mask instead (adding +0 where inp ≤ 0, whatever dout holds there).
func ReLUBackward[T matmul.Float](dinp, dout, inp []T) {
	if d, ok := any(dinp).([]float32); ok {
		reluBackward32(d, any(dout).([]float32), any(inp).([]float32))
		return
	}
	for i, v := range inp[:len(dinp)] {
		if v > 0 {
			dinp[i] += dout[i]
		}
	}
}

func reluBackward32(dinp, dout, inp []float32) {
	dout, inp = dout[:len(dinp)], inp[:len(dinp)]
	if reluBackSIMD(dinp, dout, inp) {
		return
	}
	for i, v := range inp {
		var on uint32
		if v > 0 {
			on = 1
		}
		dinp[i] += math.Float32frombits(math.Float32bits(dout[i]) & -on)
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

// BiasForward is out = inp + bias[c] for n samples of c channels of hw values.
func BiasForward[T matmul.Float](out, inp, bias []T, n, c, hw int) {
	for s := range n {
		for ch := range c {
			o := (s*c + ch) * hw
			for i, v := range inp[o : o+hw] {
				out[o+i] = v + bias[ch]
			}
		}
	}
}

// MulForward is out = a·b for n samples of c channels of hw values, b holding bhw values a
// channel: hw (element by element) or 1 (one factor per channel, broadcast).
func MulForward[T matmul.Float](out, a, b []T, n, c, hw, bhw int) {
	for p := range n * c {
		o := p * hw
		for i, v := range a[o : o+hw] {
			out[o+i] = v * b[p*bhw+i%bhw]
		}
	}
}

// MulBackward adds dout·b to da and dout·a, summed over the positions a factor is broadcast
// to, to db; either may be nil.
//
// aMean, when not nil (one factor per channel, bhw 1), [c], holds each channel's mean of a over
// its positions where it is known exactly (a per-sample BatchNorm's output has its bias as mean;
// NaN where unknown): where a sample's channel of dout is one value d at every position, db gets
// the exact sum d·hw·mean (zero for a zero mean, where float arithmetic leaves rounding noise).
func MulBackward[T matmul.Float](da, db, dout, a, b, aMean []T, n, c, hw, bhw int) {
	for p := range n * c {
		o := p * hw
		exact := db != nil && aMean != nil && aMean[p%c] == aMean[p%c] && constant(dout[o:o+hw])
		if exact {
			db[p] += dout[o] * T(hw) * aMean[p%c]
		}
		for i := range hw {
			j := p*bhw + i%bhw
			if da != nil {
				da[o+i] += dout[o+i] * b[j]
			}
			if db != nil && !exact {
				db[j] += dout[o+i] * a[o+i]
			}
		}
	}
}
