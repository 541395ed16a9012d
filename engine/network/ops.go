package network

import (
	"fmt"

	"gradsign/engine/backend"
	"gradsign/engine/graph"
	"gradsign/engine/layers"
	"gradsign/engine/matmul"
)

// newOp makes the operation of a node of g.
func newOp[T matmul.Float](g *graph.Graph, nd *graph.Node) (op[T], error) {
	in, out := int(nd.In0()), int(nd.Out)
	s := g.Shape(nd.In0())
	switch nd.Op {
	case graph.Conv:
		return &convOp[T]{in, out, nd.Params[0], nd.Conv}, nil
	case graph.BatchNorm:
		eps := nd.Eps
		if eps == 0 {
			eps = layers.BatchNormEps
		}
		return &bnOp[T]{in, out, nd.Params[0], nd.Params[1], eps}, nil
	case graph.ReLU:
		return &reluOp[T]{in, out}, nil
	case graph.AvgPool3x3:
		return &avgPool3Op[T]{in, out, s}, nil
	case graph.AvgPool2x2:
		return &avgPool2Op[T]{in, out, s}, nil
	case graph.MaxPool:
		return &maxPoolOp[T]{in, out, s.C, nd.Pool}, nil
	case graph.GlobalAvgPool:
		return &gapOp[T]{in, out, s.C, s.H * s.W}, nil
	case graph.Sum:
		return &addOp[T]{slots(nd.In), out}, nil
	case graph.Linear:
		return &linearOp[T]{in, out, nd.Params[0], nd.Params[1], s.Size(), g.Shape(nd.Out).C}, nil
	case graph.Concat:
		return &concatOp[T]{slots(nd.In), out}, nil
	case graph.Channels:
		return &channelsOp[T]{in, out, nd.From}, nil
	case graph.Depthwise:
		return &depthwiseOp[T]{in, out, nd.Params[0], nd.Depthwise}, nil
	case graph.AvgPool:
		return &avgPoolOp[T]{in, out, s.C, nd.Pool}, nil
	case graph.Crop:
		o := g.Shape(nd.Out)
		return &cropOp[T]{in, out, s, nd.From, nd.Left, o.H, o.W}, nil
	case graph.Activation:
		return &actOp[T]{in, out, nd.Act}, nil
	case graph.Bias:
		return &biasOp[T]{in, out, nd.Params[0], s.C, s.H * s.W}, nil
	case graph.Mul:
		b := g.Shape(nd.In[1])
		return &mulOp[T]{in, int(nd.In[1]), out, s.C, s.H * s.W, b.H * b.W}, nil
	}
	return nil, fmt.Errorf("network: graph %s has an operation this engine cannot run: %v", g.Name, nd.Op)
}

// slots are the workspace slots of values.
func slots(vs []graph.Value) []int {
	out := make([]int, len(vs))
	for i, v := range vs {
		out[i] = int(v)
	}
	return out
}

// op is one operation of the graph: it reads slot in (or several) and writes slot out, on the
// workspace's backend. backward adds to the gradients of its inputs and parameters. i is the
// op's position, which keys its saved state in the workspace.
//
// tangentForward and tangentBackward are the same passes differentiated along a direction of
// the weights (forward-mode over the backward pass): they read the primal values and gradients
// of the last Forward and Backward and write the tangents in ws.vdot, ws.gdot and ws.pdot.
// Every linear op is its own tangent, so they too run on the backend; BatchNorm's tangents
// need host memory.
type op[T matmul.Float] interface {
	forward(ws *Workspace[T], i int)
	backward(ws *Workspace[T], i int)
	tangentForward(ws *Workspace[T], i int)
	tangentBackward(ws *Workspace[T], i int)
}

type convOp[T matmul.Float] struct {
	in, out, w int
	g          layers.Conv2d
}

// needGrad says whether a slot's gradient is wanted: not the network's input's unless asked
// (a convolution then skips its input gradient).
func (ws *Workspace[T]) needGrad(slot int) bool {
	return slot != int(ws.net.Graph.Input) || ws.InputGrad
}

func (o *convOp[T]) forward(ws *Workspace[T], _ int) {
	ws.be.Conv2dForward(o.g, ws.n, ws.val[o.out], ws.val[o.in], ws.param[o.w])
}

