package onnx_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"

	"gradsign/assets"
	"gradsign/engine/cifar"
	"gradsign/engine/darts"
	"gradsign/engine/gradsign"
	"gradsign/engine/graph"
	"gradsign/engine/layers"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
	"gradsign/engine/onnx"
	"gradsign/engine/safetensors"
	"gradsign/internal/oracle"
)

// The models and their PyTorch reference files (tools/onnxref) are checked in the reference
// tests of every backend (internal/oracle reads them as the space "onnx"); here: what the
// reader makes of them, and of every malformed or unsupported model.

func readModel(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(oracle.ONNXDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A search space's network exported to ONNX scores exactly as the space's front-end's network
// with the same weights (the file's initialisers carry the reference model's names):
// NAS-Bench-201's TinyNetwork, and DARTS's NetworkCIFAR (max pools, separable and dilated
// convolutions, the factorised reduction's shifted Slice, structural zeros).
func TestSpacesMatchNativeFrontEnds(t *testing.T) {
	arch, _ := nb201.ParseArch("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|")
	refs, err := oracle.Of("darts")
	if err != nil {
		t.Fatal(err)
	}
	var genotype darts.Genotype
	for _, r := range refs {
		if r.Name == "darts_nb301_629_c16l5.safetensors" {
			genotype = r.Spec.(darts.Config).Genotype
		}
	}
	for _, c := range []struct {
		file, prefix string
		native       graph.Spec
	}{
		{"nb201_index0.onnx", "", nb201.Config{Arch: arch, C: 8, N: 1, Classes: 10, H: 32, W: 32}},
		{"darts_629_c16l5.onnx", "net.", darts.Config{Genotype: genotype, C: 16, Layers: 5, Classes: 10, H: 32, W: 32}},
	} {
		t.Run(c.file, func(t *testing.T) { matchesNative(t, c.file, c.prefix, c.native) })
	}
}

func matchesNative(t *testing.T, file, prefix string, spec graph.Spec) {
	b := readModel(t, file)
	net, err := onnx.Read(b, onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fromONNX, err := network.Build[float32](net.Graph)
	if err != nil {
		t.Fatal(err)
	}
	if err := fromONNX.Load(net.Weights); err != nil {
		t.Fatal(err)
	}
	m, err := onnx.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	state := &safetensors.File{Tensors: map[string]safetensors.Tensor{}}
	for _, init := range m.Graph.Initializers {
		shape := make([]int, len(init.Dims))
		for i, d := range init.Dims {
			shape[i] = int(d)
		}
		if init.Float != nil {
			state.Tensors[strings.TrimPrefix(init.Name, prefix)] = safetensors.FromFloat32(shape, init.Float)
		}
	}
	native, err := network.Build[float32](spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := native.Load(state); err != nil {
		t.Fatal(err)
	}
	if fromONNX.NumParams() != native.NumParams() || fromONNX.FLOPs() != native.FLOPs() {
		t.Errorf("ONNX: %d params, %d FLOPs; native: %d, %d", fromONNX.NumParams(), fromONNX.FLOPs(), native.NumParams(), native.FLOPs())
	}
	set := assets.CIFAR(cifar.CIFAR10)
	x, labels, err := cifar.Batch[float32](set, 0, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := gradsign.Score(context.Background(), fromONNX, x, labels, gradsign.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	n, err := gradsign.Score(context.Background(), native, x, labels, gradsign.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if a.Score != n.Score || len(a.Layers) != len(n.Layers) || a.StructuralZeros != n.StructuralZeros {
		t.Fatalf("ONNX network %v (%d layers, %d structural zeros), native front-end %v (%d layers, %d)", a.Score, len(a.Layers), a.StructuralZeros, n.Score, len(n.Layers), n.StructuralZeros)
	}
	// The ONNX layers are in the file's node order, named by node; each node's weight is
	// the initialiser of the native module's name.
	module := map[string]string{}
	for _, nd := range m.Graph.Nodes {
		if nd.OpType == "Conv" || nd.OpType == "Gemm" {
			module[nd.Name] = strings.TrimSuffix(strings.TrimPrefix(nd.Inputs[1], prefix), ".weight")
		}
	}
	want := map[string]float64{}
	for _, l := range n.Layers {
		want[l.Name] = l.Score
	}
	for _, l := range a.Layers {
		if w, ok := want[module[l.Name]]; !ok || w != l.Score {
			t.Errorf("layer %s: %v, the native %s: %v", l.Name, l.Score, module[l.Name], w)
		}
	}
	t.Logf("%s: GradSign %v on both, %d structural zeros", file, a.Score, a.StructuralZeros)
}

// Layers are named by their ONNX nodes, and the parameter count is PyTorch's.
func TestExamples(t *testing.T) {
	for name, want := range map[string]struct {
		params, layers int
		first          string
	}{
		"resnet20.onnx": {272474, 22, "/conv1/Conv"},
		"vgg.onnx":      {138554, 8, "/features/features.0/Conv"},
	} {
		net, err := onnx.Read(readModel(t, name), onnx.Options{})
		if err != nil {
			t.Fatal(err)
		}
		n, err := network.Plan[float32](net.Graph)
		if err != nil {
			t.Fatal(err)
		}
		names := n.LayerNames()
		if n.NumParams() != want.params || len(names) != want.layers || names[0] != want.first {
			t.Errorf("%s: %d params, %d layers from %s; want %d, %d from %s", name, n.NumParams(), len(names), names[0], want.params, want.layers, want.first)
		}
		if net.H != 32 || net.W != 32 || net.Folded || net.Input != "input.1" {
			t.Errorf("%s: input %q %d×%d, folded %v", name, net.Input, net.H, net.W, net.Folded)
		}
	}
}

// A minimal protobuf writer for crafting models.
type msg []byte

func (m msg) bytes(num protowire.Number, v []byte) msg {
	m = protowire.AppendTag(m, num, protowire.BytesType)
	return protowire.AppendBytes(m, v)
}
func (m msg) str(num protowire.Number, s string) msg { return m.bytes(num, []byte(s)) }
func (m msg) varint(num protowire.Number, v int64) msg {
	m = protowire.AppendTag(m, num, protowire.VarintType)
	return protowire.AppendVarint(m, uint64(v))
}
func (m msg) float(num protowire.Number, f float32) msg {
	m = protowire.AppendTag(m, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(m, math.Float32bits(f))
}

func tensor(name string, dims []int64, x []float32) msg {
	var t msg
	for _, d := range dims {
		t = t.varint(1, d)
	}
	t = t.varint(2, onnx.TypeFloat).str(8, name)
	raw := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return t.bytes(9, raw)
}

// tensorInts is a vector initialiser of int64 values.
func tensorInts(name string, v ...int64) msg {
	var t msg
	t = t.varint(1, int64(len(v))).varint(2, onnx.TypeInt64).str(8, name)
	raw := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(x))
	}
	return t.bytes(9, raw)
}

func ints(name string, v ...int64) msg {
	a := msg{}.str(1, name).varint(20, onnx.AttrInts)
	for _, x := range v {
		a = a.varint(8, x)
	}
	return a
}

func node(op, name string, in, out []string, attrs ...msg) msg {
	var n msg
	for _, i := range in {
		n = n.str(1, i)
	}
	for _, o := range out {
		n = n.str(2, o)
	}
	n = n.str(3, name).str(4, op)
	for _, a := range attrs {
		n = n.bytes(5, a)
	}
	return n
}

func valueInfo(name string, dims ...int64) msg {
	var shape msg
	for _, d := range dims {
		if d < 0 {
			shape = shape.bytes(1, msg{}.str(2, "batch"))
		} else {
			shape = shape.bytes(1, msg{}.varint(1, d))
		}
	}
	tt := msg{}.varint(1, onnx.TypeFloat).bytes(2, shape)
	return msg{}.str(1, name).bytes(2, msg{}.bytes(1, tt))
}

// model is x [N, 3, 8, 8] → conv 4×3×3×3 → BN → relu → global pool → flatten → gemm to 10,
// with nodes replaced or added by edit.
func model(opset int64, edit func(nodes []msg, inits []msg) ([]msg, []msg)) []byte {
	return modelWith(opset, valueInfo("x", -1, 3, 8, 8), edit)
}

// modelWith is model with another input.
func modelWith(opset int64, input msg, edit func(nodes []msg, inits []msg) ([]msg, []msg)) []byte {
	ones := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = 0.01 * float32(i%7+1)
		}
		return x
	}
	nodes := []msg{
		node("Conv", "conv", []string{"x", "w"}, []string{"c"}, ints("kernel_shape", 3, 3), ints("pads", 1, 1, 1, 1)),
		node("BatchNormalization", "bn", []string{"c", "g", "b", "m", "v"}, []string{"n"}),
		node("Relu", "relu", []string{"n"}, []string{"r"}),
		node("GlobalAveragePool", "pool", []string{"r"}, []string{"p"}),
		node("Flatten", "flat", []string{"p"}, []string{"f"}),
		node("Gemm", "fc", []string{"f", "fw", "fb"}, []string{"y"}, msg{}.str(1, "transB").varint(20, onnx.AttrInt).varint(3, 1)),
	}
	inits := []msg{tensor("w", []int64{4, 3, 3, 3}, ones(108)), tensor("g", []int64{4}, ones(4)), tensor("b", []int64{4}, ones(4)),
		tensor("m", []int64{4}, ones(4)), tensor("v", []int64{4}, ones(4)), tensor("fw", []int64{10, 4}, ones(40)), tensor("fb", []int64{10}, ones(10))}
	if edit != nil {
		nodes, inits = edit(nodes, inits)
	}
	var g msg
	for _, n := range nodes {
		g = g.bytes(1, n)
	}
	g = g.str(2, "crafted")
	for _, t := range inits {
		g = g.bytes(5, t)
	}
	g = g.bytes(11, input).bytes(12, valueInfo("y", -1, 10))
	m := msg{}.varint(1, 8).bytes(8, msg{}.str(1, "").varint(2, opset)).bytes(7, g)
	return m
}

func TestCraftedModel(t *testing.T) {
	net, err := onnx.Read(model(14, nil), onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if net.H != 8 || net.W != 8 || net.Graph.Classes != 10 || len(net.Graph.Weights()) != 2 {
		t.Errorf("%d×%d, %d classes, %d weight layers", net.H, net.W, net.Graph.Classes, len(net.Graph.Weights()))
	}
	n, err := network.Build[float32](net.Graph)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Load(net.Weights); err != nil {
		t.Fatal(err)
	}
	if got := n.Param("conv.weight").Data[1]; got != 0.02 {
		t.Errorf("conv.weight[1] = %v, the file's is 0.02", got)
	}
	// A dynamic input size takes the options' (CIFAR's 32×32 by default) and says so.
	net, err = onnx.Read(modelWith(14, valueInfo("x", -1, 3, -1, -1), nil), onnx.Options{})
	if err != nil {
		t.Fatalf("dynamic input: %v", err)
	}
	if net.H != 32 || len(net.Notes) != 1 {
		t.Errorf("dynamic input: %d×%d, notes %q", net.H, net.W, net.Notes)
	}
}

// The ops that become more than one graph node, in crafted models: a strided Slice of the
// positions (a crop and a 1×1 average pool of stride 2), a channel Slice, a scalar Mul (an
// affine map), a per-channel Sub (a bias), a product with a per-channel gate, a biased conv.
func TestCraftedOps(t *testing.T) {
	i64 := tensorInts
	b := model(14, func(nodes, inits []msg) ([]msg, []msg) {
		nodes = slices2(nodes[0],
			node("Slice", "sl", []string{"c", "st", "en", "ax", "sp"}, []string{"s1"}), // [:, :, 1::2, 1:7:2] → 4×4×3
			node("Slice", "ch", []string{"s1", "cst", "cen", "cax"}, []string{"s2"}),   // channels 1..2 → 2×4×3
			node("Mul", "half", []string{"s2", "k"}, []string{"s3"}),
			node("Sub", "shift", []string{"s3", "pc"}, []string{"s4"}),
			node("GlobalAveragePool", "gp", []string{"s4"}, []string{"g1"}),
			node("Mul", "gate", []string{"g1", "s4"}, []string{"s5"}),
			node("Conv", "pw", []string{"s5", "pww", "pwb"}, []string{"s6"}),
			node("BatchNormalization", "bn", []string{"s6", "g", "b", "m", "v"}, []string{"n"}),
			nodes[2], nodes[3], nodes[4], nodes[5])
		inits = append(inits, i64("st", 1, 1), i64("en", 1<<40, 7), i64("ax", 2, 3), i64("sp", 2, 2),
			i64("cst", 1), i64("cen", 3), i64("cax", 1), tensor("k", nil, []float32{0.5}), tensor("pc", []int64{1, 2, 1, 1}, []float32{1, 2}),
			tensor("pww", []int64{4, 2, 1, 1}, make([]float32, 8)), tensor("pwb", []int64{4}, []float32{1, 2, 3, 4}))
		return nodes, inits
	})
	net, err := onnx.Read(b, onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var ops []string
	for _, n := range net.Graph.Nodes {
		ops = append(ops, n.Op.String())
	}
	want := "conv crop avgpool channels activation bias globalavgpool mul conv bias batchnorm relu globalavgpool linear"
	if got := strings.Join(ops, " "); got != want {
		t.Errorf("graph ops %s, want %s", got, want)
	}
	for _, n := range net.Graph.Nodes {
		switch n.Op {
		case graph.Crop:
			if s := net.Graph.Shape(n.Out); n.From != 1 || n.Left != 1 || s.H != 7 || s.W != 5 {
				t.Errorf("crop from (%d, %d) to %v, want (1, 1) and 7×5", n.From, n.Left, s)
			}
		case graph.AvgPool:
			if s := net.Graph.Shape(n.Out); s.H != 4 || s.W != 3 {
				t.Errorf("subsampled to %v, want 4×3", s)
			}
		case graph.Activation:
			if n.Act.Fn != layers.Affine || n.Act.A != 0.5 || n.Act.B != 0 {
				t.Errorf("Mul by 0.5 became %+v", n.Act)
			}
		}
	}
	if got := net.Weights.Tensors["shift.bias"].Float32s(); len(got) != 2 || got[0] != -1 || got[1] != -2 {
		t.Errorf("Sub of [1, 2] became the bias %v", got)
	}
	full, err := network.Build[float32](net.Graph)
	if err != nil {
		t.Fatal(err)
	}
	if err := full.Load(net.Weights); err != nil {
		t.Fatal(err)
	}
}

func replace(i int, n msg) func([]msg, []msg) ([]msg, []msg) {
	return func(nodes, inits []msg) ([]msg, []msg) {
		nodes[i] = n
		return nodes, inits
	}
}

// Every unsupported or malformed model gets one message that names the node, its op and what
// to do.
func TestErrors(t *testing.T) {
	cases := []struct {
		name  string
		model []byte
		want  string
	}{
		{"unknown op", model(14, replace(2, node("Softplus", "act", []string{"n"}, []string{"r"}))),
			`node "act" (Softplus): the engine does not support op Softplus: replace nn.Softplus by nn.ELU`},
		{"an op with no advice", model(14, replace(2, node("Hardmax", "act", []string{"n"}, []string{"r"}))),
			`node "act" (Hardmax): the engine does not support op Hardmax; it reads Add, AveragePool`},
		{"channel-last", model(14, replace(2, node("Transpose", "nhwc", []string{"n"}, []string{"r"}, ints("perm", 0, 2, 3, 1)))),
			`node "nhwc" (Transpose): perm [0 2 3 1] of an activation`},
		{"channel-last, what to do", model(14, replace(2, node("Transpose", "nhwc", []string{"n"}, []string{"r"}, ints("perm", 0, 2, 3, 1)))),
			`write its channel-last layers in NCHW form`},
		{"upsampling", model(14, replace(2, node("Resize", "up", []string{"n"}, []string{"r"}))),
			`node "up" (Resize): the engine does not support op Resize: the engine does not upsample; replace nn.Upsample`},
		{"custom domain", model(14, replace(2, node("Relu", "act", []string{"n"}, []string{"r"}).str(7, "com.microsoft"))),
			`node "act" (Relu): the op is of domain "com.microsoft"`},
		{"opset 7", model(7, nil), "opset 7; the engine reads opsets 9 to 21"},
		{"opset 30", model(30, nil), "opset 30"},
		{"asymmetric pads", model(14, replace(0, node("Conv", "conv", []string{"x", "w"}, []string{"c"}, ints("pads", 1, 1, 0, 0)))),
			`node "conv" (Conv): pads [1 1 0 0] pad one side more than the other`},
		{"grouped, then a BatchNorm of the wrong size", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			nodes[0] = node("Conv", "conv", []string{"x", "w"}, []string{"c"}, ints("pads", 1, 1, 1, 1), msg{}.str(1, "group").varint(20, onnx.AttrInt).varint(3, 3))
			inits[0] = tensor("w", []int64{6, 1, 3, 3}, make([]float32, 54))
			return nodes, inits
		}), `node "bn" (BatchNormalization): its scale "g" has shape [4], want [6]`},
		{"not RGB", modelWith(14, valueInfo("x", 1, 1, 28, 28), nil), `the model's input "x" has shape [1, 1, 28, 28]; the engine feeds it RGB images`},
		{"weight from activation", model(14, replace(0, node("Conv", "conv", []string{"x", "x"}, []string{"c"}))),
			`input "x" must be a constant`},
		{"missing input", model(14, replace(2, node("Relu", "act", []string{"nope"}, []string{"r"}))),
			`node "act" (Relu): input "nope" is not computed by an earlier node`},
		{"bad BN shape", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			inits[1] = tensor("g", []int64{3}, make([]float32, 3))
			return nodes, inits
		}), `node "bn" (BatchNormalization): its scale "g" has shape [3], want [4]`},
		{"BN epsilon", model(14, replace(1, node("BatchNormalization", "bn", []string{"c", "g", "b", "m", "v"}, []string{"n"}, msg{}.str(1, "epsilon").varint(20, onnx.AttrFloat).float(2, -1e-3)))),
			"epsilon -0.001: want a small positive number (PyTorch's default is 1e-5)"},
		{"conv on flat", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			return append(nodes[:1:1], node("Flatten", "f0", []string{"x"}, []string{"xf"}), node("Conv", "conv2", []string{"xf", "w"}, []string{"c2"})), inits
		}), `node "conv2" (Conv): its input is flat`},
		{"gemm on images", model(14, replace(5, node("Gemm", "fc", []string{"r", "fw", "fb"}, []string{"y"}))),
			`node "fc" (Gemm): its input has shape 4×8×8 per image: flatten it first`},
		{"folded BatchNorm", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			nodes[0] = node("Conv", "conv", []string{"x", "onnx::Conv_5", "onnx::Conv_6"}, []string{"c"}, ints("pads", 1, 1, 1, 1))
			inits = append(inits, tensor("onnx::Conv_5", []int64{4, 3, 3, 3}, make([]float32, 108)), tensor("onnx::Conv_6", []int64{4}, make([]float32, 4)))
			return slices2(nodes[0], nodes[2:]...), inits
		}), "weights named onnx::Conv_N): PyTorch's default (eval-mode) export folds"},
		{"external data", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			inits[0] = msg{}.varint(1, 4).varint(1, 3).varint(1, 3).varint(1, 3).varint(2, onnx.TypeFloat).str(8, "w").varint(14, 1)
			return nodes, inits
		}), `initialiser "w" keeps its data in an external file`},
		{"short raw data", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			inits[0] = tensor("w", []int64{4, 3, 3, 3}, make([]float32, 100))
			return nodes, inits
		}), "raw data of 400 bytes for 108 values"},
		{"huge dims", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			inits[0] = tensor("w", []int64{1 << 30, 1 << 30, 1 << 30}, make([]float32, 4))
			return nodes, inits
		}), "holds more values than its"},
		{"two inputs", func() []byte {
			m := model(14, nil)
			return append(m, msg{}.bytes(7, msg{}.bytes(11, valueInfo("z", 1, 3, 8, 8)))...)
		}(), ""},
		{"no graph", msg{}.varint(1, 8), "the file holds no graph"},
		{"not protobuf", []byte("PK\x03\x04 this is a zip file"), "not an ONNX model"},
		{"broadcast product", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			return slices2(nodes[0], node("Mul", "m", []string{"c", "x"}, []string{"q"}), node("BatchNormalization", "bn", []string{"q", "g", "b", "m", "v"}, []string{"n"}), nodes[2], nodes[3], nodes[4], nodes[5]), inits
		}), `node "m" (Mul): it multiplies activations of shapes 4×8×8 and 3×8×8`},
		{"slice of the batch", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			return slices2(nodes[0], node("Slice", "s", []string{"c"}, []string{"q"}, ints("starts", 1), ints("ends", 2), ints("axes", 0)), node("BatchNormalization", "bn", []string{"q", "g", "b", "m", "v"}, []string{"n"}), nodes[2], nodes[3], nodes[4], nodes[5]), inits
		}), `node "s" (Slice): it slices the batch`},
		{"one dilation", model(14, replace(0, node("Conv", "conv", []string{"x", "w"}, []string{"c"}, ints("pads", 1, 1, 1, 1), ints("dilations", 2)))),
			`node "conv" (Conv): dilations [2]: want two dilations from 1 to 64`},
		{"dilated past the input", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			nodes[0] = node("Conv", "conv", []string{"x", "w"}, []string{"c"}, ints("pads", 1, 1, 1, 1), ints("dilations", 9, 9), msg{}.str(1, "group").varint(20, onnx.AttrInt).varint(3, 3))
			inits[0] = tensor("w", []int64{3, 1, 3, 3}, make([]float32, 27))
			return nodes, inits
		}), `node "conv" (Conv): a 3×3 kernel dilated by 9 does not fit the 8×8 input`},
		{"MatMul of the wrong size", model(14, replace(5, node("MatMul", "mm", []string{"f", "fw"}, []string{"y"}))),
			`node "mm" (MatMul): its second input must be a floating-point initialiser [4, outputs]`},
		{"output not logits", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			return append(nodes[:3:3], node("Identity", "id", []string{"r"}, []string{"y"})), inits
		}), "GradSign needs class logits"},
	}
	for _, c := range cases {
		_, err := onnx.Read(c.model, onnx.Options{})
		switch {
		case err == nil:
			if c.want != "" {
				t.Errorf("%s: no error", c.name)
			}
		case c.want == "":
			// merged graphs: any clear error will do, but it must be one
			t.Logf("%s: %v", c.name, err)
		case !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: error %q, want it to say %q", c.name, err, c.want)
		case strings.Contains(err.Error(), "\n"):
			t.Errorf("%s: a message of several lines: %q", c.name, err)
		}
	}
}

