package layers

import (
	"gradsign/engine/internal/pool"
	"gradsign/engine/matmul"
)

// AvgPool3x3Forward is AvgPool2d(3, stride 1, padding 1, count_include_pad=False) over P planes
// of H×W: each output is the mean of the real pixels of its window (4 at a corner, 6 on an
// edge, 9 inside).
//
//	out, inp [P, H, W]
func AvgPool3x3Forward[T matmul.Float](out, inp []T, P, H, W int) {
	for p := 0; p < P; p++ {
		in, o := inp[p*H*W:(p+1)*H*W], out[p*H*W:(p+1)*H*W]
		for y := range H {
			for x := range W {
				if y == 0 || y == H-1 || x == 0 || x == W-1 {
					o[y*W+x] = windowMean(in, H, W, y, x)
				}
			}
		}
		// Inside, the nine in row-major order, as windowMean adds them: the same bits.
		for y := 1; y < H-1; y++ {
			up, mid, down := in[(y-1)*W:y*W], in[y*W:(y+1)*W], in[(y+1)*W:(y+2)*W]
			r := o[y*W : (y+1)*W]
			for x := 1; x < W-1; x++ {
				r[x] = (up[x-1] + up[x] + up[x+1] + mid[x-1] + mid[x] + mid[x+1] + down[x-1] + down[x] + down[x+1]) / 9
			}
		}
	}
}

// windowMean is output (y, x) of AvgPool3x3Forward: its window's real pixels summed in
// row-major order, divided by their count.
func windowMean[T matmul.Float](in []T, H, W, y, x int) T {
	y0, y1, x0, x1 := max(y-1, 0), min(y+1, H-1), max(x-1, 0), min(x+1, W-1)
	var s T
	for yy := y0; yy <= y1; yy++ {
		for xx := x0; xx <= x1; xx++ {
			s += in[yy*W+xx]
		}
	}
	return s / T((y1-y0+1)*(x1-x0+1))
}

// AvgPool3x3Backward adds the gradient of AvgPool3x3Forward to dinp: to each input, the
// gradient of every output whose window holds it divided by that window's pixel count, added
// in the outputs' row-major order (the order a scatter from the outputs would add them in, so
// the same bits), each input written once.
//
//	dinp, dout [P, H, W]
func AvgPool3x3Backward[T matmul.Float](dinp, dout []T, P, H, W int) {
	scratch := pool.Get[T](H * W)
	defer pool.Put(scratch)
	g := *scratch
	for p := 0; p < P; p++ {
		d, di := dout[p*H*W:(p+1)*H*W], dinp[p*H*W:(p+1)*H*W]
		for y := range H {
			ny := min(y+1, H-1) - max(y-1, 0) + 1
			for x := range W {
				g[y*W+x] = d[y*W+x] / T(ny*(min(x+1, W-1)-max(x-1, 0)+1))
			}
		}
		for y := range H {
			y0, y1 := max(y-1, 0), min(y+1, H-1)
			for x := range W {
				v := di[y*W+x]
				if y > 0 && y < H-1 && x > 0 && x < W-1 {
					up, mid, down := g[(y-1)*W+x-1:], g[y*W+x-1:], g[(y+1)*W+x-1:]
					v += up[0]
					v += up[1]
					v += up[2]
					v += mid[0]
					v += mid[1]
					v += mid[2]
					v += down[0]
					v += down[1]
					v += down[2]
				} else {
					for yy := y0; yy <= y1; yy++ {
						for xx := max(x-1, 0); xx <= min(x+1, W-1); xx++ {
							v += g[yy*W+xx]
						}
					}
				}
				di[y*W+x] = v
			}
		}
	}
}

// AvgPool2x2Forward is AvgPool2d(2, stride 2) over P planes of H×W (H and W even).
//
//	out [P, H/2, W/2], inp [P, H, W]
func AvgPool2x2Forward[T matmul.Float](out, inp []T, P, H, W int) {
	oh, ow := H/2, W/2
	for p := 0; p < P; p++ {
		in, o := inp[p*H*W:(p+1)*H*W], out[p*oh*ow:(p+1)*oh*ow]
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				i := 2*y*W + 2*x
				o[y*ow+x] = (in[i] + in[i+1] + in[i+W] + in[i+W+1]) / 4
			}
		}
	}
}

// AvgPool2x2Backward adds the gradient of AvgPool2x2Forward to dinp.
//
//	dinp [P, H, W], dout [P, H/2, W/2]
func AvgPool2x2Backward[T matmul.Float](dinp, dout []T, P, H, W int) {
	oh, ow := H/2, W/2
	for p := 0; p < P; p++ {
		di, d := dinp[p*H*W:(p+1)*H*W], dout[p*oh*ow:(p+1)*oh*ow]
		for y := 0; y < oh; y++ {
			for x := 0; x < ow; x++ {
				g := d[y*ow+x] / 4
				i := 2*y*W + 2*x
				di[i] += g
				di[i+1] += g
				di[i+W] += g
				di[i+W+1] += g
			}
		}
	}
}

