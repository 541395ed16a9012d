// Package cpu is the engine's reference backend: buffers in host memory, the layers of package
// layers, and the matrix products of package matmul (AVX-512 or AVX2 assembly on amd64, Go
// elsewhere). Convolutions spread their samples over goroutines; weight gradients summed over
// a chunk are added up per goroutine first, which changes their rounding, not their value.
//
// It registers itself as "cpu" with package backend.
package cpu

import (
	"sync"

	"gradsign/engine/backend"
	"gradsign/engine/layers"
	"gradsign/engine/matmul"
)

func init() {
	backend.Register("cpu", backend.Factory{
		F32: func(threads int) (backend.Backend[float32], error) { return New[float32](threads), nil },
		F64: func(threads int) (backend.Backend[float64], error) { return New[float64](threads), nil },
	})
}

// buf is a host buffer.
type buf[T matmul.Float] struct{ d []T }

func (b *buf[T]) Len() int { return len(b.d) }

// Backend is the CPU backend. It implements backend.Backend and backend.Host.
type Backend[T matmul.Float] struct {
	threads int
	scratch []scratch[T] // one per goroutine, grown on demand
}

// scratch is one goroutine's buffers: im2col columns, a weight gradient, and sign sums.
type scratch[T matmul.Float] struct{ col, dw []T }

// New returns a CPU backend that spreads a chunk's samples over up to threads goroutines
// (at least one).
func New[T matmul.Float](threads int) *Backend[T] {
	threads = max(threads, 1)
	return &Backend[T]{threads: threads, scratch: make([]scratch[T], threads)}
}

// Name is "cpu".
func (*Backend[T]) Name() string { return "cpu" }

func (*Backend[T]) Alloc(n int) backend.Buffer { return &buf[T]{make([]T, n)} }

// Slice returns the buffer's values (backend.Host).
func (*Backend[T]) Slice(b backend.Buffer) []T { return b.(*buf[T]).d }

func (*Backend[T]) Write(dst backend.Buffer, off int, src []T) { copy(dst.(*buf[T]).d[off:], src) }
func (*Backend[T]) Read(dst []T, src backend.Buffer, off int)  { copy(dst, src.(*buf[T]).d[off:]) }
func (*Backend[T]) Zero(b backend.Buffer, n int)               { clear(b.(*buf[T]).d[:n]) }
func (*Backend[T]) Copy(dst, src backend.Buffer, n int) {
	copy(dst.(*buf[T]).d[:n], src.(*buf[T]).d[:n])
}

func s[T matmul.Float](b backend.Buffer) []T {
	if b == nil {
		return nil
	}
	return b.(*buf[T]).d
}

// grow returns a slice of n values of *p, enlarging it if needed.
func grow[T matmul.Float](p *[]T, n int) []T {
	if cap(*p) < n {
		*p = make([]T, n)
	}
	return (*p)[:n]
}

// parallel runs fn on contiguous ranges of n samples, one goroutine each (one range when the
// backend has one thread or the chunk one sample).
func (be *Backend[T]) parallel(n int, fn func(t, from, to int)) {
	k := min(be.threads, n)
	if k <= 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for t := range k {
		wg.Go(func() { fn(t, t*n/k, (t+1)*n/k) })
	}
	wg.Wait()
}

// sumBlock is how many samples one partial weight gradient sums before it is added to the
// total. The partials are added in sample order, so a mini-batch gradient's rounding depends on
// the samples alone, never on the thread count: the mini-batch proxies are the same to the last
// bit for any --workers.
const sumBlock = 8

