package layers

import (
	"sync"

	"gradsign/engine/internal/pool"
	"gradsign/engine/matmul"
)

// A stride-1 depthwise convolution with "same" padding (Pad = Dilate·(K−1)/2: DARTS's
// separable and dilated convolutions) runs on shifted rows of each channel's padded plane, as
// the ordinary convolutions do (shifted.go): the output of a channel over the wide grid of
// H rows of wp columns is the taps' weighted sum of the plane shifted by each tap
// (matmul.SumRows), its input gradient the same with the output gradient's plane and the taps
// flipped, and its weight gradient the products of the output gradient's plane with the
// input's shifted rows (matmul.DotRows): long vector loops in place of a short loop per tap and
// row.

// depthwiseGeom is the geometry of a shifted depthwise convolution.
type depthwiseGeom struct {
	wp     int   // padded width
	n      int   // the wide grid: H·wp
	l      int   // n rounded up to 64 (the row kernels' step)
	plane  int   // a padded plane and the zeros after it that the weight gradient reads
	length int   // a plane's buffer: every tap's row of l values inside it
	offs   []int // each tap's offset, ky·Dilate·wp + kx·Dilate
	flip   []int // the offsets in reverse order (the input gradient's taps)
}

// shifted says whether the depthwise convolution runs on shifted rows.
func (d Depthwise) shifted() bool {
	return d.Stride == 1 && d.K%2 == 1 && d.Pad == d.Dilate*(d.K-1)/2
}

var depthwiseGeoms sync.Map // Depthwise → *depthwiseGeom

func (d Depthwise) geom() *depthwiseGeom {
	if g, ok := depthwiseGeoms.Load(d); ok {
		return g.(*depthwiseGeom)
	}
	g := &depthwiseGeom{wp: d.W + 2*d.Pad}
	g.n = d.H * g.wp
	g.l = (g.n + 63) / 64 * 64
	g.plane = max((d.H+2*d.Pad)*g.wp, d.Pad*g.wp+d.Pad+g.l)
	for ky := range d.K {
		for kx := range d.K {
			g.offs = append(g.offs, (ky*g.wp+kx)*d.Dilate)
		}
	}
	for t := range g.offs {
		g.flip = append(g.flip, g.offs[len(g.offs)-1-t])
	}
	g.length = max(g.plane, g.offs[len(g.offs)-1]+g.l)
	v, _ := depthwiseGeoms.LoadOrStore(d, g)
	return v.(*depthwiseGeom)
}

func depthwiseShiftedForward[T matmul.Float](d Depthwise, out, inp, w []T) {
	g := d.geom()
	buf := pool.Get[T](g.length + g.l)
	defer pool.Put(buf)
	xpad, wide := (*buf)[:g.length], (*buf)[g.length:]
	hw, kk := d.H*d.W, d.K*d.K
	for c := range d.C {
		padPlanes(xpad, inp[c*hw:(c+1)*hw], 1, d.H, d.W, d.Pad, d.Pad, g.wp, g.length)
		matmul.SumRows(g.l, w[c*kk:(c+1)*kk], xpad, g.offs, wide)
		narrow(out[c*hw:(c+1)*hw], wide, d.H, d.W, g.wp)
	}
}

func depthwiseShiftedBackwardData[T matmul.Float](d Depthwise, dinp, dout, w []T) {
	g := d.geom()
	buf := pool.Get[T](g.length + g.l)
	defer pool.Put(buf)
	dpad, wide := (*buf)[:g.length], (*buf)[g.length:]
	hw, kk := d.H*d.W, d.K*d.K
	for c := range d.C {
		// "Same" padding: the full correlation pads the output gradient as the forward pass
		// pads the input, and reads it through the flipped taps.
		padPlanes(dpad, dout[c*hw:(c+1)*hw], 1, d.H, d.W, d.Pad, d.Pad, g.wp, g.length)
		matmul.SumRows(g.l, w[c*kk:(c+1)*kk], dpad, g.flip, wide)
		narrowAdd(dinp[c*hw:(c+1)*hw], wide, d.H, d.W, g.wp)
	}
}

func depthwiseShiftedWeightGrad[T matmul.Float](d Depthwise, dw, dout, inp []T, dwBeta T) {
	g := d.geom()
	kk := d.K * d.K
	buf := pool.Get[T](2*g.length + kk)
	defer pool.Put(buf)
	xpad, dpad, sums := (*buf)[:g.length], (*buf)[g.length:2*g.length], (*buf)[2*g.length:]
	hw := d.H * d.W
	for c := range d.C {
		padPlanes(xpad, inp[c*hw:(c+1)*hw], 1, d.H, d.W, d.Pad, d.Pad, g.wp, g.length)
		padPlanes(dpad, dout[c*hw:(c+1)*hw], 1, d.H, d.W, d.Pad, d.Pad, g.wp, g.length)
		// The output gradient over the wide grid: its padded plane from (Pad, Pad), whose
		// columns past W and rows past H are the padding's zeros.
		matmul.DotRows(g.l, dpad[d.Pad*g.wp+d.Pad:], xpad, g.offs, sums)
		f := dw[c*kk : (c+1)*kk]
		for t, s := range sums {
			if dwBeta == 0 { // not 0·f: f may hold anything
				f[t] = s
			} else {
				f[t] = dwBeta*f[t] + s
			}
		}
	}
}
