package graph

import "math"

// Structural zeros. With a batch of one, a train-mode BatchNorm normalises each channel over
// its positions alone, and its backward pass, (g - mean(g) - x̂·mean(g·x̂))/σ, is exactly zero
// when the gradient g reaching its output is constant over the positions of each channel. That
// happens when the output reaches the loss only through sums, concatenations, channel slices,
// identities and the global average pool (DARTS's and the NDS networks' last cells), and
// always when each channel has one position (a 1×1 map: the BatchNorm's output is then its
// bias exactly, whatever its input). Every
// weight whose gradient flows only through such BatchNorms then has a zero gradient in exact
// arithmetic, which float arithmetic turns into rounding noise with random signs. So does a
// classifier weight whose input feature is the pooled mean of such BatchNorm outputs when that
// mean (the sum of their biases) is zero. StructuralZeros finds these weights from the graph,
// without looking at any gradient.

// flow is what the analysis knows of the gradient reaching a value, per sample.
type flow uint8

const (
	zeroFlow    flow = iota // exactly zero
	flatFlow                // constant over each channel's positions
	generalFlow             // anything
)

// StructuralZeros marks, for each weight layer (in Weights order) and each of its weights,
// whether the weight's per-sample gradient is zero in exact arithmetic when BatchNorm uses
// each sample's own statistics (GradSign's setting). bias returns the values of a BatchNorm
// bias parameter or of a Bias node's (an index into Params): the analysis needs them for the
// classifier's inputs.
func (g *Graph) StructuralZeros(bias func(param int) []float64) [][]bool {
	grad := g.gradFlows()
	// Forward: per value and channel, the mean over positions where it is a known constant.
	means := g.KnownMeans(bias)
	var zeros [][]bool
	for _, n := range g.Nodes {
		if len(n.Params) == 0 || !g.Params[n.Params[0]].IsWeight() {
			continue
		}
		w := &g.Params[n.Params[0]]
		z := make([]bool, w.Size())
		in := g.Values[n.In[0]]
		switch {
		case grad[n.Out] == zeroFlow:
			for k := range z {
				z[k] = true
			}
		case (n.Op == Linear || n.Op == Conv) && means[n.In[0]] != nil && in.H*in.W == 1:
			// Weight (o, j) has gradient dout[o] · x[j] (a convolution's other taps read only
			// padding); x[j] is the constant means[j] where known (never NaN): a
			// squeeze-and-excitation's first layer after a BatchNorm with zero bias, a classifier
			// on such means.
			taps := len(z) / (g.Values[n.Out].C * in.C)
			for k := range z {
				z[k] = means[n.In[0]][k/taps%in.C] == 0
			}
		}
		zeros = append(zeros, z)
	}
	return zeros
}

// KnownZeroBatchNorms says, for each node, whether it is a BatchNorm whose input gradient the
// graph alone shows to be zero per sample (StructuralZeros' analysis): the BatchNorms where the
// gradient reaching the output is always constant over positions, or where each channel has one
// position. The run-time rule for the same identity (network.Workspace.ExactZeros) is left to
// the others, so that the official code's noise at structural zeros can still be counted.
func (g *Graph) KnownZeroBatchNorms() []bool {
	grad := g.gradFlows()
	known := make([]bool, len(g.Nodes))
	for i, n := range g.Nodes {
		out := g.Values[n.Out]
		known[i] = n.Op == BatchNorm && (grad[n.Out] != generalFlow || out.H*out.W == 1)
	}
	return known
}

// gradFlows is what the analysis knows of the gradient reaching each value, per sample.
func (g *Graph) gradFlows() []flow {
	// Backward: the gradient reaching each value, consumers first.
	grad := make([]flow, len(g.Values))
	grad[g.Output] = generalFlow
	for i := len(g.Nodes) - 1; i >= 0; i-- {
		n := &g.Nodes[i]
		out := grad[n.Out]
		in := generalFlow
		switch {
		case out == zeroFlow:
			in = zeroFlow
		case n.Op == BatchNorm && (out == flatFlow || g.Values[n.Out].H*g.Values[n.Out].W == 1):
			// One position per channel: any gradient is constant over the positions.
			in = zeroFlow
		case n.Op == Sum || n.Op == Concat || n.Op == Channels || n.Op == Bias:
			in = out
		case n.Op == GlobalAvgPool:
			in = flatFlow
		}
		for _, v := range n.In {
			grad[v] = max(grad[v], in)
		}
	}
	return grad
}

// KnownMeans gives, for each value, the mean over positions of each channel where it is the
// same known constant for every sample, NaN where it is not (nil: no channel known). A
// per-sample BatchNorm's output has its bias as means; sums, concatenations, slices and the
// global pool keep them known, and so does a ReLU of a value of one position per channel
// (where the mean is the value).
func (g *Graph) KnownMeans(bias func(param int) []float64) [][]float64 {
	means := make([][]float64, len(g.Values))
	of := func(v Value) []float64 { // NaNs where nothing is known
		if means[v] != nil {
			return means[v]
		}
		m := make([]float64, g.Values[v].C)
		for c := range m {
			m[c] = math.NaN()
		}
		return m
	}
	for _, n := range g.Nodes {
		var m []float64
		switch n.Op {
		case BatchNorm:
			m = append([]float64(nil), bias(n.Params[1])...)
		case Sum: // NaN + x is NaN
			m = make([]float64, g.Values[n.Out].C)
			for _, v := range n.In {
				for c, x := range of(v) {
					m[c] += x
				}
			}
		case Concat:
			for _, v := range n.In {
				m = append(m, of(v)...)
			}
		case Channels:
			m = of(n.In[0])[n.From : n.From+g.Values[n.Out].C]
		case GlobalAvgPool:
			m = means[n.In[0]]
		case ReLU:
			if s := g.Values[n.Out]; means[n.In[0]] != nil && s.H*s.W == 1 {
				m = make([]float64, s.C)
				for c, x := range means[n.In[0]] {
					m[c] = max(x, 0) // NaN stays NaN
				}
			}
		case Bias:
			if means[n.In[0]] != nil {
				m = append([]float64(nil), means[n.In[0]]...)
				for c, b := range bias(n.Params[0]) {
					m[c] += b
				}
			}
		}
		means[n.Out] = m
	}
	return means
}
