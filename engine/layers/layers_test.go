package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// The backward pass of every layer against central finite differences, in float64. Each check
// projects the layer's output on a fixed random tensor R, so L = sum(out·R) is a scalar whose
// gradient with respect to the output is R.

const fdStep = 1e-6

func randn(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// checkGrad compares analytic, the claimed gradient of loss with respect to x, with central
// differences, relative to the largest gradient entry.
func checkGrad(t *testing.T, name string, x, analytic []float64, loss func() float64) {
	t.Helper()
	scale := 1e-8
	for _, g := range analytic {
		scale = max(scale, math.Abs(g))
	}
	for i := range x {
		old := x[i]
		x[i] = old + fdStep
		up := loss()
		x[i] = old - fdStep
		down := loss()
		x[i] = old
		num := (up - down) / (2 * fdStep)
		if d := math.Abs(num - analytic[i]); d > 1e-6*scale+1e-9 {
			t.Fatalf("%s: d/dx[%d] analytic %.10g, numeric %.10g (max |g| %.3g)", name, i, analytic[i], num, scale)
		}
	}
}

func TestConv2dGradients(t *testing.T) {
	for _, c := range []Conv2d{
		{Cin: 3, H: 6, W: 5, Cout: 4, K: 3, Stride: 1, Pad: 1},
		{Cin: 2, H: 7, W: 6, Cout: 3, K: 3, Stride: 2, Pad: 1},
		{Cin: 4, H: 5, W: 5, Cout: 3, K: 1, Stride: 1, Pad: 0},
		{Cin: 2, H: 5, W: 4, Cout: 2, K: 3, Stride: 1, Pad: 0},
		// The NDS cells' factorised convolutions: 1×7 with stride (1, 2), 7×1 with (2, 1).
		{Cin: 2, H: 8, W: 8, Cout: 3, K: 1, Stride: 1, Pad: 0, KW: 7, StrideW: 2, PadW: 3},
		{Cin: 2, H: 8, W: 8, Cout: 3, K: 7, Stride: 2, Pad: 3, KW: 1, StrideW: 1, PadW: 0},
		{Cin: 3, H: 6, W: 7, Cout: 2, K: 1, Stride: 1, Pad: 0, KW: 3, StrideW: 1, PadW: 1},
		// Padding that reaches past a small output: a 7×7 kernel of stride 2 and padding 3 on
		// 2×2 and 1×1 images (ResNet's stem on tiny inputs); most taps read only padding.
		{Cin: 2, H: 2, W: 2, Cout: 3, K: 7, Stride: 2, Pad: 3},
		{Cin: 1, H: 1, W: 1, Cout: 2, K: 7, Stride: 2, Pad: 3},
		{Cin: 2, H: 3, W: 2, Cout: 2, K: 5, Stride: 3, Pad: 2},
		// Shifted rows (stride 1, "same" padding) with channels in fours: the dot kernels' tiles.
		{Cin: 4, H: 5, W: 6, Cout: 8, K: 3, Stride: 1, Pad: 1},
		{Cin: 4, H: 3, W: 3, Cout: 4, K: 5, Stride: 1, Pad: 2},
		{Cin: 8, H: 4, W: 9, Cout: 4, K: 1, Stride: 1, Pad: 0, KW: 7, StrideW: 1, PadW: 3},
		{Cin: 4, H: 8, W: 8, Cout: 4, K: 7, Stride: 1, Pad: 3, KW: 1, StrideW: 1, PadW: 0},
	} {
		t.Run(fmt.Sprintf("%+v", c), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 1))
			inp := randn(rng, c.Cin*c.H*c.W)
			w := randn(rng, c.Cout*c.Cols())
			out := make([]float64, c.Cout*c.OutH()*c.OutW())
			r := randn(rng, len(out))
			col, dcol := make([]float64, c.ColSize()), make([]float64, c.ColSize())
			loss := func() float64 { Conv2dForward(c, out, inp, w, col); return dot(out, r) }
			loss()
			// Against the definition.
			kw, sw, pw := c.Width()
			for co := 0; co < c.Cout; co++ {
				for oy := 0; oy < c.OutH(); oy++ {
					for ox := 0; ox < c.OutW(); ox++ {
						var s float64
						for ci := 0; ci < c.Cin; ci++ {
							for ky := 0; ky < c.K; ky++ {
								for kx := 0; kx < kw; kx++ {
									iy, ix := oy*c.Stride-c.Pad+ky, ox*sw-pw+kx
									if iy >= 0 && iy < c.H && ix >= 0 && ix < c.W {
										s += w[((co*c.Cin+ci)*c.K+ky)*kw+kx] * inp[(ci*c.H+iy)*c.W+ix]
									}
								}
							}
						}
						if got := out[(co*c.OutH()+oy)*c.OutW()+ox]; math.Abs(got-s) > 1e-12 {
							t.Fatalf("out[%d,%d,%d] = %v, want %v", co, oy, ox, got, s)
						}
					}
				}
			}
			dinp := make([]float64, len(inp))
			dw := randn(rng, len(w)) // beta 0 must overwrite whatever is there
			Conv2dWeightGrad(c, dw, r, inp, col, 0)
			Conv2dBackwardData(c, dinp, r, w, dcol)
			checkGrad(t, "conv dinp", inp, dinp, loss)
			checkGrad(t, "conv dw", w, dw, loss)
			// beta 1 accumulates; the input gradient is added, not overwritten.
			want, wantIn := append([]float64(nil), dw...), append([]float64(nil), dinp...)
			Conv2dWeightGrad(c, dw, r, inp, col, 1)
			Conv2dBackwardData(c, dinp, r, w, dcol)
			for i := range dw {
				if math.Abs(dw[i]-2*want[i]) > 1e-12 {
					t.Fatalf("accumulated dw[%d] = %v, want %v", i, dw[i], 2*want[i])
				}
			}
			for i := range dinp {
				if math.Abs(dinp[i]-2*wantIn[i]) > 1e-12 {
					t.Fatalf("accumulated dinp[%d] = %v, want %v", i, dinp[i], 2*wantIn[i])
				}
			}
		})
	}
}

