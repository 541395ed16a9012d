package network

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gradsign/engine/layers"
	"gradsign/engine/matmul"
	"gradsign/engine/nb201"
)

// Config says which network to build.
type Config struct {
	Arch nb201.Arch
	// C is the channel count of the first stage (NAS-Bench-201: 16); N the number of cells
	// per stage (NAS-Bench-201: 5).
	C, N int
	// Classes is the output count (10 for CIFAR-10, 100 for CIFAR-100, 120 for ImageNet16-120).
	Classes int
	// H and W are the input size (32 for CIFAR, 16 for ImageNet16); multiples of 4.
	H, W int
}

// CIFAR10 is NAS-Bench-201's configuration on CIFAR-10 for an architecture.
func CIFAR10(a nb201.Arch) Config { return Config{Arch: a, C: 16, N: 5, Classes: 10, H: 32, W: 32} }

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
		if op >= nb201.NumOps {
			return fmt.Errorf("arch holds unknown operation %d", op)
		}
	}
	return nil
}

// Kind says what a parameter is.
type Kind uint8

// The kinds of parameter.
const (
	ConvWeight Kind = iota
	LinearWeight
	LinearBias
	BNWeight
	BNBias
	BNRunningMean
	BNRunningVar
)

// Param is one named tensor of the state dict.
type Param[T matmul.Float] struct {
	Name  string
	Shape []int
	Data  []T
	Kind  Kind
	// FanIn is the input count of a Conv2d or Linear output (Cin·K·K, or in-features).
	FanIn int
}

// Size is the parameter's number of values (its Data's length, once allocated).
func (p *Param[T]) Size() int {
	size := 1
	for _, d := range p.Shape {
		size *= d
	}
	return size
}

// IsWeight reports whether p is a Conv2d or Linear weight: the tensors GradSign and the other
// proxies score.
func (p *Param[T]) IsWeight() bool { return p.Kind == ConvWeight || p.Kind == LinearWeight }

// Trainable reports whether p is a trainable parameter (not a BatchNorm running statistic).
func (p *Param[T]) Trainable() bool { return p.Kind != BNRunningMean && p.Kind != BNRunningVar }

// Network is a TinyNetwork: its weights and its graph of operations.
type Network[T matmul.Float] struct {
	Config
	// Params are the state dict, in NAS-Bench-201's order.
	Params []*Param[T]

	slots   []shape // per-sample shape of every value
	ops     []op[T]
	input   int // slot of the input image
	logits  int // slot of the logits
	weights []int
	flops   int
}

// shape is the per-sample shape of a value.
type shape struct{ C, H, W int }

func (s shape) size() int { return s.C * s.H * s.W }

// Build makes the network of cfg with zero weights; Init or Load gives them values.
func Build[T matmul.Float](cfg Config) (*Network[T], error) {
	n, err := Plan[T](cfg)
	if err != nil {
		return nil, err
	}
	for _, p := range n.Params {
		p.Data = make([]T, p.Size())
	}
	return n, nil
}

// Plan makes the network of cfg without its parameters' values (Data stays nil): its graph,
// shapes and counts (NumParams, FLOPs, WeightSizes) and memory estimates (WorkspaceBytes) at
// no cost in memory, even for a configuration too large to build. Only Build's networks run.
func Plan[T matmul.Float](cfg Config) (*Network[T], error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	n := &Network[T]{Config: cfg}
	n.input = n.slot(shape{3, cfg.H, cfg.W})
	x := n.reluConvBN("stem", n.input, cfg.C, 3, 1, 1, false)
	cell := 0
	for stage := 0; stage < 3; stage++ {
		if stage > 0 {
			x = n.resBlock(fmt.Sprintf("cells.%d", cell), x)
			cell++
		}
		for i := 0; i < cfg.N; i++ {
			x = n.cell(fmt.Sprintf("cells.%d", cell), x)
			cell++
		}
	}
	x = n.bn("lastact.0", x)
	x = n.unary(x, n.slots[x], func(in, out int) op[T] { return &reluOp[T]{in, out} })
	s := n.slots[x]
	pooled := n.slot(shape{s.C, 1, 1})
	n.ops = append(n.ops, &gapOp[T]{x, pooled, s.C, s.H * s.W})
	n.logits = n.linear("classifier", pooled, cfg.Classes)
	return n, nil
}

