// Package backendtest is the conformance suite that every backend of package backend runs, as
// testing/fstest.TestFS serves file systems: each operation against central differences and
// against the CPU backend, GradSign end to end on the five PyTorch reference files, and the
// agreement of chunk sizes and worker counts. A backend's package calls it from a test:
//
//	func TestConformance(t *testing.T) { backendtest.Run(t, "webgpu") }
package backendtest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"gradsign/engine/backend"
	"gradsign/engine/backend/cpu"
	"gradsign/engine/gradsign"
	"gradsign/engine/layers"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
	"gradsign/internal/oracle"
	"gradsign/internal/reftest"
)

// Run runs the whole suite on the registered backend of that name, in float32.
func Run(t *testing.T, name string) {
	be, err := backend.New[float32](name, 2)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("Ops", func(t *testing.T) { Ops(t, be) })
	t.Run("References", func(t *testing.T) { References(t, name) })
	t.Run("ChunksAndWorkers", func(t *testing.T) { ChunksAndWorkers(t, name) })
}

// harness runs one operation on the backend under test and on the CPU reference, on the same
// host data.
type harness struct {
	t   *testing.T
	be  backend.Backend[float32]
	ref *cpu.Backend[float32]
	rng *rand.Rand
}

// pair is one tensor on both backends.
type pair struct {
	b, r backend.Buffer
	n    int
}

func (h *harness) put(x []float32) pair {
	p := pair{h.be.Alloc(len(x)), h.ref.Alloc(len(x)), len(x)}
	h.be.Write(p.b, 0, x)
	h.ref.Write(p.r, 0, x)
	return p
}

func (h *harness) rand(n int) pair {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(h.rng.NormFloat64())
	}
	return h.put(x)
}

func (h *harness) get(p pair) (got, want []float32) {
	got = make([]float32, p.n)
	h.be.Read(got, p.b, 0)
	return got, h.ref.Slice(p.r)[:p.n]
}

// same checks that a tensor agrees on the two backends within rel of its largest value.
func (h *harness) same(what string, p pair, rel float64) {
	h.t.Helper()
	got, want := h.get(p)
	scale, worst, at := 0.0, 0.0, 0
	for i := range want {
		scale = max(scale, math.Abs(float64(want[i])))
	}
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); d > worst || d != d {
			worst, at = d, i
		}
	}
	if !(worst <= rel*scale) {
		h.t.Errorf("%s: %s differs from cpu by %.3g at %d (%v vs %v), scale %.3g", what, h.be.Name(), worst, at, got[at], want[at], scale)
	}
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// directional checks a gradient on the backend under test against central differences of a
// scalar loss along a random direction d: <grad, d> against (L(x+εd) - L(x-εd)) / 2ε.
func (h *harness) directional(what string, x pair, grad []float32, eps, rel float64, loss func() float64) {
	h.t.Helper()
	orig, _ := h.get(x)
	orig = append([]float32(nil), orig...)
	d := make([]float32, x.n)
	for i := range d {
		d[i] = float32(h.rng.NormFloat64())
	}
	at := func(s float64) float64 {
		v := make([]float32, x.n)
		for i := range v {
			v[i] = orig[i] + float32(s*float64(d[i]))
		}
		h.be.Write(x.b, 0, v)
		return loss()
	}
	num := (at(eps) - at(-eps)) / (2 * eps)
	h.be.Write(x.b, 0, orig)
	ana := dot(grad, d)
	if math.Abs(num-ana) > rel*(math.Abs(num)+1e-3) {
		h.t.Errorf("%s: gradient along a direction %.6g, central differences %.6g", what, ana, num)
	}
}

