package onnx

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"gradsign/engine/graph"
	"gradsign/engine/layers"
	"gradsign/engine/safetensors"
)

// Options say how a model becomes a network.
type Options struct {
	// H and W are the input's height and width where the model leaves them open (a dynamic
	// input); 0 means CIFAR's 32×32. A model with a fixed size keeps its own.
	H, W int
	// AllowFolded scores a model whose BatchNorms were folded into its convolutions (PyTorch's
	// default, eval-mode export), which Read otherwise refuses.
	AllowFolded bool
}

// Network is an ONNX model as the engine runs it: its graph, with the file's weights under the
// graph's parameter names (each weight layer is named by its ONNX node: "NODE.weight").
type Network struct {
	Graph   *graph.Graph
	Weights *safetensors.File
	// Input is the name of the model's image input; Size its height and width.
	Input string
	H, W  int
	// Folded says the model has biased convolutions and no BatchNormalization (see
	// Options.AllowFolded).
	Folded bool
	// Notes say what the reading assumed (a dynamic input's size).
	Notes []string
	// Ops counts the model's nodes by op type.
	Ops map[string]int
}

// Opset range the reader knows.
const (
	MinOpset = 9
	MaxOpset = 21
)

// Supported lists the op types the reader converts.
var Supported = []string{"Add", "AveragePool", "BatchNormalization", "Clip", "Concat", "Constant", "Conv", "Div", "Dropout",
	"Elu", "Erf", "Flatten", "Gelu", "Gemm", "GlobalAveragePool", "HardSigmoid", "HardSwish", "Identity", "LeakyRelu", "MaxPool", "Pad",
	"MatMul", "Mul", "ReduceMean", "Relu", "Reshape", "Sigmoid", "Slice", "Split", "Sub",
	"and arithmetic on constants (Shape, Gather, Unsqueeze, Squeeze, Concat, Cast; Transpose of a matrix), and a channel shuffle's Reshape, Transpose and Reshape"}

// Read decodes an ONNX model and converts it.
func Read(b []byte, opt Options) (*Network, error) {
	m, err := Decode(b)
	if err != nil {
		return nil, err
	}
	return Convert(m, opt)
}

// value is what an ONNX tensor name stands for: a graph value (flat after Flatten or
// Reshape to [N, -1]) or a constant.
type value struct {
	v     graph.Value
	flat  bool
	known bool
	// groups > 0 marks a channel shuffle under way: v viewed as [N, groups, C/groups, H, W] (a
	// Reshape to five dimensions), with the two group axes swapped once a Transpose
	// [0, 2, 1, 3, 4] came (swapped). Only that Transpose and the Reshape back read it.
	groups  int
	swapped bool
}

type converter struct {
	m      *Model
	g      *graph.Graph
	vals   map[string]value
	consts map[string]*Tensor
	data   map[string]safetensors.Tensor
	used   map[string]bool // layer names taken
	node   *Node           // the node being converted, for messages
	notes  []string        // what the reading assumed (Network.Notes)
	// oneValueNoted says a note names a BatchNorm over 1×1 maps already (one is enough).
	oneValueNoted bool
}

// Convert builds the network of a decoded model.
func Convert(m *Model, opt Options) (*Network, error) {
	if m.Opset != 0 && (m.Opset < MinOpset || m.Opset > MaxOpset) {
		return nil, fmt.Errorf("the model uses ONNX opset %d; the engine reads opsets %d to %d: export it with opset_version=17", m.Opset, MinOpset, MaxOpset)
	}
	c := &converter{m: m, vals: map[string]value{}, consts: map[string]*Tensor{}, data: map[string]safetensors.Tensor{}, used: map[string]bool{}}
	for _, t := range m.Graph.Initializers {
		if t.External {
			return nil, fmt.Errorf("initialiser %s keeps its data in an external file, which the engine does not read: save the model as one file (onnx.save(model, path, save_as_external_data=False))", quote(t.Name))
		}
		if _, dup := c.consts[t.Name]; dup {
			return nil, fmt.Errorf("two initialisers are named %s: ONNX names each tensor once (the file is malformed; export it again)", quote(t.Name))
		}
		c.consts[t.Name] = t
	}
	net := &Network{Ops: map[string]int{}}
	input, err := c.input(opt, net)
	if err != nil {
		return nil, err
	}
	c.g = graph.New(graphName(m), graph.Shape{C: 3, H: net.H, W: net.W})
	c.vals[input] = value{v: c.g.Input, known: true}
	net.Input = input
	if err := c.checkNames(); err != nil {
		return nil, err
	}
	if folded(m) {
		net.Folded = true
		if !opt.AllowFolded {
			return nil, ErrFolded
		}
	}
	for i := range m.Graph.Nodes {
		n := &m.Graph.Nodes[i]
		net.Ops[n.OpType]++
		c.node = n
		made := len(c.g.Values)
		err := c.convert(n)
		for v := made; err == nil && v < len(c.g.Values); v++ {
			err = c.g.Values[v].Check()
		}
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", nodeName(n), err)
		}
	}
	net.Notes = append(net.Notes, c.notes...)
	if len(m.Graph.Outputs) == 0 {
		return nil, errors.New("the model's graph has no output")
	}
	out, ok := c.vals[m.Graph.Outputs[0].Name]
	if !ok {
		return nil, fmt.Errorf("the model's output %q is not computed from its image input", m.Graph.Outputs[0].Name)
	}
	if s := c.g.Shape(out.v); s.H != 1 || s.W != 1 {
		return nil, fmt.Errorf("the model's output %q has shape %d×%d×%d per image; GradSign needs class logits [N, classes]: end the model with a Linear layer", m.Graph.Outputs[0].Name, s.C, s.H, s.W)
	}
	if len(c.g.Weights()) == 0 {
		return nil, errors.New("the model has no convolution or linear layer: GradSign scores their weights")
	}
	c.g.Finish(out.v)
	net.Graph = c.g
	net.Weights = &safetensors.File{Tensors: c.data}
	return net, nil
}

// checkNames refuses a graph where two nodes write one tensor, or a node writes a tensor that
// is an initialiser or the input: in ONNX every tensor has one producer (the last would
// otherwise win silently).
func (c *converter) checkNames() error {
	made := map[string]bool{}
	for _, in := range c.m.Graph.Inputs {
		made[in.Name] = true
	}
	for i := range c.m.Graph.Nodes {
		n := &c.m.Graph.Nodes[i]
		for _, out := range n.Outputs {
			if out == "" {
				continue
			}
			if _, isConst := c.consts[out]; isConst || made[out] {
				return fmt.Errorf("node %s writes %s, which another node, an initialiser or the input already names: ONNX gives each tensor one producer (the file is malformed; export it again)", nodeName(n), quote(out))
			}
			made[out] = true
		}
	}
	return nil
}

// folded says whether the model looks like PyTorch's default (eval-mode) export, which folds
// each BatchNorm into the convolution before it: what folding leaves is a biased convolution
// whose weight is no parameter of the model but a constant the exporter computed, named
// "onnx::Conv_N". A model without BatchNorm by design (AlexNet, SqueezeNet) keeps its
// parameters' names ("features.0.weight") and is scored as it is.
func folded(m *Model) bool {
	for _, n := range m.Graph.Nodes {
		if n.OpType == "Conv" && len(n.Inputs) > 2 && n.Inputs[2] != "" && strings.HasPrefix(n.Inputs[1], "onnx::Conv_") {
			return true
		}
	}
	return false
}