// GlobalAvgPoolForward averages each of P planes of HW pixels.
//
//	out [P], inp [P, HW]
func GlobalAvgPoolForward[T matmul.Float](out, inp []T, P, HW int) {
	for p := 0; p < P; p++ {
		var s T
		for _, v := range inp[p*HW : (p+1)*HW] {
			s += v
		}
		out[p] = s / T(HW)
	}
}

// GlobalAvgPoolBackward adds the gradient of GlobalAvgPoolForward to dinp.
//
//	dinp [P, HW], dout [P]
func GlobalAvgPoolBackward[T matmul.Float](dinp, dout []T, P, HW int) {
	for p := 0; p < P; p++ {
		g := dout[p] / T(HW)
		di := dinp[p*HW : (p+1)*HW]
		for i := range di {
			di[i] += g
		}
	}
}

// Pool2d is the geometry of a K×K pooling window over planes of H×W with stride and implicit
// padding (floor division, as PyTorch's ceil_mode=False).
type Pool2d struct {
	H, W, K     int
	Stride, Pad int
	// Ceil rounds the output size up (PyTorch's ceil_mode): the last window may reach past
	// the input, and pools what it covers of it; it must start inside the input or its left
	// padding.
	Ceil bool
}

// box3x3 says whether the pool is AvgPool3x3's geometry (DARTS's avg_pool_3x3 of stride 1),
// which AvgPool3x3Forward and Backward run without bounds inside the plane, to the same bits.
func (p Pool2d) box3x3() bool { return p.K == 3 && p.Stride == 1 && p.Pad == 1 }

// OutH is the output height.
func (p Pool2d) OutH() int { return p.out(p.H) }

// OutW is the output width.
func (p Pool2d) OutW() int { return p.out(p.W) }

// out is the output size along an axis of the given size, as PyTorch's pooling_output_shape.
func (p Pool2d) out(size int) int {
	span := size + 2*p.Pad - p.K
	if !p.Ceil {
		return span/p.Stride + 1
	}
	o := (span+p.Stride-1)/p.Stride + 1
	if (o-1)*p.Stride >= size+p.Pad {
		o--
	}
	return o
}

// maxAt is the position in a plane of the input that output (oy, ox) takes: PyTorch's CPU
// rule, the first maximal element of the window in row-major order (a NaN takes over), the
// padding never winning.
func maxAt[T matmul.Float](p Pool2d, in []T, oy, ox int) int {
	y0, y1, x0, x1 := p.window(oy, ox)
	best := -1
	var m T
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			v := in[y*p.W+x]
			if best < 0 || v > m || v != v {
				best, m = y*p.W+x, v
			}
		}
	}
	return best
}

// MaxPoolForward is MaxPool2d(K, Stride, Pad) over P planes.
//
//	out [P, OutH, OutW], inp [P, H, W]
func MaxPoolForward[T matmul.Float](p Pool2d, out, inp []T, P int) {
	hw, ohw := p.H*p.W, p.OutH()*p.OutW()
	for c := 0; c < P; c++ {
		in, o := inp[c*hw:(c+1)*hw], out[c*ohw:(c+1)*ohw]
		for oy := 0; oy < p.OutH(); oy++ {
			for ox := 0; ox < p.OutW(); ox++ {
				o[oy*p.OutW()+ox] = in[maxAt(p, in, oy, ox)]
			}
		}
	}
}

// MaxPoolBackward adds the gradient of MaxPoolForward to dinp: each output's gradient goes to
// the input it took (found again from inp, so no indices are stored).
//
//	dinp, inp [P, H, W], dout [P, OutH, OutW]
func MaxPoolBackward[T matmul.Float](p Pool2d, dinp, dout, inp []T, P int) {
	hw, ohw := p.H*p.W, p.OutH()*p.OutW()
	for c := 0; c < P; c++ {
		in, di, d := inp[c*hw:(c+1)*hw], dinp[c*hw:(c+1)*hw], dout[c*ohw:(c+1)*ohw]
		for oy := 0; oy < p.OutH(); oy++ {
			for ox := 0; ox < p.OutW(); ox++ {
				di[maxAt(p, in, oy, ox)] += d[oy*p.OutW()+ox]
			}
		}
	}
}

// MaxPoolTangent is the forward tangent of MaxPoolForward at inp: each output takes the
// tangent of the input it took.
//
//	outDot [P, OutH, OutW], inp, inpDot [P, H, W]
func MaxPoolTangent[T matmul.Float](p Pool2d, outDot, inp, inpDot []T, P int) {
	hw, ohw := p.H*p.W, p.OutH()*p.OutW()
	for c := 0; c < P; c++ {
		in, id, o := inp[c*hw:(c+1)*hw], inpDot[c*hw:(c+1)*hw], outDot[c*ohw:(c+1)*ohw]
		for oy := 0; oy < p.OutH(); oy++ {
			for ox := 0; ox < p.OutW(); ox++ {
				o[oy*p.OutW()+ox] = id[maxAt(p, in, oy, ox)]
			}
		}
	}
}

