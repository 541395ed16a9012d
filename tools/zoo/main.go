// Command zoo scores torchvision's architectures as a person would bring them (issue 32): each
// model with fresh weights (seed 0, 10 classes), exported to ONNX in training mode by
// tools/pyref/gradsign_ref.py, scored by the CLI (bin/gradsign) on the bundled CIFAR-10 images
// resized to the model's input, beside PyTorch's own per-sample loop in float32 (the official
// procedure, rounding noise at exact zeros counted) and in float64 with the exact zeros at
// sign 0 (gradients at most 1e-15 of a sample's largest: the exact score the engine computes).
// Each model's row is kept in OUT/zoo.json as it is done (a second run goes on from there; a
// refused model keeps the engine's message); OUT/zoo.md is the table.
//
//	make zoo    (or: go run ./tools/zoo -out results/zoo [-models a,b] [-n 16])
//
// Needs Debian's python3-torch and python3-torchvision for /usr/bin/python3.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// models are torchvision's 18 architecture families, one each, and the input each is scored
// at: 64×64, but AlexNet and VGG, whose pools shrink a 64×64 image to nothing (224×224, their
// own size).
var models = []struct {
	name string
	size int
}{
	{"resnet18", 64}, {"resnet50", 64}, {"resnext50_32x4d", 64}, {"wide_resnet50_2", 64},
	{"mobilenet_v2", 64}, {"mobilenet_v3_small", 64}, {"mobilenet_v3_large", 64},
	{"efficientnet_b0", 64}, {"densenet121", 64}, {"googlenet", 64}, {"shufflenet_v2_x0_5", 64},
	{"mnasnet0_5", 64}, {"regnet_x_400mf", 64}, {"regnet_y_400mf", 64}, {"squeezenet1_1", 64},
	{"convnext_tiny", 64}, {"alexnet", 224}, {"vgg11_bn", 224},
}

// row is one model's line of the table.
type row struct {
	Model  string `json:"model"`
	Size   int    `json:"size"`
	N      int    `json:"n"`
	Params int64  `json:"params,omitempty"`
	// Refused is the engine's message where it does not read the model.
	Refused   string  `json:"refused,omitempty"`
	Ours      float64 `json:"gradsign,omitempty"`
	Torch32   float64 `json:"torch_f32"`
	Exact64   float64 `json:"torch_f64_exact"`
	Raw64     float64 `json:"torch_f64"`
	OursSec   float64 `json:"seconds,omitempty"`
	TorchSec  float64 `json:"torch_f32_seconds"`
	ExactSec  float64 `json:"torch_f64_seconds"`
	Torch     string  `json:"torch"`
	Timestamp string  `json:"time"`
}

func main() {
	out := flag.String("out", "results/zoo", "folder of zoo.json and zoo.md")
	only := flag.String("models", "", "comma-separated models (default: all 18)")
	n := flag.Int("n", 16, "images")
	cli := flag.String("cli", "bin/gradsign", "the gradsign CLI")
	python := flag.String("python", "/usr/bin/python3", "a Python with torch and torchvision")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	file := filepath.Join(*out, "zoo.json")
	var rows []row
	if data, err := os.ReadFile(file); err == nil {
		if err := json.Unmarshal(data, &rows); err != nil {
			log.Fatalf("%s: %v (remove it to start again)", file, err)
		}
	}
	for _, m := range models {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), m.name) {
			continue
		}
		if slices.ContainsFunc(rows, func(r row) bool { return r.Model == m.name && r.N == *n }) {
			continue // done by an earlier run
		}
		r, err := score(m.name, m.size, *n, *cli, *python, *out)
		if err != nil {
			log.Fatalf("%s: %v", m.name, err)
		}
		rows = append(rows, r)
		data, _ := json.MarshalIndent(rows, "", "  ")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			log.Fatal(err)
		}
		log.Printf("%s done", m.name)
	}
	if err := os.WriteFile(filepath.Join(*out, "zoo.md"), []byte(table(rows)), 0o644); err != nil {
		log.Fatal(err)
	}
}

