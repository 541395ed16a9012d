// Package graph describes a convolutional network independently of any search space and of
// any element type: its values (activations, with per-sample shapes), the operations between
// them (the ops of the backend seam), and its parameters with their reference names, kinds and
// initialisation. Search spaces are front-ends that build a Graph (package nb201's TinyNetwork,
// package nb101's stacked cells); package network runs one on a backend. A Graph holds no
// weights, so counts and memory estimates cost nothing, even for a network too large to build.
package graph

import (
	"fmt"
	"math"

	"gradsign/engine/layers"
)

// Value is the index of one value (an activation) in a Graph.
type Value int

// Shape is the per-sample shape of a value, channels × height × width.
type Shape struct{ C, H, W int }

// Size is the number of values of one sample.
func (s Shape) Size() int { return s.C * s.H * s.W }

// MaxSide and MaxSize bound a value that a front-end makes from a file: each of its channels,
// height and width at most MaxSide, its size per sample at most MaxSize (1 GiB of float32). A
// front-end checks every value it adds (Check) while the file is read, so that no later
// arithmetic on shapes (sizes, memory estimates, FLOPs) can overflow, and a hostile file fails
// before anything is allocated for it.
const (
	MaxSide = 1 << 24
	MaxSize = 1 << 28
)

// Check says whether s is a shape the engine can hold: every dimension at least 1 and at most
// MaxSide, the size at most MaxSize.
func (s Shape) Check() error {
	if s.C < 1 || s.H < 1 || s.W < 1 {
		return fmt.Errorf("a value of %d×%d×%d per image is empty: every layer needs at least one channel and one position", s.C, s.H, s.W)
	}
	if s.C > MaxSide || s.H > MaxSide || s.W > MaxSide || s.C*s.H > MaxSize || s.C*s.H*s.W > MaxSize {
		return fmt.Errorf("a value of %d×%d×%d per image is larger than the engine holds (%d values per image, 1 GiB of float32)", s.C, s.H, s.W, MaxSize)
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
	// ConvBias is a convolution's bias: a Bias node's parameter.
	ConvBias
	// NoBias is the zero bias of a linear layer that has none (an ONNX MatMul): fixed, not a
	// parameter of the model.
	NoBias
)

// Dist is how a parameter's initial values are drawn.
type Dist uint8

const (
	// Uniform draws from U(-Scale, Scale).
	Uniform Dist = iota
	// Normal draws from N(0, Scale²).
	Normal
	// Constant sets every value to Scale.
	Constant
)

// Init is a parameter's initialisation.
type Init struct {
	Dist  Dist
	Scale float64
}

// Param is one named tensor of the network's state dict.
type Param struct {
	Name  string
	Shape []int
	Kind  Kind
	Init  Init
}

// Size is the parameter's number of values.
func (p *Param) Size() int {
	size := 1
	for _, d := range p.Shape {
		size *= d
	}
	return size
}

// IsWeight reports whether p is a Conv2d or Linear weight: the tensors GradSign and the other
// proxies score.
func (p *Param) IsWeight() bool { return p.Kind == ConvWeight || p.Kind == LinearWeight }

// Trainable reports whether p is a trainable parameter (not a BatchNorm running statistic, not
// a linear layer's fixed zero bias).
func (p *Param) Trainable() bool {
	return p.Kind != BNRunningMean && p.Kind != BNRunningVar && p.Kind != NoBias
}

// Op is the kind of a node.
type Op uint8

// The operations. Each reads Node.In and writes Node.Out.
const (
	// Conv is a bias-free convolution (Node.Conv) with weight Params[0].
	Conv Op = iota
	// BatchNorm normalises each channel in train mode, with affine weight Params[0] and bias
	// Params[1] (its running statistics follow them in the graph's Params, unread).
	BatchNorm
	// ReLU is max(x, 0).
	ReLU
	// AvgPool3x3 is AvgPool2d(3, stride 1, padding 1, count_include_pad=False).
	AvgPool3x3
	// AvgPool2x2 is AvgPool2d(2, stride 2).
	AvgPool2x2
	// MaxPool is MaxPool2d(Node.Pool), a tied window's gradient going to its first maximal
	// element in row-major order (as PyTorch's CPU kernels do); padding never wins.
	MaxPool
	// GlobalAvgPool averages each channel over its positions.
	GlobalAvgPool
	// Sum adds its inputs of one shape: two or more, or none for a value of zeros.
	Sum
	// Linear is x·wᵀ + b with weight Params[0] and bias Params[1], on the input flattened.
	Linear
	// Concat joins its inputs along the channels, in order.
	Concat
	// Channels is channels From .. From+Out.C-1 of its input (NAS-Bench-101's Truncate).
	Channels
	// Depthwise is a depthwise convolution (Node.Depthwise: one filter per channel) with
	// weight Params[0].
	Depthwise
	// AvgPool is AvgPool2d(Node.Pool, count_include_pad=False).
	AvgPool
	// Crop is the Out.H×Out.W window of the input from row From and column Left: DARTS's
	// x[:, :, 1:, 1:], an ONNX Slice of the positions.
	Crop
	// Activation is an element-wise nonlinearity other than ReLU (Node.Act: ReLU6 and other
	// clips, leaky ReLU, sigmoid, hard sigmoid, hard swish).
	Activation
	// Bias adds Params[0][c] to channel c (a convolution's bias). No proxy reads a bias's
	// gradient, so the engine does not compute it.
	Bias
	// Mul multiplies In[0] by In[1] element by element, In[1] either of the same shape or one
	// value per channel (C×1×1, broadcast over positions: squeeze-and-excitation).
	Mul
)

var opNames = [...]string{"conv", "batchnorm", "relu", "avgpool3x3", "avgpool2x2", "maxpool",
	"globalavgpool", "sum", "linear", "concat", "channels", "depthwise", "avgpool", "crop", "activation",
	"bias", "mul"}

func (o Op) String() string {
	if int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", o)
}

// Node is one operation of the graph.
type Node struct {
	Op        Op
	In        []Value
	Out       Value
	Params    []int             // indices into Graph.Params, as Op says
	Conv      layers.Conv2d     // Conv's geometry
	Depthwise layers.Depthwise  // Depthwise's geometry
	Pool      layers.Pool2d     // MaxPool's and AvgPool's geometry
	Act       layers.Activation // Activation's function
	From      int               // Channels: the first channel taken; Crop: the first row
	Left      int               // Crop: the first column
	Eps       float64           // BatchNorm's epsilon (0: PyTorch's default, layers.BatchNormEps)
}

// In0 is the node's first input (none for a zero value: the graph's input, whose shape a
// sum of no terms does not read).
func (n *Node) In0() Value {
	if len(n.In) == 0 {
		return 0
	}
	return n.In[0]
}

// Graph is a network: values, the nodes between them in forward order, and parameters in
// state-dict order. Build one with New and the builder methods; each returns the Value it
// adds.
type Graph struct {
	// Name describes the network for messages (an arch string, a cell's hash).
	Name string
	// Classes is the length of the output.
	Classes int
	Values  []Shape
	Nodes   []Node
	Params  []Param
	// Input is the image; Output the logits.
	Input, Output Value
	// FLOPs counts one input's multiply-accumulates of every Conv2d and Linear layer, plus
	// one per output of a layer with a bias (NAS-Bench-201's convention); pooling, BatchNorm
	// and sums are not counted.
	FLOPs int
}

// Graph returns g itself: a *Graph is its own Spec.
func (g *Graph) Graph() (*Graph, error) { return g, nil }

// Spec is what describes a network: a front-end's configuration (nb201.Config, ...) or a
// Graph. Graph checks the configuration and builds the network's graph.
type Spec interface {
	Graph() (*Graph, error)
}

// New starts a graph whose input is one image of the given shape; Output is set by the
// front-end when its last node is added (Finish).
func New(name string, input Shape) *Graph {
	g := &Graph{Name: name}
	g.Input = g.value(input)
	return g
}

// Finish marks v as the logits of the network.
func (g *Graph) Finish(v Value) *Graph {
	g.Output = v
	g.Classes = g.Values[v].Size()
	return g
}

// Shape is the per-sample shape of v.
func (g *Graph) Shape(v Value) Shape { return g.Values[v] }

func (g *Graph) value(s Shape) Value {
	g.Values = append(g.Values, s)
	return Value(len(g.Values) - 1)
}

func (g *Graph) param(name string, kind Kind, init Init, shape ...int) int {
	g.Params = append(g.Params, Param{Name: name, Shape: shape, Kind: kind, Init: init})
	return len(g.Params) - 1
}

// node appends a node writing a new value of shape out.
func (g *Graph) node(n Node, out Shape) Value {
	n.Out = g.value(out)
	g.Nodes = append(g.Nodes, n)
	return n.Out
}

// pytorchDefault is PyTorch's default initialisation of a Conv2d or Linear weight and of a
// Linear bias: U(-b, b) with b = 1/sqrt(fan_in) (kaiming_uniform with a=√5).
func pytorchDefault(fanIn int) Init { return Init{Uniform, 1 / math.Sqrt(float64(fanIn))} }

// Conv adds a bias-free convolution of cout channels, a k×k kernel, stride and zero padding,
// with weight name+".weight".
func (g *Graph) Conv(name string, in Value, cout, k, stride, pad int) Value {
	s := g.Values[in]
	c := layers.Conv2d{Cin: s.C, H: s.H, W: s.W, Cout: cout, K: k, Stride: stride, Pad: pad}
	w := g.param(name+".weight", ConvWeight, pytorchDefault(c.Cols()), cout, s.C, k, k)
	g.FLOPs += c.MACs()
	return g.node(Node{Op: Conv, In: []Value{in}, Params: []int{w}, Conv: c}, Shape{cout, c.OutH(), c.OutW()})
}

// ConvHW adds a bias-free convolution with a kh×kw kernel and its own stride and padding along
// each axis (the NDS cells' 1×7 and 7×1 convolutions), with weight name+".weight".
func (g *Graph) ConvHW(name string, in Value, cout, kh, kw, strideH, strideW, padH, padW int) Value {
	s := g.Values[in]
	c := layers.Conv2d{Cin: s.C, H: s.H, W: s.W, Cout: cout, K: kh, Stride: strideH, Pad: padH, KW: kw, StrideW: strideW, PadW: padW}
	w := g.param(name+".weight", ConvWeight, pytorchDefault(c.Cols()), cout, s.C, kh, kw)
	g.FLOPs += c.MACs()
	return g.node(Node{Op: Conv, In: []Value{in}, Params: []int{w}, Conv: c}, Shape{cout, c.OutH(), c.OutW()})
}

// BatchNorm adds a BatchNorm2d with parameters name+".weight", ".bias", ".running_mean" and
// ".running_var", and PyTorch's default epsilon.
func (g *Graph) BatchNorm(name string, in Value) Value { return g.BatchNormEps(name, in, 0) }

// BatchNormEps is BatchNorm with epsilon eps added to the variance (0: PyTorch's default).
func (g *Graph) BatchNormEps(name string, in Value, eps float64) Value {
	c := g.Values[in].C
	gamma := g.param(name+".weight", BNWeight, Init{Constant, 1}, c)
	beta := g.param(name+".bias", BNBias, Init{Constant, 0}, c)
	g.param(name+".running_mean", BNRunningMean, Init{Constant, 0}, c)
	g.param(name+".running_var", BNRunningVar, Init{Constant, 1}, c)
	return g.node(Node{Op: BatchNorm, In: []Value{in}, Params: []int{gamma, beta}, Eps: eps}, g.Values[in])
}

// ReLU adds max(x, 0).
func (g *Graph) ReLU(in Value) Value {
	return g.node(Node{Op: ReLU, In: []Value{in}}, g.Values[in])
}

// Activate adds the nonlinearity f.
func (g *Graph) Activate(in Value, f layers.Activation) Value {
	return g.node(Node{Op: Activation, In: []Value{in}, Act: f}, g.Values[in])
}

// Bias adds a per-channel bias, parameter name+".bias" with PyTorch's default initialisation
// for a layer of fanIn inputs per output (a convolution's Cin/groups·k·k), or zeros for a
// bias of no layer (fanIn 0).
func (g *Graph) Bias(name string, in Value, fanIn int) Value {
	s := g.Values[in]
	init := Init{Constant, 0}
	if fanIn > 0 {
		init = pytorchDefault(fanIn)
	}
	b := g.param(name+".bias", ConvBias, init, s.C)
	g.FLOPs += s.Size()
	return g.node(Node{Op: Bias, In: []Value{in}, Params: []int{b}}, s)
}

// Mul adds a·b, b of a's shape or C×1×1 (one factor per channel). It panics on other shapes:
// a front-end's bug.
func (g *Graph) Mul(a, b Value) Value {
	sa, sb := g.Values[a], g.Values[b]
	if sb != sa && (sb.C != sa.C || sb.H != 1 || sb.W != 1) {
		panic(fmt.Sprintf("graph: multiplying values of shapes %v and %v", sa, sb))
	}
	return g.node(Node{Op: Mul, In: []Value{a, b}}, sa)
}

// AvgPool3x3 adds a 3×3, stride 1, padding 1 average pool that does not count the padding.
func (g *Graph) AvgPool3x3(in Value) Value {
	return g.node(Node{Op: AvgPool3x3, In: []Value{in}}, g.Values[in])
}

// AvgPool2x2 adds a 2×2, stride 2 average pool (even sizes).
func (g *Graph) AvgPool2x2(in Value) Value {
	s := g.Values[in]
	return g.node(Node{Op: AvgPool2x2, In: []Value{in}}, Shape{s.C, s.H / 2, s.W / 2})
}

// MaxPool adds a k×k max pool with stride and padding.
func (g *Graph) MaxPool(in Value, k, stride, pad int) Value {
	return g.Pool(MaxPool, in, k, stride, pad, false)
}

// Pool adds a k×k MaxPool or AvgPool with stride and padding, its output size rounded up
// where ceil is set (PyTorch's ceil_mode).
func (g *Graph) Pool(op Op, in Value, k, stride, pad int, ceil bool) Value {
	if op != MaxPool && op != AvgPool {
		panic("graph: Pool of " + op.String())
	}
	s := g.Values[in]
	p := layers.Pool2d{H: s.H, W: s.W, K: k, Stride: stride, Pad: pad, Ceil: ceil}
	return g.node(Node{Op: op, In: []Value{in}, Pool: p}, Shape{s.C, p.OutH(), p.OutW()})
}

// Depthwise adds a depthwise convolution (groups equal to channels, no bias) with a k×k
// kernel, stride, zero padding and dilation, with weight name+".weight" [C, 1, k, k].
func (g *Graph) Depthwise(name string, in Value, k, stride, pad, dilate int) Value {
	s := g.Values[in]
	d := layers.Depthwise{C: s.C, H: s.H, W: s.W, K: k, Stride: stride, Pad: pad, Dilate: dilate}
	w := g.param(name+".weight", ConvWeight, pytorchDefault(k*k), s.C, 1, k, k)
	g.FLOPs += d.MACs()
	return g.node(Node{Op: Depthwise, In: []Value{in}, Params: []int{w}, Depthwise: d}, Shape{s.C, d.OutH(), d.OutW()})
}

// AvgPool adds a k×k average pool with stride and padding that does not count the padding.
func (g *Graph) AvgPool(in Value, k, stride, pad int) Value {
	return g.Pool(AvgPool, in, k, stride, pad, false)
}

// Crop adds the input without its first row and column (x[:, :, 1:, 1:]).
func (g *Graph) Crop(in Value) Value {
	s := g.Values[in]
	return g.CropAt(in, 1, 1, s.H-1, s.W-1)
}

// CropAt adds the h×w window of the input from row top and column left. It panics on a
// window outside the input: a front-end's bug.
func (g *Graph) CropAt(in Value, top, left, h, w int) Value {
	s := g.Values[in]
	if top < 0 || left < 0 || h < 1 || w < 1 || top+h > s.H || left+w > s.W {
		panic(fmt.Sprintf("graph: a %d×%d window from (%d, %d) of a value of %v", h, w, top, left, s))
	}
	return g.node(Node{Op: Crop, In: []Value{in}, From: top, Left: left}, Shape{s.C, h, w})
}

// GlobalAvgPool adds the mean of each channel over its positions.
func (g *Graph) GlobalAvgPool(in Value) Value {
	return g.node(Node{Op: GlobalAvgPool, In: []Value{in}}, Shape{g.Values[in].C, 1, 1})
}

// Sum adds the node that adds terms of one shape: a term alone is returned as it is (no
// copy). It panics on no terms or terms of different shapes: a front-end's bug.
func (g *Graph) Sum(terms ...Value) Value {
	if len(terms) == 0 {
		panic("graph: a sum of no terms")
	}
	for _, t := range terms[1:] {
		if g.Values[t] != g.Values[terms[0]] {
			panic(fmt.Sprintf("graph: adding values of shapes %v and %v", g.Values[terms[0]], g.Values[t]))
		}
	}
	if len(terms) == 1 {
		return terms[0]
	}
	return g.node(Node{Op: Sum, In: terms}, g.Values[terms[0]])
}

// Zero adds a value of zeros (a sum of no terms): what a cell node whose every edge is
// "none" holds.
func (g *Graph) Zero(s Shape) Value { return g.node(Node{Op: Sum}, s) }

// Linear adds a fully connected layer of outs outputs on the flattened input, with weight
// name+".weight" and bias name+".bias" (PyTorch's default initialisation).
func (g *Graph) Linear(name string, in Value, outs int) Value {
	ins := g.Values[in].Size()
	w := g.param(name+".weight", LinearWeight, pytorchDefault(ins), outs, ins)
	b := g.param(name+".bias", LinearBias, pytorchDefault(ins), outs)
	g.FLOPs += ins*outs + outs
	return g.node(Node{Op: Linear, In: []Value{in}, Params: []int{w, b}}, Shape{outs, 1, 1})
}

// LinearNoBias adds a fully connected layer without a bias (x·wᵀ), weight name+".weight"; its
// bias slot holds fixed zeros (name+".no_bias", not a parameter of the model).
func (g *Graph) LinearNoBias(name string, in Value, outs int) Value {
	ins := g.Values[in].Size()
	w := g.param(name+".weight", LinearWeight, pytorchDefault(ins), outs, ins)
	b := g.param(name+".no_bias", NoBias, Init{Constant, 0}, outs)
	g.FLOPs += ins * outs
	return g.node(Node{Op: Linear, In: []Value{in}, Params: []int{w, b}}, Shape{outs, 1, 1})
}

// Concat adds the concatenation of ins along the channels (one input is returned as it is).
// It panics on inputs of different spatial sizes.
func (g *Graph) Concat(ins ...Value) Value {
	if len(ins) == 1 {
		return ins[0]
	}
	s := g.Values[ins[0]]
	c := 0
	for _, v := range ins {
		t := g.Values[v]
		if t.H != s.H || t.W != s.W {
			panic(fmt.Sprintf("graph: concatenating values of shapes %v and %v", s, t))
		}
		c += t.C
	}
	return g.node(Node{Op: Concat, In: ins}, Shape{c, s.H, s.W})
}

// Channels adds channels from .. from+count-1 of in (all of them: in itself).
func (g *Graph) Channels(in Value, from, count int) Value {
	s := g.Values[in]
	if from < 0 || count < 1 || from+count > s.C {
		panic(fmt.Sprintf("graph: channels %d..%d of a value of %d", from, from+count-1, s.C))
	}
	if from == 0 && count == s.C {
		return in
	}
	return g.node(Node{Op: Channels, In: []Value{in}, From: from}, Shape{count, s.H, s.W})
}

// Weights returns the indices into Params of the Conv2d and Linear weights, in order: the
// layout of GradSign's accumulators.
func (g *Graph) Weights() []int {
	var w []int
	for i := range g.Params {
		if g.Params[i].IsWeight() {
			w = append(w, i)
		}
	}
	return w
}

// NumParams counts every trainable parameter (weights, biases, BatchNorm affine), as the
// benchmarks do.
func (g *Graph) NumParams() int {
	total := 0
	for i := range g.Params {
		if g.Params[i].Trainable() {
			total += g.Params[i].Size()
		}
	}
	return total
}
