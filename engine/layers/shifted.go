package layers

import (
	"sync"

	"gradsign/engine/matmul"
)

// Shifted rows: a stride-1 convolution with "same" padding (K = 2·Pad+1 along each axis, as a
// 3×3 with padding 1) runs as an implicit GEMM, with nothing unfolded. Its input is copied once
// into planes padded to Hp×Wp; then the row of im2col for channel ci and tap (ky, kx), read
// over a grid of H rows of Wp columns, is the padded plane itself from ci·plane + ky·Wp + kx
// onward, so the product (matmul.Packed.MulRows) reads it in place. The output comes out H×Wp wide, its last Wp−W
// columns junk, and is narrowed to H×W. The input gradient is the same convolution of the
// padded output gradient with the kernel flipped and transposed, and the weight gradient of
// tap (ky, kx) a product of the output gradient's padded planes (whose junk columns are the
// padding's zeros) with the input's planes from offset ky·Wp + kx: no im2col, no col2im.

// shiftedGeom is the geometry of a shifted convolution.
type shiftedGeom struct {
	kw, pw  int
	wp      int // padded width
	plane   int // the planes' stride: (H+2·Pad)·wp, and zeros after it where the weight gradient reads them
	n       int // positions of the wide grid: H·wp
	l       int // n rounded up to 16 (the dot kernels' step), read by the weight gradient
	taps    int // K·KW
	padCin  int // length of the padded input: Cin planes and slack for the last rows' reach
	padCout int // length of the padded output gradient
}

func (c Conv2d) shiftedGeom() shiftedGeom {
	kw, _, pw := c.Width()
	g := shiftedGeom{kw: kw, pw: pw, wp: c.W + 2*pw, taps: c.K * kw}
	g.n = c.H * g.wp
	g.l = (g.n + 15) / 16 * 16
	// The weight gradient reads the output gradient's plane from (Pad, PadW) for l values:
	// those past the grid must be the plane's own zeros, not the next plane.
	g.plane = max((c.H+2*c.Pad)*g.wp, c.Pad*g.wp+pw+g.l)
	// A tap's row reads l values from its offset in the last plane: past the plane's end by at
	// most l − n + kw − 1 < kw + 16.
	g.padCin, g.padCout = c.Cin*g.plane+kw+16, c.Cout*g.plane+kw+16
	return g
}

// shifted says whether the convolution runs on shifted rows (a 1×1 without stride or padding
// needs no unfolding at all: direct).
func (c Conv2d) shifted() bool {
	kw, sw, pw := c.Width()
	return !c.direct() && c.Stride == 1 && sw == 1 && c.K == 2*c.Pad+1 && kw == 2*pw+1
}

// shiftedColSize is the scratch a shifted convolution needs: the largest of its three passes.
func (c Conv2d) shiftedColSize() int {
	g := c.shiftedGeom()
	forward := g.padCin + c.Cout*g.n
	data := g.padCout + c.Cin*g.n
	weight := g.padCin + g.padCout
	return max(forward, data, weight)
}

// flippedColumns is the table that reads the input gradient's kernel out of the weights where
// they lie: its element (ci, (co, t)) is w[co, ci, taps−1−t] = w[co·Cin·taps + ci·taps +
// taps−1−t], so column (co, t) starts at co·Cin·taps + taps−1−t and its rows are taps apart.
func flippedColumns(cout, cin, taps int) []int {
	key := flippedKey{cout, cin, taps}
	if r, ok := tapRowsCache.Load(key); ok {
		return r.([]int)
	}
	cols := make([]int, 0, cout*taps)
	for co := range cout {
		for t := range taps {
			cols = append(cols, co*cin*taps+taps-1-t)
		}
	}
	r, _ := tapRowsCache.LoadOrStore(key, cols)
	return r.([]int)
}

// tapRowsKey and flippedKey name the tables of tapRows and flippedColumns.
type (
	tapRowsKey struct{ channels, k, kw, wp, plane int }
	flippedKey struct{ cout, cin, taps int }
)

var tapRowsCache sync.Map // tapRowsKey or flippedKey → []int

// tapRows gives, for each row (ch, ky, kx) of an implicit im2col matrix over padded planes,
// where it starts: ch·plane + ky·wp + kx. The offsets depend on the geometry alone and are
// made once.
func tapRows(channels, k, kw, wp, plane int) []int {
	key := tapRowsKey{channels, k, kw, wp, plane}
	if r, ok := tapRowsCache.Load(key); ok {
		return r.([]int)
	}
	rows := make([]int, 0, channels*k*kw)
	for ch := range channels {
		for ky := range k {
			for kx := range kw {
				rows = append(rows, ch*plane+ky*wp+kx)
			}
		}
	}
	r, _ := tapRowsCache.LoadOrStore(key, rows)
	return r.([]int)
}