func TestBatchNormGradients(t *testing.T) {
	const B, C, HW = 4, 3, 6
	for _, group := range []int{1, 2, B} {
		t.Run(fmt.Sprint("group", group), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(2, uint64(group)))
			inp, gamma, beta := randn(rng, B*C*HW), randn(rng, C), randn(rng, C)
			out := make([]float64, len(inp))
			r := randn(rng, len(out))
			mean, rstd := make([]float64, B/group*C), make([]float64, B/group*C)
			loss := func() float64 {
				BatchNormForward(out, mean, rstd, inp, gamma, beta, B, C, HW, group, BatchNormEps)
				return dot(out, r)
			}
			loss()
			// The normalised output of each group and channel has mean beta and variance gamma²·var/(var+eps).
			for g := 0; g < B/group; g++ {
				for c := 0; c < C; c++ {
					var s float64
					for b := g * group; b < (g+1)*group; b++ {
						for i := 0; i < HW; i++ {
							s += out[(b*C+c)*HW+i]
						}
					}
					if m := s / float64(group*HW); math.Abs(m-beta[c]) > 1e-12 {
						t.Fatalf("group %d channel %d: mean %v, want %v", g, c, m, beta[c])
					}
				}
			}
			dinp, dgamma, dbeta := make([]float64, len(inp)), make([]float64, C), make([]float64, C)
			BatchNormBackward(dinp, dgamma, dbeta, r, inp, mean, rstd, gamma, nil, B, C, HW, group)
			checkGrad(t, "bn dinp", inp, dinp, loss)
			checkGrad(t, "bn dgamma", gamma, dgamma, loss)
			checkGrad(t, "bn dbeta", beta, dbeta, loss)
		})
	}
}

func TestReLUGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	inp := randn(rng, 50)
	for i := range inp { // keep away from the kink
		if math.Abs(inp[i]) < 1e-3 {
			inp[i] = 0.5
		}
	}
	out, r := make([]float64, len(inp)), randn(rng, len(inp))
	loss := func() float64 { ReLUForward(out, inp); return dot(out, r) }
	dinp := make([]float64, len(inp))
	ReLUBackward(dinp, r, inp)
	checkGrad(t, "relu", inp, dinp, loss)
}

