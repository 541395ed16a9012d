package layers

import "gradsign/engine/matmul"

// Conv2d is the geometry of a bias-free 2-D convolution: Cin input channels of H×W, Cout
// output channels, a K×K kernel, stride and zero padding; or, where KW, StrideW and PadW are
// set, a K×KW kernel with Stride and Pad along the height and StrideW and PadW along the width
// (the NDS cells' 1×7 and 7×1 convolutions). Its weight is [Cout, Cin, K, KW].
type Conv2d struct {
	Cin, H, W   int
	Cout, K     int
	Stride, Pad int
	// KW, StrideW, PadW: along the width, when not K, Stride and Pad (0 means the same).
	KW, StrideW, PadW int
}

// Width is the kernel's width, stride and padding along the width.
func (c Conv2d) Width() (kw, stride, pad int) {
	kw, stride, pad = c.K, c.Stride, c.Pad
	if c.KW > 0 {
		kw, stride, pad = c.KW, c.StrideW, c.PadW
	}
	return kw, stride, pad
}

// OutH is the output height.
func (c Conv2d) OutH() int { return (c.H+2*c.Pad-c.K)/c.Stride + 1 }

// OutW is the output width.
func (c Conv2d) OutW() int {
	kw, sw, pw := c.Width()
	return (c.W+2*pw-kw)/sw + 1
}

// Cols is the length of one weight row, Cin·K·KW: the row count of the im2col matrix.
func (c Conv2d) Cols() int {
	kw, _, _ := c.Width()
	return c.Cin * c.K * kw
}

// ColSize is the length of the scratch that the Conv2d functions need for one
// sample; zero for a 1×1, stride 1, unpadded convolution, whose input is its own im2col matrix.
func (c Conv2d) ColSize() int {
	switch {
	case c.direct():
		return 0
	case c.shifted():
		return c.shiftedColSize()
	}
	return c.Cols() * c.OutH() * c.OutW()
}

// MACs is the multiply-accumulate count of one sample: NAS-Bench-201's FLOP count of a
// bias-free convolution.
func (c Conv2d) MACs() int { return c.Cout * c.OutH() * c.OutW() * c.Cols() }

func (c Conv2d) direct() bool {
	kw, sw, pw := c.Width()
	return c.K == 1 && c.Stride == 1 && c.Pad == 0 && kw == 1 && sw == 1 && pw == 0
}

// Conv2dForward computes one sample's convolution.
//
//	out [Cout, OutH, OutW], inp [Cin, H, W], w [Cout, Cin, K, K], col [ColSize] scratch
func Conv2dForward[T matmul.Float](c Conv2d, out, inp, w, col []T) {
	pw := PackForward(c, w)
	defer pw.Release()
	Conv2dForwardPacked(c, out, inp, pw, col)
}

// PackForward packs a convolution's weights for the forward pass of many samples
// (Conv2dForwardPacked).
func PackForward[T matmul.Float](c Conv2d, w []T) *matmul.Packed[T] {
	return matmul.Pack(false, c.Cout, c.Cols(), w)
}

// Conv2dForwardPacked is Conv2dForward with the weights packed by PackForward.
func Conv2dForwardPacked[T matmul.Float](c Conv2d, out, inp []T, pw *matmul.Packed[T], col []T) {
	if c.shifted() {
		shiftedForward(c, out, inp, pw, col)
		return
	}
	hw := c.OutH() * c.OutW()
	if !c.direct() {
		im2col(c, col, inp)
		inp = col
	}
	pw.MulRows(hw, inp, nil, 0, out)
}

// Conv2dWeightGrad computes one sample's weight gradient dw = dout·colᵀ + dwBeta·dw: dwBeta 1
// accumulates over samples, dwBeta 0 gives this sample's gradient alone. col is scratch of
// length ColSize.
//
//	dw [Cout, Cin, K, K], dout [Cout, OutH, OutW], inp [Cin, H, W]
func Conv2dWeightGrad[T matmul.Float](c Conv2d, dw, dout, inp, col []T, dwBeta T) {
	hw := c.OutH() * c.OutW()
	switch {
	case c.direct():
		matmul.GemmNT(c.Cout, c.Cin, hw, dout, inp, dwBeta, dw)
		return
	case c.shifted():
		shiftedWeightGrad(c, dw, dout, inp, col, dwBeta)
		return
	}
	im2col(c, col, inp)
	matmul.GemmNT(c.Cout, c.Cols(), hw, dout, col, dwBeta, dw) // both run along the positions: nothing packed
}

// Conv2dBackwardData adds one sample's input gradient to dinp. dcol is scratch of length
// ColSize.
//
//	dinp [Cin, H, W], dout [Cout, OutH, OutW], w [Cout, Cin, K, K]
func Conv2dBackwardData[T matmul.Float](c Conv2d, dinp, dout, w, dcol []T) {
	pw := PackBackwardData(c, w)
	defer pw.Release()
	Conv2dBackwardDataPacked(c, dinp, dout, pw, dcol)
}