func (o *convOp[T]) backward(ws *Workspace[T], _ int) {
	if ws.signs != nil {
		ws.be.Conv2dWeightSigns(o.g, ws.n, ws.signs, ws.layerOf[o.w], ws.grad[o.out], ws.val[o.in])
	} else {
		ws.be.Conv2dWeightGrad(o.g, ws.n, ws.pgrad[o.w], ws.grad[o.out], ws.val[o.in])
	}
	if ws.needGrad(o.in) {
		ws.be.Conv2dBackwardData(o.g, ws.n, ws.grad[o.in], ws.grad[o.out], ws.param[o.w])
	}
}

type bnOp[T matmul.Float] struct {
	in, out, gamma, beta int
	eps                  float64
}

func (o *bnOp[T]) dims(ws *Workspace[T]) (C, HW int) {
	s := ws.shape(o.in)
	return s.C, s.H * s.W
}

func (o *bnOp[T]) forward(ws *Workspace[T], i int) {
	if ws.SkipBatchNorm {
		ws.be.Copy(ws.val[o.out], ws.val[o.in], ws.size(o.in))
		return
	}
	C, HW := o.dims(ws)
	ws.be.BatchNormForward(ws.n, C, HW, ws.group(), o.eps, ws.val[o.out], ws.stats[i], ws.val[o.in], ws.param[o.gamma], ws.param[o.beta])
}

func (o *bnOp[T]) backward(ws *Workspace[T], i int) {
	if ws.SkipBatchNorm {
		ws.be.AddTo(ws.size(o.in), ws.grad[o.out], ws.grad[o.in])
		return
	}
	C, HW := o.dims(ws)
	var flat backend.Buffer
	if ws.flat != nil {
		flat = ws.flat[i]
	}
	ws.be.BatchNormBackward(ws.n, C, HW, ws.group(), ws.grad[o.in], ws.pgrad[o.gamma], ws.pgrad[o.beta],
		ws.grad[o.out], ws.val[o.in], ws.stats[i], ws.param[o.gamma], flat)
}

type reluOp[T matmul.Float] struct{ in, out int }

func (o *reluOp[T]) forward(ws *Workspace[T], _ int) {
	ws.be.ReLUForward(ws.size(o.in), ws.val[o.out], ws.val[o.in])
}

func (o *reluOp[T]) backward(ws *Workspace[T], _ int) {
	ws.be.ReLUBackward(ws.size(o.in), ws.grad[o.in], ws.grad[o.out], ws.val[o.in])
}

type actOp[T matmul.Float] struct {
	in, out int
	f       layers.Activation
}

func (o *actOp[T]) forward(ws *Workspace[T], _ int) {
	ws.be.ActivationForward(o.f, ws.size(o.in), ws.val[o.out], ws.val[o.in])
}

func (o *actOp[T]) backward(ws *Workspace[T], _ int) {
	ws.be.ActivationBackward(o.f, ws.size(o.in), ws.grad[o.in], ws.grad[o.out], ws.val[o.in])
}

type biasOp[T matmul.Float] struct{ in, out, b, C, HW int }

func (o *biasOp[T]) forward(ws *Workspace[T], _ int) {
	ws.be.BiasForward(ws.n, o.C, o.HW, ws.val[o.out], ws.val[o.in], ws.param[o.b])
}

// The input's gradient is the output's; the bias's is not computed (no proxy reads it).
func (o *biasOp[T]) backward(ws *Workspace[T], _ int) {
	ws.be.AddTo(ws.size(o.out), ws.grad[o.out], ws.grad[o.in])
}

// mulOp is a·b, b of a's shape (bhw = HW) or one factor per channel (bhw = 1).
type mulOp[T matmul.Float] struct{ a, b, out, C, HW, bhw int }

func (o *mulOp[T]) forward(ws *Workspace[T], _ int) {
	ws.be.MulForward(ws.n, o.C, o.HW, o.bhw, ws.val[o.out], ws.val[o.a], ws.val[o.b])
}

func (o *mulOp[T]) backward(ws *Workspace[T], _ int) {
	var aMean backend.Buffer
	if ws.flat != nil && o.bhw == 1 {
		aMean = ws.knownMean[o.a]
	}
	ws.be.MulBackward(ws.n, o.C, o.HW, o.bhw, ws.grad[o.a], ws.grad[o.b], ws.grad[o.out], ws.val[o.a], ws.val[o.b], aMean)
}

