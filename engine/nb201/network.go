package nb201

import (
	"fmt"

	"gradsign/engine/graph"
)

// Config says which NAS-Bench-201 network to build: NAS-Bench-201's TinyNetwork of a cell.
// It is a graph.Spec.
type Config struct {
	Arch Arch
	// C is the channel count of the first stage (NAS-Bench-201: 16); N the number of cells
	// per stage (NAS-Bench-201: 5).
	C, N int
	// Classes is the output count (10 for CIFAR-10, 100 for CIFAR-100, 120 for ImageNet16-120).
	Classes int
	// H and W are the input size (32 for CIFAR, 16 for ImageNet16); multiples of 4.
	H, W int
}

// CIFAR10 is NAS-Bench-201's configuration on CIFAR-10 for an architecture.
func CIFAR10(a Arch) Config { return Config{Arch: a, C: 16, N: 5, Classes: 10, H: 32, W: 32} }

func (c Config) validate() error {
	switch {
	case c.C < 1 || c.C > 4096:
		return fmt.Errorf("channels %d out of range: want 1..4096 (NAS-Bench-201 uses 16)", c.C)
	case c.N < 1 || c.N > 64:
		return fmt.Errorf("cells per stage %d out of range: want 1..64 (NAS-Bench-201 uses 5)", c.N)
	case c.Classes < 1:
		return fmt.Errorf("class count %d: want at least 1", c.Classes)
	case c.H < 4 || c.W < 4 || c.H%4 != 0 || c.W%4 != 0:
		return fmt.Errorf("input size %dx%d: want multiples of 4 (two stride-2 reductions)", c.H, c.W)
	}
	for _, op := range c.Arch {
		if op >= NumOps {
			return fmt.Errorf("arch holds unknown operation %d", op)
		}
	}
	return nil
}

// Graph builds the TinyNetwork with NAS-Bench-201's parameter names: the stem (Conv2d 3x3 and
// BatchNorm as stem.0, stem.1), three stages of N cells with a residual reduction block
// between them, then BatchNorm and ReLU (lastact), global average pooling and the classifier.
func (c Config) Graph() (*graph.Graph, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	b := builder{graph.New(c.Arch.String(), graph.Shape{C: 3, H: c.H, W: c.W}), c.Arch}
	x := b.reluConvBN("stem", b.g.Input, c.C, 3, 1, 1, false)
	cell := 0
	for stage := 0; stage < 3; stage++ {
		if stage > 0 {
			x = b.resBlock(fmt.Sprintf("cells.%d", cell), x)
			cell++
		}
		for i := 0; i < c.N; i++ {
			x = b.cell(fmt.Sprintf("cells.%d", cell), x)
			cell++
		}
	}
	x = b.g.ReLU(b.g.BatchNorm("lastact.0", x))
	return b.g.Finish(b.g.Linear("classifier", b.g.GlobalAvgPool(x), c.Classes)), nil
}

type builder struct {
	g    *graph.Graph
	arch Arch
}

// reluConvBN is NAS-Bench-201's ReLUConvBN (ReLU, Conv2d, BatchNorm2d as op.0, op.1, op.2),
// or with relu false the stem (Conv2d, BatchNorm2d as .0 and .1).
func (b builder) reluConvBN(name string, in graph.Value, cout, k, stride, pad int, relu bool) graph.Value {
	if !relu {
		return b.g.BatchNorm(name+".1", b.g.Conv(name+".0", in, cout, k, stride, pad))
	}
	return b.g.BatchNorm(name+".op.2", b.g.Conv(name+".op.1", b.g.ReLU(in), cout, k, stride, pad))
}

// cell is NAS-Bench-201's InferCell: node 0 is the input, node j the sum over i < j of edge
// (j <- i) applied to node i, and node 3 the output. Edge e's modules are named
// name.layers.e. A node whose edges are all none is zero: an empty sum, which the next sums
// leave out.
func (b builder) cell(name string, in graph.Value) graph.Value {
	nodes := []graph.Value{in}
	c := b.g.Shape(in).C
	for j := 1; j <= 3; j++ {
		var terms []graph.Value
		for i := 0; i < j; i++ {
			e := Edge(j, i)
			prefix := fmt.Sprintf("%s.layers.%d", name, e)
			switch b.arch[e] {
			case None: // x·0 adds nothing
			case SkipConnect:
				terms = append(terms, nodes[i])
			case Conv1x1:
				terms = append(terms, b.reluConvBN(prefix, nodes[i], c, 1, 1, 0, true))
			case Conv3x3:
				terms = append(terms, b.reluConvBN(prefix, nodes[i], c, 3, 1, 1, true))
			case AvgPool3x3:
				terms = append(terms, b.g.AvgPool3x3(nodes[i]))
			}
		}
		nodes = append(nodes, b.sum(terms, in))
	}
	return nodes[3]
}

// sum is the node that adds terms; with no term at all it is a zero value of like's shape.
func (b builder) sum(terms []graph.Value, like graph.Value) graph.Value {
	if len(terms) == 0 {
		return b.g.Zero(b.g.Shape(like))
	}
	return b.g.Sum(terms...)
}

// resBlock is NAS-Bench-201's ResNetBasicblock with stride 2 doubling the channels:
// conv_b(conv_a(x)) + downsample(x), downsample being AvgPool2d(2, 2) then a 1x1 Conv2d.
func (b builder) resBlock(name string, in graph.Value) graph.Value {
	c := b.g.Shape(in).C
	x := b.reluConvBN(name+".conv_a", in, 2*c, 3, 2, 1, true)
	x = b.reluConvBN(name+".conv_b", x, 2*c, 3, 1, 1, true)
	d := b.g.Conv(name+".downsample.1", b.g.AvgPool2x2(in), 2*c, 1, 1, 0)
	return b.g.Sum(x, d)
}