func slices2(first msg, rest ...msg) []msg { return append([]msg{first}, rest...) }

// Every prefix of a real model is an error (or, where the cut falls between fields, a model
// the reader checks), never a panic.
func TestTruncated(t *testing.T) {
	b := readModel(t, "vgg.onnx")
	for _, n := range []int{0, 1, 2, 7, 100, 1000, len(b) / 3, len(b) / 2, len(b) - 1} {
		if _, err := onnx.Read(b[:n], onnx.Options{}); err == nil {
			t.Errorf("the first %d of %d bytes: no error", n, len(b))
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add(model(14, nil))
	f.Add(model(14, replace(1, node("MaxPool", "mp", []string{"c"}, []string{"n"}, ints("kernel_shape", 2, 2), ints("strides", 2, 2)))))
	f.Add(model(14, replace(1, node("Split", "s", []string{"c"}, []string{"n"}, msg{}.str(1, "axis").varint(20, onnx.AttrInt).varint(3, 1)))))
	f.Add(readModel(f, "nb201_index0.onnx")[:4096])
	f.Add(doubling(3, false))
	f.Add(doubling(3, true))
	f.Fuzz(func(t *testing.T, b []byte) {
		net, err := onnx.Read(b, onnx.Options{})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("a message of several lines: %q", err)
			}
			return
		}
		// A model the reader accepts builds and loads its own weights.
		n, err := network.Plan[float32](net.Graph)
		if err != nil {
			return
		}
		if n.NumParams() > 1<<22 {
			return
		}
		full, err := network.Build[float32](net.Graph)
		if err != nil {
			t.Fatal(err)
		}
		if err := full.Load(net.Weights); err != nil {
			t.Fatalf("an accepted model's weights do not load: %v", err)
		}
	})
}