func TestAvgPool3x3(t *testing.T) {
	// count_include_pad=False: a corner averages 4 pixels, an edge 6, the inside 9.
	inp := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	out := make([]float64, 9)
	AvgPool3x3Forward(out, inp, 1, 3, 3)
	want := []float64{3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7}
	for i := range want {
		if math.Abs(out[i]-want[i]) > 1e-15 {
			t.Fatalf("out = %v, want %v", out, want)
		}
	}
	rng := rand.New(rand.NewPCG(4, 4))
	const P, H, W = 2, 5, 4
	inp = randn(rng, P*H*W)
	out, r := make([]float64, len(inp)), randn(rng, len(inp))
	loss := func() float64 { AvgPool3x3Forward(out, inp, P, H, W); return dot(out, r) }
	dinp := make([]float64, len(inp))
	AvgPool3x3Backward(dinp, r, P, H, W)
	checkGrad(t, "avgpool3x3", inp, dinp, loss)
}

func TestAvgPool2x2AndGlobalGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	const P, H, W = 3, 4, 6
	inp := randn(rng, P*H*W)
	out, r := make([]float64, P*H*W/4), randn(rng, P*H*W/4)
	loss := func() float64 { AvgPool2x2Forward(out, inp, P, H, W); return dot(out, r) }
	dinp := make([]float64, len(inp))
	AvgPool2x2Backward(dinp, r, P, H, W)
	checkGrad(t, "avgpool2x2", inp, dinp, loss)

	gout, gr := make([]float64, P), randn(rng, P)
	gloss := func() float64 { GlobalAvgPoolForward(gout, inp, P, H*W); return dot(gout, gr) }
	gd := make([]float64, len(inp))
	GlobalAvgPoolBackward(gd, gr, P, H*W)
	checkGrad(t, "globalavgpool", inp, gd, gloss)
}

// Output sizes with ceil_mode, as PyTorch's pooling_output_shape gives them (its last window
// must start inside the input or its left padding).
func TestPoolCeilSizes(t *testing.T) {
	for _, c := range []struct {
		size, k, stride, pad, floor, ceil int
	}{{112, 3, 2, 0, 55, 56}, {7, 3, 2, 0, 3, 3}, {5, 2, 2, 0, 2, 3}, {4, 3, 2, 1, 2, 3}, {5, 2, 2, 1, 3, 3}, {14, 3, 2, 0, 6, 7}} {
		p := Pool2d{H: c.size, W: c.size, K: c.k, Stride: c.stride, Pad: c.pad}
		if p.OutH() != c.floor {
			t.Errorf("%+v: %d, want %d", p, p.OutH(), c.floor)
		}
		p.Ceil = true
		if p.OutH() != c.ceil || p.OutW() != c.ceil {
			t.Errorf("%+v: %d×%d, want %d", p, p.OutH(), p.OutW(), c.ceil)
		}
	}
}

func TestMaxPoolGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, p := range []Pool2d{{H: 5, W: 6, K: 3, Stride: 1, Pad: 1}, {H: 6, W: 6, K: 2, Stride: 2},
		{H: 7, W: 5, K: 3, Stride: 2, Pad: 1}, {H: 8, W: 8, K: 7, Stride: 1, Pad: 3},
		{H: 6, W: 5, K: 3, Stride: 2, Ceil: true}, {H: 5, W: 4, K: 2, Stride: 2, Pad: 1, Ceil: true}} {
		const P = 2
		inp := randn(rng, P*p.H*p.W) // no ties: the maximum of each window is unique
		out, r := make([]float64, P*p.OutH()*p.OutW()), randn(rng, P*p.OutH()*p.OutW())
		loss := func() float64 { MaxPoolForward(p, out, inp, P); return dot(out, r) }
		dinp := make([]float64, len(inp))
		MaxPoolBackward(p, dinp, r, inp, P)
		checkGrad(t, fmt.Sprintf("maxpool %+v", p), inp, dinp, loss)
		// The tangent is the derivative along a direction: the same routing.
		dir, tan := randn(rng, len(inp)), make([]float64, len(out))
		MaxPoolTangent(p, tan, inp, dir, P)
		if got, want := dot(tan, r), dot(dinp, dir); math.Abs(got-want) > 1e-12*math.Abs(want) {
			t.Errorf("maxpool %+v: tangent·r %v, gradient·direction %v", p, got, want)
		}
	}
}