type avgPool3Op[T matmul.Float] struct {
	in, out int
	s       graph.Shape
}

func (o *avgPool3Op[T]) forward(ws *Workspace[T], _ int) {
	ws.be.AvgPool3x3Forward(ws.n*o.s.C, o.s.H, o.s.W, ws.val[o.out], ws.val[o.in])
}

func (o *avgPool3Op[T]) backward(ws *Workspace[T], _ int) {
	ws.be.AvgPool3x3Backward(ws.n*o.s.C, o.s.H, o.s.W, ws.grad[o.in], ws.grad[o.out])
}

type avgPool2Op[T matmul.Float] struct {
	in, out int
	s       graph.Shape // of the input
}

func (o *avgPool2Op[T]) forward(ws *Workspace[T], _ int) {
	ws.be.AvgPool2x2Forward(ws.n*o.s.C, o.s.H, o.s.W, ws.val[o.out], ws.val[o.in])
}

func (o *avgPool2Op[T]) backward(ws *Workspace[T], _ int) {
	ws.be.AvgPool2x2Backward(ws.n*o.s.C, o.s.H, o.s.W, ws.grad[o.in], ws.grad[o.out])
}

type gapOp[T matmul.Float] struct{ in, out, C, HW int }

func (o *gapOp[T]) forward(ws *Workspace[T], _ int) {
	ws.be.GlobalAvgPoolForward(ws.n*o.C, o.HW, ws.val[o.out], ws.val[o.in])
}

func (o *gapOp[T]) backward(ws *Workspace[T], _ int) {
	ws.be.GlobalAvgPoolBackward(ws.n*o.C, o.HW, ws.grad[o.in], ws.grad[o.out])
}

type addOp[T matmul.Float] struct {
	ins []int
	out int
}

func (o *addOp[T]) forward(ws *Workspace[T], _ int)  { o.sum(ws, ws.val) }
func (o *addOp[T]) backward(ws *Workspace[T], _ int) { o.spread(ws, ws.grad) }

// sum writes the sum of the inputs' slots of v (values or their tangents) to the output's.
func (o *addOp[T]) sum(ws *Workspace[T], v []backend.Buffer) {
	var views [4]backend.Buffer
	ins := views[:0]
	for _, s := range o.ins {
		ins = append(ins, v[s])
	}
	ws.be.Add(ws.size(o.out), v[o.out], ins...)
}

// spread adds the output's slot of g (gradients or their tangents) to every input's.
func (o *addOp[T]) spread(ws *Workspace[T], g []backend.Buffer) {
	var views [4]backend.Buffer
	dins := views[:0]
	for _, s := range o.ins {
		dins = append(dins, g[s])
	}
	ws.be.AddTo(ws.size(o.out), g[o.out], dins...)
}

// maxPoolOp is a max pool of c channels.
type maxPoolOp[T matmul.Float] struct {
	in, out, c int
	p          layers.Pool2d
}

func (o *maxPoolOp[T]) forward(ws *Workspace[T], _ int) {
	ws.be.MaxPoolForward(o.p, ws.n*o.c, ws.val[o.out], ws.val[o.in])
}

func (o *maxPoolOp[T]) backward(ws *Workspace[T], _ int) {
	ws.be.MaxPoolBackward(o.p, ws.n*o.c, ws.grad[o.in], ws.grad[o.out], ws.val[o.in])
}

// concatOp joins its inputs along the channels.
type concatOp[T matmul.Float] struct {
	ins []int
	out int
}

func (o *concatOp[T]) forward(ws *Workspace[T], _ int)  { o.copy(ws, ws.val, false) }
func (o *concatOp[T]) backward(ws *Workspace[T], _ int) { o.copy(ws, ws.grad, true) }

// copy moves each input's channels of v into the output's (add false: values), or adds the
// output's channels of v back into each input's (add true: gradients).
func (o *concatOp[T]) copy(ws *Workspace[T], v []backend.Buffer, add bool) {
	s := ws.shape(o.out)
	off := 0
	for _, in := range o.ins {
		c := ws.shape(in).C
		if add {
			ws.be.CopyChannels(ws.n, s.H*s.W, c, v[in], c, 0, v[o.out], s.C, off, true)
		} else {
			ws.be.CopyChannels(ws.n, s.H*s.W, c, v[o.out], s.C, off, v[in], c, 0, false)
		}
		off += c
	}
}