// doubling is a model whose k Concat(v, v) nodes each double a value's channels (or, with
// shapes, a folded shape vector along axis 0).
func doubling(k int, shapes bool) []byte {
	return modelWith(14, valueInfo("x", 1, 3, 1, 1), func(_, inits []msg) ([]msg, []msg) {
		v := "c"
		nodes := []msg{node("Conv", "conv", []string{"x", "w1"}, []string{"c"})}
		axis := int64(1)
		if shapes {
			nodes = []msg{node("Shape", "shape", []string{"x"}, []string{"c"})}
			axis = 0
		}
		for i := range k {
			next := fmt.Sprintf("v%d", i)
			nodes = append(nodes, node("Concat", next, []string{v, v}, []string{next}, msg{}.str(1, "axis").varint(20, onnx.AttrInt).varint(3, axis)))
			v = next
		}
		nodes = append(nodes, node("GlobalAveragePool", "pool", []string{v}, []string{"p"}), node("Flatten", "flat", []string{"p"}, []string{"f"}),
			node("Gemm", "fc", []string{"f", "fw", "fb"}, []string{"y"}, msg{}.str(1, "transB").varint(20, onnx.AttrInt).varint(3, 1)))
		return nodes, append(inits, tensor("w1", []int64{1, 3, 1, 1}, []float32{1, 2, 3}))
	})
}