// TestMaxPoolTies checks PyTorch's CPU rule on the case its README checked in PyTorch: an
// all-zero 4x4 input, where every window ties. The gradient goes to the first element of
// each window in row-major order and never to the padding: for MaxPool2d(3, 1, 1) output
// (y, x) sends it to (max(y-1, 0), max(x-1, 0)), so input row r receives it from 2, 1, 1, 0
// output rows for r = 0, 1, 2, 3 (likewise columns); for MaxPool2d(2, 2) to (2y, 2x).
func TestMaxPoolTies(t *testing.T) {
	ones := func(n int) []float64 {
		x := make([]float64, n)
		for i := range x {
			x[i] = 1
		}
		return x
	}
	rows := []float64{2, 1, 1, 0}
	p := Pool2d{H: 4, W: 4, K: 3, Stride: 1, Pad: 1}
	d := make([]float64, 16)
	MaxPoolBackward(p, d, ones(16), make([]float64, 16), 1)
	for i, g := range d {
		if want := rows[i/4] * rows[i%4]; g != want {
			t.Fatalf("MaxPool2d(3, 1, 1) on zeros: input gradient %v, want %v at %d", d, want, i)
		}
	}
	p = Pool2d{H: 4, W: 4, K: 2, Stride: 2}
	d = make([]float64, 16)
	MaxPoolBackward(p, d, ones(4), make([]float64, 16), 1)
	for i, g := range d {
		want := 0.0
		if i/4%2 == 0 && i%4%2 == 0 {
			want = 1
		}
		if g != want {
			t.Fatalf("MaxPool2d(2, 2) on zeros: input gradient %v, want 1 at even rows and columns", d)
		}
	}
}

func TestDepthwiseGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	for _, d := range []Depthwise{{C: 3, H: 7, W: 6, K: 3, Stride: 1, Pad: 1, Dilate: 1}, {C: 2, H: 8, W: 8, K: 5, Stride: 2, Pad: 2, Dilate: 1},
		{C: 2, H: 8, W: 7, K: 3, Stride: 1, Pad: 2, Dilate: 2}, {C: 3, H: 8, W: 8, K: 5, Stride: 2, Pad: 4, Dilate: 2}} {
		inp, w := randn(rng, d.C*d.H*d.W), randn(rng, d.C*d.K*d.K)
		out, r := make([]float64, d.C*d.OutH()*d.OutW()), randn(rng, d.C*d.OutH()*d.OutW())
		loss := func() float64 { DepthwiseForward(d, out, inp, w); return dot(out, r) }
		dinp, dw := make([]float64, len(inp)), randn(rng, len(w))
		DepthwiseBackwardData(d, dinp, r, w)
		DepthwiseWeightGrad(d, dw, r, inp, 0)
		checkGrad(t, fmt.Sprintf("depthwise %+v input", d), inp, dinp, loss)
		checkGrad(t, fmt.Sprintf("depthwise %+v weight", d), w, dw, loss)
		// dwBeta 1 adds a second sample's gradient to the first's.
		twice := append([]float64(nil), dw...)
		DepthwiseWeightGrad(d, twice, r, inp, 1)
		for i := range dw {
			if math.Abs(twice[i]-2*dw[i]) > 1e-12*(1+math.Abs(dw[i])) {
				t.Fatalf("depthwise %+v: accumulated gradient %v, want %v", d, twice[i], 2*dw[i])
			}
		}
	}
}

func TestAvgPoolAndCropGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, p := range []Pool2d{{H: 6, W: 5, K: 3, Stride: 1, Pad: 1}, {H: 8, W: 8, K: 3, Stride: 2, Pad: 1}, {H: 7, W: 7, K: 2, Stride: 1}} {
		const P = 2
		inp := randn(rng, P*p.H*p.W)
		out, r := make([]float64, P*p.OutH()*p.OutW()), randn(rng, P*p.OutH()*p.OutW())
		loss := func() float64 { AvgPoolForward(p, out, inp, P); return dot(out, r) }
		dinp := make([]float64, len(inp))
		AvgPoolBackward(p, dinp, r, P)
		checkGrad(t, fmt.Sprintf("avgpool %+v", p), inp, dinp, loss)
	}
	// Against the 3x3, stride 1 pool NAS-Bench-201 uses: the same values.
	inp := randn(rng, 2*5*4)
	a, b := make([]float64, len(inp)), make([]float64, len(inp))
	AvgPool3x3Forward(a, inp, 2, 5, 4)
	AvgPoolForward(Pool2d{H: 5, W: 4, K: 3, Stride: 1, Pad: 1}, b, inp, 2)
	for i := range a {
		if math.Abs(a[i]-b[i]) > 1e-15 {
			t.Fatalf("AvgPoolForward %v, AvgPool3x3Forward %v at %d", b[i], a[i], i)
		}
	}
	const P, H, W = 2, 6, 5
	x := randn(rng, P*H*W)
	out, r := make([]float64, P*5*4), randn(rng, P*5*4)
	loss := func() float64 { CropForward(out, x, P, H, W, 1, 1, 5, 4); return dot(out, r) }
	dx := make([]float64, len(x))
	CropBackward(dx, r, P, H, W, 1, 1, 5, 4)
	checkGrad(t, "crop", x, dx, loss)
	loss()
	if out[0] != x[W+1] || out[5*4] != x[H*W+W+1] {
		t.Fatalf("crop from (1, 1): out[0] %v, want x[1][1] %v", out[0], x[W+1])
	}
}

func TestChannelsCopyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	const n, hw = 2, 3
	src, dst, r := randn(rng, n*4*hw), randn(rng, n*5*hw), randn(rng, n*5*hw)
	loss := func() float64 { ChannelsCopy(dst, src, n, hw, 2, 5, 3, 4, 1, false); return dot(dst, r) }
	dsrc := make([]float64, len(src))
	ChannelsCopy(dsrc, r, n, hw, 2, 4, 1, 5, 3, true)
	checkGrad(t, "channels", src, dsrc, loss)
	loss()
	for b := 0; b < n; b++ {
		for c := 0; c < 2; c++ {
			for i := 0; i < hw; i++ {
				if dst[(b*5+3+c)*hw+i] != src[(b*4+1+c)*hw+i] {
					t.Fatalf("sample %d: channel %d of the copy is not channel %d of the source", b, 3+c, 1+c)
				}
			}
		}
	}
}

func TestAddGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	a, b, c := randn(rng, 7), randn(rng, 7), randn(rng, 7)
	out, r := make([]float64, 7), randn(rng, 7)
	loss := func() float64 { AddForward(out, a, b, c); return dot(out, r) }
	da, db, dc := make([]float64, 7), make([]float64, 7), make([]float64, 7)
	AddBackward(r, da, db, dc)
	checkGrad(t, "add a", a, da, loss)
	checkGrad(t, "add b", b, db, loss)
	checkGrad(t, "add c", c, dc, loss)
	out[0] = 1
	AddForward(out)
	if out[0] != 0 {
		t.Fatalf("empty sum = %v, want 0", out[0])
	}
}

func TestLinearGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	const B, I, O = 3, 5, 4
	inp, w, bias := randn(rng, B*I), randn(rng, O*I), randn(rng, O)
	out, r := make([]float64, B*O), randn(rng, B*O)
	loss := func() float64 { LinearForward(out, inp, w, bias, B, I, O); return dot(out, r) }
	dinp, dw, dbias := make([]float64, len(inp)), make([]float64, len(w)), make([]float64, O)
	LinearBackward(dinp, dw, dbias, r, inp, w, B, I, O, 0)
	checkGrad(t, "linear dinp", inp, dinp, loss)
	checkGrad(t, "linear dw", w, dw, loss)
	checkGrad(t, "linear dbias", bias, dbias, loss)
}

func TestSoftmaxCrossEntropyGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const B, K = 3, 10
	logits := randn(rng, B*K)
	labels := []int{3, 0, 9}
	losses, dlogits := make([]float64, B), make([]float64, B*K)
	meanLoss := func() float64 {
		SoftmaxCrossEntropy(losses, make([]float64, B*K), logits, labels, B, K, 1)
		return (losses[0] + losses[1] + losses[2]) / B
	}
	SoftmaxCrossEntropy(losses, dlogits, logits, labels, B, K, 1.0/B)
	checkGrad(t, "cross-entropy", logits, dlogits, meanLoss)
	// The loss of uniform logits is log K.
	SoftmaxCrossEntropy(losses[:1], dlogits[:K], make([]float64, K), []int{2}, 1, K, 1)
	if math.Abs(losses[0]-math.Log(K)) > 1e-15 {
		t.Fatalf("loss of uniform logits = %v, want log %d", losses[0], K)
	}
}

