package layers

import "gradsign/engine/matmul"

// AvgPool3x3Forward is AvgPool2d(3, stride 1, padding 1, count_include_pad=False) over P planes
// of H×W: each output is the mean of the real pixels of its window (4 at a corner, 6 on an
// edge, 9 inside).
//
//	out, inp [P, H, W]
func AvgPool3x3Forward[T matmul.Float](out, inp []T, P, H, W int) {
	for p := 0; p < P; p++ {
		in, o := inp[p*H*W:(p+1)*H*W], out[p*H*W:(p+1)*H*W]
		for y := 0; y < H; y++ {
			y0, y1 := max(y-1, 0), min(y+1, H-1)
			for x := 0; x < W; x++ {
				x0, x1 := max(x-1, 0), min(x+1, W-1)
				var s T
				for yy := y0; yy <= y1; yy++ {
					for xx := x0; xx <= x1; xx++ {
						s += in[yy*W+xx]
					}
				}
				o[y*W+x] = s / T((y1-y0+1)*(x1-x0+1))
			}
		}
	}
}

// AvgPool3x3Backward adds the gradient of AvgPool3x3Forward to dinp.
//
//	dinp, dout [P, H, W]
func AvgPool3x3Backward[T matmul.Float](dinp, dout []T, P, H, W int) {
	for p := 0; p < P; p++ {
		di, d := dinp[p*H*W:(p+1)*H*W], dout[p*H*W:(p+1)*H*W]
		for y := 0; y < H; y++ {
			y0, y1 := max(y-1, 0), min(y+1, H-1)
			for x := 0; x < W; x++ {
				x0, x1 := max(x-1, 0), min(x+1, W-1)
				g := d[y*W+x] / T((y1-y0+1)*(x1-x0+1))
				for yy := y0; yy <= y1; yy++ {
					for xx := x0; xx <= x1; xx++ {
						di[yy*W+xx] += g
					}
				}
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