// ErrFolded refuses an eval-mode export: it says what the export lost and how to export again
// (or to ask for the model to be scored as it is: Options.AllowFolded, which each front end
// names in its own terms).
var ErrFolded = errors.New("the model's convolutions carry biases that PyTorch's exporter computed (weights named onnx::Conv_N): PyTorch's default (eval-mode) export folds each BatchNorm into the convolution before it, and GradSign's per-sample BatchNorm cannot be recovered from such a file; export it again in training mode: torch.onnx.export(model.train(), torch.randn(1, 3, 32, 32), 'model.onnx', training=torch.onnx.TrainingMode.TRAINING), or ask to score it as it is")

func graphName(m *Model) string {
	if m.Graph.Name != "" {
		return "ONNX model " + printable(m.Graph.Name)
	}
	return "ONNX model"
}

func nodeName(n *Node) string {
	name := n.Name
	if name == "" && len(n.Outputs) > 0 {
		name = n.Outputs[0]
	}
	return fmt.Sprintf("%s (%s)", quote(name), printable(n.OpType))
}

// quote quotes a name from the file for a message, escaping what a terminal would act on,
// and shortens a long one (a name can be of any length).
func quote(s string) string {
	const most = 80
	if len(s) > most {
		r := []rune(s[:most])
		return fmt.Sprintf("%q", string(r[:len(r)-1])) + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return fmt.Sprintf("%q", s)
}

func printable(s string) string {
	q := quote(s)
	if i := strings.LastIndexByte(q, '"'); i > 0 {
		return q[1:i] + q[i+1:]
	}
	return q
}

// input finds the image input: the one graph input that is not an initialiser, [N, 3, H, W].
func (c *converter) input(opt Options, net *Network) (string, error) {
	var inputs []ValueInfo
	for _, in := range c.m.Graph.Inputs {
		if _, isConst := c.consts[in.Name]; !isConst {
			inputs = append(inputs, in)
		}
	}
	if len(inputs) != 1 {
		names := make([]string, len(inputs))
		for i, in := range inputs {
			names[i] = quote(in.Name)
		}
		return "", fmt.Errorf("the model has %d inputs (%s); the engine scores models of one image input [N, 3, H, W]", len(inputs), strings.Join(names, ", "))
	}
	in := inputs[0]
	if in.ElemType != TypeFloat && in.ElemType != 0 {
		return "", fmt.Errorf("the model's input %q is of element type %d, not float: the engine feeds it images", in.Name, in.ElemType)
	}
	if len(in.Dims) != 4 || (in.Dims[1] != 3 && in.Dims[1] != -1) {
		return "", fmt.Errorf("the model's input %q has shape %v; the engine feeds it RGB images [N, 3, H, W]", in.Name, dims(in.Dims))
	}
	net.H, net.W = int(in.Dims[2]), int(in.Dims[3])
	if net.H <= 0 || net.W <= 0 {
		net.H, net.W = 32, 32
		if opt.H > 0 {
			net.H, net.W = opt.H, opt.W
		}
		net.Notes = append(net.Notes, fmt.Sprintf("the model's input size is dynamic: %d×%d images", net.H, net.W))
	}
	if net.H > 1024 || net.W > 1024 {
		return "", fmt.Errorf("the model's input is %d×%d; the engine scores images of at most 1024×1024", net.H, net.W)
	}
	return in.Name, nil
}

func dims(d []int64) string {
	s := make([]string, len(d))
	for i, x := range d {
		s[i] = fmt.Sprint(x)
		if x < 0 {
			s[i] = "?"
		}
	}
	return "[" + strings.Join(s, ", ") + "]"
}

// attr returns the node's attribute of a name, or nil.
func (n *Node) attr(name string) *Attr {
	for i := range n.Attrs {
		if n.Attrs[i].Name == name {
			return &n.Attrs[i]
		}
	}
	return nil
}

func (n *Node) intAttr(name string, def int64) int64 {
	if a := n.attr(name); a != nil {
		return a.I
	}
	return def
}

func (n *Node) floatAttr(name string, def float32) float32 {
	if a := n.attr(name); a != nil {
		return a.F
	}
	return def
}

func (n *Node) stringAttr(name, def string) string {
	if a := n.attr(name); a != nil {
		return a.S
	}
	return def
}

func (n *Node) intsAttr(name string, def ...int64) []int64 {
	if a := n.attr(name); a != nil {
		return a.Ints
	}
	return def
}

// in returns input i as a graph value.
func (c *converter) in(i int) (value, error) {
	v, err := c.view(i)
	if err == nil && v.groups > 0 {
		return value{}, fmt.Errorf("input %q is a five-dimensional view of channels (a channel shuffle's Reshape): the engine reads it only through Transpose [0, 2, 1, 3, 4] and a Reshape back to [N, C, H, W]", c.node.Inputs[i])
	}
	return v, err
}

// view is in, for the ops that read a channel shuffle's five-dimensional view too.
func (c *converter) view(i int) (value, error) {
	n := c.node
	if i >= len(n.Inputs) || n.Inputs[i] == "" {
		return value{}, fmt.Errorf("input %d is missing", i)
	}
	v, ok := c.vals[n.Inputs[i]]
	if !ok {
		if _, isConst := c.consts[n.Inputs[i]]; isConst {
			return value{}, fmt.Errorf("input %q is a constant where the engine needs an activation", n.Inputs[i])
		}
		return value{}, fmt.Errorf("input %q is not computed by an earlier node (the nodes must be in topological order)", n.Inputs[i])
	}
	return v, nil
}

// constant returns input i as a constant, or nil if absent (an optional input).
func (c *converter) constant(i int) (*Tensor, error) {
	n := c.node
	if i >= len(n.Inputs) || n.Inputs[i] == "" {
		return nil, nil
	}
	t, ok := c.consts[n.Inputs[i]]
	if !ok {
		return nil, fmt.Errorf("input %q must be a constant (an initialiser): the engine does not compute weights or shapes from activations", n.Inputs[i])
	}
	return t, nil
}

func (c *converter) floats(i int, what string, shape ...int) ([]float32, error) {
	t, err := c.constant(i)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, fmt.Errorf("its %s (input %d) is missing", what, i)
	}
	if t.Float == nil {
		return nil, fmt.Errorf("its %s %q is of data type %d, not floating point", what, t.Name, t.DataType)
	}
	want := 1
	for _, d := range shape {
		want *= d
	}
	if t.Len() != want {
		return nil, fmt.Errorf("its %s %q has shape %v, want %v", what, t.Name, dims(t.Dims), shape)
	}
	return t.Float, nil
}

// set makes output i of the node stand for v.
func (c *converter) set(i int, v value) {
	if i < len(c.node.Outputs) && c.node.Outputs[i] != "" {
		v.known = true
		c.vals[c.node.Outputs[i]] = v
	}
}

// params gives the parameters added since first the data of the model (in their order).
func (c *converter) params(first int, data ...[]float32) {
	for k, d := range data {
		p := &c.g.Params[first+k]
		c.data[p.Name] = safetensors.FromFloat32(p.Shape, d)
	}
}

// layerName is the node's name for its parameters: the ONNX node name, or its output's where
// the node has none or shares it (ONNX does not require node names to be unique; output names
// are, but an output's name can be another node's), with "~2", "~3", ... after it where that
// too is taken, so that no two layers share a parameter name.
func (c *converter) layerName() string {
	name := c.node.Name
	if name == "" || c.used[name] {
		name = c.node.Outputs[0]
	}
	return c.unique(name)
}

