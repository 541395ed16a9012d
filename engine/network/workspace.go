package network

import (
	"fmt"
	"unsafe"

	"gradsign/engine/backend"
	"gradsign/engine/graph"
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

// Workspace holds everything that changes while a Network runs a batch of up to B samples on
// a backend: activations and their gradients, BatchNorm statistics, parameter gradients, all
// in the backend's buffers, and the network's parameters as the backend holds them (copied
// when the workspace is made and by SyncParams). One goroutine uses it at a time.
type Workspace[T matmul.Float] struct {
	net  *Network[T]
	be   backend.Backend[T]
	B    int // capacity in samples
	n    int // samples in the current batch
	mode BatchNormMode

	val, grad []backend.Buffer // per slot, [B, C, H, W]
	stats     []backend.Buffer // per op: BatchNorm mean and rstd, [2, B, C]
	param     []backend.Buffer // per parameter: its values
	pgrad     []backend.Buffer // per parameter: gradients summed over the batch (nil for buffers)
	dlogits   backend.Buffer   // the loss's gradient, [B, Classes]

	// signs, when set by FoldSigns, receives the sign of each sample's gradient of every
	// Conv2d and Linear weight during Backward, in place of ParamGrad's sums.
	signs backend.Signs
	// layerOf maps a weight's parameter index to its layer in the accumulators.
	layerOf []int
	// flat, after ExactZeros, holds per op, for a per-sample BatchNorm the graph does not
	// already know to pass back zero, the count of each sample's channels whose gradient was
	// flat (constant over positions) and so passed back exactly zero, [B, C]; nil elsewhere.
	flat []backend.Buffer
	// knownMean, after ExactZeros, holds per value that a per-channel product multiplies, each
	// channel's mean over positions where the graph knows it exactly (NaN elsewhere), [C].
	knownMean []backend.Buffer

	// InputGrad asks Backward for the gradient of the input (the first convolution skips it
	// otherwise).
	InputGrad bool
	// SkipBatchNorm makes every BatchNorm the identity, as synflow's network without
	// BatchNorm has it.
	SkipBatchNorm bool

	host []T // a host copy for the accessors, on backends without host memory

	// Tangents for HessianVector, allocated on first use.
	vdot, gdot []backend.Buffer // per slot: tangents of the values and of their gradients
	pdot       []backend.Buffer // per parameter: tangent of its summed gradient (weights only)
	wdot       []backend.Buffer // per parameter: the direction (nil: held fixed)
	tmp        backend.Buffer   // the largest value, for a convolution's second term
	zeroBias   backend.Buffer   // zeros for a linear layer's tangent (its bias is fixed)
}

// NewWorkspace allocates on a backend a workspace for batches of up to B samples and copies
// the network's parameters there.
func (n *Network[T]) NewWorkspace(be backend.Backend[T], B int, mode BatchNormMode) *Workspace[T] {
	if B < 1 {
		panic("network: workspace for fewer than one sample")
	}
	if len(n.Params) > 0 && n.Params[0].Data == nil {
		panic("network: a plan has no weights to run (use Build)")
	}
	ws := &Workspace[T]{net: n, be: be, B: B, mode: mode}
	ws.val = make([]backend.Buffer, len(n.Graph.Values))
	ws.grad = make([]backend.Buffer, len(n.Graph.Values))
	for i, s := range n.Graph.Values {
		ws.val[i] = be.Alloc(B * s.Size())
		ws.grad[i] = be.Alloc(B * s.Size())
	}
	ws.stats = make([]backend.Buffer, len(n.ops))
	for i, o := range n.ops {
		if o, ok := o.(*bnOp[T]); ok {
			ws.stats[i] = be.Alloc(2 * B * n.Graph.Shape(graph.Value(o.in)).C)
		}
	}
	ws.param = make([]backend.Buffer, len(n.Params))
	ws.pgrad = make([]backend.Buffer, len(n.Params))
	ws.layerOf = make([]int, len(n.Params))
	for i, p := range n.Params {
		ws.param[i] = be.Alloc(len(p.Data))
		if p.Trainable() {
			ws.pgrad[i] = be.Alloc(len(p.Data))
		}
	}
	for l, p := range n.weights {
		ws.layerOf[p] = l
	}
	ws.dlogits = be.Alloc(B * n.Classes)
	ws.SyncParams()
	return ws
}

// SyncParams copies the network's parameters to the backend again, after they changed.
func (ws *Workspace[T]) SyncParams() {
	for i, p := range ws.net.Params {
		ws.be.Write(ws.param[i], 0, p.Data)
	}
}

// WorkspaceBytes estimates the memory of a workspace for B samples, before allocating it:
// values and gradients of every slot, BatchNorm statistics, the parameters, their gradients,
// and a backend's per-thread scratch for `threads` threads (an im2col matrix and a weight
// gradient each). With tangents, HessianVector's buffers too.
func (n *Network[T]) WorkspaceBytes(B, threads int, tangents bool) int64 {
	var z T
	size := int64(unsafe.Sizeof(z))
	var values, params, largestCol, largestWeight int64
	for _, s := range n.Graph.Values {
		values += int64(s.Size())
	}
	for _, p := range n.Params {
		params += int64(p.Size())
		largestWeight = max(largestWeight, int64(p.Size()))
	}
	for _, o := range n.ops {
		if c, ok := o.(*convOp[T]); ok {
			largestCol = max(largestCol, int64(c.g.ColSize()))
		}
	}
	total := 2*int64(B)*values + 2*params + int64(threads)*(largestCol+largestWeight)
	if tangents {
		total += 2*int64(B)*values + params + int64(B)*values // vdot, gdot; pdot, wdot; tmp
	}
	return total * size
}

// WeightSizes is the weight count of each Conv2d and Linear layer, in order: the layout of
// GradSign's accumulators.
func (n *Network[T]) WeightSizes() []int {
	sizes := make([]int, len(n.weights))
	for l, p := range n.weights {
		sizes[l] = n.Params[p].Size()
	}
	return sizes
}

// ExactZeros makes Backward apply the BatchNorm-backward identity exactly at every per-sample
// BatchNorm whose zeros the graph does not already know (graph.KnownZeroBatchNorms): a
// sample's channel whose output gradient is the same at every position passes back exactly
// zero, not rounding noise (backend.Backend.BatchNormBackward), and is counted for DataZeros.
// Likewise a per-channel gate's gradient, Σ dout·a, where dout is flat and a's mean is known
// exactly (a BatchNorm's output: its bias), is that exact value (backend.Backend.MulBackward).
// Such zeros depend on the data: in a residual network's last stage at small maps, a channel
// whose ReLU after the sum is on at every position receives the pooled gradient unchanged.
func (ws *Workspace[T]) ExactZeros() {
	if ws.mode != PerSample {
		panic("network: exact zeros of flat gradients need per-sample BatchNorm")
	}
	known := ws.net.Graph.KnownZeroBatchNorms()
	means := ws.net.Graph.KnownMeans(ws.net.paramValues)
	ws.flat = make([]backend.Buffer, len(ws.net.ops))
	ws.knownMean = make([]backend.Buffer, len(ws.net.Graph.Values))
	for i, o := range ws.net.ops {
		switch o := o.(type) {
		case *bnOp[T]:
			if !known[i] {
				ws.flat[i] = ws.be.Alloc(ws.B * ws.net.Graph.Shape(graph.Value(o.in)).C)
			}
		case *mulOp[T]:
			// A gate's gradient, Σ dout·a over positions, is d·Σa exactly where dout is flat.
			if m := means[o.a]; o.bhw == 1 && m != nil {
				v := make([]T, len(m))
				for c, x := range m {
					v[c] = T(x)
				}
				ws.knownMean[o.a] = ws.be.Alloc(len(v))
				ws.be.Write(ws.knownMean[o.a], 0, v)
			}
		}
	}
}

// DataZeros counts, per weight layer (WeightSizes' order), the (sample, weight) pairs whose
// gradient ExactZeros made exactly zero since it was called: for each flat channel of a
// BatchNorm, the weights of that output channel of the layer that feeds the BatchNorm.
// A BatchNorm fed by no weight layer (a sum) is counted nowhere, though its zeros still
// propagate exactly.
func (ws *Workspace[T]) DataZeros() []int64 {
	g := ws.net.Graph
	producer := make([]int, len(g.Values)) // the node that writes each value
	for i, nd := range g.Nodes {
		producer[nd.Out] = i
	}
	counts := make([]int64, len(ws.net.weights))
	for i, buf := range ws.flat {
		if buf == nil {
			continue
		}
		in := g.Nodes[i].In[0]
		p := &g.Nodes[producer[in]]
		if len(p.Params) == 0 || !g.Params[p.Params[0]].IsWeight() {
			continue
		}
		c := g.Shape(in).C
		flat := make([]T, buf.Len())
		ws.be.Read(flat, buf, 0)
		var pairs int64
		for _, v := range flat {
			pairs += int64(v)
		}
		counts[ws.layerOf[p.Params[0]]] += pairs * int64(g.Params[p.Params[0]].Size()/c)
	}
	return counts
}

// FoldSigns makes Backward fold the sign of each sample's weight gradients into s (made by
// the workspace's backend for WeightSizes) instead of summing them into ParamGrad; nil
// returns to sums.
func (ws *Workspace[T]) FoldSigns(s backend.Signs) { ws.signs = s }

// group is the number of consecutive samples that share BatchNorm statistics.
func (ws *Workspace[T]) group() int {
	if ws.mode == MiniBatch {
		return ws.n
	}
	return 1
}

// size is the length of the current batch of a slot.
func (ws *Workspace[T]) size(slot int) int { return ws.n * ws.shape(slot).Size() }

// shape is a slot's per-sample shape.
func (ws *Workspace[T]) shape(slot int) graph.Shape { return ws.net.Graph.Shape(graph.Value(slot)) }

// Forward runs a batch of len(x)/InputSize samples, x [n, 3, H, W], and returns its logits
// [n, Classes] on the host (valid until the next Forward).
func (ws *Workspace[T]) Forward(x []T) []T {
	ws.Run(x)
	return ws.hostOf(ws.val[int(ws.net.Graph.Output)], ws.size(int(ws.net.Graph.Output)))
}

// Run is Forward leaving the logits on the backend (Logits).
func (ws *Workspace[T]) Run(x []T) {
	size := ws.net.InputSize()
	if len(x)%size != 0 || len(x) == 0 || len(x)/size > ws.B {
		panic(fmt.Sprintf("network: input of %d values is not 1..%d images of %d", len(x), ws.B, size))
	}
	ws.n = len(x) / size
	ws.be.Write(ws.val[int(ws.net.Graph.Input)], 0, x)
	for i, o := range ws.net.ops {
		o.forward(ws, i)
	}
}

// Logits returns the logits of the last Forward as a backend buffer [n, Classes].
func (ws *Workspace[T]) Logits() backend.Buffer { return ws.val[int(ws.net.Graph.Output)] }

// Backward runs the backward pass of the last Forward from the gradient of the loss with
// respect to the logits, dlogits [n, Classes] on the host. It overwrites every gradient of the
// previous Backward (and, with FoldSigns, adds the batch's signs to the accumulators).
func (ws *Workspace[T]) Backward(dlogits []T) {
	ws.be.Write(ws.dlogits, 0, dlogits)
	ws.BackwardFrom(ws.dlogits)
}

// BackwardFrom is Backward from a gradient of the logits held by the backend.
func (ws *Workspace[T]) BackwardFrom(dlogits backend.Buffer) {
	for i, g := range ws.grad {
		ws.be.Zero(g, ws.size(i))
	}
	for i, g := range ws.pgrad {
		if g != nil && (ws.signs == nil || !ws.net.Params[i].IsWeight()) { // folded weights sum nothing
			ws.be.Zero(g, g.Len())
		}
	}
	ws.be.Copy(ws.grad[int(ws.net.Graph.Output)], dlogits, ws.size(int(ws.net.Graph.Output)))
	for i := len(ws.net.ops) - 1; i >= 0; i-- {
		ws.net.ops[i].backward(ws, i)
	}
}

// hostOf returns the first n values of a buffer on the host: the buffer itself on a host
// backend, else a copy (valid until the next call).
func (ws *Workspace[T]) hostOf(b backend.Buffer, n int) []T {
	if h, ok := ws.be.(backend.Host[T]); ok {
		return h.Slice(b)[:n]
	}
	if cap(ws.host) < n {
		ws.host = make([]T, n)
	}
	ws.be.Read(ws.host[:n], b, 0)
	return ws.host[:n]
}

// read copies the first n values of a buffer to a new host slice.
func (ws *Workspace[T]) read(b backend.Buffer, n int) []T {
	out := make([]T, n)
	ws.be.Read(out, b, 0)
	return out
}

// ParamGrad returns the gradient of a parameter (by index into Params) summed over the batch,
// on the host; for Conv2d and Linear weights, only without FoldSigns.
func (ws *Workspace[T]) ParamGrad(param int) []T {
	return ws.read(ws.pgrad[param], ws.pgrad[param].Len())
}

// WeightOutput returns the output of the Conv2d (depthwise too) or Linear layer whose weight is Params[param]
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
		case *depthwiseOp[T]:
			if o.w == param {
				out = o.out
			}
		case *linearOp[T]:
			if o.w == param {
				out = o.out
			}
		}
		if out >= 0 {
			return ws.read(ws.val[out], ws.size(out)), ws.read(ws.grad[out], ws.size(out)), ws.shape(out).Size()
		}
	}
	panic("network: parameter is not a Conv2d or Linear weight")
}

