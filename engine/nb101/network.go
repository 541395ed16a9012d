package nb101

import (
	"fmt"
	"math"

	"gradsign/engine/graph"
)

// Config says which NAS-Bench-101 network to build. It is a graph.Spec.
type Config struct {
	Cell Cell
	// Stem is the stem convolution's channel count (NAS-Bench-101: 128); each stack after
	// the first doubles it.
	Stem int
	// Stacks of CellsPerStack cells (NAS-Bench-101: 3 and 3), a 2x2 max pool between stacks.
	Stacks, CellsPerStack int
	// Classes is the output count; H and W the input size.
	Classes, H, W int
}

// CIFAR10 is NAS-Bench-101's network for a cell: stem 128, 3 stacks of 3 cells, 10 classes,
// 32x32 inputs.
func CIFAR10(c Cell) Config {
	return Config{Cell: c, Stem: 128, Stacks: 3, CellsPerStack: 3, Classes: 10, H: 32, W: 32}
}

func (c Config) validate() error {
	switch {
	case c.Cell.V() < 2:
		return fmt.Errorf("an empty cell: give its adjacency and ops")
	case c.Stem < 1 || c.Stem > 4096:
		return fmt.Errorf("stem channels %d out of range: want 1..4096 (NAS-Bench-101 uses 128)", c.Stem)
	case c.Stacks < 1 || c.Stacks > 6:
		return fmt.Errorf("stacks %d out of range: want 1..6 (NAS-Bench-101 uses 3)", c.Stacks)
	case c.CellsPerStack < 1 || c.CellsPerStack > 64:
		return fmt.Errorf("cells per stack %d out of range: want 1..64 (NAS-Bench-101 uses 3)", c.CellsPerStack)
	case c.Classes < 1:
		return fmt.Errorf("class count %d: want at least 1", c.Classes)
	}
	if k := c.Cell.outputFanIn(); c.Stem < k {
		return fmt.Errorf("stem channels %d: the cell's output splits its channels among the %d vertices that feed it, at least one each: want at least %d", c.Stem, k, k)
	}
	if side := 1 << (c.Stacks - 1); c.H < side || c.W < side || c.H%side != 0 || c.W%side != 0 {
		return fmt.Errorf("input size %dx%d: want multiples of %d (%d 2x2 max pools)", c.H, c.W, side, c.Stacks-1)
	}
	return nil
}

// Graph builds the network as the official model (nasbench1.Network) does, with its
// parameter names: layers.0 the stem (Conv-BN-ReLU 3x3), then the cells, with layers.k a 2x2
// max pool (no parameters) between stacks, the first cell of each stack after the first
// doubling the channels; then the spatial mean and the classifier.
func (c Config) Graph() (*graph.Graph, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	g := graph.New(c.Cell.Hash(), graph.Shape{C: 3, H: c.H, W: c.W})
	x := convBNReLU(g, "layers.0.conv_bn_relu", g.Input, c.Stem, 3)
	layer, channels := 1, c.Stem
	for stack := range c.Stacks {
		if stack > 0 {
			x = g.MaxPool(x, 2, 2, 0)
			layer++
			channels *= 2
		}
		for range c.CellsPerStack {
			x = c.Cell.build(g, fmt.Sprintf("layers.%d", layer), x, channels)
			layer++
		}
	}
	x = g.Linear("classifier", g.GlobalAvgPool(x), c.Classes)
	initLikeOfficial(g)
	return g.Finish(x), nil
}

// initLikeOfficial gives the parameters the official model's own initialisation
// (_initialize_weights): Conv2d weights N(0, 2/(k·k·out)), Linear weights N(0, 0.01²), biases
// 0; BatchNorm weight 1 and bias 0 as PyTorch's default.
func initLikeOfficial(g *graph.Graph) {
	for i := range g.Params {
		p := &g.Params[i]
		switch p.Kind {
		case graph.ConvWeight:
			p.Init = graph.Init{Dist: graph.Normal, Scale: math.Sqrt(2 / float64(p.Shape[0]*p.Shape[2]*p.Shape[3]))}
		case graph.LinearWeight:
			p.Init = graph.Init{Dist: graph.Normal, Scale: 0.01}
		case graph.LinearBias:
			p.Init = graph.Init{Dist: graph.Constant, Scale: 0}
		}
	}
}

