package network

import (
	"fmt"
	"sync"

	"gradsign/engine/matmul"
)

// BatchNormMode says over what BatchNorm takes its statistics.
type BatchNormMode uint8

const (
	// PerSample normalises each sample by its own statistics, as a batch of one does: what
	// GradSign's per-sample gradients need.
	PerSample BatchNormMode = iota
	// MiniBatch normalises by the statistics of the whole batch: what the mini-batch proxies
	// (snip, grasp, fisher, ...) use.
	MiniBatch
)

// Workspace holds everything that changes while a Network runs a batch of up to B samples:
// activations and their gradients, BatchNorm statistics, parameter gradients and scratch.
// One goroutine uses it at a time.
type Workspace[T matmul.Float] struct {
	net  *Network[T]
	B    int // capacity in samples
	n    int // samples in the current batch
	mode BatchNormMode

	val, grad [][]T // per slot, [B, C, H, W]
	stats     [][]T // per op: BatchNorm mean and rstd
	pgrad     [][]T // per parameter: gradients summed over the batch (nil for buffers)
	col, dcol []T   // im2col scratch of the largest convolution
	wgrad     []T   // one sample's gradient of one weight
	views     [][]T // scratch for the inputs of a sum, so a pass allocates nothing
	tmp       []T   // one sample of the largest value

	// PerSampleWeightGrad, when set, receives each sample's gradient of every Conv2d and
	// Linear weight during Backward (param indexes Params; grad is reused after the call
	// returns), and those gradients are not summed into ParamGrad.
	PerSampleWeightGrad func(param, sample int, grad []T)
	// InputGrad asks Backward for the gradient of the input (the first convolution skips it
	// otherwise).
	InputGrad bool
	// SkipBatchNorm makes every BatchNorm the identity, as synflow's network without
	// BatchNorm has it.
	SkipBatchNorm bool

	scratch []scratch[T] // per goroutine of the convolutions, with SetThreads

	// Tangents for HessianVector, allocated on first use.
	vdot, gdot [][]T // per slot: tangents of the values and of their gradients
	pdot       [][]T // per parameter: tangent of its summed gradient (weights only)
	wdot       [][]T // per parameter: the direction (nil: held fixed)
}

// scratch is one goroutine's buffers for the convolutions of a batch.
type scratch[T matmul.Float] struct{ col, dcol, dw, tmp []T }

// SetThreads spreads the convolutions' samples over k goroutines (default 1). Weight
// gradients summed over the batch are then added up per goroutine first, which changes their
// rounding, not their value; per-sample weight gradients (PerSampleWeightGrad) stay on one
// goroutine, in order.
func (ws *Workspace[T]) SetThreads(k int) {
	ws.scratch = nil
	if k < 2 {
		return
	}
	ws.scratch = make([]scratch[T], k)
	for t := range ws.scratch {
		ws.scratch[t] = scratch[T]{make([]T, len(ws.col)), make([]T, len(ws.dcol)), make([]T, len(ws.wgrad)), make([]T, len(ws.tmp))}
	}
}

func (ws *Workspace[T]) threaded() bool { return len(ws.scratch) > 1 && ws.n > 1 }

// parallel runs fn on contiguous ranges of the batch's samples, one goroutine each (a range
// may be empty).
func (ws *Workspace[T]) parallel(fn func(s *scratch[T], from, to int)) {
	var wg sync.WaitGroup
	k := len(ws.scratch)
	for t := range ws.scratch {
		wg.Go(func() { fn(&ws.scratch[t], t*ws.n/k, (t+1)*ws.n/k) })
	}
	wg.Wait()
}

// parallelSum runs body over the samples split across the goroutines as parallel does, each
// summing into its own cleared dw (len(total) values of its scratch), then adds those sums
// into total: weight gradients and their tangents summed over a batch without sharing memory.
func (ws *Workspace[T]) parallelSum(total []T, body func(s *scratch[T], dw []T, from, to int)) {
	ws.parallel(func(s *scratch[T], from, to int) {
		dw := s.dw[:len(total)]
		clear(dw)
		body(s, dw, from, to)
	})
	for t := range ws.scratch {
		for k, v := range ws.scratch[t].dw[:len(total)] {
			total[k] += v
		}
	}
}