// parallelSum adds body's sums over n samples into total: blocks of sumBlock samples, each
// summed from zero into one goroutine's scratch (up to be.threads blocks at once), then added
// into total in block order.
func (be *Backend[T]) parallelSum(n int, total []T, body func(t int, dw []T, from, to int)) {
	blocks := (n + sumBlock - 1) / sumBlock
	k := min(be.threads, blocks)
	for first := 0; first < blocks; first += k {
		round := min(k, blocks-first)
		block := func(t int) {
			dw := grow(&be.scratch[t].dw, len(total))
			clear(dw)
			from := (first + t) * sumBlock
			body(t, dw, from, min(from+sumBlock, n))
		}
		if round == 1 {
			block(0)
		} else {
			var wg sync.WaitGroup
			for t := range round {
				wg.Go(func() { block(t) })
			}
			wg.Wait()
		}
		for t := range round {
			for i, v := range be.scratch[t].dw[:len(total)] {
				total[i] += v
			}
		}
	}
}

func (be *Backend[T]) Conv2dForward(g layers.Conv2d, n int, out, inp, w backend.Buffer) {
	o, in, wt := s[T](out), s[T](inp), s[T](w)
	os, is := g.Cout*g.OutH()*g.OutW(), g.Cin*g.H*g.W
	pw := layers.PackForward(g, wt) // once for the chunk
	defer pw.Release()
	be.parallel(n, func(t, from, to int) {
		col := grow(&be.scratch[t].col, g.ColSize())
		for b := from; b < to; b++ {
			layers.Conv2dForwardPacked(g, o[b*os:(b+1)*os], in[b*is:(b+1)*is], pw, col)
		}
	})
}

func (be *Backend[T]) Conv2dBackwardData(g layers.Conv2d, n int, dinp, dout, w backend.Buffer) {
	di, d, wt := s[T](dinp), s[T](dout), s[T](w)
	os, is := g.Cout*g.OutH()*g.OutW(), g.Cin*g.H*g.W
	pw := layers.PackBackwardData(g, wt) // once for the chunk
	defer pw.Release()
	be.parallel(n, func(t, from, to int) {
		col := grow(&be.scratch[t].col, g.ColSize())
		for b := from; b < to; b++ {
			layers.Conv2dBackwardDataPacked(g, di[b*is:(b+1)*is], d[b*os:(b+1)*os], pw, col)
		}
	})
}

func (be *Backend[T]) Conv2dWeightGrad(g layers.Conv2d, n int, dw, dout, inp backend.Buffer) {
	d, in := s[T](dout), s[T](inp)
	os, is := g.Cout*g.OutH()*g.OutW(), g.Cin*g.H*g.W
	be.parallelSum(n, s[T](dw), func(t int, dw []T, from, to int) {
		col := grow(&be.scratch[t].col, g.ColSize())
		for b := from; b < to; b++ {
			layers.Conv2dWeightGrad(g, dw, d[b*os:(b+1)*os], in[b*is:(b+1)*is], col, 1)
		}
	})
}

func (be *Backend[T]) Conv2dWeightSigns(g layers.Conv2d, n int, sg backend.Signs, layer int, dout, inp backend.Buffer) {
	d, in, acc := s[T](dout), s[T](inp), sg.(*signs)
	os, is := g.Cout*g.OutH()*g.OutW(), g.Cin*g.H*g.W
	be.parallel(n, func(t, from, to int) {
		sc := &be.scratch[t]
		col := grow(&sc.col, g.ColSize())
		dw := grow(&sc.dw, acc.sizes[layer])
		for b := from; b < to; b++ {
			layers.Conv2dWeightGrad(g, dw, d[b*os:(b+1)*os], in[b*is:(b+1)*is], col, 0)
			Fold(acc.part(t), layer, dw)
		}
	})
}

func (be *Backend[T]) DepthwiseForward(g layers.Depthwise, n int, out, inp, w backend.Buffer) {
	o, in, wt := s[T](out), s[T](inp), s[T](w)
	os, is := g.C*g.OutH()*g.OutW(), g.C*g.H*g.W
	be.parallel(n, func(_, from, to int) {
		for b := from; b < to; b++ {
			layers.DepthwiseForward(g, o[b*os:(b+1)*os], in[b*is:(b+1)*is], wt)
		}
	})
}