// convBNReLU is the official ConvBnRelu: Conv2d (bias-free, stride 1, same padding), BatchNorm
// and ReLU as name.0, name.1, name.2.
func convBNReLU(g *graph.Graph, name string, in graph.Value, cout, k int) graph.Value {
	return g.ReLU(g.BatchNorm(name+".1", g.Conv(name+".0", in, cout, k, 1, k/2)))
}

// outputFanIn counts the interior vertices that feed the output (among which its channels
// are split).
func (c Cell) outputFanIn() int {
	v, k := c.V(), 0
	for i := 1; i < v-1; i++ {
		if c.Adj[i][v-1] {
			k++
		}
	}
	return k
}

// Channels is the channel count of every vertex of a cell from in to out channels, as the
// official ComputeVertexChannels gives it: the output's channels split among the interior
// vertices that feed it (out / k each, the first out % k in vertex order one more), every
// other interior vertex the largest count among its successors.
func (c Cell) Channels(in, out int) []int {
	v := c.V()
	ch := make([]int, v)
	ch[0], ch[v-1] = in, out
	if v == 2 {
		return ch
	}
	fanIn := c.outputFanIn()
	// A pruned cell of more than two vertices has an interior vertex into the output.
	share, extra := out/fanIn, out%fanIn
	for i := 1; i < v-1; i++ {
		if c.Adj[i][v-1] {
			ch[i] = share
			if extra > 0 {
				ch[i]++
				extra--
			}
		}
	}
	for i := v - 3; i > 0; i-- {
		if !c.Adj[i][v-1] {
			for j := i + 1; j < v-1; j++ {
				if c.Adj[i][j] {
					ch[i] = max(ch[i], ch[j])
				}
			}
		}
	}
	return ch
}

// build adds one cell (the official Cell) from x to out channels. Vertex t sums the first
// channels of each interior predecessor (Truncate) and, with an edge from the input, the
// input's projection input_op.t (Conv-BN-ReLU 1x1), then applies its op vertex_op.t; the
// output concatenates, in vertex order, the vertices that feed it, and adds the input's
// projection input_op.(V-1) with an edge from the input (only that projection when no
// interior vertex feeds it). Unlike the official model, which adds that projection in place
// into a ReLU output its backward pass needs (and so cannot backpropagate such a cell with
// one conv vertex into the output), this computes the sum the definition asks for.
func (c Cell) build(g *graph.Graph, name string, x graph.Value, out int) graph.Value {
	v := c.V()
	ch := c.Channels(g.Shape(x).C, out)
	project := func(t int) graph.Value {
		return convBNReLU(g, fmt.Sprintf("%s.input_op.%d.conv_bn_relu", name, t), x, ch[t], 1)
	}
	vertex := make([]graph.Value, v)
	vertex[0] = x
	var concat []graph.Value
	for t := 1; t < v-1; t++ {
		var fanIn []graph.Value
		for s := 1; s < t; s++ {
			if c.Adj[s][t] {
				fanIn = append(fanIn, g.Channels(vertex[s], 0, ch[t]))
			}
		}
		if c.Adj[0][t] {
			fanIn = append(fanIn, project(t))
		}
		sum := g.Sum(fanIn...)
		prefix := fmt.Sprintf("%s.vertex_op.%d", name, t)
		switch c.Ops[t] {
		case Conv3x3:
			vertex[t] = convBNReLU(g, prefix+".conv3x3.conv_bn_relu", sum, ch[t], 3)
		case Conv1x1:
			vertex[t] = convBNReLU(g, prefix+".conv1x1.conv_bn_relu", sum, ch[t], 1)
		case MaxPool3x3:
			vertex[t] = g.MaxPool(sum, 3, 1, 1)
		}
		if c.Adj[t][v-1] {
			concat = append(concat, vertex[t])
		}
	}
	if len(concat) == 0 {
		return project(v - 1)
	}
	y := g.Concat(concat...)
	if c.Adj[0][v-1] {
		y = g.Sum(y, project(v-1))
	}
	return y
}
