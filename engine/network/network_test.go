package network_test

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gradsign/engine/backend"
	"gradsign/engine/backend/cpu"
	"gradsign/engine/graph"
	"gradsign/engine/layers"
	"gradsign/engine/nb201"
	"gradsign/engine/network"
	"gradsign/engine/onnx"
	"gradsign/engine/safetensors"
	"gradsign/internal/oracle"
)

func mustArch(t testing.TB, s string) nb201.Arch {
	t.Helper()
	a, err := nb201.ParseArch(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

const (
	index0    = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
	index11   = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|"
	index284  = "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|nor_conv_1x1~1|none~2|"
	allConv33 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
)

// Parameter and FLOP counts against NATS-Bench's records (assets/PROVENANCE.md) and docs/conventions.md.
func TestCountsMatchNATSBench(t *testing.T) {
	for _, c := range []struct {
		arch          string
		classes, side int
		params        int
		flops         float64 // millions
	}{
		{index0, 10, 32, 129306, 15.64737},
		{index11, 10, 32, 802426, 113.95137},
		{index284, 10, 32, 0, 11.71521},
		{allConv33, 10, 32, 1531546, 0},
		{index0, 120, 16, 0, 3.91948},
		{index11, 120, 16, 0, 28.49548},
		{index284, 120, 16, 0, 2.93644},
	} {
		n, err := network.Build[float32](nb201.Config{Arch: mustArch(t, c.arch), C: 16, N: 5, Classes: c.classes, H: c.side, W: c.side})
		if err != nil {
			t.Fatal(err)
		}
		if c.params != 0 && n.NumParams() != c.params {
			t.Errorf("%s: %d params, want %d", c.arch, n.NumParams(), c.params)
		}
		if got := float64(n.FLOPs()) / 1e6; c.flops != 0 && math.Abs(got-c.flops) > 5e-6 {
			t.Errorf("%s (%d classes, %dx%d): %.5f MFLOPs, want %.5f", c.arch, c.classes, c.side, c.side, got, c.flops)
		}
	}
}

func TestBuildRejectsBadConfig(t *testing.T) {
	a := mustArch(t, index0)
	for _, c := range []struct {
		cfg  nb201.Config
		says string
	}{
		{nb201.Config{Arch: a, C: 0, N: 5, Classes: 10, H: 32, W: 32}, "channels"},
		{nb201.Config{Arch: a, C: 16, N: 0, Classes: 10, H: 32, W: 32}, "cells per stage"},
		{nb201.Config{Arch: a, C: 16, N: 5, Classes: 0, H: 32, W: 32}, "class count"},
		{nb201.Config{Arch: a, C: 16, N: 5, Classes: 10, H: 30, W: 32}, "multiples of 4"},
	} {
		if _, err := network.Build[float32](c.cfg); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: error %v, want one about %s", c.cfg, err, c.says)
		}
	}
}

// TestBatchedEqualsOneByOne checks that a batch of per-sample passes gives each sample exactly
// what a pass of that sample alone gives: logits, and the gradient of every weight (read from
// the batch by giving the other samples a zero loss gradient, which adds exact zeros), and the
// same sign accumulators.
func TestBatchedEqualsOneByOne(t *testing.T) {
	for _, arch := range []string{index11, "|none~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|avg_pool_3x3~1|nor_conv_3x3~2|"} {
		net, err := network.Build[float64](nb201.Config{Arch: mustArch(t, arch), C: 8, N: 2, Classes: 10, H: 16, W: 16})
		if err != nil {
			t.Fatal(err)
		}
		net.Init(7)
		const B = 5
		size := net.InputSize()
		x := make([]float64, B*size)
		for i := range x {
			x[i] = math.Sin(float64(i) * 0.37)
		}
		labels := []int{1, 2, 3, 4, 5}
		dlogits := func(logits []float64, labels []int) []float64 {
			n := len(labels)
			d := make([]float64, len(logits))
			layers.SoftmaxCrossEntropy(make([]float64, n), d, logits, labels, n, 10, 1)
			return d
		}
		be := cpu.New[float64](1)
		batch, one := net.NewWorkspace(be, B, network.PerSample), net.NewWorkspace(be, 1, network.PerSample)
		bl := append([]float64(nil), batch.Forward(x)...)
		d := dlogits(bl, labels)
		for b := 0; b < B; b++ {
			sl := one.Forward(x[b*size : (b+1)*size])
			for k := range sl {
				if sl[k] != bl[b*10+k] {
					t.Fatalf("%s: sample %d logit %d: batched %v, alone %v", arch, b, k, bl[b*10+k], sl[k])
				}
			}
			one.Backward(d[b*10 : (b+1)*10])
			only := make([]float64, len(d))
			copy(only[b*10:(b+1)*10], d[b*10:(b+1)*10])
			batch.Forward(x)
			batch.Backward(only)
			for _, p := range net.Weights() {
				g, want := batch.ParamGrad(p), one.ParamGrad(p)
				for i := range g {
					if g[i] != want[i] {
						t.Fatalf("%s: %s[%d] of sample %d: batched %v, alone %v", arch, net.Params[p].Name, i, b, g[i], want[i])
					}
				}
			}
		}
		// The signs folded from the batch equal those folded one sample at a time.
		sizes := net.WeightSizes()
		signsOf := func(ws *network.Workspace[float64], from, to int) *backend.Sums {
			acc := be.NewSigns(sizes)
			ws.FoldSigns(acc)
			defer ws.FoldSigns(nil)
			ws.Forward(x[from*size : to*size])
			ws.Backward(d[from*10 : to*10])
			sums := backend.NewSums(sizes)
			be.AddSigns(acc, sums)
			return sums
		}
		batched := signsOf(batch, 0, B)
		single := signsOf(one, 0, 1)
		for b := 1; b < B; b++ {
			single.Add(signsOf(one, b, b+1))
		}
		if !reflect.DeepEqual(batched, single) {
			t.Fatalf("%s: sign accumulators differ between the batch and one sample at a time", arch)
		}
	}
}

// TestThreadsAgree: spreading a mini-batch pass over goroutines changes the rounding of the
// summed weight gradients, nothing else.
func TestThreadsAgree(t *testing.T) {
	net, err := network.Build[float64](nb201.Config{Arch: mustArch(t, index11), C: 4, N: 1, Classes: 10, H: 8, W: 8})
	if err != nil {
		t.Fatal(err)
	}
	net.Init(2)
	const B = 5
	x := make([]float64, B*net.InputSize())
	for i := range x {
		x[i] = math.Cos(float64(i) * 0.7)
	}
	run := func(threads int) (*network.Workspace[float64], []float64) {
		ws := net.NewWorkspace(cpu.New[float64](threads), B, network.MiniBatch)
		ws.InputGrad = true
		logits := append([]float64(nil), ws.Forward(x)...)
		d := make([]float64, len(logits))
		for i := range d {
			d[i] = math.Sin(float64(i))
		}
		ws.Backward(d)
		return ws, logits
	}
	one, l1 := run(1)
	three, l3 := run(3)
	for i := range l1 {
		if l1[i] != l3[i] {
			t.Fatalf("logit %d: %v alone, %v threaded", i, l1[i], l3[i])
		}
	}
	for _, p := range net.Weights() {
		a, b := one.ParamGrad(p), three.ParamGrad(p)
		for k := range a {
			if math.Abs(a[k]-b[k]) > 1e-12*(1+math.Abs(a[k])) {
				t.Fatalf("%s[%d]: %v alone, %v threaded", net.Params[p].Name, k, a[k], b[k])
			}
		}
	}
	ga, gb := one.InputGradient(), three.InputGradient()
	for k := range ga {
		if ga[k] != gb[k] {
			t.Fatalf("input gradient %d: %v alone, %v threaded", k, ga[k], gb[k])
		}
	}
}

// TestHessianVector checks the exact Hessian-vector product against central differences of the
// gradient along the same direction, in float64, for mini-batch and per-sample BatchNorm. The
// step is small enough (1e-8) that no ReLU input crosses its kink: the nearest is 9e-6 from
// zero and moves at 111 per unit step, so a 1e-6 step would cross it.
// The ONNX models of the other nonlinearities (sigmoid's and hard swish's curvature) and of
// ReLU6 with depthwise convolutions run it too, with their files' weights.
func TestHessianVector(t *testing.T) {
	type testCase struct {
		spec    graph.Spec
		weights *safetensors.File // nil: initialised
	}
	cases := []testCase{{spec: nb201.Config{Arch: mustArch(t, index11), C: 4, N: 1, Classes: 10, H: 8, W: 8}}}
	for _, name := range []string{"activations.onnx", "mobilenetv2.onnx", "vgg.onnx"} {
		b, err := os.ReadFile(filepath.Join(oracle.ONNXDir(), name))
		if err != nil {
			t.Fatal(err)
		}
		m, err := onnx.Read(b, onnx.Options{})
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, testCase{m.Graph, m.Weights})
	}
	for _, c := range cases {
		for _, mode := range []network.BatchNormMode{network.MiniBatch, network.PerSample} {
			hessianVector(t, c.spec, c.weights, mode)
		}
	}
}

