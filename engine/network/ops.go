package network

import (
	"gradsign/engine/layers"
	"gradsign/engine/matmul"
)

// op is one operation of the graph: it reads slot in (or several) and writes slot out.
// backward adds to the gradients of its inputs and parameters. i is the op's position, which
// keys its saved state in the workspace.
//
// tangentForward and tangentBackward are the same passes differentiated along a direction of
// the weights (forward-mode over the backward pass): they read the primal values and gradients
// of the last Forward and Backward and write the tangents in ws.vdot, ws.gdot and ws.pdot.
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

func (o *convOp[T]) forward(ws *Workspace[T], _ int) {
	w := ws.net.Params[o.w].Data
	if ws.threaded() {
		ws.parallel(func(s *scratch[T], from, to int) {
			for b := from; b < to; b++ {
				layers.Conv2dForward(o.g, ws.sample(ws.val, o.out, b), ws.sample(ws.val, o.in, b), w, s.col)
			}
		})
		return
	}
	for b := 0; b < ws.n; b++ {
		layers.Conv2dForward(o.g, ws.sample(ws.val, o.out, b), ws.sample(ws.val, o.in, b), w, ws.col)
	}
}

func (o *convOp[T]) backward(ws *Workspace[T], _ int) {
	w := ws.net.Params[o.w].Data
	needDinp := o.in != ws.net.input || ws.InputGrad
	if ws.threaded() && ws.PerSampleWeightGrad == nil {
		ws.parallelSum(ws.pgrad[o.w], func(s *scratch[T], dw []T, from, to int) {
			for b := from; b < to; b++ {
				var dinp []T
				if needDinp {
					dinp = ws.sample(ws.grad, o.in, b)
				}
				layers.Conv2dBackward(o.g, dinp, dw, ws.sample(ws.grad, o.out, b), ws.sample(ws.val, o.in, b), w, s.col, s.dcol, 1)
			}
		})
		return
	}
	for b := 0; b < ws.n; b++ {
		var dinp []T
		if o.in != ws.net.input || ws.InputGrad {
			dinp = ws.sample(ws.grad, o.in, b)
		}
		dw, beta := ws.weightGrad(o.w)
		layers.Conv2dBackward(o.g, dinp, dw, ws.sample(ws.grad, o.out, b), ws.sample(ws.val, o.in, b), w, ws.col, ws.dcol, beta)
		if ws.PerSampleWeightGrad != nil {
			ws.PerSampleWeightGrad(o.w, b, dw)
		}
	}
}

type bnOp[T matmul.Float] struct{ in, out, gamma, beta int }

func (o *bnOp[T]) dims(ws *Workspace[T]) (C, HW int) {
	s := ws.net.slots[o.in]
	return s.C, s.H * s.W
}

func (o *bnOp[T]) forward(ws *Workspace[T], i int) {
	if ws.SkipBatchNorm {
		copy(ws.batch(ws.val, o.out), ws.batch(ws.val, o.in))
		return
	}
	C, HW := o.dims(ws)
	g := ws.group()
	st := ws.stats[i]
	groups := ws.n / g
	layers.BatchNormForward(ws.batch(ws.val, o.out), st[:groups*C], st[ws.B*C:ws.B*C+groups*C],
		ws.batch(ws.val, o.in), ws.net.Params[o.gamma].Data, ws.net.Params[o.beta].Data, ws.n, C, HW, g)
}

func (o *bnOp[T]) backward(ws *Workspace[T], i int) {
	if ws.SkipBatchNorm {
		layers.AddBackward(ws.batch(ws.grad, o.out), ws.batch(ws.grad, o.in))
		return
	}
	C, HW := o.dims(ws)
	g := ws.group()
	st := ws.stats[i]
	groups := ws.n / g
	layers.BatchNormBackward(ws.batch(ws.grad, o.in), ws.pgrad[o.gamma], ws.pgrad[o.beta], ws.batch(ws.grad, o.out),
		ws.batch(ws.val, o.in), st[:groups*C], st[ws.B*C:ws.B*C+groups*C], ws.net.Params[o.gamma].Data, ws.n, C, HW, g)
}