// Forward order builders. Each adds slots, parameters and operations, and returns the slot
// of its output.

func (n *Network[T]) slot(s shape) int {
	n.slots = append(n.slots, s)
	return len(n.slots) - 1
}

func (n *Network[T]) param(name string, kind Kind, fanIn int, shape ...int) int {
	n.Params = append(n.Params, &Param[T]{Name: name, Shape: shape, Kind: kind, FanIn: fanIn})
	if kind == ConvWeight || kind == LinearWeight {
		n.weights = append(n.weights, len(n.Params)-1)
	}
	return len(n.Params) - 1
}

func (n *Network[T]) unary(in int, s shape, mk func(in, out int) op[T]) int {
	out := n.slot(s)
	n.ops = append(n.ops, mk(in, out))
	return out
}

func (n *Network[T]) conv(name string, in, cout, k, stride, pad int) int {
	s := n.slots[in]
	g := layers.Conv2d{Cin: s.C, H: s.H, W: s.W, Cout: cout, K: k, Stride: stride, Pad: pad}
	w := n.param(name+".weight", ConvWeight, g.Cols(), cout, s.C, k, k)
	n.flops += g.MACs()
	return n.unary(in, shape{cout, g.OutH(), g.OutW()}, func(in, out int) op[T] { return &convOp[T]{in, out, w, g} })
}

func (n *Network[T]) bn(name string, in int) int {
	c := n.slots[in].C
	gamma := n.param(name+".weight", BNWeight, 0, c)
	beta := n.param(name+".bias", BNBias, 0, c)
	n.param(name+".running_mean", BNRunningMean, 0, c)
	n.param(name+".running_var", BNRunningVar, 0, c)
	return n.unary(in, n.slots[in], func(in, out int) op[T] { return &bnOp[T]{in, out, gamma, beta} })
}

// reluConvBN is NAS-Bench-201's ReLUConvBN (ReLU, Conv2d, BatchNorm2d as op.0, op.1, op.2),
// or with relu false the stem (Conv2d, BatchNorm2d as .0 and .1).
func (n *Network[T]) reluConvBN(name string, in, cout, k, stride, pad int, relu bool) int {
	if !relu {
		return n.bn(name+".1", n.conv(name+".0", in, cout, k, stride, pad))
	}
	r := n.unary(in, n.slots[in], func(in, out int) op[T] { return &reluOp[T]{in, out} })
	return n.bn(name+".op.2", n.conv(name+".op.1", r, cout, k, stride, pad))
}

// cell is NAS-Bench-201's InferCell: node 0 is the input, node j the sum over i < j of edge
// (j <- i) applied to node i, and node 3 the output. Edge e's modules are named
// name.layers.e.
func (n *Network[T]) cell(name string, in int) int {
	nodes := []int{in}
	c := n.slots[in].C
	for j := 1; j <= 3; j++ {
		var terms []int
		for i := 0; i < j; i++ {
			e := nb201.Edge(j, i)
			prefix := fmt.Sprintf("%s.layers.%d", name, e)
			switch n.Arch[e] {
			case nb201.None: // x·0 adds nothing
			case nb201.SkipConnect:
				terms = append(terms, nodes[i])
			case nb201.Conv1x1:
				terms = append(terms, n.reluConvBN(prefix, nodes[i], c, 1, 1, 0, true))
			case nb201.Conv3x3:
				terms = append(terms, n.reluConvBN(prefix, nodes[i], c, 3, 1, 1, true))
			case nb201.AvgPool3x3:
				s := n.slots[nodes[i]]
				terms = append(terms, n.unary(nodes[i], s, func(in, out int) op[T] { return &avgPool3Op[T]{in, out, s} }))
			}
		}
		nodes = append(nodes, n.sum(terms, n.slots[in]))
	}
	return nodes[3]
}