// channelsOp takes the output's channels of its input from channel from on.
type channelsOp[T matmul.Float] struct{ in, out, from int }

func (o *channelsOp[T]) forward(ws *Workspace[T], _ int)  { o.copy(ws, ws.val, false) }
func (o *channelsOp[T]) backward(ws *Workspace[T], _ int) { o.copy(ws, ws.grad, true) }

func (o *channelsOp[T]) copy(ws *Workspace[T], v []backend.Buffer, add bool) {
	s, c := ws.shape(o.out), ws.shape(o.in).C
	if add {
		ws.be.CopyChannels(ws.n, s.H*s.W, s.C, v[o.in], c, o.from, v[o.out], s.C, 0, true)
	} else {
		ws.be.CopyChannels(ws.n, s.H*s.W, s.C, v[o.out], s.C, 0, v[o.in], c, o.from, false)
	}
}

type depthwiseOp[T matmul.Float] struct {
	in, out, w int
	g          layers.Depthwise
}

func (o *depthwiseOp[T]) forward(ws *Workspace[T], _ int) {
	ws.be.DepthwiseForward(o.g, ws.n, ws.val[o.out], ws.val[o.in], ws.param[o.w])
}

func (o *depthwiseOp[T]) backward(ws *Workspace[T], _ int) {
	if ws.signs != nil {
		ws.be.DepthwiseWeightSigns(o.g, ws.n, ws.signs, ws.layerOf[o.w], ws.grad[o.out], ws.val[o.in])
	} else {
		ws.be.DepthwiseWeightGrad(o.g, ws.n, ws.pgrad[o.w], ws.grad[o.out], ws.val[o.in])
	}
	if ws.needGrad(o.in) {
		ws.be.DepthwiseBackwardData(o.g, ws.n, ws.grad[o.in], ws.grad[o.out], ws.param[o.w])
	}
}

// avgPoolOp is an average pool of c channels that does not count the padding.
type avgPoolOp[T matmul.Float] struct {
	in, out, c int
	p          layers.Pool2d
}

func (o *avgPoolOp[T]) forward(ws *Workspace[T], _ int) {
	ws.be.AvgPoolForward(o.p, ws.n*o.c, ws.val[o.out], ws.val[o.in])
}

func (o *avgPoolOp[T]) backward(ws *Workspace[T], _ int) {
	ws.be.AvgPoolBackward(o.p, ws.n*o.c, ws.grad[o.in], ws.grad[o.out])
}

// cropOp takes the oh×ow window of its input from row top and column left.
type cropOp[T matmul.Float] struct {
	in, out   int
	s         graph.Shape // of the input
	top, left int
	oh, ow    int
}

func (o *cropOp[T]) forward(ws *Workspace[T], _ int) {
	ws.be.CropForward(ws.n*o.s.C, o.s.H, o.s.W, o.top, o.left, o.oh, o.ow, ws.val[o.out], ws.val[o.in])
}

func (o *cropOp[T]) backward(ws *Workspace[T], _ int) {
	ws.be.CropBackward(ws.n*o.s.C, o.s.H, o.s.W, o.top, o.left, o.oh, o.ow, ws.grad[o.in], ws.grad[o.out])
}

type linearOp[T matmul.Float] struct{ in, out, w, b, I, O int }

func (o *linearOp[T]) forward(ws *Workspace[T], _ int) {
	ws.be.LinearForward(ws.n, o.I, o.O, ws.val[o.out], ws.val[o.in], ws.param[o.w], ws.param[o.b])
}

func (o *linearOp[T]) backward(ws *Workspace[T], _ int) {
	if ws.signs != nil {
		ws.be.LinearWeightSigns(ws.n, o.I, o.O, ws.signs, ws.layerOf[o.w], ws.grad[o.out], ws.val[o.in])
		ws.be.LinearWeightGrad(ws.n, o.I, o.O, nil, ws.pgrad[o.b], ws.grad[o.out], ws.val[o.in])
	} else {
		ws.be.LinearWeightGrad(ws.n, o.I, o.O, ws.pgrad[o.w], ws.pgrad[o.b], ws.grad[o.out], ws.val[o.in])
	}
	ws.be.LinearBackwardData(ws.n, o.I, o.O, ws.grad[o.in], ws.grad[o.out], ws.param[o.w])
}