func (be *Backend[T]) DepthwiseBackwardData(g layers.Depthwise, n int, dinp, dout, w backend.Buffer) {
	di, d, wt := s[T](dinp), s[T](dout), s[T](w)
	os, is := g.C*g.OutH()*g.OutW(), g.C*g.H*g.W
	be.parallel(n, func(_, from, to int) {
		for b := from; b < to; b++ {
			layers.DepthwiseBackwardData(g, di[b*is:(b+1)*is], d[b*os:(b+1)*os], wt)
		}
	})
}

func (be *Backend[T]) DepthwiseWeightGrad(g layers.Depthwise, n int, dw, dout, inp backend.Buffer) {
	d, in := s[T](dout), s[T](inp)
	os, is := g.C*g.OutH()*g.OutW(), g.C*g.H*g.W
	be.parallelSum(n, s[T](dw), func(_ int, dw []T, from, to int) {
		for b := from; b < to; b++ {
			layers.DepthwiseWeightGrad(g, dw, d[b*os:(b+1)*os], in[b*is:(b+1)*is], 1)
		}
	})
}

func (be *Backend[T]) DepthwiseWeightSigns(g layers.Depthwise, n int, sg backend.Signs, layer int, dout, inp backend.Buffer) {
	d, in, acc := s[T](dout), s[T](inp), sg.(*signs)
	os, is := g.C*g.OutH()*g.OutW(), g.C*g.H*g.W
	be.parallel(n, func(t, from, to int) {
		dw := grow(&be.scratch[t].dw, acc.sizes[layer])
		for b := from; b < to; b++ {
			layers.DepthwiseWeightGrad(g, dw, d[b*os:(b+1)*os], in[b*is:(b+1)*is], 0)
			Fold(acc.part(t), layer, dw)
		}
	})
}

func (be *Backend[T]) LinearForward(n, in, outs int, out, inp, w, bias backend.Buffer) {
	layers.LinearForward(s[T](out)[:n*outs], s[T](inp), s[T](w), s[T](bias), n, in, outs)
}

func (be *Backend[T]) LinearBackwardData(n, in, outs int, dinp, dout, w backend.Buffer) {
	layers.LinearBackward(s[T](dinp), nil, nil, s[T](dout), nil, s[T](w), n, in, outs, 1)
}

func (be *Backend[T]) LinearWeightGrad(n, in, outs int, dw, dbias, dout, inp backend.Buffer) {
	layers.LinearBackward(nil, s[T](dw), s[T](dbias), s[T](dout), s[T](inp), nil, n, in, outs, 1)
}

func (be *Backend[T]) LinearWeightSigns(n, in, outs int, sg backend.Signs, layer int, dout, inp backend.Buffer) {
	d, x, acc := s[T](dout), s[T](inp), sg.(*signs)
	dw := grow(&be.scratch[0].dw, in*outs)
	for b := 0; b < n; b++ {
		layers.LinearBackward(nil, dw, nil, d[b*outs:(b+1)*outs], x[b*in:(b+1)*in], nil, 1, in, outs, 0)
		Fold(acc.part(0), layer, dw)
	}
}

func (be *Backend[T]) BatchNormForward(n, c, hw, group int, eps float64, out, stats, inp, gamma, beta backend.Buffer) {
	mean, rstd := backend.SplitStats(s[T](stats), n/group, c)
	layers.BatchNormForward(s[T](out)[:n*c*hw], mean, rstd, s[T](inp)[:n*c*hw], s[T](gamma), s[T](beta), n, c, hw, group, eps)
}