// Ops checks every operation of the seam on be against the CPU backend and against central
// differences of its own forward pass.
func Ops(t *testing.T, be backend.Backend[float32]) {
	h := &harness{t: t, be: be, ref: cpu.New[float32](1), rng: rand.New(rand.NewPCG(1, 2))}
	const n = 3
	const tol = 1e-4 // float32 against float32, relative to the tensor's largest value
	for _, g := range []layers.Conv2d{
		{Cin: 3, H: 8, W: 8, Cout: 5, K: 3, Stride: 1, Pad: 1},
		{Cin: 16, H: 8, W: 8, Cout: 16, K: 3, Stride: 1, Pad: 1}, // the shapes of NAS-Bench-201's cells
		{Cin: 4, H: 6, W: 6, Cout: 6, K: 1, Stride: 1},
		{Cin: 4, H: 8, W: 8, Cout: 8, K: 3, Stride: 2, Pad: 1},
		{Cin: 4, H: 8, W: 8, Cout: 4, K: 1, Stride: 1, Pad: 0, KW: 7, StrideW: 2, PadW: 3}, // NDS's 1×7, 7×1
		{Cin: 4, H: 8, W: 8, Cout: 4, K: 7, Stride: 2, Pad: 3, KW: 1, StrideW: 1, PadW: 0},
		{Cin: 3, H: 2, W: 2, Cout: 4, K: 7, Stride: 2, Pad: 3}, // padding past the output: a stem on 2×2 images
	} {
		kw, sw, _ := g.Width()
		t.Run(fmt.Sprintf("conv%dx%d/s%dx%d/%dto%d", g.K, kw, g.Stride, sw, g.Cin, g.Cout), func(t *testing.T) {
			h.t = t
			os, is := g.Cout*g.OutH()*g.OutW(), g.Cin*g.H*g.W
			x, w, r := h.rand(n*is), h.rand(g.Cout*g.Cols()), h.rand(n*os)
			out := h.rand(n * os) // overwritten
			be.Conv2dForward(g, n, out.b, x.b, w.b)
			h.ref.Conv2dForward(g, n, out.r, x.r, w.r)
			h.same("forward", out, tol)
			dinp, dw := h.rand(n*is), h.rand(len(h.ref.Slice(w.r))) // added to
			be.Conv2dBackwardData(g, n, dinp.b, r.b, w.b)
			h.ref.Conv2dBackwardData(g, n, dinp.r, r.r, w.r)
			h.same("backward data", dinp, tol)
			be.Conv2dWeightGrad(g, n, dw.b, r.b, x.b)
			h.ref.Conv2dWeightGrad(g, n, dw.r, r.r, x.r)
			h.same("weight gradient", dw, tol)
			h.signs(g.Cout*g.Cols(), func(s backend.Signs) { be.Conv2dWeightSigns(g, n, s, 0, r.b, x.b) },
				func(s backend.Signs) { h.ref.Conv2dWeightSigns(g, n, s, 0, r.r, x.r) })

			// The convolution is linear: central differences with a unit step are exact but for
			// rounding.
			loss := func() float64 {
				be.Conv2dForward(g, n, out.b, x.b, w.b)
				o, _ := h.get(out)
				rr, _ := h.get(r)
				return dot(o, rr)
			}
			gx, gw := be.Alloc(n*is), be.Alloc(w.n)
			be.Conv2dBackwardData(g, n, gx, r.b, w.b)
			be.Conv2dWeightGrad(g, n, gw, r.b, x.b)
			h.directional("dL/dx", x, read(be, gx, x.n), 1, 1e-3, loss)
			h.directional("dL/dw", w, read(be, gw, w.n), 1, 1e-3, loss)
		})
	}
	// Depthwise convolutions as DARTS's separable (stride 1 and 2) and dilated ones use them.
	for _, g := range []layers.Depthwise{
		{C: 4, H: 8, W: 8, K: 3, Stride: 1, Pad: 1, Dilate: 1},
		{C: 3, H: 8, W: 8, K: 5, Stride: 2, Pad: 2, Dilate: 1},
		{C: 4, H: 8, W: 8, K: 3, Stride: 1, Pad: 2, Dilate: 2},
		{C: 3, H: 8, W: 8, K: 5, Stride: 2, Pad: 4, Dilate: 2},
	} {
		t.Run(fmt.Sprintf("depthwise%dx%d/s%d/d%d", g.K, g.K, g.Stride, g.Dilate), func(t *testing.T) {
			h.t = t
			os, is := g.C*g.OutH()*g.OutW(), g.C*g.H*g.W
			x, w, r := h.rand(n*is), h.rand(g.C*g.K*g.K), h.rand(n*os)
			out := h.rand(n * os) // overwritten
			be.DepthwiseForward(g, n, out.b, x.b, w.b)
			h.ref.DepthwiseForward(g, n, out.r, x.r, w.r)
			h.same("forward", out, tol)
			dinp, dw := h.rand(n*is), h.rand(w.n) // added to
			be.DepthwiseBackwardData(g, n, dinp.b, r.b, w.b)
			h.ref.DepthwiseBackwardData(g, n, dinp.r, r.r, w.r)
			h.same("backward data", dinp, tol)
			be.DepthwiseWeightGrad(g, n, dw.b, r.b, x.b)
			h.ref.DepthwiseWeightGrad(g, n, dw.r, r.r, x.r)
			h.same("weight gradient", dw, tol)
			h.signs(w.n, func(s backend.Signs) { be.DepthwiseWeightSigns(g, n, s, 0, r.b, x.b) },
				func(s backend.Signs) { h.ref.DepthwiseWeightSigns(g, n, s, 0, r.r, x.r) })
			loss := func() float64 {
				be.DepthwiseForward(g, n, out.b, x.b, w.b)
				o, _ := h.get(out)
				rr, _ := h.get(r)
				return dot(o, rr)
			}
			gx, gw := be.Alloc(n*is), be.Alloc(w.n)
			be.DepthwiseBackwardData(g, n, gx, r.b, w.b)
			be.DepthwiseWeightGrad(g, n, gw, r.b, x.b)
			h.directional("dL/dx", x, read(be, gx, x.n), 1, 1e-3, loss)
			h.directional("dL/dw", w, read(be, gw, w.n), 1, 1e-3, loss)
		})
	}
	t.Run("linear", func(t *testing.T) {
		h.t = t
		const in, outs = 12, 5
		x, w, bias, r := h.rand(n*in), h.rand(outs*in), h.rand(outs), h.rand(n*outs)
		out := h.rand(n * outs)
		be.LinearForward(n, in, outs, out.b, x.b, w.b, bias.b)
		h.ref.LinearForward(n, in, outs, out.r, x.r, w.r, bias.r)
		h.same("forward", out, tol)
		dx, dw, db := h.rand(n*in), h.rand(outs*in), h.rand(outs)
		be.LinearBackwardData(n, in, outs, dx.b, r.b, w.b)
		h.ref.LinearBackwardData(n, in, outs, dx.r, r.r, w.r)
		h.same("backward data", dx, tol)
		be.LinearWeightGrad(n, in, outs, dw.b, db.b, r.b, x.b)
		h.ref.LinearWeightGrad(n, in, outs, dw.r, db.r, r.r, x.r)
		h.same("weight gradient", dw, tol)
		h.same("bias gradient", db, tol)
		h.signs(outs*in, func(s backend.Signs) { be.LinearWeightSigns(n, in, outs, s, 0, r.b, x.b) },
			func(s backend.Signs) { h.ref.LinearWeightSigns(n, in, outs, s, 0, r.r, x.r) })
		loss := func() float64 {
			be.LinearForward(n, in, outs, out.b, x.b, w.b, bias.b)
			o, _ := h.get(out)
			rr, _ := h.get(r)
			return dot(o, rr)
		}
		gx, gw, gb := be.Alloc(x.n), be.Alloc(w.n), be.Alloc(outs)
		be.LinearBackwardData(n, in, outs, gx, r.b, w.b)
		be.LinearWeightGrad(n, in, outs, gw, gb, r.b, x.b)
		h.directional("dL/dx", x, read(be, gx, x.n), 1, 1e-3, loss)
		h.directional("dL/dw", w, read(be, gw, w.n), 1, 1e-3, loss)
		h.directional("dL/dbias", bias, read(be, gb, outs), 1, 1e-3, loss)
	})
	for _, group := range []int{1, n} {
		t.Run(fmt.Sprintf("batchnorm/group%d", group), func(t *testing.T) {
			h.t = t
			const c, hw = 4, 10
			x, gamma, beta, r := h.rand(n*c*hw), h.rand(c), h.rand(c), h.rand(n*c*hw)
			out, stats := h.rand(n*c*hw), h.rand(2*n*c)
			be.BatchNormForward(n, c, hw, group, layers.BatchNormEps, out.b, stats.b, x.b, gamma.b, beta.b)
			h.ref.BatchNormForward(n, c, hw, group, layers.BatchNormEps, out.r, stats.r, x.r, gamma.r, beta.r)
			h.same("forward", out, tol)
			dx, dg, db := h.rand(n*c*hw), h.rand(c), h.rand(c)
			be.BatchNormBackward(n, c, hw, group, dx.b, dg.b, db.b, r.b, x.b, stats.b, gamma.b, nil)
			h.ref.BatchNormBackward(n, c, hw, group, dx.r, dg.r, db.r, r.r, x.r, stats.r, gamma.r, nil)
			h.same("backward data", dx, tol)
			h.same("gamma gradient", dg, tol)
			h.same("beta gradient", db, tol)
			loss := func() float64 {
				be.BatchNormForward(n, c, hw, group, layers.BatchNormEps, out.b, stats.b, x.b, gamma.b, beta.b)
				o, _ := h.get(out)
				rr, _ := h.get(r)
				return dot(o, rr)
			}
			loss()
			gx, gg, gb := be.Alloc(x.n), be.Alloc(c), be.Alloc(c)
			be.BatchNormBackward(n, c, hw, group, gx, gg, gb, r.b, x.b, stats.b, gamma.b, nil)
			h.directional("dL/dx", x, read(be, gx, x.n), 1e-2, 1e-2, loss)
			h.directional("dL/dgamma", gamma, read(be, gg, c), 1e-2, 1e-2, loss)
			h.directional("dL/dbeta", beta, read(be, gb, c), 1e-2, 1e-2, loss)
		})
	}
	t.Run("mul/known-mean", func(t *testing.T) {
		// One factor per channel; channel 0's mean of a known (0), channel 1's known (0.5),
		// channel 2's unknown (NaN). Samples' channels whose dout is flat get d·hw·mean exactly
		// where the mean is known, the computed sum elsewhere.
		h.t = t
		const c, hw = 3, 6
		a, b := h.rand(n*c*hw), h.rand(n*c)
		dy := make([]float32, n*c*hw)
		for k := range dy {
			dy[k] = 0.75 // flat everywhere
			if k/hw%c == 1 && k/(c*hw) == 1 {
				dy[k] = float32(h.rng.NormFloat64()) // but sample 1's channel 1
			}
		}
		r := h.put(dy)
		mean := h.put([]float32{0, 0.5, float32(math.NaN())})
		db := h.put(make([]float32, n*c))
		plain := h.ref.Alloc(n * c)
		be.MulBackward(n, c, hw, 1, nil, db.b, r.b, a.b, b.b, mean.b)
		h.ref.MulBackward(n, c, hw, 1, nil, db.r, r.r, a.r, b.r, mean.r)
		h.ref.MulBackward(n, c, hw, 1, nil, plain, r.r, a.r, b.r, nil)
		h.same("factor gradient", db, tol)
		got, _ := h.get(db)
		sums := h.ref.Slice(plain)
		for s := range n {
			for ch := range c {
				want, exact := float32(0), true
				switch {
				case ch == 1 && s == 1, ch == 2:
					want, exact = sums[s*c+ch], false
				case ch == 1:
					want = 0.75 * hw * 0.5
				}
				if exact && got[s*c+ch] != want {
					t.Fatalf("sample %d channel %d: %v, want exactly %v", s, ch, got[s*c+ch], want)
				}
				if !exact && h.ref.Slice(db.r)[s*c+ch] != want {
					t.Fatalf("sample %d channel %d: %v, want the computed sum %v", s, ch, h.ref.Slice(db.r)[s*c+ch], want)
				}
			}
		}
	})
	t.Run("batchnorm/flat", func(t *testing.T) {
		// Per sample: channel 1 of every sample and channel 2 of sample 0 receive one value at
		// every position (exact zero back, counted in flat), channel 3 of every sample zeros (a
		// zero gradient, not counted); the others a varying gradient (computed as usual).
		h.t = t
		const c, hw = 4, 10
		x, gamma, beta := h.rand(n*c*hw), h.rand(c), h.rand(c)
		dy := make([]float32, n*c*hw)
		for b := range n {
			for k := range hw {
				dy[(b*c+0)*hw+k] = float32(h.rng.NormFloat64())
				dy[(b*c+1)*hw+k] = float32(b + 1)
				dy[(b*c+2)*hw+k] = float32(h.rng.NormFloat64())
				if b == 0 {
					dy[(b*c+2)*hw+k] = -0.25
				}
			}
		}
		r := h.put(dy)
		out, stats := h.rand(n*c*hw), h.rand(2*n*c)
		be.BatchNormForward(n, c, hw, 1, layers.BatchNormEps, out.b, stats.b, x.b, gamma.b, beta.b)
		h.ref.BatchNormForward(n, c, hw, 1, layers.BatchNormEps, out.r, stats.r, x.r, gamma.r, beta.r)
		dx, flat := h.put(make([]float32, n*c*hw)), h.put(make([]float32, n*c))
		plain := h.ref.Alloc(n * c * hw)
		be.BatchNormBackward(n, c, hw, 1, dx.b, nil, nil, r.b, x.b, stats.b, gamma.b, flat.b)
		h.ref.BatchNormBackward(n, c, hw, 1, dx.r, nil, nil, r.r, x.r, stats.r, gamma.r, flat.r)
		h.ref.BatchNormBackward(n, c, hw, 1, plain, nil, nil, r.r, x.r, stats.r, gamma.r, nil)
		h.same("backward data", dx, tol)
		h.same("flat counts", flat, 0)
		got, _ := h.get(dx)
		counts, _ := h.get(flat)
		withRule, noise := h.ref.Slice(dx.r), h.ref.Slice(plain)
		for b := range n {
			for ch := range c {
				isFlat := ch == 1 || ch == 2 && b == 0
				if want := map[bool]float32{true: 1, false: 0}[isFlat]; counts[b*c+ch] != want {
					t.Fatalf("sample %d channel %d: flat %v, want %v", b, ch, counts[b*c+ch], want)
				}
				for k := range hw {
					i := (b*c+ch)*hw + k
					if isFlat && got[i] != 0 {
						t.Fatalf("sample %d channel %d: input gradient %v where the exact value is 0", b, ch, got[i])
					}
					if !isFlat && withRule[i] != noise[i] {
						t.Fatalf("sample %d channel %d: %v with the rule, %v without", b, ch, withRule[i], noise[i])
					}
				}
			}
		}
	})
	// The element-wise and pooling ops: forward against the CPU, backward against central
	// differences (all but ReLU are linear; ReLU's inputs stay away from its kink).
	const planes, hh, ww = n * 2, 6, 8
	for _, u := range []unary{
		{"relu", planes * hh * ww, planes * hh * ww,
			func(b backend.Backend[float32], out, inp backend.Buffer) { b.ReLUForward(planes*hh*ww, out, inp) },
			func(b backend.Backend[float32], dinp, dout, inp backend.Buffer) {
				b.ReLUBackward(planes*hh*ww, dinp, dout, inp)
			},
			1e-3, 1e-2, false},
		activation(layers.Activation{Fn: layers.Clip, A: 0, B: 6}, planes*hh*ww),
		activation(layers.Activation{Fn: layers.Clip, A: -0.5, B: 0.8}, planes*hh*ww),
		activation(layers.Activation{Fn: layers.LeakyReLU, A: 0.1}, planes*hh*ww),
		activation(layers.Activation{Fn: layers.Sigmoid}, planes*hh*ww),
		activation(layers.Activation{Fn: layers.HardSigmoid, A: 1.0 / 6, B: 0.5}, planes*hh*ww),
		activation(layers.Activation{Fn: layers.HardSwish}, planes*hh*ww),
		activation(layers.Activation{Fn: layers.Affine, A: -0.5, B: 2}, planes*hh*ww),
		activation(layers.Activation{Fn: layers.ELU, A: 1.5}, planes*hh*ww),
		activation(layers.Activation{Fn: layers.Erf}, planes*hh*ww),
		activation(layers.Activation{Fn: layers.GELU}, planes*hh*ww),
		{"avgpool3x3", planes * hh * ww, planes * hh * ww,
			func(b backend.Backend[float32], out, inp backend.Buffer) {
				b.AvgPool3x3Forward(planes, hh, ww, out, inp)
			},
			func(b backend.Backend[float32], dinp, dout, _ backend.Buffer) {
				b.AvgPool3x3Backward(planes, hh, ww, dinp, dout)
			},
			1, 1e-3, false},
		{"avgpool2x2", planes * hh * ww, planes * hh * ww / 4,
			func(b backend.Backend[float32], out, inp backend.Buffer) {
				b.AvgPool2x2Forward(planes, hh, ww, out, inp)
			},
			func(b backend.Backend[float32], dinp, dout, _ backend.Buffer) {
				b.AvgPool2x2Backward(planes, hh, ww, dinp, dout)
			},
			1, 1e-3, false},
		{"globalavgpool", planes * hh * ww, planes,
			func(b backend.Backend[float32], out, inp backend.Buffer) {
				b.GlobalAvgPoolForward(planes, hh*ww, out, inp)
			},
			func(b backend.Backend[float32], dinp, dout, _ backend.Buffer) {
				b.GlobalAvgPoolBackward(planes, hh*ww, dinp, dout)
			},
			1, 1e-3, false},
		maxPool("maxpool3x3/s1", layers.Pool2d{H: hh, W: ww, K: 3, Stride: 1, Pad: 1}, planes),
		maxPool("maxpool2x2/s2", layers.Pool2d{H: hh, W: ww, K: 2, Stride: 2}, planes),
		maxPool("maxpool3x3/s2", layers.Pool2d{H: hh, W: ww, K: 3, Stride: 2, Pad: 1}, planes),
		maxPool("maxpool5x5/s1", layers.Pool2d{H: hh, W: ww, K: 5, Stride: 1, Pad: 2}, planes),
		maxPool("maxpool3x3/s2/ceil", layers.Pool2d{H: hh, W: ww, K: 3, Stride: 2, Ceil: true}, planes),
		avgPool("avgpool3x3/s2/ceil", layers.Pool2d{H: hh, W: ww, K: 3, Stride: 2, Ceil: true}, planes),
		avgPool("avgpool3x3/s2", layers.Pool2d{H: hh, W: ww, K: 3, Stride: 2, Pad: 1}, planes),
		avgPool("avgpool3x3/s1", layers.Pool2d{H: hh, W: ww, K: 3, Stride: 1, Pad: 1}, planes),
		avgPool("avgpool2x2/s1", layers.Pool2d{H: hh, W: ww, K: 2, Stride: 1}, planes),
		{"crop", planes * hh * ww, planes * (hh - 1) * (ww - 1),
			func(b backend.Backend[float32], out, inp backend.Buffer) {
				b.CropForward(planes, hh, ww, 1, 1, hh-1, ww-1, out, inp)
			},
			func(b backend.Backend[float32], dinp, dout, _ backend.Buffer) {
				b.CropBackward(planes, hh, ww, 1, 1, hh-1, ww-1, dinp, dout)
			},
			1, 1e-3, false},
		// Channels 1..3 of 5 into channels 2..4 of 6 (a concatenation's part, a truncation).
		{"copychannels", n * 5 * 7, n * 6 * 7,
			func(b backend.Backend[float32], out, inp backend.Buffer) {
				b.CopyChannels(n, 7, 3, out, 6, 2, inp, 5, 1, false)
			},
			func(b backend.Backend[float32], dinp, dout, _ backend.Buffer) {
				b.CopyChannels(n, 7, 3, dinp, 5, 1, dout, 6, 2, true)
			},
			1, 1e-3, false},
		{"copy", 20, 20,
			func(b backend.Backend[float32], out, inp backend.Buffer) { b.Copy(out, inp, 20) },
			func(b backend.Backend[float32], dinp, dout, _ backend.Buffer) { b.AddTo(20, dout, dinp) },
			1, 1e-3, false},
	} {
		t.Run(u.name, func(t *testing.T) {
			h.t = t
			x, r, out := h.rand(u.in), h.rand(u.out), h.rand(u.out)
			if u.spaced {
				x = h.put(h.spaced(u.in))
			}
			u.fwd(be, out.b, x.b)
			u.fwd(h.ref, out.r, x.r)
			h.same("forward", out, tol)
			dx := h.rand(u.in)
			u.bwd(be, dx.b, r.b, x.b)
			u.bwd(h.ref, dx.r, r.r, x.r)
			h.same("backward", dx, tol)
			g := be.Alloc(u.in)
			u.bwd(be, g, r.b, x.b)
			h.directional("dL/dx", x, read(be, g, u.in), u.eps, u.rtol, func() float64 {
				u.fwd(be, out.b, x.b)
				o, _ := h.get(out)
				rr, _ := h.get(r)
				return dot(o, rr)
			})
		})
	}
	t.Run("add", func(t *testing.T) {
		h.t = t
		const k = 30
		a, b, c, out := h.rand(k), h.rand(k), h.rand(k), h.rand(k)
		be.Add(k, out.b, a.b, b.b, c.b)
		h.ref.Add(k, out.r, a.r, b.r, c.r)
		h.same("sum of three", out, tol)
		be.Add(k, out.b)
		h.ref.Add(k, out.r)
		h.same("sum of none", out, tol)
		be.AddTo(k, a.b, b.b, c.b)
		h.ref.AddTo(k, a.r, b.r, c.r)
		h.same("spread to first", b, tol)
		h.same("spread to second", c, tol)
	})
	t.Run("bias", func(t *testing.T) {
		h.t = t
		const c, hw = 3, 10
		x, bias, out := h.rand(n*c*hw), h.rand(c), h.rand(n*c*hw)
		be.BiasForward(n, c, hw, out.b, x.b, bias.b)
		h.ref.BiasForward(n, c, hw, out.r, x.r, bias.r)
		h.same("forward", out, tol)
	})
	for _, bhw := range []int{12, 1} {
		t.Run(fmt.Sprintf("mul/b%d", bhw), func(t *testing.T) {
			h.t = t
			const c, hw = 3, 12
			a, b, out, r := h.rand(n*c*hw), h.rand(n*c*bhw), h.rand(n*c*hw), h.rand(n*c*hw)
			be.MulForward(n, c, hw, bhw, out.b, a.b, b.b)
			h.ref.MulForward(n, c, hw, bhw, out.r, a.r, b.r)
			h.same("forward", out, tol)
			da, db := h.rand(a.n), h.rand(b.n)
			be.MulBackward(n, c, hw, bhw, da.b, db.b, r.b, a.b, b.b, nil)
			h.ref.MulBackward(n, c, hw, bhw, da.r, db.r, r.r, a.r, b.r, nil)
			h.same("backward a", da, tol)
			h.same("backward b", db, tol)
			loss := func() float64 {
				be.MulForward(n, c, hw, bhw, out.b, a.b, b.b)
				o, _ := h.get(out)
				rr, _ := h.get(r)
				return dot(o, rr)
			}
			ga, gb := be.Alloc(a.n), be.Alloc(b.n)
			be.MulBackward(n, c, hw, bhw, ga, gb, r.b, a.b, b.b, nil)
			h.directional("dL/da", a, read(be, ga, a.n), 1e-2, 1e-2, loss)
			h.directional("dL/db", b, read(be, gb, b.n), 1e-2, 1e-2, loss)
			gb2 := be.Alloc(b.n)
			be.MulBackward(n, c, hw, bhw, nil, gb2, r.b, a.b, b.b, nil)
			h.same("backward b alone", pair{gb2, gb2cpu(h, n, c, hw, bhw, r, a, b), b.n}, tol)
		})
	}
	t.Run("maxpool/ties", func(t *testing.T) {
		// ReLU outputs: many exact zeros, so windows tie; every backend must route a tied
		// window's gradient to the same input as the CPU (PyTorch's rule).
		h.t = t
		for _, p := range []layers.Pool2d{{H: hh, W: ww, K: 3, Stride: 1, Pad: 1}, {H: hh, W: ww, K: 2, Stride: 2}} {
			x := make([]float32, planes*hh*ww)
			for i := range x {
				x[i] = float32(max(0, h.rng.NormFloat64()-1))
			}
			in, out := h.put(x), h.rand(planes*p.OutH()*p.OutW())
			be.MaxPoolForward(p, planes, out.b, in.b)
			h.ref.MaxPoolForward(p, planes, out.r, in.r)
			h.same(fmt.Sprintf("forward %+v", p), out, 0)
			dx := h.rand(in.n)
			be.MaxPoolBackward(p, planes, dx.b, out.b, in.b)
			h.ref.MaxPoolBackward(p, planes, dx.r, out.r, in.r)
			h.same(fmt.Sprintf("backward %+v", p), dx, tol)
		}
	})
	t.Run("softmaxcrossentropy", func(t *testing.T) {
		h.t = t
		const classes = 7
		labels := []int{0, 6, 3}
		logits, losses, d := h.rand(n*classes), h.rand(n), h.rand(n*classes)
		be.SoftmaxCrossEntropy(n, classes, 1, losses.b, d.b, logits.b, labels)
		h.ref.SoftmaxCrossEntropy(n, classes, 1, losses.r, d.r, logits.r, labels)
		h.same("losses", losses, tol)
		h.same("gradient", d, tol)
		grad := read(be, d.b, d.n)
		h.directional("dL/dlogits", logits, grad, 1e-2, 1e-2, func() float64 {
			be.SoftmaxCrossEntropy(n, classes, 1, losses.b, d.b, logits.b, labels)
			l, _ := h.get(losses)
			var s float64
			for _, v := range l {
				s += float64(v)
			}
			return s
		})
	})
}