// Tangents. Each mirrors its op's forward and backward; the linear ops (pools, sums) apply
// themselves to the tangents.

// conv(ẋ, w) + conv(x, ẇ)
func (o *convOp[T]) tangentForward(ws *Workspace[T], _ int) {
	ws.be.Conv2dForward(o.g, ws.n, ws.vdot[o.out], ws.vdot[o.in], ws.param[o.w])
	if wd := ws.wdot[o.w]; wd != nil {
		ws.be.Conv2dForward(o.g, ws.n, ws.tmp, ws.val[o.in], wd)
		ws.be.AddTo(ws.size(o.out), ws.tmp, ws.vdot[o.out])
	}
}

// The backward pass's two bilinear products, each differentiated in both factors.
func (o *convOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	be, wd := ws.be, ws.wdot[o.w]
	be.Conv2dWeightGrad(o.g, ws.n, ws.pdot[o.w], ws.gdot[o.out], ws.val[o.in])
	if wd != nil {
		be.Conv2dWeightGrad(o.g, ws.n, ws.pdot[o.w], ws.grad[o.out], ws.vdot[o.in])
	}
	if ws.needGrad(o.in) {
		be.Conv2dBackwardData(o.g, ws.n, ws.gdot[o.in], ws.gdot[o.out], ws.param[o.w])
		if wd != nil {
			be.Conv2dBackwardData(o.g, ws.n, ws.gdot[o.in], ws.grad[o.out], wd)
		}
	}
}

func (o *bnOp[T]) tangentForward(ws *Workspace[T], i int) {
	if ws.SkipBatchNorm {
		ws.be.Copy(ws.vdot[o.out], ws.vdot[o.in], ws.size(o.in))
		return
	}
	C, HW := o.dims(ws)
	mean, rstd := ws.bnStats(i, C)
	n := ws.size(o.in)
	layers.BatchNormForwardTangent(ws.h(ws.vdot[o.out])[:n], ws.hval(o.in), ws.h(ws.vdot[o.in])[:n],
		mean, rstd, ws.h(ws.param[o.gamma]), ws.n, C, HW, ws.group())
}

func (o *bnOp[T]) tangentBackward(ws *Workspace[T], i int) {
	if ws.SkipBatchNorm {
		ws.be.AddTo(ws.size(o.in), ws.gdot[o.out], ws.gdot[o.in])
		return
	}
	C, HW := o.dims(ws)
	mean, rstd := ws.bnStats(i, C)
	n := ws.size(o.in)
	layers.BatchNormBackwardTangent(ws.h(ws.gdot[o.in])[:n], ws.h(ws.gdot[o.out])[:n], ws.h(ws.grad[o.out])[:n],
		ws.hval(o.in), ws.h(ws.vdot[o.in])[:n], mean, rstd, ws.h(ws.param[o.gamma]), ws.n, C, HW, ws.group())
}

// bnStats returns the host mean and rstd of the current batch saved by BatchNorm op i.
func (ws *Workspace[T]) bnStats(i, C int) (mean, rstd []T) {
	return backend.SplitStats(ws.h(ws.stats[i]), ws.n/ws.group(), C)
}

func (ws *Workspace[T]) hval(slot int) []T { return ws.h(ws.val[slot])[:ws.size(slot)] }

// A ReLU's tangent passes where its input passes (its second derivative is zero): the
// backward gate applied to the input's tangent.
func (o *reluOp[T]) tangentForward(ws *Workspace[T], _ int) {
	ws.be.Zero(ws.vdot[o.out], ws.size(o.out))
	ws.be.ReLUBackward(ws.size(o.in), ws.vdot[o.out], ws.vdot[o.in], ws.val[o.in])
}

func (o *reluOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	ws.be.ReLUBackward(ws.size(o.in), ws.gdot[o.in], ws.gdot[o.out], ws.val[o.in])
}