// score exports a model, runs PyTorch's float64 exact and float32 loop on it, and the CLI.
func score(model string, size, n int, cli, python, dir string) (row, error) {
	r := row{Model: model, Size: size, N: n, Timestamp: time.Now().UTC().Format(time.RFC3339)}
	onnx := filepath.Join(dir, model+".onnx")
	ref := []string{"tools/pyref/gradsign_ref.py", "--space", "torchvision", "--model", model, "--size", strconv.Itoa(size), "--n", strconv.Itoa(n)}
	var exact struct {
		Exact float64 `json:"gradsign_exact_f64"`
		Raw   float64 `json:"gradsign_f64"`
		Torch string  `json:"torch"`
	}
	start := time.Now()
	if err := runJSON(&exact, python, append(ref, "--export", onnx, "--exact")...); err != nil {
		return r, err
	}
	r.ExactSec, r.Exact64, r.Raw64, r.Torch = time.Since(start).Seconds(), exact.Exact, exact.Raw, exact.Torch
	var loop struct {
		GradSign float64   `json:"gradsign"`
		Seconds  []float64 `json:"seconds"`
		Params   int64     `json:"params"`
	}
	if err := runJSON(&loop, python, ref...); err != nil {
		return r, err
	}
	r.Torch32, r.TorchSec, r.Params = loop.GradSign, loop.Seconds[0], loop.Params
	var ours struct {
		GradSign float64 `json:"gradsign"`
		Seconds  float64 `json:"seconds"`
	}
	err := runJSON(&ours, cli, "score", "--onnx", onnx, "--n", strconv.Itoa(n), "--json")
	var refused *refusal
	if errors.As(err, &refused) {
		r.Refused = refused.msg
		return r, os.Remove(onnx)
	}
	if err != nil {
		return r, err
	}
	r.Ours, r.OursSec = ours.GradSign, ours.Seconds
	return r, os.Remove(onnx) // the models are made again from the seed; they are large
}

// refusal is a command's failure with its message (the CLI refusing a model).
type refusal struct{ msg string }

func (e *refusal) Error() string { return e.msg }

func runJSON(v any, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return &refusal{strings.TrimSpace(stderr.String())}
	}
	return json.Unmarshal(out, v)
}

// table writes the rows as Markdown: ours against the float64 exact score and PyTorch's own
// float32 loop, and the seconds of each.
func table(rows []row) string {
	var b strings.Builder
	b.WriteString("| model | input | params | gradsign (ours) | PyTorch float64, exact zeros at 0 | ours vs exact | PyTorch float32 loop (official) | float32 vs exact | seconds: ours (2 cores), loop (1 thread), float64 |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
	pct := func(a, b float64) string { return fmt.Sprintf("%+.3f%%", 100*(a-b)/b) }
	for _, r := range rows {
		if r.Refused != "" {
			fmt.Fprintf(&b, "| %s | %d×%d | %d | refused: %s | %.0f | — | %.0f | %s | —, %.2f, %.2f |\n", r.Model, r.Size, r.Size, r.Params,
				strings.ReplaceAll(r.Refused, "|", "/"), r.Exact64, r.Torch32, pct(r.Torch32, r.Exact64), r.TorchSec, r.ExactSec)
			continue
		}
		fmt.Fprintf(&b, "| %s | %d×%d | %d | %.0f | %.0f | %s | %.0f | %s | %.2f, %.2f, %.2f |\n", r.Model, r.Size, r.Size, r.Params,
			r.Ours, r.Exact64, pct(r.Ours, r.Exact64), r.Torch32, pct(r.Torch32, r.Exact64), r.OursSec, r.TorchSec, r.ExactSec)
	}
	if len(rows) > 0 {
		fmt.Fprintf(&b, "\nN = %d images (the bundled CIFAR-10 test images, bilinearly resized), 10 classes, weights from seed 0; PyTorch %s.\n", rows[0].N, rows[0].Torch)
	}
	return b.String()
}