// ReLUInputs calls fn with the input of every ReLU of the last Forward, [n, C·H·W], in order.
func (ws *Workspace[T]) ReLUInputs(fn func(x []T, perSample int)) {
	for _, o := range ws.net.ops {
		if r, ok := o.(*reluOp[T]); ok {
			fn(ws.hostOf(ws.val[r.in], ws.size(r.in)), ws.shape(r.in).Size())
		}
	}
}

// InputGradient returns the gradient of the input [n, 3, H, W] (with InputGrad set).
func (ws *Workspace[T]) InputGradient() []T {
	return ws.read(ws.grad[int(ws.net.Graph.Input)], ws.size(int(ws.net.Graph.Input)))
}

// HessianVector computes, after a Forward and a Backward whose weight gradients were summed
// over the batch, the product of the Hessian of the loss with respect to the Conv2d and
// Linear weights with a direction dir (indexed like Params; nil entries are zero): the
// derivative of every weight gradient along dir. It is exact, as automatic differentiation
// has it: forward-mode differentiation of the forward and backward passes (Pearlmutter's
// R-operator), a ReLU contributing its gate and no second derivative. lossTangent maps the
// logits' tangent [n, Classes] to the tangent of dlogits (for cross-entropy,
// layers.SoftmaxCrossEntropyTangent). Read the result with HessianVectorOf. The tangents run
// on the backend's ops, except BatchNorm's, which need a backend with host memory
// (backend.Host); on another backend it returns an error.
func (ws *Workspace[T]) HessianVector(dir [][]T, lossTangent func(logitsDot, dlogitsDot []T)) error {
	if _, ok := ws.be.(backend.Host[T]); !ok {
		return fmt.Errorf("network: backend %s has no host memory for Hessian-vector products: use the cpu backend", ws.be.Name())
	}
	be := ws.be
	if ws.vdot == nil {
		ws.vdot, ws.gdot = make([]backend.Buffer, len(ws.val)), make([]backend.Buffer, len(ws.val))
		biggest := 0
		for i, v := range ws.val {
			ws.vdot[i], ws.gdot[i] = be.Alloc(v.Len()), be.Alloc(v.Len())
			biggest = max(biggest, v.Len())
		}
		ws.tmp = be.Alloc(biggest)
		ws.pdot = make([]backend.Buffer, len(ws.net.Params))
		ws.wdot = make([]backend.Buffer, len(ws.net.Params))
		ws.zeroBias = be.Alloc(biggest) // longer than any linear layer's outputs
	}
	for _, p := range ws.net.weights {
		ws.pdot[p], ws.wdot[p] = nil, nil
		if dir[p] != nil {
			ws.wdot[p] = be.Alloc(len(dir[p]))
			be.Write(ws.wdot[p], 0, dir[p])
		}
		ws.pdot[p] = be.Alloc(len(ws.net.Params[p].Data))
	}
	for i := range ws.vdot {
		be.Zero(ws.gdot[i], ws.gdot[i].Len())
	}
	be.Zero(ws.vdot[int(ws.net.Graph.Input)], ws.size(int(ws.net.Graph.Input)))
	for i, o := range ws.net.ops {
		o.tangentForward(ws, i)
	}
	logits := int(ws.net.Graph.Output)
	lossTangent(ws.h(ws.vdot[logits])[:ws.size(logits)], ws.h(ws.gdot[logits])[:ws.size(logits)])
	for i := len(ws.net.ops) - 1; i >= 0; i-- {
		ws.net.ops[i].tangentBackward(ws, i)
	}
	return nil
}

// HessianVectorOf returns the last HessianVector's result for a Conv2d or Linear weight.
func (ws *Workspace[T]) HessianVectorOf(param int) []T {
	return ws.read(ws.pdot[param], ws.pdot[param].Len())
}

// h is a buffer's values on a host backend.
func (ws *Workspace[T]) h(b backend.Buffer) []T { return ws.be.(backend.Host[T]).Slice(b) }