// gb2cpu is the CPU's product gradient of b alone (da nil), for the backend's to match.
func gb2cpu(h *harness, n, c, hw, bhw int, r, a, b pair) backend.Buffer {
	g := h.ref.Alloc(b.n)
	h.ref.MulBackward(n, c, hw, bhw, nil, g, r.r, a.r, b.r, nil)
	return g
}

// activation is the unary check of a nonlinearity (its inputs N(0,1): the kinks of clip and
// leaky ReLU among them, as ReLU's are).
func activation(f layers.Activation, count int) unary {
	return unary{fmt.Sprintf("%v(%g,%g)", f.Fn, f.A, f.B), count, count,
		func(b backend.Backend[float32], out, inp backend.Buffer) { b.ActivationForward(f, count, out, inp) },
		func(b backend.Backend[float32], dinp, dout, inp backend.Buffer) {
			b.ActivationBackward(f, count, dinp, dout, inp)
		},
		1e-3, 1e-2, false}
}

// maxPool is the unary check of a max pool, on inputs spaced apart so that the central
// differences' step moves no window's maximum.
func maxPool(name string, p layers.Pool2d, planes int) unary {
	return unary{name, planes * p.H * p.W, planes * p.OutH() * p.OutW(),
		func(b backend.Backend[float32], out, inp backend.Buffer) { b.MaxPoolForward(p, planes, out, inp) },
		func(b backend.Backend[float32], dinp, dout, inp backend.Buffer) {
			b.MaxPoolBackward(p, planes, dinp, dout, inp)
		},
		1e-3, 1e-2, true}
}