// The tangents (directional derivatives) against central differences along the direction.
func TestBatchNormTangents(t *testing.T) {
	const B, C, HW = 4, 3, 5
	for _, group := range []int{1, B} {
		rng := rand.New(rand.NewPCG(9, uint64(group)))
		inp, dir, gamma, beta := randn(rng, B*C*HW), randn(rng, B*C*HW), randn(rng, C), randn(rng, C)
		dout, doutDir := randn(rng, B*C*HW), randn(rng, B*C*HW)
		G := B / group
		run := func(h float64) (out, dinp []float64) {
			x := make([]float64, len(inp))
			d := make([]float64, len(dout))
			for i := range x {
				x[i] = inp[i] + h*dir[i]
				d[i] = dout[i] + h*doutDir[i]
			}
			out, dinp = make([]float64, len(x)), make([]float64, len(x))
			mean, rstd := make([]float64, G*C), make([]float64, G*C)
			BatchNormForward(out, mean, rstd, x, gamma, beta, B, C, HW, group, BatchNormEps)
			BatchNormBackward(dinp, nil, nil, d, x, mean, rstd, gamma, nil, B, C, HW, group)
			return out, dinp
		}
		const h = 1e-6
		op, dp := run(h)
		om, dm := run(-h)
		mean, rstd := make([]float64, G*C), make([]float64, G*C)
		BatchNormForward(make([]float64, len(inp)), mean, rstd, inp, gamma, beta, B, C, HW, group, BatchNormEps)
		outDot, dinpDot := make([]float64, len(inp)), make([]float64, len(inp))
		BatchNormForwardTangent(outDot, inp, dir, mean, rstd, gamma, B, C, HW, group)
		BatchNormBackwardTangent(dinpDot, doutDir, dout, inp, dir, mean, rstd, gamma, B, C, HW, group)
		for i := range inp {
			if num := (op[i] - om[i]) / (2 * h); math.Abs(num-outDot[i]) > 1e-6*(1+math.Abs(num)) {
				t.Fatalf("group %d: output tangent %d: %v, numeric %v", group, i, outDot[i], num)
			}
			if num := (dp[i] - dm[i]) / (2 * h); math.Abs(num-dinpDot[i]) > 1e-6*(1+math.Abs(num)) {
				t.Fatalf("group %d: input-gradient tangent %d: %v, numeric %v", group, i, dinpDot[i], num)
			}
		}
	}
}

func TestSoftmaxCrossEntropyTangent(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	const B, K = 2, 6
	z, dir := randn(rng, B*K), randn(rng, B*K)
	labels := []int{1, 4}
	at := func(h float64) []float64 {
		x := make([]float64, len(z))
		for i := range x {
			x[i] = z[i] + h*dir[i]
		}
		d := make([]float64, len(z))
		SoftmaxCrossEntropy(make([]float64, B), d, x, labels, B, K, 0.5)
		return d
	}
	const h = 1e-6
	p, m := at(h), at(-h)
	dot := make([]float64, len(z))
	SoftmaxCrossEntropyTangent(dot, z, dir, B, K, 0.5)
	for i := range z {
		if num := (p[i] - m[i]) / (2 * h); math.Abs(num-dot[i]) > 1e-8 {
			t.Fatalf("tangent %d: %v, numeric %v", i, dot[i], num)
		}
	}
}