func (be *Backend[T]) BatchNormBackward(n, c, hw, group int, dinp, dgamma, dbeta, dout, inp, stats, gamma, flat backend.Buffer) {
	mean, rstd := backend.SplitStats(s[T](stats), n/group, c)
	var f []T
	if flat != nil {
		f = s[T](flat)[:n*c]
	}
	layers.BatchNormBackward(s[T](dinp)[:n*c*hw], s[T](dgamma), s[T](dbeta), s[T](dout), s[T](inp)[:n*c*hw], mean, rstd, s[T](gamma), f, n, c, hw, group)
}

func (be *Backend[T]) ReLUForward(count int, out, inp backend.Buffer) {
	layers.ReLUForward(s[T](out)[:count], s[T](inp))
}

func (be *Backend[T]) ReLUBackward(count int, dinp, dout, inp backend.Buffer) {
	layers.ReLUBackward(s[T](dinp)[:count], s[T](dout), s[T](inp))
}

func (be *Backend[T]) ActivationForward(f layers.Activation, count int, out, inp backend.Buffer) {
	layers.ActivationForward(f, s[T](out)[:count], s[T](inp))
}

func (be *Backend[T]) ActivationBackward(f layers.Activation, count int, dinp, dout, inp backend.Buffer) {
	layers.ActivationBackward(f, s[T](dinp)[:count], s[T](dout), s[T](inp))
}

func (be *Backend[T]) BiasForward(n, c, hw int, out, inp, bias backend.Buffer) {
	layers.BiasForward(s[T](out), s[T](inp), s[T](bias), n, c, hw)
}

func (be *Backend[T]) MulForward(n, c, hw, bhw int, out, a, b backend.Buffer) {
	layers.MulForward(s[T](out), s[T](a), s[T](b), n, c, hw, bhw)
}

func (be *Backend[T]) MulBackward(n, c, hw, bhw int, da, db, dout, a, b, aMean backend.Buffer) {
	layers.MulBackward(s[T](da), s[T](db), s[T](dout), s[T](a), s[T](b), s[T](aMean), n, c, hw, bhw)
}

func (be *Backend[T]) AvgPool3x3Forward(planes, h, w int, out, inp backend.Buffer) {
	layers.AvgPool3x3Forward(s[T](out), s[T](inp), planes, h, w)
}

func (be *Backend[T]) AvgPool3x3Backward(planes, h, w int, dinp, dout backend.Buffer) {
	layers.AvgPool3x3Backward(s[T](dinp), s[T](dout), planes, h, w)
}

func (be *Backend[T]) AvgPool2x2Forward(planes, h, w int, out, inp backend.Buffer) {
	layers.AvgPool2x2Forward(s[T](out), s[T](inp), planes, h, w)
}

func (be *Backend[T]) AvgPool2x2Backward(planes, h, w int, dinp, dout backend.Buffer) {
	layers.AvgPool2x2Backward(s[T](dinp), s[T](dout), planes, h, w)
}

func (be *Backend[T]) MaxPoolForward(p layers.Pool2d, planes int, out, inp backend.Buffer) {
	layers.MaxPoolForward(p, s[T](out), s[T](inp), planes)
}

func (be *Backend[T]) MaxPoolBackward(p layers.Pool2d, planes int, dinp, dout, inp backend.Buffer) {
	layers.MaxPoolBackward(p, s[T](dinp), s[T](dout), s[T](inp), planes)
}

func (be *Backend[T]) AvgPoolForward(p layers.Pool2d, planes int, out, inp backend.Buffer) {
	layers.AvgPoolForward(p, s[T](out), s[T](inp), planes)
}

func (be *Backend[T]) AvgPoolBackward(p layers.Pool2d, planes int, dinp, dout backend.Buffer) {
	layers.AvgPoolBackward(p, s[T](dinp), s[T](dout), planes)
}

func (be *Backend[T]) CropForward(planes, h, w, top, left, oh, ow int, out, inp backend.Buffer) {
	layers.CropForward(s[T](out), s[T](inp), planes, h, w, top, left, oh, ow)
}