// avgPool is the unary check of an average pool (linear: a unit step is exact).
func avgPool(name string, p layers.Pool2d, planes int) unary {
	return unary{name, planes * p.H * p.W, planes * p.OutH() * p.OutW(),
		func(b backend.Backend[float32], out, inp backend.Buffer) { b.AvgPoolForward(p, planes, out, inp) },
		func(b backend.Backend[float32], dinp, dout, _ backend.Buffer) {
			b.AvgPoolBackward(p, planes, dinp, dout)
		},
		1, 1e-3, false}
}

// spaced returns n distinct values 0.05 apart, around zero, in random order.
func (h *harness) spaced(n int) []float32 {
	x := make([]float32, n)
	for i, k := range h.rng.Perm(n) {
		x[i] = 0.05 * float32(k-n/2)
	}
	return x
}

// unary is one element-wise or pooling op of Ops: its input and output lengths, forward,
// backward (adding to dinp), and the step and tolerance of its central differences.
type unary struct {
	name      string
	in, out   int
	fwd       func(b backend.Backend[float32], out, inp backend.Buffer)
	bwd       func(b backend.Backend[float32], dinp, dout, inp backend.Buffer)
	eps, rtol float64
	spaced    bool // inputs spaced apart (max pools) instead of normal
}

func read(be backend.Backend[float32], b backend.Buffer, n int) []float32 {
	out := make([]float32, n)
	be.Read(out, b, 0)
	return out
}

