// Command crosscheck scores random NAS-Bench-201 architectures with the gradsign CLI and with
// the official procedure in PyTorch (tools/pyref/gradsign_ref.py, Debian's python3-torch) on
// the same weights and images, and fails if any pair differs by more than 0.1%.
//
//	go run ./tools/crosscheck -cli bin/gradsign -k 10 -n 32
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"gradsign/engine/nb201"
)

func main() {
	cli := flag.String("cli", "bin/gradsign", "the gradsign binary")
	python := flag.String("python", "/usr/bin/python3", "a Python with PyTorch")
	script := flag.String("script", "tools/pyref/gradsign_ref.py", "the PyTorch reference script")
	k := flag.Int("k", 10, "architectures to check")
	n := flag.Int("n", 32, "images per score")
	seed := flag.Uint64("seed", 1, "seed of the architecture draw (index i is initialised with seed i)")
	flag.Parse()
	log.SetFlags(0)

	dir, err := os.MkdirTemp("", "crosscheck")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	rng := rand.New(rand.NewPCG(*seed, 2))
	worst, failed := 0.0, 0
	fmt.Printf("%6s  %12s  %12s  %9s  %s\n", "index", "gradsign", "pytorch", "diff", "arch")
	for i := 0; i < *k; i++ {
		index := rng.IntN(nb201.NumArchs)
		weights := filepath.Join(dir, fmt.Sprintf("%d.safetensors", index))
		var ours struct {
			Arch     string  `json:"arch"`
			GradSign float64 `json:"gradsign"`
		}
		if err := runJSON(&ours, *cli, "score", "--index", strconv.Itoa(index), "--seed", strconv.Itoa(index),
			"--n", strconv.Itoa(*n), "--save-weights", weights, "--json"); err != nil {
			log.Fatal(err)
		}
		var ref struct {
			GradSign float64 `json:"gradsign"`
		}
		if err := runJSON(&ref, *python, *script, weights, "--arch", ours.Arch, "--n", strconv.Itoa(*n)); err != nil {
			log.Fatal(err)
		}
		diff := 0.0
		if ref.GradSign != 0 {
			diff = math.Abs(ours.GradSign-ref.GradSign) / ref.GradSign
		} else if ours.GradSign != 0 {
			diff = math.Inf(1)
		}
		worst = max(worst, diff)
		mark := ""
		if diff > 1e-3 {
			failed++
			mark = "  MISMATCH"
		}
		fmt.Printf("%6d  %12.0f  %12.0f  %8.4f%%  %s%s\n", index, ours.GradSign, ref.GradSign, 100*diff, ours.Arch, mark)
	}
	fmt.Printf("%d architectures, N=%d: largest difference %.4f%%, %d beyond 0.1%%\n", *k, *n, 100*worst, failed)
	if failed > 0 {
		os.Exit(1)
	}
}

func runJSON(v any, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	return json.Unmarshal(out, v)
}