// ChannelsCopy copies, for each of n samples, count channels of hw values from channel
// srcOff of src (srcC channels a sample) to channel dstOff of dst (dstC a sample); with add,
// it adds them instead. Concatenation and NAS-Bench-101's channel truncation are copies; their
// backward passes add.
func ChannelsCopy[T matmul.Float](dst, src []T, n, hw, count, dstC, dstOff, srcC, srcOff int, add bool) {
	for b := 0; b < n; b++ {
		d := dst[(b*dstC+dstOff)*hw : (b*dstC+dstOff+count)*hw]
		s := src[(b*srcC+srcOff)*hw : (b*srcC+srcOff+count)*hw]
		if !add {
			copy(d, s)
			continue
		}
		for i, v := range s {
			d[i] += v
		}
	}
}

// AvgPoolForward is AvgPool2d(K, Stride, Pad, count_include_pad=False) over P planes: each
// output is the mean of the real pixels of its window (DARTS's avg_pool_3x3 at stride 1 or 2).
//
//	out [P, OutH, OutW], inp [P, H, W]
func AvgPoolForward[T matmul.Float](p Pool2d, out, inp []T, P int) {
	if p.box3x3() {
		AvgPool3x3Forward(out, inp, P, p.H, p.W)
		return
	}
	hw, ohw, ow := p.H*p.W, p.OutH()*p.OutW(), p.OutW()
	for c := 0; c < P; c++ {
		in, o := inp[c*hw:(c+1)*hw], out[c*ohw:(c+1)*ohw]
		for oy := 0; oy < p.OutH(); oy++ {
			for ox := 0; ox < ow; ox++ {
				y0, y1, x0, x1 := p.window(oy, ox)
				var s T
				for y := y0; y < y1; y++ {
					for x := x0; x < x1; x++ {
						s += in[y*p.W+x]
					}
				}
				o[oy*ow+ox] = s / T((y1-y0)*(x1-x0))
			}
		}
	}
}

// AvgPoolBackward adds the gradient of AvgPoolForward to dinp.
//
//	dinp [P, H, W], dout [P, OutH, OutW]
func AvgPoolBackward[T matmul.Float](p Pool2d, dinp, dout []T, P int) {
	if p.box3x3() {
		AvgPool3x3Backward(dinp, dout, P, p.H, p.W)
		return
	}
	hw, ohw, ow := p.H*p.W, p.OutH()*p.OutW(), p.OutW()
	for c := 0; c < P; c++ {
		di, d := dinp[c*hw:(c+1)*hw], dout[c*ohw:(c+1)*ohw]
		for oy := 0; oy < p.OutH(); oy++ {
			for ox := 0; ox < ow; ox++ {
				y0, y1, x0, x1 := p.window(oy, ox)
				g := d[oy*ow+ox] / T((y1-y0)*(x1-x0))
				for y := y0; y < y1; y++ {
					for x := x0; x < x1; x++ {
						di[y*p.W+x] += g
					}
				}
			}
		}
	}
}

// window is the part of output (oy, ox)'s window inside the input: rows y0..y1-1, columns
// x0..x1-1.
func (p Pool2d) window(oy, ox int) (y0, y1, x0, x1 int) {
	y, x := oy*p.Stride-p.Pad, ox*p.Stride-p.Pad
	return max(y, 0), min(y+p.K, p.H), max(x, 0), min(x+p.K, p.W)
}

// CropForward takes, of P planes of H×W, the oh×ow window from row top and column left:
// DARTS's x[:, :, 1:, 1:] of a factorized reduction.
//
//	out [P, oh, ow], inp [P, H, W]
func CropForward[T matmul.Float](out, inp []T, P, H, W, top, left, oh, ow int) {
	for c := 0; c < P; c++ {
		for y := 0; y < oh; y++ {
			copy(out[(c*oh+y)*ow:(c*oh+y+1)*ow], inp[(c*H+top+y)*W+left:])
		}
	}
}

// CropBackward adds the gradient of CropForward to dinp.
//
//	dinp [P, H, W], dout [P, oh, ow]
func CropBackward[T matmul.Float](dinp, dout []T, P, H, W, top, left, oh, ow int) {
	for c := 0; c < P; c++ {
		for y := 0; y < oh; y++ {
			di, d := dinp[(c*H+top+y)*W+left:], dout[(c*oh+y)*ow:(c*oh+y+1)*ow]
			for x, g := range d {
				di[x] += g
			}
		}
	}
}