// padPlanes copies channels planes of h×w from src into dst as planes of rows of wp values,
// plane values apart, each image row after pad rows and padW columns of zeros; everything else
// of dst is zero.
func padPlanes[T matmul.Float](dst, src []T, channels, h, w, pad, padW, wp, plane int) {
	for ch := range channels {
		d := dst[ch*plane : (ch+1)*plane]
		clear(d[:pad*wp+padW])
		s := src[ch*h*w : (ch+1)*h*w]
		for y := range h {
			row := d[(pad+y)*wp+padW:]
			copy(row[:w], s[y*w:(y+1)*w])
			// The right padding of this row and the left of the next; after the last row, the
			// bottom padding and the plane's tail.
			end := w + 2*padW
			if y == h-1 {
				end = len(row)
			}
			clear(row[w:end])
		}
	}
	clear(dst[channels*plane:])
}

func shiftedForward[T matmul.Float](c Conv2d, out, inp []T, pw *matmul.Packed[T], col []T) {
	g := c.shiftedGeom()
	xpad, wide := col[:g.padCin], col[g.padCin:g.padCin+c.Cout*g.n]
	padPlanes(xpad, inp, c.Cin, c.H, c.W, c.Pad, g.pw, g.wp, g.plane)
	pw.MulRows(g.n, xpad, tapRows(c.Cin, c.K, g.kw, g.wp, g.plane), 0, wide)
	hw := c.H * c.W
	for co := range c.Cout {
		narrow(out[co*hw:(co+1)*hw], wide[co*g.n:], c.H, c.W, g.wp)
	}
}

// shiftedBackwardData adds the input gradient: the convolution of the padded output gradient
// with the flipped kernel (pw: PackBackwardData).
func shiftedBackwardData[T matmul.Float](c Conv2d, dinp, dout []T, pw *matmul.Packed[T], col []T) {
	g := c.shiftedGeom()
	dpad := col[:g.padCout]
	wide := col[g.padCout : g.padCout+c.Cin*g.n]
	// With "same" padding the full correlation pads the output gradient as the forward pass
	// pads the input: K−1−Pad = Pad.
	padPlanes(dpad, dout, c.Cout, c.H, c.W, c.Pad, g.pw, g.wp, g.plane)
	pw.MulRows(g.n, dpad, tapRows(c.Cout, c.K, g.kw, g.wp, g.plane), 0, wide)
	hw := c.H * c.W
	for ci := range c.Cin {
		narrowAdd(dinp[ci*hw:(ci+1)*hw], wide[ci*g.n:], c.H, c.W, g.wp)
	}
}

// narrow copies one plane of h×w out of the wide grid of h rows of wp values (the columns past
// w are junk).
func narrow[T matmul.Float](dst, wide []T, h, w, wp int) {
	for y := range h {
		copy(dst[y*w:(y+1)*w], wide[y*wp:y*wp+w])
	}
}

// narrowAdd adds one plane of h×w out of the wide grid to dst.
func narrowAdd[T matmul.Float](dst, wide []T, h, w, wp int) {
	for y := range h {
		d := dst[y*w : (y+1)*w]
		for x, v := range wide[y*wp : y*wp+w] {
			d[x] += v
		}
	}
}

func shiftedWeightGrad[T matmul.Float](c Conv2d, dw, dout, inp, col []T, dwBeta T) {
	g := c.shiftedGeom()
	xpad, dpad := col[:g.padCin], col[g.padCin:g.padCin+g.padCout]
	padPlanes(xpad, inp, c.Cin, c.H, c.W, c.Pad, g.pw, g.wp, g.plane)
	padPlanes(dpad, dout, c.Cout, c.H, c.W, c.Pad, g.pw, g.wp, g.plane)
	// The output gradient over the wide grid: its padded planes from (Pad, PadW), where the
	// columns past W hold the padding's zeros.
	dwide := dpad[c.Pad*g.wp+g.pw:]
	// Tap (ky, kx) adds into dw[co, ci, ky, kx] in place: rows Cin·taps apart, columns taps.
	dw = dw[:c.Cout*c.Cin*g.taps]
	switch dwBeta {
	case 0:
		clear(dw)
	case 1:
	default:
		for i := range dw {
			dw[i] *= dwBeta
		}
	}
	for ky := range c.K {
		for kx := range g.kw {
			t := ky*g.kw + kx
			matmul.GemmNTStrided(c.Cout, c.Cin, g.l, dwide, g.plane, xpad[ky*g.wp+kx:], g.plane, 1, dw[t:], c.Cin*g.taps, g.taps)
		}
	}
}
