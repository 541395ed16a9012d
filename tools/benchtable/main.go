// Command benchtable times GradSign at N=128 on the largest NAS-Bench-201 network, index 11 and
// index 0, natively (all cores; and the pure-Go build, -tags noasm, on one core) beside the
// official per-sample loop in PyTorch (tools/pyref/gradsign_ref.py, Debian's python3-torch,
// one thread) on the same weights and images, in one run, and prints a Markdown table. Each
// time is the best of -repeat runs.
//
//	make bench-table
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
)

var archs = []struct{ name, arch string }{
	{"all nor_conv_3x3 (largest)", "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"},
	{"NB201 index 11", "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|"},
	{"NB201 index 0", "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"},
}

func main() {
	cli := flag.String("cli", "bin/gradsign", "the gradsign binary")
	noasm := flag.String("noasm", "bin/gradsign-noasm", "the gradsign binary built with -tags noasm")
	python := flag.String("python", "/usr/bin/python3", "a Python with PyTorch")
	n := flag.Int("n", 128, "images")
	repeat := flag.Int("repeat", 3, "runs per measurement (the best counts)")
	torchRepeat := flag.Int("torch-repeat", 2, "runs of the PyTorch loop (the best counts)")
	flag.Parse()
	log.SetFlags(0)
	dir, err := os.MkdirTemp("", "benchtable")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	fmt.Printf("| network | GFLOP | gradsign, all cores | GFLOP/s | pure Go, 1 core | PyTorch 1.13, 1 thread | PyTorch / gradsign | scores (gradsign vs PyTorch) |\n")
	fmt.Printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n")
	for _, a := range archs {
		weights := filepath.Join(dir, "w.safetensors")
		var ours struct {
			GradSign float64 `json:"gradsign"`
			FLOPs    float64 `json:"flops"`
			Seconds  float64 `json:"seconds"`
		}
		best := math.Inf(1)
		for r := 0; r < *repeat; r++ {
			if err := runJSON(&ours, nil, *cli, "score", "--arch", a.arch, "--n", strconv.Itoa(*n), "--save-weights", weights, "--json"); err != nil {
				log.Fatal(err)
			}
			best = min(best, ours.Seconds)
		}
		var pure struct {
			Seconds float64 `json:"seconds"`
		}
		if err := runJSON(&pure, []string{"GOMAXPROCS=1"}, *noasm, "score", "--arch", a.arch, "--n", strconv.Itoa(*n), "--json"); err != nil {
			log.Fatal(err)
		}
		var torch struct {
			GradSign float64   `json:"gradsign"`
			Seconds  []float64 `json:"seconds"`
		}
		if err := runJSON(&torch, nil, *python, "tools/pyref/gradsign_ref.py", weights, "--arch", a.arch, "--n", strconv.Itoa(*n), "--repeat", strconv.Itoa(*torchRepeat)); err != nil {
			log.Fatal(err)
		}
		tbest := slices.Min(torch.Seconds)
		gflop := 6 * ours.FLOPs * float64(*n) / 1e9 // forward 2, backward 4 FLOPs per multiply-add
		fmt.Printf("| %s | %.1f | %.2f s | %.1f | %.2f s | %.2f s | %.1fx | %.0f vs %.0f |\n",
			a.name, gflop, best, gflop/best, pure.Seconds, tbest, tbest/best, ours.GradSign, torch.GradSign)
	}
}

func runJSON(v any, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	return json.Unmarshal(out, v)
}