// hostile models: each is refused while it is read, with one line, before it can allocate
// much (a chain of Concat(v, v) doubles a value or a folded vector at every node).
func TestHostile(t *testing.T) {
	long := strings.Repeat("n", 100_000)
	cases := []struct {
		name  string
		model []byte
		want  string
	}{
		{"55 channel doublings", doubling(55, false), `node "v24" (Concat): a value of 33554432×1×1 per image is larger than the engine holds`},
		{"39 doublings of a folded shape", doubling(39, true), `node "v4" (Concat): it joins 128 integers`},
		{"Concat of nothing", model(14, replace(2, node("Concat", "cat", nil, []string{"r"}))), `node "cat" (Concat): the node has no input`},
		{"Transpose of nothing", model(14, replace(2, node("Transpose", "tr", nil, []string{"r"}))), `node "tr" (Transpose): the node has no input`},
		{"a conv of no channels", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			inits[0] = tensor("w", []int64{0, 3, 3, 3}, nil)
			return nodes, inits
		}), `node "conv" (Conv): a value of 0×8×8 per image is empty`},
		{"a Gemm of no outputs", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			inits[5], inits[6] = tensor("fw", []int64{0, 4}, nil), tensor("fb", []int64{0}, nil)
			return nodes, inits
		}), `node "fc" (Gemm): a value of 0×1×1 per image is empty`},
		{"a long name", model(14, replace(2, node("Softplus", long, []string{"n"}, []string{"r"}))), `… (100000 bytes) (Softplus): the engine does not support op Softplus`},
		{"two nodes write one tensor", model(14, replace(2, node("Relu", "act", []string{"n"}, []string{"c"}))),
			`node "act" (Relu) writes "c", which another node, an initialiser or the input already names`},
		{"two initialisers of one name", model(14, func(nodes, inits []msg) ([]msg, []msg) {
			return nodes, append(inits, tensor("g", []int64{4}, make([]float32, 4)))
		}), `two initialisers are named "g"`},
	}
	for _, c := range cases {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err := onnx.Read(c.model, onnx.Options{})
		runtime.ReadMemStats(&after)
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
		case !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") || len(err.Error()) > 700:
			t.Errorf("%s: error %q, want one short line that says %q", c.name, err, c.want)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 100<<20 {
			t.Errorf("%s: %d MB allocated before the error", c.name, alloc>>20)
		}
	}
}

