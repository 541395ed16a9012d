package layers

import "gradsign/engine/matmul"

// Depthwise is the geometry of a depthwise convolution (groups = channels, one K×K filter per
// channel, no bias), as DARTS's separable and dilated convolutions use it: C channels of H×W,
// stride, zero padding and dilation. Its weight is [C, 1, K, K]. With stride 1 and "same"
// padding it runs on shifted rows of each padded plane (depthwise_shifted.go), otherwise as
// direct loops.
type Depthwise struct {
	C, H, W                int
	K, Stride, Pad, Dilate int
}

// OutH is the output height.
func (d Depthwise) OutH() int { return (d.H+2*d.Pad-d.Dilate*(d.K-1)-1)/d.Stride + 1 }

// OutW is the output width.
func (d Depthwise) OutW() int { return (d.W+2*d.Pad-d.Dilate*(d.K-1)-1)/d.Stride + 1 }

// MACs is the multiply-accumulate count of one sample.
func (d Depthwise) MACs() int { return d.C * d.OutH() * d.OutW() * d.K * d.K }

// taps calls fn for each tap (ky, kx) of the filter (k = ky·K + kx) and each output row oy
// that the tap reads inside the image, with the row iy it reads and the range [lo, hi) of
// output columns whose input column ox·Stride - Pad + kx·Dilate (x0 + ox·Stride) is inside.
func (d Depthwise) taps(fn func(k, oy, iy, lo, hi, x0 int)) {
	oh, ow := d.OutH(), d.OutW()
	for ky := 0; ky < d.K; ky++ {
		for kx := 0; kx < d.K; kx++ {
			x0 := kx*d.Dilate - d.Pad // input column of output column 0
			lo := max(0, (-x0+d.Stride-1)/d.Stride)
			hi := min(ow, (d.W-1-x0)/d.Stride+1)
			if d.W-1-x0 < 0 || lo >= hi {
				continue
			}
			for oy := 0; oy < oh; oy++ {
				iy := oy*d.Stride - d.Pad + ky*d.Dilate
				if iy >= 0 && iy < d.H {
					fn(ky*d.K+kx, oy, iy, lo, hi, x0)
				}
			}
		}
	}
}

// DepthwiseForward computes one sample's depthwise convolution: for each tap, a scaled row of
// the input added to a row of the output.
//
//	out [C, OutH, OutW], inp [C, H, W], w [C, 1, K, K]
func DepthwiseForward[T matmul.Float](d Depthwise, out, inp, w []T) {
	if d.shifted() {
		depthwiseShiftedForward(d, out, inp, w)
		return
	}
	hw, ohw, kk, ow := d.H*d.W, d.OutH()*d.OutW(), d.K*d.K, d.OutW()
	for c := 0; c < d.C; c++ {
		in, o, f := inp[c*hw:(c+1)*hw], out[c*ohw:(c+1)*ohw], w[c*kk:(c+1)*kk]
		clear(o)
		d.taps(func(k, oy, iy, lo, hi, x0 int) {
			wk, dst, src := f[k], o[oy*ow:(oy+1)*ow], in[iy*d.W:(iy+1)*d.W]
			if d.Stride == 1 {
				src = src[lo+x0 : hi+x0]
				for i := range src {
					dst[lo+i] += wk * src[i]
				}
				return
			}
			for ox := lo; ox < hi; ox++ {
				dst[ox] += wk * src[x0+ox*d.Stride]
			}
		})
	}
}

// DepthwiseBackwardData adds one sample's input gradient to dinp.
//
//	dinp [C, H, W], dout [C, OutH, OutW], w [C, 1, K, K]
func DepthwiseBackwardData[T matmul.Float](d Depthwise, dinp, dout, w []T) {
	if d.shifted() {
		depthwiseShiftedBackwardData(d, dinp, dout, w)
		return
	}
	hw, ohw, kk, ow := d.H*d.W, d.OutH()*d.OutW(), d.K*d.K, d.OutW()
	for c := 0; c < d.C; c++ {
		di, g, f := dinp[c*hw:(c+1)*hw], dout[c*ohw:(c+1)*ohw], w[c*kk:(c+1)*kk]
		d.taps(func(k, oy, iy, lo, hi, x0 int) {
			wk, src, dst := f[k], g[oy*ow:(oy+1)*ow], di[iy*d.W:(iy+1)*d.W]
			if d.Stride == 1 {
				dst = dst[lo+x0 : hi+x0]
				for i := range dst {
					dst[i] += wk * src[lo+i]
				}
				return
			}
			for ox := lo; ox < hi; ox++ {
				dst[x0+ox*d.Stride] += wk * src[ox]
			}
		})
	}
}

// DepthwiseWeightGrad computes one sample's weight gradient dw = Σ dout·inp + dwBeta·dw:
// dwBeta 1 accumulates over samples, 0 gives this sample's alone.
//
//	dw [C, 1, K, K], dout [C, OutH, OutW], inp [C, H, W]
func DepthwiseWeightGrad[T matmul.Float](d Depthwise, dw, dout, inp []T, dwBeta T) {
	if d.shifted() {
		depthwiseShiftedWeightGrad(d, dw, dout, inp, dwBeta)
		return
	}
	hw, ohw, kk, ow := d.H*d.W, d.OutH()*d.OutW(), d.K*d.K, d.OutW()
	for c := 0; c < d.C; c++ {
		in, g, f := inp[c*hw:(c+1)*hw], dout[c*ohw:(c+1)*ohw], dw[c*kk:(c+1)*kk]
		if dwBeta == 0 {
			clear(f) // not 0·f: a NaN left from an earlier sample would stay
		} else {
			for k := range f {
				f[k] *= dwBeta
			}
		}
		d.taps(func(k, oy, iy, lo, hi, x0 int) {
			var s T
			gr, src := g[oy*ow:(oy+1)*ow], in[iy*d.W:(iy+1)*d.W]
			if d.Stride == 1 {
				src = src[lo+x0 : hi+x0]
				for i := range src {
					s += gr[lo+i] * src[i]
				}
			} else {
				for ox := lo; ox < hi; ox++ {
					s += gr[ox] * src[x0+ox*d.Stride]
				}
			}
			f[k] += s
		})
	}
}