// PackBackwardData packs a convolution's weights for the input gradients of many samples
// (Conv2dBackwardDataPacked): transposed, or, for shifted rows, the kernel flipped and
// transposed.
func PackBackwardData[T matmul.Float](c Conv2d, w []T) *matmul.Packed[T] {
	switch {
	case c.direct():
		return matmul.Pack(true, c.Cin, c.Cout, w)
	case c.shifted():
		taps := c.shiftedGeom().taps
		return matmul.PackOffsets(c.Cin, c.Cout*taps, w, taps, flippedColumns(c.Cout, c.Cin, taps))
	}
	return matmul.Pack(true, c.Cols(), c.Cout, w)
}

// Conv2dBackwardDataPacked is Conv2dBackwardData with the weights packed by PackBackwardData.
func Conv2dBackwardDataPacked[T matmul.Float](c Conv2d, dinp, dout []T, pw *matmul.Packed[T], dcol []T) {
	hw := c.OutH() * c.OutW()
	switch {
	case c.direct():
		pw.MulRows(hw, dout, nil, 1, dinp)
		return
	case c.shifted():
		shiftedBackwardData(c, dinp, dout, pw, dcol)
		return
	}
	pw.MulRows(hw, dout, nil, 0, dcol)
	col2imAdd(c, dinp, dcol)
}

// validCols returns the range [lo, hi) of output columns whose input column
// ox·stride - pad + kx (along the width) lies inside the image: outside it the patch reads
// zero padding.
func validCols(c Conv2d, kx, ow int) (lo, hi int) {
	_, sw, pw := c.Width()
	// ox·stride ≥ pad - kx and ox·stride ≤ W-1 + pad - kx
	lo = min(ow, max(0, (pw-kx+sw-1)/sw)) // padding can reach past the last output column
	if c.W-1+pw-kx < 0 {
		return lo, lo
	}
	hi = min(ow, (c.W-1+pw-kx)/sw+1)
	return lo, max(lo, hi)
}

// im2col lays out every K×KW input patch as a column.
//
//	col [Cin·K·KW, OutH·OutW], inp [Cin, H, W]
func im2col[T matmul.Float](c Conv2d, col, inp []T) {
	oh, ow := c.OutH(), c.OutW()
	kw, sw, pw := c.Width()
	row := 0
	for ci := 0; ci < c.Cin; ci++ {
		plane := inp[ci*c.H*c.W : (ci+1)*c.H*c.W]
		for ky := 0; ky < c.K; ky++ {
			for kx := 0; kx < kw; kx++ {
				dst := col[row*oh*ow : (row+1)*oh*ow]
				row++
				lo, hi := validCols(c, kx, ow)
				for oy := 0; oy < oh; oy++ {
					iy := oy*c.Stride - c.Pad + ky
					d := dst[oy*ow : (oy+1)*ow]
					if iy < 0 || iy >= c.H {
						clear(d)
						continue
					}
					clear(d[:lo])
					clear(d[hi:])
					src := plane[iy*c.W : (iy+1)*c.W]
					if sw == 1 {
						copy(d[lo:hi], src[lo-pw+kx:])
						continue
					}
					for ox := lo; ox < hi; ox++ {
						d[ox] = src[ox*sw-pw+kx]
					}
				}
			}
		}
	}
}

// col2imAdd is the adjoint of im2col: it adds every column back onto the pixels it came from.
//
//	dinp [Cin, H, W], dcol [Cin·K·KW, OutH·OutW]
func col2imAdd[T matmul.Float](c Conv2d, dinp, dcol []T) {
	oh, ow := c.OutH(), c.OutW()
	kw, sw, pw := c.Width()
	row := 0
	for ci := 0; ci < c.Cin; ci++ {
		plane := dinp[ci*c.H*c.W : (ci+1)*c.H*c.W]
		for ky := 0; ky < c.K; ky++ {
			for kx := 0; kx < kw; kx++ {
				src := dcol[row*oh*ow : (row+1)*oh*ow]
				row++
				lo, hi := validCols(c, kx, ow)
				for oy := 0; oy < oh; oy++ {
					iy := oy*c.Stride - c.Pad + ky
					if iy < 0 || iy >= c.H {
						continue
					}
					dst := plane[iy*c.W : (iy+1)*c.W]
					s := src[oy*ow : (oy+1)*ow]
					if sw == 1 {
						d := dst[lo-pw+kx : hi-pw+kx]
						for i, v := range s[lo:hi] {
							d[i] += v
						}
						continue
					}
					for ox := lo; ox < hi; ox++ {
						dst[ox*sw-pw+kx] += s[ox]
					}
				}
			}
		}
	}
}