func hessianVector(t *testing.T, spec graph.Spec, weights *safetensors.File, mode network.BatchNormMode) {
	{
		net, err := network.Build[float64](spec)
		if err != nil {
			t.Fatal(err)
		}
		net.Init(4)
		if weights != nil {
			if err := net.Load(weights); err != nil {
				t.Fatal(err)
			}
		}
		const B = 3
		x := make([]float64, B*net.InputSize())
		for i := range x {
			x[i] = math.Sin(float64(i)*0.31) + 0.2
		}
		labels := []int{2, 5, 7}
		ws := net.NewWorkspace(cpu.New[float64](1), B, mode)
		grads := func() map[int][]float64 {
			logits := ws.Forward(x)
			d := make([]float64, len(logits))
			layers.SoftmaxCrossEntropy(make([]float64, B), d, logits, labels, B, 10, 1.0/B)
			ws.Backward(d)
			g := map[int][]float64{}
			for _, p := range net.Weights() {
				g[p] = append([]float64(nil), ws.ParamGrad(p)...)
			}
			return g
		}
		// A direction of its own for every weight.
		dir := make([][]float64, len(net.Params))
		for _, p := range net.Weights() {
			dir[p] = make([]float64, len(net.Params[p].Data))
			for k := range dir[p] {
				dir[p][k] = math.Cos(float64(k*7 + p))
			}
		}
		grads()
		logits := append([]float64(nil), ws.Forward(x)...)
		grads()
		err = ws.HessianVector(dir, func(zd, dzd []float64) {
			layers.SoftmaxCrossEntropyTangent(dzd, logits, zd, B, 10, 1.0/B)
		})
		if err != nil {
			t.Fatal(err)
		}
		hv := map[int][]float64{}
		for _, p := range net.Weights() {
			hv[p] = append([]float64(nil), ws.HessianVectorOf(p)...)
		}
		const h = 1e-8
		shift := func(s float64) {
			for _, p := range net.Weights() {
				for k := range net.Params[p].Data {
					net.Params[p].Data[k] += s * dir[p][k]
				}
			}
			ws.SyncParams()
		}
		shift(h)
		plus := grads()
		shift(-2 * h)
		minus := grads()
		shift(h)
		worst := 0.0
		for _, p := range net.Weights() {
			for k := range hv[p] {
				num := (plus[p][k] - minus[p][k]) / (2 * h)
				worst = max(worst, math.Abs(num-hv[p][k])/(1+math.Abs(num)))
			}
		}
		t.Logf("%s, mode %d: largest relative difference %.2g", net.Graph.Name, mode, worst)
		if worst > 1e-5 {
			t.Fatalf("%s, mode %d: Hessian-vector product differs from central differences by %.3g", net.Graph.Name, mode, worst)
		}
	}
}