type reluOp[T matmul.Float] struct{ in, out int }

func (o *reluOp[T]) forward(ws *Workspace[T], _ int) {
	layers.ReLUForward(ws.batch(ws.val, o.out), ws.batch(ws.val, o.in))
}

func (o *reluOp[T]) backward(ws *Workspace[T], _ int) {
	layers.ReLUBackward(ws.batch(ws.grad, o.in), ws.batch(ws.grad, o.out), ws.batch(ws.val, o.in))
}

type avgPool3Op[T matmul.Float] struct {
	in, out int
	s       shape
}

func (o *avgPool3Op[T]) forward(ws *Workspace[T], _ int) {
	layers.AvgPool3x3Forward(ws.batch(ws.val, o.out), ws.batch(ws.val, o.in), ws.n*o.s.C, o.s.H, o.s.W)
}

func (o *avgPool3Op[T]) backward(ws *Workspace[T], _ int) {
	layers.AvgPool3x3Backward(ws.batch(ws.grad, o.in), ws.batch(ws.grad, o.out), ws.n*o.s.C, o.s.H, o.s.W)
}

type avgPool2Op[T matmul.Float] struct {
	in, out int
	s       shape // of the input
}

func (o *avgPool2Op[T]) forward(ws *Workspace[T], _ int) {
	layers.AvgPool2x2Forward(ws.batch(ws.val, o.out), ws.batch(ws.val, o.in), ws.n*o.s.C, o.s.H, o.s.W)
}

func (o *avgPool2Op[T]) backward(ws *Workspace[T], _ int) {
	layers.AvgPool2x2Backward(ws.batch(ws.grad, o.in), ws.batch(ws.grad, o.out), ws.n*o.s.C, o.s.H, o.s.W)
}

type gapOp[T matmul.Float] struct{ in, out, C, HW int }

func (o *gapOp[T]) forward(ws *Workspace[T], _ int) {
	layers.GlobalAvgPoolForward(ws.batch(ws.val, o.out), ws.batch(ws.val, o.in), ws.n*o.C, o.HW)
}

func (o *gapOp[T]) backward(ws *Workspace[T], _ int) {
	layers.GlobalAvgPoolBackward(ws.batch(ws.grad, o.in), ws.batch(ws.grad, o.out), ws.n*o.C, o.HW)
}

type addOp[T matmul.Float] struct {
	ins []int
	out int
}

func (o *addOp[T]) forward(ws *Workspace[T], _ int)  { o.sum(ws, ws.val) }
func (o *addOp[T]) backward(ws *Workspace[T], _ int) { o.spread(ws, ws.grad) }

// sum writes the sum of the inputs' slots of v (values or their tangents) to the output's.
func (o *addOp[T]) sum(ws *Workspace[T], v [][]T) {
	ins := ws.views[:0]
	for _, s := range o.ins {
		ins = append(ins, ws.batch(v, s))
	}
	layers.AddForward(ws.batch(v, o.out), ins...)
}

// spread adds the output's slot of g (gradients or their tangents) to every input's.
func (o *addOp[T]) spread(ws *Workspace[T], g [][]T) {
	dins := ws.views[:0]
	for _, s := range o.ins {
		dins = append(dins, ws.batch(g, s))
	}
	layers.AddBackward(ws.batch(g, o.out), dins...)
}

type linearOp[T matmul.Float] struct{ in, out, w, b, I, O int }

func (o *linearOp[T]) forward(ws *Workspace[T], _ int) {
	layers.LinearForward(ws.batch(ws.val, o.out), ws.batch(ws.val, o.in), ws.net.Params[o.w].Data, ws.net.Params[o.b].Data, ws.n, o.I, o.O)
}

