package network

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"gradsign/engine/graph"
	"gradsign/engine/matmul"
)

// Param is one named tensor of the state dict with its values.
type Param[T matmul.Float] struct {
	graph.Param
	Data []T
}

// Network is a graph (package graph) with its weights in element type T: what a Workspace
// runs on a backend.
type Network[T matmul.Float] struct {
	// Graph is the network's description, shared with every Network built from it.
	Graph *graph.Graph
	// Classes is the length of the logits.
	Classes int
	// Params are the state dict, in the graph's order.
	Params []*Param[T]

	ops     []op[T]
	weights []int
}

// Build makes the network a spec describes (a front-end's configuration or a graph) with zero
// weights; Init or Load gives them values.
func Build[T matmul.Float](spec graph.Spec) (*Network[T], error) {
	n, err := Plan[T](spec)
	if err != nil {
		return nil, err
	}
	for _, p := range n.Params {
		p.Data = make([]T, p.Size())
	}
	return n, nil
}

// Plan makes the network of a spec without its parameters' values (Data stays nil): its
// graph, counts (NumParams, FLOPs, WeightSizes) and memory estimates (WorkspaceBytes) at no
// cost in memory, even for a configuration too large to build. Only Build's networks run.
func Plan[T matmul.Float](spec graph.Spec) (*Network[T], error) {
	g, err := spec.Graph()
	if err != nil {
		return nil, err
	}
	n := &Network[T]{Graph: g, Classes: g.Classes, weights: g.Weights()}
	n.Params = make([]*Param[T], len(g.Params))
	for i := range g.Params {
		n.Params[i] = &Param[T]{Param: g.Params[i]}
	}
	n.ops = make([]op[T], len(g.Nodes))
	for i := range g.Nodes {
		if n.ops[i], err = newOp[T](g, &g.Nodes[i]); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// Init gives the parameters their initialisation (the graph's Init of each: PyTorch's default
// unless the space says otherwise), drawn from one generator seeded with seed, in state-dict
// order. The same seed gives the same weights on every platform.
func (n *Network[T]) Init(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for _, p := range n.Params {
		switch p.Init.Dist {
		case graph.Uniform:
			for i := range p.Data {
				p.Data[i] = T((2*rng.Float64() - 1) * p.Init.Scale)
			}
		case graph.Normal:
			for i := range p.Data {
				p.Data[i] = T(rng.NormFloat64() * p.Init.Scale)
			}
		case graph.Constant:
			for i := range p.Data {
				p.Data[i] = T(p.Init.Scale)
			}
		}
	}
}

// Weights returns the indices into Params of the Conv2d and Linear weights, in order.
func (n *Network[T]) Weights() []int { return n.weights }

// NumParams counts every trainable parameter (weights, biases, BatchNorm affine).
func (n *Network[T]) NumParams() int { return n.Graph.NumParams() }

// FLOPs is the graph's FLOP count for one input: the multiply-accumulates of every Conv2d and
// Linear layer, plus one per output of a layer with a bias; pooling and BatchNorm are not
// counted. NAS-Bench-201 reports it in millions.
func (n *Network[T]) FLOPs() int { return n.Graph.FLOPs }

// InputSize is the length of one input image, 3·H·W.
func (n *Network[T]) InputSize() int { return n.Graph.Shape(n.Graph.Input).Size() }

// LargestValue is the length of the network's largest activation for one input: what a
// backend's largest buffer holds per sample of a chunk.
func (n *Network[T]) LargestValue() int {
	largest := 0
	for _, s := range n.Graph.Values {
		largest = max(largest, s.Size())
	}
	return largest
}

// LayerNames returns the module name of each weight layer, in order: its weight's parameter
// name less ".weight", as the reference files name them.
func (n *Network[T]) LayerNames() []string {
	var names []string
	for _, p := range n.weights {
		names = append(names, strings.TrimSuffix(n.Params[p].Name, ".weight"))
	}
	return names
}

// StructuralZeros marks, per weight layer and weight, the per-sample gradients that are zero
// in exact arithmetic (graph.StructuralZeros), from the graph and the BatchNorm biases' current
// values; a planned network's (Plan: no values yet) are the ones Init gives them, constants
// where the initialisation is one and unknown (NaN) otherwise.
func (n *Network[T]) StructuralZeros() [][]bool {
	return n.Graph.StructuralZeros(n.paramValues)
}

// paramValues is parameter p's values in float64: a planned network's are the ones Init gives,
// constants where the initialisation is one and unknown (NaN) otherwise.
func (n *Network[T]) paramValues(p int) []float64 {
	param := n.Params[p]
	if param.Data == nil {
		v := make([]float64, param.Size())
		for i := range v {
			v[i] = math.NaN()
			if param.Init.Dist == graph.Constant {
				v[i] = param.Init.Scale
			}
		}
		return v
	}
	v := make([]float64, len(param.Data))
	for i, x := range param.Data {
		v[i] = float64(x)
	}
	return v
}

// Param returns the parameter of a name, or nil.
func (n *Network[T]) Param(name string) *Param[T] {
	for _, p := range n.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// String names the network for messages.
func (n *Network[T]) String() string {
	return fmt.Sprintf("%s (%d parameters)", n.Graph.Name, n.NumParams())
}
