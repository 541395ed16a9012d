package darts

import (
	"fmt"

	"gradsign/engine/graph"
)

// Config says which DARTS network to build. It is a graph.Spec.
type Config struct {
	Genotype Genotype
	// C is the first cells' channel count (NAS-Bench-301: 32; the stem has 3C); Layers the
	// number of cells (NAS-Bench-301: 8), reduction cells at Layers/3 and 2·Layers/3.
	C, Layers int
	// Classes is the output count; H and W the input size.
	Classes, H, W int
	// NDS builds pycls's NetworkCIFAR instead, as NASWOT builds the NDS cell spaces: its ops
	// beyond DARTS's, and pycls's Classifier (classifier.classifier).
	NDS bool
}

// NB301 is NAS-Bench-301's network of a genotype: C=32, 8 cells, CIFAR-10.
func NB301(g Genotype) Config {
	return Config{Genotype: g, C: 32, Layers: 8, Classes: 10, H: 32, W: 32}
}

func (c Config) validate() error {
	switch {
	case c.C < 2 || c.C%2 != 0 || c.C > 1024:
		return fmt.Errorf("channels %d: want an even count 2..1024 (NAS-Bench-301 uses 32)", c.C)
	case c.Layers < 3 || c.Layers > 64:
		return fmt.Errorf("cells %d out of range: want 3..64 (NAS-Bench-301 uses 8)", c.Layers)
	case c.Classes < 1:
		return fmt.Errorf("class count %d: want at least 1", c.Classes)
	case c.H < 4 || c.W < 4 || c.H%4 != 0 || c.W%4 != 0:
		return fmt.Errorf("input size %dx%d: want multiples of 4 (two reduction cells)", c.H, c.W)
	}
	if op := c.Genotype.ndsOnly(); op != "" && !c.NDS {
		return fmt.Errorf("genotype has %s, which DARTS's model does not build: it is an NDS op (use the nds space)", op)
	}
	return c.Genotype.check()
}

// Graph builds NetworkCIFAR with DARTS's parameter names: stem.0 (3x3 conv to 3C) and stem.1
// (BatchNorm), cells.i (their preprocess0/1 and _ops.j), global average pooling and the
// classifier.
func (c Config) Graph() (*graph.Graph, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	g := graph.New(c.Genotype.String(), graph.Shape{C: 3, H: c.H, W: c.W})
	stem := g.BatchNorm("stem.1", g.Conv("stem.0", g.Input, 3*c.C, 3, 1, 1))
	s0, s1 := stem, stem
	ch, reductionPrev := c.C, false
	for i := range c.Layers {
		reduction := i == c.Layers/3 || i == 2*c.Layers/3
		if reduction {
			ch *= 2
		}
		b := cellBuilder{g: g, name: fmt.Sprintf("cells.%d", i), c: ch}
		s0, s1 = s1, b.build(c.Genotype, s0, s1, reduction, reductionPrev)
		reductionPrev = reduction
	}
	head := "classifier"
	if c.NDS {
		head = "classifier.classifier" // pycls's Classifier: pooling, then classifier
	}
	return g.Finish(g.Linear(head, g.GlobalAvgPool(s1), c.Classes)), nil
}

// cellBuilder builds one cell of c channels.
type cellBuilder struct {
	g    *graph.Graph
	name string
	c    int
}

// build is DARTS's Cell: the two inputs preprocessed (a FactorizedReduce after a reduction
// cell, else ReLU-Conv1x1-BN; ReLU-Conv1x1-BN for the previous cell's output), then each node
// the sum of its two edges' ops, and the output the concatenation of the concat states. In a
// reduction cell the edges from the two inputs have stride 2.
func (b cellBuilder) build(gt Genotype, s0, s1 graph.Value, reduction, reductionPrev bool) graph.Value {
	g := b.g
	if reductionPrev {
		s0 = b.factorizedReduce(b.name+".preprocess0", s0)
	} else {
		s0 = b.reluConvBN(b.name+".preprocess0.op", s0)
	}
	s1 = b.reluConvBN(b.name+".preprocess1.op", s1)
	edges, concat := gt.Normal, gt.NormalConcat
	if reduction {
		edges, concat = gt.Reduce, gt.ReduceConcat
	}
	states := []graph.Value{s0, s1}
	for j := 0; j < len(edges); j += 2 {
		var terms [2]graph.Value
		for k := range 2 {
			e := edges[j+k]
			stride := 1
			if reduction && e.Input < 2 {
				stride = 2
			}
			terms[k] = b.op(fmt.Sprintf("%s._ops.%d", b.name, j+k), e.Op, states[e.Input], stride)
		}
		states = append(states, g.Sum(terms[0], terms[1]))
	}
	outs := make([]graph.Value, len(concat))
	for i, s := range concat {
		outs[i] = states[s]
	}
	return g.Concat(outs...)
}