// Nodes that share a name (or whose output is named as another node) still give every layer
// its own parameters: the file's weights, each once.
func TestRepeatedNodeNames(t *testing.T) {
	b := model(14, func(nodes, inits []msg) ([]msg, []msg) {
		nodes[0] = node("Conv", "conv", []string{"x", "w"}, []string{"conv"}, ints("pads", 1, 1, 1, 1))
		second := node("Conv", "conv", []string{"conv", "w2"}, []string{"c"}, ints("pads", 1, 1, 1, 1))
		inits = append(inits, tensor("w2", []int64{4, 4, 3, 3}, make([]float32, 144)))
		return slices2(nodes[0], append([]msg{second}, nodes[1:]...)...), inits
	})
	net, err := onnx.Read(b, onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, p := range net.Graph.Params {
		if names[p.Name] {
			t.Errorf("two parameters named %q", p.Name)
		}
		names[p.Name] = true
	}
	if len(net.Weights.Tensors) != len(net.Graph.Params) {
		t.Errorf("%d tensors for %d parameters", len(net.Weights.Tensors), len(net.Graph.Params))
	}
	first, second := net.Graph.Params[0].Name, net.Graph.Params[1].Name
	if w := net.Weights.Tensors[first].Float32s(); len(w) != 108 || w[1] != 0.02 {
		t.Errorf("%s holds %d values, not the first conv's 108", first, len(w))
	}
	if w := net.Weights.Tensors[second].Float32s(); len(w) != 144 || w[1] != 0 {
		t.Errorf("%s holds %d values, not the second conv's 144 zeros", second, len(w))
	}
}

// Models without BatchNorm by design are scored as they are; an eval-mode export's aliases of
// its folded weights (Identity of a constant) read with AllowFolded; a training-mode export's
// Dropout is noted.
func TestNoBatchNormAndDropout(t *testing.T) {
	plain := model(14, func(nodes, inits []msg) ([]msg, []msg) {
		nodes[0] = node("Conv", "conv", []string{"x", "features.0.weight", "features.0.bias"}, []string{"n"}, ints("pads", 1, 1, 1, 1))
		inits = append(inits, tensor("features.0.weight", []int64{4, 3, 3, 3}, make([]float32, 108)), tensor("features.0.bias", []int64{4}, make([]float32, 4)))
		return slices2(nodes[0], nodes[2:]...), inits
	})
	net, err := onnx.Read(plain, onnx.Options{})
	if err != nil || net.Folded {
		t.Fatalf("a conv net without BatchNorm: %v (folded %v)", err, net != nil && net.Folded)
	}
	alias := model(14, func(nodes, inits []msg) ([]msg, []msg) {
		nodes[0] = node("Conv", "conv", []string{"x", "w2", "onnx::Conv_6"}, []string{"n"}, ints("pads", 1, 1, 1, 1))
		inits = append(inits, tensor("onnx::Conv_5", []int64{4, 3, 3, 3}, make([]float32, 108)), tensor("onnx::Conv_6", []int64{4}, make([]float32, 4)))
		return slices2(node("Identity", "Identity_0", []string{"onnx::Conv_5"}, []string{"w2"}), append(nodes[:1:1], nodes[2:]...)...), inits
	})
	if net, err := onnx.Read(alias, onnx.Options{AllowFolded: true}); err != nil || len(net.Graph.Weights()) != 2 {
		t.Errorf("an eval-mode export's Identity of a weight: %v", err)
	}
	dropout := model(14, func(nodes, inits []msg) ([]msg, []msg) {
		nodes = slices2(nodes[0], nodes[1], nodes[2], node("Dropout", "drop", []string{"r", "ratio", "training"}, []string{"d", "mask"}),
			node("GlobalAveragePool", "pool", []string{"d"}, []string{"p"}), nodes[4], nodes[5])
		tr := msg{}.varint(2, onnx.TypeBool).str(8, "training").bytes(9, []byte{1})
		return nodes, append(inits, tensor("ratio", nil, []float32{0.2}), tr)
	})
	net, err = onnx.Read(dropout, onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(net.Notes) != 1 || !strings.Contains(net.Notes[0], `Dropout "drop" (ratio 0.2) is treated as identity`) {
		t.Errorf("notes %q, want one on the dropout", net.Notes)
	}
	// A BatchNorm over 1×1 maps is named: everything behind it is an exact zero.
	net, err = onnx.Read(modelWith(14, valueInfo("x", -1, 3, 1, 1), nil), onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(net.Notes) != 1 || !strings.Contains(net.Notes[0], `BatchNorm "bn" normalises one value per channel (a 1×1 map)`) {
		t.Errorf("notes %q, want one on the BatchNorm", net.Notes)
	}
}

// CheckHead accepts every prefix of a model and refuses what cannot begin one.
func TestCheckHead(t *testing.T) {
	b := readModel(t, "vgg.onnx")
	for n := range 4096 {
		if err := onnx.CheckHead(b[:n]); err != nil {
			t.Fatalf("the first %d bytes of vgg.onnx: %v", n, err)
		}
	}
	for _, bad := range [][]byte{make([]byte, 4096), []byte("hello, this is text"), []byte("PK\x03\x04 a zip")} {
		if err := onnx.CheckHead(bad); err == nil || !strings.Contains(err.Error(), "not an ONNX model") {
			t.Errorf("%q: %v", bad[:8], err)
		}
	}
}

var update = flag.Bool("update", false, "rewrite the hostile models in testdata/onnx")

// TestHostileFiles: the hostile models the page's browser test drops are this file's doubling
// models (go test -run TestHostileFiles -update writes them).
func TestHostileFiles(t *testing.T) {
	for name, b := range map[string][]byte{"hostile_channels.onnx": doubling(55, false), "hostile_shape.onnx": doubling(39, true)} {
		path := filepath.Join(oracle.ONNXDir(), name)
		if *update {
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s is not the doubling model (%v): go test ./engine/onnx -run TestHostileFiles -update", name, err)
		}
	}
}

// TestReduceMean: x.mean([2, 3]) (ReduceMean over the positions, keepdims 0, axes as an
// attribute or, from opset 18, an input) reads as the global average pool and Flatten it
// computes; a mean over the channels is refused with what the engine averages instead.
func TestReduceMean(t *testing.T) {
	ops := func(b []byte) string {
		net, err := onnx.Read(b, onnx.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, n := range net.Graph.Nodes {
			s = append(s, n.Op.String())
		}
		return strings.Join(s, " ")
	}
	want := ops(model(14, nil))
	withMean := func(opset int64, mean msg, extra ...msg) []byte {
		return model(opset, func(nodes, inits []msg) ([]msg, []msg) {
			nodes = append(append(nodes[:3:3], mean), nodes[5])
			nodes[len(nodes)-1] = node("Gemm", "fc", []string{"f", "fw", "fb"}, []string{"y"}, msg{}.str(1, "transB").varint(20, onnx.AttrInt).varint(3, 1))
			return nodes, append(inits, extra...)
		})
	}
	attr := node("ReduceMean", "mean", []string{"r"}, []string{"f"}, ints("axes", 2, 3), msg{}.str(1, "keepdims").varint(20, onnx.AttrInt).varint(3, 0))
	if got := ops(withMean(14, attr)); got != want {
		t.Errorf("ReduceMean with axes attribute: %s, want %s", got, want)
	}
	axes := tensorInts("axes", -2, -1)
	input := node("ReduceMean", "mean", []string{"r", "axes"}, []string{"f"}, msg{}.str(1, "keepdims").varint(20, onnx.AttrInt).varint(3, 0))
	if got := ops(withMean(18, input, axes)); got != want {
		t.Errorf("ReduceMean with axes input: %s, want %s", got, want)
	}
	channels := node("ReduceMean", "mean", []string{"r"}, []string{"f"}, ints("axes", 1), msg{}.str(1, "keepdims").varint(20, onnx.AttrInt).varint(3, 0))
	if _, err := onnx.Read(withMean(14, channels), onnx.Options{}); err == nil || !strings.Contains(err.Error(), "axes [1]: the engine averages over an image's positions only") {
		t.Errorf("mean over the channels: %v", err)
	}
}

// TestChannelShuffle: ShuffleNet's channel shuffle, Reshape to [N, g, C/g, H, W], Transpose
// [0, 2, 1, 3, 4] and Reshape back (its channel count computed by folded integer arithmetic),
// reads as the channels interleaved: channel j·g + i of the result is channel i·C/g + j. A
// Transpose of activations elsewhere is refused, naming what the engine reads.
func TestChannelShuffle(t *testing.T) {
	shuffle := func(perm ...int64) []byte {
		return model(14, func(nodes, inits []msg) ([]msg, []msg) {
			mid := []msg{
				node("Reshape", "view", []string{"r", "s5"}, []string{"v5"}),
				node("Transpose", "swap", []string{"v5"}, []string{"t5"}, ints("perm", perm...)),
				node("Div", "half", []string{"four", "two"}, []string{"c4"}),
				node("Mul", "twice", []string{"c4", "two"}, []string{"cc"}),
				node("Concat", "shape", []string{"one", "cc", "hw", "hw"}, []string{"s4"}, msg{}.str(1, "axis").varint(20, onnx.AttrInt).varint(3, 0)),
				node("Reshape", "back", []string{"t5", "s4"}, []string{"sh"}),
				node("GlobalAveragePool", "pool", []string{"sh"}, []string{"p"}),
			}
			nodes = append(append(nodes[:3:3], mid...), nodes[4:]...)
			return nodes, append(inits, tensorInts("s5", 1, 2, 2, 8, 8), tensorInts("four", 4), tensorInts("two", 2),
				tensorInts("one", 1), tensorInts("hw", 8))
		})
	}
	net, err := onnx.Read(shuffle(0, 2, 1, 3, 4), onnx.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var from []int
	for _, n := range net.Graph.Nodes {
		if n.Op == graph.Channels {
			from = append(from, n.From)
		}
	}
	if !slices.Equal(from, []int{0, 2, 1, 3}) {
		t.Fatalf("channels taken in the order %v, want [0 2 1 3]", from)
	}
	if _, err := onnx.Read(shuffle(0, 1, 2, 4, 3), onnx.Options{}); err == nil || !strings.Contains(err.Error(), "perm [0 1 2 4 3] of an activation: the engine transposes activations only in a channel shuffle") {
		t.Fatalf("another transpose: %v", err)
	}
}