func (o *linearOp[T]) backward(ws *Workspace[T], _ int) {
	w := ws.net.Params[o.w].Data
	if ws.PerSampleWeightGrad == nil {
		layers.LinearBackward(ws.batch(ws.grad, o.in), ws.pgrad[o.w], ws.pgrad[o.b], ws.batch(ws.grad, o.out), ws.batch(ws.val, o.in), w, ws.n, o.I, o.O, 1)
		return
	}
	for b := 0; b < ws.n; b++ {
		dw, _ := ws.weightGrad(o.w)
		layers.LinearBackward(ws.sample(ws.grad, o.in, b), dw, ws.pgrad[o.b], ws.sample(ws.grad, o.out, b), ws.sample(ws.val, o.in, b), w, 1, o.I, o.O, 0)
		ws.PerSampleWeightGrad(o.w, b, dw)
	}
}

// Tangents. Each mirrors its op's forward and backward; the linear ops (pools, sums) apply
// themselves to the tangents.

func (o *convOp[T]) tangentForward(ws *Workspace[T], _ int) {
	w, wd := ws.net.Params[o.w].Data, ws.wdot[o.w]
	run := func(s *scratch[T], from, to int) {
		for b := from; b < to; b++ {
			out := ws.sample(ws.vdot, o.out, b)
			layers.Conv2dForward(o.g, out, ws.sample(ws.vdot, o.in, b), w, s.col)
			if wd != nil {
				tmp := s.tmp[:len(out)]
				layers.Conv2dForward(o.g, tmp, ws.sample(ws.val, o.in, b), wd, s.col)
				for k, v := range tmp {
					out[k] += v
				}
			}
		}
	}
	if ws.threaded() {
		ws.parallel(run)
		return
	}
	run(&scratch[T]{col: ws.col, tmp: ws.tmp}, 0, ws.n)
}

func (o *convOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	w, wd := ws.net.Params[o.w].Data, ws.wdot[o.w]
	needDinp := o.in != ws.net.input || ws.InputGrad
	run := func(s *scratch[T], dw []T, from, to int) {
		for b := from; b < to; b++ {
			var dinp []T
			if needDinp {
				dinp = ws.sample(ws.gdot, o.in, b)
			}
			layers.Conv2dBackward(o.g, dinp, dw, ws.sample(ws.gdot, o.out, b), ws.sample(ws.val, o.in, b), w, s.col, s.dcol, 1)
			if wd != nil {
				layers.Conv2dBackward(o.g, dinp, dw, ws.sample(ws.grad, o.out, b), ws.sample(ws.vdot, o.in, b), wd, s.col, s.dcol, 1)
			}
		}
	}
	total := ws.pdot[o.w]
	if !ws.threaded() {
		clear(total)
		run(&scratch[T]{col: ws.col, dcol: ws.dcol}, total, 0, ws.n)
		return
	}
	ws.parallelSum(total, run)
}

func (o *bnOp[T]) tangentForward(ws *Workspace[T], i int) {
	if ws.SkipBatchNorm {
		copy(ws.batch(ws.vdot, o.out), ws.batch(ws.vdot, o.in))
		return
	}
	C, HW := o.dims(ws)
	g := ws.group()
	st, groups := ws.stats[i], ws.n/g
	layers.BatchNormForwardTangent(ws.batch(ws.vdot, o.out), ws.batch(ws.val, o.in), ws.batch(ws.vdot, o.in),
		st[:groups*C], st[ws.B*C:ws.B*C+groups*C], ws.net.Params[o.gamma].Data, ws.n, C, HW, g)
}

func (o *bnOp[T]) tangentBackward(ws *Workspace[T], i int) {
	if ws.SkipBatchNorm {
		layers.AddBackward(ws.batch(ws.gdot, o.out), ws.batch(ws.gdot, o.in))
		return
	}
	C, HW := o.dims(ws)
	g := ws.group()
	st, groups := ws.stats[i], ws.n/g
	layers.BatchNormBackwardTangent(ws.batch(ws.gdot, o.in), ws.batch(ws.gdot, o.out), ws.batch(ws.grad, o.out),
		ws.batch(ws.val, o.in), ws.batch(ws.vdot, o.in), st[:groups*C], st[ws.B*C:ws.B*C+groups*C],
		ws.net.Params[o.gamma].Data, ws.n, C, HW, g)
}