// NewWorkspace allocates a workspace for batches of up to B samples.
func (n *Network[T]) NewWorkspace(B int, mode BatchNormMode) *Workspace[T] {
	if B < 1 {
		panic("network: workspace for fewer than one sample")
	}
	ws := &Workspace[T]{net: n, B: B, mode: mode}
	ws.val = make([][]T, len(n.slots))
	ws.grad = make([][]T, len(n.slots))
	for i, s := range n.slots {
		ws.val[i] = make([]T, B*s.size())
		ws.grad[i] = make([]T, B*s.size())
	}
	ws.stats = make([][]T, len(n.ops))
	cols, wmax := 0, 0
	for i, o := range n.ops {
		switch o := o.(type) {
		case *bnOp[T]:
			ws.stats[i] = make([]T, 2*B*n.slots[o.in].C)
		case *convOp[T]:
			cols = max(cols, o.g.ColSize())
		}
	}
	ws.pgrad = make([][]T, len(n.Params))
	for i, p := range n.Params {
		if p.Trainable() {
			ws.pgrad[i] = make([]T, len(p.Data))
		}
		if p.IsWeight() {
			wmax = max(wmax, len(p.Data))
		}
	}
	ws.col, ws.dcol, ws.wgrad = make([]T, cols), make([]T, cols), make([]T, wmax)
	biggest := 0
	for _, sl := range n.slots {
		biggest = max(biggest, sl.size())
	}
	ws.tmp = make([]T, biggest)
	ws.views = make([][]T, 0, 3)
	return ws
}

// group is the number of consecutive samples that share BatchNorm statistics.
func (ws *Workspace[T]) group() int {
	if ws.mode == MiniBatch {
		return ws.n
	}
	return 1
}

// sample returns sample b of a slot's values.
func (ws *Workspace[T]) sample(v [][]T, slot, b int) []T {
	s := ws.net.slots[slot].size()
	return v[slot][b*s : (b+1)*s]
}

// batch returns the current batch of a slot's values.
func (ws *Workspace[T]) batch(v [][]T, slot int) []T {
	return v[slot][:ws.n*ws.net.slots[slot].size()]
}

// Forward runs a batch of len(x)/InputSize samples, x [n, 3, H, W], and returns its logits
// [n, Classes], which stay valid until the next Forward.
func (ws *Workspace[T]) Forward(x []T) []T {
	size := ws.net.InputSize()
	if len(x)%size != 0 || len(x) == 0 || len(x)/size > ws.B {
		panic(fmt.Sprintf("network: input of %d values is not 1..%d images of %d", len(x), ws.B, size))
	}
	ws.n = len(x) / size
	copy(ws.val[ws.net.input], x)
	for i, o := range ws.net.ops {
		o.forward(ws, i)
	}
	return ws.batch(ws.val, ws.net.logits)
}

// Backward runs the backward pass of the last Forward from the gradient of the loss with
// respect to the logits, dlogits [n, Classes]. It overwrites every gradient of the previous
// Backward.
func (ws *Workspace[T]) Backward(dlogits []T) {
	for _, g := range ws.grad {
		clear(g)
	}
	for _, g := range ws.pgrad {
		clear(g)
	}
	copy(ws.batch(ws.grad, ws.net.logits), dlogits)
	for i := len(ws.net.ops) - 1; i >= 0; i-- {
		ws.net.ops[i].backward(ws, i)
	}
}