// reluConvBN is ReLUConvBN(C_in, C, 1, 1, 0): ReLU, 1x1 conv (name.1), BatchNorm (name.2).
func (b cellBuilder) reluConvBN(name string, in graph.Value) graph.Value {
	g := b.g
	return g.BatchNorm(name+".2", g.Conv(name+".1", g.ReLU(in), b.c, 1, 1, 0))
}

// factorizedReduce is FactorizedReduce(C_in, C): ReLU, then two 1x1 stride-2 convs of C/2
// channels (conv_1 on x, conv_2 on x[:, :, 1:, 1:]) concatenated, and BatchNorm (bn).
func (b cellBuilder) factorizedReduce(name string, in graph.Value) graph.Value {
	g := b.g
	x := g.ReLU(in)
	a := g.Conv(name+".conv_1", x, b.c/2, 1, 2, 0)
	c := g.Conv(name+".conv_2", g.Crop(x), b.c/2, 1, 2, 0)
	return g.BatchNorm(name+".bn", g.Concat(a, c))
}

// op adds one edge's operation, as DARTS's (or pycls's) OPS builds it, on c channels.
func (b cellBuilder) op(name, op string, x graph.Value, stride int) graph.Value {
	g := b.g
	switch op {
	case "none":
		s := g.Shape(x)
		return g.Zero(graph.Shape{C: s.C, H: (s.H-1)/stride + 1, W: (s.W-1)/stride + 1})
	case "max_pool_3x3", "max_pool_5x5", "max_pool_7x7":
		k := int(op[len(op)-1] - '0')
		return g.MaxPool(x, k, stride, k/2)
	case "avg_pool_3x3", "avg_pool_5x5":
		k := int(op[len(op)-1] - '0')
		return g.AvgPool(x, k, stride, k/2)
	case "conv_1x1", "conv_3x3": // a bare nn.Sequential: ReLU, conv (.1), BN (.2)
		k := int(op[len(op)-1] - '0')
		return g.BatchNorm(name+".2", g.Conv(name+".1", g.ReLU(x), b.c, k, stride, k/2))
	case "conv_3x1_1x3", "conv_7x1_1x7": // ReLU, 1×k (.1, stride (1, s)), k×1 (.2, stride (s, 1)), BN (.3)
		k := int(op[len(op)-1] - '0')
		x = g.ConvHW(name+".1", g.ReLU(x), b.c, 1, k, 1, stride, 0, k/2)
		x = g.ConvHW(name+".2", x, b.c, k, 1, stride, 1, k/2, 0)
		return g.BatchNorm(name+".3", x)
	case "dil_sep_conv_3x3": // SepConv with both depthwise stages dilated 2, padding 2
		x = g.Conv(name+".op.2", g.Depthwise(name+".op.1", g.ReLU(x), 3, stride, 2, 2), b.c, 1, 1, 0)
		x = g.BatchNorm(name+".op.3", x)
		x = g.Conv(name+".op.6", g.Depthwise(name+".op.5", g.ReLU(x), 3, 1, 2, 2), b.c, 1, 1, 0)
		return g.BatchNorm(name+".op.7", x)
	case "skip_connect":
		if stride == 1 {
			return x
		}
		return b.factorizedReduce(name, x)
	case "sep_conv_3x3", "sep_conv_5x5", "sep_conv_7x7":
		k := int(op[len(op)-1] - '0')
		x = g.Conv(name+".op.2", g.Depthwise(name+".op.1", g.ReLU(x), k, stride, k/2, 1), b.c, 1, 1, 0)
		x = g.BatchNorm(name+".op.3", x)
		x = g.Conv(name+".op.6", g.Depthwise(name+".op.5", g.ReLU(x), k, 1, k/2, 1), b.c, 1, 1, 0)
		return g.BatchNorm(name+".op.7", x)
	case "dil_conv_3x3", "dil_conv_5x5":
		k := int(op[len(op)-1] - '0')
		x = g.Conv(name+".op.2", g.Depthwise(name+".op.1", g.ReLU(x), k, stride, k-1, 2), b.c, 1, 1, 0)
		return g.BatchNorm(name+".op.3", x)
	}
	panic("darts: op " + op + " passed the genotype's check")
}