// A ReLU's tangent passes where its input passes (its second derivative is zero).
func (o *reluOp[T]) tangentForward(ws *Workspace[T], _ int) {
	out, in := ws.batch(ws.vdot, o.out), ws.batch(ws.vdot, o.in)
	for k, x := range ws.batch(ws.val, o.in) {
		out[k] = 0
		if x > 0 {
			out[k] = in[k]
		}
	}
}

func (o *reluOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	layers.ReLUBackward(ws.batch(ws.gdot, o.in), ws.batch(ws.gdot, o.out), ws.batch(ws.val, o.in))
}

func (o *avgPool3Op[T]) tangentForward(ws *Workspace[T], _ int) {
	layers.AvgPool3x3Forward(ws.batch(ws.vdot, o.out), ws.batch(ws.vdot, o.in), ws.n*o.s.C, o.s.H, o.s.W)
}

func (o *avgPool3Op[T]) tangentBackward(ws *Workspace[T], _ int) {
	layers.AvgPool3x3Backward(ws.batch(ws.gdot, o.in), ws.batch(ws.gdot, o.out), ws.n*o.s.C, o.s.H, o.s.W)
}

func (o *avgPool2Op[T]) tangentForward(ws *Workspace[T], _ int) {
	layers.AvgPool2x2Forward(ws.batch(ws.vdot, o.out), ws.batch(ws.vdot, o.in), ws.n*o.s.C, o.s.H, o.s.W)
}

func (o *avgPool2Op[T]) tangentBackward(ws *Workspace[T], _ int) {
	layers.AvgPool2x2Backward(ws.batch(ws.gdot, o.in), ws.batch(ws.gdot, o.out), ws.n*o.s.C, o.s.H, o.s.W)
}

func (o *gapOp[T]) tangentForward(ws *Workspace[T], _ int) {
	layers.GlobalAvgPoolForward(ws.batch(ws.vdot, o.out), ws.batch(ws.vdot, o.in), ws.n*o.C, o.HW)
}

func (o *gapOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	layers.GlobalAvgPoolBackward(ws.batch(ws.gdot, o.in), ws.batch(ws.gdot, o.out), ws.n*o.C, o.HW)
}

func (o *addOp[T]) tangentForward(ws *Workspace[T], _ int)  { o.sum(ws, ws.vdot) }
func (o *addOp[T]) tangentBackward(ws *Workspace[T], _ int) { o.spread(ws, ws.gdot) }

func (o *linearOp[T]) tangentForward(ws *Workspace[T], _ int) {
	w, wd := ws.net.Params[o.w].Data, ws.wdot[o.w]
	out := ws.batch(ws.vdot, o.out)
	matmul.Gemm(false, true, ws.n, o.O, o.I, ws.batch(ws.vdot, o.in), w, 0, out) // the bias is fixed
	if wd != nil {
		matmul.Gemm(false, true, ws.n, o.O, o.I, ws.batch(ws.val, o.in), wd, 1, out)
	}
}

func (o *linearOp[T]) tangentBackward(ws *Workspace[T], _ int) {
	w, wd := ws.net.Params[o.w].Data, ws.wdot[o.w]
	layers.LinearBackward(ws.batch(ws.gdot, o.in), ws.pdot[o.w], nil, ws.batch(ws.gdot, o.out), ws.batch(ws.val, o.in), w, ws.n, o.I, o.O, 1)
	if wd != nil {
		layers.LinearBackward(ws.batch(ws.gdot, o.in), ws.pdot[o.w], nil, ws.batch(ws.grad, o.out), ws.batch(ws.vdot, o.in), wd, ws.n, o.I, o.O, 1)
	}
}