// signs checks a sign fold on the backend under test against the CPU's: equal but for
// weights whose per-sample gradient is within rounding of zero on one of them, at most one in
// a thousand (none on the CPU itself).
func (h *harness) signs(size int, fold, foldRef func(backend.Signs)) {
	h.t.Helper()
	s, sr := h.be.NewSigns([]int{size}), h.ref.NewSigns([]int{size})
	fold(s)
	foldRef(sr)
	got, want := backend.NewSums([]int{size}), backend.NewSums([]int{size})
	h.be.AddSigns(s, got)
	h.ref.AddSigns(sr, want)
	differ, nonzero := 0, 0
	for k := range want.Sum[0] {
		if got.Sum[0][k] != want.Sum[0][k] {
			differ++
		}
		if want.Sum[0][k] != 0 {
			nonzero++
		}
	}
	if nonzero == 0 {
		h.t.Fatal("every sign sum is zero: the check would be empty")
	}
	if differ > size/1000 {
		h.t.Errorf("signs: %d of %d accumulators differ from cpu", differ, size)
	}
}

func relErr(got, want float64) float64 {
	if want == 0 {
		return math.Abs(got)
	}
	return math.Abs(got-want) / math.Abs(want)
}

// References scores every PyTorch reference file on the backend: the float32 score within
// 0.1% of PyTorch's float32 score, and the per-layer breakdown: every layer exactly equal
// where the file's float32 and float64 gradients have the same signs (sign_flips_f32_vs_f64 =
// 0), and otherwise the L1 distance of the per-layer vector within 0.1% of the score. A
// single layer is not held to 0.1% there: the reference's own float32 noise (63,116 sign
// flips against float64 on the all-nor_conv_3x3 net) moves a layer of a few thousand by up
// to 1%.
func References(t *testing.T, name string) {
	reftest.ForEach(t, func(t *testing.T, ref *oracle.Reference) {
		net, x, labels := reftest.Load[float32](t, ref)
		r, err := gradsign.Score(context.Background(), net, x, labels, gradsign.Options{Backend: name})
		if err != nil {
			t.Fatal(err)
		}
		if e := relErr(r.Score, ref.GradSign); e > 1e-3 {
			t.Errorf("float32 score %v, PyTorch %v (%.3g%%)", r.Score, ref.GradSign, 100*e)
		}
		// The structural zeros found from the graph are among the entries the reference
		// finds zero in float64, and the rest of those are exact zeros of the data (a dead
		// ReLU's input), which get sign 0 anyway.
		if ref.StructuralZeros != nil {
			extra := 0
			for _, l := range r.Layers {
				got, want := ref.N*l.StructuralZeros, ref.StructuralZeros[l.Name]
				if got > want {
					t.Errorf("layer %s: %d structural zeros (%d weights × %d samples), more than the %d entries the reference finds zero", l.Name, got, l.StructuralZeros, ref.N, want)
				}
				extra += want - got
			}
			if extra > ref.ExactZeros {
				t.Errorf("the reference finds %d zero entries beyond the structural zeros; only %d of its entries are exactly zero", extra, ref.ExactZeros)
			}
		}
		if len(r.Layers) != len(ref.PerLayer) {
			t.Errorf("%d layers, the reference has %d", len(r.Layers), len(ref.PerLayer))
		}
		var l1 float64
		for _, l := range r.Layers {
			want, ok := ref.PerLayer[l.Name]
			if !ok {
				t.Errorf("layer %s not in the reference", l.Name)
			}
			if ref.SignFlips == 0 && l.Score != want {
				t.Errorf("layer %s: %v, PyTorch %v", l.Name, l.Score, want)
			}
			l1 += math.Abs(l.Score - want)
		}
		// Within 0.1% of the score, or three times PyTorch's own float32-to-float64 noise.
		if tol := max(1e-3*ref.GradSign, 3*ref.PerLayerNoise()); l1 > tol {
			t.Errorf("per-layer scores differ by %v in all (%.3g%% of the score; tolerance %v)", l1, 100*l1/ref.GradSign, tol)
		}
		t.Logf("%s: float32 %v (PyTorch %v), per-layer L1 %v", name, r.Score, ref.GradSign, l1)
	})
}