// Every nonlinearity's backward pass against central differences, away from its kinks, and
// its curvature against differences of the backward pass.
func TestActivationGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, f := range []Activation{{Fn: Clip, A: 0, B: 6}, {Fn: Clip, A: -0.5, B: 0.8}, {Fn: LeakyReLU, A: 0.1},
		{Fn: Sigmoid}, {Fn: HardSigmoid, A: 1.0 / 6, B: 0.5}, {Fn: HardSigmoid, A: 0.2, B: 0.5}, {Fn: HardSwish},
		{Fn: Affine, A: -0.5, B: 2}, {Fn: ELU, A: 1}, {Fn: ELU, A: 0.3}, {Fn: Erf}, {Fn: GELU}} {
		t.Run(fmt.Sprintf("%v_%g_%g", f.Fn, f.A, f.B), func(t *testing.T) {
			inp := randn(rng, 60)
			for i := range inp {
				inp[i] *= 4 // reach the saturated parts
				for _, kink := range []float64{0, float64(f.A), float64(f.B), -3, 3, -2.5, 2.5} {
					if math.Abs(inp[i]-kink) < 1e-3 {
						inp[i] += 0.01
					}
				}
			}
			out, r := make([]float64, len(inp)), randn(rng, len(inp))
			loss := func() float64 { ActivationForward(f, out, inp); return dot(out, r) }
			dinp := make([]float64, len(inp))
			ActivationBackward(f, dinp, r, inp)
			checkGrad(t, "activation", inp, dinp, loss)
			// d/dx of sum(r·f'(x)·v) is r·f''(x)·v.
			v := randn(rng, len(inp))
			back := make([]float64, len(inp))
			rv := make([]float64, len(inp))
			for i := range rv {
				rv[i] = r[i] * v[i]
			}
			curv := make([]float64, len(inp))
			ActivationCurvature(f, curv, r, v, inp)
			checkGrad(t, "curvature", inp, curv, func() float64 {
				clear(back)
				ActivationBackward(f, back, rv, inp)
				var s float64
				for _, b := range back {
					s += b
				}
				return s
			})
		})
	}
	// The forward values PyTorch gives: ReLU6(7) = 6, hardswish(1) = 2/3, hardsigmoid(-4) = 0.
	out := make([]float64, 1)
	for _, c := range []struct {
		f    Activation
		x, y float64
	}{{Activation{Fn: Clip, A: 0, B: 6}, 7, 6}, {Activation{Fn: HardSwish}, 1, 2.0 / 3}, {Activation{Fn: HardSigmoid, A: 1.0 / 6, B: 0.5}, -4, 0},
		{Activation{Fn: ELU, A: 1}, -1, math.Exp(-1) - 1}, {Activation{Fn: GELU}, 1, 0.8413447460685429}, {Activation{Fn: Erf}, 0.5, 0.5204998778130465},
		{Activation{Fn: LeakyReLU, A: 0.01}, -2, -0.02}, {Activation{Fn: Sigmoid}, 0, 0.5}} {
		ActivationForward(c.f, out, []float64{c.x})
		if math.Abs(out[0]-c.y) > 1e-7 {
			t.Errorf("%v(%v) = %v, want %v", c.f.Fn, c.x, out[0], c.y)
		}
	}
}

func TestBiasAndMulGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	const n, c, hw = 2, 3, 5
	inp, bias, r := randn(rng, n*c*hw), randn(rng, c), randn(rng, n*c*hw)
	out := make([]float64, len(inp))
	BiasForward(out, inp, bias, n, c, hw)
	if out[hw+2] != inp[hw+2]+bias[1] {
		t.Errorf("out[%d] = %v, want %v", hw+2, out[hw+2], inp[hw+2]+bias[1])
	}
	for _, bhw := range []int{hw, 1} {
		a, b := randn(rng, n*c*hw), randn(rng, n*c*bhw)
		loss := func() float64 { MulForward(out, a, b, n, c, hw, bhw); return dot(out, r) }
		da, db := make([]float64, len(a)), make([]float64, len(b))
		MulBackward(da, db, r, a, b, nil, n, c, hw, bhw)
		checkGrad(t, fmt.Sprintf("mul da (b of %d a channel)", bhw), a, da, loss)
		checkGrad(t, fmt.Sprintf("mul db (b of %d a channel)", bhw), b, db, loss)
	}
}