// HessianVector computes, after a Forward and a Backward whose weight gradients were summed
// over the batch (PerSampleWeightGrad unset), the product of the Hessian of the loss with
// respect to the Conv2d and Linear weights with a direction dir (indexed like Params; nil
// entries are zero): the derivative of every weight gradient along dir. It is exact, as
// automatic differentiation has it: forward-mode differentiation of the forward and backward
// passes (Pearlmutter's R-operator), a ReLU contributing its gate and no second derivative.
// lossTangent maps the logits' tangent [n, Classes] to the tangent of dlogits (for
// cross-entropy, layers.SoftmaxCrossEntropyTangent). Read the result with HessianVectorOf.
func (ws *Workspace[T]) HessianVector(dir [][]T, lossTangent func(logitsDot, dlogitsDot []T)) {
	if ws.vdot == nil {
		ws.vdot, ws.gdot = make([][]T, len(ws.val)), make([][]T, len(ws.val))
		for i := range ws.val {
			ws.vdot[i], ws.gdot[i] = make([]T, len(ws.val[i])), make([]T, len(ws.val[i]))
		}
		ws.pdot = make([][]T, len(ws.net.Params))
		for _, p := range ws.net.weights {
			ws.pdot[p] = make([]T, len(ws.net.Params[p].Data))
		}
	}
	ws.wdot = dir
	for i := range ws.vdot {
		clear(ws.gdot[i])
	}
	clear(ws.vdot[ws.net.input])
	for _, p := range ws.pdot {
		clear(p)
	}
	for i, o := range ws.net.ops {
		o.tangentForward(ws, i)
	}
	lossTangent(ws.batch(ws.vdot, ws.net.logits), ws.batch(ws.gdot, ws.net.logits))
	for i := len(ws.net.ops) - 1; i >= 0; i-- {
		ws.net.ops[i].tangentBackward(ws, i)
	}
	ws.wdot = nil
}

// HessianVectorOf returns the last HessianVector's result for a Conv2d or Linear weight.
func (ws *Workspace[T]) HessianVectorOf(param int) []T { return ws.pdot[param] }

// ParamGrad returns the gradient of a parameter (by index into Params) summed over the
// batch; for Conv2d and Linear weights, only when PerSampleWeightGrad is unset.
func (ws *Workspace[T]) ParamGrad(param int) []T { return ws.pgrad[param] }

// WeightOutput returns the output of the Conv2d or Linear layer whose weight is Params[param]
// (before its BatchNorm) and the gradient there from the last Backward, each [n, C, H, W]
// (H = W = 1 for Linear), with C·H·W per sample.
func (ws *Workspace[T]) WeightOutput(param int) (act, grad []T, perSample int) {
	for _, o := range ws.net.ops {
		out := -1
		switch o := o.(type) {
		case *convOp[T]:
			if o.w == param {
				out = o.out
			}
		case *linearOp[T]:
			if o.w == param {
				out = o.out
			}
		}
		if out >= 0 {
			return ws.batch(ws.val, out), ws.batch(ws.grad, out), ws.net.slots[out].size()
		}
	}
	panic("network: parameter is not a Conv2d or Linear weight")
}

// ReLUInputs calls fn with the input of every ReLU of the last Forward, [n, C·H·W], in order.
func (ws *Workspace[T]) ReLUInputs(fn func(x []T, perSample int)) {
	for _, o := range ws.net.ops {
		if r, ok := o.(*reluOp[T]); ok {
			fn(ws.batch(ws.val, r.in), ws.net.slots[r.in].size())
		}
	}
}

// InputGradient returns the gradient of the input [n, 3, H, W] (with InputGrad set).
func (ws *Workspace[T]) InputGradient() []T { return ws.batch(ws.grad, ws.net.input) }

// weightGrad hands a sample's weight gradient to PerSampleWeightGrad, or says where to
// accumulate it: it returns the slice to write to and the beta to write with.
func (ws *Workspace[T]) weightGrad(param int) ([]T, T) {
	if ws.PerSampleWeightGrad != nil {
		return ws.wgrad[:len(ws.net.Params[param].Data)], 0
	}
	return ws.pgrad[param], 1
}