// unique returns name, or name~k for the first k from 2 that no layer has, and takes it.
func (c *converter) unique(name string) string {
	for k := 2; c.used[name]; k++ {
		if !c.used[fmt.Sprintf("%s~%d", name, k)] {
			name = fmt.Sprintf("%s~%d", name, k)
		}
	}
	c.used[name] = true
	return name
}

func (c *converter) convert(n *Node) error {
	if n.Domain != "" && n.Domain != "ai.onnx" {
		return fmt.Errorf("the op is of domain %q; the engine reads the standard ONNX ops (%s)", n.Domain, strings.Join(Supported, ", "))
	}
	if len(n.Outputs) == 0 {
		return errors.New("the node has no output")
	}
	if len(n.Inputs) == 0 && n.OpType != "Constant" {
		return errors.New("the node has no input")
	}
	if folded, err := c.fold(n); folded || err != nil {
		return err
	}
	switch n.OpType {
	case "Constant":
		return c.constantNode()
	case "Pad":
		return c.pad()
	case "Identity", "Dropout":
		x, err := c.in(0)
		if err != nil {
			return err
		}
		if n.OpType == "Dropout" {
			if err := c.dropout(); err != nil {
				return err
			}
		}
		if len(n.Outputs) > 1 && n.Outputs[1] != "" {
			c.consts[n.Outputs[1]] = nil // a dropout mask: nothing the engine can feed on
		}
		c.set(0, x)
		return nil
	case "Conv":
		return c.conv()
	case "BatchNormalization":
		return c.batchNorm()
	case "Relu":
		x, err := c.in(0)
		if err != nil {
			return err
		}
		c.set(0, value{v: c.g.ReLU(x.v), flat: x.flat})
		return nil
	case "Clip", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Elu", "Erf", "Gelu":
		return c.activation()
	case "MaxPool", "AveragePool":
		return c.pool()
	case "GlobalAveragePool":
		x, err := c.in(0)
		if err != nil {
			return err
		}
		if x.flat {
			return errors.New("its input is flat (after Flatten): pool before flattening")
		}
		c.set(0, value{v: c.g.GlobalAvgPool(x.v)})
		return nil
	case "ReduceMean":
		return c.reduceMean()
	case "Add", "Sub", "Mul", "Div":
		return c.arithmetic()
	case "Concat":
		return c.concat()
	case "Split":
		return c.split()
	case "Flatten":
		x, err := c.in(0)
		if err != nil {
			return err
		}
		if axis := n.intAttr("axis", 1); axis != 1 {
			return fmt.Errorf("axis %d: the engine flattens each image (axis 1)", axis)
		}
		c.set(0, value{v: x.v, flat: true})
		return nil
	case "Reshape":
		return c.reshape()
	case "Transpose":
		return c.transpose()
	case "Slice":
		return c.slice()
	case "Gemm":
		return c.gemm()
	case "MatMul":
		return c.matmul()
	}
	if hint, ok := opAdvice[n.OpType]; ok {
		return fmt.Errorf("the engine does not support op %s: %s", printable(n.OpType), hint)
	}
	return fmt.Errorf("the engine does not support op %s; it reads %s", printable(n.OpType), strings.Join(Supported, ", "))
}

// opAdvice says, for ops people's CNNs have that the engine refuses, what to do instead.
var opAdvice = map[string]string{
	"Softplus":              "replace nn.Softplus by nn.ELU, nn.SiLU or nn.GELU, which the engine runs",
	"Softmax":               "end the model at its logits (remove the final softmax: the loss applies its own)",
	"LogSoftmax":            "end the model at its logits (remove the final log-softmax: the loss applies its own)",
	"Tanh":                  "replace nn.Tanh by nn.Sigmoid or nn.Hardtanh (a Clip), which the engine runs",
	"Resize":                "the engine does not upsample; replace nn.Upsample / F.interpolate by a strided layout without upsampling, or score the network up to the upsampling",
	"Upsample":              "the engine does not upsample; replace nn.Upsample / F.interpolate by a strided layout without upsampling, or score the network up to the upsampling",
	"ConvTranspose":         "the engine runs forward convolutions only; a classifier seldom needs nn.ConvTranspose2d: replace it by a convolution",
	"LayerNormalization":    "the engine normalises with per-sample BatchNorm, GradSign's setting; replace nn.LayerNorm by nn.BatchNorm2d to score the architecture",
	"InstanceNormalization": "replace nn.InstanceNorm2d by nn.BatchNorm2d, which GradSign's per-sample passes compute per image anyway",
	"GroupNormalization":    "replace nn.GroupNorm by nn.BatchNorm2d, which GradSign's per-sample passes compute per image anyway",
	"Bernoulli":             "random ops (stochastic depth, dropout written by hand) change the network per image: set their probability to 0 before exporting",
	"RandomUniformLike":     "random ops (stochastic depth, dropout written by hand) change the network per image: set their probability to 0 before exporting",
	"RandomNormalLike":      "random ops change the network per image: set their probability or scale to 0 before exporting",
	"LSTM":                  "the engine scores convolutional networks; recurrent layers are not among its ops",
	"GRU":                   "the engine scores convolutional networks; recurrent layers are not among its ops",
	"RNN":                   "the engine scores convolutional networks; recurrent layers are not among its ops",
	"Einsum":                "the engine scores convolutional networks; write the product as nn.Linear or nn.Conv2d",
	"ReduceMax":             "use nn.MaxPool2d with the map's size as its kernel, or average (x.mean([2, 3]))",
	"GlobalMaxPool":         "use nn.MaxPool2d with the map's size as its kernel, or a global average pool",
}

func (c *converter) constantNode() error {
	n := c.node
	for _, a := range n.Attrs {
		switch a.Name {
		case "value":
			if a.T == nil {
				return errors.New("its value is not a tensor")
			}
			c.consts[n.Outputs[0]] = a.T
			return nil
		case "value_float":
			c.consts[n.Outputs[0]] = &Tensor{DataType: TypeFloat, Float: []float32{a.F}}
			return nil
		case "value_floats":
			c.consts[n.Outputs[0]] = &Tensor{DataType: TypeFloat, Dims: []int64{int64(len(a.Floats))}, Float: a.Floats}
			return nil
		case "value_int":
			c.consts[n.Outputs[0]] = &Tensor{DataType: TypeInt64, Int: []int64{a.I}}
			return nil
		case "value_ints":
			c.consts[n.Outputs[0]] = &Tensor{DataType: TypeInt64, Dims: []int64{int64(len(a.Ints))}, Int: a.Ints}
			return nil
		}
	}
	return errors.New("it has no value the engine reads (value, value_float(s), value_int(s))")
}