// TestDepthwiseFloat32: the float32 passes (the row kernels in AVX-512 where the CPU has it)
// agree with float64 on DARTS's shapes: 3×3 and 5×5, dilated or not, on 32×32 and 8×8 maps,
// and a strided one (direct loops).
func TestDepthwiseFloat32(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, d := range []Depthwise{{C: 4, H: 32, W: 32, K: 3, Stride: 1, Pad: 1, Dilate: 1}, {C: 3, H: 8, W: 8, K: 5, Stride: 1, Pad: 2, Dilate: 1},
		{C: 2, H: 16, W: 16, K: 3, Stride: 1, Pad: 2, Dilate: 2}, {C: 2, H: 8, W: 8, K: 5, Stride: 1, Pad: 4, Dilate: 2}, {C: 2, H: 9, W: 9, K: 3, Stride: 2, Pad: 1, Dilate: 1}} {
		inp, w := randn(rng, d.C*d.H*d.W), randn(rng, d.C*d.K*d.K)
		dout := randn(rng, d.C*d.OutH()*d.OutW())
		out, dinp, dw := make([]float64, len(dout)), make([]float64, len(inp)), make([]float64, len(w))
		DepthwiseForward(d, out, inp, w)
		DepthwiseBackwardData(d, dinp, dout, w)
		DepthwiseWeightGrad(d, dw, dout, inp, 0)
		f32 := func(x []float64) []float32 {
			y := make([]float32, len(x))
			for i, v := range x {
				y[i] = float32(v)
			}
			return y
		}
		out32, dinp32, dw32 := make([]float32, len(out)), make([]float32, len(dinp)), make([]float32, len(dw))
		for i := range dw32 {
			dw32[i] = float32(math.NaN()) // beta 0 overwrites
		}
		DepthwiseForward(d, out32, f32(inp), f32(w))
		DepthwiseBackwardData(d, dinp32, f32(dout), f32(w))
		DepthwiseWeightGrad(d, dw32, f32(dout), f32(inp), 0)
		for _, c := range []struct {
			name string
			got  []float32
			want []float64
		}{{"out", out32, out}, {"dinp", dinp32, dinp}, {"dw", dw32, dw}} {
			for i, v := range c.want {
				if diff := math.Abs(float64(c.got[i]) - v); !(diff <= 1e-4*(1+math.Abs(v))) {
					t.Fatalf("%+v %s[%d] = %v, float64 %v", d, c.name, i, c.got[i], v)
				}
			}
		}
	}
}

// TestReLUForwardEdges: ReLU is max(x, 0) to the bit on every platform's path: NaN stays NaN,
// -0 and negatives become +0, infinities as they are.
func TestReLUForwardEdges(t *testing.T) {
	in := []float32{float32(math.NaN()), float32(math.Copysign(0, -1)), -1, 2, float32(math.Inf(1)), float32(math.Inf(-1)), 0, -1e-45}
	out := make([]float32, len(in))
	ReLUForward(out, in)
	for i, v := range in {
		want := max(v, 0)
		if math.Float32bits(out[i]) != math.Float32bits(want) && !(math.IsNaN(float64(out[i])) && math.IsNaN(float64(want))) {
			t.Errorf("relu(%v) = %v (bits %x), want %v", v, out[i], math.Float32bits(out[i]), want)
		}
	}
}

// TestReLULong: whole activations (the lengths the browser's SIMD module takes, and an odd one
// it leaves to Go) give max(x, 0) and dinp + (dout where x > 0, else +0) to the bit.
func TestReLULong(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	special := []float32{float32(math.NaN()), float32(math.Copysign(0, -1)), 0, float32(math.Inf(1)), float32(math.Inf(-1)), 1e-45, -1e-45}
	same := func(a, b float32) bool {
		return math.Float32bits(a) == math.Float32bits(b) || (math.IsNaN(float64(a)) && math.IsNaN(float64(b)))
	}
	for _, n := range []int{64, 1000, 1001} {
		inp, dout, dinp := make([]float32, n), make([]float32, n), make([]float32, n)
		for i := range inp {
			inp[i], dout[i], dinp[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64()), float32(rng.NormFloat64())
			if rng.IntN(4) == 0 {
				inp[i] = special[rng.IntN(len(special))]
			}
			if rng.IntN(8) == 0 {
				dinp[i] = float32(math.Copysign(0, -1))
			}
		}
		out := make([]float32, n)
		ReLUForward(out, inp)
		want := slices.Clone(dinp)
		for i, v := range inp {
			if !same(out[i], max(v, 0)) {
				t.Fatalf("n=%d: relu(%v) = %v", n, v, out[i])
			}
			if v > 0 {
				want[i] += dout[i]
			} else {
				want[i] += 0
			}
		}
		ReLUBackward(dinp, dout, inp)
		for i := range want {
			if !same(dinp[i], want[i]) {
				t.Fatalf("n=%d: relu backward [%d] = %v (bits %x), want %v (bits %x)", n, i, dinp[i], math.Float32bits(dinp[i]), want[i], math.Float32bits(want[i]))
			}
		}
	}
}
