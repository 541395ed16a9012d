package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gradsign/internal/oracle"
)

// TestONNXReproducesReferences: `score --onnx` with the file's weights prints the PyTorch
// reference's GradSign within 0.1%, its parameter count, and layers named by ONNX node.
func TestONNXReproducesReferences(t *testing.T) {
	refs, err := oracle.Of("onnx")
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range refs {
		model := filepath.Join(oracle.ONNXDir(), ref.File.Metadata["onnx"])
		out, errOut, code := runCLI("score", "--onnx", model, "--n", strconv.Itoa(ref.N), "--json", "--layers")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", ref.Name, code, errOut)
		}
		var got scoreOutput
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s: %v", ref.Name, err)
		}
		if d := math.Abs(*got.GradSign - ref.GradSign); d > 1e-3*ref.GradSign {
			t.Errorf("%s: gradsign %v, PyTorch %v", ref.Name, *got.GradSign, ref.GradSign)
		}
		if got.Params != ref.Params || got.Space != "onnx" || got.Weights != "the model file" || len(got.Layers) != len(ref.PerLayer) {
			t.Errorf("%s: params %d, space %s, weights %q, %d layers", ref.Name, got.Params, got.Space, got.Weights, len(got.Layers))
		}
		for _, l := range got.Layers {
			if _, ok := ref.PerLayer[l.Name]; !ok {
				t.Errorf("%s: layer %q is not an ONNX node of the reference", ref.Name, l.Name)
			}
		}
	}
}

// --init draws the weights from --seed: the same seed, the same score; another seed, another.
func TestONNXInit(t *testing.T) {
	model := filepath.Join(oracle.ONNXDir(), "vgg.onnx")
	score := func(args ...string) float64 {
		out, errOut, code := runCLI(append([]string{"score", "--onnx", model, "--n", "4", "--json"}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var got scoreOutput
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		return *got.GradSign
	}
	a, b, c, file := score("--init", "--seed", "1"), score("--init", "--seed", "1"), score("--init", "--seed", "2"), score()
	if a != b || a == c || a == file {
		t.Errorf("--init --seed 1: %v and %v; --seed 2: %v; the file's weights: %v", a, b, c, file)
	}
}

func TestONNXErrors(t *testing.T) {
	dir := oracle.ONNXDir()
	vgg := filepath.Join(dir, "vgg.onnx")
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"score", "--onnx", vgg, "--arch", "x"}, "--arch describes a search space's network"},
		{[]string{"score", "--onnx", vgg, "--space", "darts"}, `not a network of --space "darts"`},
		{[]string{"score", "--space", "onnx"}, "--space onnx needs --onnx FILE"},
		{[]string{"score", "--onnx", vgg, "--init", "--weights-from-model"}, "not both"},
		{[]string{"score", "--onnx", vgg, "--seed", "3"}, "--seed initialises the weights only with --init"},
		{[]string{"score", "--init"}, "choose an ONNX model's weights"},
		{[]string{"score", "--input-size", "32,32"}, "--input-size is a flag of --space onnx"},
		{[]string{"score", "--onnx", vgg, "--input-size", "32x32"}, "want H,W from 1 to 1024"},
		{[]string{"score", "--onnx", filepath.Join(dir, "missing.onnx")}, "missing.onnx"},
		{[]string{"score", "--onnx", filepath.Join(dir, "vgg.safetensors")}, "not an ONNX model"},
		{[]string{"score", "--onnx", filepath.Join(dir, "tiny_folded.onnx")}, "export it again in training mode"},
		{[]string{"score", "--onnx", "/dev/zero"}, "not an ONNX model (it does not begin as a protobuf message)"},
		{[]string{"score", "--onnx", filepath.Join(dir, "hostile_channels.onnx")}, "larger than the engine holds"},
		{[]string{"score", "--onnx", filepath.Join(dir, "hostile_shape.onnx")}, "joins 128 integers"},
		{[]string{"score", "--onnx", vgg, "--n", "128", "--proxies", "grasp", "--max-memory", "1MiB"}, "lower --n (or --input-size, for a model of dynamic size)"},
	} {
		_, errOut, code := runCLI(c.args...)
		if code == 0 || !strings.Contains(errOut, c.says) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want an error saying %q on one line", c.args, code, errOut, c.says)
		}
	}
}

