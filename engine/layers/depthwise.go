package layers

import "gradsign/engine/matmul"

// Depthwise is the geometry of a depthwise convolution (groups = channels, one K×K filter per
// channel, no bias), as DARTS's separable and dilated convolutions use it: C channels of H×W,
// stride, zero padding and dilation. Its weight is [C, 1, K, K]. It is no matrix product, so
// it runs as direct loops.
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

// each calls fn(o, i, k) for every output position o of one channel plane, each tap k of the
// filter and the input position i it reads, skipping taps in the padding.
func (d Depthwise) each(fn func(o, i, k int)) {
	oh, ow := d.OutH(), d.OutW()
	for oy := 0; oy < oh; oy++ {
		for ox := 0; ox < ow; ox++ {
			o := oy*ow + ox
			for ky := 0; ky < d.K; ky++ {
				y := oy*d.Stride - d.Pad + ky*d.Dilate
				if y < 0 || y >= d.H {
					continue
				}
				for kx := 0; kx < d.K; kx++ {
					x := ox*d.Stride - d.Pad + kx*d.Dilate
					if x < 0 || x >= d.W {
						continue
					}
					fn(o, y*d.W+x, ky*d.K+kx)
				}
			}
		}
	}
}

// DepthwiseForward computes one sample's depthwise convolution.
//
//	out [C, OutH, OutW], inp [C, H, W], w [C, 1, K, K]
func DepthwiseForward[T matmul.Float](d Depthwise, out, inp, w []T) {
	hw, ohw, kk := d.H*d.W, d.OutH()*d.OutW(), d.K*d.K
	for c := 0; c < d.C; c++ {
		in, o, f := inp[c*hw:(c+1)*hw], out[c*ohw:(c+1)*ohw], w[c*kk:(c+1)*kk]
		clear(o)
		d.each(func(oi, ii, k int) { o[oi] += f[k] * in[ii] })
	}
}

// DepthwiseBackwardData adds one sample's input gradient to dinp.
//
//	dinp [C, H, W], dout [C, OutH, OutW], w [C, 1, K, K]
func DepthwiseBackwardData[T matmul.Float](d Depthwise, dinp, dout, w []T) {
	hw, ohw, kk := d.H*d.W, d.OutH()*d.OutW(), d.K*d.K
	for c := 0; c < d.C; c++ {
		di, g, f := dinp[c*hw:(c+1)*hw], dout[c*ohw:(c+1)*ohw], w[c*kk:(c+1)*kk]
		d.each(func(oi, ii, k int) { di[ii] += f[k] * g[oi] })
	}
}

// DepthwiseWeightGrad computes one sample's weight gradient dw = Σ dout·inp + dwBeta·dw:
// dwBeta 1 accumulates over samples, 0 gives this sample's alone.
//
//	dw [C, 1, K, K], dout [C, OutH, OutW], inp [C, H, W]
func DepthwiseWeightGrad[T matmul.Float](d Depthwise, dw, dout, inp []T, dwBeta T) {
	hw, ohw, kk := d.H*d.W, d.OutH()*d.OutW(), d.K*d.K
	for c := 0; c < d.C; c++ {
		in, g, f := inp[c*hw:(c+1)*hw], dout[c*ohw:(c+1)*ohw], dw[c*kk:(c+1)*kk]
		for k := range f {
			f[k] *= dwBeta
		}
		d.each(func(oi, ii, k int) { f[k] += g[oi] * in[ii] })
	}
}