func (be *Backend[T]) CropBackward(planes, h, w, top, left, oh, ow int, dinp, dout backend.Buffer) {
	layers.CropBackward(s[T](dinp), s[T](dout), planes, h, w, top, left, oh, ow)
}

func (be *Backend[T]) CopyChannels(n, hw, count int, dst backend.Buffer, dstC, dstOff int, src backend.Buffer, srcC, srcOff int, add bool) {
	layers.ChannelsCopy(s[T](dst), s[T](src), n, hw, count, dstC, dstOff, srcC, srcOff, add)
}

func (be *Backend[T]) GlobalAvgPoolForward(planes, hw int, out, inp backend.Buffer) {
	layers.GlobalAvgPoolForward(s[T](out), s[T](inp), planes, hw)
}

func (be *Backend[T]) GlobalAvgPoolBackward(planes, hw int, dinp, dout backend.Buffer) {
	layers.GlobalAvgPoolBackward(s[T](dinp), s[T](dout), planes, hw)
}

func (be *Backend[T]) Add(count int, out backend.Buffer, ins ...backend.Buffer) {
	var views [4][]T
	vs := views[:0]
	for _, in := range ins {
		vs = append(vs, s[T](in)[:count])
	}
	layers.AddForward(s[T](out)[:count], vs...)
}

func (be *Backend[T]) AddTo(count int, dout backend.Buffer, dins ...backend.Buffer) {
	var views [4][]T
	vs := views[:0]
	for _, d := range dins {
		vs = append(vs, s[T](d)[:count])
	}
	layers.AddBackward(s[T](dout)[:count], vs...)
}

func (be *Backend[T]) SoftmaxCrossEntropy(n, classes int, scale T, losses, dlogits, logits backend.Buffer, labels []int) {
	layers.SoftmaxCrossEntropy(s[T](losses), s[T](dlogits), s[T](logits), labels, n, classes, scale)
}

// signs are the CPU's accumulators: one set per goroutine of the backend, made on its first
// fold and added up when read.
type signs struct {
	sizes []int
	mu    sync.Mutex // the backend's goroutines fold at once: parts grows under it
	parts []*backend.Sums
}

func (sg *signs) Layers() []int { return sg.sizes }

// part is goroutine t's accumulators.
func (sg *signs) part(t int) *backend.Sums {
	sg.mu.Lock()
	defer sg.mu.Unlock()
	for len(sg.parts) <= t {
		sg.parts = append(sg.parts, backend.NewSums(sg.sizes))
	}
	return sg.parts[t]
}

func (be *Backend[T]) NewSigns(sizes []int) backend.Signs {
	return &signs{sizes: sizes}
}

func (be *Backend[T]) AddSigns(sg backend.Signs, into *backend.Sums) {
	for _, p := range sg.(*signs).parts {
		into.Add(p)
	}
}

// Fold adds the sign of one sample's gradient of a layer's weights: +1, -1, or 0 for a zero
// gradient (sign(0) = 0); a NaN adds nothing and is noted.
func Fold[T matmul.Float](s *backend.Sums, layer int, grad []T) {
	acc := s.Sum[layer][:len(grad)]
	var nan bool
	if g32, ok := any(grad).([]float32); ok {
		nan = foldSigns32(acc, g32)
	} else {
		nan = foldSignsGo(acc, grad)
	}
	if !nan {
		return
	}
	if s.NaN[layer] == nil {
		s.NaN[layer] = make([]bool, len(acc))
	}
	for k, g := range grad {
		if g != g {
			s.NaN[layer][k] = true
		}
	}
}

// foldSignsGo adds sign(grad[k]) to acc[k], branch-free (sign(NaN) adds 0), and reports
// whether grad holds a NaN.
func foldSignsGo[T matmul.Float](acc []int32, grad []T) bool {
	acc = acc[:len(grad)]
	nan := false
	for k, g := range grad {
		acc[k] += int32(b2i(g > 0) - b2i(g < 0))
		nan = nan || g != g
	}
	return nan
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