// pads2 reads pads [top, left, bottom, right] (or auto_pad) for a k×k window of a stride and
// returns the padding along each axis; asymmetric padding is refused.
func (c *converter) pads2(h, w, kh, kw, sh, sw int) (ph, pw int, err error) {
	n := c.node
	switch ap := "NOTSET"; {
	case n.attr("auto_pad") != nil && n.attr("auto_pad").S != "NOTSET":
		ap = n.attr("auto_pad").S
		if ap == "VALID" {
			return 0, 0, nil
		}
		if ap != "SAME_UPPER" && ap != "SAME_LOWER" {
			return 0, 0, fmt.Errorf("auto_pad %q is not one ONNX defines", printable(ap))
		}
		// SAME: the output is ceil(size/stride); the padding is split, the odd one out
		// going after (UPPER) or before (LOWER): only an even total is symmetric.
		th := max(0, (ceilDiv(h, sh)-1)*sh+kh-h)
		tw := max(0, (ceilDiv(w, sw)-1)*sw+kw-w)
		if th%2 != 0 || tw%2 != 0 {
			return 0, 0, fmt.Errorf("auto_pad %s pads one side more than the other here; the engine pads symmetrically: give explicit symmetric pads", ap)
		}
		return th / 2, tw / 2, nil
	}
	p := n.intsAttr("pads", 0, 0, 0, 0)
	if len(p) != 4 {
		return 0, 0, fmt.Errorf("pads %v: want 4 values for a 2-D window", p)
	}
	if p[0] != p[2] || p[1] != p[3] {
		return 0, 0, fmt.Errorf("pads %v pad one side more than the other; the engine pads symmetrically (pad the input with a Pad node or make the padding even)", p)
	}
	if p[0] < 0 || p[1] < 0 || p[0] >= int64(kh) || p[1] >= int64(kw) {
		return 0, 0, fmt.Errorf("pads %v: each must be at least 0 and less than the kernel", p)
	}
	return int(p[0]), int(p[1]), nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// window reads kernel_shape (or a weight's), strides and dilations of a 2-D window.
func (c *converter) window(kernel []int64) (kh, kw, sh, sw int, err error) {
	n := c.node
	k := n.intsAttr("kernel_shape", kernel...)
	if len(k) != 2 {
		return 0, 0, 0, 0, fmt.Errorf("kernel_shape %v: the engine runs 2-D windows", k)
	}
	s := n.intsAttr("strides", 1, 1)
	if len(s) != 2 || s[0] < 1 || s[1] < 1 || s[0] > 64 || s[1] > 64 {
		return 0, 0, 0, 0, fmt.Errorf("strides %v: want two strides from 1 to 64", s)
	}
	d := n.intsAttr("dilations", 1, 1)
	if len(d) != 2 || d[0] < 1 || d[1] < 1 || d[0] > 64 || d[1] > 64 {
		return 0, 0, 0, 0, fmt.Errorf("dilations %v: want two dilations from 1 to 64", d)
	}
	if n.OpType != "Conv" && (d[0] != 1 || d[1] != 1) {
		return 0, 0, 0, 0, fmt.Errorf("dilations %v: the engine pools without dilation", d)
	}
	if k[0] < 1 || k[1] < 1 || k[0] > 64 || k[1] > 64 {
		return 0, 0, 0, 0, fmt.Errorf("kernel_shape %v: want kernels from 1×1 to 64×64", k)
	}
	return int(k[0]), int(k[1]), int(s[0]), int(s[1]), nil
}

func (c *converter) conv() error {
	n := c.node
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if x.flat {
		return errors.New("its input is flat (after Flatten or Reshape): convolve before flattening")
	}
	s := c.g.Shape(x.v)
	wt, err := c.constant(1)
	if err != nil {
		return err
	}
	if wt == nil || len(wt.Dims) != 4 || wt.Float == nil {
		return errors.New("its weight (input 1) must be a floating-point initialiser [Cout, Cin/group, kH, kW]")
	}
	cout, cin, kh0, kw0 := int(wt.Dims[0]), int(wt.Dims[1]), wt.Dims[2], wt.Dims[3]
	kh, kw, sh, sw, err := c.window([]int64{kh0, kw0})
	if err != nil {
		return err
	}
	if int64(kh) != kh0 || int64(kw) != kw0 {
		return fmt.Errorf("kernel_shape %d×%d disagrees with its weight's %d×%d", kh, kw, kh0, kw0)
	}
	group := int(n.intAttr("group", 1))
	if group < 1 || s.C%group != 0 || cin*group != s.C || cout%group != 0 {
		return fmt.Errorf("a weight [%d, %d, %d, %d] in %d groups does not fit an input of %d channels", cout, cin, kh, kw, group, s.C)
	}
	ph, pw, err := c.pads2(s.H, s.W, kh, kw, sh, sw)
	if err != nil {
		return err
	}
	if s.H+2*ph < kh || s.W+2*pw < kw {
		return fmt.Errorf("a %d×%d kernel does not fit the %d×%d input (padded by %d, %d)", kh, kw, s.H, s.W, ph, pw)
	}
	bias, err := c.constant(2)
	if err != nil {
		return err
	}
	if bias != nil && (bias.Float == nil || bias.Len() != cout) {
		return fmt.Errorf("its bias %q has shape %v, want [%d]", bias.Name, dims(bias.Dims), cout)
	}
	d := n.intsAttr("dilations", 1, 1) // checked by window
	dilate := int(d[0])
	if reach := dilate*(kh-1) + 1; s.H+2*ph < reach || s.W+2*pw < dilate*(kw-1)+1 {
		return fmt.Errorf("a %d×%d kernel dilated by %d does not fit the %d×%d input (padded by %d, %d)", kh, kw, dilate, s.H, s.W, ph, pw)
	}
	name := c.layerName()
	first := len(c.g.Params)
	switch {
	case group == s.C && cout == s.C && kh == kw && sh == sw && ph == pw && d[0] == d[1]:
		c.set(0, value{v: c.g.Depthwise(name, x.v, kh, sh, ph, dilate)})
		c.params(first, wt.Float)
	case dilate != 1 || d[1] != 1:
		return fmt.Errorf("dilations %v: the engine dilates depthwise convolutions only", d)
	case group == 1:
		c.set(0, value{v: c.g.ConvHW(name, x.v, cout, kh, kw, sh, sw, ph, pw)})
		c.params(first, wt.Float)
	default:
		// Groups: each its own convolution of its channels (a layer "NODE#i", its rows of
		// the weight), concatenated.
		parts := make([]graph.Value, group)
		per := len(wt.Float) / group
		for i := range group {
			first := len(c.g.Params)
			in := c.g.Channels(x.v, i*cin, cin)
			parts[i] = c.g.ConvHW(c.unique(fmt.Sprintf("%s#%d", name, i)), in, cout/group, kh, kw, sh, sw, ph, pw)
			c.params(first, wt.Float[i*per:(i+1)*per])
		}
		c.set(0, value{v: c.g.Concat(parts...)})
	}
	if bias != nil {
		first = len(c.g.Params)
		out := c.vals[n.Outputs[0]]
		c.set(0, value{v: c.g.Bias(name, out.v, cin*kh*kw)})
		c.params(first, bias.Float)
	}
	return nil
}

// eps32 is PyTorch's BatchNorm epsilon, 1e-5, as a float32 attribute holds it.
const eps32 = float32(1e-5)

func (c *converter) batchNorm() error {
	n := c.node
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if x.flat {
		return errors.New("its input is flat: the engine normalises images' channels (BatchNorm2d)")
	}
	var eps float64 // PyTorch's default, as the other front-ends build it
	if e := n.floatAttr("epsilon", eps32); e != eps32 {
		if !(e > 0 && e < 1) {
			return fmt.Errorf("epsilon %g: want a small positive number (PyTorch's default is 1e-5)", e)
		}
		eps = float64(e)
	}
	ch := c.g.Shape(x.v).C
	var data [4][]float32
	for i, what := range []string{"scale", "bias", "running mean", "running variance"} {
		if data[i], err = c.floats(1+i, what, ch); err != nil {
			return err
		}
	}
	for i := 1; i < len(n.Outputs); i++ {
		c.consts[n.Outputs[i]] = nil // running statistics: not activations
	}
	if s := c.g.Shape(x.v); s.H*s.W == 1 && !c.oneValueNoted {
		c.oneValueNoted = true
		c.notes = append(c.notes, fmt.Sprintf("BatchNorm %s normalises one value per channel (a 1×1 map): its output is its bias whatever its input, so no gradient passes it (the weights behind it are exact zeros); larger images (--input-size) avoid that", quote(n.Name)))
	}
	first := len(c.g.Params)
	c.set(0, value{v: c.g.BatchNormEps(c.layerName(), x.v, eps)})
	c.params(first, data[:]...)
	return nil
}

// reduceMean converts a mean over the positions (axes 2 and 3: x.mean([2, 3]), a global
// average pool), keeping them as 1×1 (keepdims 1) or flattening each image (keepdims 0). The
// axes are an attribute up to opset 17 and an input from 18.
func (c *converter) reduceMean() error {
	n := c.node
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if x.flat {
		return errors.New("its input is flat: the engine averages an image's positions (axes 2, 3)")
	}
	axes := n.intsAttr("axes")
	if t, err := c.constant(1); err != nil {
		return err
	} else if t != nil {
		axes = t.Int
	}
	set := map[int64]bool{}
	for _, a := range axes {
		if a < 0 {
			a += 4
		}
		set[a] = true
	}
	if len(axes) != 2 || !set[2] || !set[3] {
		return fmt.Errorf("axes %v: the engine averages over an image's positions only (axes 2, 3: x.mean([2, 3]) or a global average pool)", axes)
	}
	c.set(0, value{v: c.g.GlobalAvgPool(x.v), flat: n.intAttr("keepdims", 1) == 0})
	return nil
}

// activation converts the nonlinearities other than ReLU (layers.Activation).
func (c *converter) activation() error {
	n := c.node
	x, err := c.in(0)
	if err != nil {
		return err
	}
	var f layers.Activation
	switch n.OpType {
	case "Clip":
		f = layers.Activation{Fn: layers.Clip, A: n.floatAttr("min", float32(math.Inf(-1))), B: n.floatAttr("max", float32(math.Inf(1)))}
		for i, bound := range []*float32{&f.A, &f.B} {
			t, err := c.constant(1 + i)
			if err != nil {
				return err
			}
			if t != nil {
				if t.Float == nil || len(t.Float) != 1 {
					return fmt.Errorf("its bound %q must be one floating-point value", t.Name)
				}
				*bound = t.Float[0]
			}
		}
		if !(f.A <= f.B) {
			return fmt.Errorf("min %g is above max %g", f.A, f.B)
		}
	case "LeakyRelu":
		f = layers.Activation{Fn: layers.LeakyReLU, A: n.floatAttr("alpha", 0.01)}
	case "Sigmoid":
		f = layers.Activation{Fn: layers.Sigmoid}
	case "Elu":
		f = layers.Activation{Fn: layers.ELU, A: n.floatAttr("alpha", 1)}
	case "Erf":
		f = layers.Activation{Fn: layers.Erf}
	case "Gelu":
		if a := n.stringAttr("approximate", "none"); a != "none" {
			return fmt.Errorf("approximate %q: the engine computes the exact GELU (nn.GELU(approximate='none'))", a)
		}
		f = layers.Activation{Fn: layers.GELU}
	case "HardSigmoid":
		f = layers.Activation{Fn: layers.HardSigmoid, A: n.floatAttr("alpha", 0.2), B: n.floatAttr("beta", 0.5)}
	case "HardSwish":
		f = layers.Activation{Fn: layers.HardSwish}
	}
	if math.IsNaN(float64(f.A)) || math.IsNaN(float64(f.B)) {
		return errors.New("its parameters are NaN")
	}
	c.set(0, value{v: c.g.Activate(x.v, f), flat: x.flat})
	return nil
}

func (c *converter) pool() error {
	n := c.node
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if x.flat {
		return errors.New("its input is flat: pool before flattening")
	}
	s := c.g.Shape(x.v)
	kh, kw, sh, sw, err := c.window(nil)
	if err != nil {
		return err
	}
	if kh != kw || sh != sw {
		return fmt.Errorf("a %d×%d window with strides %d, %d: the engine pools square windows with one stride", kh, kw, sh, sw)
	}
	if len(n.Outputs) > 1 && n.Outputs[1] != "" {
		return errors.New("it returns indices, which the engine does not compute")
	}
	ph, pw, err := c.pads2(s.H, s.W, kh, kw, sh, sw)
	if err != nil {
		return err
	}
	if ph != pw {
		return fmt.Errorf("pads %d, %d: the engine pads a pool's window alike on both axes", ph, pw)
	}
	if s.H+2*ph < kh || s.W+2*pw < kw {
		return fmt.Errorf("a %d×%d window does not fit the %d×%d input", kh, kw, s.H, s.W)
	}
	ceil := n.intAttr("ceil_mode", 0) != 0
	if n.OpType == "MaxPool" {
		c.set(0, value{v: c.g.Pool(graph.MaxPool, x.v, kh, sh, ph, ceil)})
		return nil
	}
	if ph > 0 && n.intAttr("count_include_pad", 0) != 0 {
		return errors.New("count_include_pad 1 with padding: the engine averages over the window's pixels inside the image (count_include_pad=False)")
	}
	c.set(0, value{v: c.g.Pool(graph.AvgPool, x.v, kh, sh, ph, ceil)})
	return nil
}

// arithmetic converts Add, Sub, Mul and Div: of two activations (a sum of one shape; a
// product of one shape or with one factor per channel), or of an activation and a constant
// (a scalar: an affine map; one value per channel, added: a bias).
func (c *converter) arithmetic() error {
	n := c.node
	if len(n.Inputs) != 2 {
		return fmt.Errorf("it has %d inputs, want 2", len(n.Inputs))
	}
	ca, _ := c.constant(0)
	cb, _ := c.constant(1)
	switch {
	case ca == nil && cb == nil:
		return c.binary()
	case ca != nil && cb != nil:
		return errors.New("both inputs are constants: the engine does not compute with constants alone")
	case cb == nil: // constant op activation
		if n.OpType == "Div" {
			return errors.New("it divides a constant by an activation; the engine divides activations by constants only")
		}
		x, err := c.in(1)
		if err != nil {
			return err
		}
		return c.withConstant(x, ca, n.OpType == "Sub")
	}
	x, err := c.in(0)
	if err != nil {
		return err
	}
	return c.withConstant(x, cb, false)
}

// binary is an op of two activations.
func (c *converter) binary() error {
	n := c.node
	a, err := c.in(0)
	if err != nil {
		return err
	}
	b, err := c.in(1)
	if err != nil {
		return err
	}
	sa, sb := c.g.Shape(a.v), c.g.Shape(b.v)
	switch n.OpType {
	case "Add":
		if sa != sb {
			return fmt.Errorf("it adds activations of shapes %s and %s; the engine adds activations of one shape", shape(sa), shape(sb))
		}
		c.set(0, value{v: c.g.Sum(a.v, b.v), flat: a.flat && b.flat})
		return nil
	case "Mul":
		perChannel := func(s, t graph.Shape) bool { return s.C == t.C && s.H == 1 && s.W == 1 }
		switch {
		case sa == sb:
		case perChannel(sb, sa) && !b.flat:
		case perChannel(sa, sb) && !a.flat:
			a, b = b, a
		default:
			return fmt.Errorf("it multiplies activations of shapes %s and %s; the engine multiplies activations of one shape, or by one factor per channel (C×1×1)", shape(sa), shape(sb))
		}
		c.set(0, value{v: c.g.Mul(a.v, b.v), flat: a.flat})
		return nil
	}
	return fmt.Errorf("it takes two activations; the engine runs %s of an activation and a constant only", n.OpType)
}

// withConstant is op(x, k) (or op(k, x) for Sub with kFirst): a scalar k an affine map, a
// per-channel k added a bias.
func (c *converter) withConstant(x value, k *Tensor, kFirst bool) error {
	n := c.node
	if k.Float == nil {
		return fmt.Errorf("its constant %q is not floating point", k.Name)
	}
	ch := c.g.Shape(x.v).C
	if k.Len() == 1 {
		v := k.Float[0]
		f := layers.Activation{Fn: layers.Affine, A: 1}
		switch n.OpType {
		case "Add":
			f.B = v
		case "Sub":
			f.B = -v
			if kFirst {
				f.A, f.B = -1, v
			}
		case "Mul":
			f.A = v
		case "Div":
			f.A = 1 / v
		}
		if math.IsNaN(float64(f.A)) || math.IsInf(float64(f.A), 0) || math.IsNaN(float64(f.B)) || math.IsInf(float64(f.B), 0) {
			return fmt.Errorf("its constant %v makes an affine map of %g·x + %g, not finite", v, f.A, f.B)
		}
		c.set(0, value{v: c.g.Activate(x.v, f), flat: x.flat})
		return nil
	}
	perChannel := perChannelShape(k.Dims, ch)
	if !perChannel || (n.OpType != "Add" && n.OpType != "Sub") || kFirst {
		return fmt.Errorf("its constant %q of shape %v: the engine adds or subtracts a scalar or one value per channel, and multiplies or divides by a scalar", k.Name, dims(k.Dims))
	}
	b := slices.Clone(k.Float)
	if n.OpType == "Sub" {
		for i := range b {
			b[i] = -b[i]
		}
	}
	first := len(c.g.Params)
	c.set(0, value{v: c.g.Bias(c.layerName(), x.v, 0), flat: x.flat})
	c.params(first, b)
	return nil
}

// perChannelShape says whether a constant of dimensions d holds one value per channel of ch
// channels, broadcast over an image's positions: [C], [C, 1, 1], [1, C, 1, 1], or [1, C] for
// a flat activation's.
func perChannelShape(d []int64, ch int) bool {
	c := int64(ch)
	switch len(d) {
	case 1:
		return d[0] == c
	case 2:
		return d[0] == 1 && d[1] == c
	case 3:
		return d[0] == c && d[1] == 1 && d[2] == 1
	case 4:
		return d[0] == 1 && d[1] == c && d[2] == 1 && d[3] == 1
	}
	return false
}

func shape(s graph.Shape) string { return fmt.Sprintf("%d×%d×%d", s.C, s.H, s.W) }

func (c *converter) concat() error {
	n := c.node
	axis := n.intAttr("axis", 1)
	var ins []graph.Value
	for i := range n.Inputs {
		x, err := c.in(i)
		if err != nil {
			return err
		}
		if x.flat {
			return errors.New("an input is flat: the engine concatenates images' channels")
		}
		ins = append(ins, x.v)
	}
	if axis != 1 && axis != -3 {
		return fmt.Errorf("axis %d: the engine concatenates along the channels (axis 1)", axis)
	}
	s := c.g.Shape(ins[0])
	for _, v := range ins[1:] {
		if t := c.g.Shape(v); t.H != s.H || t.W != s.W {
			return fmt.Errorf("it joins values of shapes %s and %s: the heights and widths differ", shape(s), shape(t))
		}
	}
	c.set(0, value{v: c.g.Concat(ins...)})
	return nil
}

func (c *converter) split() error {
	n := c.node
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if axis := n.intAttr("axis", 0); axis != 1 && axis != -3 || x.flat {
		return fmt.Errorf("axis %d: the engine splits images' channels (axis 1)", axis)
	}
	ch := c.g.Shape(x.v).C
	sizes := n.intsAttr("split")
	if t, err := c.constant(1); err != nil {
		return err
	} else if t != nil {
		sizes = t.Int
	}
	if sizes == nil {
		if ch%len(n.Outputs) != 0 {
			return fmt.Errorf("%d channels do not split into %d equal parts", ch, len(n.Outputs))
		}
		for range n.Outputs {
			sizes = append(sizes, int64(ch/len(n.Outputs)))
		}
	}
	if len(sizes) != len(n.Outputs) {
		return fmt.Errorf("split %v for %d outputs", sizes, len(n.Outputs))
	}
	from := 0
	for i, sz := range sizes {
		if sz < 1 || from+int(sz) > ch {
			return fmt.Errorf("split %v does not fit %d channels", sizes, ch)
		}
		c.set(i, value{v: c.g.Channels(x.v, from, int(sz))})
		from += int(sz)
	}
	if from != ch {
		return fmt.Errorf("split %v does not add up to %d channels", sizes, ch)
	}
	return nil
}

// slice converts a Slice of the channels (a channel range) or of the positions (a window,
// subsampled by a step: an average pool of 1×1 windows).
func (c *converter) slice() error {
	n := c.node
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if x.flat {
		return errors.New("its input is flat: the engine slices images' channels and positions")
	}
	arg := func(i int, attr string) ([]int64, error) {
		if t, err := c.constant(i); err != nil {
			return nil, err
		} else if t != nil {
			if t.Int == nil {
				return nil, fmt.Errorf("its %s %q must be integers", attr, t.Name)
			}
			return t.Int, nil
		}
		return n.intsAttr(attr), nil
	}
	starts, err := arg(1, "starts")
	if err != nil {
		return err
	}
	ends, err := arg(2, "ends")
	if err != nil {
		return err
	}
	axes, err := arg(3, "axes")
	if err != nil {
		return err
	}
	steps, err := arg(4, "steps")
	if err != nil {
		return err
	}
	if len(starts) != len(ends) || (axes != nil && len(axes) != len(starts)) || (steps != nil && len(steps) != len(starts)) {
		return fmt.Errorf("starts %v, ends %v, axes %v and steps %v differ in length", starts, ends, axes, steps)
	}
	s := c.g.Shape(x.v)
	size := [4]int{1, s.C, s.H, s.W}
	from, to, step := [4]int{}, size, [4]int{1, 1, 1, 1}
	for i := range starts {
		axis := int64(i)
		if axes != nil {
			axis = axes[i]
		}
		if axis < 0 {
			axis += 4
		}
		if axis < 0 || axis > 3 {
			return fmt.Errorf("axis %d of an image tensor [N, C, H, W]", axis)
		}
		st := int64(1)
		if steps != nil {
			st = steps[i]
		}
		if st < 1 || st > 64 {
			return fmt.Errorf("step %d: the engine slices forward, with steps from 1 to 64", st)
		}
		dim := int64(size[axis])
		clampIndex := func(v int64) int {
			if v < 0 {
				v += dim
			}
			return int(min(max(v, 0), dim))
		}
		from[axis], to[axis], step[axis] = clampIndex(starts[i]), clampIndex(ends[i]), int(st)
	}
	if from[0] != 0 || to[0] != 1 {
		return errors.New("it slices the batch: the engine scores each image alone")
	}
	count := func(a int) int { return (to[a] - from[a] + step[a] - 1) / step[a] }
	for a := 1; a < 4; a++ {
		if count(a) < 1 {
			return fmt.Errorf("it leaves nothing of axis %d (%d to %d)", a, from[a], to[a])
		}
	}
	v := x.v
	if from[1] != 0 || to[1] != s.C || step[1] != 1 {
		if step[1] != 1 {
			return fmt.Errorf("step %d along the channels: the engine takes a range of channels", step[1])
		}
		v = c.g.Channels(v, from[1], to[1]-from[1])
	}
	if step[2] != step[3] {
		return fmt.Errorf("steps %d and %d along height and width: the engine subsamples both alike", step[2], step[3])
	}
	if st := step[2]; st > 1 {
		// Taking every st-th position from the first is a 1×1 average pool of stride st,
		// after a crop to the window that pool reads.
		h, w := (count(2)-1)*st+1, (count(3)-1)*st+1
		if from[2] != 0 || from[3] != 0 || h != s.H || w != s.W {
			v = c.g.CropAt(v, from[2], from[3], h, w)
		}
		v = c.g.AvgPool(v, 1, st, 0)
	} else if from[2] != 0 || from[3] != 0 || to[2] != s.H || to[3] != s.W {
		v = c.g.CropAt(v, from[2], from[3], to[2]-from[2], to[3]-from[3])
	}
	c.set(0, value{v: v})
	return nil
}

func (c *converter) reshape() error {
	x, err := c.view(0)
	if err != nil {
		return err
	}
	t, err := c.constant(1)
	if err != nil {
		return err
	}
	if t == nil || t.Int == nil {
		return errors.New("its shape (input 1) must be an integer constant")
	}
	s := c.g.Shape(x.v)
	size := s.Size()
	sh := t.Int
	// A channel shuffle (ShuffleNet's x.view(N, g, C/g, H, W), transpose(1, 2), view(N, -1, H, W)).
	if !x.flat && len(sh) == 5 && x.groups == 0 && sh[1] > 1 && sh[1]*sh[2] == int64(s.C) && sh[3] == int64(s.H) && sh[4] == int64(s.W) {
		c.set(0, value{v: x.v, groups: int(sh[1])})
		return nil
	}
	if x.groups > 0 {
		if len(sh) != 4 || !(sh[1] == int64(s.C) || sh[1] == -1) || sh[2] != int64(s.H) || sh[3] != int64(s.W) {
			return fmt.Errorf("shape %v of a channel shuffle's view: want [N, %d, %d, %d] back", sh, s.C, s.H, s.W)
		}
		c.set(0, value{v: c.shuffled(x)})
		return nil
	}
	// [N, -1], [N, size], [-1, size], [0, -1] (0 copies N unless allowzero): one row per image.
	ok := len(sh) == 2 && (sh[0] == 1 || sh[0] == -1 || sh[0] == 0 && c.node.intAttr("allowzero", 0) == 0) &&
		(sh[1] == -1 || sh[1] == int64(size)) && !(sh[0] == -1 && sh[1] == -1)
	if !ok {
		return fmt.Errorf("shape %v: the engine reshapes only to one row per image ([N, -1]) before a Gemm", sh)
	}
	c.set(0, value{v: x.v, flat: true})
	return nil
}

// shuffled is the activation a channel shuffle's view reads back as: unchanged, or with its
// channels interleaved where the group axes were swapped (channel j·g + i of the result is
// channel i·C/g + j of the input), as channel slices joined.
func (c *converter) shuffled(x value) graph.Value {
	if !x.swapped {
		return x.v
	}
	ch := c.g.Shape(x.v).C
	per := ch / x.groups
	parts := make([]graph.Value, 0, ch)
	for j := range per {
		for i := range x.groups {
			parts = append(parts, c.g.Channels(x.v, i*per+j, 1))
		}
	}
	return c.g.Concat(parts...)
}

// transpose converts the Transpose of a channel shuffle: [0, 2, 1, 3, 4] of its view.
func (c *converter) transpose() error {
	x, err := c.view(0)
	if err != nil {
		return err
	}
	p := c.node.intsAttr("perm")
	if x.groups == 0 || !slices.Equal(p, []int64{0, 2, 1, 3, 4}) {
		return fmt.Errorf("perm %v of an activation: the engine transposes activations only in a channel shuffle ([0, 2, 1, 3, 4] of a Reshape to [N, g, C/g, H, W]); a model laid out NHWC (permute(0, 2, 3, 1)) is not read: write its channel-last layers in NCHW form to score the architecture (a ConvNeXt block's permute, LayerNorm and Linear layers as nn.BatchNorm2d and 1×1 nn.Conv2d)", p)
	}
	c.set(0, value{v: x.v, groups: x.groups, swapped: !x.swapped})
	return nil
}

// matmul converts x·W of a flat activation and a constant [I, O]: a linear layer without a
// bias (a following Add of a constant becomes its bias).
func (c *converter) matmul() error {
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if s := c.g.Shape(x.v); !x.flat && (s.H != 1 || s.W != 1) {
		return fmt.Errorf("its input has shape %s per image: flatten it first (Flatten or Reshape to [N, -1])", shape(s))
	}
	wt, err := c.constant(1)
	if err != nil {
		return err
	}
	ins := c.g.Shape(x.v).Size()
	if wt == nil || len(wt.Dims) != 2 || wt.Float == nil || int(wt.Dims[0]) != ins {
		return fmt.Errorf("its second input must be a floating-point initialiser [%d, outputs]", ins)
	}
	outs := int(wt.Dims[1])
	first := len(c.g.Params)
	c.set(0, value{v: c.g.LinearNoBias(c.layerName(), x.v, outs), flat: true})
	c.params(first, transposed(wt.Float, ins, outs), make([]float32, outs))
	return nil
}

// transposed turns a weight [ins, outs] (ONNX's x·W) into a Linear's [outs, ins].
func transposed(x []float32, ins, outs int) []float32 {
	w := make([]float32, len(x))
	for i := range ins {
		for o := range outs {
			w[o*ins+i] = x[i*outs+o]
		}
	}
	return w
}

func (c *converter) gemm() error {
	n := c.node
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if s := c.g.Shape(x.v); !x.flat && (s.H != 1 || s.W != 1) {
		return fmt.Errorf("its input has shape %s per image: flatten it first (Flatten or Reshape to [N, -1])", shape(s))
	}
	if n.intAttr("transA", 0) != 0 {
		return errors.New("transA 1: the engine multiplies images as rows (transA=0)")
	}
	if a, b := n.floatAttr("alpha", 1), n.floatAttr("beta", 1); a != 1 || b != 1 {
		return fmt.Errorf("alpha %g, beta %g: the engine runs Gemm as a Linear layer (alpha=beta=1)", a, b)
	}
	ins := c.g.Shape(x.v).Size()
	wt, err := c.constant(1)
	if err != nil {
		return err
	}
	if wt == nil || len(wt.Dims) != 2 || wt.Float == nil {
		return errors.New("its weight (input 1) must be a floating-point initialiser of two dimensions")
	}
	transB := n.intAttr("transB", 0) != 0
	outs, k := int(wt.Dims[0]), int(wt.Dims[1])
	if !transB {
		outs, k = k, outs
	}
	if k != ins {
		return fmt.Errorf("its weight %v does not take the %d inputs it is given", dims(wt.Dims), ins)
	}
	w := wt.Float
	if !transB {
		w = transposed(wt.Float, ins, outs)
	}
	bias := make([]float32, outs)
	if bt, err := c.constant(2); err != nil {
		return err
	} else if bt != nil {
		if bt.Float == nil || bt.Len() != outs {
			return fmt.Errorf("its bias %q has shape %v, want [%d]", bt.Name, dims(bt.Dims), outs)
		}
		bias = slices.Clone(bt.Float)
	}
	first := len(c.g.Params)
	c.set(0, value{v: c.g.Linear(c.layerName(), x.v, outs), flat: true})
	c.params(first, w, bias)
	return nil
}

// maxFolded bounds a vector that folding makes: shape arithmetic works on shapes of a few
// values, and a bound keeps a chain of Concat(v, v) from doubling a vector to gigabytes.
const maxFolded = 64

// fold computes a node whose inputs are all constants (or the shapes of activations): the
// integer arithmetic an exporter writes for x.view(x.size(0), -1). It reports whether it did.
func (c *converter) fold(n *Node) (bool, error) {
	switch n.OpType {
	case "Shape":
		x, err := c.in(0)
		if err != nil {
			return false, err
		}
		s := c.g.Shape(x.v)
		shape := []int64{1, int64(s.C), int64(s.H), int64(s.W)}
		if x.flat {
			shape = []int64{1, int64(s.Size())}
		}
		c.consts[n.Outputs[0]] = &Tensor{DataType: TypeInt64, Dims: []int64{int64(len(shape))}, Int: shape}
		return true, nil
	case "Transpose":
		// Of a constant matrix: an exporter's Wᵀ for a linear layer without a bias.
		t, ok := c.consts[n.Inputs[0]]
		if !ok || t == nil || t.Float == nil || len(t.Dims) != 2 {
			return false, nil
		}
		if p := n.intsAttr("perm", 1, 0); len(p) != 2 || p[0] != 1 || p[1] != 0 {
			return false, fmt.Errorf("perm %v of a matrix: want [1, 0]", p)
		}
		rows, cols := int(t.Dims[0]), int(t.Dims[1])
		c.consts[n.Outputs[0]] = &Tensor{Name: t.Name, DataType: TypeFloat, Dims: []int64{t.Dims[1], t.Dims[0]}, Float: transposed(t.Float, rows, cols)}
		return true, nil
	case "Identity":
		// Of a constant: an eval-mode exporter's alias of a shared weight.
		t, ok := c.consts[n.Inputs[0]]
		if !ok {
			return false, nil
		}
		c.consts[n.Outputs[0]] = t
		return true, nil
	case "Unsqueeze", "Squeeze", "Concat", "Gather", "Cast", "Add", "Sub", "Mul", "Div":
	default:
		return false, nil
	}
	var ins []*Tensor
	for _, name := range n.Inputs {
		t, ok := c.consts[name]
		if !ok || t == nil || t.Int == nil || len(t.Dims) > 1 {
			return false, nil // an activation (or not integers): the op proper
		}
		ins = append(ins, t)
	}
	if len(ins) == 0 {
		return false, nil
	}
	var out []int64
	switch n.OpType {
	case "Unsqueeze", "Squeeze", "Cast": // of a scalar or vector: the same values
		out = ins[0].Int
	case "Concat":
		total := 0
		for _, t := range ins {
			total += len(t.Int)
		}
		if total > maxFolded {
			return false, fmt.Errorf("it joins %d integers: the engine folds the shape arithmetic of exporters, vectors of at most %d values (a shape has a few)", total, maxFolded)
		}
		for _, t := range ins {
			out = append(out, t.Int...)
		}
	case "Gather":
		if len(ins) != 2 {
			return false, errors.New("it needs data and indices")
		}
		if len(ins[1].Int) > maxFolded {
			return false, fmt.Errorf("it gathers %d integers: the engine folds the shape arithmetic of exporters, vectors of at most %d values (a shape has a few)", len(ins[1].Int), maxFolded)
		}
		for _, i := range ins[1].Int {
			if i < 0 {
				i += int64(len(ins[0].Int))
			}
			if i < 0 || i >= int64(len(ins[0].Int)) {
				return false, fmt.Errorf("index %d is out of range for %d values", i, len(ins[0].Int))
			}
			out = append(out, ins[0].Int[i])
		}
		if len(ins[1].Dims) == 0 { // a scalar index gives a scalar
			c.consts[n.Outputs[0]] = &Tensor{DataType: TypeInt64, Int: out}
			return true, nil
		}
	case "Add", "Sub", "Mul", "Div": // a shape's arithmetic: x.size(1) // 2
		if len(ins) != 2 {
			return false, fmt.Errorf("it has %d inputs, want 2", len(ins))
		}
		a, b := ins[0].Int, ins[1].Int
		size := max(len(a), len(b))
		if len(a) == 0 || len(b) == 0 || (len(a) != size && len(a) != 1) || (len(b) != size && len(b) != 1) {
			return false, fmt.Errorf("integer vectors of %d and %d values do not broadcast", len(a), len(b))
		}
		for i := range size {
			x, y := a[min(i, len(a)-1)], b[min(i, len(b)-1)]
			if max(x, -x, y, -y) > maxShapeValue {
				return false, fmt.Errorf("it computes with %d and %d: the engine folds a shape's arithmetic, of values up to %d", x, y, int64(maxShapeValue))
			}
			switch n.OpType {
			case "Add":
				x += y
			case "Sub":
				x -= y
			case "Mul":
				x *= y
			case "Div":
				if y == 0 {
					return false, errors.New("it divides an integer by zero")
				}
				x /= y
			}
			out = append(out, x)
		}
		if len(ins[0].Dims) == 0 && len(ins[1].Dims) == 0 {
			c.consts[n.Outputs[0]] = &Tensor{DataType: TypeInt64, Int: out}
			return true, nil
		}
	}
	c.consts[n.Outputs[0]] = &Tensor{DataType: TypeInt64, Dims: []int64{int64(len(out))}, Int: out}
	return true, nil
}

// maxShapeValue bounds the integers a shape's folded arithmetic takes (no product overflows).
const maxShapeValue = 1 << 30

// dropout notes a Dropout that a training-mode export keeps (opset 12 on: training_mode
// true, a ratio above 0): the engine passes it through, as an eval-mode model would, where
// PyTorch's training mode would zero activations at random.
func (c *converter) dropout() error {
	n := c.node
	ratio := n.floatAttr("ratio", 0.5)
	if t, err := c.constant(1); err != nil {
		return err
	} else if t != nil {
		if t.Float == nil || len(t.Float) != 1 {
			return fmt.Errorf("its ratio %s must be one floating-point value", quote(t.Name))
		}
		ratio = t.Float[0]
	}
	training := false
	if t, err := c.constant(2); err != nil {
		return err
	} else if t != nil {
		training = len(t.Int) == 1 && t.Int[0] != 0
	}
	if training && ratio > 0 {
		c.notes = append(c.notes, fmt.Sprintf("Dropout %s (ratio %g) is treated as identity, as in eval mode: PyTorch's training mode would zero that share of activations at random", quote(n.Name), ratio))
	}
	return nil
}

// pad passes a Pad of zeros through: any other padding is refused (the engine pads only
// inside its convolutions and pools).
func (c *converter) pad() error {
	n := c.node
	x, err := c.in(0)
	if err != nil {
		return err
	}
	if mode := n.attr("mode"); mode != nil && mode.S != "constant" {
		return fmt.Errorf("mode %q: the engine pads with zeros only", printable(mode.S))
	}
	pads := n.intsAttr("pads")
	if t, err := c.constant(1); err != nil {
		return err
	} else if t != nil {
		pads = t.Int
	}
	for _, p := range pads {
		if p != 0 {
			return fmt.Errorf("pads %v: the engine pads only inside convolutions and pools (give the padding to the Conv's pads)", pads)
		}
	}
	c.set(0, x)
	return nil
}