// f'(x)·ẋ forward; backward f'(x)·ġ plus the curvature's f”(x)·ẋ·g (host memory, as
// BatchNorm's; zero for the piecewise-linear functions).
func (o *actOp[T]) tangentForward(ws *Workspace[T], _ int) {
	ws.be.Zero(ws.vdot[o.out], ws.size(o.out))
	ws.be.ActivationBackward(o.f, ws.size(o.in), ws.vdot[o.out], ws.vdot[o.in], ws.val[o.in])
}

func (o *actOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	ws.be.ActivationBackward(o.f, ws.size(o.in), ws.gdot[o.in], ws.gdot[o.out], ws.val[o.in])
	n := ws.size(o.in)
	layers.ActivationCurvature(o.f, ws.h(ws.gdot[o.in])[:n], ws.h(ws.grad[o.out])[:n], ws.h(ws.vdot[o.in])[:n], ws.hval(o.in))
}

// A bias is fixed along the direction (only weights move): the tangents pass through.
func (o *biasOp[T]) tangentForward(ws *Workspace[T], _ int) {
	ws.be.Copy(ws.vdot[o.out], ws.vdot[o.in], ws.size(o.out))
}

func (o *biasOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	ws.be.AddTo(ws.size(o.out), ws.gdot[o.out], ws.gdot[o.in])
}

// ȧ·b + a·ḃ, and the backward pass's two products differentiated in both factors.
func (o *mulOp[T]) tangentForward(ws *Workspace[T], _ int) {
	ws.be.MulForward(ws.n, o.C, o.HW, o.bhw, ws.vdot[o.out], ws.vdot[o.a], ws.val[o.b])
	ws.be.MulForward(ws.n, o.C, o.HW, o.bhw, ws.tmp, ws.val[o.a], ws.vdot[o.b])
	ws.be.AddTo(ws.size(o.out), ws.tmp, ws.vdot[o.out])
}

func (o *mulOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	ws.be.MulBackward(ws.n, o.C, o.HW, o.bhw, ws.gdot[o.a], ws.gdot[o.b], ws.gdot[o.out], ws.val[o.a], ws.val[o.b], nil)
	ws.be.MulBackward(ws.n, o.C, o.HW, o.bhw, ws.gdot[o.a], ws.gdot[o.b], ws.grad[o.out], ws.vdot[o.a], ws.vdot[o.b], nil)
}

func (o *avgPool3Op[T]) tangentForward(ws *Workspace[T], _ int) {
	ws.be.AvgPool3x3Forward(ws.n*o.s.C, o.s.H, o.s.W, ws.vdot[o.out], ws.vdot[o.in])
}

func (o *avgPool3Op[T]) tangentBackward(ws *Workspace[T], _ int) {
	ws.be.AvgPool3x3Backward(ws.n*o.s.C, o.s.H, o.s.W, ws.gdot[o.in], ws.gdot[o.out])
}

func (o *avgPool2Op[T]) tangentForward(ws *Workspace[T], _ int) {
	ws.be.AvgPool2x2Forward(ws.n*o.s.C, o.s.H, o.s.W, ws.vdot[o.out], ws.vdot[o.in])
}

func (o *avgPool2Op[T]) tangentBackward(ws *Workspace[T], _ int) {
	ws.be.AvgPool2x2Backward(ws.n*o.s.C, o.s.H, o.s.W, ws.gdot[o.in], ws.gdot[o.out])
}

func (o *gapOp[T]) tangentForward(ws *Workspace[T], _ int) {
	ws.be.GlobalAvgPoolForward(ws.n*o.C, o.HW, ws.vdot[o.out], ws.vdot[o.in])
}

func (o *gapOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	ws.be.GlobalAvgPoolBackward(ws.n*o.C, o.HW, ws.gdot[o.in], ws.gdot[o.out])
}

// A max pool's tangent takes the tangent of the input each output took (host memory, as
// BatchNorm's); backward, the same routing as the gradient's.
func (o *maxPoolOp[T]) tangentForward(ws *Workspace[T], _ int) {
	layers.MaxPoolTangent(o.p, ws.h(ws.vdot[o.out]), ws.hval(o.in), ws.h(ws.vdot[o.in]), ws.n*o.c)
}

func (o *maxPoolOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	ws.be.MaxPoolBackward(o.p, ws.n*o.c, ws.gdot[o.in], ws.gdot[o.out], ws.val[o.in])
}