// An eval-mode export is refused; with --allow-folded it is scored as it is, and labelled.
func TestONNXAllowFolded(t *testing.T) {
	if _, errOut, code := runCLI("score", "--onnx", filepath.Join(oracle.ONNXDir(), "tiny_folded.onnx"), "--n", "4"); code == 0 || !strings.Contains(errOut, "training mode") || !strings.HasSuffix(strings.TrimSpace(errOut), "(--allow-folded)") {
		t.Fatalf("without --allow-folded: exit %d, %q", code, errOut)
	}
	out, errOut, code := runCLI("score", "--onnx", filepath.Join(oracle.ONNXDir(), "tiny_folded.onnx"), "--allow-folded", "--n", "4", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got scoreOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.GradSign == nil || *got.GradSign <= 0 || len(got.Notes) != 1 || !strings.Contains(got.Notes[0], "folded into its convolutions") {
		t.Errorf("gradsign %v, notes %q", got.GradSign, got.Notes)
	}
}

// A model of another input size and fewer classes: the images resized, the labels taken
// modulo its outputs, both said (the score is checked against PyTorch above).
func TestONNXResizedAndFewerClasses(t *testing.T) {
	out, errOut, code := runCLI("score", "--onnx", filepath.Join(oracle.ONNXDir(), "wide64_5classes.onnx"), "--n", "4", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got scoreOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Notes) != 2 || !strings.Contains(got.Notes[0], "64×64 images: the 32×32 images resized") || !strings.Contains(got.Notes[1], "labels taken modulo 5") {
		t.Errorf("notes %q", got.Notes)
	}
}

// TestExactZerosOfTheData: in a ResNet whose last stage runs on 2×2 maps, with
// squeeze-and-excitation after BatchNorms (testdata/onnx/small_maps), some gradients are zero in
// exact arithmetic only for some samples (a channel whose ReLU after the sum is on at all four
// positions). The score gives them sign 0 and counts them, within 0.05% of PyTorch's float64
// score with those at sign 0; --raw counts their rounding noise, as the official code does,
// and lands near PyTorch's float32 score, 2% higher.
func TestExactZerosOfTheData(t *testing.T) {
	refs, err := oracle.Of("onnx")
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(refs, func(r *oracle.Reference) bool { return r.Name == "small_maps.safetensors" })
	if i < 0 {
		t.Fatal("no reference small_maps.safetensors")
	}
	ref := refs[i]
	model := filepath.Join(oracle.ONNXDir(), "small_maps.onnx")
	out, errOut, code := runCLI("score", "--onnx", model, "--n", strconv.Itoa(ref.N), "--raw", "--layers", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got scoreOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	f32, _ := strconv.ParseFloat(ref.File.Metadata["gradsign_f32"], 64)
	raw := *got.Proxies["gradsign_raw"]
	if d := math.Abs(*got.GradSign - ref.GradSign); d > 5e-4*ref.GradSign {
		t.Errorf("gradsign %v, PyTorch float64 with exact zeros at sign 0 %v", *got.GradSign, ref.GradSign)
	}
	if got.DataZeros == nil || *got.DataZeros == 0 || math.Abs(raw-f32) > 5e-3*f32 || raw-*got.GradSign < 0.01*ref.GradSign {
		t.Errorf("data zeros %v, raw %v: want some, and the raw score near PyTorch's float32 %v", got.DataZeros, raw, f32)
	}
	var inLayers int64
	for _, l := range got.Layers {
		inLayers += l.DataZeros
	}
	if inLayers != *got.DataZeros {
		t.Errorf("layers hold %d data zeros, the result %d", inLayers, *got.DataZeros)
	}
}