// sum is the node that adds terms: a term alone needs no copy; no term at all is zero.
func (n *Network[T]) sum(terms []int, s shape) int {
	if len(terms) == 1 {
		return terms[0]
	}
	out := n.slot(s)
	n.ops = append(n.ops, &addOp[T]{terms, out})
	return out
}

// resBlock is NAS-Bench-201's ResNetBasicblock with stride 2 doubling the channels:
// conv_b(conv_a(x)) + downsample(x), downsample being AvgPool2d(2, 2) then a 1x1 Conv2d.
func (n *Network[T]) resBlock(name string, in int) int {
	s := n.slots[in]
	a := n.reluConvBN(name+".conv_a", in, 2*s.C, 3, 2, 1, true)
	b := n.reluConvBN(name+".conv_b", a, 2*s.C, 3, 1, 1, true)
	pooled := n.unary(in, shape{s.C, s.H / 2, s.W / 2}, func(in, out int) op[T] { return &avgPool2Op[T]{in, out, s} })
	d := n.conv(name+".downsample.1", pooled, 2*s.C, 1, 1, 0)
	return n.sum([]int{b, d}, n.slots[b])
}

func (n *Network[T]) linear(name string, in, outs int) int {
	ins := n.slots[in].size()
	w := n.param(name+".weight", LinearWeight, ins, outs, ins)
	b := n.param(name+".bias", LinearBias, ins, outs)
	n.flops += ins*outs + outs
	return n.unary(in, shape{outs, 1, 1}, func(in, out int) op[T] { return &linearOp[T]{in, out, w, b, ins, outs} })
}

// Init gives the weights PyTorch's default initialisation, which NAS-Bench-201's code keeps,
// drawn from one generator seeded with seed, in state-dict order: Conv2d and Linear weights
// and Linear biases uniform in [-b, b] with b = 1/sqrt(fan_in) (kaiming_uniform with a=√5);
// BatchNorm weight 1, bias 0, running mean 0, running variance 1. The same seed gives the same
// weights on every platform.
func (n *Network[T]) Init(seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	for _, p := range n.Params {
		switch p.Kind {
		case ConvWeight, LinearWeight, LinearBias:
			bound := 1 / math.Sqrt(float64(p.FanIn))
			for i := range p.Data {
				p.Data[i] = T((2*rng.Float64() - 1) * bound)
			}
		case BNWeight, BNRunningVar:
			for i := range p.Data {
				p.Data[i] = 1
			}
		default:
			clear(p.Data)
		}
	}
}

// Weights returns the indices into Params of the Conv2d and Linear weights, in order.
func (n *Network[T]) Weights() []int { return n.weights }

// NumParams counts every trainable parameter (weights, biases, BatchNorm affine), as
// NAS-Bench-201 does.
func (n *Network[T]) NumParams() int {
	total := 0
	for _, p := range n.Params {
		if p.Trainable() {
			total += p.Size()
		}
	}
	return total
}

// FLOPs is NAS-Bench-201's FLOP count for one input: the multiply-accumulates of every Conv2d
// and Linear layer, plus one per output of a layer with a bias; pooling and BatchNorm are not
// counted. NAS-Bench-201 reports it in millions.
func (n *Network[T]) FLOPs() int { return n.flops }

// InputSize is the length of one input image, 3·H·W.
func (n *Network[T]) InputSize() int { return n.slots[n.input].size() }

// LargestValue is the length of the network's largest activation for one input: what a
// backend's largest buffer holds per sample of a chunk.
func (n *Network[T]) LargestValue() int {
	largest := 0
	for _, s := range n.slots {
		largest = max(largest, s.size())
	}
	return largest
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