// ChunksAndWorkers checks that the chunk size and the worker count change how the work is
// cut, never the accumulators.
func ChunksAndWorkers(t *testing.T, name string) {
	a, _ := nb201.ParseArch("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|")
	net, err := network.Build[float32](nb201.Config{Arch: a, C: 8, N: 1, Classes: 10, H: 16, W: 16})
	if err != nil {
		t.Fatal(err)
	}
	net.Init(3)
	const n = 10
	x := make([]float32, n*net.InputSize())
	for i := range x {
		x[i] = float32(math.Sin(float64(i)*0.1) + math.Cos(float64(i)*0.013))
	}
	labels := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	var first *gradsign.Signs
	for _, o := range []gradsign.Options{{Chunk: 1, Workers: 1}, {Chunk: 3, Workers: 1}, {Chunk: n, Workers: 1}, {Chunk: 3, Workers: 2}, {Chunk: 1, Workers: 4}} {
		o.Backend = name
		var last int
		o.Progress = func(done int) {
			if done <= last {
				t.Errorf("progress went from %d to %d", last, done)
			}
			last = done
		}
		s, err := gradsign.Accumulate(context.Background(), net, x, labels, o)
		if err != nil {
			t.Fatal(err)
		}
		if last != n || s.Samples != n {
			t.Fatalf("%+v: progress ended at %d, %d samples", o, last, s.Samples)
		}
		if first == nil {
			first = s
			if s.Result(net).Score == 0 {
				t.Fatal("zero score: the check would be empty")
			}
		} else if !reflect.DeepEqual(s.Sum, first.Sum) {
			t.Fatalf("chunk %d, %d workers: accumulators differ from chunk 1, 1 worker", o.Chunk, o.Workers)
		}
	}
}