// depthwise(ẋ, w) + depthwise(x, ẇ), and the backward pass's two products differentiated in
// both factors, as a convolution's.
func (o *depthwiseOp[T]) tangentForward(ws *Workspace[T], _ int) {
	ws.be.DepthwiseForward(o.g, ws.n, ws.vdot[o.out], ws.vdot[o.in], ws.param[o.w])
	if wd := ws.wdot[o.w]; wd != nil {
		ws.be.DepthwiseForward(o.g, ws.n, ws.tmp, ws.val[o.in], wd)
		ws.be.AddTo(ws.size(o.out), ws.tmp, ws.vdot[o.out])
	}
}

func (o *depthwiseOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	be, wd := ws.be, ws.wdot[o.w]
	be.DepthwiseWeightGrad(o.g, ws.n, ws.pdot[o.w], ws.gdot[o.out], ws.val[o.in])
	if wd != nil {
		be.DepthwiseWeightGrad(o.g, ws.n, ws.pdot[o.w], ws.grad[o.out], ws.vdot[o.in])
	}
	if ws.needGrad(o.in) {
		be.DepthwiseBackwardData(o.g, ws.n, ws.gdot[o.in], ws.gdot[o.out], ws.param[o.w])
		if wd != nil {
			be.DepthwiseBackwardData(o.g, ws.n, ws.gdot[o.in], ws.grad[o.out], wd)
		}
	}
}

func (o *avgPoolOp[T]) tangentForward(ws *Workspace[T], _ int) {
	ws.be.AvgPoolForward(o.p, ws.n*o.c, ws.vdot[o.out], ws.vdot[o.in])
}

func (o *avgPoolOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	ws.be.AvgPoolBackward(o.p, ws.n*o.c, ws.gdot[o.in], ws.gdot[o.out])
}

func (o *cropOp[T]) tangentForward(ws *Workspace[T], _ int) {
	ws.be.CropForward(ws.n*o.s.C, o.s.H, o.s.W, o.top, o.left, o.oh, o.ow, ws.vdot[o.out], ws.vdot[o.in])
}

func (o *cropOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	ws.be.CropBackward(ws.n*o.s.C, o.s.H, o.s.W, o.top, o.left, o.oh, o.ow, ws.gdot[o.in], ws.gdot[o.out])
}

func (o *concatOp[T]) tangentForward(ws *Workspace[T], _ int)    { o.copy(ws, ws.vdot, false) }
func (o *concatOp[T]) tangentBackward(ws *Workspace[T], _ int)   { o.copy(ws, ws.gdot, true) }
func (o *channelsOp[T]) tangentForward(ws *Workspace[T], _ int)  { o.copy(ws, ws.vdot, false) }
func (o *channelsOp[T]) tangentBackward(ws *Workspace[T], _ int) { o.copy(ws, ws.gdot, true) }

func (o *addOp[T]) tangentForward(ws *Workspace[T], _ int)  { o.sum(ws, ws.vdot) }
func (o *addOp[T]) tangentBackward(ws *Workspace[T], _ int) { o.spread(ws, ws.gdot) }

// ẋ·wᵀ + x·ẇᵀ (the bias is fixed).
func (o *linearOp[T]) tangentForward(ws *Workspace[T], _ int) {
	be := ws.be
	be.LinearForward(ws.n, o.I, o.O, ws.vdot[o.out], ws.vdot[o.in], ws.param[o.w], ws.zeroBias)
	if wd := ws.wdot[o.w]; wd != nil {
		be.LinearForward(ws.n, o.I, o.O, ws.tmp, ws.val[o.in], wd, ws.zeroBias)
		be.AddTo(ws.size(o.out), ws.tmp, ws.vdot[o.out])
	}
}

func (o *linearOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	be, wd := ws.be, ws.wdot[o.w]
	be.LinearWeightGrad(ws.n, o.I, o.O, ws.pdot[o.w], nil, ws.gdot[o.out], ws.val[o.in])
	be.LinearBackwardData(ws.n, o.I, o.O, ws.gdot[o.in], ws.gdot[o.out], ws.param[o.w])
	if wd != nil {
		be.LinearWeightGrad(ws.n, o.I, o.O, ws.pdot[o.w], nil, ws.grad[o.out], ws.vdot[o.in])
		be.LinearBackwardData(ws.n, o.I, o.O, ws.gdot[o.in], ws.grad[o.out], wd)
	}
}
